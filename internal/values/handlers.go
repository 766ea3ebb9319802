package values

import (
	"embed"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/web"
)

//go:embed templates
var templates embed.FS

// Handlers is the värdegrund's web pages: the start page, the current värdegrund for everyone in the
// kommun and on its public page, and for the kommunadmin the versions, drafts, adoption and comparison.
type Handlers struct {
	svc   *Service
	org   *org.Service
	rd    *web.Renderer
	pages map[string]*template.Template
}

// NewHandlers parses the templates and registers the English catalogue.
func NewHandlers(svc *Service, orgSvc *org.Service, rd *web.Renderer) *Handlers {
	rd.Catalog.Add(english())
	pages := rd.MustPages(templates, "templates/*.html", templateFuncs)
	for _, t := range pages {
		// The document partial is shared by several pages; each page's set gets its own copy.
		template.Must(t.ParseFS(templates, "templates/partials/*.html"))
	}
	return &Handlers{svc: svc, org: orgSvc, rd: rd, pages: pages}
}

// templateFuncs are the värdegrund pages' own template functions.
var templateFuncs = template.FuncMap{
	"roleLabel": org.RoleLabel,
	// doc pairs the page's view with a version, so that the document partial can translate.
	"doc": func(v web.View, ver *Version) docView { return docView{V: v, Version: ver} },
	// target writes a promise's target in the page's language: "1 arbetsdag", "95 %".
	"target": func(v web.View, t *Target) string {
		return formatNumber(t.Value) + " " + v.T(t.Unit.labelFor(t.Value))
	},
	// fieldOf names a form field for the partials that write its error and its invalid state.
	"fieldOf": func(v web.View, name string) fieldRef { return fieldRef{V: v, Name: name} },
	// textChange pairs a text's two versions for the comparison partial.
	"textChange": func(v web.View, changed bool, before, after string) textChangeView {
		return textChangeView{V: v, Changed: changed, Before: before, After: after}
	},
	// paragraphs splits a text of several lines into its non-empty lines.
	"paragraphs": func(s string) []string {
		var out []string
		for _, line := range strings.Split(s, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				out = append(out, line)
			}
		}
		return out
	},
}

type docView struct {
	V       web.View
	Version *Version
}

type fieldRef struct {
	V    web.View
	Name string
}

type textChangeView struct {
	V             web.View
	Changed       bool
	Before, After string
}

// Routes registers the routes.
func (h *Handlers) Routes(rt *web.Router) {
	rt.Handle("GET /{$}", web.Public, h.home)
	rt.Handle("GET /vardegrund", web.SignedIn, h.current)
	rt.Handle("GET /k/{slug}/vardegrund", web.Public, h.public)
	rt.Handle("GET /vardegrund/versioner", web.Admin, h.versions)
	rt.Handle("GET /vardegrund/versioner/{id}", web.Admin, h.version)
	rt.Handle("GET /vardegrund/jamfor", web.Admin, h.compare)
	rt.Handle("POST /vardegrund/utkast", web.Admin, h.createDraft)
	rt.Handle("GET /vardegrund/versioner/{id}/redigera", web.Admin, h.editForm)
	rt.Handle("POST /vardegrund/versioner/{id}/redigera", web.Admin, h.edit)
	rt.Handle("GET /vardegrund/versioner/{id}/anta", web.Admin, h.adoptForm)
	rt.Handle("POST /vardegrund/versioner/{id}/anta", web.Admin, h.adopt)
	rt.Handle("GET /vardegrund/versioner/{id}/ta-bort", web.Admin, h.deleteForm)
	rt.Handle("POST /vardegrund/versioner/{id}/ta-bort", web.Admin, h.delete)
}

func viewer(r *http.Request) *web.Viewer { return web.ViewerFrom(r.Context()) }

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func versionPath(id int64) string { return "/vardegrund/versioner/" + itoa64(id) }

// optional turns "none" into nil, so that a page can say there is nothing yet.
func optional(v *Version, err error) (*Version, error) {
	if errors.Is(err, db.ErrNotFound) {
		return nil, nil
	}
	return v, err
}

// --- the start page

type homeData struct {
	Person  *org.Person
	Path    []*org.Unit
	Tenant  *org.Tenant
	People  int
	Current *Version
	Draft   *Version
}

// home is the start page: who and where the person is in the organisation, the shortcuts of their
// role and the kommun's värdegrund.
func (h *Handlers) home(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	switch {
	case v.IsOperator():
		return web.Redirect(w, r, "/plattform/kommuner", "")
	case !v.IsPerson():
		return web.Redirect(w, r, "/logga-in", "")
	}
	ctx := r.Context()
	p, err := h.org.Store.Person(ctx, v.TenantID, v.PersonID)
	if err != nil {
		return err
	}
	t, err := h.org.Tree(ctx, v.TenantID)
	if err != nil {
		return err
	}
	tenant, err := h.org.Store.Tenant(ctx, v.TenantID)
	if err != nil {
		return err
	}
	d := homeData{Person: p, Path: t.Path(p.UnitID), Tenant: tenant}
	if v.IsAdmin() {
		if d.People, err = h.org.Store.CountPeople(ctx, v.TenantID); err != nil {
			return err
		}
		if d.Draft, err = optional(h.svc.Draft(ctx, v.TenantID)); err != nil {
			return err
		}
	}
	if d.Current, err = optional(h.svc.Current(ctx, v.TenantID)); err != nil {
		return err
	}
	return h.rd.Page(w, r, h.pages["home.html"], d)
}

