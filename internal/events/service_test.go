package events_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/db/dbtest"
	"github.com/vard-kommun/vard/internal/events"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/web"
)

type fixture struct {
	db     *db.DB
	org    *org.Service
	svc    *events.Service
	tenant *org.Tenant
	now    time.Time
	depts  []*org.Unit
	people []*org.Person
}

// setup makes a kommun with two förvaltningar, each with an enhet, and n people spread over the four
// units; the clock stands still at a Monday in 2026 until a test moves it.
func setup(t testing.TB, n int) *fixture {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	o := org.NewService(org.NewStore(d))
	tenant, err := o.CreateTenant(ctx, "exempelby", "Exempelby kommun", nil)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: d, org: o, tenant: tenant, now: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
	f.svc = events.NewService(events.NewStore(d), o)
	f.svc.BaseURL = "https://vard.example"
	f.svc.Now = func() time.Time { return f.now }
	var units []*org.Unit
	for _, name := range []string{"Socialförvaltningen", "Barn- och utbildningsförvaltningen"} {
		dept, err := o.CreateUnit(ctx, tenant.ID, org.UnitInput{Kind: org.KindDepartment, Name: name})
		if err != nil {
			t.Fatal(err)
		}
		sub, err := o.CreateUnit(ctx, tenant.ID, org.UnitInput{ParentID: dept.ID, Kind: org.KindUnit, Name: "Enhet i " + name})
		if err != nil {
			t.Fatal(err)
		}
		f.depts = append(f.depts, dept)
		units = append(units, dept, sub)
	}
	for i := range n {
		p := &org.Person{TenantID: tenant.ID, UnitID: units[i%len(units)].ID, GivenName: "Person" + strconv.Itoa(i),
			FamilyName: "Svensson", Email: fmt.Sprintf("p%d@exempelby.example", i), Active: true}
		if i%5 == 0 {
			p.Roles = []org.Role{org.RoleManager}
		}
		if err := o.SavePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
		f.people = append(f.people, p)
	}
	return f
}

