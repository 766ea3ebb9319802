package e2e

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/demo"
	"github.com/vard-kommun/vard/internal/org"
)

// doorGuest is an invitee of the check-in tests: a demo account and the code printed on their
// invitation.
type doorGuest struct {
	person *org.Person
	code   string
}

// checkinEvent adds a ledarforum to the demo kommun by SQL, with the three demo accounts invited and
// answered yes, and returns the door page's address and the invitees.
func (s *site) checkinEvent(t *testing.T) (string, []doorGuest) {
	t.Helper()
	ctx := context.Background()
	guests := []doorGuest{
		{s.person(t, employeeEmail), "MEDA2345"},
		{s.person(t, chefEmail), "CHEF2345"},
		{s.person(t, adminEmail), "ADMN2345"},
	}
	now := db.Now()
	var id int64
	err := s.App.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO events (tenant_id, kind, title, place, starts_at, ends_at, capacity, yes_count, created_at)
			VALUES ($1, 'ledarforum', 'Ledarforum hösten', 'Stadshuset', $2, $3, 100, $4, $5) RETURNING id`,
			s.TenantID, now.Add(time.Hour), now.Add(4*time.Hour), len(guests), now).Scan(&id); err != nil {
			return err
		}
		for _, g := range guests {
			if _, err := tx.ExecContext(ctx, `INSERT INTO event_invitations (event_id, person_id, unit_id, token_hash, code, status, accessibility, created_at)
				VALUES ($1, $2, $3, $4, $5, 'yes', 'Hörslinga', $6)`, id, g.person.ID, g.person.UnitID, rand.Text(), g.code, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return "/evenemang/" + itoa(id) + "/incheckning", guests
}

func (s *site) checkedIn(t *testing.T, base string) int {
	t.Helper()
	var n int
	id := strings.TrimSuffix(strings.TrimPrefix(base, "/evenemang/"), "/incheckning")
	if err := s.App.DB.Read().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM event_checkins WHERE event_id = $1`, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// waitText waits until sel shows text containing want, and fails the test with what it shows
// otherwise.
func waitText(t testing.TB, ctx context.Context, sel, want string) {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if _, err := chromedp.Run(wctx, chromedp.PollFunction[bool](`(sel, want) => { const e = document.querySelector(sel);
		return !!e && !e.closest('[hidden]') && e.textContent.includes(want); }`, chromedp.WithPollingArgs(sel, want))); err != nil {
		got := "(nothing)"
		if has(t, ctx, sel) {
			got = textOf(t, ctx, sel)
		}
		t.Fatalf("%s on %s: want %q, got %q (%v)", sel, location(ctx), want, got, err)
	}
}

// scanCode types a code into the door's code field and presses the button without waiting for a
// page: with JavaScript the scan goes as JSON.
func scanCode(t testing.TB, ctx context.Context, code string) {
	t.Helper()
	typeInto(t, ctx, "#code", code)
	tick(t, ctx, "#checkin-code-form button[type=submit]")
}

// TestCheckinAtTheDoorOnAPhone: a kommunadmin at the door on a phone types the code from an
// invitation and is shown whom to welcome, with JavaScript and without; the same code again is a
// duplicate; a walk-in without a name gets the form back with its message. Every state passes axe and
// fits the screen.
func TestCheckinAtTheDoorOnAPhone(t *testing.T) {
	s := newSite(t)
	base, guests := s.checkinEvent(t)
	ctx := newPhoneBrowser(t)
	signIn(t, ctx, s, adminEmail, demo.Password)

	visit(t, ctx, s.url(base+"?dorr=Entr%C3%A9+A"))
	checkFitsScreen(t, ctx)
	if got := textOf(t, ctx, "#checkin-count"); !strings.Contains(got, "0 av 3") {
		t.Errorf("count: got %q, want 0 av 3", got)
	}

	scanCode(t, ctx, strings.ToLower(guests[0].code[:4])+" "+guests[0].code[4:])
	waitText(t, ctx, ".checkin-ok .checkin-title", "Välkommen, "+guests[0].person.GivenName+"!")
	waitText(t, ctx, "[data-arrived]", "1")
	if got := textOf(t, ctx, ".checkin-lines"); !strings.Contains(got, "Tillgänglighet: Hörslinga") {
		t.Errorf("the greeting lacks the accessibility need: %q", got)
	}
	checkPage(t, ctx)
	checkFitsScreen(t, ctx)

	scanCode(t, ctx, guests[0].code)
	waitText(t, ctx, ".checkin-duplicate .checkin-title", "vid Entré A")
	checkPage(t, ctx)

	t.Run("without JavaScript", func(t *testing.T) {
		scripts(t, ctx, false)
		defer scripts(t, ctx, true)
		open(t, ctx, s.url(base))
		typeInto(t, ctx, "#code", guests[1].code)
		if got := press(t, ctx, "#checkin-code-form button[type=submit]"); got != http.StatusOK {
			t.Fatalf("the typed code answered %d, want 200", got)
		}
		if got := textOf(t, ctx, ".checkin-title"); got != "Välkommen, "+guests[1].person.GivenName+"!" {
			t.Errorf("got %q, want the chef welcomed", got)
		}
		if got := textOf(t, ctx, "[data-arrived]"); got != "2" {
			t.Errorf("count: got %q, want 2", got)
		}
		checkFitsScreen(t, ctx)
	})

	open(t, ctx, s.url(base))
	noValidate(t, ctx, `form[action$="/oanmald"]`)
	typeInto(t, ctx, "#organisation", "Företaget AB")
	if got := press(t, ctx, `form[action$="/oanmald"] button[type=submit]`); got != http.StatusUnprocessableEntity {
		t.Fatalf("a walk-in without a name answered %d, want 422", got)
	}
	if got := textOf(t, ctx, ".checkin-errors"); !strings.Contains(got, "Skriv personens namn.") {
		t.Errorf("the error summary says %q", got)
	}
	checkPage(t, ctx)
	checkFitsScreen(t, ctx)
	if n := s.checkedIn(t, base); n != 2 {
		t.Errorf("got %d check-ins stored, want 2", n)
	}
}

// offline cuts the tab off from the network (navigator.onLine false and every request failing), or
// connects it again.
func offline(t testing.TB, ctx context.Context, s *site, off bool) {
	t.Helper()
	var patterns []*network.BlockPattern
	if off {
		patterns = []*network.BlockPattern{{URLPattern: s.URL + "/*", Block: true}}
	}
	if _, err := chromedp.Call(ctx, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: patterns}); err != nil {
		t.Fatalf("block requests: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{
		Offline: off, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
		t.Fatalf("offline=%v: %v", off, err)
	}
}

// TestCheckinKeepsScansWhileOffline: the door's connection drops; three scans (one of them a code
// scanned twice) are kept on the phone and shown as waiting; when the connection is back they are
// sent, two are checked in, the repeat is reported as a duplicate, and nothing is counted twice.
func TestCheckinKeepsScansWhileOffline(t *testing.T) {
	s := newSite(t)
	base, guests := s.checkinEvent(t)
	ctx := newPhoneBrowser(t)
	signIn(t, ctx, s, adminEmail, demo.Password)
	visit(t, ctx, s.url(base+"?dorr=Entr%C3%A9+B"))

	offline(t, ctx, s, true)
	scanCode(t, ctx, guests[0].code)
	waitText(t, ctx, ".checkin-queued .checkin-title", "Sparad – skickas när anslutningen är tillbaka.")
	waitText(t, ctx, "#checkin-queue", "1 skanning väntar på att skickas")
	scanCode(t, ctx, guests[1].code)
	scanCode(t, ctx, guests[0].code)
	waitText(t, ctx, "#checkin-queue", "3 skanningar väntar på att skickas")
	checkPage(t, ctx)
	checkFitsScreen(t, ctx)
	if n := s.checkedIn(t, base); n != 0 {
		t.Fatalf("got %d check-ins stored while offline, want 0", n)
	}

	offline(t, ctx, s, false)
	waitText(t, ctx, "#checkin-synced .checkin-duplicate", guests[0].person.GivenName)
	waitText(t, ctx, "[data-arrived]", "2")
	if has(t, ctx, "#checkin-queue:not([hidden])") {
		t.Errorf("the queue still shows: %q", textOf(t, ctx, "#checkin-queue"))
	}
	items, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#checkin-synced li')).map(li => li.className)`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(items, " ") != "checkin-ok checkin-ok checkin-duplicate" {
		t.Errorf("sent scans: got %v, want two ok and a duplicate", items)
	}
	checkPage(t, ctx)
	if n := s.checkedIn(t, base); n != 2 {
		t.Errorf("got %d check-ins stored, want 2", n)
	}
	// The page loaded again counts the same, and the phone holds nothing more to send.
	visit(t, ctx, s.url(base))
	if got := textOf(t, ctx, "[data-arrived]"); got != "2" {
		t.Errorf("count after reload: got %q, want 2", got)
	}
	if has(t, ctx, "#checkin-queue:not([hidden])") {
		t.Errorf("after reload the queue shows: %q", textOf(t, ctx, "#checkin-queue"))
	}
}
