package events

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/mail"
)

// JobInterval is how often Run does the periodic work.
const JobInterval = time.Minute

// Run does the periodic work every JobInterval until ctx ends: it finishes sending invitations that a
// stopped server left unsent, reminds those who said yes, and erases external guests' data when it is
// due. Every step is safe on several servers at once: sending and reminding are guarded by sent_at and
// reminded_at and by the mails' dedupe keys, and erasing twice erases nothing more.
func (s *Service) Run(ctx context.Context, log *slog.Logger) {
	t := time.NewTicker(JobInterval)
	defer t.Stop()
	for {
		if err := s.RunOnce(ctx); err != nil && ctx.Err() == nil {
			log.ErrorContext(ctx, "events job", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.kick:
		}
	}
}

// RunOnce does the periodic work once, at the service's clock.
func (s *Service) RunOnce(ctx context.Context) error {
	if err := s.ResumeSending(ctx); err != nil {
		return err
	}
	if _, err := s.SendReminders(ctx); err != nil {
		return err
	}
	_, err := s.EraseGuests(ctx)
	return err
}

type eventRef struct{ tenantID, id int64 }

func (s *Service) eventRefs(ctx context.Context, query string, args ...any) ([]eventRef, error) {
	rows, err := s.Store.DB.Read().QueryContext(ctx, query, args...)
	return db.Collect(rows, err, func(r db.Row) (eventRef, error) {
		var e eventRef
		return e, r.Scan(&e.tenantID, &e.id)
	})
}

// ResumeSending sends the invitations of every event whose sending was requested and not finished.
func (s *Service) ResumeSending(ctx context.Context) error {
	refs, err := s.eventRefs(ctx, `SELECT e.tenant_id, e.id FROM events e WHERE e.send_requested_at IS NOT NULL
		AND e.cancelled_at IS NULL AND EXISTS (SELECT 1 FROM event_invitations i WHERE i.event_id = e.id
			AND i.sent_at IS NULL AND i.created_at <= e.send_requested_at)`)
	if err != nil {
		return fmt.Errorf("events to send: %w", err)
	}
	for _, r := range refs {
		if _, err := s.SendAll(ctx, r.tenantID, r.id); err != nil {
			return err
		}
	}
	return nil
}

// SendReminders mails a reminder, with the .ics again, to everyone who said yes to an event that starts
// within ReminderDays, once each, and returns how many it queued.
func (s *Service) SendReminders(ctx context.Context) (int, error) {
	now := s.Now()
	days := s.ReminderDays
	if days <= 0 {
		days = 2
	}
	refs, err := s.eventRefs(ctx, `SELECT tenant_id, id FROM events WHERE cancelled_at IS NULL
		AND starts_at > $1 AND starts_at <= $2 ORDER BY starts_at`, now, now.Add(time.Duration(days)*24*time.Hour))
	if err != nil {
		return 0, fmt.Errorf("events to remind: %w", err)
	}
	total := 0
	for _, r := range refs {
		tenant, err := s.Org.Store.Tenant(ctx, r.tenantID)
		if err != nil {
			return total, err
		}
		for {
			n, err := s.remindBatch(ctx, r, tenant.Name, now)
			total += n
			if err != nil {
				return total, err
			}
			if n == 0 {
				break
			}
		}
	}
	return total, nil
}

func (s *Service) remindBatch(ctx context.Context, r eventRef, tenantName string, now time.Time) (int, error) {
	limit := s.BatchSize
	if limit <= 0 {
		limit = 500
	}
	lock := ""
	if s.Store.DB.Dialect == db.Postgres {
		lock = " FOR UPDATE OF i SKIP LOCKED"
	}
	n := 0
	err := s.Store.DB.Tx(ctx, func(tx *sql.Tx) error {
		n = 0
		e, err := scanEvent(tx.QueryRowContext(ctx, `SELECT `+eventColumns+` FROM events WHERE tenant_id = $1 AND id = $2`, r.tenantID, r.id))
		if err != nil {
			return notFound(err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+invitationColumns+invitationFrom+`
			WHERE i.event_id = $1 AND i.status = $2 AND i.reminded_at IS NULL ORDER BY i.id LIMIT $3`+lock,
			e.ID, string(StatusYes), limit)
		list, err := db.Collect(rows, err, scanInvitation)
		if err != nil {
			return fmt.Errorf("invitations to remind: %w", err)
		}
		key, err := s.linkKey(ctx, tx)
		if err != nil {
			return err
		}
		for _, inv := range list {
			res, err := tx.ExecContext(ctx, `UPDATE event_invitations SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL`, now, inv.ID)
			if ok, err := affected(res, err); err != nil || !ok {
				if err != nil {
					return fmt.Errorf("mark reminded: %w", err)
				}
				continue
			}
			n++
			if m, ok := s.reminderMail(e, tenantName, inv, s.invitationLink(key, inv)); ok {
				if err := mail.Enqueue(ctx, tx, m); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return n, err
}

// EraseGuests empties the personal data of external guests (name, e-mail, organisation, diet and
// accessibility) of every event that ended guest_retention_days ago, and returns how many it erased.
// People of the kommun are kept: their data lives in the organisation, and attendance needs them.
func (s *Service) EraseGuests(ctx context.Context) (int, error) {
	now := s.Now()
	rows, err := s.Store.DB.Read().QueryContext(ctx, `SELECT e.id, e.ends_at, e.guest_retention_days FROM events e
		WHERE e.ends_at < $1 AND EXISTS (SELECT 1 FROM event_invitations i WHERE i.event_id = e.id
			AND i.person_id IS NULL AND i.erased_at IS NULL)`, now)
	type due struct {
		id   int64
		ends time.Time
		days int
	}
	list, err := db.Collect(rows, err, func(r db.Row) (due, error) {
		var d due
		return d, r.Scan(&d.id, &d.ends, &d.days)
	})
	if err != nil {
		return 0, fmt.Errorf("events to erase: %w", err)
	}
	total := 0
	for _, d := range list {
		// Days are counted in Go, not SQL: the two dialects add intervals to timestamps differently.
		if d.ends.AddDate(0, 0, d.days).After(now) {
			continue
		}
		res, err := s.Store.DB.Exec(ctx, `UPDATE event_invitations SET guest_name = '', guest_email = '', guest_organisation = '',
			diet = '', accessibility = '', erased_at = $1 WHERE event_id = $2 AND person_id IS NULL AND erased_at IS NULL`, now, d.id)
		if err != nil {
			return total, fmt.Errorf("erase guests: %w", err)
		}
		n, _ := res.RowsAffected()
		total += int(n)
	}
	return total, nil
}
