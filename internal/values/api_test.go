package values_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/vard-kommun/vard/internal/auth"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/values"
	"github.com/vard-kommun/vard/internal/web"
)

// apiServer is the värdegrund's JSON API on env's database, built as internal/app builds it.
type apiServer struct {
	*env
	handler http.Handler
	router  *web.Router
	who     map[string]func(*http.Request)
}

func newAPIServer(t *testing.T) *apiServer {
	t.Helper()
	ctx := context.Background()
	e := newEnv(t)
	d := e.db
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
	values.NewAPI(e.svc).Routes(rt)
	doc, err := web.NewOpenAPI(values.OpenAPI())
	if err != nil {
		t.Fatalf("NewOpenAPI: %v", err)
	}
	doc.Route(rt)
	s := &apiServer{env: e, router: rt,
		handler: web.Chain(rt, web.Observe(log, nil, rd.Fail), web.SecurityHeaders(false), web.CrossOrigin(rd.Fail), authSvc.Middleware(rd.Fail))}
	token := func(tenantID int64) func(*http.Request) {
		tok, err := authSvc.CreateToken(ctx, tenantID, "Intranätet")
		if err != nil {
			t.Fatal(err)
		}
		return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
	}
	session := func(personID int64) func(*http.Request) {
		tok, err := authSvc.NewSession(ctx, personID, 0)
		if err != nil {
			t.Fatal(err)
		}
		return func(r *http.Request) { r.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: tok}) }
	}
	staff := &org.Person{TenantID: e.tenantA, GivenName: "Sara", FamilyName: "Staff", Email: "sara@a.example", Active: true}
	if err := e.org.SavePerson(ctx, staff); err != nil {
		t.Fatal(err)
	}
	s.who = map[string]func(*http.Request){
		"none":    func(*http.Request) {},
		"garbage": func(r *http.Request) { r.Header.Set("Authorization", "Bearer vard_inte-en-nyckel") },
		"tokenA":  token(e.tenantA),
		"tokenB":  token(e.tenantB),
		"adminA":  session(e.adminA),
		"staffA":  session(staff.ID),
	}
	return s
}

func (s *apiServer) do(t *testing.T, who, path string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	s.who[who](req)
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	return rec
}

// apiVersion is the part of a version the scenarios look at.
type apiVersion struct {
	ID     int64  `json:"id"`
	Number int    `json:"number"`
	Status string `json:"status"`
	Vision string `json:"vision"`
	Code   string `json:"hostship_code"`
	Words  []struct {
		Key        string   `json:"key"`
		Name       string   `json:"name"`
		Behaviours []string `json:"behaviours"`
	} `json:"words"`
	Promises []struct {
		Key    string `json:"key"`
		Text   string `json:"text"`
		Target *struct {
			Value   float64 `json:"value"`
			Unit    string  `json:"unit"`
			Measure string  `json:"measure"`
		} `json:"target"`
	} `json:"promises"`
	Adoption struct {
		Date               string `json:"date"`
		Body               string `json:"body"`
		RegistrationNumber string `json:"registration_number"`
	} `json:"adoption"`
	ReplacedAt *string `json:"replaced_at"`
}

