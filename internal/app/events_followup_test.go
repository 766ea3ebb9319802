package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/events"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/surveys"
)

// pastEventA makes an event of kommun A that two of three invited people came to (Erik and Vera
// checked in; Cecilia said no), and then moves the events' clock past its end.
func (f *fixture) pastEventA(t *testing.T) *events.Event {
	t.Helper()
	ctx := context.Background()
	svc := f.app.Events
	start := db.Now().Add(time.Hour)
	e, err := svc.Create(ctx, f.tenantA.ID, events.EventInput{Kind: events.KindLedarforum, Title: "Ledarforum våren", Place: "Stadshuset",
		StartsAt: start, EndsAt: start.Add(3 * time.Hour), GroupSize: 4, GuestRetentionDays: 30})
	if err != nil {
		t.Fatal(err)
	}
	people := []*org.Person{f.chefA, f.employeeA, f.victimA}
	var ids []int64
	for _, p := range people {
		ids = append(ids, p.ID)
	}
	if _, err := svc.AddInvitees(ctx, e, events.Selection{PersonIDs: ids}); err != nil {
		t.Fatal(err)
	}
	if err := svc.RequestSend(ctx, e); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SendAll(ctx, e.TenantID, e.ID); err != nil {
		t.Fatal(err)
	}
	links := f.inviteeLinks(t, e.ID)
	for _, p := range people {
		st := events.StatusYes
		if p == f.chefA {
			st = events.StatusNo
		}
		if _, err := svc.Answer(ctx, strings.TrimPrefix(links[p.Email], "/inbjudan/"), events.Answer{Status: st}); err != nil {
			t.Fatalf("answer of %s: %v", p.Email, err)
		}
	}
	ev, err := svc.CheckinEvent(ctx, e.TenantID, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	list, _, err := svc.Invitations(ctx, e, events.InvitationFilter{Status: events.StatusYes})
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range list {
		if res, err := svc.CheckIn(ctx, ev, events.DoorScan{Code: inv.Code, ScanID: "s-" + inv.Code}); err != nil || res.Outcome != events.CheckinOK {
			t.Fatalf("check in %s: %v %+v", inv.Email, err, res)
		}
	}
	svc.Now = func() time.Time { return db.Now().Add(5 * time.Hour) }
	t.Cleanup(func() { svc.Now = db.Now })
	return e
}

func followupForm(kv ...string) url.Values {
	today := surveys.Day(time.Now())
	v := url.Values{"survey": {"0"}, "title": {"Uppföljning: Ledarforum våren"}, "first_day": {today},
		"last_day": {surveys.Day(time.Now().AddDate(0, 0, 14))}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func TestEventFollowupPages(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()

	// Before the end the page explains, and sending is refused.
	future, err := f.app.Events.Create(ctx, f.tenantA.ID, events.EventInput{Kind: events.KindVisionsdag, Title: "Visionsdagen",
		StartsAt: db.Now().Add(48 * time.Hour), EndsAt: db.Now().Add(50 * time.Hour), GroupSize: 4, GuestRetentionDays: 30})
	if err != nil {
		t.Fatal(err)
	}
	fbase := "/evenemang/" + itoa(future.ID)
	expect(t, "future event page has no follow-up", f.do(t, scenario{as: admin, path: path(fbase)}), http.StatusOK)
	if rec := f.do(t, scenario{as: admin, path: path(fbase)}); strings.Contains(rec.Body.String(), "/uppfoljning") {
		t.Error("an event not yet over offers follow-up questions")
	}
	expect(t, "future follow-up page", f.do(t, scenario{as: admin, path: path(fbase + "/uppfoljning")}), http.StatusOK,
		"Uppföljningsfrågorna kan skickas först när evenemanget är slut.")
	expect(t, "future follow-up send", f.do(t, scenario{as: admin, method: http.MethodPost, path: path(fbase + "/uppfoljning"), form: followupForm()}),
		http.StatusConflict, "Uppföljningsfrågorna kan skickas först när evenemanget är slut.")

	e := f.pastEventA(t)
	base := "/evenemang/" + itoa(e.ID)
	expect(t, "event page offers follow-up", f.do(t, scenario{as: admin, path: path(base)}), http.StatusOK,
		`href="`+base+`/uppfoljning"`, "Skicka uppföljningsfrågor")
	expect(t, "follow-up page previews", f.do(t, scenario{as: admin, path: path(base + "/uppfoljning")}), http.StatusOK,
		"Skickas till", "2 som var på plats.", "Ny enkät från mallen", `value="Uppföljning: Ledarforum våren"`, "Skicka till 2 personer")

	// another kommun and other roles
	adminB := func(f *fixture) *org.Person { return f.adminB }
	expect(t, "B page", f.do(t, scenario{as: adminB, path: path(base + "/uppfoljning")}), http.StatusNotFound)
	expect(t, "B send", f.do(t, scenario{as: adminB, method: http.MethodPost, path: path(base + "/uppfoljning"), form: followupForm()}), http.StatusNotFound)
	expect(t, "chef", f.do(t, scenario{as: chef, path: path(base + "/uppfoljning")}), http.StatusForbidden)

	// bad input: 422 with the form again, and nothing made
	for _, c := range []struct{ field, value, want string }{
		{"last_day", "2000-01-01", "Sista dagen kan inte komma före första dagen."},
		{"first_day", "i morgon", "Ange första dagen som ett datum"},
		{"title", "", "Ange en rubrik på högst 200 tecken."},
		{"survey", "abc", "Välj en av kommunens enkäter."},
		{"survey", "999999", "Välj en av kommunens enkäter."},
	} {
		rec := f.do(t, scenario{as: admin, method: http.MethodPost, path: path(base + "/uppfoljning"), form: followupForm(c.field, c.value)})
		expect(t, c.field+"="+c.value, rec, http.StatusUnprocessableEntity, c.want, `id="`+c.field+`"`, `href="#`+c.field+`"`)
	}
	var n int
	if err := f.app.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM surveys WHERE tenant_id = $1`, f.tenantA.ID).Scan(&n); err != nil || n != 0 {
		t.Fatalf("got %d surveys (%v) after bad input, want none", n, err)
	}

	rec := f.do(t, scenario{as: admin, method: http.MethodPost, path: path(base + "/uppfoljning"), form: followupForm()})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != base+"#uppfoljning" {
		t.Fatalf("send: %d %q\n%s", rec.Code, rec.Header().Get("Location"), firstLines(rec.Body.String(), 30))
	}
	got, err := f.app.Events.Event(ctx, f.tenantA.ID, e.ID)
	if err != nil || got.FollowupRoundID == 0 {
		t.Fatalf("event after sending: %+v, %v; want its follow-up round", got, err)
	}
	round := "/enkater/omgangar/" + itoa(got.FollowupRoundID)
	expect(t, "event page links to the round", f.do(t, scenario{as: admin, path: path(base)}), http.StatusOK,
		`href="`+round+`"`, `href="`+round+`/resultat"`)
	expect(t, "the round page", f.do(t, scenario{as: admin, path: path(round)}), http.StatusOK, "Ledarforum våren")
	expect(t, "follow-up page after sending", f.do(t, scenario{as: admin, path: path(base + "/uppfoljning")}), http.StatusOK,
		"Uppföljningsfrågorna är skickade.", `href="`+round+`"`)
	var invited, mails int
	if err := f.app.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM survey_invitations WHERE round_id = $1`, got.FollowupRoundID).Scan(&invited); err != nil {
		t.Fatal(err)
	}
	if err := f.app.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM mail_messages WHERE dedupe_key LIKE $1`,
		"survey-round:"+itoa(got.FollowupRoundID)+":inv:%").Scan(&mails); err != nil {
		t.Fatal(err)
	}
	if invited != 2 || mails != 2 {
		t.Errorf("got %d invitations and %d mails, want 2 and 2: Erik and Vera, who were there", invited, mails)
	}

	// A second post (a double click, the back button) makes no second round.
	rec = f.do(t, scenario{as: admin, method: http.MethodPost, path: path(base + "/uppfoljning"), form: followupForm()})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("send again: %d\n%s", rec.Code, firstLines(rec.Body.String(), 30))
	}
	if err := f.app.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM survey_rounds WHERE tenant_id = $1`, f.tenantA.ID).Scan(&n); err != nil || n != 1 {
		t.Errorf("got %d rounds (%v), want 1", n, err)
	}
}
