// Package mail is Värd's outgoing mail: a durable queue in the database, a worker that sends what is due
// over SMTP with retries, and .ics calendar invitations.
package mail

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
)

// Message is one mail to one recipient.
type Message struct {
	TenantID int64
	// DedupeKey names the logical message within the tenant, for example "round:42:person:7". Enqueueing
	// a key that is already stored does nothing, so a job that stopped midway can simply start over.
	// An empty key is replaced by a random one: the message is then never deduplicated.
	DedupeKey   string
	To          string // one address, "a@b.se" or "Name <a@b.se>"
	Subject     string
	Text        string // the plain-text body; always sent
	HTML        string // an optional HTML alternative
	Attachments []Attachment
}

// Attachment is a file sent with a message, such as an invitation's .ics.
type Attachment struct {
	Name        string
	ContentType string
	Content     []byte
}

// Sender delivers one message. The SMTP sender is the real one; tests use their own.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// The states of a message, as stored in mail_messages.status.
const (
	StatusQueued  = "queued"  // waiting until next_attempt_at
	StatusSending = "sending" // claimed by a worker
	StatusSent    = "sent"
	StatusFailed  = "failed" // gave up after the last attempt
)

// ErrInvalid is wrapped by the errors Enqueue returns for a message that could never be sent.
var ErrInvalid = errors.New("invalid mail message")

func (m *Message) validate() error {
	if m.TenantID == 0 {
		return fmt.Errorf("%w: no tenant", ErrInvalid)
	}
	if _, err := mail.ParseAddress(m.To); err != nil {
		return fmt.Errorf("%w: recipient %q: %v", ErrInvalid, m.To, err)
	}
	// A line break in a header would let text chosen by a user add headers of its own.
	if strings.ContainsAny(m.Subject, "\r\n") {
		return fmt.Errorf("%w: line break in subject", ErrInvalid)
	}
	for _, a := range m.Attachments {
		if a.Name == "" || strings.ContainsAny(a.Name+a.ContentType, "\r\n\"") {
			return fmt.Errorf("%w: attachment name %q", ErrInvalid, a.Name)
		}
	}
	return nil
}
