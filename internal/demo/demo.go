// Package demo generates the demo kommun behind `vard demo`: Exempelby kommun with 6 förvaltningar,
// 40 enheter, 220 arbetslag and 1,400 people with Swedish names, chefs and programme roles, and three
// accounts to sign in with. The same seed gives the same kommun byte for byte.
package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/vard-kommun/vard/internal/auth"
	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/events"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/stories"
	"github.com/vard-kommun/vard/internal/surveys"
	"github.com/vard-kommun/vard/internal/values"
)

// Options chooses the demo kommun. The zero value gives the standard demo.
type Options struct {
	// Slug is the kommun's short name in URLs; "exempelby" when empty. The demo's e-mail addresses
	// end in @<slug>.example.
	Slug string
	// Name is the kommun's name; "Exempelby kommun" when empty.
	Name string
	// Seed chooses the names, the tree and the roles; 1 when zero.
	Seed int64
}

// Password is the demo accounts' password (demo mode only). It is shorter than auth.MinPasswordLength
// on purpose, as documented in the README, and set with auth's demo-only SetDemoPassword.
const Password = "vard-demo"

// Account is a demo account: the e-mail address to sign in with and the Swedish name of its role.
type Account struct {
	Email string
	Role  string
}

// Accounts lists the demo accounts' e-mail addresses for the README and the start page (for the
// default slug).
var Accounts = []Account{
	{Email: "admin@exempelby.example", Role: "Kommunadmin"},
	{Email: "chef@exempelby.example", Role: "Chef"},
	{Email: "medarbetare@exempelby.example", Role: "Medarbetare"},
}

func (o Options) withDefaults() Options {
	if o.Slug == "" {
		o.Slug = "exempelby"
	}
	if o.Name == "" {
		o.Name = "Exempelby kommun"
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	return o
}

// Generate creates the demo kommun in the database unless a kommun with the slug exists already (then it
// does nothing and returns that kommun's id): idempotent, so `vard demo` can be restarted on the same
// file. The tree and the people are written in one transaction; only the three demo accounts get a
// password.
func Generate(ctx context.Context, d *db.DB, svc *org.Service, a *auth.Service, opt Options) (tenantID int64, err error) {
	opt = opt.withDefaults()
	store := svc.Store
	t, err := store.TenantBySlug(ctx, opt.Slug)
	switch {
	case err == nil:
		units, err := store.Units(ctx, t.ID)
		if err != nil {
			return 0, err
		}
		if len(units) > 0 {
			return t.ID, withValues(ctx, d, svc, t.ID, opt.Slug)
		}
		// The kommun exists without a tree: an earlier run stopped between creating the kommun and
		// writing its tree, so carry on where it stopped.
	case errors.Is(err, db.ErrNotFound):
		t, err = svc.CreateTenant(ctx, opt.Slug, opt.Name, nil)
		if err != nil {
			return 0, fmt.Errorf("create demo kommun: %w", err)
		}
	default:
		return 0, err
	}

	p := newPlan(opt)
	var ids []int64
	err = d.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		ids, err = p.write(ctx, tx, store, t.ID)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("write demo kommun: %w", err)
	}
	// Hashing is deliberately slow, so only the demo accounts get a password; after the transaction,
	// because SetPassword writes on its own and SQLite has one writer.
	for _, i := range []int{p.admin, p.chef, p.employee} {
		if err := a.SetDemoPassword(ctx, ids[i], Password); err != nil {
			return 0, fmt.Errorf("demo password for %s: %w", p.people[i].email, err)
		}
	}
	return t.ID, withValues(ctx, d, svc, t.ID, opt.Slug)
}

// withValues gives the demo kommun its värdegrund, adopted by the demo kommunadmin; values.Demo does
// nothing when the kommun has one, so a kommun generated before the värdegrund existed gets it too.
func withValues(ctx context.Context, d *db.DB, svc *org.Service, tenantID int64, slug string) error {
	admin, err := svc.Store.PersonByEmail(ctx, tenantID, "admin@"+slug+".example")
	if err != nil {
		return fmt.Errorf("demo kommunadmin: %w", err)
	}
	valuesSvc := values.NewService(d, svc)
	if err := values.Demo(ctx, valuesSvc, tenantID, admin.ID); err != nil {
		return err
	}
	// The stories come after the värdegrund, since they are tagged with its värdeord; stories.Demo too
	// does nothing when the kommun has stories. It stores no images, so it needs no file store.
	if err := stories.Demo(ctx, stories.NewService(d, svc, valuesSvc, nil), tenantID); err != nil {
		return err
	}
	// A closed HME round answered by about 60 % of the people, and an open citizen round.
	if err := surveys.Demo(ctx, d, svc, tenantID); err != nil {
		return err
	}
	// A past ledarforum and an upcoming visionsdag; events.Demo too does nothing when the kommun has events.
	return events.Demo(ctx, events.NewService(events.NewStore(d), svc), tenantID)
}

// write stores the plan in the kommun within tx and returns the people's ids in plan order.
func (p *plan) write(ctx context.Context, tx *sql.Tx, store *org.Store, tenantID int64) ([]int64, error) {
	units := make([]*org.Unit, len(p.units))
	for i, pu := range p.units {
		u := &org.Unit{TenantID: tenantID, Kind: pu.kind, Name: pu.name}
		if pu.parent >= 0 {
			u.ParentID = units[pu.parent].ID
		}
		if err := store.InsertUnit(ctx, tx, u); err != nil {
			return nil, fmt.Errorf("unit %s: %w", pu.name, err)
		}
		units[i] = u
	}
	ids := make([]int64, len(p.people))
	for i, pp := range p.people {
		person := &org.Person{
			TenantID:   tenantID,
			UnitID:     units[pp.unit].ID,
			EmployeeID: pp.employeeID,
			GivenName:  pp.given,
			FamilyName: pp.family,
			Email:      pp.email,
			Title:      pp.title,
			Active:     true,
			Roles:      pp.roles,
		}
		if err := store.InsertPerson(ctx, tx, person); err != nil {
			return nil, fmt.Errorf("person %s: %w", pp.email, err)
		}
		ids[i] = person.ID
	}
	// A chef is stored as org.Service.SetManager does it: the unit points at them and they hold the
	// chef role (given in the plan).
	for i, pu := range p.units {
		if pu.manager < 0 {
			continue
		}
		units[i].ManagerID = ids[pu.manager]
		if err := store.UpdateUnit(ctx, tx, units[i]); err != nil {
			return nil, fmt.Errorf("chef of %s: %w", pu.name, err)
		}
	}
	return ids, nil
}
