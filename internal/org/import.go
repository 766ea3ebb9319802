package org

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

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
	// KeptAdmins counts kommunadmins missing from the file, who stay active all the same.
	KeptAdmins    int
	UnitsCreated  int
	UnitsReopened int

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
