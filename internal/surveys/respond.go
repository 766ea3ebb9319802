package surveys

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/web"
)

// ErrNotYetOpen is what a respondent meets who opens a link before the round opens.
var ErrNotYetOpen = &web.Error{Status: http.StatusConflict, Message: "Enkäten har inte öppnat för svar ännu."}

// Respondent is what a personal link leads to: the round, its survey, and whether the link has been
// used.
type Respondent struct {
	Round  *Round
	Survey *Survey
	Used   bool
}

// maxTokenLength bounds a token read from a URL; real ones are 43 characters.
const maxTokenLength = 100

// Respondent returns what the personal link with the token leads to, or ErrBadLink when no invitation
// has the token. It does not check that the round is open or the link unused: Check does.
func (s *Service) Respondent(ctx context.Context, token string) (*Respondent, error) {
	if token == "" || len(token) > maxTokenLength {
		return nil, ErrBadLink
	}
	r, used, err := s.Store.link(ctx, s.Store.DB.Read(), hashToken(token))
	if errors.Is(err, db.ErrNotFound) {
		return nil, ErrBadLink
	}
	if err != nil {
		return nil, err
	}
	rs := &Respondent{Round: r, Used: used}
	if rs.Survey, err = s.roundSurvey(ctx, r.TenantID, r.SurveyID); err != nil {
		return nil, err
	}
	return rs, nil
}

