package org

import (
	"embed"
	"errors"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/web"
)

//go:embed templates
var templates embed.FS

// Handlers is the organisation's web pages: the tree, units, people, the import and, for platform
// operators, the list of kommuner.
type Handlers struct {
	svc     *Service
	imports *Importer
	rd      *web.Renderer
	pages   map[string]*template.Template
}

// NewHandlers parses the templates and registers the English catalogue.
func NewHandlers(svc *Service, imports *Importer, rd *web.Renderer) *Handlers {
	rd.Catalog.Add(english)
	rd.Catalog.Add(importEnglish)
	return &Handlers{svc: svc, imports: imports, rd: rd, pages: rd.MustPages(templates, "templates/*.html", templateFuncs)}
}

// templateFuncs are the organisation pages' own template functions.
var templateFuncs = template.FuncMap{
	"roleLabel": RoleLabel,
	// nodeOf pairs the page's view with a unit, so the recursive tree template can translate.
	"nodeOf": func(v web.View, u *Unit) treeNode { return treeNode{V: v, Unit: u} },
}

type treeNode struct {
	V    web.View
	Unit *Unit
}

// Routes registers the routes.
func (h *Handlers) Routes(rt *web.Router) {
	rt.Handle("GET /k/{slug}", web.Public, h.publicPage)
	rt.Handle("GET /organisation", web.Manager, h.tree)
	rt.Handle("GET /enheter/ny", web.Admin, h.newUnit)
	rt.Handle("POST /enheter", web.Admin, h.createUnit)
	rt.Handle("GET /enheter/{id}", web.Manager, h.unit)
	rt.Handle("POST /enheter/{id}/namn", web.Admin, h.renameUnit)
	rt.Handle("GET /enheter/{id}/flytta", web.Admin, h.moveUnitForm)
	rt.Handle("POST /enheter/{id}/flytta", web.Admin, h.moveUnit)
	rt.Handle("GET /enheter/{id}/stang", web.Admin, h.closeUnitForm)
	rt.Handle("POST /enheter/{id}/stang", web.Admin, h.closeUnit)
	rt.Handle("POST /enheter/{id}/oppna", web.Admin, h.reopenUnit)
	rt.Handle("POST /enheter/{id}/chef", web.Admin, h.setManager)
	rt.Handle("GET /personer", web.Admin, h.people)
	rt.Handle("GET /personer/ny", web.Admin, h.newPerson)
	rt.Handle("POST /personer", web.Admin, h.createPerson)
	rt.Handle("GET /personer/{id}", web.Manager, h.person)
	rt.Handle("POST /personer/{id}", web.Admin, h.updatePerson)
	rt.Handle("GET /personer/{id}/avaktivera", web.Admin, h.deactivateForm)
	rt.Handle("POST /personer/{id}/avaktivera", web.Admin, h.deactivate)
	rt.Handle("POST /personer/{id}/aktivera", web.Admin, h.activate)
	rt.Handle("GET /plattform/kommuner", web.Operator, h.tenants)
	rt.Handle("POST /plattform/kommuner", web.Operator, h.createTenant)
	h.importRoutes(rt)
}

func viewer(r *http.Request) *web.Viewer { return web.ViewerFrom(r.Context()) }

// notFound turns a store's not-found into the not-found page.
func notFound(err error) error {
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound()
	}
	return err
}

// --- public page

func (h *Handlers) publicPage(w http.ResponseWriter, r *http.Request) error {
	t, err := h.svc.Store.TenantBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		return notFound(err)
	}
	return h.rd.Page(w, r, h.pages["public.html"], t)
}

// --- the tree and units

type treeData struct {
	Roots []*Unit
	All   bool
}

func (h *Handlers) tree(w http.ResponseWriter, r *http.Request) error {
	t, err := h.svc.Tree(r.Context(), viewer(r).TenantID)
	if err != nil {
		return err
	}
	sc := t.ScopeFor(viewer(r))
	return h.rd.Page(w, r, h.pages["organisation.html"], treeData{Roots: sc.Roots, All: sc.All})
}

