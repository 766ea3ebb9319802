package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vard-kommun/vard/internal/stories"
)

// api makes a GET request to the JSON API with a bearer token.
func (f *fixture) api(t *testing.T, target, token string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	f.app.Handler.ServeHTTP(rec, req)
	return rec
}

func TestStoriesAPI(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.valuesVersionA(t)
	words, _ := f.app.Values.Words(ctx, f.tenantA.ID)
	add := func(kind stories.Kind, title, body string, unit int64, wordKeys []string, approve bool) int64 {
		st, err := f.app.Stories.Submit(ctx, f.tenantA.ID, f.employeeA.ID, stories.Input{Kind: kind, Title: title, Body: body,
			Credit: stories.CreditRole, UnitID: unit, Words: wordKeys})
		if err != nil {
			t.Fatal(err)
		}
		if approve {
			if err := f.app.Stories.Approve(ctx, f.tenantA.ID, f.adminA.ID, st.ID); err != nil {
				t.Fatal(err)
			}
		}
		return st.ID
	}
	carpet := add(stories.KindExample, "Röda mattan", "Nya elever välkomnades på röda mattan.", f.teamA.ID, []string{words[0].Key}, true)
	add(stories.KindQuote, "", "Hemtjänsten lyssnar alltid.", f.otherUnitA.ID, nil, true)
	pending := add(stories.KindExample, "Ej granskad", "Väntar.", 0, nil, false)
	tokenB, err := f.app.Auth.CreateToken(ctx, f.tenantB.ID, "B:s intranät")
	if err != nil {
		t.Fatal(err)
	}

	type page struct {
		Data []struct {
			ID     int64   `json:"id"`
			Kind   string  `json:"kind"`
			Title  string  `json:"title"`
			Byline *string `json:"byline"`
			Words  []struct {
				Key, Name string
			} `json:"words"`
			DepartmentID *int64 `json:"department_id"`
		} `json:"data"`
		Next  *string `json:"next"`
		Total int     `json:"total"`
	}
	list := func(t *testing.T, query string, token string) page {
		t.Helper()
		rec := f.api(t, "/api/v1/stories"+query, token)
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" {
			t.Fatalf("GET /api/v1/stories%s: got %d %s\n%s", query, rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
		}
		var p page
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tt := range []struct {
		name, query string
		total       int
	}{
		{"all published", "", 2},
		{"by word", "?word=" + words[0].Key, 1},
		{"by kind", "?kind=quote", 1},
		{"by förvaltning", "?department_id=" + itoa(f.unitA.ID), 1},
		{"by an unknown förvaltning", "?department_id=999999", 0},
		{"full-text in Swedish", "?q=mattan", 1},
		{"a page of one", "?limit=1", 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if p := list(t, tt.query, f.tokenA); p.Total != tt.total {
				t.Errorf("got %d stories, want %d", p.Total, tt.total)
			}
		})
	}
	t.Run("the story's fields", func(t *testing.T) {
		p := list(t, "?q=mattan", f.tokenA)
		s := p.Data[0]
		if s.ID != carpet || s.Kind != "example" || s.Byline == nil || len(s.Words) != 1 || s.Words[0].Name != words[0].Name || s.DepartmentID == nil {
			t.Errorf("got %+v", s)
		}
	})
	t.Run("pages link on", func(t *testing.T) {
		p := list(t, "?limit=1", f.tokenA)
		if p.Next == nil || !strings.Contains(*p.Next, "offset=1") {
			t.Fatalf("next %v", p.Next)
		}
		if last := list(t, strings.TrimPrefix(*p.Next, "/api/v1/stories"), f.tokenA); last.Next != nil || len(last.Data) != 1 {
			t.Errorf("second page: %d stories, next %v", len(last.Data), last.Next)
		}
	})
	t.Run("another kommun's token sees none of them", func(t *testing.T) {
		if p := list(t, "", tokenB); p.Total != 0 {
			t.Errorf("B sees %d stories", p.Total)
		}
		expectProblem(t, f.api(t, "/api/v1/stories/"+itoa(carpet), tokenB), 404)
	})
	for _, tt := range []struct {
		name, target string
		status       int
	}{
		{"one story", "/api/v1/stories/" + itoa(carpet), 200},
		{"a pending story", "/api/v1/stories/" + itoa(pending), 404},
		{"a junk id", "/api/v1/stories/abc", 404},
		{"no image", "/api/v1/stories/" + itoa(carpet) + "/image", 404},
		{"an unknown parameter", "/api/v1/stories?sort=title", 400},
		{"a parameter twice", "/api/v1/stories?kind=quote&kind=example", 400},
		{"a bad kind", "/api/v1/stories?kind=poem", 400},
		{"a bad limit", "/api/v1/stories?limit=100000", 400},
		{"a negative offset", "/api/v1/stories?offset=-1", 400},
		{"an overlong search", "/api/v1/stories?q=" + strings.Repeat("a", 201), 400},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.api(t, tt.target, f.tokenA)
			if tt.status != 200 {
				expectProblem(t, rec, tt.status)
			} else if rec.Code != 200 {
				t.Errorf("got %d, want 200", rec.Code)
			}
		})
	}
	t.Run("a forged token", func(t *testing.T) {
		expectProblem(t, f.api(t, "/api/v1/stories", "vard_forged"), 401)
	})
	t.Run("documented", func(t *testing.T) {
		rec := get(t, f.app.Handler, "/api/v1/openapi.json")
		for _, p := range []string{`"/api/v1/stories"`, `"/api/v1/stories/{id}"`, `"/api/v1/stories/{id}/image"`} {
			if !strings.Contains(rec.Body.String(), p) {
				t.Errorf("the OpenAPI document lacks %s", p)
			}
		}
	})
}

func expectProblem(t *testing.T, rec *httptest.ResponseRecorder, status int) {
	t.Helper()
	if rec.Code != status || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("got %d %s, want %d problem+json\n%s", rec.Code, rec.Header().Get("Content-Type"), status, rec.Body.String())
	}
}
