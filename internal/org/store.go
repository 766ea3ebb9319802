package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/vard-kommun/vard/internal/db"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// Store reads and writes the organisation. Every method that takes a tenantID confines itself to that
// kommun: a row of another kommun is not found.
type Store struct {
	DB  *db.DB
	Now func() time.Time
}

// NewStore returns a store on the database.
func NewStore(d *db.DB) *Store { return &Store{DB: d, Now: db.Now} }

// SortKey is the Swedish collation key of a name, stored so that the database can sort and page people
// the Swedish way (å, ä, ö after z) in both dialects.
func SortKey(family, given string) []byte {
	c := collators.Get().(*collator)
	defer collators.Put(c)
	return append([]byte(nil), c.KeyFromString(&c.buf, family+"\x00"+given)...)
}

// A collator is costly to build and not safe for concurrent use, so each goroutine borrows one.
type collator struct {
	*collate.Collator
	buf collate.Buffer
}

var collators = sync.Pool{New: func() any {
	return &collator{Collator: collate.New(language.Swedish, collate.IgnoreCase)}
}}

func searchText(p *Person) string {
	return strings.ToLower(strings.Join([]string{p.GivenName, p.FamilyName, p.Email, p.EmployeeID, p.Title}, " "))
}

// --- kommuner

const tenantColumns = `id, slug, name, created_at, oidc_enabled, oidc_issuer, oidc_client_id, oidc_client_secret`

func scanTenant(row interface{ Scan(...any) error }) (*Tenant, error) {
	t := &Tenant{}
	err := row.Scan(&t.ID, &t.Slug, &t.Name, &t.CreatedAt, &t.OIDC.Enabled, &t.OIDC.Issuer, &t.OIDC.ClientID, &t.OIDC.ClientSecret)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	return t, err
}

// TenantBySlug returns the kommun with the slug.
func (s *Store) TenantBySlug(ctx context.Context, slug string) (*Tenant, error) {
	return scanTenant(s.DB.Read().QueryRowContext(ctx, `SELECT `+tenantColumns+` FROM tenants WHERE slug = $1`, slug))
}

// Tenant returns the kommun with the id.
func (s *Store) Tenant(ctx context.Context, id int64) (*Tenant, error) {
	return scanTenant(s.DB.Read().QueryRowContext(ctx, `SELECT `+tenantColumns+` FROM tenants WHERE id = $1`, id))
}

// Tenants lists every kommun by name.
func (s *Store) Tenants(ctx context.Context) ([]*Tenant, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+tenantColumns+` FROM tenants ORDER BY name`)
	return db.Collect(rows, err, scanTenant)
}

// SetOIDC stores a kommun's single sign-on configuration.
func (s *Store) SetOIDC(ctx context.Context, tenantID int64, c OIDCConfig) error {
	_, err := s.DB.Exec(ctx, `UPDATE tenants SET oidc_enabled = $1, oidc_issuer = $2, oidc_client_id = $3, oidc_client_secret = $4 WHERE id = $5`,
		c.Enabled, c.Issuer, c.ClientID, c.ClientSecret, tenantID)
	return err
}

// --- units

const unitColumns = `u.id, u.tenant_id, COALESCE(u.parent_id, 0), u.kind, u.name, COALESCE(u.manager_id, 0),
	COALESCE(m.given_name || ' ' || m.family_name, ''), u.created_at, u.closed_at`

