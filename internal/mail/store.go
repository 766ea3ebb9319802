package mail

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vard-kommun/vard/internal/db"
)

// Enqueue stores m for sending. Pass the caller's transaction so that the mail is committed together
// with what it announces, or rolled back with it. A message whose dedupe key the tenant already has is
// not stored again, whatever its content.
func Enqueue(ctx context.Context, q db.Querier, m Message) error {
	if err := m.validate(); err != nil {
		return err
	}
	if m.DedupeKey == "" {
		b := make([]byte, 16)
		rand.Read(b)
		m.DedupeKey = "random:" + hex.EncodeToString(b)
	}
	now := db.Now()
	var id int64
	// ON CONFLICT DO NOTHING, not a unique violation: on PostgreSQL an error would abort the caller's
	// whole transaction.
	err := q.QueryRowContext(ctx, `INSERT INTO mail_messages
		(tenant_id, dedupe_key, to_address, subject, text_body, html_body, status, next_attempt_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (tenant_id, dedupe_key) DO NOTHING RETURNING id`,
		m.TenantID, m.DedupeKey, m.To, m.Subject, m.Text, m.HTML, StatusQueued, now, now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // already queued (or sent)
	}
	if err != nil {
		return fmt.Errorf("enqueue mail: %w", err)
	}
	for _, a := range m.Attachments {
		if _, err := q.ExecContext(ctx, `INSERT INTO mail_attachments (message_id, name, content_type, content) VALUES ($1, $2, $3, $4)`,
			id, a.Name, a.ContentType, a.Content); err != nil {
			return fmt.Errorf("enqueue mail attachment: %w", err)
		}
	}
	return nil
}

// EnqueueMany stores several messages, as Enqueue does each; pass a transaction so that all or none are.
func EnqueueMany(ctx context.Context, q db.Querier, msgs []Message) error {
	for _, m := range msgs {
		if err := Enqueue(ctx, q, m); err != nil {
			return err
		}
	}
	return nil
}

// Progress counts a tenant's messages by state, for pages such as "1 200 av 4 000 skickade".
type Progress struct {
	Queued int // waiting or being sent, including those waiting to be retried
	Sent   int
	Failed int
}

// Total is every message counted.
func (p Progress) Total() int { return p.Queued + p.Sent + p.Failed }

// Stats counts the tenant's messages whose dedupe key starts with prefix ("" counts them all).
func Stats(ctx context.Context, q db.Querier, tenantID int64, prefix string) (Progress, error) {
	// substr rather than LIKE: SQLite's LIKE ignores case and both would need % and _ escaped.
	rows, err := q.QueryContext(ctx, `SELECT status, COUNT(*) FROM mail_messages
		WHERE tenant_id = $1 AND substr(dedupe_key, 1, $2) = $3 GROUP BY status`,
		tenantID, utf8.RuneCountInString(prefix), prefix)
	type count struct {
		status string
		n      int
	}
	counts, err := db.Collect(rows, err, func(r db.Row) (count, error) {
		var c count
		return c, r.Scan(&c.status, &c.n)
	})
	var p Progress
	if err != nil {
		return p, fmt.Errorf("mail stats: %w", err)
	}
	for _, c := range counts {
		switch c.status {
		case StatusSent:
			p.Sent += c.n
		case StatusFailed:
			p.Failed += c.n
		default:
			p.Queued += c.n
		}
	}
	return p, nil
}

// claimed is a message a worker has taken; attempts is also the claim's token: a worker whose claim was
// taken over finds that it no longer matches.
type claimed struct {
	id       int64
	attempts int
	msg      Message
}

