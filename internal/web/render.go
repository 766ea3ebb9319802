package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

//go:embed templates
var layoutFS embed.FS

// Catalog translates the Swedish text of the UI into the second locale, English. Swedish is the key,
// so templates read as the page does and a missing entry falls back to Swedish.
type Catalog struct{ en map[string]string }

// Add adds English entries; each area adds its own at start-up.
func (c *Catalog) Add(en map[string]string) {
	if c.en == nil {
		c.en = map[string]string{}
	}
	for k, v := range en {
		c.en[k] = v
	}
}

// T returns the text in the language ("sv" or "en").
func (c *Catalog) T(lang, sv string) string {
	if lang == "en" {
		if s, ok := c.en[sv]; ok {
			return s
		}
	}
	return sv
}

// Has reports whether the catalogue has an English entry for the text.
func (c *Catalog) Has(sv string) bool { _, ok := c.en[sv]; return ok }

// Renderer renders pages in the shared layout, and errors as pages or problem+json.
type Renderer struct {
	base    *template.Template
	Catalog *Catalog
	Static  *Static
	Log     *slog.Logger
}

// NewRenderer parses the layout once; a broken template stops the server at start.
func NewRenderer(static *Static, log *slog.Logger) (*Renderer, error) {
	rd := &Renderer{Catalog: &Catalog{}, Static: static, Log: log}
	rd.Catalog.Add(layoutEnglish)
	base, err := template.New("layout").Funcs(template.FuncMap{
		"asset": static.URL,
		"add":   func(a, b int) int { return a + b },
		"date":  func(t time.Time) string { return t.In(stockholm).Format("2006-01-02") },
		"datetime": func(t time.Time) string {
			return t.In(stockholm).Format("2006-01-02 15:04")
		},
		"query": func(base string, kv ...any) string { return withQuery(base, kv...) },
		"pager": func(v View, p Pager) PagerView { return PagerView{V: v, P: p} },
		"field": func(v View, name, label string, value any, autocomplete string, required bool) Field {
			return Field{V: v, Name: name, Label: label, Value: value, Autocomplete: autocomplete, Required: required, Error: v.Errors[name]}
		},
	}).ParseFS(layoutFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	rd.base = base
	return rd, nil
}

var stockholm = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()

// PagerView pairs a pager with the page's view, so the pager partial can translate.
type PagerView struct {
	V View
	P Pager
}

// Field is one form field as a partial template renders it: label, value, and its error if any.
type Field struct {
	V            View
	Name, Label  string
	Value        any
	Autocomplete string
	Required     bool
	Error        string
}

// Pages parses an area's page templates (each defines "title" and "content") on top of the layout, one
// template set per file, keyed by file name ("unit.html"). The *.tmpl files beside the pages are parsed
// into every page: they hold the pieces several pages share.
func (rd *Renderer) Pages(fsys fs.FS, pattern string, funcs ...template.FuncMap) (map[string]*template.Template, error) {
	files, err := fs.Glob(fsys, pattern)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no templates match %s", pattern)
	}
	partials, err := fs.Glob(fsys, path.Join(path.Dir(pattern), "*.tmpl"))
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, f := range files {
		t, err := rd.base.Clone()
		if err != nil {
			return nil, err
		}
		for _, f := range funcs {
			t.Funcs(f)
		}
		if _, err := t.ParseFS(fsys, append([]string{f}, partials...)...); err != nil {
			return nil, fmt.Errorf("parse %s: %w", f, err)
		}
		pages[path.Base(f)] = t
	}
	return pages, nil
}

// MustPages is Pages for start-up code, where a broken template must stop the server.
func (rd *Renderer) MustPages(fsys fs.FS, pattern string, funcs ...template.FuncMap) map[string]*template.Template {
	p, err := rd.Pages(fsys, pattern, funcs...)
	if err != nil {
		panic(err)
	}
	return p
}

// View is what every page template gets: the page's own data in .Data, and the means to translate.
type View struct {
	Lang   string
	Viewer *Viewer
	Path   string
	Title  string
	Flash  string
	Data   any
	// Errors holds field errors of a form that did not validate.
	Errors  map[string]string
	Message string
	catalog *Catalog
}

// T translates Swedish UI text into the viewer's language.
func (v View) T(sv string) string { return v.catalog.T(v.Lang, sv) }

// Lang returns the request's language: "en" when chosen, otherwise Swedish.
func Lang(r *http.Request) string {
	if c, err := r.Cookie("lang"); err == nil && c.Value == "en" {
		return "en"
	}
	return "sv"
}

// Page renders a page template with status 200.
func (rd *Renderer) Page(w http.ResponseWriter, r *http.Request, t *template.Template, data any) error {
	return rd.PageStatus(w, r, t, http.StatusOK, View{Data: data})
}

