package values

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vard-kommun/vard/internal/db"
)

// store is the värdegrund's SQL. Every query that takes a tenantID confines itself to that kommun: a
// version of another kommun is not found.
type store struct{ db *db.DB }

const versionColumns = `v.id, v.tenant_id, v.number, v.status, v.vision, v.code, COALESCE(v.based_on_id, 0),
	COALESCE(c.given_name || ' ' || c.family_name, ''), v.created_at, v.updated_at,
	v.adopted_on, v.adopted_body, v.registration_number, COALESCE(r.given_name || ' ' || r.family_name, ''),
	v.recorded_at, v.replaced_at`

const versionFrom = ` FROM value_versions v LEFT JOIN people c ON c.id = v.created_by LEFT JOIN people r ON r.id = v.recorded_by`

func scanVersion(row interface{ Scan(...any) error }) (*Version, error) {
	v := &Version{}
	var recorded, replaced sql.NullTime
	err := row.Scan(&v.ID, &v.TenantID, &v.Number, &v.Status, &v.Vision, &v.Code, &v.BasedOnID, &v.CreatedByName,
		&v.CreatedAt, &v.UpdatedAt, &v.Adoption.Date, &v.Adoption.Body, &v.Adoption.RegistrationNumber,
		&v.Adoption.RecordedByName, &recorded, &replaced)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if recorded.Valid {
		v.Adoption.RecordedAt = &recorded.Time
	}
	if replaced.Valid {
		v.ReplacedAt = &replaced.Time
	}
	return v, nil
}

// versions lists the kommun's versions, newest first, without their words and promises.
func (s *store) versions(ctx context.Context, tenantID int64) ([]*Version, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT `+versionColumns+versionFrom+` WHERE v.tenant_id = $1 ORDER BY v.number DESC`, tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []*Version
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
	}
	return list, rows.Err()
}

// version returns one version of the kommun with its words and promises.
func (s *store) version(ctx context.Context, q db.Querier, tenantID, id int64) (*Version, error) {
	v, err := scanVersion(q.QueryRowContext(ctx, `SELECT `+versionColumns+versionFrom+` WHERE v.tenant_id = $1 AND v.id = $2`, tenantID, id))
	if err != nil {
		return nil, err
	}
	return v, s.loadContent(ctx, q, v)
}

// versionWithStatus returns the kommun's version with the status (there is at most one draft and one
// adopted version), with its words and promises.
func (s *store) versionWithStatus(ctx context.Context, q db.Querier, tenantID int64, st Status) (*Version, error) {
	v, err := scanVersion(q.QueryRowContext(ctx, `SELECT `+versionColumns+versionFrom+` WHERE v.tenant_id = $1 AND v.status = $2`, tenantID, st))
	if err != nil {
		return nil, err
	}
	return v, s.loadContent(ctx, q, v)
}

func (s *store) loadContent(ctx context.Context, q db.Querier, v *Version) error {
	rows, err := q.QueryContext(ctx, `SELECT word_key, name, meaning, behaviours FROM value_words WHERE version_id = $1 ORDER BY position`, v.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	v.Words = nil
	for rows.Next() {
		var w VersionWord
		var behaviours string
		if err := rows.Scan(&w.Key, &w.Name, &w.Meaning, &behaviours); err != nil {
			return err
		}
		w.Behaviours = splitLines(behaviours)
		v.Words = append(v.Words, w)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT promise_key, text, target_value, target_unit, measure FROM value_promises WHERE version_id = $1 ORDER BY position`, v.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	v.Promises = nil
	for rows.Next() {
		var p Promise
		var value sql.NullFloat64
		var unit, measure string
		if err := rows.Scan(&p.Key, &p.Text, &value, &unit, &measure); err != nil {
			return err
		}
		if value.Valid {
			p.Target = &Target{Value: value.Float64, Unit: Unit(unit), Measure: measure}
		}
		v.Promises = append(v.Promises, p)
	}
	return rows.Err()
}

