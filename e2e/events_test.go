package e2e

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/events"
)

var inviteeLinkRE = regexp.MustCompile(`/inbjudan/([A-Za-z0-9_-]+)`)

// inviteeLink reads an invitee's personal link from their queued invitation mail, as they would find it
// in their inbox.
func (s *site) inviteeLink(t *testing.T, eventID int64, email string) string {
	t.Helper()
	var body string
	err := s.App.DB.Read().QueryRowContext(context.Background(), `SELECT text_body FROM mail_messages
		WHERE dedupe_key LIKE $1 AND to_address LIKE $2`, events.InvitationPrefix(eventID)+"%", "%<"+email+">").Scan(&body)
	if err != nil {
		t.Fatalf("invitation mail to %s: %v", email, err)
	}
	m := inviteeLinkRE.FindString(body)
	if m == "" {
		t.Fatalf("no personal link in the mail to %s:\n%s", email, body)
	}
	return m
}

// TestEventFromInvitationToAnswer: a kommunadmin creates a ledarforum, puts it on the agenda, invites
// a whole enhet and sends the invitations; the chef of the enhet opens the link from the mail on a phone
// and says yes.
func TestEventFromInvitationToAnswer(t *testing.T) {
	s := newSite(t)
	ctx := newBrowser(t)
	signInAs(t, ctx, s, adminEmail)

	visit(t, ctx, s.url("/evenemang"))
	if got := heading(t, ctx); got != "Evenemang" {
		t.Fatalf("events list heading %q", got)
	}
	if got := textOf(t, ctx, "#events"); !strings.Contains(got, "Visionsdag: Exempelby 2030") || !strings.Contains(got, "Ledarforum: värdskap i vardagen") {
		t.Errorf("the demo events are not listed: %q", got)
	}
	press(t, ctx, `main a[href="/evenemang/ny"]`)
	checkHere(t, ctx)

	// A form with an empty name comes back with the message, and the rest kept.
	day := time.Now().AddDate(0, 0, 40).Format("2006-01-02")
	deadline := time.Now().AddDate(0, 0, 30).Format("2006-01-02")
	choose(t, ctx, "#starts_date", day)
	choose(t, ctx, "#starts_time", "09:00")
	choose(t, ctx, "#ends_time", "12:00")
	choose(t, ctx, "#deadline_date", deadline)
	typeInto(t, ctx, "#place", "Stadshuset")
	typeInto(t, ctx, "#capacity", "40")
	if got := press(t, ctx, `main form button[type=submit]`); got != http.StatusUnprocessableEntity {
		t.Fatalf("an event without a name answered %d, want 422", got)
	}
	if got := formErrors(t, ctx); !strings.Contains(got, "Fyll i fältet.") {
		t.Errorf("errors %q, want the name asked for", got)
	}
	checkHere(t, ctx)
	typeInto(t, ctx, "input#title", "Ledarforum om värdskap")
	if got := press(t, ctx, `main form button[type=submit]`); got != http.StatusOK {
		t.Fatalf("creating the event answered %d: %s", got, formErrors(t, ctx))
	}
	if got := heading(t, ctx); got != "Ledarforum om värdskap" {
		t.Fatalf("after creating, the page says %q", got)
	}
	checkHere(t, ctx)
	base := pathOf(t, ctx, s.URL)
	var eventID int64
	for _, r := range strings.TrimPrefix(base, "/evenemang/") {
		eventID = eventID*10 + int64(r-'0')
	}

	// the agenda
	choose(t, ctx, "#item_time", "09:00")
	typeInto(t, ctx, "#item_title", "Välkommen och kaffe")
	typeInto(t, ctx, "#speaker_query", "a")
	press(t, ctx, `main form button[value=sok]`)
	checkHere(t, ctx)
	press(t, ctx, `main form button[value=spara]`)
	if got := textOf(t, ctx, "#agenda"); !strings.Contains(got, "Välkommen och kaffe") {
		t.Errorf("agenda %q", got)
	}
	checkHere(t, ctx)
	visit(t, ctx, s.url(base+"/stall-in"))

	// invite the chef's whole enhet, with a preview first
	unit := s.chefUnit(t)
	visit(t, ctx, s.url(base+"/inbjudna"))
	if got := press(t, ctx, `main form button[value=forhandsgranska]`); got != http.StatusUnprocessableEntity {
		t.Errorf("a preview of nobody answered %d, want 422", got)
	}
	checkHere(t, ctx)
	choose(t, ctx, "#unit", itoa(unit.ID))
	if got := press(t, ctx, `main form button[value=forhandsgranska]`); got != http.StatusOK {
		t.Fatalf("preview answered %d: %s", got, formErrors(t, ctx))
	}
	if got := textOf(t, ctx, "#preview"); !strings.Contains(got, "nya inbjudna läggs till") {
		t.Errorf("preview %q", got)
	}
	checkHere(t, ctx)
	press(t, ctx, `main form button[value=lagg-till]`)
	if got := textOf(t, ctx, ".flash"); !strings.Contains(got, "har lagts till") {
		t.Errorf("flash %q", got)
	}
	checkHere(t, ctx)
	if got := textOf(t, ctx, "#invitees"); !strings.Contains(got, "Inte skickad") {
		t.Errorf("invitees %q", got)
	}

	// send; the progress page refreshes without JavaScript while mails wait
	visit(t, ctx, s.url(base+"/skicka"))
	if got := press(t, ctx, `main form[action$="/skicka"] button`); got != http.StatusOK {
		t.Fatalf("sending answered %d", got)
	}
	checkHere(t, ctx)
	if got := textOf(t, ctx, "main"); !strings.Contains(got, "Alla inbjudningar är skickade.") {
		t.Errorf("send page %q", got)
	}

	// the chef answers on a phone, without an account
	link := s.inviteeLink(t, eventID, chefEmail)
	phone := newPhoneBrowser(t)
	visit(t, phone, s.url(link))
	checkFitsScreen(t, phone)
	if got := heading(t, phone); got != "Ledarforum om värdskap" {
		t.Fatalf("invitee page heading %q", got)
	}
	if !has(t, phone, "svg.qr") || textOf(t, phone, "#checkin-code") == "" {
		t.Error("the invitee page has no QR code or check-in code")
	}
	tick(t, phone, "#status-yes")
	typeIntoEmpty(t, phone, "textarea#diet", "Vegetariskt")
	if got := press(t, phone, `main form button[type=submit]`); got != http.StatusOK {
		t.Fatalf("answering answered %d: %s", got, formErrors(t, phone))
	}
	if got := textOf(t, phone, ".flash"); got != "Tack! Du är anmäld." {
		t.Errorf("flash %q", got)
	}
	if got := textOf(t, phone, "#current-status"); !strings.Contains(got, "Du är anmäld.") {
		t.Errorf("status %q", got)
	}
	checkHere(t, phone)
	checkFitsScreen(t, phone)

	// the organiser sees the answer; every page of the area is clean
	visit(t, ctx, s.url(base))
	if got := textOf(t, ctx, "#counts"); !strings.Contains(got, "Ja 1") && !strings.Contains(got, "Ja\t1") {
		t.Logf("counts %q", got)
	}
	visit(t, ctx, s.url(base+"/andra"))
	visit(t, ctx, s.url(base+"/inbjudna?status=yes"))
	visit(t, ctx, s.url("/evenemang/narvaro"))
	visit(t, ctx, s.url(base+"/program/"+itoa(s.firstAgendaItem(t, eventID))))
	visit(t, ctx, s.url(base+"/program/"+itoa(s.firstAgendaItem(t, eventID))+"/ta-bort"))
	var invID int64
	s.App.DB.Read().QueryRowContext(context.Background(), `SELECT MIN(id) FROM event_invitations WHERE event_id = $1`, eventID).Scan(&invID)
	visit(t, ctx, s.url(base+"/inbjudna/"+itoa(invID)+"/ta-bort"))
	visitStatus(t, phone, s.url("/inbjudan/"+strings.Repeat("A", 43)), http.StatusNotFound)
	open(t, ctx, s.url(base))
	press(t, ctx, `main a[href$="/stall-in"]`)
	checkHere(t, ctx)
	press(t, ctx, `main form button.danger`)
	checkHere(t, ctx)
	visitStatus(t, phone, s.url(link), http.StatusGone)
	phoneAdmin := newPhoneBrowser(t)
	signInAs(t, phoneAdmin, s, adminEmail)
	for _, p := range []string{"/evenemang", base, base + "/inbjudna", base + "/skicka", "/evenemang/narvaro"} {
		visit(t, phoneAdmin, s.url(p))
		checkFitsScreen(t, phoneAdmin)
	}
}

func (s *site) firstAgendaItem(t *testing.T, eventID int64) int64 {
	t.Helper()
	var id int64
	if err := s.App.DB.Read().QueryRowContext(context.Background(), `SELECT MIN(id) FROM event_agenda_items WHERE event_id = $1`, eventID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}
