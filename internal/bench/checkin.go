package bench

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/vard-kommun/vard/internal/app"
	"github.com/vard-kommun/vard/internal/auth"
	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/demo"
)

// Checkin measures the rush at the door of a visionsdag: n invitees of the demo kommun (1,400 people)
// checked in as fast as concurrency doors can scan, over loopback, through Värd's
// POST /evenemang/{id}/incheckning/skanningar as checkin.js sends a scan (a signed-in kommunadmin's
// session, one scan per request), next to a bare net/http handler that reads the same JSON, finds the
// invitation by its code and inserts the same check-in row into the same database: the least work a
// check-in can be. Each run checks in an event of its own; afterwards it checks that each event has
// exactly n check-ins, one per invitee, none lost and none twice.
func Checkin(ctx context.Context, dsn string, n, concurrency int, out io.Writer) error {
	a, err := app.New(ctx, app.Config{Database: dsn, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	defer a.Close()
	t0 := time.Now()
	tenantID, err := demo.Generate(ctx, a.DB, a.Org, a.Auth, demo.Options{Slug: "exempelby", Name: "Exempelby kommun", Seed: 1})
	if err != nil {
		return err
	}
	adminID, err := a.Org.ActivePersonByEmail(ctx, tenantID, demo.Accounts[0].Email)
	if err != nil {
		return err
	}
	token, err := a.Auth.NewSession(ctx, adminID, 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "checkin: demo kommun ready in %v on %s\n", time.Since(t0).Round(time.Millisecond), a.DB.Dialect)
	srv := httptest.NewServer(a.Handler)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrency}}
	post := func(url, prefix string, codes bool) func() (*http.Request, error) {
		var next atomic.Int64
		return func() (*http.Request, error) {
			i := int(next.Add(1)) - 1
			code := "UNKNOWN"
			if codes {
				code = checkinBenchCode(prefix, i)
			}
			body, _ := json.Marshal(map[string]any{"scans": []map[string]string{{
				"code": code, "scan_id": prefix + "-" + strconv.Itoa(i) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36),
				"door": "Entré " + strconv.Itoa(i%4+1), "scanned_at": time.Now().UTC().Format(time.RFC3339Nano)}}})
			req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
			if err == nil {
				req.Header.Set("Content-Type", "application/json")
				req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: token})
			}
			return req, err
		}
	}
	// Seven rounds, each checking in two fresh events (one per side), and the median reported: a round
	// of 1,400 check-ins lasts a fraction of a second.
	var rounds []Pair
	for r := range checkinRounds {
		bPrefix, vPrefix := fmt.Sprintf("B%d", r), fmt.Sprintf("V%d", r)
		baseEvent, err := checkinBenchEvent(ctx, a.DB, tenantID, bPrefix, n)
		if err != nil {
			return err
		}
		vardEvent, err := checkinBenchEvent(ctx, a.DB, tenantID, vPrefix, n)
		if err != nil {
			return err
		}
		// Planner statistics as a running server has them, where 1,400 new invitations have long been
		// analysed: without this PostgreSQL finds each code by scanning the whole event's invitations,
		// on both sides, and the run measures the statistics rather than the check-in.
		if _, err := a.DB.Exec(ctx, `ANALYZE event_invitations`); err != nil {
			return err
		}
		base := httptest.NewServer(baselineCheckin(a.DB, baseEvent))
		vardURL := srv.URL + "/evenemang/" + strconv.FormatInt(vardEvent, 10) + "/incheckning/skanningar"
		if r == 0 {
			// Warm both up with codes nobody has, so neither pays for first connections.
			if _, err := Run(ctx, client, 50, 4, post(base.URL, bPrefix, false)); err != nil {
				base.Close()
				return err
			}
			if _, err := Run(ctx, client, 50, 4, post(vardURL, vPrefix, false)); err != nil {
				base.Close()
				return err
			}
		}
		rd, err := runPair(r,
			func() (Load, error) { return Run(ctx, client, n, concurrency, post(base.URL, bPrefix, true)) },
			func() (Load, error) { return Run(ctx, client, n, concurrency, post(vardURL, vPrefix, true)) })
		if err != nil {
			base.Close()
			return err
		}
		base.Close()
		for _, c := range []struct {
			name  string
			event int64
			load  Load
		}{{"baseline", baseEvent, rd.Baseline}, {"värd", vardEvent, rd.Vard}} {
			var rows, distinct int
			if err := a.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT invitation_id) FROM event_checkins WHERE event_id = $1`,
				c.event).Scan(&rows, &distinct); err != nil {
				return err
			}
			if rows != n || distinct != n || c.load.Failed > 0 {
				return fmt.Errorf("checkin %s: %d check-ins stored (%d distinct) and %d requests failed, want exactly %d and none failed",
					c.name, rows, distinct, c.load.Failed, n)
			}
		}
		fmt.Fprintf(out, "  round %d   baseline %7.1f req/s, värd %7.1f req/s: %.2f; %d check-ins each stored once, none lost\n",
			r+1, rd.Baseline.PerSecond(), rd.Vard.PerSecond(), rd.Ratio(), n)
		rounds = append(rounds, rd)
	}
	printMedian(out, fmt.Sprintf("checkin: %d check-ins, concurrency %d, on %s", n, concurrency, a.DB.Dialect), rounds)
	return nil
}

// checkinRounds is how many rounds Checkin runs; the median is reported.
const checkinRounds = 7

func checkinBenchCode(prefix string, i int) string { return fmt.Sprintf("%s%07d", prefix, i) }

// checkinBenchEvent makes a visionsdag with n invitees who all said yes: the demo kommun's people, and
// external guests beyond them.
func checkinBenchEvent(ctx context.Context, d *db.DB, tenantID int64, prefix string, n int) (int64, error) {
	rows, err := d.Read().QueryContext(ctx, `SELECT id, unit_id FROM people WHERE tenant_id = $1 AND active ORDER BY id`, tenantID)
	type person struct{ id, unit int64 }
	people, err := db.Collect(rows, err, func(r db.Row) (person, error) {
		var p person
		var unit sql.NullInt64
		err := r.Scan(&p.id, &unit)
		p.unit = unit.Int64
		return p, err
	})
	if err != nil {
		return 0, err
	}
	now := db.Now()
	var id int64
	err = d.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO events (tenant_id, kind, title, place, starts_at, ends_at, capacity, yes_count, created_at)
			VALUES ($1, 'visionsdag', $2, 'Sporthallen', $3, $4, $5, $5, $6) RETURNING id`,
			tenantID, "Visionsdagen "+prefix, now, now.Add(8*time.Hour), n, now).Scan(&id); err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO event_invitations (event_id, person_id, unit_id, guest_name, token_hash, code, status,
			answered_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'yes', $7, $7)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := range n {
			var personID, unitID any
			guest := ""
			if i < len(people) {
				personID = people[i].id
				if people[i].unit != 0 {
					unitID = people[i].unit
				}
			} else {
				guest = "Gäst " + strconv.Itoa(i)
			}
			code := checkinBenchCode(prefix, i)
			if _, err := stmt.ExecContext(ctx, id, personID, unitID, guest, "bench-"+code, code, now); err != nil {
				return err
			}
		}
		return nil
	})
	return id, err
}

