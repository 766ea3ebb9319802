package org

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/vard-kommun/vard/internal/db"
)

// MaxImportBytes is the largest HR file the import accepts. A 50,000-row export is a few megabytes; the
// limit leaves room for wide files while a job's file can still be held in memory as it is read.
const MaxImportBytes = 20 << 20

const (
	// importMaxErrors and importMaxSamples cap what a result keeps: enough to fix a file or to judge a
	// preview, without a 50,000-row file producing a result of the same size.
	importMaxErrors  = 200
	importMaxSamples = 50
	// importProgressEvery is how often progress is published: visible, but cheap next to the rows.
	importProgressEvery = 250 * time.Millisecond
)

// ImportResult is what an import found in a file and, once applied, did: counts of every kind of change,
// the first row errors, and a sample of each kind of change.
type ImportResult struct {
	Filename  string
	Format    string // "csv" or "xlsx"
	Encoding  string
	Delimiter string
	Header    []string
	Mapping   Mapping
	// MappingSource says where the mapping came from: "saved" (the kommun's), "guessed" or "chosen".
	MappingSource string

	Rows        int // data rows read, with or without errors
	Created     int
	Changed     int
	Moved       int // placed in another unit (and perhaps changed too)
	Reactivated int
	Deactivated int
	Unchanged   int
	// DeactivatedAdmins counts kommunadmins among the deactivated, who would lose their access.
	DeactivatedAdmins int
	UnitsCreated      int
	UnitsReopened     int

	ErrorCount int        // rows with errors
	Errors     []RowError // the first importMaxErrors, by line

	CreatedSample       []PersonChange
	ChangedSample       []PersonChange
	MovedSample         []PersonChange
	ReactivatedSample   []PersonChange
	DeactivatedSample   []PersonChange
	UnitsCreatedSample  []string // paths such as "Barn- och utbildning › Ängsskolan"
	UnitsReopenedSample []string

	Applied bool
}

// RowError is a row that cannot be imported, with the reasons in Swedish.
type RowError struct {
	Line       int
	EmployeeID string
	Message    string
}

// PersonChange is one person in a preview: who, where, and what changes.
type PersonChange struct {
	Line       int // 0 for people who are not in the file
	EmployeeID string
	Name       string
	Unit       string // the unit's path
	Changes    []FieldChange
}

// FieldChange is one changed value; Field is the Swedish label.
type FieldChange struct {
	Field, From, To string
}

// HasChanges reports whether applying the file would change anything.
func (r *ImportResult) HasChanges() bool {
	return r.Created+r.Changed+r.Moved+r.Reactivated+r.Deactivated+r.UnitsCreated+r.UnitsReopened > 0
}

// CanApply reports whether the file may be applied: no row has an error and something would change.
func (r *ImportResult) CanApply() bool { return r.ErrorCount == 0 && r.Rows > 0 && r.HasChanges() }

// ImportError is a problem with a file as a whole, worded in Swedish for the person who chose it.
type ImportError struct {
	Message string
	// NeedsMapping means the columns could not be recognised; a person has to choose them.
	NeedsMapping bool
	Err          error
}

func (e *ImportError) Error() string { return e.Message }

func (e *ImportError) Unwrap() error { return e.Err }

// Importer runs organisation imports from HR exports: previews and applies them as background jobs stored
// in the database (so any server process may run them), and synchronously for the command line.
type Importer struct {
	svc *Service
	log *slog.Logger

	// live holds the progress of the jobs this process is running. An apply on SQLite holds the only
	// write connection for its whole transaction, so its progress cannot reach the table until it is done;
	// the status page reads it from here instead.
	mu   sync.Mutex
	live map[int64]importProgress
}

type importProgress struct{ Processed, Total int }

// NewImporter returns an importer over the organisation service.
func NewImporter(svc *Service, log *slog.Logger) *Importer {
	if log == nil {
		log = slog.Default()
	}
	return &Importer{svc: svc, log: log, live: map[int64]importProgress{}}
}

func (im *Importer) db() *db.DB { return im.svc.Store.DB }

