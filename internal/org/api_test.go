package org_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/vard-kommun/vard/internal/auth"
	"github.com/vard-kommun/vard/internal/db/dbtest"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/web"
)

// apiServer is the JSON API on a fresh database, built as internal/app builds it, with two kommuner:
// Exempelby (A) and Grannby (B).
type apiServer struct {
	t       *testing.T
	handler http.Handler
	router  *web.Router
	doc     *web.OpenAPI
	org     *org.Service
	auth    *auth.Service
	tenantA int64
	tenantB int64
	// who holds the credentials a scenario names.
	who map[string]func(r *http.Request)
	// ids of the fixtures, by the name a scenario's path uses ({unitA}).
	ids map[string]int64
}

func newAPIServer(t *testing.T) *apiServer {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	static, err := web.NewStatic()
	if err != nil {
		t.Fatal(err)
	}
	rd, err := web.NewRenderer(static, log)
	if err != nil {
		t.Fatal(err)
	}
	rt := web.NewRouter()
	rt.Fail = rd.Fail
	authSvc := auth.NewService(d, log, false)
	orgSvc := org.NewService(org.NewStore(d))
	org.NewAPI(orgSvc).Routes(rt)
	doc, err := web.NewOpenAPI(org.OpenAPI())
	if err != nil {
		t.Fatalf("NewOpenAPI: %v", err)
	}
	doc.Route(rt)
	s := &apiServer{
		t: t, router: rt, doc: doc, org: orgSvc, auth: authSvc, ids: map[string]int64{},
		handler: web.Chain(rt, web.Observe(log, nil, rd.Fail), web.SecurityHeaders(false), web.CrossOrigin(rd.Fail), authSvc.Middleware(rd.Fail)),
	}

	adminA := &org.Person{GivenName: "Ada", FamilyName: "Admin", Email: "ada@exempelby.se"}
	a, err := orgSvc.CreateTenant(ctx, "exempelby", "Exempelby kommun", adminA)
	if err != nil {
		t.Fatalf("create kommun A: %v", err)
	}
	b, err := orgSvc.CreateTenant(ctx, "grannby", "Grannby kommun", nil)
	if err != nil {
		t.Fatalf("create kommun B: %v", err)
	}
	s.tenantA, s.tenantB = a.ID, b.ID
	s.ids["adminA"] = adminA.ID

	tokenA := s.token(a.ID, "HR-integration")
	tokenB := s.token(b.ID, "Intranätet")
	revoked := s.token(a.ID, "Gammal nyckel")
	tokens, err := authSvc.Tokens(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := authSvc.RevokeToken(ctx, a.ID, tokens[0].ID); err != nil { // newest first
		t.Fatalf("revoke: %v", err)
	}
	bearer := func(tok string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
	}
	s.who = map[string]func(*http.Request){
		"none":    func(*http.Request) {},
		"tokenA":  bearer(tokenA),
		"tokenB":  bearer(tokenB),
		"revoked": bearer(revoked),
		"garbage": bearer("vard_inte-en-riktig-nyckel"),
		"adminA":  s.session(adminA.ID),
	}
	return s
}

func (s *apiServer) token(tenantID int64, name string) string {
	tok, err := s.auth.CreateToken(context.Background(), tenantID, name)
	if err != nil {
		s.t.Fatalf("create token: %v", err)
	}
	return tok
}

func (s *apiServer) session(personID int64) func(*http.Request) {
	tok, err := s.auth.NewSession(context.Background(), personID, 0)
	if err != nil {
		s.t.Fatalf("new session: %v", err)
	}
	return func(r *http.Request) { r.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: tok}) }
}

func (s *apiServer) unit(tenantID int64, name string, kind org.Kind, parent string) int64 {
	s.t.Helper()
	u, err := s.org.CreateUnit(context.Background(), tenantID, org.UnitInput{ParentID: s.ids[parent], Kind: kind, Name: name})
	if err != nil {
		s.t.Fatalf("create unit %s: %v", name, err)
	}
	return u.ID
}

func (s *apiServer) person(tenantID int64, p *org.Person, unit string) int64 {
	s.t.Helper()
	p.TenantID, p.UnitID, p.Active = tenantID, s.ids[unit], true
	if err := s.org.SavePerson(context.Background(), p); err != nil {
		s.t.Fatalf("create person %s: %v", p.Name(), err)
	}
	return p.ID
}

// do sends a request as who, with {name} in the path replaced by the fixture's id.
func (s *apiServer) do(who, method, path, body string) *httptest.ResponseRecorder {
	s.t.Helper()
	ids := strings.NewReplacer(s.idPairs()...)
	path, body = ids.Replace(path), ids.Replace(body)
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	set, ok := s.who[who]
	if !ok {
		s.t.Fatalf("no credentials named %q", who)
	}
	set(req)
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	return rec
}

