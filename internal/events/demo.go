package events

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/org"
)

// Demo gives the demo kommun two events: a ledarforum a month ago, to which every chef was invited, most
// said yes and most came; and a visionsdag in three weeks for every employee and a few guests from the
// local business community, half-way through its answers. It does nothing when the kommun has events.
// The same kommun gives the same events (the dates follow today), in one transaction.
func Demo(ctx context.Context, svc *Service, tenantID int64) error {
	var n int
	if err := svc.Store.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE tenant_id = $1`, tenantID).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	rows, err := svc.Store.DB.Read().QueryContext(ctx, `SELECT p.id, COALESCE(p.unit_id, 0),
		EXISTS (SELECT 1 FROM person_roles r WHERE r.person_id = p.id AND r.role = $2)
		FROM people p WHERE p.tenant_id = $1 AND p.active ORDER BY p.id`, tenantID, org.RoleManager)
	type person struct {
		id, unit int64
		chef     bool
	}
	people, err := db.Collect(rows, err, func(r db.Row) (person, error) {
		var p person
		return p, r.Scan(&p.id, &p.unit, &p.chef)
	})
	if err != nil {
		return fmt.Errorf("demo events: %w", err)
	}
	rnd := rand.New(rand.NewPCG(uint64(tenantID), 2026))
	now := svc.Now()
	today := now.In(Stockholm)
	day := func(offset, hour, minute int) time.Time {
		return time.Date(today.Year(), today.Month(), today.Day()+offset, hour, minute, 0, 0, Stockholm).UTC()
	}
	code := func() string {
		b := make([]byte, CodeLength)
		for i := range b {
			b[i] = codeAlphabet[rnd.IntN(len(codeAlphabet))]
		}
		return string(b)
	}
	return svc.Store.DB.Tx(ctx, func(tx *sql.Tx) error {
		insert := func(e *Event, agenda []AgendaItem) error {
			e.TenantID, e.CreatedAt = tenantID, now
			if err := svc.Store.insertEvent(ctx, tx, e); err != nil {
				return err
			}
			for _, a := range agenda {
				a.EventID = e.ID
				if err := svc.Store.insertAgendaItem(ctx, tx, &a); err != nil {
					return err
				}
			}
			return nil
		}
		invite := func(e *Event, personID, unitID int64, guestName, guestEmail, org string, st Status, checkedIn bool) error {
			var answered any
			if st != StatusInvited {
				answered = e.CreatedAt
			}
			var id int64
			// A demo code is drawn from the seeded generator, so it may (rarely) repeat: draw again.
			for {
				err := tx.QueryRowContext(ctx, `INSERT INTO event_invitations (event_id, person_id, unit_id, guest_name, guest_email,
					guest_organisation, token_hash, code, status, answered_at, created_at)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING RETURNING id`,
					e.ID, nullID(personID), nullID(unitID), guestName, guestEmail, org, HashToken(newToken()), code(),
					string(st), answered, now).Scan(&id)
				if err == nil {
					break
				}
				if !errors.Is(err, sql.ErrNoRows) {
					return err
				}
			}
			if checkedIn {
				at := e.StartsAt.Add(-time.Duration(rnd.IntN(40)) * time.Minute)
				if _, err := tx.ExecContext(ctx, `INSERT INTO event_checkins (event_id, invitation_id, scan_id, door, scanned_at, created_at)
					VALUES ($1, $2, $3, $4, $5, $5)`, e.ID, id, fmt.Sprintf("demo-%d", id), "Huvudentrén", at); err != nil {
					return err
				}
			}
			return nil
		}
		at := func(t time.Time) *time.Time { return &t }

		forum := &Event{Kind: KindLedarforum, Title: "Ledarforum: värdskap i vardagen", Place: "Stadshuset, Kommunfullmäktiges sal",
			Description: "Alla chefer i kommunen träffas för att dela erfarenheter av värdskap. Vi minglar i grupper över förvaltningsgränserna.",
			StartsAt:    day(-30, 8, 30), EndsAt: day(-30, 16, 0), GroupSize: 4, GuestRetentionDays: DefaultRetention}
		forum.RSVPDeadline = at(day(-37, 23, 59))
		if err := insert(forum, []AgendaItem{
			{StartsAt: at(day(-30, 8, 30)), Title: "Kaffe och incheckning"},
			{StartsAt: at(day(-30, 9, 0)), Title: "Välkommen", SpeakerName: "Kommundirektören"},
			{StartsAt: at(day(-30, 10, 0)), Title: "Mingel i grupper: ett möte som gjorde skillnad"},
			{StartsAt: at(day(-30, 13, 0)), Title: "Värdskapskoden i praktiken", SpeakerName: "Värdskapstränarna"},
		}); err != nil {
			return err
		}
		yes := 0
		for _, p := range people {
			if !p.chef {
				continue
			}
			st, in := StatusInvited, false
			switch r := rnd.IntN(100); {
			case r < 85:
				st, in = StatusYes, rnd.IntN(100) < 90
			case r < 95:
				st = StatusNo
			}
			if st == StatusYes {
				yes++
			}
			if err := invite(forum, p.id, p.unit, "", "", "", st, in); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE events SET yes_count = $1, send_requested_at = $2 WHERE id = $3`, yes, forum.CreatedAt, forum.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE event_invitations SET sent_at = $1 WHERE event_id = $2`, forum.CreatedAt, forum.ID); err != nil {
			return err
		}

		vision := &Event{Kind: KindVisionsdag, Title: "Visionsdag: Exempelby 2030", Place: "Sporthallen, Exempelby",
			Description: "Hela kommunens medarbetare och det lokala näringslivet samlas för att tillsammans forma visionen för Exempelby 2030.",
			StartsAt:    day(21, 9, 0), EndsAt: day(21, 15, 30), Capacity: 1500, GroupSize: 4, GuestRetentionDays: DefaultRetention}
		vision.RSVPDeadline = at(day(14, 23, 59))
		if err := insert(vision, []AgendaItem{
			{StartsAt: at(day(21, 9, 0)), Title: "Välkommen", SpeakerName: "Kommunstyrelsens ordförande"},
			{StartsAt: at(day(21, 9, 30)), Title: "Visionen i korthet"},
			{StartsAt: at(day(21, 10, 30)), Title: "Workshop i blandade grupper"},
			{StartsAt: at(day(21, 14, 30)), Title: "Vad tar vi med oss?"},
		}); err != nil {
			return err
		}
		yes = 0
		for _, p := range people {
			st := StatusInvited
			switch r := rnd.IntN(100); {
			case r < 45:
				st = StatusYes
			case r < 55:
				st = StatusNo
			}
			if st == StatusYes {
				yes++
			}
			if err := invite(vision, p.id, p.unit, "", "", "", st, false); err != nil {
				return err
			}
		}
		for i, name := range []string{"Maria Lind", "Johan Berg", "Sara Holm", "Ali Hassan", "Karin Ek", "Per Nyström"} {
			st := StatusYes
			if i == 5 {
				st = StatusInvited
			}
			if st == StatusYes {
				yes++
			}
			email := fmt.Sprintf("gast%d@naringsliv.example", i+1)
			if err := invite(vision, 0, 0, name, email, "Exempelby Företagarförening", st, false); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE events SET yes_count = $1 WHERE id = $2`, yes, vision.ID)
		return err
	})
}