// link returns the round of the personal link with the token hash and whether the link is used, or
// db.ErrNotFound.
func (s *Store) link(ctx context.Context, q db.Querier, tokenHash string) (*Round, bool, error) {
	r := &Round{}
	var target string
	var unit sql.NullInt64
	var used sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT r.id, r.tenant_id, r.survey_id, r.opens_at, r.closes_at, r.target, r.unit_id, r.created_at, i.used_at
		FROM survey_invitations i JOIN survey_rounds r ON r.id = i.round_id WHERE i.token_hash = $1`, tokenHash).
		Scan(&r.ID, &r.TenantID, &r.SurveyID, &r.OpensAt, &r.ClosesAt, &target, &unit, &r.CreatedAt, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, db.ErrNotFound
	}
	if err != nil {
		return nil, false, fmt.Errorf("invitation: %w", err)
	}
	r.OpenLink, r.UnitID = target == "link", unit.Int64
	return r, used.Valid, nil
}

// AnswerLink stores the questionnaire posted through a personal link: the answers in the form, under the
// idempotency key the form was shown with. It is Submit for the holder of a link in as few round trips as
// storing an answer can take: one statement claims the invitation and reads its round, whose dates are so
// read afresh for every submission (a round may be closed early), and the survey comes from the cache.
// Answers that do not hold roll the claim back. A retry with the key of a stored submission returns its
// receipt, even after the round has closed.
//
// The survey is returned to show the form again with its errors when the answers are invalid (a
// web.Invalid error); it is nil when the link leads to none.
func (s *Service) AnswerLink(ctx context.Context, token string, form url.Values) (*Survey, Receipt, error) {
	if token == "" || len(token) > maxTokenLength {
		return nil, Receipt{}, ErrBadLink
	}
	key, hash := form.Get("key"), hashToken(token)
	now := s.Store.Now()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	var sv *Survey
	var receipt Receipt
	err := s.Store.DB.Tx(ctx, func(tx *sql.Tx) error {
		c, err := s.Store.claimLink(ctx, tx, hash, day)
		if errors.Is(err, db.ErrNotFound) {
			return s.unclaimedLink(ctx, tx, hash, key, &receipt)
		}
		if err != nil {
			return err
		}
		if sv, err = s.roundSurvey(ctx, c.round.TenantID, c.round.SurveyID); err != nil {
			return err
		}
		// An unused link has no stored submission to retry, so a round that is not open ends it here
		// (and the rollback undoes the claim).
		switch {
		case now.Before(c.round.OpensAt):
			return ErrNotYetOpen
		case !c.round.Open(now):
			return ErrRoundClosed
		}
		answers, err := ParseSubmission(sv, form)
		if err != nil {
			return err
		}
		if !validKey(key) {
			return ErrIdempotencyKey
		}
		personID := int64(0)
		if sv.Named {
			personID = c.personID
		}
		receipt, err = s.record(ctx, tx, newEntry(sv, answers), c.round.ID, c.unitID, personID, hash, key, day)
		return err
	})
	switch {
	case errors.Is(err, errRetried):
		return sv, receipt, nil
	case err != nil:
		return sv, Receipt{}, err
	}
	return sv, receipt, nil
}

// unclaimedLink explains why the personal link with the token hash could not be claimed: it was used by
// the submission this one retries (its receipt is set and errRetried returned), used by another, or it is
// unknown.
func (s *Service) unclaimedLink(ctx context.Context, tx *sql.Tx, hash, key string, receipt *Receipt) error {
	r, used, err := s.Store.link(ctx, tx, hash)
	switch {
	case errors.Is(err, db.ErrNotFound):
		return ErrBadLink
	case err != nil:
		return err
	case !used:
		return fmt.Errorf("invitation of round %d neither claimed nor used", r.ID)
	case !validKey(key):
		return ErrInvitationUsed
	}
	rc, err := s.Store.responseByKey(ctx, tx, r.ID, key)
	if errors.Is(err, db.ErrNotFound) {
		return ErrInvitationUsed
	}
	if err != nil {
		return err
	}
	*receipt = rc
	return errRetried
}

// validKey reports whether an idempotency key can be stored.
func validKey(key string) bool { return key != "" && len(key) <= 100 && utf8.ValidString(key) }

// claim is a personal link claimed for a submission, with its round.
type claim struct {
	round            *Round
	personID, unitID int64
}

// claimLink marks the unused personal link with the token hash used, and returns it with the part of
// its round that a submission needs; or db.ErrNotFound when there is none to claim (used, or unknown).
// used_at IS NULL in the condition makes two concurrent claims of one link race for its row: the second
// waits for the first and then finds it used. The round is read in the same statement to save a round
// trip; the caller checks its dates and rolls back when it is not open.
func (s *Store) claimLink(ctx context.Context, tx *sql.Tx, tokenHash string, day time.Time) (*claim, error) {
	c := &claim{round: &Round{}}
	r := c.round
	var person, unit sql.NullInt64
	err := tx.QueryRowContext(ctx, `UPDATE survey_invitations SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL
		RETURNING round_id, person_id, unit_id,
			(SELECT tenant_id FROM survey_rounds r WHERE r.id = survey_invitations.round_id),
			(SELECT survey_id FROM survey_rounds r WHERE r.id = survey_invitations.round_id),
			(SELECT opens_at FROM survey_rounds r WHERE r.id = survey_invitations.round_id),
			(SELECT closes_at FROM survey_rounds r WHERE r.id = survey_invitations.round_id)`,
		day, tokenHash).Scan(&r.ID, &person, &unit, &r.TenantID, &r.SurveyID, &r.OpensAt, &r.ClosesAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("claim invitation: %w", err)
	}
	c.personID, c.unitID = person.Int64, unit.Int64
	return c, nil
}

// Draft returns the answers saved against the personal link with the token, or none.
func (s *Service) Draft(ctx context.Context, token string) (url.Values, error) {
	return s.Store.draft(ctx, hashToken(token))
}

// Answer is Submit for the holder of a personal link, with the round and survey already read.
func (s *Service) Answer(ctx context.Context, rs *Respondent, token, key string, answers []Answer) (Receipt, error) {
	return s.submit(ctx, rs.Round, rs.Survey, Submission{RoundID: rs.Round.ID, Token: token, IdempotencyKey: key, Answers: answers})
}

// Check returns why the respondent cannot answer now, or nil: the link is used, or the round is not
// open at t.
func (rs *Respondent) Check(t time.Time) error {
	switch {
	case rs.Used:
		return ErrInvitationUsed
	case t.Before(rs.Round.OpensAt):
		return ErrNotYetOpen
	case !rs.Round.Open(t):
		return ErrRoundClosed
	}
	return nil
}

// SaveDraft keeps the answers given so far in the form against the personal link, to continue later.
// Only the fields of the survey's questions are kept, unchecked, since a draft may be half done; free
// text is cut to MaxTextLength.
func (s *Service) SaveDraft(ctx context.Context, token string, rs *Respondent, form url.Values) error {
	if err := rs.Check(s.Store.Now()); err != nil {
		return err
	}
	kept := url.Values{}
	for _, q := range rs.Survey.Questions {
		field := "q" + strconv.FormatInt(q.ID, 10)
		for _, v := range form[field] {
			if !utf8.ValidString(v) {
				continue
			}
			if r := []rune(v); len(r) > MaxTextLength {
				v = string(r[:MaxTextLength])
			}
			kept[field] = append(kept[field], v)
			if len(kept[field]) > len(q.Options)+11 {
				break
			}
		}
	}
	b, err := json.Marshal(kept)
	if err != nil {
		return err
	}
	return s.Store.saveDraft(ctx, hashToken(token), string(b), s.Store.Now())
}

// draft returns the answers saved against the link with the token hash, or none.
func (s *Store) draft(ctx context.Context, tokenHash string) (url.Values, error) {
	var answers string
	err := s.DB.Read().QueryRowContext(ctx, `SELECT answers FROM survey_drafts WHERE token_hash = $1`, tokenHash).Scan(&answers)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("draft: %w", err)
	}
	v := url.Values{}
	if err := json.Unmarshal([]byte(answers), &v); err != nil {
		return nil, fmt.Errorf("draft: %w", err)
	}
	return v, nil
}

// saveDraft stores a draft, only while the link is unused, so that a save racing a submission cannot
// leave a draft behind the answer. On PostgreSQL it locks the invitation's row (SQLite's single writer
// does the same): a save that comes first makes the submission's claim wait until the draft is committed,
// so that the submission's next statement deletes it; one that comes second waits for the claim and then
// finds the link used.
func (s *Store) saveDraft(ctx context.Context, tokenHash, answers string, now time.Time) error {
	lock := ""
	if s.DB.Dialect == db.Postgres {
		lock = " FOR UPDATE"
	}
	_, err := s.DB.Writer().ExecContext(ctx, `INSERT INTO survey_drafts (token_hash, answers, updated_at)
		SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM survey_invitations WHERE token_hash = $1 AND used_at IS NULL`+lock+`)
		ON CONFLICT (token_hash) DO UPDATE SET answers = excluded.answers, updated_at = excluded.updated_at`,
		tokenHash, answers, now)
	if err != nil {
		return fmt.Errorf("save draft: %w", err)
	}
	return nil
}

// deleteDraft removes the draft of a link, in the transaction that stores its submission.
func (s *Store) deleteDraft(ctx context.Context, tx *sql.Tx, tokenHash string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM survey_drafts WHERE token_hash = $1`, tokenHash); err != nil {
		return fmt.Errorf("delete draft: %w", err)
	}
	return nil
}
