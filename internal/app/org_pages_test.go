package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/vard-kommun/vard/internal/auth"
	"github.com/vard-kommun/vard/internal/org"
)

// scenario is one request through the real router as someone, and what they must get.
type scenario struct {
	name       string
	as         func(f *fixture) *org.Person
	method     string
	path       func(f *fixture) string
	form       url.Values
	wantStatus int
	wantText   []string
	notText    []string
}

func (f *fixture) do(t *testing.T, s scenario) *httptest.ResponseRecorder {
	t.Helper()
	var body *strings.Reader
	if s.form != nil {
		body = strings.NewReader(s.form.Encode())
	} else {
		body = strings.NewReader("")
	}
	method := s.method
	if method == "" {
		method = http.MethodGet
	}
	req := httptest.NewRequest(method, s.path(f), body)
	if s.form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if s.as != nil {
		tok, err := f.app.Auth.NewSession(context.Background(), s.as(f).ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: tok})
	}
	rec := httptest.NewRecorder()
	f.app.Handler.ServeHTTP(rec, req)
	return rec
}

func admin(f *fixture) *org.Person    { return f.adminA }
func chef(f *fixture) *org.Person     { return f.chefA }
func employee(f *fixture) *org.Person { return f.employeeA }
func path(p string) func(*fixture) string {
	return func(*fixture) string { return p }
}

func TestOrganisationPages(t *testing.T) {
	f := newFixture(t)
	unit := func(f *fixture) string { return "/enheter/" + itoa(f.unitA.ID) }
	scenarios := []scenario{
		{name: "admin sees the whole tree", as: admin, path: path("/organisation"), wantStatus: 200,
			wantText: []string{"Socialförvaltningen", "Hemtjänst Norra", "Biståndsenheten", "Team Öst"}},
		{name: "chef sees only their own subtree", as: chef, path: path("/organisation"), wantStatus: 200,
			wantText: []string{"Hemtjänst Norra", "Team Öst"}, notText: []string{"Biståndsenheten"}},
		{name: "chef opens their own unit", as: chef, path: unit, wantStatus: 200, wantText: []string{"Hemtjänst Norra", "Cecilia"},
			notText: []string{"Byt namn"}},
		{name: "chef cannot open a unit elsewhere", as: chef, path: func(f *fixture) string { return "/enheter/" + itoa(f.otherUnitA.ID) }, wantStatus: 404},
		{name: "chef cannot open a person elsewhere", as: chef, path: func(f *fixture) string { return "/personer/" + itoa(f.adminA.ID) }, wantStatus: 404},
		{name: "unit page lists people below with ?under=1", as: admin, path: func(f *fixture) string { return "/enheter/" + itoa(f.unitA.ID) + "?under=1" },
			wantStatus: 200, wantText: []string{"Vera", "Erik"}},
		{name: "unit page searches its people", as: admin, path: func(f *fixture) string { return "/enheter/" + itoa(f.unitA.ID) + "?under=1&q=vera" },
			wantStatus: 200, wantText: []string{"Vera"}, notText: []string{"Erik"}},
		{name: "a page number beyond the end is an empty page, not an error", as: admin, path: path("/personer?sida=999999999999"), wantStatus: 200},
		{name: "a non-numeric id is not found", as: admin, path: path("/enheter/abc"), wantStatus: 404},
		{name: "employee has no Organisation menu", as: employee, path: path("/"), wantStatus: 200,
			wantText: []string{"Välkommen", "Erik"}, notText: []string{`href="/organisation"`}},
		{name: "anonymous start page goes to sign in", path: path("/"), wantStatus: 303},
		{name: "public kommun page", path: path("/k/a-kommun"), wantStatus: 200, wantText: []string{"A kommun"}},
		{name: "unknown kommun", path: path("/k/finns-inte"), wantStatus: 404},
		{name: "create a unit", as: admin, method: "POST", path: path("/enheter"),
			form: url.Values{"name": {"Åkerbo förskola"}, "kind": {"unit"}, "parent_id": {"1"}}, wantStatus: 303},
		{name: "create a unit with junk in every field", as: admin, method: "POST", path: path("/enheter"),
			form: url.Values{"name": {""}, "kind": {"<script>"}, "parent_id": {"abc"}}, wantStatus: 422,
			wantText: []string{"Fältet måste fyllas i.", "Välj förvaltning, enhet eller arbetslag."}, notText: []string{"<script>"}},
		{name: "rename to an overlong name", as: admin, method: "POST", path: func(f *fixture) string { return "/enheter/" + itoa(f.unitA.ID) + "/namn" },
			form: url.Values{"name": {strings.Repeat("x", 500)}}, wantStatus: 422, wantText: []string{"högst 120 tecken"}},
		{name: "set an unknown chef", as: admin, method: "POST", path: func(f *fixture) string { return "/enheter/" + itoa(f.unitA.ID) + "/chef" },
			form: url.Values{"manager": {"ingen@a.example"}}, wantStatus: 422, wantText: []string{"Ingen aktiv person"}},
		{name: "close a unit with people is refused with the reason", as: admin, method: "POST", path: func(f *fixture) string { return "/enheter/" + itoa(f.teamA.ID) + "/stang" },
			form: url.Values{}, wantStatus: 400, wantText: []string{"Flytta eller avaktivera först"}},
		{name: "add a person with a bad e-mail", as: admin, method: "POST", path: path("/personer"),
			form: url.Values{"given_name": {"Ola"}, "family_name": {"Nordmann"}, "email": {"ola@"}, "unit_id": {"x"}}, wantStatus: 422,
			wantText: []string{"Ange en giltig e-postadress", `value="Ola"`}},
		{name: "add a person", as: admin, method: "POST", path: path("/personer"),
			form: url.Values{"given_name": {"Örjan"}, "family_name": {"Åström"}, "email": {"orjan@a.example"}, "roles": {"trainer", "union_rep"}}, wantStatus: 303},
		{name: "an admin cannot deactivate themselves", as: admin, method: "POST", path: func(f *fixture) string { return "/personer/" + itoa(f.adminA.ID) + "/avaktivera" },
			form: url.Values{}, wantStatus: 400, wantText: []string{"Du kan inte avaktivera dig själv."}},
		{name: "the deactivation page asks first", as: admin, path: func(f *fixture) string { return "/personer/" + itoa(f.victimA.ID) + "/avaktivera" },
			wantStatus: 200, wantText: []string{"Ja, avaktivera", "Avbryt"}},
		{name: "English when chosen", as: admin, path: path("/organisation"), wantStatus: 200},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			rec := f.do(t, s)
			body := rec.Body.String()
			if rec.Code != s.wantStatus {
				t.Fatalf("got %d, want %d\n%s", rec.Code, s.wantStatus, body)
			}
			for _, w := range s.wantText {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range s.notText {
				if strings.Contains(body, w) {
					t.Errorf("page shows %q, which it must not", w)
				}
			}
		})
	}

	t.Run("the person added is in the list, sorted Swedish", func(t *testing.T) {
		rec := f.do(t, scenario{as: admin, path: path("/personer")})
		body := rec.Body.String()
		if !strings.Contains(body, "Åström, Örjan") {
			t.Fatalf("the new person is not listed")
		}
		if strings.Index(body, "Testsson") > strings.Index(body, "Åström") {
			t.Error("Åström is listed before Testsson; Swedish order puts Å after T")
		}
	})
}