func (f *fixture) event(t testing.TB, capacity int) *events.Event {
	t.Helper()
	e, err := f.svc.Create(context.Background(), f.tenant.ID, events.EventInput{Kind: events.KindLedarforum, Title: "Ledarforum våren",
		Place: "Stadshuset", StartsAt: f.now.Add(10 * 24 * time.Hour), EndsAt: f.now.Add(10*24*time.Hour + 6*time.Hour),
		Capacity: capacity, GroupSize: 4, GuestRetentionDays: 30})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// inviteAll invites every person of the fixture and sends the invitations, and returns each person's
// token, read from the queued mail as the invitee would.
func (f *fixture) inviteAll(t testing.TB, e *events.Event) []string {
	t.Helper()
	ctx := context.Background()
	ids := make([]int64, len(f.people))
	for i, p := range f.people {
		ids[i] = p.ID
	}
	if _, err := f.svc.AddInvitees(ctx, e, events.Selection{PersonIDs: ids}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RequestSend(ctx, e); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SendAll(ctx, e.TenantID, e.ID); err != nil {
		t.Fatal(err)
	}
	byEmail := f.tokens(t, e)
	out := make([]string, len(f.people))
	for i, p := range f.people {
		out[i] = byEmail[p.Email]
		if out[i] == "" {
			t.Fatalf("no invitation mail to %s", p.Email)
		}
	}
	return out
}

var linkRE = regexp.MustCompile(`/inbjudan/([A-Za-z0-9_-]+)`)

// tokens reads the personal links from the event's queued invitation mails, by recipient address.
func (f *fixture) tokens(t testing.TB, e *events.Event) map[string]string {
	t.Helper()
	rows, err := f.db.Read().QueryContext(context.Background(), `SELECT to_address, text_body FROM mail_messages WHERE dedupe_key LIKE $1`,
		events.InvitationPrefix(e.ID)+"%")
	list, err := db.Collect(rows, err, func(r db.Row) ([2]string, error) {
		var m [2]string
		return m, r.Scan(&m[0], &m[1])
	})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, m := range list {
		addr := m[0]
		if i := strings.LastIndex(addr, "<"); i >= 0 {
			addr = strings.Trim(addr[i:], "<>")
		}
		match := linkRE.FindStringSubmatch(m[1])
		if match == nil {
			t.Fatalf("no link in mail to %s:\n%s", addr, m[1])
		}
		out[addr] = match[1]
	}
	return out
}

func count(t testing.TB, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.Read().QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func status(err error) int {
	var e *web.Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

func TestCreateRejectsBadInput(t *testing.T) {
	f := setup(t, 0)
	start := f.now.Add(24 * time.Hour)
	ok := events.EventInput{Kind: events.KindVisionsdag, Title: "Visionsdag", StartsAt: start, EndsAt: start.Add(time.Hour), GroupSize: 4, GuestRetentionDays: 30}
	deadline := start.Add(time.Hour)
	cases := []struct {
		name  string
		field string
		edit  func(in *events.EventInput)
	}{
		{"unknown kind", "kind", func(in *events.EventInput) { in.Kind = "fest" }},
		{"no title", "title", func(in *events.EventInput) { in.Title = "  " }},
		{"long title", "title", func(in *events.EventInput) { in.Title = strings.Repeat("å", events.MaxTitle+1) }},
		{"long place", "place", func(in *events.EventInput) { in.Place = strings.Repeat("x", events.MaxPlace+1) }},
		{"no start", "starts_date", func(in *events.EventInput) { in.StartsAt = time.Time{} }},
		{"end before start", "ends_date", func(in *events.EventInput) { in.EndsAt = start.Add(-time.Minute) }},
		{"negative capacity", "capacity", func(in *events.EventInput) { in.Capacity = -1 }},
		{"deadline after start", "deadline_date", func(in *events.EventInput) { in.RSVPDeadline = &deadline }},
		{"group of 5", "group_size", func(in *events.EventInput) { in.GroupSize = 5 }},
		{"negative retention", "retention", func(in *events.EventInput) { in.GuestRetentionDays = -1 }},
		{"NUL in description", "description", func(in *events.EventInput) { in.Description = "a\x00b" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := ok
			c.edit(&in)
			_, err := f.svc.Create(context.Background(), f.tenant.ID, in)
			var e *web.Error
			if !errors.As(err, &e) || e.Status != http.StatusUnprocessableEntity || e.Fields[c.field] == "" {
				t.Fatalf("got %v, want a 422 on %s", err, c.field)
			}
		})
	}
	if _, err := f.svc.Create(context.Background(), f.tenant.ID, ok); err != nil {
		t.Fatal(err)
	}
}

func TestOtherKommunsEventIsNotFound(t *testing.T) {
	f := setup(t, 0)
	e := f.event(t, 0)
	other, err := f.org.CreateTenant(context.Background(), "annanby", "Annanby kommun", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Event(context.Background(), other.ID, e.ID); status(err) != http.StatusNotFound {
		t.Fatalf("got %v, want 404", err)
	}
	if _, err := f.svc.Update(context.Background(), other.ID, e.ID, events.EventInput{Kind: events.KindOther, Title: "x",
		StartsAt: e.StartsAt, EndsAt: e.EndsAt, GroupSize: 3}); status(err) != http.StatusNotFound {
		t.Fatalf("update: got %v, want 404", err)
	}
	if err := f.svc.Cancel(context.Background(), other.ID, e.ID); status(err) != http.StatusNotFound {
		t.Fatalf("cancel: got %v, want 404", err)
	}
}

// TestCapacityRace: 50 invitees answer yes at once for 10 places; exactly 10 get one and the rest wait,
// on SQLite and on PostgreSQL.
func TestCapacityRace(t *testing.T) {
	f := setup(t, 50)
	e := f.event(t, 10)
	tokens := f.inviteAll(t, e)
	var wg sync.WaitGroup
	errs := make(chan error, len(tokens))
	for _, tok := range tokens {
		wg.Go(func() {
			if _, err := f.svc.Answer(context.Background(), tok, events.Answer{Status: events.StatusYes}); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := count(t, f.db, `SELECT COUNT(*) FROM event_invitations WHERE event_id = $1 AND status = 'yes'`, e.ID); n != 10 {
		t.Fatalf("%d yes, want 10", n)
	}
	if n := count(t, f.db, `SELECT COUNT(*) FROM event_invitations WHERE event_id = $1 AND status = 'waitlist'`, e.ID); n != 40 {
		t.Fatalf("%d on the waitlist, want 40", n)
	}
	if n := count(t, f.db, `SELECT yes_count FROM events WHERE id = $1`, e.ID); n != 10 {
		t.Fatalf("yes_count %d, want 10", n)
	}
}

func TestWaitlistMovesUpInOrder(t *testing.T) {
	f := setup(t, 5)
	ctx := context.Background()
	e := f.event(t, 2)
	tok := f.inviteAll(t, e)
	answer := func(i int, st events.Status) *events.Invitee {
		t.Helper()
		f.now = f.now.Add(time.Minute)
		inv, err := f.svc.Answer(ctx, tok[i], events.Answer{Status: st})
		if err != nil {
			t.Fatal(err)
		}
		return inv
	}
	for i := range 2 {
		if got := answer(i, events.StatusYes).Invitation.Status; got != events.StatusYes {
			t.Fatalf("person %d: %s, want yes", i, got)
		}
	}
	for i := 2; i < 5; i++ {
		inv := answer(i, events.StatusYes)
		if inv.Invitation.Status != events.StatusWaitlist || inv.Place != i-1 {
			t.Fatalf("person %d: %s place %d, want waitlist place %d", i, inv.Invitation.Status, inv.Place, i-1)
		}
	}
	// Answering yes again keeps the place in line.
	if inv := answer(2, events.StatusYes); inv.Place != 1 {
		t.Fatalf("place %d after a second yes, want 1", inv.Place)
	}
	// A yes turning no frees a place for the first in line, who is mailed.
	answer(0, events.StatusNo)
	inv, err := f.svc.Invitee(ctx, tok[2])
	if err != nil {
		t.Fatal(err)
	}
	if inv.Invitation.Status != events.StatusYes {
		t.Fatalf("first in line is %s, want yes", inv.Invitation.Status)
	}
	if n := count(t, f.db, `SELECT COUNT(*) FROM mail_messages WHERE dedupe_key LIKE $1`, events.DedupePrefix(e.ID)+"up:%"); n != 1 {
		t.Fatalf("%d promotion mails, want 1", n)
	}
	if inv, _ := f.svc.Invitee(ctx, tok[3]); inv.Place != 1 {
		t.Fatalf("second in line has place %d, want 1", inv.Place)
	}
	// Raising the capacity moves the rest up.
	in := events.EventInput{Kind: e.Kind, Title: e.Title, Place: e.Place, StartsAt: e.StartsAt, EndsAt: e.EndsAt, Capacity: 10, GroupSize: 4, GuestRetentionDays: 30}
	if _, err := f.svc.Update(ctx, f.tenant.ID, e.ID, in); err != nil {
		t.Fatal(err)
	}
	if n := count(t, f.db, `SELECT COUNT(*) FROM event_invitations WHERE event_id = $1 AND status = 'yes'`, e.ID); n != 4 {
		t.Fatalf("%d yes after raising the capacity, want 4", n)
	}
	if n := count(t, f.db, `SELECT yes_count FROM events WHERE id = $1`, e.ID); n != 4 {
		t.Fatalf("yes_count %d, want 4", n)
	}
	// Removing someone with a place counts it free.
	list, _, err := f.svc.Invitations(ctx, e, events.InvitationFilter{Status: events.StatusYes})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RemoveInvitation(ctx, e, list[0].ID); err != nil {
		t.Fatal(err)
	}
	if n := count(t, f.db, `SELECT yes_count FROM events WHERE id = $1`, e.ID); n != 3 {
		t.Fatalf("yes_count %d after removing one, want 3", n)
	}
}

func TestAnswerRules(t *testing.T) {
	f := setup(t, 3)
	ctx := context.Background()
	e := f.event(t, 0)
	deadline := f.now.Add(24 * time.Hour)
	in := events.EventInput{Kind: e.Kind, Title: e.Title, StartsAt: e.StartsAt, EndsAt: e.EndsAt, RSVPDeadline: &deadline, GroupSize: 4, GuestRetentionDays: 30}
	if _, err := f.svc.Update(ctx, f.tenant.ID, e.ID, in); err != nil {
		t.Fatal(err)
	}
	tok := f.inviteAll(t, e)

	t.Run("bad input", func(t *testing.T) {
		for _, a := range []events.Answer{
			{Status: "maybe"},
			{Status: events.StatusWaitlist},
			{Status: events.StatusYes, Diet: strings.Repeat("x", events.MaxDiet+1)},
			{Status: events.StatusYes, Accessibility: strings.Repeat("x", events.MaxAccessibility+1)},
		} {
			if _, err := f.svc.Answer(ctx, tok[0], a); status(err) != http.StatusUnprocessableEntity {
				t.Errorf("%+v: got %v, want 422", a, err)
			}
		}
	})
	t.Run("forged token", func(t *testing.T) {
		for _, bad := range []string{"", "x", strings.Repeat("A", 43), tok[0] + "x", "../../etc/passwd"} {
			if _, err := f.svc.Invitee(ctx, bad); status(err) != http.StatusNotFound {
				t.Errorf("%q: got %v, want 404", bad, err)
			}
			if _, err := f.svc.Answer(ctx, bad, events.Answer{Status: events.StatusYes}); status(err) != http.StatusNotFound {
				t.Errorf("%q: got %v, want 404", bad, err)
			}
		}
	})
	t.Run("double submit", func(t *testing.T) {
		for range 3 {
			if _, err := f.svc.Answer(ctx, tok[1], events.Answer{Status: events.StatusYes, Diet: "Vegetariskt"}); err != nil {
				t.Fatal(err)
			}
		}
		if n := count(t, f.db, `SELECT yes_count FROM events WHERE id = $1`, e.ID); n != 1 {
			t.Fatalf("yes_count %d after three yes from one person, want 1", n)
		}
		inv, err := f.svc.Invitee(ctx, tok[1])
		if err != nil {
			t.Fatal(err)
		}
		if inv.Invitation.Diet != "Vegetariskt" || !inv.Open {
			t.Fatalf("got %+v", inv.Invitation)
		}
	})
	t.Run("after the deadline", func(t *testing.T) {
		saved := f.now
		defer func() { f.now = saved }()
		f.now = deadline.Add(time.Second)
		if _, err := f.svc.Answer(ctx, tok[1], events.Answer{Status: events.StatusNo}); !errors.Is(err, events.ErrClosed) {
			t.Fatalf("got %v, want ErrClosed", err)
		}
		inv, err := f.svc.Invitee(ctx, tok[1])
		if err != nil {
			t.Fatal(err)
		}
		if inv.Open || inv.Invitation.Status != events.StatusYes {
			t.Fatalf("after the deadline: open %v, status %s", inv.Open, inv.Invitation.Status)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		if err := f.svc.Cancel(ctx, f.tenant.ID, e.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Invitee(ctx, tok[2]); status(err) != http.StatusGone {
			t.Fatalf("got %v, want 410", err)
		}
		if _, err := f.svc.Answer(ctx, tok[2], events.Answer{Status: events.StatusYes}); status(err) != http.StatusGone {
			t.Fatalf("got %v, want 410", err)
		}
		// the one who said yes is told
		if n := count(t, f.db, `SELECT COUNT(*) FROM mail_messages WHERE dedupe_key LIKE $1`, events.DedupePrefix(e.ID)+"cancel:%"); n != 1 {
			t.Fatalf("%d cancellation mails, want 1", n)
		}
	})
}

// TestSendingResumes: a sending that stops after its first batch and starts again on another server
// mails every invitee exactly once.
func TestSendingResumes(t *testing.T) {
	f := setup(t, 7)
	ctx := context.Background()
	e := f.event(t, 0)
	var ids []int64
	for _, p := range f.people {
		ids = append(ids, p.ID)
	}
	if n, err := f.svc.AddInvitees(ctx, e, events.Selection{PersonIDs: ids, Guests: "Gun Gäst <gun@foretag.example>\ngun@foretag.example"}); err != nil || n != 8 {
		t.Fatalf("added %d, %v; want 8", n, err)
	}
	f.svc.BatchSize = 3
	if err := f.svc.RequestSend(ctx, e); err != nil {
		t.Fatal(err)
	}
	if n, err := f.svc.SendBatch(ctx, f.tenant.ID, e.ID); err != nil || n != 3 {
		t.Fatalf("first batch sent %d, %v", n, err)
	}
	// "restart": a new service on the same database, as another server would be
	second := events.NewService(events.NewStore(f.db), f.org)
	second.BaseURL, second.BatchSize, second.Now = f.svc.BaseURL, 3, f.svc.Now
	if err := second.ResumeSending(ctx); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.ResumeSending(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(t, f.db, `SELECT COUNT(*) FROM mail_messages WHERE dedupe_key LIKE $1`, events.InvitationPrefix(e.ID)+"%"); n != 8 {
		t.Fatalf("%d invitation mails, want 8", n)
	}
	if n := count(t, f.db, `SELECT COUNT(DISTINCT to_address) FROM mail_messages WHERE dedupe_key LIKE $1`, events.InvitationPrefix(e.ID)+"%"); n != 8 {
		t.Fatalf("%d recipients, want 8", n)
	}
	if n := count(t, f.db, `SELECT COUNT(*) FROM mail_attachments`); n != 8 {
		t.Fatalf("%d .ics attachments, want 8", n)
	}
	// Each mail's link opens its own invitation.
	for email, tok := range f.tokens(t, e) {
		inv, err := f.svc.Invitee(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		if inv.Invitation.Email != email {
			t.Fatalf("link in mail to %s opens %s's invitation", email, inv.Invitation.Email)
		}
	}
	// Someone invited afterwards waits for the next "Skicka".
	f.now = f.now.Add(time.Minute)
	if _, err := f.svc.AddInvitees(ctx, e, events.Selection{Guests: "Sen Gäst <sen@foretag.example>"}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.ResumeSending(ctx); err != nil {
		t.Fatal(err)
	}
	p, err := f.svc.SendProgress(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	if p.Counts.Unsent() != 1 || p.Requested != 0 || p.Mail.Total() != 8 {
		t.Fatalf("progress %+v", p)
	}
}

func TestAddInvitees(t *testing.T) {
	f := setup(t, 20)
	ctx := context.Background()
	e := f.event(t, 0)
	// the first förvaltning and everything under it: people 0, 1, 4, 5, 8, 9 … (units 0 and 1 of 4)
	sel := events.Selection{UnitIDs: []int64{f.depts[0].ID}}
	p, err := f.svc.PreviewInvitees(ctx, e, sel)
	if err != nil || p.New() != 10 {
		t.Fatalf("preview %+v, %v; want 10 new", p, err)
	}
	if n, err := f.svc.AddInvitees(ctx, e, sel); err != nil || n != 10 {
		t.Fatalf("added %d, %v", n, err)
	}
	// chefs: every fifth person, two of them already invited through the unit
	p, err = f.svc.PreviewInvitees(ctx, e, events.Selection{Roles: []string{org.RoleManager}})
	if err != nil || p.New() != 2 || p.Already != 2 {
		t.Fatalf("preview %+v, %v; want 2 new and 2 already", p, err)
	}
	if _, err := f.svc.AddInvitees(ctx, e, events.Selection{Roles: []string{org.RoleManager}, Host: true}); err != nil {
		t.Fatal(err)
	}
	list, total, err := f.svc.Invitations(ctx, e, events.InvitationFilter{Hosts: true})
	if err != nil || total != 2 {
		t.Fatalf("%d hosts, %v; want 2", total, err)
	}
	if list[0].Department == "" {
		t.Fatalf("no förvaltning on %+v", list[0])
	}
	for _, bad := range []events.Selection{
		{Roles: []string{"kung"}},
		{UnitIDs: []int64{999999}},
		{PersonIDs: []int64{999999}},
		{Guests: "inte en adress"},
		{Guests: "Anna <anna@>"},
		{Guests: "a@b.se", Organisation: strings.Repeat("x", events.MaxOrganisation+1)},
	} {
		if _, err := f.svc.AddInvitees(ctx, e, bad); status(err) != http.StatusUnprocessableEntity {
			t.Errorf("%+v: got %v, want 422", bad, err)
		}
	}
	codes := map[string]bool{}
	all, _, err := f.svc.Invitations(ctx, e, events.InvitationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range all {
		if len(inv.Code) != events.CodeLength || codes[inv.Code] || strings.ContainsAny(inv.Code, "01OIL") {
			t.Fatalf("bad or repeated code %q", inv.Code)
		}
		codes[inv.Code] = true
	}
}

func TestRemindersAndErasure(t *testing.T) {
	f := setup(t, 4)
	ctx := context.Background()
	e := f.event(t, 0)
	tok := f.inviteAll(t, e)
	if _, err := f.svc.AddInvitees(ctx, e, events.Selection{Guests: "Gun Gäst <gun@foretag.example>", Organisation: "Företaget AB"}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RequestSend(ctx, e); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SendAll(ctx, f.tenant.ID, e.ID); err != nil {
		t.Fatal(err)
	}
	guestTok := f.tokens(t, e)["gun@foretag.example"]
	for _, tk := range []string{tok[0], tok[1], guestTok} {
		if _, err := f.svc.Answer(ctx, tk, events.Answer{Status: events.StatusYes, Diet: "Laktosfritt"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.Answer(ctx, tok[2], events.Answer{Status: events.StatusNo}); err != nil {
		t.Fatal(err)
	}
	remind := func() int {
		t.Helper()
		if err := f.svc.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		return count(t, f.db, `SELECT COUNT(*) FROM mail_messages WHERE dedupe_key LIKE $1`, events.DedupePrefix(e.ID)+"rem:%")
	}
	if n := remind(); n != 0 {
		t.Fatalf("%d reminders ten days before, want 0", n)
	}
	f.now = e.StartsAt.Add(-47 * time.Hour)
	if n := remind(); n != 3 {
		t.Fatalf("%d reminders two days before, want 3 (those with yes)", n)
	}
	if n := remind(); n != 3 {
		t.Fatalf("%d reminders after running again, want still 3", n)
	}
	// erasure: not the day after, but 30 days after the end
	f.now = e.EndsAt.Add(24 * time.Hour)
	if n, err := f.svc.EraseGuests(ctx); err != nil || n != 0 {
		t.Fatalf("erased %d, %v the day after", n, err)
	}
	f.now = e.EndsAt.Add(30*24*time.Hour + time.Second)
	if n, err := f.svc.EraseGuests(ctx); err != nil || n != 1 {
		t.Fatalf("erased %d, %v; want 1", n, err)
	}
	if n := count(t, f.db, `SELECT COUNT(*) FROM event_invitations WHERE event_id = $1 AND (guest_name <> '' OR guest_email <> ''
		OR guest_organisation <> '' OR diet <> '' OR accessibility <> '') AND person_id IS NULL`, e.ID); n != 0 {
		t.Fatalf("%d guests still with data", n)
	}
	if n := count(t, f.db, `SELECT COUNT(*) FROM event_invitations WHERE event_id = $1 AND diet = 'Laktosfritt'`, e.ID); n != 2 {
		t.Fatalf("%d people of the kommun kept their diet, want 2", n)
	}
	if _, err := f.svc.Invitee(ctx, guestTok); status(err) != http.StatusNotFound {
		t.Fatalf("erased guest's link: %v, want 404", err)
	}
	if n, err := f.svc.EraseGuests(ctx); err != nil || n != 0 {
		t.Fatalf("erased %d, %v the second time", n, err)
	}
}

func TestAttendance(t *testing.T) {
	f := setup(t, 8)
	ctx := context.Background()
	e := f.event(t, 0)
	tok := f.inviteAll(t, e)
	for i := range 6 {
		if _, err := f.svc.Answer(ctx, tok[i], events.Answer{Status: events.StatusYes}); err != nil {
			t.Fatal(err)
		}
	}
	// two check-ins, written as the door would
	list, _, err := f.svc.Invitations(ctx, e, events.InvitationFilter{Status: events.StatusYes})
	if err != nil {
		t.Fatal(err)
	}
	for i, inv := range list[:2] {
		if _, err := f.db.Exec(ctx, `INSERT INTO event_checkins (event_id, invitation_id, scan_id, scanned_at, created_at) VALUES ($1, $2, $3, $4, $4)`,
			e.ID, inv.ID, "scan-"+strconv.Itoa(i), f.now); err != nil {
			t.Fatal(err)
		}
	}
	rows, total, err := f.svc.Attendance(ctx, f.tenant.ID, 2026)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || total.Invited != 8 || total.Yes != 6 || total.CheckedIn != 2 {
		t.Fatalf("rows %+v total %+v", rows, total)
	}
	if rows[0].Invited+rows[1].Invited != 8 || rows[0].DepartmentID == 0 {
		t.Fatalf("rows %+v", rows)
	}
	if rows, _, _ := f.svc.Attendance(ctx, f.tenant.ID, 2025); len(rows) != 0 {
		t.Fatalf("2025: %+v", rows)
	}
	ids, err := f.svc.Attended(ctx, f.tenant.ID, e.ID)
	if err != nil || len(ids) != 2 {
		t.Fatalf("attended %v, %v", ids, err)
	}
	if ids, _ := f.svc.Attended(ctx, f.tenant.ID+1, e.ID); len(ids) != 0 {
		t.Fatalf("another kommun sees %v", ids)
	}
}

// A reminder carries the invitee's own link again, though only its hash is stored, and the link still
// opens their invitation.
func TestReminderCarriesThePersonalLink(t *testing.T) {
	f := setup(t, 2)
	ctx := context.Background()
	e := f.event(t, 0)
	f.inviteAll(t, e)
	if err := f.svc.RequestSend(ctx, e); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SendAll(ctx, f.tenant.ID, e.ID); err != nil {
		t.Fatal(err)
	}
	invited := f.tokens(t, e)
	for _, tk := range invited {
		if _, err := f.svc.Answer(ctx, tk, events.Answer{Status: events.StatusYes}); err != nil {
			t.Fatal(err)
		}
	}
	f.now = e.StartsAt.Add(-47 * time.Hour)
	if err := f.svc.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := f.db.Read().QueryContext(ctx, `SELECT to_address, text_body FROM mail_messages WHERE dedupe_key LIKE $1`,
		events.DedupePrefix(e.ID)+"rem:%")
	reminders, err := db.Collect(rows, err, func(r db.Row) ([2]string, error) {
		var m [2]string
		return m, r.Scan(&m[0], &m[1])
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(reminders) != len(invited) {
		t.Fatalf("%d reminders for %d invitees", len(reminders), len(invited))
	}
	for _, m := range reminders {
		addr := m[0]
		if i := strings.LastIndex(addr, "<"); i >= 0 {
			addr = strings.Trim(addr[i:], "<>")
		}
		match := linkRE.FindStringSubmatch(m[1])
		if match == nil {
			t.Fatalf("no link in the reminder to %s:\n%s", addr, m[1])
		}
		if match[1] != invited[addr] {
			t.Errorf("reminder to %s links %q, the invitation %q", addr, match[1], invited[addr])
		}
		if _, err := f.svc.Invitee(ctx, match[1]); err != nil {
			t.Errorf("the reminder's link to %s does not open the invitation: %v", addr, err)
		}
	}
}
