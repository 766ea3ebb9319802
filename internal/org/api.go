package org

import (
	_ "embed"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/web"
)

// API is the organisation's part of the JSON API under /api/v1: units and people of the caller's
// kommun, read and written through the same rules as the pages.
type API struct{ svc *Service }

// NewAPI returns the organisation API.
func NewAPI(svc *Service) *API { return &API{svc: svc} }

//go:embed openapi.json
var openAPIFragment []byte

// OpenAPI returns the organisation's fragment of the OpenAPI document, for web.NewOpenAPI.
func OpenAPI() []byte { return slices.Clone(openAPIFragment) }

// Routes registers the API routes. Every route needs a kommun's API token (or a kommunadmin's session)
// and sees only that kommun.
func (a *API) Routes(rt *web.Router) {
	rt.Handle("GET /api/v1/units", web.Token, a.units)
	rt.Handle("POST /api/v1/units", web.Token, a.createUnit)
	rt.Handle("GET /api/v1/units/{id}", web.Token, a.unit)
	rt.Handle("GET /api/v1/people", web.Token, a.people)
	rt.Handle("POST /api/v1/people", web.Token, a.createPerson)
	rt.Handle("GET /api/v1/people/{id}", web.Token, a.person)
	rt.Handle("PATCH /api/v1/people/{id}", web.Token, a.patchPerson)
}

// Page sizes of the lists.
const (
	apiDefaultLimit = 100
	apiMaxLimit     = 500
)

// apiUnit is a unit as the API shows it.
type apiUnit struct {
	ID        int64   `json:"id"`
	ParentID  *int64  `json:"parent_id"`
	Kind      Kind    `json:"kind"`
	Name      string  `json:"name"`
	ManagerID *int64  `json:"manager_id"`
	Closed    bool    `json:"closed"`
	ClosedAt  *string `json:"closed_at"`
	CreatedAt string  `json:"created_at"`
}

func toAPIUnit(u *Unit) apiUnit {
	out := apiUnit{ID: u.ID, ParentID: apiID(u.ParentID), Kind: u.Kind, Name: u.Name, ManagerID: apiID(u.ManagerID),
		Closed: u.Closed(), CreatedAt: apiTime(u.CreatedAt)}
	if u.ClosedAt != nil {
		s := apiTime(*u.ClosedAt)
		out.ClosedAt = &s
	}
	return out
}

// apiPerson is a person as the API shows them.
type apiPerson struct {
	ID         int64   `json:"id"`
	EmployeeID *string `json:"employee_id"`
	GivenName  string  `json:"given_name"`
	FamilyName string  `json:"family_name"`
	Email      string  `json:"email"`
	Title      string  `json:"title"`
	UnitID     *int64  `json:"unit_id"`
	Roles      []Role  `json:"roles"`
	Active     bool    `json:"active"`
	UpdatedAt  string  `json:"updated_at"`
}

func toAPIPerson(p *Person) apiPerson {
	out := apiPerson{ID: p.ID, GivenName: p.GivenName, FamilyName: p.FamilyName, Email: p.Email, Title: p.Title,
		UnitID: apiID(p.UnitID), Roles: p.Roles, Active: p.Active, UpdatedAt: apiTime(p.UpdatedAt)}
	if p.EmployeeID != "" {
		out.EmployeeID = &p.EmployeeID
	}
	if out.Roles == nil {
		out.Roles = []Role{}
	}
	return out
}

func apiID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func apiTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// apiPage is the envelope of every list.
type apiPage[T any] struct {
	Data  []T     `json:"data"`
	Next  *string `json:"next"`
	Total int     `json:"total"`
}

// --- units

