package app_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/org"
)

// groupsEventA stores an event of kommun A, by SQL so that the groups pages are tested whatever the
// organiser's other pages look like, with the four people of A and two more from another förvaltning
// saying yes; the chef hosts a group.
func (f *fixture) groupsEventA(t *testing.T) int64 {
	t.Helper()
	ctx := context.Background()
	now := db.Now()
	dep, err := f.app.Org.CreateUnit(ctx, f.tenantA.ID, org.UnitInput{Kind: org.KindDepartment, Name: "Tekniska förvaltningen"})
	if err != nil {
		t.Fatal(err)
	}
	people := []*org.Person{f.adminA, f.chefA, f.employeeA, f.victimA}
	for _, name := range []string{"Tove", "Tage"} {
		p := &org.Person{TenantID: f.tenantA.ID, GivenName: name, FamilyName: "Teknik", Email: name + "@a.example", UnitID: dep.ID, Active: true}
		if err := f.app.Org.SavePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
		people = append(people, p)
	}
	var id int64
	if err := f.app.DB.Writer().QueryRowContext(ctx, `INSERT INTO events (tenant_id, kind, title, starts_at, ends_at, created_at)
		VALUES ($1, 'ledarforum', 'Ledarforum hösten', $2, $3, $4) RETURNING id`,
		f.tenantA.ID, now.Add(time.Hour), now.Add(4*time.Hour), now).Scan(&id); err != nil {
		t.Fatal(err)
	}
	for i, p := range people {
		var unit any // the admin has no unit
		if p.UnitID != 0 {
			unit = p.UnitID
		}
		if _, err := f.app.DB.Exec(ctx, `INSERT INTO event_invitations (event_id, person_id, unit_id, token_hash, code, status, host, created_at)
			VALUES ($1, $2, $3, $4, $5, 'yes', $6, $7)`, id, p.ID, unit, "grupper-"+itoa(id)+"-"+itoa(int64(i)),
			"GRP"+itoa(int64(i)), p.ID == f.chefA.ID, now); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

func TestEventGroupsPages(t *testing.T) {
	f := newFixture(t)
	id := f.groupsEventA(t)
	base := "/evenemang/" + itoa(id) + "/grupper"
	form := func(who, size, round string, extra ...string) url.Values {
		v := url.Values{"who": {who}, "size": {size}, "round": {round}}
		for i := 0; i+1 < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		return v
	}
	adminB := func(f *fixture) *org.Person { return f.adminB }
	f.check(t, []scenario{
		{name: "the page before any groups", as: admin, path: path(base), wantStatus: http.StatusOK,
			wantText: []string{"Minglegrupper", "Ledarforum hösten", "Inga grupper ännu", "De som har svarat ja (6)", "De som har checkat in (0)"}},
		{name: "an employee may not", as: employee, path: path(base), wantStatus: http.StatusForbidden},
		{name: "a chef may not", as: chef, path: path(base), wantStatus: http.StatusForbidden},
		{name: "another kommun's admin finds nothing", as: adminB, path: path(base), wantStatus: http.StatusNotFound},
		{name: "an event that does not exist", as: admin, path: path("/evenemang/999999/grupper"), wantStatus: http.StatusNotFound},
		{name: "nobody has checked in", as: admin, method: http.MethodPost, path: path(base), form: form("checked_in", "3", "1"),
			wantStatus: http.StatusUnprocessableEntity, wantText: []string{"Ingen har checkat in ännu", `href="#who-checked_in"`, `aria-invalid="true"`}},
		{name: "groups of seven", as: admin, method: http.MethodPost, path: path(base), form: form("yes", "7", "1"),
			wantStatus: http.StatusUnprocessableEntity, wantText: []string{"Välj gruppstorlek 3 eller 4."}},
		{name: "round 2 before round 1", as: admin, method: http.MethodPost, path: path(base), form: form("yes", "3", "2"),
			wantStatus: http.StatusUnprocessableEntity, wantText: []string{"Bilda grupperna för runda 1 först."}},
		{name: "an employee may not form groups", as: employee, method: http.MethodPost, path: path(base), form: form("yes", "3", "1"),
			wantStatus: http.StatusForbidden},
		{name: "another kommun's admin may not form groups", as: adminB, method: http.MethodPost, path: path(base), form: form("yes", "3", "1"),
			wantStatus: http.StatusNotFound},
		{name: "form round 1", as: admin, method: http.MethodPost, path: path(base), form: form("yes", "3", "1"),
			wantStatus: http.StatusSeeOther, wantText: []string{base + "?runda=1"}},
		{name: "the groups with their figures", as: admin, path: path(base + "?runda=1"), wantStatus: http.StatusOK,
			wantText: []string{"Grupp 1", "Grupp 2", "Cecilia Testsson", "Gruppvärd", "Socialförvaltningen", "Tekniska förvaltningen",
				"Par från samma förvaltning", "lägsta möjliga", "Par som har träffats förut"},
			notText: []string{"Inga grupper ännu"}},
		{name: "forming round 1 again asks first", as: admin, method: http.MethodPost, path: path(base), form: form("yes", "3", "1"),
			wantStatus: http.StatusOK, wantText: []string{"Ersätta grupperna?", `name="replace" value="1"`, "Ja, bilda nya grupper"}},
		{name: "replace round 1", as: admin, method: http.MethodPost, path: path(base), form: form("yes", "3", "1", "replace", "1"),
			wantStatus: http.StatusSeeOther},
		{name: "form round 2", as: admin, method: http.MethodPost, path: path(base), form: form("yes", "3", "2"),
			wantStatus: http.StatusSeeOther, wantText: []string{base + "?runda=2"}},
		{name: "round 2 is shown with a way back to round 1", as: admin, path: path(base + "?runda=2"), wantStatus: http.StatusOK,
			wantText: []string{"Runda 2", `href="` + base + `?runda=1"`, `aria-current="page"`}},
		{name: "the print view", as: admin, path: path(base + "/utskrift?runda=1"), wantStatus: http.StatusOK,
			wantText: []string{"group-block", "Grupp 1", "Cecilia Testsson", "(Gruppvärd)", "print.css"}},
		{name: "the screen view has no menu", as: admin, path: path(base + "/skarm?runda=2"), wantStatus: http.StatusOK,
			wantText: []string{"screen-groups", "Runda 2", "Grupp 1"}, notText: []string{"Huvudmeny", "Logga ut"}},
		{name: "another kommun's admin cannot print", as: adminB, path: path(base + "/utskrift"), wantStatus: http.StatusNotFound},
		{name: "an employee cannot see the screen view", as: employee, path: path(base + "/skarm"), wantStatus: http.StatusForbidden},
	})
	var stored int
	if err := f.app.DB.Read().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM event_group_members m
		JOIN event_groups g ON g.id = m.group_id WHERE g.event_id = $1`, id).Scan(&stored); err != nil || stored != 12 {
		t.Errorf("got %d group members stored (%v), want 12: six people in each of two rounds", stored, err)
	}
}

// anEventA returns an event of kommun A for the authorization walk, storing one the first time.
func (f *fixture) anEventA(t *testing.T) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	if err := f.app.DB.Read().QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM events WHERE tenant_id = $1`, f.tenantA.ID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if id == 0 {
		now := db.Now()
		if err := f.app.DB.Writer().QueryRowContext(ctx, `INSERT INTO events (tenant_id, kind, title, starts_at, ends_at, created_at)
			VALUES ($1, 'ledarforum', 'Ledarforum', $2, $3, $4) RETURNING id`, f.tenantA.ID, now.Add(time.Hour), now.Add(2*time.Hour), now).Scan(&id); err != nil {
			t.Fatal(err)
		}
	}
	return id
}
