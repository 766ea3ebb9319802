package events

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/mail"
	"github.com/vard-kommun/vard/internal/web"
)

// Answer is an invitee's answer from their page.
type Answer struct {
	Status        Status // yes or no
	Diet          string
	Accessibility string
}

// Invitee is what an invitee's page shows: their invitation, the event and its agenda.
type Invitee struct {
	Invitation *Invitation
	Event      *Event
	Agenda     []*AgendaItem
	Tenant     string
	// Place is the place in line on the waitlist, from 1; 0 when not on it.
	Place int
	// Open reports whether the answer may still be changed.
	Open bool
}

// Gone is the error for a cancelled event's link: 410, since the link was real.
func Gone() *web.Error {
	return &web.Error{Status: http.StatusGone, Message: "Evenemanget är inställt.", Err: ErrCancelled}
}

// validToken reports whether a path value can be a token at all, so that junk is a 404 without a query.
func validToken(token string) bool {
	if len(token) < 20 || len(token) > 100 {
		return false
	}
	for _, r := range token {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// Invitee returns the invitation behind a personal link: web.NotFound for an unknown or forged token (or
// an erased guest), Gone for a cancelled event.
func (s *Service) Invitee(ctx context.Context, token string) (*Invitee, error) {
	if !validToken(token) {
		return nil, web.NotFound()
	}
	inv, tenantID, err := s.Store.invitationByToken(ctx, s.Store.DB.Read(), token)
	if errors.Is(err, db.ErrNotFound) {
		return nil, web.NotFound()
	}
	if err != nil {
		return nil, err
	}
	return s.invitee(ctx, s.Store.DB.Read(), tenantID, inv)
}

func (s *Service) invitee(ctx context.Context, q db.Querier, tenantID int64, inv *Invitation) (*Invitee, error) {
	if inv.ErasedAt != nil {
		return nil, web.NotFound()
	}
	e, err := scanEvent(q.QueryRowContext(ctx, `SELECT `+eventColumns+` FROM events WHERE tenant_id = $1 AND id = $2`, tenantID, inv.EventID))
	if err != nil {
		return nil, notFound(err)
	}
	if e.Cancelled() {
		return nil, Gone()
	}
	out := &Invitee{Invitation: inv, Event: e, Open: e.Open(s.Now())}
	rows, err := q.QueryContext(ctx, agendaSelect+` WHERE a.event_id = $1 ORDER BY a.position`, e.ID)
	if out.Agenda, err = db.Collect(rows, err, scanAgendaItem); err != nil {
		return nil, err
	}
	if out.Place, err = s.Store.waitlistPlace(ctx, q, inv); err != nil {
		return nil, err
	}
	// Through q, not the org store: inside Answer's transaction another connection could wait for one
	// that waits for this transaction's lock.
	if err := q.QueryRowContext(ctx, `SELECT name FROM tenants WHERE id = $1`, tenantID).Scan(&out.Tenant); err != nil {
		return nil, fmt.Errorf("invitee's kommun: %w", err)
	}
	return out, nil
}

// CheckAnswer validates an answer, returning Swedish messages by form field.
func CheckAnswer(a *Answer) map[string]string {
	errs := map[string]string{}
	a.Diet = strings.TrimSpace(strings.ReplaceAll(a.Diet, "\r\n", "\n"))
	a.Accessibility = strings.TrimSpace(strings.ReplaceAll(a.Accessibility, "\r\n", "\n"))
	if a.Status != StatusYes && a.Status != StatusNo {
		errs["status"] = "Välj om du kommer."
	}
	if msg := checkText(a.Diet, MaxDiet, false); msg != "" {
		errs["diet"] = msg
	}
	if msg := checkText(a.Accessibility, MaxAccessibility, false); msg != "" {
		errs["accessibility"] = msg
	}
	return errs
}

// Answer records an invitee's answer. A yes takes a place if there is one and otherwise joins the
// waitlist; a no gives a held place to the first on the waitlist, in the same transaction. The event
// row is locked first, so concurrent answers (on several servers too) take turns and never overbook.
// Answering the same again only updates the needs given.
func (s *Service) Answer(ctx context.Context, token string, a Answer) (*Invitee, error) {
	if !validToken(token) {
		return nil, web.NotFound()
	}
	if errs := CheckAnswer(&a); len(errs) > 0 {
		return nil, web.Invalid(errs)
	}
	var out *Invitee
	err := s.Store.DB.Tx(ctx, func(tx *sql.Tx) error {
		found, tenantID, err := s.Store.invitationByToken(ctx, tx, token)
		if err != nil {
			return err
		}
		e, err := s.Store.LockEvent(ctx, tx, tenantID, found.EventID)
		if err != nil {
			return err
		}
		// Read again under the lock: a double submit waiting for it must see the first one's answer.
		inv, err := s.Store.Invitation(ctx, tx, e.ID, found.ID)
		if err != nil {
			return err
		}
		if inv.ErasedAt != nil {
			return db.ErrNotFound
		}
		if e.Cancelled() {
			return Gone()
		}
		now := s.Now()
		if !e.Open(now) {
			return ErrClosed
		}
		inv.Diet, inv.Accessibility = a.Diet, a.Accessibility
		if inv.Status != a.Status && !(inv.Status == StatusWaitlist && a.Status == StatusYes) {
			inv.AnsweredAt = &now
		}
		switch {
		case a.Status == StatusYes && (inv.Status == StatusYes || inv.Status == StatusWaitlist):
			// the same answer again: keep the place, or the place in line
		case a.Status == StatusYes:
			ok, err := s.claimPlace(ctx, tx, e)
			if err != nil {
				return err
			}
			if ok {
				inv.Status, inv.WaitlistedAt = StatusYes, nil
			} else {
				inv.Status, inv.WaitlistedAt = StatusWaitlist, &now
			}
		case inv.Status == StatusYes: // to no
			inv.Status, inv.WaitlistedAt = StatusNo, nil
			if err := s.releasePlace(ctx, tx, e); err != nil {
				return err
			}
		default: // to no, from invited, no or the waitlist
			inv.Status, inv.WaitlistedAt = StatusNo, nil
		}
		if inv.AnsweredAt == nil {
			inv.AnsweredAt = &now
		}
		if err := s.Store.setAnswer(ctx, tx, inv); err != nil {
			return fmt.Errorf("answer: %w", err)
		}
		if err := s.promote(ctx, tx, e); err != nil {
			return err
		}
		out, err = s.invitee(ctx, tx, tenantID, inv)
		return err
	})
	switch {
	case errors.Is(err, db.ErrNotFound):
		return nil, web.NotFound()
	case err != nil:
		return nil, err
	}
	return out, nil
}

// claimPlace counts one more yes unless the event is full. The condition sits in the UPDATE itself, so it
// holds even for a caller that forgot to lock the event first.
func (s *Service) claimPlace(ctx context.Context, tx *sql.Tx, e *Event) (bool, error) {
	err := tx.QueryRowContext(ctx, `UPDATE events SET yes_count = yes_count + 1
		WHERE id = $1 AND (capacity = 0 OR yes_count < capacity) RETURNING yes_count`, e.ID).Scan(&e.YesCount)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("take place: %w", err)
	}
	return true, nil
}

func (s *Service) releasePlace(ctx context.Context, tx *sql.Tx, e *Event) error {
	err := tx.QueryRowContext(ctx, `UPDATE events SET yes_count = CASE WHEN yes_count > 0 THEN yes_count - 1 ELSE 0 END
		WHERE id = $1 RETURNING yes_count`, e.ID).Scan(&e.YesCount)
	if err != nil {
		return fmt.Errorf("release place: %w", err)
	}
	return nil
}

// promote moves people up from the waitlist, longest waiting first, while there are places, and mails
// each. The caller holds the event's lock.
func (s *Service) promote(ctx context.Context, tx *sql.Tx, e *Event) error {
	if e.Cancelled() {
		return nil
	}
	for {
		inv, err := s.Store.firstWaitlisted(ctx, tx, e.ID)
		if errors.Is(err, db.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		ok, err := s.claimPlace(ctx, tx, e)
		if err != nil || !ok {
			return err
		}
		since := s.Now()
		if inv.WaitlistedAt != nil {
			since = *inv.WaitlistedAt
		}
		inv.Status, inv.WaitlistedAt = StatusYes, nil
		if err := s.Store.setAnswer(ctx, tx, inv); err != nil {
			return fmt.Errorf("promote: %w", err)
		}
		key, err := s.linkKey(ctx, tx)
		if err != nil {
			return err
		}
		if m, ok := s.promotedMail(e, inv, since, s.invitationLink(key, inv)); ok {
			if err := mail.Enqueue(ctx, tx, m); err != nil {
				return err
			}
		}
	}
}