func (a *API) units(w http.ResponseWriter, r *http.Request) error {
	v := web.ViewerFrom(r.Context())
	q, err := web.ReadQuery(r, "limit", "cursor", "kind", "parent_id", "include_closed")
	if err != nil {
		return err
	}
	limit := q.Int("limit", 1, apiMaxLimit, apiDefaultLimit)
	after := apiCursor(q)
	kind := Kind(q.Get("kind"))
	if kind != "" && !kind.Valid() {
		q.Fail("kind", "Ange department, unit eller team.")
	}
	parentID := q.ID("parent_id")
	includeClosed := q.Bool("include_closed")
	if err := q.Err(); err != nil {
		return err
	}
	// A kommun has hundreds or a few thousand units, and Units reads them all in one query ordered by
	// id; filtering and paging here keeps the SQL in the store and the cursor stable.
	all, err := a.svc.Store.Units(r.Context(), v.TenantID)
	if err != nil {
		return err
	}
	out := apiPage[apiUnit]{Data: []apiUnit{}}
	for _, u := range all {
		if (kind != "" && u.Kind != kind) || (parentID != 0 && u.ParentID != parentID) || (!includeClosed && u.Closed()) {
			continue
		}
		out.Total++
		if u.ID <= after {
			continue
		}
		if len(out.Data) == limit {
			if out.Next != nil {
				continue
			}
			next := web.NextLink(r.URL, "cursor", strconv.FormatInt(out.Data[limit-1].ID, 10), "offset")
			out.Next = &next
			continue
		}
		out.Data = append(out.Data, toAPIUnit(u))
	}
	return web.WriteJSON(w, http.StatusOK, out)
}

func (a *API) unit(w http.ResponseWriter, r *http.Request) error {
	v := web.ViewerFrom(r.Context())
	u, err := a.findUnit(r, v.TenantID)
	if err != nil {
		return err
	}
	return web.WriteJSON(w, http.StatusOK, toAPIUnit(u))
}

func (a *API) findUnit(r *http.Request, tenantID int64) (*Unit, error) {
	id, err := web.ID(r, "id")
	if err != nil {
		return nil, errAPIUnitNotFound
	}
	u, err := a.svc.Store.Unit(r.Context(), tenantID, id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, errAPIUnitNotFound
	}
	return u, err
}

var (
	errAPIUnitNotFound   = &web.Error{Status: http.StatusNotFound, Message: "Enheten finns inte."}
	errAPIPersonNotFound = &web.Error{Status: http.StatusNotFound, Message: "Personen finns inte."}
)

func (a *API) createUnit(w http.ResponseWriter, r *http.Request) error {
	v := web.ViewerFrom(r.Context())
	body, err := apiReadBody(w, r, "parent_id", "kind", "name")
	if err != nil {
		return err
	}
	var in UnitInput
	var kind string
	body.id("parent_id", &in.ParentID)
	body.text("kind", &kind, false)
	body.text("name", &in.Name, false)
	in.Kind = Kind(kind)
	if err := body.err(); err != nil {
		return err
	}
	u, err := a.svc.CreateUnit(r.Context(), v.TenantID, in)
	if err != nil {
		return err
	}
	if u, err = a.svc.Store.Unit(r.Context(), v.TenantID, u.ID); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/units/"+strconv.FormatInt(u.ID, 10))
	return web.WriteJSON(w, http.StatusCreated, toAPIUnit(u))
}

// --- people

func (a *API) people(w http.ResponseWriter, r *http.Request) error {
	v := web.ViewerFrom(r.Context())
	q, err := web.ReadQuery(r, "limit", "offset", "q", "unit_id", "include_subunits", "include_inactive")
	if err != nil {
		return err
	}
	f := PeopleFilter{Limit: q.Int("limit", 1, apiMaxLimit, apiDefaultLimit), Offset: q.Offset(), Query: q.Get("q"), Inactive: q.Bool("include_inactive")}
	if msg := checkText(f.Query, 200, false); msg != "" {
		q.Fail("q", msg)
	}
	unitID := q.ID("unit_id")
	subunits := q.Bool("include_subunits")
	if subunits && unitID == 0 && !q.Has("unit_id") {
		q.Fail("include_subunits", "Ange unit_id för att ta med enheterna under den.")
	}
	if err := q.Err(); err != nil {
		return err
	}
	switch {
	case subunits:
		t, err := a.svc.Tree(r.Context(), v.TenantID)
		if err != nil {
			return err
		}
		// Descendants is nil for an unknown unit, and a nil filter means the whole kommun: an unknown
		// unit must list nobody.
		f.UnitIDs = append([]int64{}, t.Descendants(unitID)...)
	case unitID != 0:
		f.UnitIDs = []int64{unitID}
	}
	list, total, err := a.svc.Store.People(r.Context(), v.TenantID, f)
	if err != nil {
		return err
	}
	out := apiPage[apiPerson]{Data: make([]apiPerson, 0, len(list)), Total: total}
	for _, p := range list {
		out.Data = append(out.Data, toAPIPerson(p))
	}
	if f.Offset+f.Limit < total {
		next := web.NextLink(r.URL, "offset", strconv.Itoa(f.Offset+f.Limit), "cursor")
		out.Next = &next
	}
	return web.WriteJSON(w, http.StatusOK, out)
}

