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
	rs := &Respondent{Round: &Round{}}
	var target string
	var unit sql.NullInt64
	var used sql.NullTime
	r := rs.Round
	err := s.Store.DB.Read().QueryRowContext(ctx, `SELECT r.id, r.tenant_id, r.survey_id, r.opens_at, r.closes_at, r.target, r.unit_id, r.created_at, i.used_at
		FROM survey_invitations i JOIN survey_rounds r ON r.id = i.round_id WHERE i.token_hash = $1`, hashToken(token)).
		Scan(&r.ID, &r.TenantID, &r.SurveyID, &r.OpensAt, &r.ClosesAt, &target, &unit, &r.CreatedAt, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrBadLink
	}
	if err != nil {
		return nil, fmt.Errorf("invitation: %w", err)
	}
	r.OpenLink, r.UnitID, rs.Used = target == "link", unit.Int64, used.Valid
	if rs.Survey, err = s.Store.Survey(ctx, r.TenantID, r.SurveyID); err != nil {
		return nil, err
	}
	return rs, nil
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
// leave a draft behind the answer.
func (s *Store) saveDraft(ctx context.Context, tokenHash, answers string, now time.Time) error {
	_, err := s.DB.Writer().ExecContext(ctx, `INSERT INTO survey_drafts (token_hash, answers, updated_at)
		SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM survey_invitations WHERE token_hash = $1 AND used_at IS NULL)
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