func scanUnit(row interface{ Scan(...any) error }) (*Unit, error) {
	u := &Unit{}
	var closed sql.NullTime
	err := row.Scan(&u.ID, &u.TenantID, &u.ParentID, &u.Kind, &u.Name, &u.ManagerID, &u.ManagerName, &u.CreatedAt, &closed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if closed.Valid {
		u.ClosedAt = &closed.Time
	}
	return u, err
}

// Unit returns one unit of the kommun.
func (s *Store) Unit(ctx context.Context, tenantID, id int64) (*Unit, error) {
	return scanUnit(s.DB.Read().QueryRowContext(ctx, `SELECT `+unitColumns+` FROM units u LEFT JOIN people m ON m.id = u.manager_id
		WHERE u.tenant_id = $1 AND u.id = $2`, tenantID, id))
}

// Units returns every unit of the kommun, with the number of active people placed directly in each.
func (s *Store) Units(ctx context.Context, tenantID int64) ([]*Unit, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+unitColumns+`, COALESCE(c.n, 0) FROM units u
		LEFT JOIN people m ON m.id = u.manager_id
		LEFT JOIN (SELECT unit_id, COUNT(*) AS n FROM people WHERE tenant_id = $1 AND active GROUP BY unit_id) c ON c.unit_id = u.id
		WHERE u.tenant_id = $1 ORDER BY u.id`, tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []*Unit
	for rows.Next() {
		u := &Unit{}
		var closed sql.NullTime
		if err := rows.Scan(&u.ID, &u.TenantID, &u.ParentID, &u.Kind, &u.Name, &u.ManagerID, &u.ManagerName, &u.CreatedAt, &closed, &u.PeopleCount); err != nil {
			return nil, err
		}
		if closed.Valid {
			u.ClosedAt = &closed.Time
		}
		list = append(list, u)
	}
	return list, rows.Err()
}

// InsertUnit stores a new unit; the service checks the rules first.
func (s *Store) InsertUnit(ctx context.Context, q db.Querier, u *Unit) error {
	u.CreatedAt = s.Now()
	return q.QueryRowContext(ctx, `INSERT INTO units (tenant_id, parent_id, kind, name, manager_id, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		u.TenantID, nullID(u.ParentID), u.Kind, u.Name, nullID(u.ManagerID), u.CreatedAt).Scan(&u.ID)
}

// UpdateUnit stores a unit's name, kind, parent, chef and closed state.
func (s *Store) UpdateUnit(ctx context.Context, q db.Querier, u *Unit) error {
	res, err := q.ExecContext(ctx, `UPDATE units SET parent_id = $1, kind = $2, name = $3, manager_id = $4, closed_at = $5 WHERE id = $6 AND tenant_id = $7`,
		nullID(u.ParentID), u.Kind, u.Name, nullID(u.ManagerID), u.ClosedAt, u.ID, u.TenantID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.ErrNotFound
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// --- people

const personColumns = `p.id, p.tenant_id, COALESCE(p.unit_id, 0), COALESCE(u.name, ''), COALESCE(p.employee_id, ''), p.given_name,
	p.family_name, p.email, p.title, p.active, p.created_at, p.updated_at`

func scanPerson(row interface{ Scan(...any) error }) (*Person, error) {
	p := &Person{}
	err := row.Scan(&p.ID, &p.TenantID, &p.UnitID, &p.UnitName, &p.EmployeeID, &p.GivenName, &p.FamilyName, &p.Email, &p.Title, &p.Active, &p.CreatedAt, &p.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	return p, err
}

// Person returns one person of the kommun with their roles.
func (s *Store) Person(ctx context.Context, tenantID, id int64) (*Person, error) {
	p, err := scanPerson(s.DB.Read().QueryRowContext(ctx, `SELECT `+personColumns+` FROM people p LEFT JOIN units u ON u.id = p.unit_id
		WHERE p.tenant_id = $1 AND p.id = $2`, tenantID, id))
	if err != nil {
		return nil, err
	}
	return p, s.loadRoles(ctx, []*Person{p})
}

// PersonByEmail returns the active person of the kommun with the e-mail address.
func (s *Store) PersonByEmail(ctx context.Context, tenantID int64, email string) (*Person, error) {
	p, err := scanPerson(s.DB.Read().QueryRowContext(ctx, `SELECT `+personColumns+` FROM people p LEFT JOIN units u ON u.id = p.unit_id
		WHERE p.tenant_id = $1 AND p.email = $2`, tenantID, strings.ToLower(email)))
	if err != nil {
		return nil, err
	}
	return p, s.loadRoles(ctx, []*Person{p})
}

// People lists people of the kommun in Swedish alphabetical order by family name, one page at a time,
// and returns how many match in all.
func (s *Store) People(ctx context.Context, tenantID int64, f PeopleFilter) ([]*Person, int, error) {
	where := []string{"p.tenant_id = $1"}
	args := []any{tenantID}
	if !f.Inactive {
		where = append(where, "p.active")
	}
	if f.UnitIDs != nil {
		if len(f.UnitIDs) == 0 {
			return nil, 0, nil
		}
		marks := make([]string, len(f.UnitIDs))
		for i, id := range f.UnitIDs {
			args = append(args, id)
			marks[i] = fmt.Sprintf("$%d", len(args))
		}
		where = append(where, "p.unit_id IN ("+strings.Join(marks, ",")+")")
	}
	for _, word := range strings.Fields(strings.ToLower(f.Query)) {
		args = append(args, "%"+escapeLike(word)+"%")
		where = append(where, fmt.Sprintf(`p.search LIKE $%d ESCAPE '\'`, len(args)))
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := s.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM people p WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	args = append(args, f.Limit, f.Offset)
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+personColumns+` FROM people p LEFT JOIN units u ON u.id = p.unit_id
		WHERE `+cond+fmt.Sprintf(` ORDER BY p.sort_key, p.id LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args...)
	list, err := db.Collect(rows, err, scanPerson)
	if err != nil {
		return nil, 0, err
	}
	return list, total, s.loadRoles(ctx, list)
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func (s *Store) loadRoles(ctx context.Context, people []*Person) error {
	if len(people) == 0 {
		return nil
	}
	byID := map[int64]*Person{}
	marks := make([]string, len(people))
	args := make([]any, len(people))
	for i, p := range people {
		byID[p.ID] = p
		p.Roles = nil
		marks[i] = fmt.Sprintf("$%d", i+1)
		args[i] = p.ID
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT person_id, role FROM person_roles WHERE person_id IN (`+strings.Join(marks, ",")+`) ORDER BY person_id, role`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var r string
		if err := rows.Scan(&id, &r); err != nil {
			return err
		}
		byID[id].Roles = append(byID[id].Roles, r)
	}
	return rows.Err()
}

// InsertPerson stores a new person with their roles.
func (s *Store) InsertPerson(ctx context.Context, q db.Querier, p *Person) error {
	now := s.Now()
	p.CreatedAt, p.UpdatedAt = now, now
	err := q.QueryRowContext(ctx, `INSERT INTO people (tenant_id, unit_id, employee_id, given_name, family_name, email, title, active, sort_key, search, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		p.TenantID, nullID(p.UnitID), nullString(p.EmployeeID), p.GivenName, p.FamilyName, p.Email, p.Title, p.Active,
		SortKey(p.FamilyName, p.GivenName), searchText(p), now, now).Scan(&p.ID)
	if db.IsUniqueViolation(err) {
		return ErrDuplicate
	}
	if err != nil {
		return err
	}
	return s.writeRoles(ctx, q, p)
}

// UpdatePerson stores a person's details, place, active state and roles.
func (s *Store) UpdatePerson(ctx context.Context, q db.Querier, p *Person) error {
	p.UpdatedAt = s.Now()
	res, err := q.ExecContext(ctx, `UPDATE people SET unit_id = $1, employee_id = $2, given_name = $3, family_name = $4, email = $5, title = $6,
		active = $7, sort_key = $8, search = $9, updated_at = $10 WHERE id = $11 AND tenant_id = $12`,
		nullID(p.UnitID), nullString(p.EmployeeID), p.GivenName, p.FamilyName, p.Email, p.Title, p.Active,
		SortKey(p.FamilyName, p.GivenName), searchText(p), p.UpdatedAt, p.ID, p.TenantID)
	if db.IsUniqueViolation(err) {
		return ErrDuplicate
	}
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.ErrNotFound
	}
	if !p.Active {
		// A deactivated person is signed out everywhere at once.
		if _, err := q.ExecContext(ctx, `DELETE FROM sessions WHERE person_id = $1`, p.ID); err != nil {
			return err
		}
	}
	return s.writeRoles(ctx, q, p)
}

func (s *Store) writeRoles(ctx context.Context, q db.Querier, p *Person) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM person_roles WHERE person_id = $1`, p.ID); err != nil {
		return err
	}
	for _, r := range p.Roles {
		if _, err := q.ExecContext(ctx, `INSERT INTO person_roles (person_id, role) VALUES ($1, $2)`, p.ID, r); err != nil {
			return err
		}
	}
	return nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CountPeople returns the number of active people in the kommun.
func (s *Store) CountPeople(ctx context.Context, tenantID int64) (int, error) {
	var n int
	err := s.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM people WHERE tenant_id = $1 AND active`, tenantID).Scan(&n)
	return n, err
}