func (a *API) person(w http.ResponseWriter, r *http.Request) error {
	v := web.ViewerFrom(r.Context())
	p, err := a.findPerson(r, v.TenantID)
	if err != nil {
		return err
	}
	return web.WriteJSON(w, http.StatusOK, toAPIPerson(p))
}

func (a *API) findPerson(r *http.Request, tenantID int64) (*Person, error) {
	id, err := web.ID(r, "id")
	if err != nil {
		return nil, errAPIPersonNotFound
	}
	p, err := a.svc.Store.Person(r.Context(), tenantID, id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, errAPIPersonNotFound
	}
	return p, err
}

var apiPersonFields = []string{"employee_id", "given_name", "family_name", "email", "title", "unit_id", "roles", "active"}

func (a *API) createPerson(w http.ResponseWriter, r *http.Request) error {
	v := web.ViewerFrom(r.Context())
	body, err := apiReadBody(w, r, apiPersonFields...)
	if err != nil {
		return err
	}
	p := &Person{TenantID: v.TenantID, Active: true}
	if err := a.applyPerson(v, body, p); err != nil {
		return err
	}
	if err := a.svc.SavePerson(r.Context(), p); err != nil {
		return err
	}
	if p, err = a.svc.Store.Person(r.Context(), v.TenantID, p.ID); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/people/"+strconv.FormatInt(p.ID, 10))
	return web.WriteJSON(w, http.StatusCreated, toAPIPerson(p))
}

func (a *API) patchPerson(w http.ResponseWriter, r *http.Request) error {
	v := web.ViewerFrom(r.Context())
	p, err := a.findPerson(r, v.TenantID)
	if err != nil {
		return err
	}
	body, err := apiReadBody(w, r, apiPersonFields...)
	if err != nil {
		return err
	}
	if err := a.applyPerson(v, body, p); err != nil {
		return err
	}
	if err := a.svc.SavePerson(r.Context(), p); err != nil {
		if errors.Is(err, db.ErrNotFound) {
			return errAPIPersonNotFound
		}
		return err
	}
	if p, err = a.svc.Store.Person(r.Context(), v.TenantID, p.ID); err != nil {
		return err
	}
	return web.WriteJSON(w, http.StatusOK, toAPIPerson(p))
}

// applyPerson changes the fields present in the body. Granting or taking away the kommunadmin role, and
// changing a kommunadmin at all, is kept for a kommunadmin's session: an integration's token must not be
// able to make someone admin, nor move an admin's e-mail address to a mailbox it controls and sign in
// as them through the kommun's OIDC provider.
func (a *API) applyPerson(v *web.Viewer, body *apiBody, p *Person) error {
	wasAdmin := p.HasRole(RoleAdmin)
	if wasAdmin && p.ID != 0 && !v.IsAdmin() {
		return &web.Error{Status: http.StatusForbidden, Message: "En kommunadmin kan bara ändras av en inloggad kommunadmin, inte med en API-nyckel."}
	}
	body.text("employee_id", &p.EmployeeID, true)
	body.text("given_name", &p.GivenName, false)
	body.text("family_name", &p.FamilyName, false)
	body.text("email", &p.Email, false)
	body.text("title", &p.Title, false)
	body.id("unit_id", &p.UnitID)
	body.texts("roles", &p.Roles)
	body.boolean("active", &p.Active)
	if err := body.err(); err != nil {
		return err
	}
	if p.HasRole(RoleAdmin) != wasAdmin && !v.IsAdmin() {
		return &web.Error{Status: http.StatusForbidden, Message: "Rollen kommunadmin kan bara ges eller tas bort av en inloggad kommunadmin, inte med en API-nyckel.",
			Fields: map[string]string{"roles": "Rollen admin kan inte ändras med en API-nyckel."}}
	}
	return nil
}