// ImportFile previews an HR file for the kommun and, when apply is set and no row has an error, applies
// it in one transaction; it is the command line's way in and runs the same code as the queued jobs,
// without the queue. The kommun's saved column mapping is used when it fits the file, else a guess from
// the header. progress, when not nil, is called now and then with the rows done and the expected total
// (0 while unknown). File-level problems are returned as *ImportError; row errors are in the result.
func (im *Importer) ImportFile(ctx context.Context, tenantID int64, r io.Reader, filename string, apply bool, progress func(done, total int)) (*ImportResult, error) {
	content, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, &ImportError{Message: "Filen kunde inte läsas.", Err: err}
	}
	if len(content) > MaxImportBytes {
		return nil, errTooLarge
	}
	var report func(done, total int)
	if progress != nil {
		report = throttle(func(p importProgress) { progress(p.Processed, p.Total) })
	}
	return im.importContent(ctx, tenantID, content, importOptions{filename: filename, apply: apply, progress: report})
}

var errTooLarge = &ImportError{Message: "Filen är större än 20 MB. Ta bort kolumner som inte behövs, eller dela upp filen, och försök igen."}

// throttle turns a per-row progress callback into one that publishes at most every importProgressEvery,
// and always the last row.
func throttle(publish func(importProgress)) func(done, total int) {
	var last time.Time
	return func(done, total int) {
		if done%100 != 0 && done != total {
			return
		}
		if now := time.Now(); done == total || now.Sub(last) >= importProgressEvery {
			last = now
			publish(importProgress{Processed: done, Total: total})
		}
	}
}

// importOptions says how importContent runs.
type importOptions struct {
	filename string
	mapping  Mapping // chosen by a person; nil to use the saved mapping or a guess
	apply    bool
	rowsHint int // rows found by the preview, for the apply's progress
	progress func(done, total int)
	// finish runs in the apply's transaction after everything is stored; the worker marks its job
	// done there, so that the job and the organisation commit together or not at all.
	finish func(tx *sql.Tx, res *ImportResult) error
}

// errBlocked rolls back an apply that found row errors; the result carries them.
var errBlocked = errors.New("import blocked by row errors")

// importContent is the import itself, shared by the worker and the command line: open the file, settle the
// mapping, read every row and compare it with the database (the preview); and when applying, do that inside
// one transaction and then read the file a second time to write it. Reading twice keeps memory bounded:
// only a small record per person is held, never the rows.
func (im *Importer) importContent(ctx context.Context, tenantID int64, content []byte, o importOptions) (*ImportResult, error) {
	res := &ImportResult{Filename: o.filename}
	f, err := OpenHRFile(bytes.NewReader(content))
	if err != nil {
		return res, &ImportError{Message: err.Error(), Err: err}
	}
	defer f.Close()
	res.Format, res.Encoding, res.Header = f.Format, f.Encoding, f.Header
	if f.Delimiter != 0 {
		res.Delimiter = string(f.Delimiter)
	}
	m, source, err := im.pickMapping(ctx, tenantID, f.Header, o.mapping)
	res.Mapping, res.MappingSource = m, source
	if err != nil {
		return res, err
	}
	total := estimateRows(content, f)
	if o.apply && o.rowsHint > 0 {
		total = o.rowsHint
	}
	tick := func(done int) {}
	if o.progress != nil {
		scale := 1
		if o.apply {
			scale = 2 // the apply reads the file twice
		}
		tick = func(done int) { o.progress(done, total*scale) }
	}
	if !o.apply {
		st, err := loadImportState(ctx, im.svc.Store, im.db().Read(), tenantID, m, res)
		if err != nil {
			return res, err
		}
		if err := st.readAll(ctx, f, st.check, tick); err != nil {
			return res, err
		}
		return res, st.settle()
	}
	err = im.db().Tx(ctx, func(tx *sql.Tx) error {
		// One apply at a time per kommun: on PostgreSQL this locks the kommun's row until commit, so a
		// second server's apply waits and then reads what the first one stored; SQLite has one writer.
		if _, err := tx.ExecContext(ctx, `UPDATE tenants SET name = name WHERE id = $1`, tenantID); err != nil {
			return err
		}
		st, err := loadImportState(ctx, im.svc.Store, tx, tenantID, m, res)
		if err != nil {
			return err
		}
		if err := st.readAll(ctx, f, st.check, tick); err != nil {
			return err
		}
		if err := st.settle(); err != nil {
			return err
		}
		if res.ErrorCount > 0 {
			return errBlocked
		}
		total = res.Rows
		second, err := OpenHRFile(bytes.NewReader(content))
		if err != nil {
			return err
		}
		defer second.Close()
		if err := st.prepareWrites(ctx, tx); err != nil {
			return err
		}
		write := func(r HRRow, problems []string) error { return st.write(ctx, tx, r, problems) }
		if err := st.readAll(ctx, second, write, func(done int) { tick(res.Rows + done) }); err != nil {
			return err
		}
		if err := st.finishWrites(ctx, tx); err != nil {
			return err
		}
		res.Applied = true
		if o.finish != nil {
			return o.finish(tx, res)
		}
		return nil
	})
	if err != nil {
		res.Applied = false // rolled back, even if finish was what failed
	}
	switch {
	case errors.Is(err, errBlocked):
		return res, nil
	case errors.Is(err, ErrDuplicate):
		// The preview checks every e-mail address and employee number; this is someone saving a
		// person by hand while the import ran.
		return res, &ImportError{Message: "Importen stoppades eftersom en e-postadress eller ett anställningsnummer i filen just har börjat användas av någon annan. Ingenting har ändrats. Försök igen för att se vilka rader det gäller.", Err: err}
	}
	return res, err
}