// scopedUnit loads the tree and the unit, and refuses a unit outside the viewer's scope as not found,
// so a chef cannot even learn which ids exist elsewhere.
func (h *Handlers) scopedUnit(r *http.Request) (*Tree, *Unit, error) {
	id, err := web.ID(r, "id")
	if err != nil {
		return nil, nil, err
	}
	t, err := h.svc.Tree(r.Context(), viewer(r).TenantID)
	if err != nil {
		return nil, nil, err
	}
	u, ok := t.ByID[id]
	if !ok || !t.ScopeFor(viewer(r)).Contains(id) {
		return nil, nil, web.NotFound()
	}
	return t, u, nil
}

type unitData struct {
	Unit     *Unit
	Path     []*Unit
	People   []*Person
	Pager    web.Pager
	Query    string
	Sub      bool
	CanEdit  bool
	Kinds    []Kind
	NameForm string
}

func (h *Handlers) unit(w http.ResponseWriter, r *http.Request) error {
	t, u, err := h.scopedUnit(r)
	if err != nil {
		return err
	}
	return h.renderUnit(w, r, t, u, http.StatusOK, web.View{})
}

func (h *Handlers) renderUnit(w http.ResponseWriter, r *http.Request, t *Tree, u *Unit, status int, view web.View) error {
	q := r.URL.Query()
	d := unitData{Unit: u, Path: t.Path(u.ID), Query: strings.TrimSpace(q.Get("q")), Sub: q.Get("under") == "1",
		CanEdit: viewer(r).IsAdmin(), Kinds: Kinds, Pager: web.NewPager(r, 25), NameForm: u.Name}
	ids := []int64{u.ID}
	if d.Sub {
		ids = t.Descendants(u.ID)
	}
	people, total, err := h.svc.Store.People(r.Context(), u.TenantID, PeopleFilter{UnitIDs: ids, Query: d.Query, Limit: d.Pager.PerPage, Offset: d.Pager.Offset()})
	if err != nil {
		return err
	}
	d.People, d.Pager.Total = people, total
	view.Data = d
	return h.rd.PageStatus(w, r, h.pages["unit.html"], status, view)
}

type unitFormData struct {
	Parent  *Unit
	Parents []UnitOption
	Kind    Kind
	Kinds   []Kind
	Name    string
	Unit    *Unit
}

// UnitOption is a unit in a drop-down, with its place in the tree spelled out.
type UnitOption struct {
	ID    int64
	Label string
	Kind  Kind
}

// options lists open units as "Förvaltning › Enhet › Arbetslag", in tree order.
func (t *Tree) options(skip int64) []UnitOption {
	var out []UnitOption
	var walk func(u *Unit, prefix string)
	walk = func(u *Unit, prefix string) {
		if u.Closed() || u.ID == skip {
			return
		}
		label := prefix + u.Name
		out = append(out, UnitOption{ID: u.ID, Label: label, Kind: u.Kind})
		for _, c := range u.Children {
			walk(c, label+" › ")
		}
	}
	for _, r := range t.Roots {
		walk(r, "")
	}
	return out
}

func (h *Handlers) newUnit(w http.ResponseWriter, r *http.Request) error {
	t, err := h.svc.Tree(r.Context(), viewer(r).TenantID)
	if err != nil {
		return err
	}
	d := unitFormData{Kinds: Kinds, Parents: t.options(0), Kind: KindDepartment}
	if pid, err := strconv.ParseInt(r.URL.Query().Get("overordnad"), 10, 64); err == nil {
		if p, ok := t.ByID[pid]; ok {
			d.Parent = p
			d.Kind = KindUnit
			if p.Kind != KindDepartment {
				d.Kind = KindTeam
			}
		}
	}
	return h.rd.Page(w, r, h.pages["unit_new.html"], d)
}