// --- reading input

// apiCursor returns the id after which a page of units starts. The cursor is the last id of the previous
// page; clients are told to treat it as opaque so that it can change.
func apiCursor(q *web.Query) int64 {
	s := q.Get("cursor")
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 {
		q.Fail("cursor", "Ogiltig cursor. Använd länken i next från föregående svar.")
		return 0
	}
	return n
}

// apiBody is a JSON object from a request body, read field by field so that a PATCH changes only the
// fields present and every wrong field gets its own message in Swedish.
type apiBody struct {
	raw  map[string]json.RawMessage
	errs map[string]string
}

// apiReadBody reads a JSON object of at most 1 MiB. Anything that is not one JSON object is a 400; a field
// the route does not know is a 422 with a message for that field.
func apiReadBody(w http.ResponseWriter, r *http.Request, allowed ...string) (*apiBody, error) {
	ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	if ct = strings.TrimSpace(ct); ct != "" && ct != "application/json" && ct != "application/merge-patch+json" {
		return nil, &web.Error{Status: http.StatusUnsupportedMediaType, Message: "Skicka kroppen som application/json."}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	var raw map[string]json.RawMessage
	err := dec.Decode(&raw)
	if err == nil {
		if _, terr := dec.Token(); terr == nil {
			err = errors.New("trailing data")
		} else if !errors.Is(terr, io.EOF) {
			err = terr
		}
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, &web.Error{Status: http.StatusRequestEntityTooLarge, Message: "Kroppen är för stor; högst 1 MiB."}
	case errors.Is(err, io.EOF):
		return nil, web.BadRequest("Kroppen är tom. Skicka ett JSON-objekt.")
	case err != nil:
		return nil, web.BadRequest("Kroppen är inte ett giltigt JSON-objekt.")
	case raw == nil:
		return nil, web.BadRequest("Kroppen ska vara ett JSON-objekt, inte null.")
	}
	b := &apiBody{raw: raw, errs: map[string]string{}}
	for name := range raw {
		if !slices.Contains(allowed, name) {
			b.errs[name] = "Okänt fält. Tillåtna: " + strings.Join(allowed, ", ") + "."
		}
	}
	return b, nil
}

// text sets *dst when the field is present and a string; a nullable field takes null as empty.
func (b *apiBody) text(name string, dst *string, nullable bool) {
	raw, ok := b.raw[name]
	if !ok {
		return
	}
	if nullable && string(raw) == "null" {
		*dst = ""
		return
	}
	var s string
	if string(raw) == "null" || json.Unmarshal(raw, &s) != nil {
		b.errs[name] = "Ska vara en text."
		return
	}
	*dst = s
}

// id sets *dst when the field is present and a positive integer, or null for none.
func (b *apiBody) id(name string, dst *int64) {
	raw, ok := b.raw[name]
	if !ok {
		return
	}
	if string(raw) == "null" {
		*dst = 0
		return
	}
	var n int64
	if json.Unmarshal(raw, &n) != nil || n < 1 {
		b.errs[name] = "Ska vara ett id (ett positivt heltal) eller null."
		return
	}
	*dst = n
}

func (b *apiBody) boolean(name string, dst *bool) {
	raw, ok := b.raw[name]
	if !ok {
		return
	}
	var v bool
	if string(raw) == "null" || json.Unmarshal(raw, &v) != nil {
		b.errs[name] = "Ska vara true eller false."
		return
	}
	*dst = v
}

func (b *apiBody) texts(name string, dst *[]string) {
	raw, ok := b.raw[name]
	if !ok {
		return
	}
	var v []string
	if json.Unmarshal(raw, &v) != nil {
		b.errs[name] = "Ska vara en lista med texter."
		return
	}
	*dst = v
}

func (b *apiBody) err() error {
	if len(b.errs) == 0 {
		return nil
	}
	return web.Invalid(b.errs)
}