// PageStatus renders a page template with a status and a prepared view (for forms with errors).
func (rd *Renderer) PageStatus(w http.ResponseWriter, r *http.Request, t *template.Template, status int, v View) error {
	v.Lang = Lang(r)
	v.Viewer = ViewerFrom(r.Context())
	v.Path = r.URL.Path
	v.catalog = rd.Catalog
	if v.Flash == "" {
		v.Flash = TakeFlash(w, r)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("render: %w", err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}

// Fail writes err for a person (an HTML page, or a redirect to sign in) or for the API (problem+json).
func (rd *Renderer) Fail(w http.ResponseWriter, r *http.Request, err error) {
	e := AsError(err)
	if e.Status >= 500 {
		rd.Log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if IsAPI(r) {
		msg := e.Message
		if e == ErrSignIn {
			w.Header().Set("WWW-Authenticate", `Bearer realm="vard"`)
			msg = "API-nyckel saknas. Skicka den som Authorization: Bearer <nyckel>."
		}
		WriteProblem(w, e.Status, rd.Catalog.T(Lang(r), msg), e.Fields)
		return
	}
	if e == ErrSignIn && r.Method == http.MethodGet {
		http.Redirect(w, r, "/logga-in?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	v := View{Title: http.StatusText(e.Status), Message: e.Message, Errors: e.Fields, Data: e}
	if rerr := rd.PageStatus(w, r, rd.base, e.Status, v); rerr != nil {
		http.Error(w, e.Message, e.Status)
	}
}

// Problem is an RFC 9457 problem detail.
type Problem struct {
	Type   string            `json:"type"`
	Title  string            `json:"title"`
	Status int               `json:"status"`
	Detail string            `json:"detail,omitempty"`
	Errors map[string]string `json:"errors,omitempty"`
}

// WriteProblem writes an RFC 9457 problem+json response.
func WriteProblem(w http.ResponseWriter, status int, detail string, fields map[string]string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, Errors: fields})
}

// WriteJSON writes v as JSON with the status.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// DecodeJSON reads a JSON body of at most 1 MiB into v, rejecting unknown fields, and returns a 400
// with a clear message for anything else.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return BadRequest("Ogiltig JSON: " + err.Error())
	}
	if _, err := dec.Token(); err != io.EOF {
		return BadRequest("Ogiltig JSON: mer än ett värde i kroppen.")
	}
	return nil
}

// Redirect sends the browser to a page after a form post (303 See Other), with an optional flash text.
func Redirect(w http.ResponseWriter, r *http.Request, to, flash string) error {
	if flash != "" {
		SetFlash(w, flash)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// SetFlash stores a one-time message shown on the next page.
func SetFlash(w http.ResponseWriter, msg string) {
	http.SetCookie(w, &http.Cookie{Name: "flash", Value: url.QueryEscape(msg), Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: 60})
}

// TakeFlash reads and clears the one-time message.
func TakeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie("flash")
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: "flash", Path: "/", MaxAge: -1})
	s, _ := url.QueryUnescape(c.Value)
	return s
}

func withQuery(base string, kv ...any) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	q := u.Query()
	for i := 0; i+1 < len(kv); i += 2 {
		k := fmt.Sprint(kv[i])
		v := fmt.Sprint(kv[i+1])
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// Pager is one page of a long list: which page, how many per page, and how many in all.
type Pager struct {
	Page, PerPage, Total int
	// URL is the list's address with its filters; the page number is added to it.
	URL string
}

// NewPager reads ?sida= from the request (1 when absent or bad).
func NewPager(r *http.Request, perPage int) Pager {
	p := 1
	if n, err := fmt.Sscanf(r.URL.Query().Get("sida"), "%d", &p); n != 1 || err != nil || p < 1 {
		p = 1
	}
	if p > 100000 {
		p = 100000
	}
	return Pager{Page: p, PerPage: perPage, URL: r.URL.RequestURI()}
}

// Offset is the number of rows before this page.
func (p Pager) Offset() int { return (p.Page - 1) * p.PerPage }

// Pages is the number of pages.
func (p Pager) Pages() int {
	if p.Total == 0 {
		return 1
	}
	return (p.Total + p.PerPage - 1) / p.PerPage
}

// HasPrev reports whether there is a page before this.
func (p Pager) HasPrev() bool { return p.Page > 1 }

// HasNext reports whether there is a page after this.
func (p Pager) HasNext() bool { return p.Page < p.Pages() }

// PrevURL is the link to the previous page.
func (p Pager) PrevURL() string { return withQuery(p.URL, "sida", p.Page-1) }

// NextURL is the link to the next page.
func (p Pager) NextURL() string { return withQuery(p.URL, "sida", p.Page+1) }

// FormValue returns the trimmed value of a form field.
func FormValue(r *http.Request, name string) string { return strings.TrimSpace(r.FormValue(name)) }

// ParseForm parses a form body of at most 1 MiB.
func ParseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		return BadRequest("Formuläret kunde inte läsas.")
	}
	return nil
}

// SafeNext returns next when it is a local path on this site, else "/"; it stops open redirects.
func SafeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}