// estimateRows guesses a CSV file's data rows from its line breaks (a quoted line break makes it a little
// high), so that a preview's progress has a total; 0 means unknown, as for XLSX.
func estimateRows(content []byte, f *HRFile) int {
	if f.Format != "csv" {
		return 0
	}
	eol := byte('\n')
	n := bytes.Count(content, []byte{eol})
	if n == 0 {
		eol = '\r'
		n = bytes.Count(content, []byte{eol})
	}
	if len(content) > 0 && content[len(content)-1] != eol {
		n++
	}
	return max(n-1, 0)
}

// --- the column mapping

// savedMapping is a kommun's mapping as stored: field → the header text of its column. Header names, not
// positions, so that next month's export still fits when a column has been added or moved.
type savedMapping map[Field]string

// pickMapping returns the chosen mapping when there is one, else the kommun's saved mapping when its
// columns are all in the header, else a guess. A mapping that does not validate is an *ImportError that
// needs a person to choose the columns.
func (im *Importer) pickMapping(ctx context.Context, tenantID int64, header []string, chosen Mapping) (Mapping, string, error) {
	if chosen != nil {
		if err := chosen.Validate(header); err != nil {
			return chosen, "chosen", &ImportError{Message: err.Error(), NeedsMapping: true}
		}
		return chosen, "chosen", nil
	}
	saved, err := im.savedMapping(ctx, tenantID)
	if err != nil {
		return nil, "", err
	}
	if m := saved.fit(header); m != nil && m.Validate(header) == nil {
		return m, "saved", nil
	}
	m := GuessMapping(header)
	if err := m.Validate(header); err != nil {
		return m, "guessed", &ImportError{Message: "Alla kolumner kunde inte kännas igen. " + err.Error(), NeedsMapping: true}
	}
	return m, "guessed", nil
}

func (im *Importer) savedMapping(ctx context.Context, tenantID int64) (savedMapping, error) {
	var s string
	err := im.db().Read().QueryRowContext(ctx, `SELECT mapping FROM import_mappings WHERE tenant_id = $1`, tenantID).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var m savedMapping
	if json.Unmarshal([]byte(s), &m) != nil {
		return nil, nil // an unreadable saved mapping is as good as none
	}
	return m, nil
}

// saveMapping stores the mapping as the kommun's, by header names.
func saveMapping(ctx context.Context, q db.Querier, tenantID int64, header []string, m Mapping) error {
	s := savedMapping{}
	for f, col := range m {
		if col >= 0 && col < len(header) {
			s[f] = header[col]
		}
	}
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `INSERT INTO import_mappings (tenant_id, mapping) VALUES ($1, $2)
		ON CONFLICT (tenant_id) DO UPDATE SET mapping = excluded.mapping`, tenantID, string(b))
	return err
}

// fit finds the saved columns in a header, or returns nil when one is missing.
func (s savedMapping) fit(header []string) Mapping {
	if len(s) == 0 {
		return nil
	}
	m := Mapping{}
	for f, name := range s {
		want := strings.ToLower(strings.TrimSpace(name))
		col := slices.IndexFunc(header, func(h string) bool { return want != "" && strings.ToLower(strings.TrimSpace(h)) == want })
		if col < 0 {
			return nil
		}
		m[f] = col
	}
	return m
}

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
		p.deactivate = true
		res.Deactivated++
		if p.roles&roleBit(RoleAdmin) != 0 {
			res.DeactivatedAdmins++
		}
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