// splitLines turns stored behaviours (one per line) into a list.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// nextNumber returns the number the kommun's next version gets.
func (s *store) nextNumber(ctx context.Context, q db.Querier, tenantID int64) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(number), 0) + 1 FROM value_versions WHERE tenant_id = $1`, tenantID).Scan(&n)
	return n, err
}

// insertVersion stores a new draft with its content.
func (s *store) insertVersion(ctx context.Context, tx *sql.Tx, v *Version, createdBy int64) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO value_versions (tenant_id, number, status, vision, code, based_on_id, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
		v.TenantID, v.Number, v.Status, v.Vision, v.Code, nullID(v.BasedOnID), nullID(createdBy), v.CreatedAt).Scan(&v.ID)
	if err != nil {
		return err
	}
	return s.writeContent(ctx, tx, v)
}

// updateDraft stores a draft's new content. It refuses (with errNotDraft) a version that is no longer a
// draft, so that an edit racing an adoption cannot change the adopted text.
func (s *store) updateDraft(ctx context.Context, tx *sql.Tx, v *Version) error {
	res, err := tx.ExecContext(ctx, `UPDATE value_versions SET vision = $1, code = $2, updated_at = $3 WHERE id = $4 AND tenant_id = $5 AND status = $6`,
		v.Vision, v.Code, v.UpdatedAt, v.ID, v.TenantID, StatusDraft)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errNotDraft
	}
	for _, table := range []string{"value_words", "value_promises"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE version_id = $1`, v.ID); err != nil {
			return err
		}
	}
	return s.writeContent(ctx, tx, v)
}

func (s *store) writeContent(ctx context.Context, tx *sql.Tx, v *Version) error {
	for i, w := range v.Words {
		if _, err := tx.ExecContext(ctx, `INSERT INTO value_words (version_id, position, word_key, name, meaning, behaviours) VALUES ($1, $2, $3, $4, $5, $6)`,
			v.ID, i, w.Key, w.Name, w.Meaning, strings.Join(w.Behaviours, "\n")); err != nil {
			return fmt.Errorf("word %s: %w", w.Key, err)
		}
	}
	for i, p := range v.Promises {
		var value any
		var unit, measure string
		if p.Target != nil {
			value, unit, measure = p.Target.Value, string(p.Target.Unit), p.Target.Measure
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO value_promises (version_id, position, promise_key, text, target_value, target_unit, measure) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			v.ID, i, p.Key, p.Text, value, unit, measure); err != nil {
			return fmt.Errorf("promise %s: %w", p.Key, err)
		}
	}
	return nil
}

// adopt makes the draft the adopted version and the version it replaces a replaced one, in tx.
func (s *store) adopt(ctx context.Context, tx *sql.Tx, tenantID, id int64, a Adoption, recordedBy int64, now time.Time) error {
	// The old version steps aside first: the index allows one adopted version per kommun.
	if _, err := tx.ExecContext(ctx, `UPDATE value_versions SET status = $1, replaced_at = $2 WHERE tenant_id = $3 AND status = $4 AND id <> $5`,
		StatusReplaced, now, tenantID, StatusAdopted, id); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE value_versions SET status = $1, adopted_on = $2, adopted_body = $3, registration_number = $4,
		recorded_by = $5, recorded_at = $6, updated_at = $6 WHERE id = $7 AND tenant_id = $8 AND status = $9`,
		StatusAdopted, a.Date, a.Body, a.RegistrationNumber, nullID(recordedBy), now, id, tenantID, StatusDraft)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errNotDraft
	}
	return nil
}

// deleteDraft removes a draft with its content; a version that is not a draft stays (errNotDraft).
func (s *store) deleteDraft(ctx context.Context, tx *sql.Tx, tenantID, id int64) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM value_versions WHERE id = $1 AND tenant_id = $2 AND status = $3`, id, tenantID, StatusDraft)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errNotDraft
	}
	return nil
}

// currentWords returns the words of the kommun's adopted version, in order.
func (s *store) currentWords(ctx context.Context, tenantID int64) ([]Word, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT w.word_key, w.name, w.meaning FROM value_words w
		JOIN value_versions v ON v.id = w.version_id WHERE v.tenant_id = $1 AND v.status = $2 ORDER BY w.position`, tenantID, StatusAdopted)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	words := []Word{}
	for rows.Next() {
		var w Word
		if err := rows.Scan(&w.Key, &w.Name, &w.Meaning); err != nil {
			return nil, err
		}
		words = append(words, w)
	}
	return words, rows.Err()
}

// adoptedWords returns every word of the kommun's adopted and replaced versions, newest version first.
func (s *store) adoptedWords(ctx context.Context, tenantID int64) ([]Word, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT w.word_key, w.name, w.meaning FROM value_words w
		JOIN value_versions v ON v.id = w.version_id WHERE v.tenant_id = $1 AND v.status <> $2 ORDER BY v.number DESC, w.position`, tenantID, StatusDraft)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var words []Word
	for rows.Next() {
		var w Word
		if err := rows.Scan(&w.Key, &w.Name, &w.Meaning); err != nil {
			return nil, err
		}
		words = append(words, w)
	}
	return words, rows.Err()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