// --- the current värdegrund

type currentData struct {
	Current *Version
	Draft   *Version
	Tenant  *org.Tenant
}

func (h *Handlers) current(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	ctx := r.Context()
	tenant, err := h.org.Store.Tenant(ctx, v.TenantID)
	if err != nil {
		return err
	}
	d := currentData{Tenant: tenant}
	if d.Current, err = optional(h.svc.Current(ctx, v.TenantID)); err != nil {
		return err
	}
	if v.IsAdmin() {
		if d.Draft, err = optional(h.svc.Draft(ctx, v.TenantID)); err != nil {
			return err
		}
	}
	return h.rd.Page(w, r, h.pages["current.html"], d)
}

// public is the kommun's värdegrund for anyone, without signing in.
func (h *Handlers) public(w http.ResponseWriter, r *http.Request) error {
	tenant, err := h.org.Store.TenantBySlug(r.Context(), r.PathValue("slug"))
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound()
	}
	if err != nil {
		return err
	}
	d := currentData{Tenant: tenant}
	if d.Current, err = optional(h.svc.Current(r.Context(), tenant.ID)); err != nil {
		return err
	}
	return h.rd.Page(w, r, h.pages["public.html"], d)
}

// --- versions

type versionsData struct {
	Versions []*Version
	Current  *Version
	Draft    *Version
	// From and To are the comparison the form suggests: the version before the newest, and the newest.
	From, To int64
}

func (h *Handlers) versions(w http.ResponseWriter, r *http.Request) error {
	list, err := h.svc.Versions(r.Context(), viewer(r).TenantID)
	if err != nil {
		return err
	}
	d := versionsData{Versions: list}
	for _, v := range list {
		switch v.Status {
		case StatusAdopted:
			d.Current = v
		case StatusDraft:
			d.Draft = v
		}
	}
	if len(list) >= 2 {
		d.From, d.To = list[1].ID, list[0].ID
	}
	return h.rd.Page(w, r, h.pages["versions.html"], d)
}

// loadVersion returns the version named by the path's {id}, of the viewer's kommun.
func (h *Handlers) loadVersion(r *http.Request) (*Version, error) {
	id, err := web.ID(r, "id")
	if err != nil {
		return nil, err
	}
	v, err := h.svc.Version(r.Context(), viewer(r).TenantID, id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, web.NotFound()
	}
	return v, err
}

type versionData struct {
	Version  *Version
	Previous *Version
	HasDraft bool
}

func (h *Handlers) version(w http.ResponseWriter, r *http.Request) error {
	v, err := h.loadVersion(r)
	if err != nil {
		return err
	}
	list, err := h.svc.Versions(r.Context(), v.TenantID)
	if err != nil {
		return err
	}
	d := versionData{Version: v}
	for _, other := range list { // newest first
		if other.Status == StatusDraft {
			d.HasDraft = true
		}
		if other.Number < v.Number && d.Previous == nil {
			d.Previous = other
		}
	}
	return h.rd.Page(w, r, h.pages["version.html"], d)
}

// --- comparison

type compareData struct {
	Versions []*Version
	From, To int64
	Diff     *Diff
}

// compare shows what changed between two versions, ?fran=ID&till=ID; without them, the form to choose.
func (h *Handlers) compare(w http.ResponseWriter, r *http.Request) error {
	tenantID := viewer(r).TenantID
	list, err := h.svc.Versions(r.Context(), tenantID)
	if err != nil {
		return err
	}
	d := compareData{Versions: list}
	q := r.URL.Query()
	if q.Get("fran") == "" && q.Get("till") == "" {
		if len(list) >= 2 {
			d.From, d.To = list[1].ID, list[0].ID
		}
		return h.rd.Page(w, r, h.pages["compare.html"], d)
	}
	from, errFrom := strconv.ParseInt(q.Get("fran"), 10, 64)
	to, errTo := strconv.ParseInt(q.Get("till"), 10, 64)
	if errFrom != nil || errTo != nil || from <= 0 || to <= 0 {
		return h.rd.PageStatus(w, r, h.pages["compare.html"], http.StatusBadRequest,
			web.View{Data: d, Message: "Välj två versioner att jämföra."})
	}
	d.From, d.To = from, to
	a, err := h.svc.Version(r.Context(), tenantID, from)
	if err != nil {
		return notFound(err)
	}
	b, err := h.svc.Version(r.Context(), tenantID, to)
	if err != nil {
		return notFound(err)
	}
	d.Diff = Compare(a, b)
	return h.rd.Page(w, r, h.pages["compare.html"], d)
}

// notFound turns a store's not-found into the not-found page.
func notFound(err error) error {
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound()
	}
	return err
}
