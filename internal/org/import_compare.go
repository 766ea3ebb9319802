package org

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/vard-kommun/vard/internal/db"
)

// --- comparing the file with the database

// importUnit is a unit as the import sees it: one of the kommun's, or one the file adds (negative id).
type importUnit struct {
	id        int64
	dbID      int64 // the stored id; 0 until a unit the file adds is created
	parent    int64
	managerID int64
	kind      Kind
	name      string
	closed    bool
	reopen    bool // closed, and named in the file: opened again
	reopened  bool
}

type unitKey struct {
	parent int64
	name   string // foldName
}

// importPerson is the little the import keeps of a stored person: 50,000 of these are a few megabytes.
type importPerson struct {
	id                               int64
	unitID                           int64
	employeeID, given, family, email string
	title                            string
	active                           bool
	roles                            roleSet
	deactivate                       bool // imported before, missing from the file
}

func (p *importPerson) name() string { return p.given + " " + p.family }

// roleSet is a set of roles as bits, in the order of Roles.
type roleSet uint16

func roleBit(r Role) roleSet {
	if i := slices.Index(Roles, r); i >= 0 {
		return 1 << i
	}
	return 0
}

func rolesOf(list []Role) roleSet {
	var s roleSet
	for _, r := range list {
		s |= roleBit(r)
	}
	return s
}

func (s roleSet) list() []Role {
	var out []Role
	for i, r := range Roles {
		if s&(1<<i) != 0 {
			out = append(out, r)
		}
	}
	return out
}

func (s roleSet) label() string {
	var parts []string
	for _, r := range s.list() {
		parts = append(parts, RoleLabel(r))
	}
	return strings.Join(parts, ", ")
}

// rowRef is where a value was first seen in the file.
type rowRef struct {
	line       int32
	employeeID string
}

// importState is one run of an import over one kommun: the stored organisation in compact form, and what
// the file has said so far.
type importState struct {
	tenantID                              int64
	store                                 *Store // writes go through its helpers, in the apply's transaction
	m                                     Mapping
	hasEmail, hasTitle, hasRoles, hasChef bool
	res                                   *ImportResult

	units      map[int64]*importUnit
	keys       map[unitKey]*importUnit
	virtual    int64                    // the last id given to a unit the file adds
	byEmployee map[string]*importPerson // people imported before, by employee id
	imported   []*importPerson          // the same, by id
	byEmail    map[string]*importPerson // everyone with an e-mail address, added by hand too
	leads      map[int64][]int64        // person id → the units they are chef for

	seen       map[string]int32  // employee id → line
	fileEmails map[string]rowRef // e-mail → where
	claims     map[int64]int32   // unit → line of the row that makes someone its chef
	emailMoves []int64           // people whose e-mail address changes; cleared first on apply
	clearChef  []int64           // units whose chef the import removes
	writing    bool
}

