package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/vard-kommun/vard/internal/app"
	"github.com/vard-kommun/vard/internal/auth"
	"github.com/vard-kommun/vard/internal/db/dbtest"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/web"
)

// fixture is two kommuner: A with an admin, a chef of one enhet, an employee and a "victim" whose record
// the walk may change; B with its own admin. Plus a platform operator and an API token of A.
type fixture struct {
	app                               *app.App
	tenantA, tenantB                  *org.Tenant
	adminA, chefA, employeeA, victimA *org.Person
	adminB                            *org.Person
	unitA, teamA, otherUnitA          *org.Unit
	operatorID                        int64
	tokenA                            string
	tokenAID                          int64
}

func newApp(t testing.TB) *app.App {
	t.Helper()
	a, err := app.New(context.Background(), app.Config{Database: dbtest.DSN(t), DataDir: t.TempDir(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{app: newApp(t)}
	svc := f.app.Org
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var err error
	f.adminA = &org.Person{GivenName: "Anna", FamilyName: "Admin", Email: "admin@a.example"}
	f.tenantA, err = svc.CreateTenant(ctx, "a-kommun", "A kommun", f.adminA)
	must(err)
	f.adminB = &org.Person{GivenName: "Bertil", FamilyName: "Admin", Email: "admin@b.example"}
	f.tenantB, err = svc.CreateTenant(ctx, "b-kommun", "B kommun", f.adminB)
	must(err)
	dep, err := svc.CreateUnit(ctx, f.tenantA.ID, org.UnitInput{Kind: org.KindDepartment, Name: "Socialförvaltningen"})
	must(err)
	f.unitA, err = svc.CreateUnit(ctx, f.tenantA.ID, org.UnitInput{ParentID: dep.ID, Kind: org.KindUnit, Name: "Hemtjänst Norra"})
	must(err)
	f.teamA, err = svc.CreateUnit(ctx, f.tenantA.ID, org.UnitInput{ParentID: f.unitA.ID, Kind: org.KindTeam, Name: "Team Öst"})
	must(err)
	f.otherUnitA, err = svc.CreateUnit(ctx, f.tenantA.ID, org.UnitInput{ParentID: dep.ID, Kind: org.KindUnit, Name: "Biståndsenheten"})
	must(err)
	person := func(given, email string, unit int64) *org.Person {
		p := &org.Person{TenantID: f.tenantA.ID, GivenName: given, FamilyName: "Testsson", Email: email, UnitID: unit, Active: true}
		must(svc.SavePerson(ctx, p))
		return p
	}
	f.chefA = person("Cecilia", "chef@a.example", f.unitA.ID)
	f.employeeA = person("Erik", "medarbetare@a.example", f.teamA.ID)
	f.victimA = person("Vera", "vera@a.example", f.teamA.ID)
	must(svc.SetManager(ctx, f.tenantA.ID, f.unitA.ID, f.chefA.ID))
	must(f.app.Auth.CreateOperator(ctx, "drift@example.se", "operatörslösenord"))
	must(f.app.DB.Read().QueryRowContext(ctx, `SELECT id FROM operators`).Scan(&f.operatorID))
	f.tokenA, err = f.app.Auth.CreateToken(ctx, f.tenantA.ID, "Intranätet")
	must(err)
	must(f.app.DB.Read().QueryRowContext(ctx, `SELECT id FROM api_tokens`).Scan(&f.tokenAID))
	return f
}

// who is one kind of caller in the authorization walk.
type who struct {
	name     string
	person   func(f *fixture) *org.Person
	operator bool
	token    bool
	// foreign callers belong to kommun B, while every id in the walk belongs to kommun A.
	foreign bool
	allowed func(a web.Access) bool
}

var callers = []who{
	{name: "anonymous", allowed: func(a web.Access) bool { return a == web.Public }},
	{name: "employee of A", person: func(f *fixture) *org.Person { return f.employeeA },
		allowed: func(a web.Access) bool { return a == web.Public || a == web.SignedIn }},
	{name: "chef of A", person: func(f *fixture) *org.Person { return f.chefA },
		allowed: func(a web.Access) bool { return a == web.Public || a == web.SignedIn || a == web.Manager }},
	{name: "operator", operator: true, allowed: func(a web.Access) bool { return a == web.Public || a == web.Operator }},
	{name: "API token of A", token: true, allowed: func(a web.Access) bool { return a == web.Public || a == web.Token }},
	{name: "admin of B", person: func(f *fixture) *org.Person { return f.adminB }, foreign: true,
		allowed: func(a web.Access) bool { return a != web.Operator }},
	{name: "admin of A", person: func(f *fixture) *org.Person { return f.adminA },
		allowed: func(a web.Access) bool { return a != web.Operator }},
}

// path fills a route's wildcards with ids of kommun A.
func (f *fixture) path(t *testing.T, r web.Route) string {
	p := strings.ReplaceAll(r.Path, "{$}", "")
	id := func(n int64) string { return itoa(n) }
	switch {
	case strings.HasPrefix(p, "/enheter/"), strings.HasPrefix(p, "/api/v1/units/"):
		p = strings.ReplaceAll(p, "{id}", id(f.unitA.ID))
	case strings.HasPrefix(p, "/personer/"), strings.HasPrefix(p, "/api/v1/people/"):
		p = strings.ReplaceAll(p, "{id}", id(f.victimA.ID))
	case strings.HasPrefix(p, "/installningar/api-nycklar/"):
		p = strings.ReplaceAll(p, "{id}", id(f.tokenAID))
	case strings.HasPrefix(p, "/import/"):
		p = strings.ReplaceAll(p, "{id}", id(f.importJobA(t)))
	case strings.HasPrefix(p, "/vardegrund/versioner/"), strings.HasPrefix(p, "/api/v1/values/versions/"):
		p = strings.ReplaceAll(p, "{id}", id(f.valuesVersionA(t)))
	case strings.HasPrefix(p, "/berattelser/flode/"):
		p = strings.ReplaceAll(p, "{token}", "okand-nyckel") // a feed token nobody holds
	case strings.HasPrefix(p, "/enkater/svar/"):
		p = strings.ReplaceAll(p, "{token}", "okand-enkatlank") // a survey link nobody holds
	case strings.HasPrefix(p, "/enkater/oppen/"):
		p = strings.ReplaceAll(p, "{token}", "okand-oppen-lank") // an open link nobody holds
	case strings.HasPrefix(p, "/enkater/omgangar/"):
		p = strings.ReplaceAll(p, "{id}", id(f.walkRoundA(t)))
	case strings.HasPrefix(p, "/enkater/fragor/"):
		p = strings.ReplaceAll(p, "{id}", id(f.walkQuestionA(t)))
	case strings.HasPrefix(p, "/enkater/"):
		p = strings.ReplaceAll(p, "{id}", id(f.walkSurveyA(t)))
	case strings.HasPrefix(p, "/api/v1/rounds/"):
		p = strings.ReplaceAll(p, "{id}", id(f.walkRoundA(t)))
	case strings.HasPrefix(p, "/api/v1/surveys/"), strings.HasPrefix(p, "/k/{slug}/enkater/"):
		p = strings.ReplaceAll(p, "{id}", id(f.walkSurveyA(t)))
	case strings.Contains(p, "/berattelser/"), strings.HasPrefix(p, "/api/v1/stories/"):
		p = strings.ReplaceAll(p, "{id}", id(f.storyA(t)))
	case strings.HasPrefix(p, "/evenemang/"):
		p = strings.ReplaceAll(p, "{id}", id(f.anEventA(t)))
		p = strings.ReplaceAll(p, "{item}", id(f.agendaItemA(t)))
		p = strings.ReplaceAll(p, "{inv}", id(f.invitationA(t)))
		p = strings.ReplaceAll(p, "{person}", id(f.victimA.ID)) // door staff; Vera is none, so 404 for an admin
	case strings.HasPrefix(p, "/inbjudan/"):
		p = strings.ReplaceAll(p, "{token}", "okand-inbjudningslank-som-ingen-har") // an invitation link nobody holds
	}
	p = strings.ReplaceAll(p, "{slug}", f.tenantA.Slug)
	if strings.HasSuffix(p, "/") && r.Path != "/" {
		p += "x" // a prefix route such as /static/
	}
	if strings.Contains(p, "{") {
		t.Fatalf("route %s: the walk does not know how to fill %s; teach fixture.path", r.Pattern, p)
	}
	return p
}

// importJobA returns an import job of kommun A for the import routes.
func (f *fixture) importJobA(t *testing.T) int64 {
	var id int64
	err := f.app.DB.Read().QueryRowContext(context.Background(), `SELECT COALESCE(MAX(id), 0) FROM import_jobs WHERE tenant_id = $1`, f.tenantA.ID).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	if id == 0 {
		now := f.app.Org.Store.Now()
		err = f.app.DB.Writer().QueryRowContext(context.Background(), `INSERT INTO import_jobs (tenant_id, filename, status, content, created_at, updated_at)
			VALUES ($1, 'personal.csv', 'previewed', $2, $3, $3) RETURNING id`, f.tenantA.ID, []byte("Anst.nr;Förnamn;Efternamn;Förvaltning\n"), now).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
	}
	return id
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestAuthorization walks every route of the router with every kind of caller and checks who gets in:
// the list comes from the router itself, so a new route cannot be forgotten.
func TestAuthorization(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	routes := f.app.Router.Routes()
	if len(routes) < 20 {
		t.Fatalf("got %d routes, want the whole site", len(routes))
	}
	t.Logf("walking %d routes with %d callers", len(routes), len(callers))
	for _, c := range callers {
		for _, r := range routes {
			path := f.path(t, r)
			req := httptest.NewRequest(r.Method, path, strings.NewReader(""))
			if r.Method == http.MethodPost || r.Method == http.MethodPatch {
				if strings.HasPrefix(path, "/api/") {
					req.Header.Set("Content-Type", "application/json")
					req = httptest.NewRequest(r.Method, path, strings.NewReader("{}"))
					req.Header.Set("Content-Type", "application/json")
				} else {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
			}
			switch {
			case c.person != nil:
				tok, err := f.app.Auth.NewSession(ctx, c.person(f).ID, 0)
				if err != nil {
					t.Fatal(err)
				}
				req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: tok})
			case c.operator:
				tok, err := f.app.Auth.NewSession(ctx, 0, f.operatorID)
				if err != nil {
					t.Fatal(err)
				}
				req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: tok})
			case c.token:
				req.Header.Set("Authorization", "Bearer "+f.tokenA)
			}
			rec := httptest.NewRecorder()
			f.app.Handler.ServeHTTP(rec, req)
			got := rec.Code
			name := c.name + " " + r.Method + " " + path
			if got >= 500 {
				t.Errorf("%s: got %d, want no server error\n%s", name, got, firstLine(rec.Body.String()))
				continue
			}
			deniedStatus := got == http.StatusUnauthorized || got == http.StatusForbidden ||
				(got == http.StatusSeeOther && strings.HasPrefix(rec.Header().Get("Location"), "/logga-in?"))
			switch {
			case !c.allowed(r.Access):
				if !deniedStatus {
					t.Errorf("%s (%s route): got %d, want 401, 403 or a redirect to sign in", name, r.Access, got)
				}
			case c.foreign && strings.Contains(r.Path, "{id}"):
				if got != http.StatusNotFound {
					t.Errorf("%s: got %d, want 404 for another kommun's id", name, got)
				}
			case r.Access != web.Public && deniedStatus:
				t.Errorf("%s (%s route): got %d, want access", name, r.Access, got)
			}
		}
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i > 0 {
		return s[:i]
	}
	return s
}