// checkProblem fails unless the response is an RFC 9457 problem with its status and a Swedish detail.
func checkProblem(t *testing.T, rec *httptest.ResponseRecorder) web.Problem {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("got Content-Type %q for status %d, want application/problem+json", ct, rec.Code)
	}
	var p web.Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatalf("problem is not JSON: %v\n%s", err, rec.Body)
	}
	if p.Status != rec.Code || p.Title == "" || p.Type == "" || p.Detail == "" {
		t.Errorf("got problem %+v for status %d, want type, title, the status and a detail", p, rec.Code)
	}
	return p
}

// withOrganisation fills kommun A with a small tree and people, and kommun B with its own.
func withOrganisation(t *testing.T) *apiServer {
	s := newAPIServer(t)
	a, b := s.tenantA, s.tenantB
	s.ids["deptA"] = s.unit(a, "Barn och utbildning", org.KindDepartment, "")
	s.ids["unitA"] = s.unit(a, "Förskolor", org.KindUnit, "deptA")
	s.ids["teamA"] = s.unit(a, "Solrosen", org.KindTeam, "unitA")
	s.ids["closedA"] = s.unit(a, "Gamla enheten", org.KindUnit, "deptA")
	if err := s.org.CloseUnit(context.Background(), a, s.ids["closedA"]); err != nil {
		t.Fatal(err)
	}
	s.ids["otherDeptA"] = s.unit(a, "Samhällsbyggnad", org.KindDepartment, "")
	s.ids["deptB"] = s.unit(b, "Socialförvaltningen", org.KindDepartment, "")
	s.ids["unitB"] = s.unit(b, "Hemtjänsten", org.KindUnit, "deptB")

	s.ids["asa"] = s.person(a, &org.Person{GivenName: "Åsa", FamilyName: "Åberg", Email: "asa@exempelby.se", EmployeeID: "1001", Title: "Förskollärare"}, "teamA")
	s.ids["olle"] = s.person(a, &org.Person{GivenName: "Olle", FamilyName: "Öst", Email: "olle@exempelby.se"}, "unitA")
	s.ids["zara"] = s.person(a, &org.Person{GivenName: "Zara", FamilyName: "Zetterlund", Email: "zara@exempelby.se"}, "otherDeptA")
	s.ids["patch"] = s.person(a, &org.Person{GivenName: "Petra", FamilyName: "Persson", Email: "petra@exempelby.se", EmployeeID: "1004", Title: "Rektor"}, "deptA")
	s.ids["gone"] = s.person(a, &org.Person{GivenName: "Greta", FamilyName: "Gammal", Email: "greta@exempelby.se"}, "teamA")
	if err := s.org.SetActive(context.Background(), a, s.ids["gone"], false); err != nil {
		t.Fatal(err)
	}
	s.ids["staffA"] = s.person(a, &org.Person{GivenName: "Sven", FamilyName: "Svensson", Email: "sven@exempelby.se"}, "unitA")
	s.who["staffA"] = s.session(s.ids["staffA"])
	s.ids["berit"] = s.person(b, &org.Person{GivenName: "Berit", FamilyName: "Bengtsson", Email: "berit@grannby.se"}, "unitB")
	return s
}

