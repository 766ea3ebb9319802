package events

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/db/dbtest"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/web"
	"github.com/vard-kommun/vard/internal/web/webtest"
)

// groupsEnv is kommun A with three förvaltningar of four people each, and kommun B.
type groupsEnv struct {
	svc              *Service
	d                *db.DB
	tenantA, tenantB int64
	people           []*org.Person // 0–3 in the first förvaltning, 4–7 in the second, 8–11 in the third
	depts            []string
}

func newGroupsEnv(t *testing.T) *groupsEnv {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	orgSvc := org.NewService(org.NewStore(d))
	g := &groupsEnv{svc: NewService(NewStore(d), orgSvc), d: d}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	a, err := orgSvc.CreateTenant(ctx, "a-kommun", "A kommun", nil)
	must(err)
	b, err := orgSvc.CreateTenant(ctx, "b-kommun", "B kommun", nil)
	must(err)
	g.tenantA, g.tenantB = a.ID, b.ID
	for i, name := range []string{"Socialförvaltningen", "Barn- och utbildningsförvaltningen", "Tekniska förvaltningen"} {
		dep, err := orgSvc.CreateUnit(ctx, a.ID, org.UnitInput{Kind: org.KindDepartment, Name: name})
		must(err)
		unit, err := orgSvc.CreateUnit(ctx, a.ID, org.UnitInput{ParentID: dep.ID, Kind: org.KindUnit, Name: fmt.Sprintf("Enhet %d", i+1)})
		must(err)
		g.depts = append(g.depts, name)
		for j := range 4 {
			p := &org.Person{TenantID: a.ID, GivenName: fmt.Sprintf("Person%d", i*4+j), FamilyName: "Testsson",
				Email: fmt.Sprintf("p%d@a.example", i*4+j), UnitID: unit.ID, Active: true}
			must(orgSvc.SavePerson(ctx, p))
			g.people = append(g.people, p)
		}
	}
	return g
}

// event stores an event of the kommun starting at the given day of 2026, with everyone of A invited
// and answering yes; it returns the event and the invitation ids by person index.
func (g *groupsEnv) event(t *testing.T, tenantID int64, day int) (*Event, []int64) {
	t.Helper()
	ctx := context.Background()
	starts := time.Date(2026, 3, day, 9, 0, 0, 0, time.UTC)
	var id int64
	err := g.d.Writer().QueryRowContext(ctx, `INSERT INTO events (tenant_id, kind, title, starts_at, ends_at, created_at)
		VALUES ($1, 'ledarforum', $2, $3, $4, $5) RETURNING id`, tenantID, fmt.Sprintf("Ledarforum %d", day),
		starts, starts.Add(4*time.Hour), starts).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	e, err := g.svc.Event(ctx, tenantID, id)
	if err != nil {
		t.Fatal(err)
	}
	var invs []int64
	if tenantID == g.tenantA {
		for _, p := range g.people {
			invs = append(invs, g.invite(t, e.ID, p.ID, p.UnitID, "", StatusYes))
		}
	}
	return e, invs
}