// claim marks up to limit due messages, and messages whose worker has not finished them since
// staleBefore, as this worker's. On PostgreSQL, FOR UPDATE SKIP LOCKED lets several servers claim at once
// without taking the same message; on SQLite the single writer makes claims one at a time.
func claim(ctx context.Context, d *db.DB, now, staleBefore time.Time, limit int) ([]claimed, error) {
	var list []claimed
	err := d.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE mail_messages SET status = $1, attempts = attempts + 1, claimed_at = $2
			WHERE id IN (SELECT id FROM mail_messages
				WHERE (status = $3 AND next_attempt_at <= $2) OR (status = $1 AND claimed_at < $4)
				ORDER BY next_attempt_at, id LIMIT $5`+d.SkipLocked()+`)
			RETURNING id, attempts, tenant_id, dedupe_key, to_address, subject, text_body, html_body`,
			StatusSending, now, StatusQueued, staleBefore, limit)
		list, err = db.Collect(rows, err, func(r db.Row) (claimed, error) {
			var c claimed
			m := &c.msg
			return c, r.Scan(&c.id, &c.attempts, &m.TenantID, &m.DedupeKey, &m.To, &m.Subject, &m.Text, &m.HTML)
		})
		return err
	})
	if err != nil || len(list) == 0 {
		return nil, err
	}
	slices.SortFunc(list, func(a, b claimed) int { return cmp.Compare(a.id, b.id) })
	byID := make(map[int64]*claimed, len(list))
	args := make([]any, len(list))
	marks := make([]string, len(list))
	for i := range list {
		byID[list[i].id] = &list[i]
		args[i] = list[i].id
		marks[i] = fmt.Sprintf("$%d", i+1)
	}
	// Attachments never change once stored, so the read side will do.
	rows, err := d.Read().QueryContext(ctx, `SELECT message_id, name, content_type, content FROM mail_attachments
		WHERE message_id IN (`+strings.Join(marks, ", ")+`) ORDER BY id`, args...)
	_, err = db.Collect(rows, err, func(r db.Row) (struct{}, error) {
		var id int64
		var a Attachment
		if err := r.Scan(&id, &a.Name, &a.ContentType, &a.Content); err != nil {
			return struct{}{}, err
		}
		byID[id].msg.Attachments = append(byID[id].msg.Attachments, a)
		return struct{}{}, nil
	})
	if err != nil {
		// The claims stand and go stale; another worker takes them over.
		return nil, fmt.Errorf("read mail attachments: %w", err)
	}
	return list, nil
}

// touch renews the claim just before sending, and reports false when the message is no longer this
// worker's (another took it over while this one was slow), so that it is not sent twice.
func touch(ctx context.Context, q db.Querier, c *claimed, now time.Time) (bool, error) {
	res, err := q.ExecContext(ctx, `UPDATE mail_messages SET claimed_at = $1 WHERE id = $2 AND status = $3 AND attempts = $4`,
		now, c.id, StatusSending, c.attempts)
	return affected(res, err)
}

func markSent(ctx context.Context, q db.Querier, c *claimed, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE mail_messages SET status = $1, sent_at = $2, last_error = '' WHERE id = $3 AND status = $4 AND attempts = $5`,
		StatusSent, now, c.id, StatusSending, c.attempts)
	return err
}

// markFailed schedules another attempt at next, or gives up when next is zero.
func markFailed(ctx context.Context, q db.Querier, c *claimed, sendErr string, next time.Time) error {
	status, at := StatusQueued, any(next)
	if next.IsZero() {
		status, at = StatusFailed, nil
	}
	_, err := q.ExecContext(ctx, `UPDATE mail_messages SET status = $1, last_error = $2, next_attempt_at = COALESCE($3, next_attempt_at)
		WHERE id = $4 AND status = $5 AND attempts = $6`, status, sendErr, at, c.id, StatusSending, c.attempts)
	return err
}

// handBack returns an unsent claim to the queue, due at once and with its attempt uncounted, so that the
// next worker (after a restart, say) takes it without waiting for it to go stale.
func handBack(ctx context.Context, q db.Querier, c *claimed) error {
	_, err := q.ExecContext(ctx, `UPDATE mail_messages SET status = $1, attempts = attempts - 1, claimed_at = NULL
		WHERE id = $2 AND status = $3 AND attempts = $4`, StatusQueued, c.id, StatusSending, c.attempts)
	return err
}

func affected(res sql.Result, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}
