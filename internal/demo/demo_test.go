package demo_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/auth"
	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/db/dbtest"
	"github.com/vard-kommun/vard/internal/demo"
	"github.com/vard-kommun/vard/internal/org"
)

// env is a fresh, migrated database with the services Generate needs.
type env struct {
	db   *db.DB
	org  *org.Service
	auth *auth.Service
}

func newEnv(t testing.TB) env {
	t.Helper()
	d := dbtest.Open(t)
	return env{db: d, org: org.NewService(org.NewStore(d)), auth: auth.NewService(d, slog.New(slog.DiscardHandler), false)}
}

func (e env) generate(t testing.TB, opt demo.Options) int64 {
	t.Helper()
	start := time.Now()
	id, err := demo.Generate(context.Background(), e.db, e.org, e.auth, opt)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	t.Logf("Generate took %v on %s", time.Since(start).Round(time.Millisecond), e.db.Dialect)
	return id
}

func (e env) people(t testing.TB, tenantID int64) []*org.Person {
	t.Helper()
	list, _, err := e.org.Store.People(context.Background(), tenantID, org.PeopleFilter{Limit: 10000})
	if err != nil {
		t.Fatalf("people: %v", err)
	}
	return list
}

func (e env) tree(t testing.TB, tenantID int64) *org.Tree {
	t.Helper()
	tree, err := e.org.Tree(context.Background(), tenantID)
	if err != nil {
		t.Fatalf("tree: %v", err)
	}
	return tree
}