// --- the queue of import jobs

// The states of an import job, as stored in import_jobs.status.
const (
	importQueued       = "queued"       // waiting for a worker to read the file
	importRunning      = "running"      // a worker is reading the file for the preview
	importNeedsMapping = "mapping"      // the columns were not recognised; a person chooses them
	importPreviewed    = "previewed"    // the preview is ready
	importApplyQueued  = "apply_queued" // a person asked for the import; waiting for a worker
	importApplying     = "applying"     // a worker is storing the file
	importDone         = "done"
	importFailed       = "failed"
	importCancelled    = "cancelled"
)

const (
	importPoll = 200 * time.Millisecond
	// importKeep is how long a preview nobody applies keeps its file, which holds personal data.
	importKeep = 7 * 24 * time.Hour
	// importStaleAfter is how long a job may go without a sign of life before another worker takes it
	// over: its worker's process has died. A live worker writes progress several times a second, except
	// an apply on SQLite, which holds the only write connection, so no other worker can claim anything.
	importStaleAfter = 2 * time.Minute
	// importMaxClaims stops a file that kills every worker that reads it from being retried for ever.
	importMaxClaims = 10
)

// importJob is one import as the pages show it.
type importJob struct {
	ID        int64
	TenantID  int64
	Filename  string
	Status    string
	Mapping   Mapping // nil until chosen or previewed
	Total     int
	Processed int
	Result    *ImportResult
	Message   string
	Attempt   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Working reports whether the job is waiting for or being handled by a worker.
func (j *importJob) Working() bool {
	switch j.Status {
	case importQueued, importRunning, importApplyQueued, importApplying:
		return true
	}
	return false
}

// Percent is the progress as a whole percentage, 0 while the total is unknown.
func (j *importJob) Percent() int {
	if j.Total <= 0 {
		return 0
	}
	return min(100, j.Processed*100/j.Total)
}

const importJobColumns = `id, tenant_id, filename, status, mapping, total, processed, result, message, attempt, created_at, updated_at`

func scanImportJob(row interface{ Scan(...any) error }) (*importJob, error) {
	j := &importJob{}
	var mapping, result string
	err := row.Scan(&j.ID, &j.TenantID, &j.Filename, &j.Status, &mapping, &j.Total, &j.Processed, &result, &j.Message,
		&j.Attempt, &j.CreatedAt, &j.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if mapping != "" {
		_ = json.Unmarshal([]byte(mapping), &j.Mapping) // unreadable means not chosen
	}
	if result != "" {
		res := &ImportResult{}
		if json.Unmarshal([]byte(result), res) == nil {
			j.Result = res
		}
	}
	return j, nil
}

// createJob stores an uploaded file as a job waiting for its preview.
func (im *Importer) createJob(ctx context.Context, tenantID int64, filename string, content []byte) (int64, error) {
	now := db.Now()
	var id int64
	err := im.db().Writer().QueryRowContext(ctx, `INSERT INTO import_jobs (tenant_id, filename, status, content, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, tenantID, filename, importQueued, content, now, now).Scan(&id)
	return id, err
}

// job returns one of the kommun's jobs, with the live progress when this process is running it.
func (im *Importer) job(ctx context.Context, tenantID, id int64) (*importJob, error) {
	j, err := scanImportJob(im.db().Read().QueryRowContext(ctx, `SELECT `+importJobColumns+` FROM import_jobs WHERE id = $1 AND tenant_id = $2`, id, tenantID))
	if err != nil {
		return nil, err
	}
	if j.Working() {
		im.mu.Lock()
		p, ok := im.live[j.ID]
		im.mu.Unlock()
		if ok {
			j.Processed, j.Total = p.Processed, p.Total
		}
	}
	return j, nil
}

// recentJobs lists the kommun's latest jobs, newest first.
func (im *Importer) recentJobs(ctx context.Context, tenantID int64, limit int) ([]*importJob, error) {
	rows, err := im.db().Read().QueryContext(ctx, `SELECT `+importJobColumns+` FROM import_jobs WHERE tenant_id = $1 ORDER BY id DESC LIMIT $2`, tenantID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []*importJob
	for rows.Next() {
		j, err := scanImportJob(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, j)
	}
	return list, rows.Err()
}

// queueApply asks a worker to apply a previewed job. It reports false when the job is not (or no
// longer) previewed, for instance when the button is pressed twice.
func (im *Importer) queueApply(ctx context.Context, tenantID, id int64) (bool, error) {
	res, err := im.db().Exec(ctx, `UPDATE import_jobs SET status = $1, processed = 0, message = '', updated_at = $2
		WHERE id = $3 AND tenant_id = $4 AND status = $5`, importApplyQueued, db.Now(), id, tenantID, importPreviewed)
	return affected(res, err)
}

// cancelJob discards a job that is not being applied, and its file. A preview being read when it is
// cancelled finds the job cancelled when it is done, and leaves it so.
func (im *Importer) cancelJob(ctx context.Context, tenantID, id int64) (bool, error) {
	res, err := im.db().Exec(ctx, `UPDATE import_jobs SET status = $1, content = $2, updated_at = $3
		WHERE id = $4 AND tenant_id = $5 AND status IN ($6, $7, $8, $9, $10, $11)`,
		importCancelled, []byte{}, db.Now(), id, tenantID,
		importQueued, importRunning, importNeedsMapping, importPreviewed, importApplyQueued, importFailed)
	return affected(res, err)
}

// chooseColumns saves a person's choice of columns as the kommun's mapping ("mapped once") and queues the
// job for a new preview with it.
func (im *Importer) chooseColumns(ctx context.Context, tenantID, id int64, header []string, m Mapping) (bool, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return false, err
	}
	ok := false
	err = im.db().Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE import_jobs SET status = $1, mapping = $2, result = '', message = '', total = 0, processed = 0, updated_at = $3
			WHERE id = $4 AND tenant_id = $5 AND status IN ($6, $7)`, importQueued, string(b), db.Now(), id, tenantID, importNeedsMapping, importPreviewed)
		if ok, err = affected(res, err); err != nil || !ok {
			return err
		}
		return saveMapping(ctx, tx, tenantID, header, m)
	})
	return ok, err
}