func (g *groupsEnv) invite(t *testing.T, eventID, personID, unitID int64, guestOrg string, status Status) int64 {
	t.Helper()
	var id int64
	var person, unit any
	if personID != 0 {
		person, unit = personID, unitID
	}
	err := g.d.Writer().QueryRowContext(context.Background(), `INSERT INTO event_invitations (event_id, person_id, unit_id,
		guest_name, guest_organisation, token_hash, code, status, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, eventID, person, unit, "Gästa Gästsson", guestOrg,
		HashToken(newToken()), NewCode(), string(status), time.Now().UTC()).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (g *groupsEnv) checkIn(t *testing.T, eventID, invitationID int64) {
	t.Helper()
	now := time.Now().UTC()
	if _, err := g.d.Exec(context.Background(), `INSERT INTO event_checkins (event_id, invitation_id, scan_id, scanned_at, created_at)
		VALUES ($1, $2, $3, $4, $4)`, eventID, invitationID, fmt.Sprintf("scan-%d", invitationID), now); err != nil {
		t.Fatal(err)
	}
}

func (g *groupsEnv) setHost(t *testing.T, invitationID int64) {
	t.Helper()
	if _, err := g.d.Exec(context.Background(), `UPDATE event_invitations SET host = TRUE WHERE id = $1`, invitationID); err != nil {
		t.Fatal(err)
	}
}

func (g *groupsEnv) form(t *testing.T, e *Event, in GroupInput, replace bool) *GroupRound {
	t.Helper()
	r, err := g.svc.FormGroups(context.Background(), e, in, replace)
	if err != nil {
		t.Fatalf("form groups %+v: %v", in, err)
	}
	return r
}

// pairs returns the pairs of people who share a group in the round.
func pairs(r *GroupRound) map[[2]int64]bool {
	out := map[[2]int64]bool{}
	for _, gr := range r.Groups {
		for i, a := range gr.Members {
			for _, b := range gr.Members[i+1:] {
				out[[2]int64{min(a.PersonID, b.PersonID), max(a.PersonID, b.PersonID)}] = true
			}
		}
	}
	return out
}

func members(r *GroupRound) map[int64]int {
	out := map[int64]int{}
	for _, gr := range r.Groups {
		for _, m := range gr.Members {
			out[m.InvitationID]++
		}
	}
	return out
}

func TestFormGroupsTakesOnlyThoseChosen(t *testing.T) {
	g := newGroupsEnv(t)
	ctx := context.Background()
	e, invs := g.event(t, g.tenantA, 2)
	// Three said no; six of those who said yes have checked in.
	if _, err := g.d.Exec(ctx, `UPDATE event_invitations SET status = 'no' WHERE id IN ($1, $2, $3)`, invs[0], invs[5], invs[10]); err != nil {
		t.Fatal(err)
	}
	checkedIn := []int64{invs[1], invs[2], invs[4], invs[6], invs[8], invs[9]}
	for _, id := range checkedIn {
		g.checkIn(t, e.ID, id)
	}
	counts, err := g.svc.GroupCounts(ctx, e)
	if err != nil || counts.CheckedIn != 6 || counts.Yes != 9 {
		t.Fatalf("got %+v (%v), want 6 checked in and 9 yes", counts, err)
	}
	r := g.form(t, e, GroupInput{Who: GroupCheckedIn, Size: 3, Round: 1}, false)
	got := members(r)
	if len(got) != 6 {
		t.Errorf("checked in: got %d members, want 6", len(got))
	}
	for _, id := range checkedIn {
		if got[id] != 1 {
			t.Errorf("checked in: invitation %d is in %d groups, want 1", id, got[id])
		}
	}
	r = g.form(t, e, GroupInput{Who: GroupYes, Size: 3, Round: 1}, true)
	got = members(r)
	if len(got) != 9 {
		t.Errorf("yes: got %d members, want 9", len(got))
	}
	for _, id := range []int64{invs[0], invs[5], invs[10]} {
		if got[id] != 0 {
			t.Errorf("yes: invitation %d answered no but is in a group", id)
		}
	}
}

func TestFormGroupsMixesDepartmentsAndSpreadsHosts(t *testing.T) {
	g := newGroupsEnv(t)
	e, invs := g.event(t, g.tenantA, 2)
	for _, i := range []int{0, 4, 9, 11} {
		g.setHost(t, invs[i])
	}
	guest := g.invite(t, e.ID, 0, 0, "Företagarna", StatusYes)
	r := g.form(t, e, GroupInput{Who: GroupYes, Size: 4, Round: 1}, false)
	q := r.Quality
	// 13 people in groups of 4: four groups, of 4, 3, 3 and 3.
	if q.People != 13 || q.Groups != 4 || q.MinSize != 3 || q.MaxSize != 4 {
		t.Errorf("got %+v, want 13 people in 4 groups of 3 or 4", q)
	}
	if q.DepartmentPairs != q.LowerBound || q.RepeatPairs != 0 {
		t.Errorf("got %d same-förvaltning pairs (lower bound %d) and %d repeats, want the bound and 0", q.DepartmentPairs, q.LowerBound, q.RepeatPairs)
	}
	sawGuest := false
	for _, gr := range r.Groups {
		if !gr.Members[0].Host {
			t.Errorf("group %d is not led by a host: %+v", gr.Number, gr.Members)
		}
		for _, m := range gr.Members {
			if m.InvitationID == guest {
				sawGuest = true
				if !m.Guest || m.Department != "Företagarna" {
					t.Errorf("the guest is shown as %+v, want a guest from Företagarna", m)
				}
			} else if m.Department == "" {
				t.Errorf("%s has no förvaltning", m.Name)
			}
		}
	}
	if !sawGuest {
		t.Error("the guest who said yes is in no group")
	}
	// What the page reads back is what was formed.
	rounds, err := g.svc.GroupRounds(context.Background(), e)
	if err != nil || len(rounds) != 1 || rounds[0].Quality != q {
		t.Errorf("read back %d rounds (%v), quality %+v, want one with %+v", len(rounds), err, rounds[0].Quality, q)
	}
}

func TestGroupsAvoidPairsFromEarlierEventsAndRounds(t *testing.T) {
	g := newGroupsEnv(t)
	first, _ := g.event(t, g.tenantA, 2)
	second, _ := g.event(t, g.tenantA, 9)
	in := GroupInput{Who: GroupYes, Size: 3, Round: 1}
	r1 := g.form(t, first, in, false)
	r2 := g.form(t, second, in, false)
	met := pairs(r1)
	for p := range pairs(r2) {
		if met[p] {
			t.Errorf("people %v met at the first event and again at the second", p)
		}
		met[p] = true
	}
	if r2.Quality.RepeatPairs != 0 {
		t.Errorf("second event: got %d repeat pairs, want 0", r2.Quality.RepeatPairs)
	}
	round2 := g.form(t, second, GroupInput{Who: GroupYes, Size: 3, Round: 2}, false)
	for p := range pairs(round2) {
		if met[p] {
			t.Errorf("round 2 puts together %v, who met at the first event or in round 1", p)
		}
	}
	// The first event's page does not count the later event's groups as history.
	rounds, err := g.svc.GroupRounds(context.Background(), first)
	if err != nil || len(rounds) != 1 || rounds[0].Quality.RepeatPairs != 0 {
		t.Errorf("first event: got %d rounds (%v), want one with no repeats", len(rounds), err)
	}
	rounds, err = g.svc.GroupRounds(context.Background(), second)
	if err != nil || len(rounds) != 2 || rounds[1].Quality.RepeatPairs != 0 {
		t.Errorf("second event: got %d rounds (%v), want two, the second with no repeats", len(rounds), err)
	}
}

func TestFormingARoundAgainNeedsConfirmation(t *testing.T) {
	g := newGroupsEnv(t)
	ctx := context.Background()
	e, _ := g.event(t, g.tenantA, 2)
	in := GroupInput{Who: GroupYes, Size: 3, Round: 1}
	g.form(t, e, in, false)
	g.form(t, e, GroupInput{Who: GroupYes, Size: 3, Round: 2}, false)
	if _, err := g.svc.FormGroups(ctx, e, in, false); !errors.Is(err, ErrGroupsExist) {
		t.Fatalf("forming round 1 again: got %v, want ErrGroupsExist", err)
	}
	g.form(t, e, in, true)
	rounds, err := g.svc.GroupRounds(ctx, e)
	if err != nil || len(rounds) != 1 {
		t.Fatalf("after replacing round 1: got %d rounds (%v), want 1 (round 2 was formed against the old round 1)", len(rounds), err)
	}
	var n int
	if err := g.d.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM event_group_members m JOIN event_groups gr ON gr.id = m.group_id WHERE gr.event_id = $1`, e.ID).Scan(&n); err != nil || n != 12 {
		t.Errorf("got %d stored members (%v), want 12", n, err)
	}
}

