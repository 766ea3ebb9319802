package org

import (
	"context"
	"database/sql"
	"errors"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vard-kommun/vard/internal/auth"
	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/web"
)

// Errors of the organisation's rules, worded for the person who broke them.
var (
	ErrSlugTaken = errors.New("Kortnamnet används redan av en annan kommun.")
	ErrDuplicate = errors.New("Det finns redan en person med samma e-postadress eller anställningsnummer.")
)

// Service holds the organisation's rules.
type Service struct {
	Store *Store
}

// NewService returns the service over a store.
func NewService(s *Store) *Service { return &Service{Store: s} }

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,39}$`)

// CreateTenant creates a kommun with a first kommunadmin (who signs in through OIDC or gets a password
// from `vard user`).
func (s *Service) CreateTenant(ctx context.Context, slug, name string, admin *Person) (*Tenant, error) {
	slug = strings.ToLower(strings.TrimSpace(slug))
	name = strings.TrimSpace(name)
	errs := map[string]string{}
	if !slugPattern.MatchString(slug) {
		errs["slug"] = "Kortnamnet ska ha 2–40 tecken: a–z, siffror och bindestreck, till exempel ”exempelby”."
	}
	if msg := checkText(name, 120, true); msg != "" {
		errs["name"] = msg
	}
	if admin != nil {
		admin.Roles = []Role{RoleAdmin}
		admin.Active = true
		s.checkPerson(admin, errs)
	}
	if len(errs) > 0 {
		return nil, web.Invalid(errs)
	}
	var t *Tenant
	err := s.Store.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		t = &Tenant{Slug: slug, Name: name, CreatedAt: s.Store.Now()}
		err = tx.QueryRowContext(ctx, `INSERT INTO tenants (slug, name, created_at) VALUES ($1, $2, $3) RETURNING id`, slug, name, t.CreatedAt).Scan(&t.ID)
		if db.IsUniqueViolation(err) {
			return web.Invalid(map[string]string{"slug": ErrSlugTaken.Error()})
		}
		if err != nil || admin == nil {
			return err
		}
		admin.TenantID = t.ID
		return s.Store.InsertPerson(ctx, tx, admin)
	})
	return t, err
}

// checkText returns a message when a text field is missing, too long or holds control characters.
func checkText(s string, max int, required bool) string {
	if required && s == "" {
		return "Fältet måste fyllas i."
	}
	if utf8.RuneCountInString(s) > max {
		return "Texten får vara högst " + itoa(max) + " tecken."
	}
	if !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return "Texten innehåller otillåtna tecken."
	}
	return ""
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// --- the tree

// Tree is a kommun's whole org tree, built once per request from one query (O(units)).
type Tree struct {
	Roots []*Unit
	ByID  map[int64]*Unit
}

// Tree returns the kommun's org tree with head counts summed upwards.
func (s *Service) Tree(ctx context.Context, tenantID int64) (*Tree, error) {
	units, err := s.Store.Units(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	return BuildTree(units), nil
}

// BuildTree links units to their parents and sorts siblings by name the Swedish way.
func BuildTree(units []*Unit) *Tree {
	t := &Tree{ByID: make(map[int64]*Unit, len(units))}
	for _, u := range units {
		u.Children = nil
		t.ByID[u.ID] = u
	}
	for _, u := range units {
		if p, ok := t.ByID[u.ParentID]; ok {
			p.Children = append(p.Children, u)
		} else {
			t.Roots = append(t.Roots, u)
		}
	}
	keys := make(map[int64]string, len(units))
	for _, u := range units {
		keys[u.ID] = string(SortKey(u.Name, ""))
	}
	compareUnits := func(a, b *Unit) int {
		if c := strings.Compare(keys[a.ID], keys[b.ID]); c != 0 {
			return c
		}
		return int(a.ID - b.ID)
	}
	var total func(u *Unit) int
	total = func(u *Unit) int {
		slices.SortFunc(u.Children, compareUnits)
		u.TotalPeople = u.PeopleCount
		for _, c := range u.Children {
			u.TotalPeople += total(c)
		}
		return u.TotalPeople
	}
	slices.SortFunc(t.Roots, compareUnits)
	for _, r := range t.Roots {
		total(r)
	}
	return t
}

// Descendants returns the unit's id and the ids of every unit below it.
func (t *Tree) Descendants(id int64) []int64 {
	u, ok := t.ByID[id]
	if !ok {
		return nil
	}
	ids := []int64{}
	var walk func(u *Unit)
	walk = func(u *Unit) {
		ids = append(ids, u.ID)
		for _, c := range u.Children {
			walk(c)
		}
	}
	walk(u)
	return ids
}

// Path returns the units from the top of the tree down to the unit, for breadcrumbs.
func (t *Tree) Path(id int64) []*Unit {
	var path []*Unit
	for u, ok := t.ByID[id]; ok && len(path) < 100; u, ok = t.ByID[u.ParentID] {
		path = append([]*Unit{u}, path...)
	}
	return path
}

// Department returns the förvaltning the unit belongs to (the top of its path).
func (t *Tree) Department(id int64) *Unit {
	if p := t.Path(id); len(p) > 0 {
		return p[0]
	}
	return nil
}

// Managed returns the top units of the subtrees that the person leads as chef.
func (t *Tree) Managed(personID int64) []*Unit {
	var out []*Unit
	var walk func(u *Unit, inside bool)
	walk = func(u *Unit, inside bool) {
		if !inside && u.ManagerID == personID {
			out = append(out, u)
			inside = true
		}
		for _, c := range u.Children {
			walk(c, inside)
		}
	}
	for _, r := range t.Roots {
		walk(r, false)
	}
	return out
}

// Scope is the set of units a viewer may see in the organisation pages: all for a kommunadmin, the
// subtrees a chef leads for a chef.
type Scope struct {
	All   bool
	Units map[int64]bool
	Roots []*Unit
}

// Contains reports whether the unit is within the scope.
func (sc Scope) Contains(id int64) bool { return sc.All || sc.Units[id] }

// ScopeFor returns what the viewer may see of the tree.
func (t *Tree) ScopeFor(v *web.Viewer) Scope {
	if v.IsAdmin() {
		return Scope{All: true, Roots: t.Roots}
	}
	sc := Scope{Units: map[int64]bool{}}
	if !v.IsManager() {
		return sc
	}
	sc.Roots = t.Managed(v.PersonID)
	for _, r := range sc.Roots {
		for _, id := range t.Descendants(r.ID) {
			sc.Units[id] = true
		}
	}
	return sc
}

// IDs lists the unit ids in scope; nil means all.
func (sc Scope) IDs() []int64 {
	if sc.All {
		return nil
	}
	ids := make([]int64, 0, len(sc.Units))
	for id := range sc.Units {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// --- units

// UnitInput is a new or changed unit from a form or the API.
type UnitInput struct {
	ParentID int64
	Kind     Kind
	Name     string
}

// allowedParent reports whether a unit of kind k may sit under parent (nil for the top).
func allowedParent(k Kind, parent *Unit) string {
	switch {
	case parent == nil && k != KindDepartment:
		return "Bara en förvaltning kan ligga överst i trädet. Välj en överordnad enhet."
	case parent != nil && k == KindDepartment:
		return "En förvaltning ligger överst i trädet och kan inte ha en överordnad enhet."
	case parent != nil && parent.Kind == KindTeam:
		return "Ett arbetslag är den minsta enheten och kan inte ha enheter under sig."
	case parent != nil && parent.Closed():
		return "Den överordnade enheten är stängd."
	}
	return ""
}

// CreateUnit adds a unit to the tree.
func (s *Service) CreateUnit(ctx context.Context, tenantID int64, in UnitInput) (*Unit, error) {
	in.Name = strings.TrimSpace(in.Name)
	errs := map[string]string{}
	if msg := checkText(in.Name, 120, true); msg != "" {
		errs["name"] = msg
	}
	if !in.Kind.Valid() {
		errs["kind"] = "Välj förvaltning, enhet eller arbetslag."
	}
	var parent *Unit
	if in.ParentID != 0 {
		p, err := s.Store.Unit(ctx, tenantID, in.ParentID)
		if errors.Is(err, db.ErrNotFound) {
			errs["parent_id"] = "Den överordnade enheten finns inte."
		} else if err != nil {
			return nil, err
		}
		parent = p
	}
	if errs["kind"] == "" && errs["parent_id"] == "" {
		if msg := allowedParent(in.Kind, parent); msg != "" {
			errs["parent_id"] = msg
		}
	}
	if len(errs) > 0 {
		return nil, web.Invalid(errs)
	}
	u := &Unit{TenantID: tenantID, ParentID: in.ParentID, Kind: in.Kind, Name: in.Name}
	return u, s.Store.InsertUnit(ctx, s.Store.DB.Writer(), u)
}

// RenameUnit changes a unit's name.
func (s *Service) RenameUnit(ctx context.Context, tenantID, id int64, name string) error {
	name = strings.TrimSpace(name)
	if msg := checkText(name, 120, true); msg != "" {
		return web.Invalid(map[string]string{"name": msg})
	}
	return s.updateUnit(ctx, tenantID, id, func(u *Unit, _ *Tree) error {
		u.Name = name
		return nil
	})
}

func (s *Service) updateUnit(ctx context.Context, tenantID, id int64, change func(u *Unit, t *Tree) error) error {
	return s.Store.DB.Tx(ctx, func(tx *sql.Tx) error {
		units, err := s.Store.Units(ctx, tenantID)
		if err != nil {
			return err
		}
		t := BuildTree(units)
		u, ok := t.ByID[id]
		if !ok {
			return db.ErrNotFound
		}
		if err := change(u, t); err != nil {
			return err
		}
		return s.Store.UpdateUnit(ctx, tx, u)
	})
}

// MoveUnit places a unit (with everything below it) under a new parent.
func (s *Service) MoveUnit(ctx context.Context, tenantID, id, parentID int64) error {
	return s.updateUnit(ctx, tenantID, id, func(u *Unit, t *Tree) error {
		var parent *Unit
		if parentID != 0 {
			p, ok := t.ByID[parentID]
			if !ok {
				return web.Invalid(map[string]string{"parent_id": "Den överordnade enheten finns inte."})
			}
			if slices.Contains(t.Descendants(id), parentID) {
				return web.Invalid(map[string]string{"parent_id": "En enhet kan inte flyttas in under sig själv."})
			}
			parent = p
		}
		if msg := allowedParent(u.Kind, parent); msg != "" {
			return web.Invalid(map[string]string{"parent_id": msg})
		}
		u.ParentID = parentID
		return nil
	})
}

// CloseUnit closes a unit that has no open units and no active people below it; its history stays.
func (s *Service) CloseUnit(ctx context.Context, tenantID, id int64) error {
	return s.updateUnit(ctx, tenantID, id, func(u *Unit, t *Tree) error {
		for _, c := range u.Children {
			if !c.Closed() {
				return web.BadRequest("Stäng eller flytta först enheterna under " + u.Name + ".")
			}
		}
		if u.PeopleCount > 0 {
			return web.BadRequest("Flytta eller avaktivera först de " + itoa(u.PeopleCount) + " personerna i " + u.Name + ".")
		}
		now := s.Store.Now()
		u.ClosedAt = &now
		return nil
	})
}

// ReopenUnit opens a closed unit again.
func (s *Service) ReopenUnit(ctx context.Context, tenantID, id int64) error {
	return s.updateUnit(ctx, tenantID, id, func(u *Unit, t *Tree) error {
		if p, ok := t.ByID[u.ParentID]; ok && p.Closed() {
			return web.BadRequest("Öppna först den överordnade enheten " + p.Name + ".")
		}
		u.ClosedAt = nil
		return nil
	})
}

// SetManager makes a person chef for a unit (0 removes the chef) and gives them the chef role.
func (s *Service) SetManager(ctx context.Context, tenantID, unitID, personID int64) error {
	return s.Store.DB.Tx(ctx, func(tx *sql.Tx) error {
		u, err := s.Store.Unit(ctx, tenantID, unitID)
		if err != nil {
			return err
		}
		u.ManagerID = personID
		if personID != 0 {
			p, err := s.Store.Person(ctx, tenantID, personID)
			if errors.Is(err, db.ErrNotFound) || (err == nil && !p.Active) {
				return web.Invalid(map[string]string{"manager_id": "Välj en aktiv person i kommunen."})
			}
			if err != nil {
				return err
			}
			if !p.HasRole(RoleManager) {
				p.Roles = append(p.Roles, RoleManager)
				if err := s.Store.writeRoles(ctx, tx, p); err != nil {
					return err
				}
			}
		}
		return s.Store.UpdateUnit(ctx, tx, u)
	})
}

// --- people

// checkPerson validates a person's fields into errs and normalises the e-mail address.
func (s *Service) checkPerson(p *Person, errs map[string]string) {
	p.GivenName, p.FamilyName = strings.TrimSpace(p.GivenName), strings.TrimSpace(p.FamilyName)
	p.Email = strings.ToLower(strings.TrimSpace(p.Email))
	p.Title, p.EmployeeID = strings.TrimSpace(p.Title), strings.TrimSpace(p.EmployeeID)
	for field, v := range map[string]struct {
		s        string
		max      int
		required bool
	}{
		"given_name": {p.GivenName, 100, true}, "family_name": {p.FamilyName, 100, true},
		"title": {p.Title, 120, false}, "employee_id": {p.EmployeeID, 50, false}, "email": {p.Email, 254, false},
	} {
		if msg := checkText(v.s, v.max, v.required); msg != "" {
			errs[field] = msg
		}
	}
	if p.Email != "" && errs["email"] == "" {
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email || !strings.Contains(p.Email[strings.Index(p.Email, "@"):], ".") {
			errs["email"] = "Ange en giltig e-postadress, till exempel anna.andersson@kommun.se."
		}
	}
	for _, r := range p.Roles {
		if !ValidRole(r) {
			errs["roles"] = "Okänd roll."
		}
	}
	slices.Sort(p.Roles)
	p.Roles = slices.Compact(p.Roles)
}

// SavePerson validates and stores a new or changed person.
func (s *Service) SavePerson(ctx context.Context, p *Person) error {
	errs := map[string]string{}
	s.checkPerson(p, errs)
	if p.UnitID != 0 {
		u, err := s.Store.Unit(ctx, p.TenantID, p.UnitID)
		switch {
		case errors.Is(err, db.ErrNotFound):
			errs["unit_id"] = "Enheten finns inte."
		case err != nil:
			return err
		case u.Closed():
			errs["unit_id"] = "Enheten är stängd."
		}
	}
	if len(errs) > 0 {
		return web.Invalid(errs)
	}
	err := s.Store.DB.Tx(ctx, func(tx *sql.Tx) error {
		if p.ID == 0 {
			return s.Store.InsertPerson(ctx, tx, p)
		}
		return s.Store.UpdatePerson(ctx, tx, p)
	})
	if errors.Is(err, ErrDuplicate) {
		return web.Invalid(map[string]string{"email": ErrDuplicate.Error()})
	}
	return err
}

// SetActive activates or deactivates a person; a deactivated person cannot sign in and is signed out.
func (s *Service) SetActive(ctx context.Context, tenantID, id int64, active bool) error {
	p, err := s.Store.Person(ctx, tenantID, id)
	if err != nil {
		return err
	}
	p.Active = active
	return s.Store.DB.Tx(ctx, func(tx *sql.Tx) error { return s.Store.UpdatePerson(ctx, tx, p) })
}

// TenantOIDC returns the id and single sign-on settings of the kommun with the slug (for auth).
func (s *Service) TenantOIDC(ctx context.Context, slug string) (int64, auth.OIDCSettings, error) {
	t, err := s.Store.TenantBySlug(ctx, slug)
	if err != nil {
		return 0, auth.OIDCSettings{}, err
	}
	return t.ID, auth.OIDCSettings(t.OIDC), nil
}

// ActivePersonByEmail returns the id of the kommun's active person with the e-mail address (for auth).
func (s *Service) ActivePersonByEmail(ctx context.Context, tenantID int64, email string) (int64, error) {
	p, err := s.Store.PersonByEmail(ctx, tenantID, email)
	if err != nil {
		return 0, err
	}
	if !p.Active {
		return 0, db.ErrNotFound
	}
	return p.ID, nil
}
