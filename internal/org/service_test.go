package org_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/db/dbtest"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/web"
)

func newService(t *testing.T) (*org.Service, *org.Tenant) {
	t.Helper()
	svc := org.NewService(org.NewStore(dbtest.Open(t)))
	tenant, err := svc.CreateTenant(context.Background(), "exempelby", "Exempelby kommun", nil)
	if err != nil {
		t.Fatal(err)
	}
	return svc, tenant
}

func mustUnit(t *testing.T, svc *org.Service, tenantID, parent int64, kind org.Kind, name string) *org.Unit {
	t.Helper()
	u, err := svc.CreateUnit(context.Background(), tenantID, org.UnitInput{ParentID: parent, Kind: kind, Name: name})
	if err != nil {
		t.Fatalf("create %s %q: %v", kind, name, err)
	}
	return u
}

func mustPerson(t *testing.T, svc *org.Service, tenantID, unit int64, given, family string) *org.Person {
	t.Helper()
	p := &org.Person{TenantID: tenantID, UnitID: unit, GivenName: given, FamilyName: family, Active: true,
		Email: strings.ToLower(asciiFold(given+"."+family)) + "@exempelby.example"}
	if err := svc.SavePerson(context.Background(), p); err != nil {
		t.Fatalf("save %s %s: %v", given, family, err)
	}
	return p
}

func asciiFold(s string) string {
	return strings.NewReplacer("å", "a", "ä", "a", "ö", "o", "Å", "A", "Ä", "A", "Ö", "O", " ", "").Replace(s)
}

// fieldError returns the message for a field of a validation error, or "".
func fieldError(err error, field string) string {
	var e *web.Error
	if errors.As(err, &e) {
		if field == "" {
			return e.Message
		}
		return e.Fields[field]
	}
	return ""
}