func TestFormGroupsRefusesBadChoices(t *testing.T) {
	g := newGroupsEnv(t)
	e, _ := g.event(t, g.tenantA, 2)
	for _, tt := range []struct {
		name  string
		in    GroupInput
		field string
	}{
		{"nobody chosen", GroupInput{Size: 3, Round: 1}, "who"},
		{"nobody has checked in", GroupInput{Who: GroupCheckedIn, Size: 3, Round: 1}, "who"},
		{"groups of five", GroupInput{Who: GroupYes, Size: 5, Round: 1}, "size"},
		{"groups of two", GroupInput{Who: GroupYes, Size: 2, Round: 1}, "size"},
		{"a third round", GroupInput{Who: GroupYes, Size: 3, Round: 3}, "round"},
		{"round 2 before round 1", GroupInput{Who: GroupYes, Size: 3, Round: 2}, "round"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := g.svc.FormGroups(context.Background(), e, tt.in, false)
			var fe *web.Error
			if !errors.As(err, &fe) || fe.Status != http.StatusUnprocessableEntity || fe.Fields[tt.field] == "" {
				t.Errorf("got %v, want a 422 with a message for %s", err, tt.field)
			}
		})
	}
}

func TestGroupsOfAnotherKommunAreNotFound(t *testing.T) {
	g := newGroupsEnv(t)
	e, _ := g.event(t, g.tenantB, 2)
	if _, err := g.svc.Event(context.Background(), g.tenantA, e.ID); web.AsError(err).Status != http.StatusNotFound {
		t.Errorf("kommun A asking for B's event: got %v, want 404", err)
	}
}

// TestGroupsPagesAreTranslated checks that every Swedish text of the groups pages, and every message
// the groups give, has an English entry.
func TestGroupsPagesAreTranslated(t *testing.T) {
	c := &web.Catalog{}
	c.Add(englishGroups())
	texts := webtest.TemplateTexts(t, templates, "templates/groups*.html")
	for _, w := range []GroupWho{GroupCheckedIn, GroupYes} {
		texts = append(texts, w.Label())
	}
	for _, in := range []GroupInput{{Who: GroupCheckedIn, Round: 2}, {Who: GroupYes}, {}} {
		for _, msg := range in.Validate(nil, GroupCounts{}) {
			texts = append(texts, msg)
		}
	}
	texts = append(texts, "Grupperna är bildade.", web.Invalid(nil).Message)
	for _, text := range texts {
		if !c.Has(text) {
			t.Errorf("no English for %q", text)
		}
	}
	// A text the handler formats must keep its verb in English too.
	verb := regexp.MustCompile(`%d`)
	for sv, en := range englishGroups() {
		if len(verb.FindAllString(sv, -1)) != len(verb.FindAllString(en, -1)) {
			t.Errorf("%q and its English %q format a different number of values", sv, en)
		}
	}
}
