package surveys

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vard-kommun/vard/internal/db"
)

// Store is the SQL of surveys.
type Store struct {
	DB  *db.DB
	Now func() time.Time
}

// NewStore returns a store over the database.
func NewStore(d *db.DB) *Store { return &Store{DB: d, Now: db.Now} }

// insertSurvey stores a survey and its questions.
func (s *Store) insertSurvey(ctx context.Context, tx *sql.Tx, sv *Survey) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO surveys (tenant_id, title, kind, named, k, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		sv.TenantID, sv.Title, string(sv.Kind), sv.Named, sv.K, sv.CreatedAt).Scan(&sv.ID)
	if err != nil {
		return fmt.Errorf("insert survey: %w", err)
	}
	for _, q := range sv.Questions {
		q.SurveyID = sv.ID
		opts, _ := json.Marshal(q.Options)
		var hme any
		if q.HMEIndex >= 0 {
			hme = q.HMEIndex
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO survey_questions (survey_id, position, type, text, options, required, hme_index, value_word)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			q.SurveyID, q.Position, string(q.Type), q.Text, string(opts), q.Required, hme, nullText(q.WordKey)).Scan(&q.ID)
		if err != nil {
			return fmt.Errorf("insert question: %w", err)
		}
	}
	return nil
}

// Survey returns a kommun's survey with its questions, or db.ErrNotFound.
func (s *Store) Survey(ctx context.Context, tenantID, id int64) (*Survey, error) {
	sv := &Survey{}
	var kind string
	err := s.DB.Read().QueryRowContext(ctx, `SELECT id, tenant_id, title, kind, named, k, created_at
		FROM surveys WHERE tenant_id = $1 AND id = $2`, tenantID, id).
		Scan(&sv.ID, &sv.TenantID, &sv.Title, &kind, &sv.Named, &sv.K, &sv.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("survey: %w", err)
	}
	sv.Kind = Kind(kind)
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT id, position, type, text, options, required, hme_index, COALESCE(value_word, '')
		FROM survey_questions WHERE survey_id = $1 ORDER BY position`, sv.ID)
	if err != nil {
		return nil, fmt.Errorf("questions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		q := &Question{SurveyID: sv.ID}
		var typ, opts string
		var hme sql.NullInt64
		if err := rows.Scan(&q.ID, &q.Position, &typ, &q.Text, &opts, &q.Required, &hme, &q.WordKey); err != nil {
			return nil, fmt.Errorf("questions: %w", err)
		}
		q.Type = QuestionType(typ)
		if err := json.Unmarshal([]byte(opts), &q.Options); err != nil {
			return nil, fmt.Errorf("question %d options: %w", q.ID, err)
		}
		q.HMEIndex = -1
		if hme.Valid {
			q.HMEIndex = int(hme.Int64)
		}
		sv.Questions = append(sv.Questions, q)
	}
	return sv, rows.Err()
}

// Round returns a kommun's round, or db.ErrNotFound (also when the round belongs to another kommun).
func (s *Store) Round(ctx context.Context, tenantID, id int64) (*Round, error) {
	r := &Round{}
	var target string
	var unit sql.NullInt64
	err := s.DB.Read().QueryRowContext(ctx, `SELECT id, tenant_id, survey_id, opens_at, closes_at, target, unit_id, created_at
		FROM survey_rounds WHERE tenant_id = $1 AND id = $2`, tenantID, id).
		Scan(&r.ID, &r.TenantID, &r.SurveyID, &r.OpensAt, &r.ClosesAt, &target, &unit, &r.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("round: %w", err)
	}
	r.OpenLink = target == "link"
	r.UnitID = unit.Int64
	return r, nil
}

func (s *Store) insertInvitations(ctx context.Context, tx *sql.Tx, roundID int64, invitees []Invitee, hashes []string, now time.Time) error {
	for i, in := range invitees {
		if _, err := tx.ExecContext(ctx, `INSERT INTO survey_invitations (round_id, token_hash, person_id, unit_id, created_at)
			VALUES ($1, $2, $3, $4, $5)`, roundID, hashes[i], nullID(in.PersonID), nullID(in.UnitID), now); err != nil {
			return fmt.Errorf("insert invitation: %w", err)
		}
	}
	return nil
}

// invitation is the part of an invitation that Submit needs.
type invitation struct {
	id, personID, unitID int64
	used                 bool
}

func (s *Store) invitation(ctx context.Context, tx *sql.Tx, roundID int64, tokenHash string) (*invitation, error) {
	inv := &invitation{}
	var person, unit sql.NullInt64
	var used sql.NullTime
	err := tx.QueryRowContext(ctx, `SELECT id, person_id, unit_id, used_at FROM survey_invitations
		WHERE round_id = $1 AND token_hash = $2`, roundID, tokenHash).Scan(&inv.id, &person, &unit, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("invitation: %w", err)
	}
	inv.personID, inv.unitID, inv.used = person.Int64, unit.Int64, used.Valid
	return inv, nil
}

// claimInvitation marks the round's unused invitation with the token hash used, and returns it; or
// db.ErrNotFound when there is none to claim (used, or unknown). used_at IS NULL in the condition makes
// two concurrent claims of one token race for the row: the second finds it used.
func (s *Store) claimInvitation(ctx context.Context, tx *sql.Tx, roundID int64, tokenHash string, day time.Time) (*invitation, error) {
	inv := &invitation{used: true}
	var person, unit sql.NullInt64
	err := tx.QueryRowContext(ctx, `UPDATE survey_invitations SET used_at = $1
		WHERE round_id = $2 AND token_hash = $3 AND used_at IS NULL RETURNING id, person_id, unit_id`,
		day, roundID, tokenHash).Scan(&inv.id, &person, &unit)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("claim invitation: %w", err)
	}
	inv.personID, inv.unitID = person.Int64, unit.Int64
	return inv, nil
}

// responseByKey returns the receipt of the round's response with the idempotency key, or db.ErrNotFound.
func (s *Store) responseByKey(ctx context.Context, q db.Querier, roundID int64, key string) (Receipt, error) {
	var r Receipt
	err := q.QueryRowContext(ctx, `SELECT id, submitted_at FROM survey_responses WHERE round_id = $1 AND idempotency_key = $2`,
		roundID, key).Scan(&r.ResponseID, &r.SubmittedOn)
	if errors.Is(err, sql.ErrNoRows) {
		return r, db.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("response: %w", err)
	}
	r.SubmittedOn = r.SubmittedOn.UTC()
	return r, nil
}

// insertResponse stores a response unless the round already has one with the key, and reports whether
// it did. ON CONFLICT DO NOTHING waits for a concurrent transaction with the same key and then skips.
// Given the token hash of the personal link just claimed, it also deletes the link's draft: on PostgreSQL
// in the same statement, which saves a round trip on every submission. Either way the deletion runs in a
// statement after the claim, so it sees a draft that a concurrent save committed while the claim waited
// for the invitation's row (see saveDraft).
func (s *Store) insertResponse(ctx context.Context, tx *sql.Tx, id, roundID, unitID, personID int64, key string, day time.Time, draft string) (bool, error) {
	query := `INSERT INTO survey_responses (id, round_id, unit_id, person_id, idempotency_key, submitted_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (round_id, idempotency_key) DO NOTHING RETURNING id`
	args := []any{id, roundID, nullID(unitID), nullID(personID), key, day}
	if draft != "" {
		if s.DB.Dialect == db.Postgres {
			query = `WITH draft AS (DELETE FROM survey_drafts WHERE token_hash = $7) ` + query
			args = append(args, draft)
		} else if err := s.deleteDraft(ctx, tx, draft); err != nil {
			return false, err
		}
	}
	var got int64
	err := tx.QueryRowContext(ctx, query, args...).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("insert response: %w", err)
	}
	return true, nil
}

// insertAnswers stores a response's answers in one statement.
func (s *Store) insertAnswers(ctx context.Context, tx *sql.Tx, responseID int64, answers []Answer, questions map[int64]*Question) error {
	var b strings.Builder
	args := []any{responseID}
	b.WriteString(`INSERT INTO survey_answers (response_id, question_id, value, text) VALUES `)
	for _, a := range answers {
		values := a.Values
		if questions[a.QuestionID].Type == Text {
			values = []int{0}
		}
		for _, v := range values {
			if len(args) > 1 {
				b.WriteString(", ")
			}
			n := len(args)
			fmt.Fprintf(&b, "($1, $%d, $%d, $%d)", n+1, n+2, n+3)
			args = append(args, a.QuestionID, v, a.Text)
		}
	}
	if len(args) == 1 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
		return fmt.Errorf("insert answers: %w", err)
	}
	return nil
}

// countKey is one row of survey_rollup_counts.
type countKey struct {
	questionID int64
	value      int
}

// addRollups increments the unit's roll-ups by one response. Every submission touches the rows in the
// same order (responses, counts by question and value, hme), so concurrent transactions on PostgreSQL
// wait for each other instead of deadlocking; each UPSERT is atomic, so no increment is lost.
func (s *Store) addRollups(ctx context.Context, tx *sql.Tx, roundID, unitID int64, counts []countKey, hme *HMETally) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO survey_rollup_responses (round_id, unit_id, n) VALUES ($1, $2, 1)
		ON CONFLICT (round_id, unit_id) DO UPDATE SET n = survey_rollup_responses.n + excluded.n`, roundID, unitID); err != nil {
		return fmt.Errorf("roll up response: %w", err)
	}
	if len(counts) > 0 {
		var b strings.Builder
		args := []any{roundID, unitID}
		b.WriteString(`INSERT INTO survey_rollup_counts (round_id, unit_id, question_id, value, n) VALUES `)
		for i, c := range counts {
			if i > 0 {
				b.WriteString(", ")
			}
			n := len(args)
			fmt.Fprintf(&b, "($1, $2, $%d, $%d, 1)", n+1, n+2)
			args = append(args, c.questionID, c.value)
		}
		b.WriteString(` ON CONFLICT (round_id, unit_id, question_id, value) DO UPDATE SET n = survey_rollup_counts.n + excluded.n`)
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("roll up counts: %w", err)
		}
	}
	if hme != nil {
		if _, err := tx.ExecContext(ctx, `INSERT INTO survey_rollup_hme (round_id, unit_id,
			motivation_points, motivation_n, ledarskap_points, ledarskap_n, styrning_points, styrning_n, total_points, total_n)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (round_id, unit_id) DO UPDATE SET
			motivation_points = survey_rollup_hme.motivation_points + excluded.motivation_points,
			motivation_n = survey_rollup_hme.motivation_n + excluded.motivation_n,
			ledarskap_points = survey_rollup_hme.ledarskap_points + excluded.ledarskap_points,
			ledarskap_n = survey_rollup_hme.ledarskap_n + excluded.ledarskap_n,
			styrning_points = survey_rollup_hme.styrning_points + excluded.styrning_points,
			styrning_n = survey_rollup_hme.styrning_n + excluded.styrning_n,
			total_points = survey_rollup_hme.total_points + excluded.total_points,
			total_n = survey_rollup_hme.total_n + excluded.total_n`,
			roundID, unitID, hme.Motivation.Points, hme.Motivation.N, hme.Ledarskap.Points, hme.Ledarskap.N,
			hme.Styrning.Points, hme.Styrning.N, hme.Total.Points, hme.Total.N); err != nil {
			return fmt.Errorf("roll up hme: %w", err)
		}
	}
	return nil
}