func affected(res sql.Result, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Run processes queued import jobs until ctx ends. Any number of processes may run it against one
// PostgreSQL database: each job is claimed by one of them.
func (im *Importer) Run(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	var expired time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		if time.Since(expired) > time.Hour {
			if err := im.expire(ctx); err != nil && ctx.Err() == nil {
				im.log.Error("expire import jobs", "err", err)
			}
			expired = time.Now()
		}
		im.runPending(ctx)
		timer.Reset(importPoll)
	}
}

// expire cancels previews that nobody applied or cancelled within importKeep, and drops their files.
func (im *Importer) expire(ctx context.Context) error {
	_, err := im.db().Exec(ctx, `UPDATE import_jobs SET status = $1, content = $2, message = $3, updated_at = $4
		WHERE status IN ($5, $6) AND updated_at < $7`,
		importCancelled, []byte{}, "Förhandsgranskningen avbröts efter en vecka utan att importen genomfördes. Ladda upp filen igen.",
		db.Now(), importNeedsMapping, importPreviewed, db.Now().Add(-importKeep))
	return err
}

// runPending processes jobs until none is waiting, and returns how many it processed.
func (im *Importer) runPending(ctx context.Context) int {
	n := 0
	for ctx.Err() == nil {
		job, err := im.claim(ctx)
		if err != nil {
			if ctx.Err() == nil {
				im.log.Error("claim import job", "err", err)
			}
			return n
		}
		if job == nil {
			return n
		}
		im.process(ctx, job)
		n++
	}
	return n
}