func TestAPIScenarios(t *testing.T) {
	s := withOrganisation(t)
	long := strings.Repeat("å", 121)
	tests := []struct {
		name    string
		who     string
		method  string
		path    string
		body    string
		status  int
		want    []string
		wantNot []string
	}{
		// Units.
		{name: "kommun lists its open units", who: "tokenA", method: "GET", path: "/api/v1/units", status: 200,
			want: []string{`"name":"Barn och utbildning"`, `"parent_id":null`, `"kind":"team"`, `"total":4`, `"next":null`}, wantNot: []string{"Socialförvaltningen", "Gamla enheten"}},
		{name: "closed units on request", who: "tokenA", method: "GET", path: "/api/v1/units?include_closed=true", status: 200,
			want: []string{"Gamla enheten", `"closed":true`, `"total":5`}},
		{name: "units of one kind", who: "tokenA", method: "GET", path: "/api/v1/units?kind=team", status: 200,
			want: []string{"Solrosen", `"total":1`}, wantNot: []string{"Förskolor"}},
		{name: "units under a parent", who: "tokenA", method: "GET", path: "/api/v1/units?parent_id={deptA}", status: 200,
			want: []string{"Förskolor", `"total":1`}, wantNot: []string{"Solrosen"}},
		{name: "other kommun lists only its own units", who: "tokenB", method: "GET", path: "/api/v1/units", status: 200,
			want: []string{"Socialförvaltningen", "Hemtjänsten", `"total":2`}, wantNot: []string{"Barn och utbildning"}},
		{name: "filter by another kommun's parent finds nothing", who: "tokenB", method: "GET", path: "/api/v1/units?parent_id={deptA}", status: 200,
			want: []string{`"data":[]`, `"total":0`}},
		{name: "one unit", who: "tokenA", method: "GET", path: "/api/v1/units/{teamA}", status: 200,
			want: []string{`"name":"Solrosen"`, `"parent_id":{unitA}`, `"manager_id":null`, `"closed_at":null`, `"created_at":"`}},
		{name: "another kommun's unit is not found", who: "tokenB", method: "GET", path: "/api/v1/units/{teamA}", status: 404, want: []string{"Enheten finns inte."}},
		{name: "unknown unit", who: "tokenA", method: "GET", path: "/api/v1/units/999999", status: 404, want: []string{"Enheten finns inte."}},
		{name: "unit id that is not a number", who: "tokenA", method: "GET", path: "/api/v1/units/abc", status: 404},
		{name: "kommunadmin's session may use the API", who: "adminA", method: "GET", path: "/api/v1/units/{teamA}", status: 200, want: []string{"Solrosen"}},
		{name: "an employee's session may not", who: "staffA", method: "GET", path: "/api/v1/units", status: 403},
		{name: "no token", who: "none", method: "GET", path: "/api/v1/units", status: 401},
		{name: "revoked token", who: "revoked", method: "GET", path: "/api/v1/units", status: 401, want: []string{"återkallad"}},
		{name: "garbage token", who: "garbage", method: "GET", path: "/api/v1/units", status: 401, want: []string{"ogiltig"}},
		{name: "limit not a number", who: "tokenA", method: "GET", path: "/api/v1/units?limit=abc", status: 400, want: []string{`"limit":"Ange ett heltal från 1 till 500."`}},
		{name: "limit zero", who: "tokenA", method: "GET", path: "/api/v1/units?limit=0", status: 400, want: []string{`"limit"`}},
		{name: "limit too large", who: "tokenA", method: "GET", path: "/api/v1/units?limit=100000", status: 400, want: []string{`"limit"`}},
		{name: "limit far too large", who: "tokenA", method: "GET", path: "/api/v1/units?limit=99999999999999999999999", status: 400, want: []string{`"limit"`}},
		{name: "cursor garbage", who: "tokenA", method: "GET", path: "/api/v1/units?cursor=%27%3B--", status: 400, want: []string{`"cursor":"Ogiltig cursor`}},
		{name: "cursor negative", who: "tokenA", method: "GET", path: "/api/v1/units?cursor=-5", status: 400, want: []string{`"cursor"`}},
		{name: "unknown kind", who: "tokenA", method: "GET", path: "/api/v1/units?kind=kingdom", status: 400, want: []string{`"kind"`}},
		{name: "bad boolean", who: "tokenA", method: "GET", path: "/api/v1/units?include_closed=ja", status: 400, want: []string{`"include_closed":"Ange true eller false."`}},
		{name: "misspelt parameter", who: "tokenA", method: "GET", path: "/api/v1/units?inlude_closed=true", status: 400, want: []string{`"inlude_closed":"Okänd parameter`}},
		{name: "parameter twice", who: "tokenA", method: "GET", path: "/api/v1/units?limit=1&limit=2", status: 400, want: []string{`"limit":"Parametern får anges bara en gång."`}},
		{name: "bad query string", who: "tokenA", method: "GET", path: "/api/v1/units?limit=%zz", status: 400, want: []string{"Frågesträngen"}},

		// Creating units.
		{name: "create a team", who: "tokenA", method: "POST", path: "/api/v1/units", body: `{"parent_id":{unitA},"kind":"team","name":"  Blåklockan "}`, status: 201,
			want: []string{`"name":"Blåklockan"`, `"kind":"team"`, `"parent_id":{unitA}`, `"closed":false`}},
		{name: "create a department", who: "adminA", method: "POST", path: "/api/v1/units", body: `{"kind":"department","name":"Kultur och fritid","parent_id":null}`, status: 201,
			want: []string{`"parent_id":null`}},
		{name: "parent in another kommun", who: "tokenB", method: "POST", path: "/api/v1/units", body: `{"parent_id":{deptA},"kind":"unit","name":"Intrång"}`, status: 422,
			want: []string{`"parent_id":"Den överordnade enheten finns inte."`}},
		{name: "department under a parent", who: "tokenA", method: "POST", path: "/api/v1/units", body: `{"parent_id":{deptA},"kind":"department","name":"X"}`, status: 422,
			want: []string{`"parent_id"`}},
		{name: "unit under a team", who: "tokenA", method: "POST", path: "/api/v1/units", body: `{"parent_id":{teamA},"kind":"team","name":"X"}`, status: 422,
			want: []string{"Ett arbetslag är den minsta enheten"}},
		{name: "unit under a closed unit", who: "tokenA", method: "POST", path: "/api/v1/units", body: `{"parent_id":{closedA},"kind":"team","name":"X"}`, status: 422,
			want: []string{"stängd"}},
		{name: "missing kind and name", who: "tokenA", method: "POST", path: "/api/v1/units", body: `{}`, status: 422,
			want: []string{`"kind":"Välj förvaltning, enhet eller arbetslag."`, `"name":"Fältet måste fyllas i."`}},
		{name: "overlong name", who: "tokenA", method: "POST", path: "/api/v1/units", body: `{"kind":"department","name":"` + long + `"}`, status: 422,
			want: []string{`"name":"Texten får vara högst 120 tecken."`}},
		{name: "control characters in name", who: "tokenA", method: "POST", path: "/api/v1/units", body: `{"kind":"department","name":"a\u0000b"}`, status: 422,
			want: []string{`"name":"Texten innehåller otillåtna tecken."`}},
		{name: "invalid JSON", who: "tokenA", method: "POST", path: "/api/v1/units", body: `{"kind":`, status: 400, want: []string{"Kroppen är inte ett giltigt JSON-objekt."}},
		{name: "JSON array", who: "tokenA", method: "POST", path: "/api/v1/units", body: `[1,2]`, status: 400, want: []string{"giltigt JSON-objekt"}},
		{name: "JSON null", who: "tokenA", method: "POST", path: "/api/v1/units", body: `null`, status: 400, want: []string{"inte null"}},
		{name: "two JSON values", who: "tokenA", method: "POST", path: "/api/v1/units", body: `{} {}`, status: 400, want: []string{"giltigt JSON-objekt"}},
		{name: "empty body", who: "tokenA", method: "POST", path: "/api/v1/units", status: 400, want: []string{"Kroppen är tom."}},
		{name: "unknown field", who: "tokenA", method: "POST", path: "/api/v1/units", body: `{"kind":"department","name":"X","colour":"red"}`, status: 422,
			want: []string{`"colour":"Okänt fält. Tillåtna: parent_id, kind, name."`}},
		{name: "name of the wrong type", who: "tokenA", method: "POST", path: "/api/v1/units", body: `{"kind":"department","name":42}`, status: 422,
			want: []string{`"name":"Ska vara en text."`}},
		{name: "parent id as a string", who: "tokenA", method: "POST", path: "/api/v1/units", body: `{"kind":"unit","name":"X","parent_id":"{deptA}"}`, status: 422,
			want: []string{`"parent_id":"Ska vara ett id (ett positivt heltal) eller null."`}},
		{name: "parent id as a fraction", who: "tokenA", method: "POST", path: "/api/v1/units", body: `{"kind":"unit","name":"X","parent_id":1.5}`, status: 422,
			want: []string{`"parent_id"`}},
		{name: "creating needs a token", who: "none", method: "POST", path: "/api/v1/units", body: `{"kind":"department","name":"X"}`, status: 401},
		{name: "an employee's session may not create", who: "staffA", method: "POST", path: "/api/v1/units", body: `{"kind":"department","name":"X"}`, status: 403},

		// People.
		{name: "kommun lists its active people", who: "tokenA", method: "GET", path: "/api/v1/people", status: 200,
			want: []string{`"family_name":"Åberg"`, `"employee_id":"1001"`, `"roles":["admin"]`, `"roles":[]`, `"total":6`}, wantNot: []string{"Bengtsson", "Gammal"}},
		{name: "inactive people on request", who: "tokenA", method: "GET", path: "/api/v1/people?include_inactive=true", status: 200,
			want: []string{"Gammal", `"active":false`, `"total":7`}},
		{name: "search", who: "tokenA", method: "GET", path: "/api/v1/people?q=%C3%85BERG", status: 200, want: []string{"Åsa", `"total":1`}},
		{name: "people placed in a unit", who: "tokenA", method: "GET", path: "/api/v1/people?unit_id={unitA}", status: 200,
			want: []string{"Öst", "Svensson", `"total":2`}, wantNot: []string{"Åberg"}},
		{name: "people in a unit and below", who: "tokenA", method: "GET", path: "/api/v1/people?unit_id={deptA}&include_subunits=true", status: 200,
			want: []string{"Åberg", "Öst", "Persson", "Svensson", `"total":4`}, wantNot: []string{"Zetterlund"}},
		{name: "another kommun's unit and below is nobody", who: "tokenB", method: "GET", path: "/api/v1/people?unit_id={deptA}&include_subunits=true", status: 200,
			want: []string{`"data":[]`, `"total":0`}},
		{name: "another kommun's unit is nobody", who: "tokenB", method: "GET", path: "/api/v1/people?unit_id={unitA}", status: 200,
			want: []string{`"data":[]`, `"total":0`}},
		{name: "other kommun lists only its own people", who: "tokenB", method: "GET", path: "/api/v1/people", status: 200,
			want: []string{"Bengtsson", `"total":1`}, wantNot: []string{"Åberg"}},
		{name: "subunits without a unit", who: "tokenA", method: "GET", path: "/api/v1/people?include_subunits=true", status: 400, want: []string{`"include_subunits"`}},
		{name: "unit id not a number", who: "tokenA", method: "GET", path: "/api/v1/people?unit_id=abc", status: 400, want: []string{`"unit_id"`}},
		{name: "negative offset", who: "tokenA", method: "GET", path: "/api/v1/people?offset=-1", status: 400, want: []string{`"offset"`}},
		{name: "people are paged by offset, not cursor", who: "tokenA", method: "GET", path: "/api/v1/people?cursor=5", status: 400, want: []string{`"cursor":"Okänd parameter`}},
		{name: "overlong search", who: "tokenA", method: "GET", path: "/api/v1/people?q=" + strings.Repeat("a", 201), status: 400, want: []string{`"q":"Texten får vara högst 200 tecken."`}},
		{name: "one person", who: "tokenA", method: "GET", path: "/api/v1/people/{asa}", status: 200,
			want: []string{`"given_name":"Åsa"`, `"unit_id":{teamA}`, `"email":"asa@exempelby.se"`, `"title":"Förskollärare"`, `"updated_at":"`}},
		{name: "another kommun's person is not found", who: "tokenB", method: "GET", path: "/api/v1/people/{asa}", status: 404, want: []string{"Personen finns inte."}},
		{name: "unknown person", who: "tokenA", method: "GET", path: "/api/v1/people/0", status: 404},

		// Creating people.
		{name: "create a person", who: "tokenA", method: "POST", path: "/api/v1/people",
			body: `{"given_name":"Nils","family_name":"Nyström","email":"Nils.Nystrom@Exempelby.se","unit_id":{teamA},"roles":["trainer","mentor"],"employee_id":"2001"}`, status: 201,
			want: []string{`"given_name":"Nils"`, `"email":"nils.nystrom@exempelby.se"`, `"roles":["mentor","trainer"]`, `"active":true`, `"employee_id":"2001"`}},
		{name: "names are required", who: "tokenA", method: "POST", path: "/api/v1/people", body: `{"email":"x@exempelby.se"}`, status: 422,
			want: []string{`"given_name":"Fältet måste fyllas i."`, `"family_name":"Fältet måste fyllas i."`}},
		{name: "bad e-mail address", who: "tokenA", method: "POST", path: "/api/v1/people", body: `{"given_name":"A","family_name":"B","email":"inte-en-adress"}`, status: 422,
			want: []string{`"email":"Ange en giltig e-postadress`}},
		{name: "e-mail address taken", who: "tokenA", method: "POST", path: "/api/v1/people", body: `{"given_name":"A","family_name":"B","email":"asa@exempelby.se"}`, status: 422,
			want: []string{`"email":"Det finns redan en person`}},
		{name: "same e-mail address in another kommun is fine", who: "tokenB", method: "POST", path: "/api/v1/people", body: `{"given_name":"Åsa","family_name":"Åberg","email":"asa@exempelby.se"}`, status: 201},
		{name: "unit in another kommun", who: "tokenB", method: "POST", path: "/api/v1/people", body: `{"given_name":"A","family_name":"B","unit_id":{teamA}}`, status: 422,
			want: []string{`"unit_id":"Enheten finns inte."`}},
		{name: "closed unit", who: "tokenA", method: "POST", path: "/api/v1/people", body: `{"given_name":"A","family_name":"B","unit_id":{closedA}}`, status: 422,
			want: []string{`"unit_id":"Enheten är stängd."`}},
		{name: "unknown role", who: "tokenA", method: "POST", path: "/api/v1/people", body: `{"given_name":"A","family_name":"B","roles":["king"]}`, status: 422,
			want: []string{`"roles":"Okänd roll."`}},
		{name: "roles not a list", who: "tokenA", method: "POST", path: "/api/v1/people", body: `{"given_name":"A","family_name":"B","roles":"manager"}`, status: 422,
			want: []string{`"roles":"Ska vara en lista med texter."`}},
		{name: "active not a boolean", who: "tokenA", method: "POST", path: "/api/v1/people", body: `{"given_name":"A","family_name":"B","active":"yes"}`, status: 422,
			want: []string{`"active":"Ska vara true eller false."`}},
		{name: "overlong family name", who: "tokenA", method: "POST", path: "/api/v1/people", body: `{"given_name":"A","family_name":"` + long + `"}`, status: 422,
			want: []string{`"family_name":"Texten får vara högst 100 tecken."`}},
		{name: "a token cannot make a kommunadmin", who: "tokenA", method: "POST", path: "/api/v1/people", body: `{"given_name":"A","family_name":"B","roles":["admin"]}`, status: 403,
			want: []string{`"roles"`}},
		{name: "a kommunadmin can", who: "adminA", method: "POST", path: "/api/v1/people", body: `{"given_name":"Adam","family_name":"Admin","roles":["admin"]}`, status: 201,
			want: []string{`"roles":["admin"]`}},
		{name: "body not JSON", who: "tokenA", method: "POST", path: "/api/v1/people", body: `given_name=A`, status: 400, want: []string{"giltigt JSON-objekt"}},

		// Changing people.
		{name: "change one field", who: "tokenA", method: "PATCH", path: "/api/v1/people/{patch}", body: `{"title":"Förvaltningschef"}`, status: 200,
			want: []string{`"title":"Förvaltningschef"`, `"given_name":"Petra"`, `"employee_id":"1004"`, `"unit_id":{deptA}`}},
		{name: "remove employee id and placement", who: "tokenA", method: "PATCH", path: "/api/v1/people/{patch}", body: `{"employee_id":null,"unit_id":null}`, status: 200,
			want: []string{`"employee_id":null`, `"unit_id":null`, `"title":"Förvaltningschef"`}},
		{name: "empty patch changes nothing", who: "tokenA", method: "PATCH", path: "/api/v1/people/{patch}", body: `{}`, status: 200,
			want: []string{`"title":"Förvaltningschef"`}},
		{name: "deactivate", who: "tokenA", method: "PATCH", path: "/api/v1/people/{patch}", body: `{"active":false,"roles":["manager"]}`, status: 200,
			want: []string{`"active":false`, `"roles":["manager"]`}},
		{name: "another kommun cannot change a person", who: "tokenB", method: "PATCH", path: "/api/v1/people/{asa}", body: `{"title":"Hackad"}`, status: 404},
		{name: "unknown person to change", who: "tokenA", method: "PATCH", path: "/api/v1/people/999999", body: `{"title":"X"}`, status: 404},
		{name: "blank a required name", who: "tokenA", method: "PATCH", path: "/api/v1/people/{asa}", body: `{"given_name":"  "}`, status: 422,
			want: []string{`"given_name":"Fältet måste fyllas i."`}},
		{name: "null for a text field", who: "tokenA", method: "PATCH", path: "/api/v1/people/{asa}", body: `{"title":null}`, status: 422,
			want: []string{`"title":"Ska vara en text."`}},
		{name: "unknown field in a patch", who: "tokenA", method: "PATCH", path: "/api/v1/people/{asa}", body: `{"id":5}`, status: 422,
			want: []string{`"id":"Okänt fält.`}},
		{name: "a token cannot take away kommunadmin", who: "tokenA", method: "PATCH", path: "/api/v1/people/{adminA}", body: `{"roles":[]}`, status: 403},
		{name: "a token cannot move a kommunadmin's e-mail", who: "tokenA", method: "PATCH", path: "/api/v1/people/{adminA}", body: `{"email":"kapad@evil.example"}`, status: 403,
			want: []string{"inloggad kommunadmin"}},
		{name: "binary body", who: "tokenA", method: "PATCH", path: "/api/v1/people/{asa}", body: "\x00", status: 400},
		{name: "patch needs a token", who: "none", method: "PATCH", path: "/api/v1/people/{asa}", body: `{"title":"X"}`, status: 401},

		// Unknown addresses under the API.
		{name: "unknown API path", who: "tokenA", method: "GET", path: "/api/v1/nothing", status: 404},
		{name: "unknown API path without a token", who: "none", method: "GET", path: "/api/v2/units", status: 404},
		{name: "method without a route", who: "tokenA", method: "DELETE", path: "/api/v1/units/{teamA}", status: 405},
		{name: "document is public", who: "none", method: "GET", path: "/api/v1/openapi.json", status: 200, want: []string{`"openapi": "3.1.0"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := s.do(tc.who, tc.method, tc.path, tc.body)
			body := rec.Body.String()
			if rec.Code != tc.status {
				t.Fatalf("got status %d, want %d\n%s", rec.Code, tc.status, body)
			}
			if rec.Code >= 400 {
				checkProblem(t, rec)
			} else if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("got Content-Type %q, want application/json", ct)
			}
			for _, w := range tc.want {
				w = strings.NewReplacer(s.idPairs()...).Replace(w)
				if !strings.Contains(body, w) {
					t.Errorf("response lacks %s\n%s", w, body)
				}
			}
			for _, w := range tc.wantNot {
				if strings.Contains(body, w) {
					t.Errorf("response holds %s, which it must not\n%s", w, body)
				}
			}
		})
	}
}

func (s *apiServer) idPairs() []string {
	var pairs []string
	for name, id := range s.ids {
		pairs = append(pairs, "{"+name+"}", fmt.Sprint(id))
	}
	return pairs
}

func TestAPIWriteResponses(t *testing.T) {
	s := withOrganisation(t)
	rec := s.do("tokenA", "POST", "/api/v1/units", `{"parent_id":{deptA},"kind":"unit","name":"Grundskolor"}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("got status %d, want 201\n%s", rec.Code, rec.Body)
	}
	var u struct {
		ID        int64  `json:"id"`
		CreatedAt string `json:"created_at"`
	}
	json.Unmarshal(rec.Body.Bytes(), &u)
	if loc := rec.Header().Get("Location"); loc != fmt.Sprintf("/api/v1/units/%d", u.ID) {
		t.Errorf("got Location %q, want the new unit's address", loc)
	}
	if ts, err := time.Parse(time.RFC3339, u.CreatedAt); err != nil || time.Since(ts) > time.Minute {
		t.Errorf("got created_at %q, want a recent RFC 3339 time (%v)", u.CreatedAt, err)
	}
	// The new unit is there for its kommun and for no other.
	if rec := s.do("tokenA", "GET", fmt.Sprintf("/api/v1/units/%d", u.ID), ""); rec.Code != 200 || !strings.Contains(rec.Body.String(), "Grundskolor") {
		t.Errorf("got %d %s reading the new unit, want it", rec.Code, rec.Body)
	}
	if rec := s.do("tokenB", "GET", fmt.Sprintf("/api/v1/units/%d", u.ID), ""); rec.Code != 404 {
		t.Errorf("got %d reading kommun A's new unit with B's token, want 404", rec.Code)
	}

	// A rejected change leaves the person as they were.
	before := s.do("tokenB", "GET", "/api/v1/people/{berit}", "").Body.String()
	if rec := s.do("tokenA", "PATCH", "/api/v1/people/{berit}", `{"given_name":"Hackad"}`); rec.Code != 404 {
		t.Errorf("got %d changing B's person with A's token, want 404", rec.Code)
	}
	if after := s.do("tokenB", "GET", "/api/v1/people/{berit}", "").Body.String(); after != before {
		t.Errorf("kommun B's person changed through A's token:\n%s\n%s", before, after)
	}
	p, err := s.org.Store.Person(context.Background(), s.tenantA, s.ids["asa"])
	if err != nil {
		t.Fatal(err)
	}
	s.do("tokenA", "PATCH", "/api/v1/people/{asa}", `{"title":"Ändrad","given_name":""}`)
	if q, _ := s.org.Store.Person(context.Background(), s.tenantA, s.ids["asa"]); q.Title != p.Title {
		t.Errorf("got title %q after a patch that did not validate, want %q", q.Title, p.Title)
	}

	// A body over 1 MiB is refused before it is read in full.
	big := `{"given_name":"` + strings.Repeat("a", 1<<20) + `"}`
	if rec := s.do("tokenA", "POST", "/api/v1/people", big); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("got %d for a 1 MiB body, want 413", rec.Code)
	} else {
		checkProblem(t, rec)
	}
	// A body that says it is something other than JSON.
	req := httptest.NewRequest("POST", "/api/v1/units", strings.NewReader("kind=team"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	s.who["tokenA"](req)
	rec = httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnsupportedMediaType {
		t.Errorf("got %d for a form body, want 415", rec.Code)
	} else {
		checkProblem(t, rec)
	}
}

// walk follows next from the first page until it is null and returns every row's id and the totals.
func walk[T any](t *testing.T, s *apiServer, who, first string, id func(T) int64, each func(page int)) (ids []int64, rows []T, totals []int) {
	t.Helper()
	next := first
	for page := 0; next != ""; page++ {
		if page > 1000 {
			t.Fatal("next never became null")
		}
		rec := s.do(who, "GET", next, "")
		if rec.Code != 200 {
			t.Fatalf("GET %s: got %d, want 200\n%s", next, rec.Code, rec.Body)
		}
		var p struct {
			Data  []T     `json:"data"`
			Next  *string `json:"next"`
			Total int     `json:"total"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Data {
			ids = append(ids, id(r))
			rows = append(rows, r)
		}
		totals = append(totals, p.Total)
		next = ""
		if p.Next != nil {
			next = *p.Next
			if len(p.Data) == 0 {
				t.Fatalf("page %d is empty but has a next link", page)
			}
		}
		if each != nil {
			each(page)
		}
	}
	return ids, rows, totals
}

func TestAPIPaginationWalksEveryRowOnce(t *testing.T) {
	s := newAPIServer(t)
	a, b := s.tenantA, s.tenantB
	s.ids["root"] = s.unit(a, "Kommunledning", org.KindDepartment, "")
	s.ids["rootB"] = s.unit(b, "Grannby ledning", org.KindDepartment, "")
	for i := range 22 {
		s.unit(a, fmt.Sprintf("Enhet %02d", i), org.KindUnit, "root")
		s.unit(b, fmt.Sprintf("B-enhet %02d", i), org.KindUnit, "rootB")
	}
	families := []string{"Öberg", "Andersson", "Åkesson", "Zetterberg", "Ängström", "Berg", "Östlund", "Ek", "Ågren", "Lind", "Ärlig", "Svensson"}
	for i := range 37 {
		fam := families[i%len(families)]
		s.person(a, &org.Person{GivenName: fmt.Sprintf("Namn%02d", i), FamilyName: fam, Email: fmt.Sprintf("p%d@exempelby.se", i)}, "root")
		s.person(b, &org.Person{GivenName: fmt.Sprintf("Namn%02d", i), FamilyName: fam, Email: fmt.Sprintf("p%d@grannby.se", i)}, "rootB")
	}
	ctx := context.Background()
	unitsA, _ := s.org.Store.Units(ctx, a)
	peopleA, total, _ := s.org.Store.People(ctx, a, org.PeopleFilter{Limit: 1000})

	t.Run("units by cursor", func(t *testing.T) {
		type row struct {
			ID int64 `json:"id"`
		}
		var added int64
		ids, _, totals := walk(t, s, "tokenA", "/api/v1/units?limit=5", func(r row) int64 { return r.ID },
			func(page int) {
				// A unit added halfway through the walk comes on a later page, and nothing twice.
				if page == 2 {
					added = s.unit(a, "Tillagd under tiden", org.KindUnit, "root")
				}
			})
		want := []int64{}
		for _, u := range unitsA {
			want = append(want, u.ID)
		}
		want = append(want, added)
		if !slices.Equal(ids, want) {
			t.Errorf("got ids %v, want every unit once in id order: %v", ids, want)
		}
		if totals[0] != len(unitsA) || totals[len(totals)-1] != len(unitsA)+1 {
			t.Errorf("got totals %v, want %d at first and %d at last", totals, len(unitsA), len(unitsA)+1)
		}
	})

	t.Run("units with a filter keep it on every page", func(t *testing.T) {
		type row struct {
			ID   int64    `json:"id"`
			Kind org.Kind `json:"kind"`
		}
		_, rows, _ := walk(t, s, "tokenA", "/api/v1/units?limit=4&kind=unit", func(r row) int64 { return r.ID }, nil)
		if len(rows) != 23 {
			t.Errorf("got %d units of kind unit, want 23", len(rows))
		}
		for _, r := range rows {
			if r.Kind != org.KindUnit {
				t.Errorf("got a %s on a page filtered to units", r.Kind)
			}
		}
	})

	for _, limit := range []int{1, 7, 38, 500} {
		t.Run(fmt.Sprintf("people by offset, %d a page", limit), func(t *testing.T) {
			type row struct {
				ID         int64  `json:"id"`
				FamilyName string `json:"family_name"`
				GivenName  string `json:"given_name"`
			}
			ids, rows, totals := walk(t, s, "tokenA", fmt.Sprintf("/api/v1/people?limit=%d", limit), func(r row) int64 { return r.ID }, nil)
			want := []int64{}
			for _, p := range peopleA {
				want = append(want, p.ID)
			}
			if !slices.Equal(ids, want) || totals[0] != total || len(ids) != total {
				t.Fatalf("got %d ids %v (totals %v), want the store's %d in its order %v", len(ids), ids, totals, total, want)
			}
			// Swedish order: å, ä, ö after z, and no other kommun's people.
			c := collate.New(language.Swedish)
			for i := 1; i < len(rows); i++ {
				if c.CompareString(rows[i-1].FamilyName, rows[i].FamilyName) > 0 {
					t.Errorf("%s comes before %s", rows[i-1].FamilyName, rows[i].FamilyName)
				}
			}
			if last := rows[len(rows)-1].FamilyName; last != "Östlund" {
				t.Errorf("got %s last, want Östlund", last)
			}
		})
	}
}

// TestAPIRoutesAreDocumentedAndGuarded reads the router's own route list, so that a new API route
// cannot be forgotten in the OpenAPI document or left open.
func TestAPIRoutesAreDocumentedAndGuarded(t *testing.T) {
	s := withOrganisation(t)
	rec := s.do("none", "GET", web.OpenAPIPath, "")
	if ct := rec.Header().Get("Content-Type"); rec.Code != 200 || ct != "application/json" {
		t.Fatalf("got %d %q for the document, want 200 application/json", rec.Code, ct)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("served document is not JSON: %v", err)
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths {
		for method := range item {
			if method != "parameters" && method != "summary" && method != "description" {
				documented[strings.ToUpper(method)+" "+path] = true
			}
		}
	}
	routed := map[string]bool{}
	for _, r := range s.router.Routes() {
		if !strings.HasPrefix(r.Path, "/api/") {
			continue
		}
		op := r.Method + " " + r.Path
		routed[op] = true
		if !documented[op] {
			t.Errorf("route %s is not in the OpenAPI document", op)
		}
		if r.Path == web.OpenAPIPath {
			continue
		}
		if r.Access != web.Token {
			t.Errorf("route %s has access %s, want token", op, r.Access)
		}
		path := strings.NewReplacer("{id}", "1").Replace(r.Path)
		for who, status := range map[string]int{"none": 401, "garbage": 401, "revoked": 401, "staffA": 403} {
			rec := s.do(who, r.Method, path, `{}`)
			if rec.Code != status {
				t.Errorf("%s as %s: got %d, want %d", op, who, rec.Code, status)
			}
			checkProblem(t, rec)
		}
	}
	for op := range documented {
		if !routed[op] {
			t.Errorf("the OpenAPI document has %s, which no route serves", op)
		}
	}
	if got := s.doc.Operations(); len(got) != len(documented) {
		t.Errorf("Operations lists %d, the served document %d", len(got), len(documented))
	}
}