func TestPeopleAreSortedTheSwedishWay(t *testing.T) {
	svc, tenant := newService(t)
	ctx := context.Background()
	dep := mustUnit(t, svc, tenant.ID, 0, org.KindDepartment, "Kommunledningsförvaltningen")
	for _, family := range []string{"Östen", "Zeta", "Åsa", "adam", "Ärla", "Berg"} {
		mustPerson(t, svc, tenant.ID, dep.ID, "Kim", family)
	}
	list, total, err := svc.Store.People(ctx, tenant.ID, org.PeopleFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range list {
		got = append(got, p.FamilyName)
	}
	want := "adam Berg Zeta Åsa Ärla Östen"
	if strings.Join(got, " ") != want || total != 6 {
		t.Errorf("got %q (total %d), want %q (total 6)", strings.Join(got, " "), total, want)
	}

	page2, _, err := svc.Store.People(ctx, tenant.ID, org.PeopleFilter{Limit: 4, Offset: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(page2) != 2 || page2[0].FamilyName != "Ärla" {
		t.Errorf("page 2: got %d people starting with %v, want 2 starting with Ärla", len(page2), page2)
	}
}

func TestSearchPeople(t *testing.T) {
	svc, tenant := newService(t)
	ctx := context.Background()
	dep := mustUnit(t, svc, tenant.ID, 0, org.KindDepartment, "Socialförvaltningen")
	mustPerson(t, svc, tenant.ID, dep.ID, "Åsa", "Öberg")
	mustPerson(t, svc, tenant.ID, dep.ID, "Anna", "Andersson")
	mustPerson(t, svc, tenant.ID, dep.ID, "Per_Olof", "100% Svensson")
	tests := []struct {
		query string
		want  int
	}{
		{"åsa", 1}, {"ÖBERG", 1}, {"åsa öberg", 1}, {"anna", 1}, {"exempelby.example", 3},
		{"%", 1}, {"_", 1}, {"nobody", 0}, {"", 3},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			_, total, err := svc.Store.People(ctx, tenant.ID, org.PeopleFilter{Query: tt.query})
			if err != nil {
				t.Fatal(err)
			}
			if total != tt.want {
				t.Errorf("search %q: got %d people, want %d", tt.query, total, tt.want)
			}
		})
	}
}

func TestTreeRules(t *testing.T) {
	svc, tenant := newService(t)
	ctx := context.Background()
	dep := mustUnit(t, svc, tenant.ID, 0, org.KindDepartment, "Barn- och utbildningsförvaltningen")
	school := mustUnit(t, svc, tenant.ID, dep.ID, org.KindUnit, "Ängsskolan")
	team := mustUnit(t, svc, tenant.ID, school.ID, org.KindTeam, "Arbetslag 1–3")
	other := mustUnit(t, svc, tenant.ID, 0, org.KindDepartment, "Socialförvaltningen")

	tests := []struct {
		name  string
		run   func() error
		field string
		want  string
	}{
		{"a unit needs a parent", func() error {
			_, err := svc.CreateUnit(ctx, tenant.ID, org.UnitInput{Kind: org.KindUnit, Name: "Fri enhet"})
			return err
		}, "parent_id", "Bara en förvaltning"},
		{"a team has nothing below it", func() error {
			_, err := svc.CreateUnit(ctx, tenant.ID, org.UnitInput{ParentID: team.ID, Kind: org.KindTeam, Name: "Underlag"})
			return err
		}, "parent_id", "minsta enheten"},
		{"a name is required", func() error {
			_, err := svc.CreateUnit(ctx, tenant.ID, org.UnitInput{ParentID: dep.ID, Kind: org.KindUnit, Name: "  "})
			return err
		}, "name", "måste fyllas i"},
		{"an overlong name is refused", func() error {
			_, err := svc.CreateUnit(ctx, tenant.ID, org.UnitInput{ParentID: dep.ID, Kind: org.KindUnit, Name: strings.Repeat("å", 121)})
			return err
		}, "name", "högst 120"},
		{"control characters are refused", func() error {
			return svc.RenameUnit(ctx, tenant.ID, school.ID, "Ängs\x00skolan")
		}, "name", "otillåtna"},
		{"a unit cannot move under itself", func() error {
			return svc.MoveUnit(ctx, tenant.ID, school.ID, team.ID)
		}, "parent_id", "under sig själv"},
		{"a department stays at the top", func() error {
			return svc.MoveUnit(ctx, tenant.ID, dep.ID, other.ID)
		}, "parent_id", "överst"},
		{"a unit with open units below cannot close", func() error {
			return svc.CloseUnit(ctx, tenant.ID, school.ID)
		}, "", "Stäng eller flytta först"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			if got := fieldError(err, tt.field); !strings.Contains(got, tt.want) {
				t.Errorf("got error %v (%q), want a message with %q", err, got, tt.want)
			}
		})
	}

	t.Run("a move keeps everything below", func(t *testing.T) {
		if err := svc.MoveUnit(ctx, tenant.ID, school.ID, other.ID); err != nil {
			t.Fatal(err)
		}
		tree, err := svc.Tree(ctx, tenant.ID)
		if err != nil {
			t.Fatal(err)
		}
		path := tree.Path(team.ID)
		if len(path) != 3 || path[0].ID != other.ID {
			t.Errorf("got path %v, want Socialförvaltningen › Ängsskolan › Arbetslag", path)
		}
	})

	t.Run("a unit with people cannot close; without, it can and reopens", func(t *testing.T) {
		p := mustPerson(t, svc, tenant.ID, team.ID, "Örjan", "Lind")
		err := svc.CloseUnit(ctx, tenant.ID, team.ID)
		if got := fieldError(err, ""); !strings.Contains(got, "Flytta eller avaktivera först") {
			t.Fatalf("got %v, want a refusal naming the people", err)
		}
		if err := svc.SetActive(ctx, tenant.ID, p.ID, false); err != nil {
			t.Fatal(err)
		}
		if err := svc.CloseUnit(ctx, tenant.ID, team.ID); err != nil {
			t.Fatalf("close empty team: %v", err)
		}
		p.Active = true
		p.UnitID = team.ID
		if err := svc.SavePerson(ctx, p); fieldError(err, "unit_id") == "" {
			t.Errorf("placing a person in a closed unit: got %v, want a unit_id error", err)
		}
		if err := svc.CloseUnit(ctx, tenant.ID, school.ID); err != nil {
			t.Fatalf("close school after its only team closed: %v", err)
		}
		if err := svc.ReopenUnit(ctx, tenant.ID, team.ID); fieldError(err, "") == "" {
			t.Errorf("reopen under a closed parent: got %v, want refusal", err)
		}
		if err := svc.ReopenUnit(ctx, tenant.ID, school.ID); err != nil {
			t.Fatal(err)
		}
		if err := svc.ReopenUnit(ctx, tenant.ID, team.ID); err != nil {
			t.Fatal(err)
		}
	})
}

func TestKommunerSeeNothingOfEachOther(t *testing.T) {
	svc, a := newService(t)
	ctx := context.Background()
	b, err := svc.CreateTenant(ctx, "grannby", "Grannby kommun", nil)
	if err != nil {
		t.Fatal(err)
	}
	unitA := mustUnit(t, svc, a.ID, 0, org.KindDepartment, "Förvaltning A")
	personA := mustPerson(t, svc, a.ID, unitA.ID, "Anna", "A")

	if _, err := svc.Store.Unit(ctx, b.ID, unitA.ID); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("unit of A read as B: got %v, want not found", err)
	}
	if _, err := svc.Store.Person(ctx, b.ID, personA.ID); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("person of A read as B: got %v, want not found", err)
	}
	if err := svc.RenameUnit(ctx, b.ID, unitA.ID, "Kapad"); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("rename A's unit as B: got %v, want not found", err)
	}
	if _, err := svc.CreateUnit(ctx, b.ID, org.UnitInput{ParentID: unitA.ID, Kind: org.KindUnit, Name: "Inkräktare"}); fieldError(err, "parent_id") == "" {
		t.Errorf("create under A's unit as B: got %v, want parent_id error", err)
	}
	intruder := &org.Person{TenantID: b.ID, UnitID: unitA.ID, GivenName: "Berit", FamilyName: "B"}
	if err := svc.SavePerson(ctx, intruder); fieldError(err, "unit_id") == "" {
		t.Errorf("place B's person in A's unit: got %v, want unit_id error", err)
	}
	list, total, err := svc.Store.People(ctx, b.ID, org.PeopleFilter{})
	if err != nil || total != 0 || len(list) != 0 {
		t.Errorf("B lists %d people (total %d, err %v), want none", len(list), total, err)
	}
	// The same e-mail address may exist in two kommuner.
	twin := &org.Person{TenantID: b.ID, GivenName: "Anna", FamilyName: "A", Email: personA.Email}
	if err := svc.SavePerson(ctx, twin); err != nil {
		t.Errorf("same e-mail in another kommun: %v", err)
	}
}