func TestLanguageSwitch(t *testing.T) {
	f := newFixture(t)
	req := httptest.NewRequest(http.MethodPost, "/sprak", strings.NewReader("lang=en&next=/logga-in"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	f.app.Handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/logga-in" {
		t.Fatalf("got %d to %q, want 303 to /logga-in", rec.Code, rec.Header().Get("Location"))
	}
	page := httptest.NewRequest(http.MethodGet, "/logga-in", nil)
	for _, c := range rec.Result().Cookies() {
		page.AddCookie(c)
	}
	rec = httptest.NewRecorder()
	f.app.Handler.ServeHTTP(rec, page)
	if body := rec.Body.String(); !strings.Contains(body, `lang="en"`) || !strings.Contains(body, "Sign in") {
		t.Errorf("after choosing English the sign-in page is not in English")
	}
	// An open redirect through next is refused.
	req = httptest.NewRequest(http.MethodPost, "/sprak", strings.NewReader("lang=sv&next=//evil.example"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec = httptest.NewRecorder()
	f.app.Handler.ServeHTTP(rec, req)
	if loc := rec.Header().Get("Location"); loc != "/" {
		t.Errorf("next=//evil.example redirected to %q, want /", loc)
	}
}

func TestFindKommunSignIn(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct{ query, want string }{
		{"?kommun=A-Kommun", "/k/a-kommun/logga-in"},
		{"?kommun=", "/logga-in"},
		{"?kommun=..%2F..%2Fevil", "/logga-in"},
	} {
		rec := f.do(t, scenario{path: path("/logga-in/kommun" + tt.query)})
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != tt.want {
			t.Errorf("%s: got %d to %q, want 303 to %q", tt.query, rec.Code, rec.Header().Get("Location"), tt.want)
		}
	}
}