func loadImportState(ctx context.Context, store *Store, q db.Querier, tenantID int64, m Mapping, res *ImportResult) (*importState, error) {
	has := func(f Field) bool { _, ok := m[f]; return ok }
	st := &importState{
		tenantID: tenantID, store: store, m: m, res: res,
		hasEmail: has(FieldEmail), hasTitle: has(FieldTitle), hasRoles: has(FieldRoles), hasChef: has(FieldManagerOf),
		units: map[int64]*importUnit{}, keys: map[unitKey]*importUnit{},
		byEmployee: map[string]*importPerson{}, byEmail: map[string]*importPerson{}, leads: map[int64][]int64{},
		seen: map[string]int32{}, fileEmails: map[string]rowRef{}, claims: map[int64]int32{},
	}
	rows, err := q.QueryContext(ctx, `SELECT id, COALESCE(parent_id, 0), kind, name, COALESCE(manager_id, 0),
		CASE WHEN closed_at IS NULL THEN 0 ELSE 1 END FROM units WHERE tenant_id = $1 ORDER BY id`, tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		u := &importUnit{}
		var closed int
		if err := rows.Scan(&u.id, &u.parent, &u.kind, &u.name, &u.managerID, &closed); err != nil {
			return nil, err
		}
		u.dbID, u.closed = u.id, closed == 1
		st.units[u.id] = u
		if u.managerID != 0 {
			st.leads[u.managerID] = append(st.leads[u.managerID], u.id)
		}
		// Two units of the same name under one parent: the open one wins, then the oldest.
		k := unitKey{u.parent, foldName(u.name)}
		if old := st.keys[k]; old == nil || old.closed && !u.closed {
			st.keys[k] = u
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()

	rows, err = q.QueryContext(ctx, `SELECT id, COALESCE(unit_id, 0), COALESCE(employee_id, ''), given_name, family_name, email, title, active
		FROM people WHERE tenant_id = $1 ORDER BY id`, tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		p := &importPerson{}
		if err := rows.Scan(&p.id, &p.unitID, &p.employeeID, &p.given, &p.family, &p.email, &p.title, &p.active); err != nil {
			return nil, err
		}
		if p.employeeID != "" {
			st.byEmployee[p.employeeID] = p
			st.imported = append(st.imported, p)
		}
		if p.email != "" {
			st.byEmail[strings.ToLower(p.email)] = p
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()

	rows, err = q.QueryContext(ctx, `SELECT r.person_id, r.role FROM person_roles r JOIN people p ON p.id = r.person_id
		WHERE p.tenant_id = $1 AND p.employee_id IS NOT NULL`, tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var role string
		if err := rows.Scan(&id, &role); err != nil {
			return nil, err
		}
		if p := st.person(id); p != nil {
			p.roles |= roleBit(role)
		}
	}
	return st, rows.Err()
}

// person returns the imported person with the id, or nil (also for people added by hand).
func (st *importState) person(id int64) *importPerson {
	i, ok := slices.BinarySearchFunc(st.imported, id, func(p *importPerson, id int64) int { return cmp.Compare(p.id, id) })
	if !ok {
		return nil
	}
	return st.imported[i]
}

// readAll streams the file's rows through fn. A row the file reader could not read reaches fn as a problem.
func (st *importState) readAll(ctx context.Context, f *HRFile, fn func(r HRRow, problems []string) error, tick func(done int)) error {
	for n := 1; ; n++ {
		raw, line, err := f.Next()
		if err == io.EOF {
			return nil
		}
		if n%100 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		var r HRRow
		var problems []string
		if err != nil {
			r, problems = HRRow{Line: line}, []string{err.Error()}
		} else {
			r, problems = st.m.ReadRow(raw, line)
		}
		if err := fn(r, problems); err != nil {
			return err
		}
		tick(n)
	}
}

// The limits of the organisation's own forms (checkPerson, CreateUnit), which a file must keep too.
var importLimits = []struct {
	field Field
	max   int
	value func(r *HRRow) *string
}{
	{FieldEmployeeID, 50, func(r *HRRow) *string { return &r.EmployeeID }},
	{FieldGivenName, 100, func(r *HRRow) *string { return &r.GivenName }},
	{FieldFamilyName, 100, func(r *HRRow) *string { return &r.FamilyName }},
	{FieldEmail, 254, func(r *HRRow) *string { return &r.Email }},
	{FieldTitle, 120, func(r *HRRow) *string { return &r.Title }},
	{FieldDepartment, 120, func(r *HRRow) *string { return &r.Department }},
	{FieldUnit, 120, func(r *HRRow) *string { return &r.Unit }},
	{FieldTeam, 120, func(r *HRRow) *string { return &r.Team }},
}

// normalise cleans a row's values the way they are stored, and returns the problems with their length.
func normalise(r *HRRow, problems []string) []string {
	for _, l := range importLimits {
		v := l.value(r)
		if l.field != FieldEmployeeID && l.field != FieldEmail {
			*v = cleanText(*v)
		}
		if n := utf8.RuneCountInString(*v); n > l.max {
			problems = append(problems, fmt.Sprintf("%s har %d tecken; högst %d är tillåtna.", hrFieldTitle(l.field), n, l.max))
		}
	}
	r.Email = strings.ToLower(r.Email)
	return problems
}

// cleanText composes accents (a file saved on a Mac may hold "a" + ring for "å") and collapses runs of
// spaces, so that the same name is stored the same way whichever system exported it.
func cleanText(s string) string {
	s = norm.NFC.String(s)
	if strings.Contains(s, "  ") {
		s = strings.Join(strings.Fields(s), " ")
	}
	return s
}

// foldName is the key units are matched by: the name without regard to case or spacing.
func foldName(s string) string { return strings.ToLower(cleanText(s)) }

// check reads one row for the preview: it validates the row, finds or plans its units, and counts how the
// person changes.
func (st *importState) check(r HRRow, problems []string) error {
	res := st.res
	res.Rows++
	problems = normalise(&r, problems)
	if r.EmployeeID != "" {
		if first, dup := st.seen[r.EmployeeID]; dup {
			problems = append(problems, fmt.Sprintf("Anställningsnumret %s finns också på rad %d.", r.EmployeeID, first))
		} else {
			// Cloned: the row's cells share one string with the whole row, which must not be kept.
			st.seen[strings.Clone(r.EmployeeID)] = int32(r.Line)
		}
	}
	if r.Email != "" {
		if first, dup := st.fileEmails[r.Email]; dup {
			problems = append(problems, fmt.Sprintf("E-postadressen %s finns också på rad %d.", r.Email, first.line))
		} else {
			st.fileEmails[strings.Clone(r.Email)] = rowRef{int32(r.Line), strings.Clone(r.EmployeeID)}
		}
	}
	if len(problems) > 0 {
		st.rowError(r.Line, r.EmployeeID, strings.Join(problems, " "))
		return nil
	}
	u, msg := st.resolve(&r)
	if msg != "" {
		st.rowError(r.Line, r.EmployeeID, msg)
		return nil
	}
	if r.ManagerOf {
		if first, dup := st.claims[u.id]; dup {
			st.rowError(r.Line, r.EmployeeID, fmt.Sprintf("%s har redan en chef på rad %d. En enhet kan bara ha en chef.", st.path(u.id), first))
			return nil
		}
		st.claims[u.id] = int32(r.Line)
	}
	p := st.byEmployee[r.EmployeeID]
	kind, w, changes := st.compare(p, &r, u)
	if p != nil && p.email != "" && w.email != p.email {
		st.emailMoves = append(st.emailMoves, p.id)
	}
	sample := func(list *[]PersonChange) {
		if len(*list) < importMaxSamples {
			*list = append(*list, PersonChange{Line: r.Line, EmployeeID: strings.Clone(r.EmployeeID),
				Name: strings.Clone(w.name()), Unit: st.path(u.id), Changes: changes})
		}
	}
	switch kind {
	case importCreated:
		res.Created++
		sample(&res.CreatedSample)
	case importReactivated:
		res.Reactivated++
		sample(&res.ReactivatedSample)
	case importMoved:
		res.Moved++
		sample(&res.MovedSample)
	case importChanged:
		res.Changed++
		sample(&res.ChangedSample)
	default:
		res.Unchanged++
	}
	return nil
}

func (st *importState) rowError(line int, employeeID, msg string) {
	st.res.ErrorCount++
	if len(st.res.Errors) < importMaxErrors {
		st.res.Errors = append(st.res.Errors, RowError{Line: line, EmployeeID: strings.Clone(employeeID), Message: msg})
	}
}

// resolve finds the units on the row's path, förvaltning › enhet › arbetslag, matched by name under their
// parent; plans the ones missing and the closed ones to reopen; and returns the deepest, where the person
// is placed. It returns a Swedish message when the path cannot be built.
func (st *importState) resolve(r *HRRow) (*importUnit, string) {
	levels := [...]struct {
		name string
		kind Kind
	}{{r.Department, KindDepartment}, {r.Unit, KindUnit}, {r.Team, KindTeam}}
	deepest := 0
	for i, l := range levels {
		if l.name != "" {
			deepest = i
		}
	}
	if levels[deepest].name == "" {
		return nil, hrFieldTitle(FieldDepartment) + " saknas."
	}
	var path [len(levels)]*importUnit
	n, parent := 0, int64(0)
	for i, l := range levels {
		if l.name == "" {
			continue
		}
		k := unitKey{parent, foldName(l.name)}
		u := st.keys[k]
		switch {
		case u == nil && st.writing:
			// The first reading planned every unit; the file cannot have changed since.
			return nil, "Raden läses annorlunda andra gången."
		case u == nil:
			// A planned unit has only planned units below it, so nothing above here was changed
			// by a row that turns out to be wrong below.
			st.virtual--
			u = &importUnit{id: st.virtual, parent: parent, kind: l.kind, name: strings.Clone(l.name)}
			st.keys[unitKey{parent, strings.Clone(k.name)}] = u
			st.units[u.id] = u
			st.res.UnitsCreated++
			if len(st.res.UnitsCreatedSample) < importMaxSamples {
				st.res.UnitsCreatedSample = append(st.res.UnitsCreatedSample, st.path(u.id))
			}
		case u.kind == KindTeam && i < deepest:
			return nil, fmt.Sprintf("%s är ett arbetslag och kan inte ha enheter under sig.", st.path(u.id))
		}
		path[n] = u
		n++
		parent = u.id
	}
	for _, u := range path[:n] {
		if u.closed && !u.reopen {
			u.reopen = true
			st.res.UnitsReopened++
			if len(st.res.UnitsReopenedSample) < importMaxSamples {
				st.res.UnitsReopenedSample = append(st.res.UnitsReopenedSample, st.path(u.id))
			}
		}
	}
	return path[n-1], ""
}

// path names a unit by its place in the tree: "Förvaltning › Enhet › Arbetslag".
func (st *importState) path(id int64) string {
	var names []string
	for u := st.units[id]; u != nil && len(names) < 20; u = st.units[u.parent] {
		names = append(names, u.name)
		if u.parent == 0 {
			break
		}
	}
	slices.Reverse(names)
	return strings.Join(names, " › ")
}

type importChange int

const (
	importUnchanged importChange = iota
	importCreated
	importReactivated
	importMoved
	importChanged
)

// compare returns how the row changes the person (nil for someone new), the person as the row wants them,
// and the changed values. Columns that are not mapped leave their values as they are; the file's roles
// replace the person's, except kommunadmin, which only a person takes away; and a chef gets the chef role,
// as when a chef is set by hand.
func (st *importState) compare(p *importPerson, r *HRRow, u *importUnit) (importChange, importPerson, []FieldChange) {
	w := importPerson{unitID: u.id, employeeID: r.EmployeeID, given: r.GivenName, family: r.FamilyName, active: true}
	if p != nil {
		w.id, w.email, w.title, w.roles = p.id, p.email, p.title, p.roles
	}
	if st.hasEmail {
		w.email = r.Email
	}
	if st.hasTitle {
		w.title = r.Title
	}
	if st.hasRoles {
		w.roles = rolesOf(r.Roles) | w.roles&roleBit(RoleAdmin)
	}
	if r.ManagerOf {
		w.roles |= roleBit(RoleManager)
	}
	if p == nil {
		return importCreated, w, nil
	}
	var changes []FieldChange
	diff := func(field, from, to string) {
		if from != to {
			changes = append(changes, FieldChange{field, strings.Clone(from), strings.Clone(to)})
		}
	}
	if !p.active {
		changes = append(changes, FieldChange{"Status", "Avaktiverad", "Aktiv"})
	}
	diff("Förnamn", p.given, w.given)
	diff("Efternamn", p.family, w.family)
	diff("E-post", p.email, w.email)
	diff("Befattning", p.title, w.title)
	diff("Roller", p.roles.label(), w.roles.label())
	moved := p.unitID != u.id
	if moved {
		diff("Enhet", st.path(p.unitID), st.path(u.id))
	}
	if st.hasChef {
		led := st.leads[p.id]
		if r.ManagerOf && !(len(led) == 1 && led[0] == u.id) || !r.ManagerOf && len(led) > 0 {
			var from []string
			for _, id := range led {
				from = append(from, st.path(id))
			}
			to := ""
			if r.ManagerOf {
				to = st.path(u.id)
			}
			diff("Chef för", strings.Join(from, "; "), to)
		}
	}
	switch {
	case !p.active:
		return importReactivated, w, changes
	case moved:
		return importMoved, w, changes
	case len(changes) > 0:
		return importChanged, w, changes
	}
	return importUnchanged, w, nil
}

// settle finishes the preview once every row is read: e-mail addresses that belong to someone outside
// the file, the people to deactivate, and the units whose chef leaves.
func (st *importState) settle() error {
	res := st.res
	if res.Rows == 0 {
		return &ImportError{Message: "Filen har en rubrikrad men inga rader med personer."}
	}
	// Everyone not in the file keeps their address, deactivated or not, so the file may not give it
	// to someone else.
	var taken []RowError
	for email, ref := range st.fileEmails {
		other := st.byEmail[email]
		if other == nil {
			continue
		}
		if _, inFile := st.seen[other.employeeID]; other.employeeID != "" && inFile {
			continue
		}
		msg := fmt.Sprintf("E-postadressen %s används redan av %s, som inte finns i filen.", email, other.name())
		if other.employeeID == "" {
			msg = fmt.Sprintf("E-postadressen %s används redan av %s, som är inlagd för hand i Värd.", email, other.name())
		}
		taken = append(taken, RowError{Line: int(ref.line), EmployeeID: ref.employeeID, Message: msg})
	}
	slices.SortFunc(taken, func(a, b RowError) int { return cmp.Compare(a.Line, b.Line) })
	for _, e := range taken {
		st.rowError(e.Line, e.EmployeeID, e.Message)
	}
	slices.SortStableFunc(res.Errors, func(a, b RowError) int { return cmp.Compare(a.Line, b.Line) })

	for _, p := range st.imported {
		if _, inFile := st.seen[p.employeeID]; inFile || !p.active {
			continue
		}
		// A kommunadmin missing from the file stays active: an import of the wrong file, or of one
		// förvaltning's export, must not lock the kommun out of its own administration.
		if p.roles&roleBit(RoleAdmin) != 0 {
			res.KeptAdmins++
			continue
		}
		p.deactivate = true
		res.Deactivated++
		if len(res.DeactivatedSample) < importMaxSamples {
			res.DeactivatedSample = append(res.DeactivatedSample, PersonChange{EmployeeID: p.employeeID, Name: p.name(), Unit: st.path(p.unitID)})
		}
	}

	// A chef who leaves stops being chef; and when the file says who is chef, a chef it does not name
	// for a unit stops being chef there. A unit the file gives a chef gets that one instead.
	for id, u := range st.units {
		if id < 0 || u.managerID == 0 {
			continue
		}
		if _, claimed := st.claims[id]; claimed {
			continue
		}
		if p := st.person(u.managerID); p != nil {
			if _, inFile := st.seen[p.employeeID]; p.deactivate || st.hasChef && inFile {
				st.clearChef = append(st.clearChef, id)
			}
		}
	}
	slices.Sort(st.clearChef)
	return nil
}

// --- applying

// prepareWrites clears the e-mail addresses that move, so that two people may swap addresses without
// meeting the unique index halfway.
func (st *importState) prepareWrites(ctx context.Context, tx *sql.Tx) error {
	st.writing = true
	for _, id := range st.emailMoves {
		if _, err := tx.ExecContext(ctx, `UPDATE people SET email = '' WHERE id = $1 AND tenant_id = $2`, id, st.tenantID); err != nil {
			return err
		}
	}
	return nil
}

// write stores one row of a file whose every row checked out.
func (st *importState) write(ctx context.Context, tx *sql.Tx, r HRRow, problems []string) error {
	if problems = normalise(&r, problems); len(problems) > 0 {
		return fmt.Errorf("line %d: read differently the second time: %v", r.Line, problems)
	}
	u, msg := st.resolve(&r)
	if msg != "" {
		return fmt.Errorf("line %d: %s", r.Line, msg)
	}
	if err := st.materialise(ctx, tx, u); err != nil {
		return err
	}
	p := st.byEmployee[r.EmployeeID]
	kind, w, _ := st.compare(p, &r, u)
	person := &Person{TenantID: st.tenantID, UnitID: u.dbID, EmployeeID: r.EmployeeID, GivenName: w.given, FamilyName: w.family,
		Email: w.email, Title: w.title, Active: true, Roles: w.roles.list()}
	switch {
	case p == nil:
		if err := st.store.InsertPerson(ctx, tx, person); err != nil {
			return err
		}
	case kind != importUnchanged:
		person.ID = p.id
		if err := st.store.UpdatePerson(ctx, tx, person); err != nil {
			return err
		}
	default:
		person.ID = p.id
	}
	if r.ManagerOf && u.managerID != person.ID {
		if err := st.setChef(ctx, tx, u.dbID, person.ID); err != nil {
			return err
		}
		u.managerID = person.ID
	}
	return nil
}

// materialise creates a planned unit (and the planned units above it) and reopens closed ones on the path.
func (st *importState) materialise(ctx context.Context, tx *sql.Tx, u *importUnit) error {
	if u.parent != 0 {
		if err := st.materialise(ctx, tx, st.units[u.parent]); err != nil {
			return err
		}
	}
	if u.dbID == 0 {
		parentID := int64(0)
		if u.parent != 0 {
			parentID = st.units[u.parent].dbID
		}
		nu := &Unit{TenantID: st.tenantID, ParentID: parentID, Kind: u.kind, Name: u.name}
		if err := st.store.InsertUnit(ctx, tx, nu); err != nil {
			return err
		}
		u.dbID = nu.ID
	}
	if u.reopen && !u.reopened {
		if _, err := tx.ExecContext(ctx, `UPDATE units SET closed_at = NULL WHERE id = $1 AND tenant_id = $2`, u.dbID, st.tenantID); err != nil {
			return err
		}
		u.reopened = true
	}
	return nil
}

func (st *importState) setChef(ctx context.Context, tx *sql.Tx, unitID, personID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE units SET manager_id = $1 WHERE id = $2 AND tenant_id = $3`, nullID(personID), unitID, st.tenantID)
	return err
}

// finishWrites removes the chefs who leave and deactivates the people missing from the file.
func (st *importState) finishWrites(ctx context.Context, tx *sql.Tx) error {
	for _, id := range st.clearChef {
		if err := st.setChef(ctx, tx, id, 0); err != nil {
			return err
		}
	}
	for _, p := range st.imported {
		if !p.deactivate {
			continue
		}
		person := &Person{ID: p.id, TenantID: st.tenantID, UnitID: p.unitID, EmployeeID: p.employeeID, GivenName: p.given,
			FamilyName: p.family, Email: p.email, Title: p.title, Active: false, Roles: p.roles.list()}
		if err := st.store.UpdatePerson(ctx, tx, person); err != nil {
			return err
		}
	}
	return nil
}