func TestPersonValidation(t *testing.T) {
	svc, tenant := newService(t)
	ctx := context.Background()
	mustPerson(t, svc, tenant.ID, 0, "Anna", "Andersson")
	tests := []struct {
		name  string
		p     org.Person
		field string
	}{
		{"given name is required", org.Person{FamilyName: "X"}, "given_name"},
		{"family name is required", org.Person{GivenName: "X"}, "family_name"},
		{"e-mail must be an address", org.Person{GivenName: "X", FamilyName: "Y", Email: "inte en adress"}, "email"},
		{"e-mail with a display name is refused", org.Person{GivenName: "X", FamilyName: "Y", Email: "Anna <anna@x.se>"}, "email"},
		{"e-mail is unique in the kommun", org.Person{GivenName: "X", FamilyName: "Y", Email: "ANNA.ANDERSSON@exempelby.example"}, "email"},
		{"unknown role", org.Person{GivenName: "X", FamilyName: "Y", Roles: []string{"kung"}}, "roles"},
		{"overlong title", org.Person{GivenName: "X", FamilyName: "Y", Title: strings.Repeat("t", 121)}, "title"},
		{"HTML is kept as text, not refused", org.Person{GivenName: "<script>alert(1)</script>", FamilyName: "Y"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.p
			p.TenantID = tenant.ID
			err := svc.SavePerson(ctx, &p)
			if tt.field == "" {
				if err != nil {
					t.Errorf("got %v, want saved", err)
				}
				return
			}
			var e *web.Error
			if !errors.As(err, &e) || e.Status != http.StatusUnprocessableEntity || e.Fields[tt.field] == "" {
				t.Errorf("got %v, want a 422 with a message for %s", err, tt.field)
			}
		})
	}
}

func TestChefScope(t *testing.T) {
	svc, tenant := newService(t)
	ctx := context.Background()
	dep := mustUnit(t, svc, tenant.ID, 0, org.KindDepartment, "Vård- och omsorgsförvaltningen")
	north := mustUnit(t, svc, tenant.ID, dep.ID, org.KindUnit, "Hemtjänst Norra")
	team := mustUnit(t, svc, tenant.ID, north.ID, org.KindTeam, "Team Öst")
	south := mustUnit(t, svc, tenant.ID, dep.ID, org.KindUnit, "Hemtjänst Södra")
	chef := mustPerson(t, svc, tenant.ID, north.ID, "Cecilia", "Chef")
	if err := svc.SetManager(ctx, tenant.ID, north.ID, chef.ID); err != nil {
		t.Fatal(err)
	}
	p, err := svc.Store.Person(ctx, tenant.ID, chef.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !p.HasRole(org.RoleManager) {
		t.Errorf("a chef of a unit got roles %v, want the chef role", p.Roles)
	}
	tree, err := svc.Tree(ctx, tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	sc := tree.ScopeFor(&web.Viewer{PersonID: chef.ID, TenantID: tenant.ID, Roles: p.Roles})
	for id, want := range map[int64]bool{north.ID: true, team.ID: true, south.ID: false, dep.ID: false} {
		if sc.Contains(id) != want {
			t.Errorf("chef scope contains unit %d: got %v, want %v", id, !want, want)
		}
	}
	employee := tree.ScopeFor(&web.Viewer{PersonID: 999, TenantID: tenant.ID})
	if employee.Contains(north.ID) || len(employee.Roots) != 0 {
		t.Errorf("an employee's scope should be empty, got %+v", employee)
	}
	if !tree.ScopeFor(&web.Viewer{PersonID: 1, Roles: []string{org.RoleAdmin}}).Contains(south.ID) {
		t.Error("a kommunadmin's scope should hold every unit")
	}
}

func TestCreateTenantValidatesSlug(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	for _, tt := range []struct{ slug, field string }{
		{"exempelby", "slug"}, // taken
		{"Å", "slug"}, {"a b", "slug"}, {"-lead", "slug"}, {strings.Repeat("a", 41), "slug"},
		{"ny-kommun", ""},
	} {
		_, err := svc.CreateTenant(ctx, tt.slug, "Någon kommun", nil)
		if got := fieldError(err, "slug"); (got != "") != (tt.field != "") {
			t.Errorf("slug %q: got %v, want error on %q", tt.slug, err, tt.field)
		}
	}
}