func TestGenerate(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	tenantID := e.generate(t, demo.Options{})
	tenant, err := e.org.Store.Tenant(ctx, tenantID)
	if err != nil {
		t.Fatalf("tenant: %v", err)
	}
	if tenant.Slug != "exempelby" || tenant.Name != "Exempelby kommun" {
		t.Errorf("got kommun %q (%s), want Exempelby kommun (exempelby)", tenant.Name, tenant.Slug)
	}
	tree := e.tree(t, tenantID)
	people := e.people(t, tenantID)
	byID := map[int64]*org.Person{}
	for _, p := range people {
		byID[p.ID] = p
	}

	t.Run("the tree has 6 förvaltningar, about 40 enheter and 220 arbetslag", func(t *testing.T) {
		count := map[org.Kind]int{}
		for _, u := range tree.ByID {
			count[u.Kind]++
			parent := tree.ByID[u.ParentID]
			switch {
			case u.Kind == org.KindDepartment && parent != nil,
				u.Kind == org.KindUnit && (parent == nil || parent.Kind != org.KindDepartment),
				u.Kind == org.KindTeam && (parent == nil || parent.Kind != org.KindUnit):
				t.Errorf("%s %q sits in the wrong place", u.Kind, u.Name)
			}
		}
		if n := count[org.KindDepartment]; n != 6 {
			t.Errorf("got %d förvaltningar, want 6", n)
		}
		if n := count[org.KindUnit]; n < 35 || n > 45 {
			t.Errorf("got %d enheter, want 35–45", n)
		}
		if n := count[org.KindTeam]; n != 220 {
			t.Errorf("got %d arbetslag, want 220", n)
		}
	})

	t.Run("1,400 active people", func(t *testing.T) {
		n, err := e.org.Store.CountPeople(ctx, tenantID)
		if err != nil {
			t.Fatal(err)
		}
		if n != 1400 || len(people) != 1400 {
			t.Errorf("got %d active people (%d listed), want 1400", n, len(people))
		}
	})

	t.Run("every arbetslag has people", func(t *testing.T) {
		for _, u := range tree.ByID {
			if u.Kind == org.KindTeam && u.PeopleCount == 0 {
				t.Errorf("arbetslag %q under %q has nobody", u.Name, tree.ByID[u.ParentID].Name)
			}
		}
		if sum := sumRoots(tree); sum != 1400 {
			t.Errorf("the tree holds %d people, want 1400", sum)
		}
	})

	t.Run("chefs lead their units", func(t *testing.T) {
		teamsWithChef, teams := 0, 0
		for _, u := range tree.ByID {
			if u.Kind == org.KindTeam {
				teams++
				if u.ManagerID != 0 {
					teamsWithChef++
				}
			} else if u.ManagerID == 0 {
				t.Errorf("%s %q has no chef", u.Kind, u.Name)
			}
			if u.ManagerID == 0 {
				continue
			}
			m := byID[u.ManagerID]
			if m == nil || !m.HasRole(org.RoleManager) {
				t.Errorf("the chef of %q (person %d) is not an active person with the chef role", u.Name, u.ManagerID)
			} else if m.UnitID != u.ID {
				t.Errorf("the chef of %q, %s, is placed in %q", u.Name, m.Name(), m.UnitName)
			}
		}
		if teamsWithChef*10 < teams*7 {
			t.Errorf("got %d of %d arbetslag with a chef, want most", teamsWithChef, teams)
		}
		for _, p := range people {
			if p.HasRole(org.RoleManager) && len(tree.Managed(p.ID)) == 0 {
				t.Errorf("%s holds the chef role but leads no unit", p.Name())
			}
		}
	})

	t.Run("programme roles", func(t *testing.T) {
		count := map[org.Role]int{}
		for _, p := range people {
			for _, r := range p.Roles {
				count[r]++
			}
		}
		for _, want := range []struct {
			role     org.Role
			min, max int
		}{
			{org.RoleAdmin, 1, 1}, {org.RoleUnionRep, 35, 45}, {org.RoleTrainer, 12, 18}, {org.RoleMentor, 8, 12},
			{org.RolePolitician, 6, 10}, {org.RoleCommunicator, 2, 2}, {org.RoleManager, 46, 300},
		} {
			if n := count[want.role]; n < want.min || n > want.max {
				t.Errorf("got %d with role %s, want %d–%d", n, want.role, want.min, want.max)
			}
		}
	})

	t.Run("names, e-mail addresses and employee ids", func(t *testing.T) {
		emailPattern := regexp.MustCompile(`^[a-z0-9-]+(\.[a-z0-9-]+)*@exempelby\.example$`)
		idPattern := regexp.MustCompile(`^E1\d{4}$`)
		emails, ids := map[string]bool{}, map[string]bool{}
		var swedish, zeta bool
		for _, p := range people {
			if !emailPattern.MatchString(p.Email) {
				t.Errorf("%s has e-mail address %q, want lowercase a–z", p.Name(), p.Email)
			}
			if !idPattern.MatchString(p.EmployeeID) {
				t.Errorf("%s has employee id %q, want E1nnnn", p.Name(), p.EmployeeID)
			}
			if emails[p.Email] || ids[p.EmployeeID] {
				t.Errorf("%s: e-mail %s or employee id %s is used twice", p.Name(), p.Email, p.EmployeeID)
			}
			emails[p.Email], ids[p.EmployeeID] = true, true
			if p.Title == "" {
				t.Errorf("%s has no title", p.Name())
			}
			swedish = swedish || strings.ContainsAny(p.Name(), "ÅÄÖåäö")
			zeta = zeta || strings.HasPrefix(p.GivenName, "Zeta") || strings.HasPrefix(p.FamilyName, "Zet")
		}
		if !swedish || !zeta {
			t.Errorf("got names with å, ä, ö: %v, with Zeta: %v; want both", swedish, zeta)
		}
	})

	t.Run("people sort the Swedish way", func(t *testing.T) {
		lastZ, firstÅ := -1, -1
		for i, p := range people {
			switch {
			case strings.HasPrefix(p.FamilyName, "Z"):
				lastZ = i
			case strings.HasPrefix(p.FamilyName, "Å") && firstÅ < 0:
				firstÅ = i
			}
		}
		if lastZ < 0 || firstÅ < 0 || firstÅ < lastZ {
			t.Errorf("got the last Z… family name at %d and the first Å… at %d, want Å after Z", lastZ, firstÅ)
		}
	})

	t.Run("the demo accounts", func(t *testing.T) {
		accounts := map[string]*org.Person{}
		for _, a := range demo.Accounts {
			p, err := e.org.Store.PersonByEmail(ctx, tenantID, a.Email)
			if err != nil {
				t.Fatalf("%s: %v", a.Email, err)
			}
			accounts[a.Role] = p
			token, err := e.auth.SignIn(ctx, a.Email, demo.Password, "127.0.0.1")
			if err != nil {
				t.Errorf("sign in as %s: %v", a.Email, err)
				continue
			}
			v, err := e.auth.Viewer(ctx, token)
			if err != nil || v == nil || v.PersonID != p.ID || v.TenantID != tenantID {
				t.Errorf("sign in as %s: got viewer %+v (%v), want person %d of kommun %d", a.Email, v, err, p.ID, tenantID)
			}
		}
		if _, err := e.auth.SignIn(ctx, "medarbetare@exempelby.example", "fel-lösenord", "127.0.0.1"); err == nil {
			t.Error("signed in with a wrong password")
		}

		admin := accounts["Kommunadmin"]
		if admin == nil || !admin.HasRole(org.RoleAdmin) || tree.Department(admin.UnitID).Name != "Kommunledningsförvaltningen" {
			t.Errorf("got admin %+v, want a kommunadmin in Kommunledningsförvaltningen", admin)
		}

		chef := accounts["Chef"]
		if chef == nil || !chef.HasRole(org.RoleManager) {
			t.Fatalf("got chef %+v, want the chef role", chef)
		}
		led := tree.Managed(chef.ID)
		if len(led) != 1 || led[0].Kind != org.KindUnit || len(led[0].Children) < 2 {
			t.Fatalf("the chef leads %d units, want one enhet with several arbetslag", len(led))
		}

		employee := accounts["Medarbetare"]
		if employee == nil || len(employee.Roles) != 0 {
			t.Fatalf("got medarbetare %+v, want no roles", employee)
		}
		team := tree.ByID[employee.UnitID]
		if team == nil || team.Kind != org.KindTeam || team.ParentID != led[0].ID {
			t.Errorf("the medarbetare works in %q, want an arbetslag of %q", employee.UnitName, led[0].Name)
		}
	})
}