// unitTally is what the roll-ups hold for one unit of one round, or for a unit and everything under it.
type unitTally struct {
	n      int
	counts []int    // by layout.slot
	hme    HMETally // only the index part; statements are filled from counts when scoring
}

// layout places every (question, value) of a survey in a slice, so that summing tallies through the tree
// adds slices rather than maps. Each question has its values plus, first, the slot for value −1.
type layout struct {
	base map[int64]int // question id → slot of value −1
	size map[int64]int // question id → number of values
	len  int
}

func newLayout(sv *Survey) *layout {
	l := &layout{base: map[int64]int{}, size: map[int64]int{}}
	for _, q := range sv.Questions {
		l.base[q.ID] = l.len
		l.size[q.ID] = q.values()
		l.len += 1 + q.values()
	}
	return l
}

// slot is where a question's value is counted, or −1 when the survey has no such question and value.
func (l *layout) slot(questionID int64, value int) int {
	base, ok := l.base[questionID]
	if !ok || value < -1 || value >= l.size[questionID] {
		return -1
	}
	return base + 1 + value
}

func (l *layout) tally() *unitTally { return &unitTally{counts: make([]int, l.len)} }

// rollups reads a round's roll-ups in one statement, so that every figure comes from the same snapshot
// (in both dialects a statement sees one snapshot; three queries could each see a different number of
// submissions, and the difference between them could single out one response). A row is (unit, a, b, c):
// a > 0 is a count (question a, value b, c answered), a = 0 the number of responses (c), and a = −1 … −4
// the HME indices motivation, ledarskap, styrning and total (b points over c respondents). Four narrow
// columns, since scanning a column costs more than anything else here on SQLite.
func (s *Store) rollups(ctx context.Context, roundID int64, l *layout) (map[int64]*unitTally, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `
		SELECT unit_id, 0, 0, n FROM survey_rollup_responses WHERE round_id = $1
		UNION ALL SELECT unit_id, question_id, value, n FROM survey_rollup_counts WHERE round_id = $1
		UNION ALL SELECT unit_id, -1, motivation_points, motivation_n FROM survey_rollup_hme WHERE round_id = $1
		UNION ALL SELECT unit_id, -2, ledarskap_points, ledarskap_n FROM survey_rollup_hme WHERE round_id = $1
		UNION ALL SELECT unit_id, -3, styrning_points, styrning_n FROM survey_rollup_hme WHERE round_id = $1
		UNION ALL SELECT unit_id, -4, total_points, total_n FROM survey_rollup_hme WHERE round_id = $1`, roundID)
	if err != nil {
		return nil, fmt.Errorf("roll-ups: %w", err)
	}
	defer rows.Close()
	out := map[int64]*unitTally{}
	var last int64
	var t *unitTally
	for rows.Next() {
		var unit, a int64
		var b, c int
		if err := rows.Scan(&unit, &a, &b, &c); err != nil {
			return nil, fmt.Errorf("roll-ups: %w", err)
		}
		if t == nil || unit != last {
			t, last = out[unit], unit
			if t == nil {
				t = l.tally()
				out[unit] = t
			}
		}
		switch {
		case a > 0:
			if i := l.slot(a, b); i >= 0 {
				t.counts[i] = c
			}
		case a == 0:
			t.n = c
		case a == -1:
			t.hme.Motivation = HMEIndexTally{Points: b, N: c}
		case a == -2:
			t.hme.Ledarskap = HMEIndexTally{Points: b, N: c}
		case a == -3:
			t.hme.Styrning = HMEIndexTally{Points: b, N: c}
		case a == -4:
			t.hme.Total = HMEIndexTally{Points: b, N: c}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("roll-ups: %w", err)
	}
	return out, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// unitFigure is what the results page needs of one unit of a round before a group is selected: its
// responses, its HME indices, and the integer sums behind its headline mean (Σ value × count and Σ count
// over the headline's questions).
type unitFigure struct {
	n            int
	hme          HMETally
	hsum, hcount int
}

func (f *unitFigure) add(u *unitFigure) {
	f.n += u.n
	f.hme = f.hme.Add(u.hme)
	f.hsum += u.hsum
	f.hcount += u.hcount
}

// pageRead says what pageRollups reads besides every unit's responses: the HME indices, the headline's
// questions (with the largest value a distribution counts), and whose counts to sum per question and
// value for the selected group — every unit when all, else the units in the list, or with exclude those
// not in it. values is the most values a question of the survey has (Question.values).
type pageRead struct {
	hme      bool
	headline []int64
	maxValue int
	all      bool
	units    []int64
	exclude  bool
	detail   bool
	values   int
}

// pageRollups reads, in one statement and so from one snapshot, a round's per-unit responses, HME indices
// and headline sums, and the selected group's counts summed in SQL: O(units) rows plus one per question
// and value, instead of every unit's every count. A row is (unit, a, b, c, HME): a = 0 the responses (c)
// with the HME indices' points and respondents, a = −5 the headline sums (b = Σ value × n, c = Σ n), and
// a > 0 the selected group's count (c) of a question and value, as question × (values + 1) + value + 1:
// SQLite sorts one integer key for GROUP BY markedly faster than two.
func (s *Store) pageRollups(ctx context.Context, roundID int64, in pageRead) (map[int64]*unitFigure, map[countKey]int, error) {
	args := []any{roundID}
	arg := func(x any) string {
		args = append(args, x)
		return fmt.Sprintf("$%d", len(args))
	}
	list := func(ids []int64) string {
		ph := make([]string, len(ids))
		for i, id := range ids {
			ph[i] = arg(id)
		}
		return strings.Join(ph, ", ")
	}
	const zeros = `, 0, 0, 0, 0, 0, 0, 0, 0`
	q := `SELECT unit_id, 0, 0, n` + zeros + ` FROM survey_rollup_responses WHERE round_id = $1`
	if in.hme {
		q = `SELECT r.unit_id, 0, 0, r.n, COALESCE(h.motivation_points, 0), COALESCE(h.motivation_n, 0), COALESCE(h.ledarskap_points, 0),
		COALESCE(h.ledarskap_n, 0), COALESCE(h.styrning_points, 0), COALESCE(h.styrning_n, 0), COALESCE(h.total_points, 0), COALESCE(h.total_n, 0)
		FROM survey_rollup_responses r LEFT JOIN survey_rollup_hme h ON h.round_id = r.round_id AND h.unit_id = r.unit_id WHERE r.round_id = $1`
	}
	if len(in.headline) > 0 {
		q += `
		UNION ALL SELECT unit_id, -5, SUM(value * n), SUM(n)` + zeros + ` FROM survey_rollup_counts
		WHERE round_id = $1 AND question_id IN (` + list(in.headline) + `) AND value BETWEEN 0 AND ` + arg(in.maxValue) + `
		GROUP BY unit_id`
	}
	width := int64(in.values + 1)
	if in.detail && (in.all || in.exclude || len(in.units) > 0) {
		where := ` AND value BETWEEN -1 AND ` + arg(in.values-1)
		switch {
		case in.all:
		case in.exclude && len(in.units) == 0:
		case in.exclude:
			where += ` AND unit_id NOT IN (` + list(in.units) + `)`
		default:
			where += ` AND unit_id IN (` + list(in.units) + `)`
		}
		w := arg(width)
		q += `
		UNION ALL SELECT 0, question_id * ` + w + ` + value + 1, 0, SUM(n)` + zeros + ` FROM survey_rollup_counts WHERE round_id = $1` + where + `
		GROUP BY question_id * ` + w + ` + value + 1`
	}
	rows, err := s.DB.Read().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("roll-ups: %w", err)
	}
	defer rows.Close()
	units := map[int64]*unitFigure{}
	counts := map[countKey]int{}
	for rows.Next() {
		var unit, a int64
		var b, c int
		var h HMETally
		if err := rows.Scan(&unit, &a, &b, &c, &h.Motivation.Points, &h.Motivation.N, &h.Ledarskap.Points, &h.Ledarskap.N,
			&h.Styrning.Points, &h.Styrning.N, &h.Total.Points, &h.Total.N); err != nil {
			return nil, nil, fmt.Errorf("roll-ups: %w", err)
		}
		if a > 0 {
			counts[countKey{a / width, int(a%width) - 1}] = c
			continue
		}
		f := units[unit]
		if f == nil {
			f = &unitFigure{}
			units[unit] = f
		}
		switch a {
		case 0:
			f.n, f.hme = c, h
		case -5:
			f.hsum, f.hcount = b, c
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("roll-ups: %w", err)
	}
	return units, counts, nil
}
