package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/events"
)

// pastEvent stores, through the events service, a ledarforum of the demo kommun that ended two hours
// ago: twelve people invited, eight of them checked in at the door, and an external guest checked in too.
func (s *site) pastEvent(t *testing.T) int64 {
	t.Helper()
	ctx := context.Background()
	svc := s.App.Events
	now := db.Now()
	e, err := svc.Create(ctx, s.TenantID, events.EventInput{Kind: events.KindLedarforum, Title: "Ledarforum hösten", Place: "Stadshuset",
		StartsAt: now.Add(-5 * time.Hour), EndsAt: now.Add(-2 * time.Hour), GroupSize: 4, GuestRetentionDays: 30})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.App.DB.Read().QueryContext(ctx, `SELECT id FROM people WHERE tenant_id = $1 AND active AND email <> '' ORDER BY id LIMIT 12`, s.TenantID)
	ids, err := db.Collect(rows, err, func(r db.Row) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	if err != nil || len(ids) < 12 {
		t.Fatalf("demo people: %d, %v", len(ids), err)
	}
	if _, err := svc.AddInvitees(ctx, e, events.Selection{PersonIDs: ids, Guests: "Gunnel Gäst <gunnel@foretaget.example>"}); err != nil {
		t.Fatal(err)
	}
	ev, err := svc.CheckinEvent(ctx, s.TenantID, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	list, _, err := svc.Invitations(ctx, e, events.InvitationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, inv := range list {
		if !inv.Guest() && checked == 8 {
			continue
		}
		// The door's second press for someone who had not answered: they are here, so they get a place.
		res, err := svc.CheckInInvitation(ctx, ev, inv.ID, events.DoorScan{ScanID: "e2e-" + inv.Code, Door: "Entré"}, true)
		if err != nil || res.Outcome != events.CheckinOK {
			t.Fatalf("check in %s: %v %+v", inv.DisplayName(), err, res)
		}
		if !inv.Guest() {
			checked++
		}
	}
	return e.ID
}

// TestEventFollowup sends follow-up questions after an event as an organiser does: the link on the
// event's page, the follow-up page with its preview, a mistyped period, the sending, and the event's page
// and the follow-up page afterwards, each page free of WCAG violations.
func TestEventFollowup(t *testing.T) {
	s := newSite(t)
	ctx := newBrowser(t)
	id := s.pastEvent(t)
	base := "/evenemang/" + itoa(id)
	signInAs(t, ctx, s, adminEmail)

	visit(t, ctx, s.url(base))
	press(t, ctx, `main a[href="`+base+`/uppfoljning"]`)
	checkHere(t, ctx)
	if got := heading(t, ctx); got != "Uppföljningsfrågor" {
		t.Fatalf("follow-up page heading %q", got)
	}
	if got := textOf(t, ctx, "#followup-preview"); !strings.Contains(got, "Skickas till 8 som var på plats") {
		t.Errorf("preview: %q, want it to go to the 8 who were there", got)
	}
	if got := textOf(t, ctx, "main"); !strings.Contains(got, "1 externa gäster är inte med") {
		t.Errorf("the page does not say that the external guest is left out")
	}

	// A last day before the first comes back with the message linked to the field.
	choose(t, ctx, "#last_day", "2000-01-01")
	if got := press(t, ctx, `main form button[type=submit]`); got != http.StatusUnprocessableEntity {
		t.Fatalf("bad period: got %d, want 422", got)
	}
	checkHere(t, ctx)
	if !has(t, ctx, `.error-message a[href="#last_day"]`) {
		t.Error("the error summary does not link to the last day")
	}

	choose(t, ctx, "#last_day", time.Now().AddDate(0, 0, 14).Format("2006-01-02"))
	if got := press(t, ctx, `main form button[type=submit]`); got != http.StatusOK {
		t.Fatalf("send: got %d, want the event page", got)
	}
	checkHere(t, ctx)
	if p := pathOf(t, ctx, s.URL); p != base+"#uppfoljning" {
		t.Errorf("after sending the browser is on %s, want the event's page", p)
	}
	if !has(t, ctx, `#uppfoljning ~ ul a[href^="/enkater/omgangar/"]`) {
		t.Error("the event page does not link to the follow-up round")
	}
	var invited int
	if err := s.App.DB.Read().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM survey_invitations i
		JOIN events e ON e.followup_round_id = i.round_id WHERE e.id = $1`, id).Scan(&invited); err != nil || invited != 8 {
		t.Errorf("got %d personal links (%v), want 8", invited, err)
	}

	visit(t, ctx, s.url(base+"/uppfoljning"))
	if got := textOf(t, ctx, "#followup-round"); !strings.Contains(got, "8") {
		t.Errorf("the sent round's facts: %q, want 8 invited", got)
	}
	press(t, ctx, `main a[href$="/resultat"]`)
	checkHere(t, ctx)
}
