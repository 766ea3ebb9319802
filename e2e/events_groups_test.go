package e2e

import (
	"context"
	"database/sql"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vard-kommun/vard/internal/db"
)

// countOf returns how many elements on the current page sel finds.
func countOf(t testing.TB, ctx context.Context, sel string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+"`"+sel+"`"+`).length`))
	if err != nil {
		t.Fatalf("count %s on %s: %v", sel, location(ctx), err)
	}
	return n
}

// groupsEvent stores a ledarforum of the demo kommun by SQL, with 30 of its people saying yes (the first
// three hosting a group) and twelve of them checked in, so that the groups pages have people to group
// whatever the organiser's other pages look like.
func (s *site) groupsEvent(t *testing.T) int64 {
	t.Helper()
	ctx := context.Background()
	now := db.Now()
	var id int64
	err := s.App.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO events (tenant_id, kind, title, place, starts_at, ends_at, created_at)
			VALUES ($1, 'ledarforum', 'Ledarforum våren', 'Stadshuset', $2, $3, $4) RETURNING id`,
			s.TenantID, now.Add(-time.Hour), now.Add(3*time.Hour), now).Scan(&id); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, unit_id FROM people WHERE tenant_id = $1 AND unit_id IS NOT NULL ORDER BY id LIMIT 30`, s.TenantID)
		type person struct{ id, unit int64 }
		people, err := db.Collect(rows, err, func(r db.Row) (person, error) {
			var p person
			return p, r.Scan(&p.id, &p.unit)
		})
		if err != nil {
			return err
		}
		for i, p := range people {
			var inv int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO event_invitations (event_id, person_id, unit_id, token_hash, code, status, host, created_at)
				VALUES ($1, $2, $3, $4, $5, 'yes', $6, $7) RETURNING id`, id, p.id, p.unit, "grupper-"+itoa(int64(i)),
				"GRUPP"+itoa(int64(100+i)), i < 3, now).Scan(&inv); err != nil {
				return err
			}
			if i%5 < 2 {
				if _, err := tx.ExecContext(ctx, `INSERT INTO event_checkins (event_id, invitation_id, scan_id, scanned_at, created_at)
					VALUES ($1, $2, $3, $4, $4)`, id, inv, "scan-"+itoa(inv), now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestEventGroups forms mingling groups as an organiser does: the groups page, forming round 1 for those
// who checked in, forming it again (which asks first), round 2, the print view and the screen view, each
// page free of WCAG violations, and the groups page on a phone.
func TestEventGroups(t *testing.T) {
	s := newSite(t)
	ctx := newBrowser(t)
	id := s.groupsEvent(t)
	base := "/evenemang/" + itoa(id) + "/grupper"
	signInAs(t, ctx, s, adminEmail)

	visit(t, ctx, s.url(base))
	if !has(t, ctx, "#who-checked_in:checked") {
		t.Error("with people checked in, the form does not propose grouping them")
	}
	if got := press(t, ctx, `main form button[type=submit]`); got != http.StatusOK {
		t.Fatalf("forming round 1 answered %d", got)
	}
	checkHere(t, ctx)
	if got := countOf(t, ctx, "ol.groups > li"); got != 3 {
		t.Errorf("twelve checked in in groups of 4: got %d groups, want 3", got)
	}
	if !strings.Contains(textOf(t, ctx, "dl.facts"), "0") {
		t.Errorf("no quality figures: %q", textOf(t, ctx, "dl.facts"))
	}

	// The form now proposes round 2; forming round 1 again asks before replacing groups that may be
	// printed already.
	if !has(t, ctx, "#round-2:checked") {
		t.Error("with round 1 formed, the form does not propose round 2")
	}
	tick(t, ctx, "#round-1")
	press(t, ctx, `main form button[type=submit]`)
	if h := heading(t, ctx); h != "Ersätta grupperna?" {
		t.Fatalf("forming round 1 again: got %q, want the confirmation", h)
	}
	checkHere(t, ctx)
	press(t, ctx, `main form button.danger`)
	checkHere(t, ctx)

	// Round 2 for all who said yes.
	tick(t, ctx, "#who-yes")
	tick(t, ctx, "#size-3")
	tick(t, ctx, "#round-2")
	press(t, ctx, `main form button[type=submit]`)
	checkHere(t, ctx)
	if got := countOf(t, ctx, "ol.groups > li"); got != 10 {
		t.Errorf("thirty in groups of 3: got %d groups, want 10", got)
	}
	if p := pathOf(t, ctx, s.URL); !strings.HasSuffix(p, "runda=2") {
		t.Errorf("after round 2: on %s, want round 2 shown", p)
	}

	visit(t, ctx, s.url(base+"/utskrift?runda=2"))
	if got := countOf(t, ctx, "section.group-block"); got != 10 {
		t.Errorf("print view: got %d group blocks, want 10", got)
	}
	visit(t, ctx, s.url(base+"/skarm?runda=1"))
	if has(t, ctx, "header nav") {
		t.Error("the screen view shows the menu")
	}

	phone := newPhoneBrowser(t)
	signInAs(t, phone, s, adminEmail)
	for _, p := range []string{base, base + "/utskrift", base + "/skarm"} {
		visit(t, phone, s.url(p))
		checkFitsScreen(t, phone)
	}
}