// baselineCheckin is the least a server can do for a check-in: read the scan, find the invitation by
// its code, insert the check-in once, and answer.
func baselineCheckin(d *db.DB, eventID int64) http.Handler {
	type scan struct {
		Code      string `json:"code"`
		ScanID    string `json:"scan_id"`
		Door      string `json:"door"`
		ScannedAt string `json:"scanned_at"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Scans []scan `json:"scans"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || len(in.Scans) != 1 {
			http.Error(w, "bad scan", http.StatusBadRequest)
			return
		}
		s := in.Scans[0]
		at, err := time.Parse(time.RFC3339Nano, s.ScannedAt)
		if err != nil {
			at = time.Now()
		}
		ctx := r.Context()
		outcome := "ok"
		var invitationID int64
		err = d.Read().QueryRowContext(ctx, `SELECT id FROM event_invitations WHERE event_id = $1 AND code = $2`, eventID, s.Code).Scan(&invitationID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			outcome, err = "unknown", nil
		case err == nil:
			var id int64
			err = d.Writer().QueryRowContext(ctx, `INSERT INTO event_checkins (event_id, invitation_id, scan_id, door, scanned_at, created_at)
				VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id`,
				eventID, invitationID, s.ScanID, s.Door, at.UTC(), db.Now()).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				outcome, err = "duplicate", nil
			}
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"results": []map[string]string{{"scan_id": s.ScanID, "outcome": outcome}}})
	})
}