// claim takes the oldest waiting job, or one whose worker has died, and marks it as this worker's. On
// PostgreSQL, FOR UPDATE SKIP LOCKED lets several servers claim at once without taking the same job; on
// SQLite the single writer makes the claim one at a time.
func (im *Importer) claim(ctx context.Context) (*importJob, error) {
	stale := db.Now().Add(-importStaleAfter)
	const waiting = `(status IN ('queued', 'apply_queued') OR (status IN ('running', 'applying') AND updated_at < $1))`
	// A look on the read side first, so that an idle server does not take the write lock five times a second.
	var id int64
	err := im.db().Read().QueryRowContext(ctx, `SELECT id FROM import_jobs WHERE `+waiting+` LIMIT 1`, stale).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var job *importJob
	err = im.db().Tx(ctx, func(tx *sql.Tx) error {
		j := &importJob{}
		var mapping string
		err := tx.QueryRowContext(ctx, `SELECT id, tenant_id, filename, status, mapping, total, attempt FROM import_jobs
			WHERE `+waiting+` ORDER BY id LIMIT 1`+im.db().SkipLocked(), stale).
			Scan(&j.ID, &j.TenantID, &j.Filename, &j.Status, &mapping, &j.Total, &j.Attempt)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		now := db.Now()
		if j.Attempt >= importMaxClaims {
			_, err := tx.ExecContext(ctx, `UPDATE import_jobs SET status = $1, message = $2, content = $3, updated_at = $4 WHERE id = $5`,
				importFailed, "Filen kunde inte läsas färdigt. Ingenting har ändrats. Kontrollera filen och ladda upp den igen.", []byte{}, now, j.ID)
			return err
		}
		next := importRunning
		if j.Status == importApplyQueued || j.Status == importApplying {
			next = importApplying
		}
		if _, err := tx.ExecContext(ctx, `UPDATE import_jobs SET status = $1, attempt = attempt + 1, processed = 0, updated_at = $2 WHERE id = $3`,
			next, now, j.ID); err != nil {
			return err
		}
		if mapping != "" {
			_ = json.Unmarshal([]byte(mapping), &j.Mapping)
		}
		j.Status, j.Attempt = next, j.Attempt+1
		job = j
		return nil
	})
	return job, err
}

// errLostJob means the job was cancelled or taken over while this worker applied it; the work is rolled back.
var errLostJob = errors.New("import job no longer ours")

// process previews or applies a claimed job and records the outcome.
func (im *Importer) process(ctx context.Context, job *importJob) {
	defer func() {
		im.mu.Lock()
		delete(im.live, job.ID)
		im.mu.Unlock()
	}()
	defer func() {
		// The file readers already recover from their parsers' panics; this is the last line, so
		// that no file can take the server down.
		if p := recover(); p != nil {
			im.log.Error("import job panicked", "job", job.ID, "panic", p, "stack", string(debug.Stack()))
			im.settleJob(context.WithoutCancel(ctx), im.db().Writer(), job, importFailed, nil,
				"Importen avbröts av ett oväntat fel. Ingenting har ändrats.")
		}
	}()
	var content []byte
	if err := im.db().Read().QueryRowContext(ctx, `SELECT content FROM import_jobs WHERE id = $1`, job.ID).Scan(&content); err != nil {
		if ctx.Err() != nil {
			im.handBack(job)
			return
		}
		im.log.Error("read import file", "job", job.ID, "err", err)
		return // the job goes stale and is claimed again
	}
	// An apply on SQLite holds the only write connection, so its progress stays in memory (see live).
	toDB := job.Status == importRunning || im.db().Dialect != db.SQLite
	report := throttle(func(p importProgress) {
		im.mu.Lock()
		im.live[job.ID] = p
		im.mu.Unlock()
		if toDB {
			// The write also tells other workers that this one is alive.
			if _, err := im.db().Exec(ctx, `UPDATE import_jobs SET processed = $1, total = $2, updated_at = $3 WHERE id = $4 AND attempt = $5`,
				p.Processed, p.Total, db.Now(), job.ID, job.Attempt); err != nil && ctx.Err() == nil {
				im.log.Warn("import progress", "job", job.ID, "err", err)
			}
		}
	})
	if job.Status == importRunning {
		im.previewJob(ctx, job, content, report)
	} else {
		im.applyJob(ctx, job, content, report)
	}
}

func (im *Importer) previewJob(ctx context.Context, job *importJob, content []byte, report func(done, total int)) {
	res, err := im.importContent(ctx, job.TenantID, content, importOptions{filename: job.Filename, mapping: job.Mapping, progress: report})
	status, msg := importPreviewed, ""
	var ie *ImportError
	switch {
	case errors.As(err, &ie) && ie.NeedsMapping:
		status, msg = importNeedsMapping, ie.Message
	case errors.As(err, &ie):
		status, msg = importFailed, ie.Message
	case err != nil && ctx.Err() != nil:
		im.handBack(job)
		return
	case err != nil:
		im.log.Error("import preview", "job", job.ID, "err", err)
		status, msg = importFailed, "Filen kunde inte förhandsgranskas på grund av ett tekniskt fel. Ladda upp den igen om en stund."
	}
	if _, err := im.settleJob(ctx, im.db().Writer(), job, status, res, msg); err != nil && ctx.Err() == nil {
		im.log.Error("record import preview", "job", job.ID, "err", err)
	}
}