func (h *Handlers) createUnit(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	tenantID := viewer(r).TenantID
	parentID, _ := strconv.ParseInt(r.FormValue("parent_id"), 10, 64)
	in := UnitInput{ParentID: parentID, Kind: Kind(r.FormValue("kind")), Name: r.FormValue("name")}
	u, err := h.svc.CreateUnit(r.Context(), tenantID, in)
	if fe := fieldErrors(err); fe != nil {
		t, terr := h.svc.Tree(r.Context(), tenantID)
		if terr != nil {
			return terr
		}
		d := unitFormData{Kinds: Kinds, Parents: t.options(0), Kind: in.Kind, Name: in.Name, Parent: t.ByID[parentID]}
		return h.rd.PageStatus(w, r, h.pages["unit_new.html"], http.StatusUnprocessableEntity, web.View{Data: d, Errors: fe.Fields, Message: fe.Message})
	}
	if err != nil {
		return err
	}
	return web.Redirect(w, r, "/enheter/"+itoa64(u.ID), "Enheten är skapad.")
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// fieldErrors returns err as a validation error, or nil when it is none.
func fieldErrors(err error) *web.Error {
	var e *web.Error
	if errors.As(err, &e) && (e.Status == http.StatusUnprocessableEntity || e.Status == http.StatusBadRequest) {
		return e
	}
	return nil
}

func (h *Handlers) renameUnit(w http.ResponseWriter, r *http.Request) error {
	t, u, err := h.scopedUnit(r)
	if err != nil {
		return err
	}
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	name := r.FormValue("name")
	err = h.svc.RenameUnit(r.Context(), u.TenantID, u.ID, name)
	if fe := fieldErrors(err); fe != nil {
		return h.renderUnitWith(w, r, t, u, fe.Status, web.View{Errors: fe.Fields, Message: fe.Message}, name)
	}
	if err != nil {
		return notFound(err)
	}
	return web.Redirect(w, r, "/enheter/"+itoa64(u.ID), "Namnet är ändrat.")
}

func (h *Handlers) renderUnitWith(w http.ResponseWriter, r *http.Request, t *Tree, u *Unit, status int, view web.View, name string) error {
	q := r.URL.Query()
	q.Del("sida")
	d := unitData{Unit: u, Path: t.Path(u.ID), CanEdit: true, Kinds: Kinds, Pager: web.NewPager(r, 25), NameForm: name}
	people, total, err := h.svc.Store.People(r.Context(), u.TenantID, PeopleFilter{UnitIDs: []int64{u.ID}, Limit: 25})
	if err != nil {
		return err
	}
	d.People, d.Pager.Total = people, total
	view.Data = d
	return h.rd.PageStatus(w, r, h.pages["unit.html"], status, view)
}

type moveData struct {
	Unit    *Unit
	Parents []UnitOption
}

func (h *Handlers) moveUnitForm(w http.ResponseWriter, r *http.Request) error {
	t, u, err := h.scopedUnit(r)
	if err != nil {
		return err
	}
	return h.rd.Page(w, r, h.pages["unit_move.html"], moveData{Unit: u, Parents: moveTargets(t, u)})
}

// moveTargets lists the units a unit may move under: not itself or anything below it.
func moveTargets(t *Tree, u *Unit) []UnitOption {
	below := map[int64]bool{}
	for _, id := range t.Descendants(u.ID) {
		below[id] = true
	}
	var out []UnitOption
	for _, o := range t.options(0) {
		if !below[o.ID] && o.Kind != KindTeam {
			out = append(out, o)
		}
	}
	return out
}

func (h *Handlers) moveUnit(w http.ResponseWriter, r *http.Request) error {
	t, u, err := h.scopedUnit(r)
	if err != nil {
		return err
	}
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	parentID, _ := strconv.ParseInt(r.FormValue("parent_id"), 10, 64)
	err = h.svc.MoveUnit(r.Context(), u.TenantID, u.ID, parentID)
	if fe := fieldErrors(err); fe != nil {
		return h.rd.PageStatus(w, r, h.pages["unit_move.html"], fe.Status, web.View{Data: moveData{Unit: u, Parents: moveTargets(t, u)}, Errors: fe.Fields, Message: fe.Message})
	}
	if err != nil {
		return notFound(err)
	}
	return web.Redirect(w, r, "/enheter/"+itoa64(u.ID), "Enheten är flyttad.")
}

func (h *Handlers) closeUnitForm(w http.ResponseWriter, r *http.Request) error {
	_, u, err := h.scopedUnit(r)
	if err != nil {
		return err
	}
	return h.rd.Page(w, r, h.pages["unit_close.html"], u)
}

func (h *Handlers) closeUnit(w http.ResponseWriter, r *http.Request) error {
	_, u, err := h.scopedUnit(r)
	if err != nil {
		return err
	}
	err = h.svc.CloseUnit(r.Context(), u.TenantID, u.ID)
	if fe := fieldErrors(err); fe != nil {
		return h.rd.PageStatus(w, r, h.pages["unit_close.html"], fe.Status, web.View{Data: u, Message: fe.Message})
	}
	if err != nil {
		return notFound(err)
	}
	return web.Redirect(w, r, "/enheter/"+itoa64(u.ID), "Enheten är stängd.")
}

func (h *Handlers) reopenUnit(w http.ResponseWriter, r *http.Request) error {
	t, u, err := h.scopedUnit(r)
	if err != nil {
		return err
	}
	err = h.svc.ReopenUnit(r.Context(), u.TenantID, u.ID)
	if fe := fieldErrors(err); fe != nil {
		return h.renderUnitWith(w, r, t, u, fe.Status, web.View{Message: fe.Message}, u.Name)
	}
	if err != nil {
		return notFound(err)
	}
	return web.Redirect(w, r, "/enheter/"+itoa64(u.ID), "Enheten är öppnad igen.")
}

func (h *Handlers) setManager(w http.ResponseWriter, r *http.Request) error {
	t, u, err := h.scopedUnit(r)
	if err != nil {
		return err
	}
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	var personID int64
	if who := web.FormValue(r, "manager"); who != "" {
		p, err := h.findPerson(r, u.TenantID, who)
		if err != nil {
			return h.renderUnitWith(w, r, t, u, http.StatusUnprocessableEntity,
				web.View{Errors: map[string]string{"manager": "Ingen aktiv person har den e-postadressen eller det anställningsnumret."}}, u.Name)
		}
		personID = p.ID
	}
	err = h.svc.SetManager(r.Context(), u.TenantID, u.ID, personID)
	if fe := fieldErrors(err); fe != nil {
		return h.renderUnitWith(w, r, t, u, fe.Status, web.View{Errors: map[string]string{"manager": fe.Fields["manager_id"]}}, u.Name)
	}
	if err != nil {
		return notFound(err)
	}
	return web.Redirect(w, r, "/enheter/"+itoa64(u.ID), "Chef är ändrad.")
}

// findPerson finds an active person by e-mail address or employee id.
func (h *Handlers) findPerson(r *http.Request, tenantID int64, who string) (*Person, error) {
	if strings.Contains(who, "@") {
		p, err := h.svc.Store.PersonByEmail(r.Context(), tenantID, who)
		if err == nil && p.Active {
			return p, nil
		}
		return nil, db.ErrNotFound
	}
	list, _, err := h.svc.Store.People(r.Context(), tenantID, PeopleFilter{Query: who, Limit: 5})
	if err != nil {
		return nil, err
	}
	for _, p := range list {
		if strings.EqualFold(p.EmployeeID, who) {
			return p, nil
		}
	}
	return nil, db.ErrNotFound
}

// --- people

type peopleData struct {
	People   []*Person
	Pager    web.Pager
	Query    string
	Inactive bool
}

func (h *Handlers) people(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	d := peopleData{Query: strings.TrimSpace(q.Get("q")), Inactive: q.Get("inaktiva") == "1", Pager: web.NewPager(r, 50)}
	people, total, err := h.svc.Store.People(r.Context(), viewer(r).TenantID, PeopleFilter{Query: d.Query, Inactive: d.Inactive, Limit: d.Pager.PerPage, Offset: d.Pager.Offset()})
	if err != nil {
		return err
	}
	d.People, d.Pager.Total = people, total
	return h.rd.Page(w, r, h.pages["people.html"], d)
}

type personData struct {
	Person  *Person
	Units   []UnitOption
	Roles   []Role
	CanEdit bool
	Path    []*Unit
}

func (h *Handlers) personForm(w http.ResponseWriter, r *http.Request, p *Person, status int, view web.View) error {
	t, err := h.svc.Tree(r.Context(), viewer(r).TenantID)
	if err != nil {
		return err
	}
	view.Data = personData{Person: p, Units: t.options(0), Roles: Roles, CanEdit: viewer(r).IsAdmin(), Path: t.Path(p.UnitID)}
	return h.rd.PageStatus(w, r, h.pages["person.html"], status, view)
}

func (h *Handlers) newPerson(w http.ResponseWriter, r *http.Request) error {
	p := &Person{Active: true}
	if uid, err := strconv.ParseInt(r.URL.Query().Get("enhet"), 10, 64); err == nil {
		p.UnitID = uid
	}
	return h.personForm(w, r, p, http.StatusOK, web.View{})
}

// readPerson copies the form into p.
func readPerson(r *http.Request, p *Person) {
	p.GivenName = r.FormValue("given_name")
	p.FamilyName = r.FormValue("family_name")
	p.Email = r.FormValue("email")
	p.EmployeeID = r.FormValue("employee_id")
	p.Title = r.FormValue("title")
	p.UnitID, _ = strconv.ParseInt(r.FormValue("unit_id"), 10, 64)
	p.Roles = r.Form["roles"]
}

func (h *Handlers) createPerson(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	p := &Person{TenantID: viewer(r).TenantID, Active: true}
	readPerson(r, p)
	err := h.svc.SavePerson(r.Context(), p)
	if fe := fieldErrors(err); fe != nil {
		return h.personForm(w, r, p, fe.Status, web.View{Errors: fe.Fields, Message: fe.Message})
	}
	if err != nil {
		return err
	}
	return web.Redirect(w, r, "/personer/"+itoa64(p.ID), "Personen är tillagd.")
}

// scopedPerson loads a person the viewer may see: anyone for a kommunadmin, people in their own units
// for a chef.
func (h *Handlers) scopedPerson(r *http.Request) (*Person, error) {
	id, err := web.ID(r, "id")
	if err != nil {
		return nil, err
	}
	v := viewer(r)
	p, err := h.svc.Store.Person(r.Context(), v.TenantID, id)
	if err != nil {
		return nil, notFound(err)
	}
	if !v.IsAdmin() {
		t, err := h.svc.Tree(r.Context(), v.TenantID)
		if err != nil {
			return nil, err
		}
		if !t.ScopeFor(v).Contains(p.UnitID) {
			return nil, web.NotFound()
		}
	}
	return p, nil
}

func (h *Handlers) person(w http.ResponseWriter, r *http.Request) error {
	p, err := h.scopedPerson(r)
	if err != nil {
		return err
	}
	return h.personForm(w, r, p, http.StatusOK, web.View{})
}

func (h *Handlers) updatePerson(w http.ResponseWriter, r *http.Request) error {
	p, err := h.scopedPerson(r)
	if err != nil {
		return err
	}
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	readPerson(r, p)
	// Removing one's own kommunadmin role would lock the kommun out of its own administration.
	if p.ID == viewer(r).PersonID && !slices.Contains(p.Roles, RoleAdmin) {
		p.Roles = append(p.Roles, RoleAdmin)
	}
	err = h.svc.SavePerson(r.Context(), p)
	if fe := fieldErrors(err); fe != nil {
		return h.personForm(w, r, p, fe.Status, web.View{Errors: fe.Fields, Message: fe.Message})
	}
	if err != nil {
		return notFound(err)
	}
	return web.Redirect(w, r, "/personer/"+itoa64(p.ID), "Ändringarna är sparade.")
}

func (h *Handlers) deactivateForm(w http.ResponseWriter, r *http.Request) error {
	p, err := h.scopedPerson(r)
	if err != nil {
		return err
	}
	return h.rd.Page(w, r, h.pages["person_deactivate.html"], p)
}

func (h *Handlers) deactivate(w http.ResponseWriter, r *http.Request) error {
	p, err := h.scopedPerson(r)
	if err != nil {
		return err
	}
	if p.ID == viewer(r).PersonID {
		return h.rd.PageStatus(w, r, h.pages["person_deactivate.html"], http.StatusBadRequest, web.View{Data: p, Message: "Du kan inte avaktivera dig själv."})
	}
	if err := h.svc.SetActive(r.Context(), p.TenantID, p.ID, false); err != nil {
		return notFound(err)
	}
	return web.Redirect(w, r, "/personer/"+itoa64(p.ID), "Personen är avaktiverad och kan inte längre logga in.")
}

func (h *Handlers) activate(w http.ResponseWriter, r *http.Request) error {
	p, err := h.scopedPerson(r)
	if err != nil {
		return err
	}
	if err := h.svc.SetActive(r.Context(), p.TenantID, p.ID, true); err != nil {
		return notFound(err)
	}
	return web.Redirect(w, r, "/personer/"+itoa64(p.ID), "Personen är aktiv igen.")
}

// --- platform operator: kommuner

type tenantsData struct {
	Tenants []*Tenant
	Form    struct{ Slug, Name, GivenName, FamilyName, Email string }
}

func (h *Handlers) tenants(w http.ResponseWriter, r *http.Request) error {
	return h.renderTenants(w, r, http.StatusOK, web.View{}, tenantsData{})
}

func (h *Handlers) renderTenants(w http.ResponseWriter, r *http.Request, status int, view web.View, d tenantsData) error {
	list, err := h.svc.Store.Tenants(r.Context())
	if err != nil {
		return err
	}
	d.Tenants = list
	view.Data = d
	return h.rd.PageStatus(w, r, h.pages["tenants.html"], status, view)
}

func (h *Handlers) createTenant(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	var d tenantsData
	d.Form.Slug, d.Form.Name = web.FormValue(r, "slug"), web.FormValue(r, "name")
	d.Form.GivenName, d.Form.FamilyName, d.Form.Email = web.FormValue(r, "given_name"), web.FormValue(r, "family_name"), web.FormValue(r, "email")
	admin := &Person{GivenName: d.Form.GivenName, FamilyName: d.Form.FamilyName, Email: d.Form.Email}
	errs := map[string]string{}
	if d.Form.Email == "" {
		errs["email"] = "Ange e-postadressen till kommunens första administratör."
	}
	var t *Tenant
	var err error
	if len(errs) == 0 {
		t, err = h.svc.CreateTenant(r.Context(), d.Form.Slug, d.Form.Name, admin)
	} else {
		err = web.Invalid(errs)
	}
	if fe := fieldErrors(err); fe != nil {
		return h.renderTenants(w, r, fe.Status, web.View{Errors: fe.Fields, Message: fe.Message}, d)
	}
	if err != nil {
		return err
	}
	return web.Redirect(w, r, "/plattform/kommuner", "Kommunen "+t.Name+" är skapad. Administratören loggar in med organisationens konto eller får ett lösenord med kommandot vard user.")
}