func sumRoots(tree *org.Tree) int {
	n := 0
	for _, r := range tree.Roots {
		n += r.TotalPeople
	}
	return n
}

// digest sums up everything the seed decides: the tree, its chefs and the people with their roles.
func digest(t testing.TB, e env, tenantID int64) string {
	t.Helper()
	units, err := e.org.Store.Units(context.Background(), tenantID)
	if err != nil {
		t.Fatal(err)
	}
	names := map[int64]string{}
	for _, u := range units {
		names[u.ID] = u.Name
	}
	h := sha256.New()
	for _, u := range units {
		fmt.Fprintf(h, "unit %s %q under %q, chef %q\n", u.Kind, u.Name, names[u.ParentID], u.ManagerName)
	}
	for _, p := range e.people(t, tenantID) {
		fmt.Fprintf(h, "person %s %q %q %s %q in %q %v\n", p.EmployeeID, p.GivenName, p.FamilyName, p.Email, p.Title, p.UnitName, p.Roles)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestGenerateIsDeterministic(t *testing.T) {
	var sums []string
	for _, seed := range []int64{1, 1, 2} {
		e := newEnv(t)
		sums = append(sums, digest(t, e, e.generate(t, demo.Options{Seed: seed})))
		t.Logf("seed %d: digest %s", seed, sums[len(sums)-1])
	}
	if sums[0] != sums[1] {
		t.Errorf("seed 1 gave two different kommuner: %s and %s", sums[0], sums[1])
	}
	if sums[0] == sums[2] {
		t.Errorf("seeds 1 and 2 gave the same kommun %s", sums[0])
	}
}

func TestGenerateIsIdempotent(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	first := e.generate(t, demo.Options{})
	before := digest(t, e, first)
	second := e.generate(t, demo.Options{})
	if second != first {
		t.Errorf("the second run returned kommun %d, want %d", second, first)
	}
	n, err := e.org.Store.CountPeople(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1400 {
		t.Errorf("got %d people after two runs, want 1400", n)
	}
	if after := digest(t, e, first); after != before {
		t.Error("the second run changed the kommun")
	}
	tenants, err := e.org.Store.Tenants(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(tenants) != 1 {
		t.Errorf("got %d kommuner after two runs, want 1", len(tenants))
	}
}

func TestGenerateFinishesAnEmptyKommun(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	// As left by a run that stopped after creating the kommun and before writing its tree.
	tenant, err := e.org.CreateTenant(ctx, "exempelby", "Exempelby kommun", nil)
	if err != nil {
		t.Fatal(err)
	}
	if id := e.generate(t, demo.Options{}); id != tenant.ID {
		t.Errorf("got kommun %d, want the existing %d", id, tenant.ID)
	}
	if n, _ := e.org.Store.CountPeople(ctx, tenant.ID); n != 1400 {
		t.Errorf("got %d people, want 1400", n)
	}
}

func TestGenerateUsesTheSlugForAddresses(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	id := e.generate(t, demo.Options{Slug: "provby", Name: "Provby kommun"})
	p, err := e.org.Store.PersonByEmail(ctx, id, "chef@provby.example")
	if err != nil {
		t.Fatalf("chef@provby.example: %v", err)
	}
	if !p.HasRole(org.RoleManager) {
		t.Errorf("got roles %v, want the chef role", p.Roles)
	}
	for _, p := range e.people(t, id) {
		if !strings.HasSuffix(p.Email, "@provby.example") {
			t.Fatalf("got %s, want every address at provby.example", p.Email)
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		e := newEnv(b)
		b.StartTimer()
		if _, err := demo.Generate(ctx, e.db, e.org, e.auth, demo.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