func (im *Importer) applyJob(ctx context.Context, job *importJob, content []byte, report func(done, total int)) {
	res, err := im.importContent(ctx, job.TenantID, content, importOptions{filename: job.Filename, mapping: job.Mapping,
		apply: true, rowsHint: job.Total, progress: report,
		finish: func(tx *sql.Tx, res *ImportResult) error {
			ok, err := im.settleJob(ctx, tx, job, importDone, res, "")
			if err == nil && !ok {
				err = errLostJob
			}
			return err
		}})
	// Whatever stopped the apply, nothing was stored: the job goes back to its preview, with a new
	// result when the rows now have errors, and can be tried again.
	var ie *ImportError
	msg := ""
	switch {
	case err == nil && res.Applied:
		return // settled in the transaction
	case errors.Is(err, errLostJob):
		im.log.Info("import job taken over or cancelled while applying; rolled back", "job", job.ID)
		return
	case errors.As(err, &ie):
		msg, res = ie.Message, nil
	case err != nil && ctx.Err() != nil:
		im.handBack(job) // rolled back; the next worker starts over
		return
	case err != nil:
		im.log.Error("import apply", "job", job.ID, "err", err)
		msg, res = "Importen kunde inte genomföras på grund av ett tekniskt fel. Ingenting har ändrats. Försök igen om en stund.", nil
	default:
		msg = "Importen genomfördes inte: organisationen har ändrats sedan förhandsgranskningen, och nu har filen fel. Ingenting har ändrats. Rätta filen och ladda upp den igen."
	}
	if _, err := im.settleJob(ctx, im.db().Writer(), job, importPreviewed, res, msg); err != nil && ctx.Err() == nil {
		im.log.Error("record import apply", "job", job.ID, "err", err)
	}
}

// handBack returns a job this worker was stopped in the middle of to the queue, so that the next worker
// (after a restart, say) takes it at once instead of waiting for it to go stale.
func (im *Importer) handBack(job *importJob) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	back := importQueued
	if job.Status == importApplying {
		back = importApplyQueued
	}
	if _, err := im.db().Exec(ctx, `UPDATE import_jobs SET status = $1, updated_at = $2 WHERE id = $3 AND attempt = $4 AND status = $5`,
		back, db.Now(), job.ID, job.Attempt, job.Status); err != nil {
		im.log.Warn("hand back import job", "job", job.ID, "err", err)
	}
}

// settleJob records a job's outcome, if the job is still this worker's: one cancelled meanwhile, or
// claimed by another worker, is left as it is (and false returned). A nil res keeps the earlier result.
func (im *Importer) settleJob(ctx context.Context, q db.Querier, job *importJob, status string, res *ImportResult, message string) (bool, error) {
	sets := []string{"status = $1", "message = $2", "updated_at = $3"}
	args := []any{status, message, db.Now()}
	set := func(col string, v any) {
		args = append(args, v)
		sets = append(sets, fmt.Sprintf("%s = $%d", col, len(args)))
	}
	if res != nil {
		b, err := json.Marshal(res)
		if err != nil {
			return false, err
		}
		set("result", string(b))
		set("total", res.Rows)
		set("processed", res.Rows)
		if status == importPreviewed && res.Mapping != nil {
			// The apply reads the file with exactly the mapping the preview showed.
			m, err := json.Marshal(res.Mapping)
			if err != nil {
				return false, err
			}
			set("mapping", string(m))
		}
	}
	if status == importDone || status == importFailed {
		set("content", []byte{}) // the file is not needed any more; personal data is not kept longer than that
	}
	args = append(args, job.ID, job.Attempt, job.Status)
	n := len(args)
	r, err := q.ExecContext(ctx, `UPDATE import_jobs SET `+strings.Join(sets, ", ")+
		fmt.Sprintf(` WHERE id = $%d AND attempt = $%d AND status = $%d`, n-2, n-1, n), args...)
	return affected(r, err)
}
