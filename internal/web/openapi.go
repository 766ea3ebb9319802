package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// OpenAPIPath is where the JSON API's OpenAPI document is served.
const OpenAPIPath = "/api/v1/openapi.json"

// OpenAPI is the JSON API's OpenAPI 3.1 document, assembled once at start-up from the fragments that
// each area embeds beside its API. A fragment is a JSON object with "paths" and "components" (schemas,
// parameters, responses); it may refer to the shared parts defined here: the schemas Problem and Page,
// the parameters Limit, Cursor and Offset, and the responses BadRequest, Unauthorized, Forbidden,
// NotFound, TooLarge and Invalid.
type OpenAPI struct {
	doc  []byte
	etag string
	ops  []string
}

// openAPIDocument is the assembled document, in the order a reader expects its parts.
type openAPIDocument struct {
	OpenAPI    string                                `json:"openapi"`
	Info       map[string]any                        `json:"info"`
	Servers    []map[string]any                      `json:"servers"`
	Security   []map[string][]string                 `json:"security"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components map[string]map[string]json.RawMessage `json:"components"`
}

// openAPIBase is the part of the document that no area owns: the document's own route, the bearer
// scheme and the shapes every area's API shares.
const openAPIBase = `{
  "paths": {
    "/api/v1/openapi.json": {
      "get": {
        "operationId": "getOpenAPI",
        "summary": "Det här dokumentet (OpenAPI 3.1)",
        "tags": ["api"],
        "security": [],
        "responses": {
          "200": {"description": "OpenAPI-dokumentet.", "content": {"application/json": {"schema": {"type": "object"}}}}
        }
      }
    }
  },
  "components": {
    "securitySchemes": {
      "bearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "vard_…",
        "description": "En API-nyckel för en kommun, skapad av en kommunadmin under API-nycklar. Nyckeln ger tillgång till den kommunens uppgifter och inget annat."
      }
    },
    "schemas": {
      "Problem": {
        "type": "object",
        "description": "Ett fel enligt RFC 9457 (application/problem+json).",
        "required": ["type", "title", "status"],
        "properties": {
          "type": {"type": "string", "description": "Feltypens URI; about:blank när statuskoden säger allt.", "example": "about:blank"},
          "title": {"type": "string", "description": "Statuskodens namn.", "example": "Unprocessable Entity"},
          "status": {"type": "integer", "description": "HTTP-statuskoden.", "example": 422},
          "detail": {"type": "string", "description": "Vad som gick fel, på svenska.", "example": "Kontrollera uppgifterna i formuläret."},
          "errors": {
            "type": "object",
            "description": "Ett meddelande per fält (JSON-egenskap eller frågeparameter) som inte godtogs.",
            "additionalProperties": {"type": "string"},
            "example": {"name": "Fältet måste fyllas i."}
          }
        }
      },
      "Page": {
        "type": "object",
        "description": "Kuvertet runt varje lista: en sida rader i data, länken till nästa sida och antalet rader som matchar filtret. Följ next tills den är null för att få varje rad exakt en gång.",
        "required": ["data", "next", "total"],
        "properties": {
          "data": {"type": "array", "description": "Sidans rader."},
          "next": {"type": ["string", "null"], "description": "Relativ URL till nästa sida med samma filter, eller null på sista sidan.", "example": "/api/v1/units?cursor=100&limit=100"},
          "total": {"type": "integer", "minimum": 0, "description": "Antalet rader som matchar filtret, på alla sidor."}
        }
      }
    },
    "parameters": {
      "Limit": {
        "name": "limit", "in": "query", "required": false,
        "description": "Högst så många rader per sida.",
        "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}
      },
      "Cursor": {
        "name": "cursor", "in": "query", "required": false,
        "description": "Var nästa sida börjar; ta värdet från next i föregående svar och tolka det inte.",
        "schema": {"type": "string"}
      },
      "Offset": {
        "name": "offset", "in": "query", "required": false,
        "description": "Antalet rader före sidan; ta helst next i föregående svar.",
        "schema": {"type": "integer", "minimum": 0, "default": 0}
      }
    },
    "responses": {
      "BadRequest": {"description": "Begäran kunde inte läsas: ogiltig JSON eller en ogiltig frågeparameter.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
      "Unauthorized": {"description": "API-nyckel saknas, är ogiltig eller återkallad.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
      "Forbidden": {"description": "Nyckeln eller inloggningen får inte göra detta.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
      "NotFound": {"description": "Finns inte, eller hör till en annan kommun.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
      "TooLarge": {"description": "Kroppen är större än 1 MiB.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
      "Invalid": {"description": "Uppgifterna godtogs inte; errors har ett meddelande per fält.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    }
  }
}`

// openAPIMethods are the operation keys of an OpenAPI path item.
var openAPIMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// NewOpenAPI assembles the document from the areas' fragments. Bad JSON, an unknown top-level key, a
// path or component defined twice, or a $ref to a component that does not exist is an error, so that a
// broken fragment stops the server at start.
func NewOpenAPI(fragments ...[]byte) (*OpenAPI, error) {
	doc := openAPIDocument{
		OpenAPI: "3.1.0",
		Info: map[string]any{
			"title":       "Värd API",
			"version":     "1",
			"description": "JSON-API för integrationer (intranät, HR, BI). Varje anrop görs med en kommuns API-nyckel (Authorization: Bearer vard_…) och ser bara den kommunens uppgifter. Fel kommer som application/problem+json (RFC 9457); listor kommer i sidor (se Page); tider är RFC 3339 i UTC.",
		},
		Servers:    []map[string]any{{"url": "/"}},
		Security:   []map[string][]string{{"bearer": {}}},
		Paths:      map[string]map[string]json.RawMessage{},
		Components: map[string]map[string]json.RawMessage{},
	}
	for i, f := range append([][]byte{[]byte(openAPIBase)}, fragments...) {
		name := fmt.Sprintf("fragment %d", i)
		if i == 0 {
			name = "base"
		}
		if err := doc.add(f); err != nil {
			return nil, fmt.Errorf("openapi %s: %w", name, err)
		}
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	if err := checkRefs(b, doc.Components); err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	sum := sha256.Sum256(b)
	o := &OpenAPI{doc: append(b, '\n'), etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	for path, item := range doc.Paths {
		for method := range item {
			if slices.Contains(openAPIMethods, method) {
				o.ops = append(o.ops, strings.ToUpper(method)+" "+path)
			}
		}
	}
	slices.Sort(o.ops)
	return o, nil
}

// add merges one fragment into the document.
func (d *openAPIDocument) add(fragment []byte) error {
	if err := checkDuplicateKeys(fragment); err != nil {
		return err
	}
	var f struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components map[string]map[string]json.RawMessage `json:"components"`
	}
	dec := json.NewDecoder(bytes.NewReader(fragment))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("more than one JSON value")
	}
	for path, item := range f.Paths {
		if !strings.HasPrefix(path, "/") {
			return fmt.Errorf("path %q does not start with /", path)
		}
		if _, ok := d.Paths[path]; ok {
			return fmt.Errorf("path %s is defined twice", path)
		}
		if len(item) == 0 {
			return fmt.Errorf("path %s has no operations", path)
		}
		d.Paths[path] = item
	}
	for kind, named := range f.Components {
		if d.Components[kind] == nil {
			d.Components[kind] = map[string]json.RawMessage{}
		}
		for name, v := range named {
			if _, ok := d.Components[kind][name]; ok {
				return fmt.Errorf("components.%s.%s is defined twice", kind, name)
			}
			d.Components[kind][name] = v
		}
	}
	return nil
}

// checkDuplicateKeys walks a JSON text and reports an object key given twice, which encoding/json
// would silently resolve by keeping the last.
func checkDuplicateKeys(b []byte) error {
	if !json.Valid(b) {
		var v any
		return json.Unmarshal(b, &v)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	var walk func(path string) error
	walk = func(path string) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]bool{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				key := k.(string)
				if seen[key] {
					return fmt.Errorf("key %q in %s is defined twice", key, path)
				}
				seen[key] = true
				if err := walk(path + "/" + key); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				if err := walk(fmt.Sprintf("%s/%d", path, i)); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		}
		return nil
	}
	return walk("#")
}

// checkRefs reports a local $ref that names a component the document does not define.
func checkRefs(doc []byte, components map[string]map[string]json.RawMessage) error {
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return err
	}
	var walk func(v any) error
	walk = func(v any) error {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				kind, name, ok := strings.Cut(strings.TrimPrefix(ref, "#/components/"), "/")
				if !strings.HasPrefix(ref, "#/components/") || !ok {
					return fmt.Errorf("$ref %s is not a local component", ref)
				}
				if _, found := components[kind][name]; !found {
					return fmt.Errorf("$ref %s names no component", ref)
				}
			}
			for _, x := range v {
				if err := walk(x); err != nil {
					return err
				}
			}
		case []any:
			for _, x := range v {
				if err := walk(x); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(v)
}

// Operations lists the documented operations as "METHOD /path", sorted, for tests that compare the
// document with the router's routes.
func (o *OpenAPI) Operations() []string { return slices.Clone(o.ops) }

// JSON returns the assembled document.
func (o *OpenAPI) JSON() []byte { return slices.Clone(o.doc) }

// Route serves the document at OpenAPIPath to anyone: it holds no kommun's data.
func (o *OpenAPI) Route(rt *Router) {
	rt.Handle("GET "+OpenAPIPath, Public, o.serve)
}

func (o *OpenAPI) serve(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("ETag", o.etag)
	h.Set("Cache-Control", "no-cache")
	// ServeContent answers If-None-Match with 304 and HEAD without a body.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(o.doc))
	return nil
}
