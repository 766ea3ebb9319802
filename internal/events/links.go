package events

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/vard-kommun/vard/internal/db"
)

// linkKeySetting names the installation's key for invitees' personal links in the settings table.
const linkKeySetting = "events.link_key"

// invitationToken is an invitation's personal token, derived from the installation's key, the
// invitation and the moment it was sent. The database keeps only its hash, yet a reminder or a
// waitlist mail can carry the same link again; sending the invitation anew (a new moment) would make a
// new link and end the old one.
func invitationToken(key []byte, invitationID int64, sentAt time.Time) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "event-invitation:%d:%d", invitationID, sentAt.UTC().UnixMicro())
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// sentNow is the moment an invitation is sent, to the microsecond that both databases keep, so that
// the token can be derived again from the stored time.
func (s *Service) sentNow() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// linkKey returns the key, read once per server through q: the writer or the caller's transaction
// (on SQLite the writer is the transaction's one connection).
func (s *Service) linkKey(ctx context.Context, q db.Querier) ([]byte, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.key == nil {
		key, err := db.SecretKey(ctx, q, linkKeySetting)
		if err != nil {
			return nil, err
		}
		s.key = key
	}
	return s.key, nil
}

// invitationLink is the invitee's personal link again, for a later mail; "" when it was never sent.
func (s *Service) invitationLink(key []byte, inv *Invitation) string {
	if inv.SentAt == nil {
		return ""
	}
	return s.AnswerURL(invitationToken(key, inv.ID, *inv.SentAt))
}
