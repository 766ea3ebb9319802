package web_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/vard-kommun/vard/internal/web"
)

const thingsFragment = `{
  "paths": {
    "/api/v1/things": {
      "get": {
        "summary": "List things",
        "parameters": [{"$ref": "#/components/parameters/Limit"}],
        "responses": {
          "200": {"description": "A page.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"}
        }
      }
    }
  },
  "components": {"schemas": {"Thing": {"type": "object"}}}
}`

func TestOpenAPIServesAssembledDocument(t *testing.T) {
	o, err := web.NewOpenAPI([]byte(thingsFragment))
	if err != nil {
		t.Fatalf("NewOpenAPI: %v", err)
	}
	rt := web.NewRouter()
	o.Route(rt)

	rec := httptest.NewRecorder()
	rt.ServeHTTP(rec, httptest.NewRequest("GET", web.OpenAPIPath, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("got status %d, want 200", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("got Content-Type %q, want application/json", ct)
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
		Info    struct {
			Title   string `json:"title"`
			Version string `json:"version"`
		} `json:"info"`
		Servers    []struct{ URL string } `json:"servers"`
		Security   []map[string][]string  `json:"security"`
		Paths      map[string]map[string]json.RawMessage
		Components map[string]map[string]json.RawMessage
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("served document is not JSON: %v", err)
	}
	if doc.OpenAPI != "3.1.0" || doc.Info.Title != "Värd API" || doc.Info.Version != "1" {
		t.Errorf("got openapi %q, title %q, version %q; want 3.1.0, Värd API, 1", doc.OpenAPI, doc.Info.Title, doc.Info.Version)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "/" {
		t.Errorf("got servers %+v, want one with url /", doc.Servers)
	}
	if len(doc.Security) != 1 || doc.Security[0]["bearer"] == nil {
		t.Errorf("got security %v, want bearer by default", doc.Security)
	}
	for kind, names := range map[string][]string{
		"schemas":         {"Problem", "Page", "Thing"},
		"securitySchemes": {"bearer"},
		"parameters":      {"Limit", "Cursor", "Offset"},
		"responses":       {"BadRequest", "Unauthorized", "Forbidden", "NotFound", "TooLarge", "Invalid"},
	} {
		for _, name := range names {
			if doc.Components[kind][name] == nil {
				t.Errorf("components.%s.%s is missing", kind, name)
			}
		}
	}
	var problem struct {
		Properties map[string]any `json:"properties"`
	}
	json.Unmarshal(doc.Components["schemas"]["Problem"], &problem)
	for _, p := range []string{"type", "title", "status", "detail", "errors"} {
		if problem.Properties[p] == nil {
			t.Errorf("Problem schema lacks %q", p)
		}
	}
	want := []string{"GET /api/v1/openapi.json", "GET /api/v1/things"}
	if got := o.Operations(); !slices.Equal(got, want) {
		t.Errorf("got operations %v, want %v", got, want)
	}

	// The document is cached: a client that has it gets 304.
	req := httptest.NewRequest("GET", web.OpenAPIPath, nil)
	req.Header.Set("If-None-Match", rec.Header().Get("ETag"))
	rec = httptest.NewRecorder()
	rt.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified {
		t.Errorf("got status %d with a matching ETag, want 304", rec.Code)
	}
}

func TestOpenAPIRejectsBrokenFragments(t *testing.T) {
	for _, tc := range []struct {
		name      string
		fragments []string
		want      string
	}{
		{"bad JSON", []string{`{"paths": {`}, "unexpected end of JSON input"},
		{"not an object", []string{`[]`}, "cannot unmarshal"},
		{"two values", []string{`{} {}`}, "after top-level value"},
		{"unknown top-level key", []string{`{"path": {}}`}, "unknown field"},
		{"path defined in two fragments", []string{thingsFragment, strings.Replace(thingsFragment, `"Thing"`, `"Other"`, 1)}, "path /api/v1/things is defined twice"},
		{"path defined twice in one fragment", []string{`{"paths": {"/a": {"get": {}}, "/a": {"post": {}}}}`}, `key "/a" in #/paths is defined twice`},
		{"path owned by the base", []string{`{"paths": {"/api/v1/openapi.json": {"get": {}}}}`}, "defined twice"},
		{"shared schema redefined", []string{`{"components": {"schemas": {"Problem": {}}}}`}, "components.schemas.Problem is defined twice"},
		{"relative path", []string{`{"paths": {"api/v1/x": {"get": {}}}}`}, "does not start with /"},
		{"path without operations", []string{`{"paths": {"/x": {}}}`}, "has no operations"},
		{"reference to a missing schema", []string{`{"paths": {"/x": {"get": {"responses": {"200": {"$ref": "#/components/responses/Nope"}}}}}}`}, "names no component"},
		{"reference outside the document", []string{`{"paths": {"/x": {"get": {"responses": {"200": {"$ref": "other.json#/x"}}}}}}`}, "not a local component"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var fs [][]byte
			for _, f := range tc.fragments {
				fs = append(fs, []byte(f))
			}
			_, err := web.NewOpenAPI(fs...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
