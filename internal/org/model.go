// Package org is the organisation of a kommun: the kommun itself (a tenant on a shared installation),
// its tree of förvaltningar, enheter and arbetslag, and the people with their roles and place in the tree.
// It also imports the organisation from an HR export.
package org

import (
	"time"

	"github.com/vard-kommun/vard/internal/web"
)

// Tenant is a kommun on a shared installation. It sees nothing of another kommun's data.
type Tenant struct {
	ID        int64
	Slug      string
	Name      string
	CreatedAt time.Time
	OIDC      OIDCConfig
}

// OIDCConfig is a kommun's single sign-on (for example Microsoft Entra ID).
type OIDCConfig struct {
	Enabled      bool
	Issuer       string
	ClientID     string
	ClientSecret string
}

// Kind is the level of a unit in the tree.
type Kind string

// The kinds of unit. A department sits at the top, a team at the bottom; a unit is anything between.
const (
	KindDepartment Kind = "department"
	KindUnit       Kind = "unit"
	KindTeam       Kind = "team"
)

// Kinds lists the kinds from the top of the tree down.
var Kinds = []Kind{KindDepartment, KindUnit, KindTeam}

// Label is the kind's Swedish name.
func (k Kind) Label() string {
	switch k {
	case KindDepartment:
		return "Förvaltning"
	case KindUnit:
		return "Enhet"
	case KindTeam:
		return "Arbetslag"
	}
	return string(k)
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == KindDepartment || k == KindUnit || k == KindTeam }

// Unit is a node of the org tree: a förvaltning, an enhet or an arbetslag.
type Unit struct {
	ID          int64
	TenantID    int64
	ParentID    int64 // 0 at the top
	Kind        Kind
	Name        string
	ManagerID   int64 // 0 when the unit has no chef
	ManagerName string
	CreatedAt   time.Time
	ClosedAt    *time.Time
	// Filled when the tree is built.
	Children    []*Unit
	PeopleCount int // active people directly in the unit
	TotalPeople int // active people in the unit and below
}

// Closed reports whether the unit is closed.
func (u *Unit) Closed() bool { return u.ClosedAt != nil }

// Role is a person's role within the kommun.
type Role = web.Role

// The roles. Admin and manager grant access; the rest say what part a person plays in the programme.
const (
	RoleAdmin        Role = web.RoleAdmin
	RoleManager      Role = web.RoleManager
	RoleUnionRep     Role = "union_rep"
	RoleTrainer      Role = "trainer"
	RoleMentor       Role = "mentor"
	RolePolitician   Role = "politician"
	RoleCommunicator Role = web.RoleCommunicator
)

// Roles lists every role in display order.
var Roles = []Role{RoleAdmin, RoleManager, RoleUnionRep, RoleTrainer, RoleMentor, RolePolitician, RoleCommunicator}

// RoleLabel is a role's Swedish name.
func RoleLabel(r Role) string {
	switch r {
	case RoleAdmin:
		return "Kommunadmin"
	case RoleManager:
		return "Chef"
	case RoleUnionRep:
		return "Facklig företrädare"
	case RoleTrainer:
		return "Värdskapstränare"
	case RoleMentor:
		return "Mentor"
	case RolePolitician:
		return "Politiker"
	case RoleCommunicator:
		return "Kommunikatör"
	}
	return r
}

// ValidRole reports whether r is a known role.
func ValidRole(r Role) bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Person is someone in the kommun's organisation.
type Person struct {
	ID         int64
	TenantID   int64
	UnitID     int64
	UnitName   string
	EmployeeID string
	GivenName  string
	FamilyName string
	Email      string
	Title      string
	Active     bool
	Roles      []Role
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Name is the person's full name.
func (p *Person) Name() string { return p.GivenName + " " + p.FamilyName }

// HasRole reports whether the person holds the role.
func (p *Person) HasRole(r Role) bool {
	for _, x := range p.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// PeopleFilter narrows a list of people.
type PeopleFilter struct {
	// UnitIDs limits the list to people placed in these units; nil means the whole kommun.
	UnitIDs []int64
	// Query matches name, e-mail, employee id and title, case-insensitively.
	Query string
	// Inactive includes deactivated people.
	Inactive bool
	Limit    int
	Offset   int
}