func TestAPI(t *testing.T) {
	ctx := context.Background()
	s := newAPIServer(t)

	if rec := s.do(t, "tokenA", "/api/v1/values"); rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "ingen antagen värdegrund") {
		t.Errorf("before any adoption: got %d %s, want a 404 problem", rec.Code, rec.Body)
	}
	v1 := s.adopted(t, s.tenantA, 0, first, "2019-11-18")
	v2 := s.adopted(t, s.tenantA, v1.ID, values.DraftInput{Vision: "Det goda livet.", Words: []values.WordInput{{Key: "tillit", Name: "Tillit"}}}, "2023-05-15")
	draft, err := s.svc.CreateDraft(ctx, s.tenantA, v2.ID, s.adminA)
	if err != nil {
		t.Fatal(err)
	}
	id := func(n int64) string { return itoa(n) }

	for _, tc := range []struct {
		name, who, path string
		status          int
		check           func(t *testing.T, body []byte)
	}{
		{"no key", "none", "/api/v1/values", 401, nil},
		{"a key that does not exist", "garbage", "/api/v1/values/versions", 401, nil},
		{"a signed-in employee is no integration", "staffA", "/api/v1/values", 403, nil},
		{"the current värdegrund", "tokenA", "/api/v1/values", 200, func(t *testing.T, body []byte) {
			var v apiVersion
			mustJSON(t, body, &v)
			if v.ID != v2.ID || v.Status != "adopted" || v.Vision != "Det goda livet." || len(v.Words) != 1 || v.Words[0].Key != "tillit" ||
				v.Words[0].Behaviours == nil || v.Adoption.Date != "2023-05-15" || v.ReplacedAt != nil || v.Promises == nil {
				t.Errorf("got %+v, want version 2 in force with the word tillit and empty lists as []", v)
			}
		}},
		{"a kommunadmin's session", "adminA", "/api/v1/values", 200, nil},
		{"another kommun without a värdegrund", "tokenB", "/api/v1/values", 404, nil},
		{"the versions, without the draft", "tokenA", "/api/v1/values/versions", 200, func(t *testing.T, body []byte) {
			var page struct {
				Data  []apiVersion `json:"data"`
				Next  *string      `json:"next"`
				Total int          `json:"total"`
			}
			mustJSON(t, body, &page)
			if page.Total != 2 || len(page.Data) != 2 || page.Next != nil || page.Data[0].ID != v2.ID || page.Data[1].Status != "replaced" || page.Data[1].ReplacedAt == nil {
				t.Errorf("got %+v, want versions 2 and 1 (replaced), no draft", page)
			}
			old := page.Data[1]
			if len(old.Promises) != 2 || old.Promises[0].Target == nil || old.Promises[0].Target.Unit != "working_days" || old.Promises[0].Target.Value != 2 || old.Promises[1].Target != nil {
				t.Errorf("got promises %+v, want a target of 2 working days and one without", old.Promises)
			}
		}},
		{"another kommun's versions", "tokenB", "/api/v1/values/versions", 200, func(t *testing.T, body []byte) {
			if !strings.Contains(string(body), `"data":[]`) {
				t.Errorf("got %s, want an empty list", body)
			}
		}},
		{"a misspelt filter", "tokenA", "/api/v1/values/versions?staus=adopted", 400, nil},
		{"one version", "tokenA", "/api/v1/values/versions/" + id(v1.ID), 200, func(t *testing.T, body []byte) {
			var v apiVersion
			mustJSON(t, body, &v)
			if v.Number != 1 || v.Code != "Vi hälsar först.\nVi lotsar rätt." || v.Adoption.RegistrationNumber != "KS 2024/1" {
				t.Errorf("got %+v, want version 1 with its code and diarienummer", v)
			}
		}},
		{"the draft is not in the API", "tokenA", "/api/v1/values/versions/" + id(draft.ID), 404, nil},
		{"another kommun's version", "tokenB", "/api/v1/values/versions/" + id(v1.ID), 404, nil},
		{"a junk id", "tokenA", "/api/v1/values/versions/abc", 404, nil},
		{"an id too large", "tokenA", "/api/v1/values/versions/99999999999999999999", 404, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := s.do(t, tc.who, tc.path)
			if rec.Code != tc.status {
				t.Fatalf("got %d, want %d\n%s", rec.Code, tc.status, rec.Body)
			}
			if tc.status >= 400 {
				checkProblem(t, rec)
			} else if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("got Content-Type %q, want application/json", ct)
			}
			if tc.check != nil {
				tc.check(t, rec.Body.Bytes())
			}
		})
	}
}

// TestAPIRoutesAreDocumented reads the router's own route list, so that a new route cannot be forgotten
// in the OpenAPI fragment or left open.
func TestAPIRoutesAreDocumented(t *testing.T) {
	s := newAPIServer(t)
	rec := s.do(t, "none", web.OpenAPIPath)
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	mustJSON(t, rec.Body.Bytes(), &doc)
	documented := map[string]bool{}
	for path, item := range doc.Paths {
		for method := range item {
			if method != "parameters" {
				documented[strings.ToUpper(method)+" "+path] = true
			}
		}
	}
	routes := 0
	for _, r := range s.router.Routes() {
		if r.Path == web.OpenAPIPath {
			continue
		}
		routes++
		op := r.Method + " " + r.Path
		if !documented[op] {
			t.Errorf("route %s is not in the OpenAPI document", op)
		}
		if r.Access != web.Token {
			t.Errorf("route %s has access %s, want token", op, r.Access)
		}
		delete(documented, op)
	}
	delete(documented, "GET "+web.OpenAPIPath)
	for op := range documented {
		t.Errorf("the OpenAPI document has %s, which no route serves", op)
	}
	if routes != 3 {
		t.Errorf("got %d routes, want 3", routes)
	}
}

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
}

// checkProblem fails unless the response is an RFC 9457 problem with its status and a detail.
func checkProblem(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("got Content-Type %q for status %d, want application/problem+json", ct, rec.Code)
	}
	var p web.Problem
	mustJSON(t, rec.Body.Bytes(), &p)
	if p.Status != rec.Code || p.Detail == "" {
		t.Errorf("got problem %+v for status %d, want the status and a detail", p, rec.Code)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
