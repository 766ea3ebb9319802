package surveys

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/values"
	"github.com/vard-kommun/vard/internal/web"
)

// The builder: the templates a kommunadmin starts a survey from, the editing of its questions, and the
// rule that keeps a sent survey as it was.

// ErrFrozen is the answer to an edit of a survey that has a round. Submissions are checked against, and
// results are laid out by, the questions as they were when the round was created, so they must never
// change afterwards; a copy can be edited instead.
var ErrFrozen = &web.Error{Status: http.StatusConflict, Message: "Enkäten har skickats och kan inte ändras längre. Kopiera den för att göra en ny version."}

// errHMEFixed refuses edits of SKR's statements, whose wording makes HME comparable between kommuner.
var errHMEFixed = &web.Error{Status: http.StatusConflict, Message: "SKR:s påståenden i HME kan inte ändras, så att resultatet går att jämföra med andra."}

// Start is what a new survey starts from: nothing, or one of the built-in templates.
type Start string

// The starts a kommunadmin can choose.
const (
	StartEmpty      Start = "tom"
	StartHME        Start = "hme"
	StartPulse      Start = "vardepuls"
	StartLedarforum Start = "ledarforum"
	StartCitizen    Start = "medborgare"
)

// Starts lists the starts in the order the new-survey page shows them.
var Starts = []Start{StartEmpty, StartHME, StartPulse, StartLedarforum, StartCitizen}

// Label is the start's Swedish name.
func (s Start) Label() string {
	switch s {
	case StartEmpty:
		return "Tom enkät"
	case StartHME:
		return "HME – Hållbart medarbetarengagemang"
	case StartPulse:
		return "Värdepuls"
	case StartLedarforum:
		return "Frågor till chefer efter ledarforum"
	case StartCitizen:
		return "Medborgarenkät om bemötande"
	}
	return string(s)
}

// Description says in Swedish what the start gives.
func (s Start) Description() string {
	switch s {
	case StartEmpty:
		return "Bygg enkäten fråga för fråga."
	case StartHME:
		return "SKR:s nio påståenden om motivation, ledarskap och styrning, med index 0–100."
	case StartPulse:
		return "Två påståenden per värdeord i kommunens antagna värdegrund."
	case StartLedarforum:
		return "Fritextfrågor till cheferna och ett påstående om forumet."
	case StartCitizen:
		return "Tre påståenden om bemötandet, hur kontakten togs och plats för egna ord. Passar en öppen länk med QR-kod."
	}
	return ""
}

// Kind is the kind of survey the start makes.
func (s Start) Kind() Kind {
	switch s {
	case StartHME:
		return KindHME
	case StartPulse:
		return KindValuesPulse
	case StartLedarforum:
		return KindLedarforum
	case StartCitizen:
		return KindCitizen
	}
	return KindCustom
}

// Valid reports whether s is a known start.
func (s Start) Valid() bool {
	for _, x := range Starts {
		if x == s {
			return true
		}
	}
	return false
}

// The statements of the values pulse, with %s for the värdeord's name.
const (
	pulseColleagues = "På min arbetsplats märks värdeordet %s i hur vi bemöter varandra."
	pulseCitizens   = "På min arbetsplats märks värdeordet %s i hur vi bemöter dem vi är till för."
)

// ErrNoValues is why a values pulse cannot be made: the kommun has no adopted värdegrund.
var ErrNoValues = &web.Error{Status: http.StatusUnprocessableEntity, Message: "Kommunen har ingen antagen värdegrund ännu. Anta värdegrunden först, så hämtar värdepulsen sina värdeord därifrån.",
	Fields: map[string]string{"start": "Kommunen har ingen antagen värdegrund ännu."}}

// TemplateQuestions returns the questions a start gives. A values pulse asks two statements per värdeord
// of the adopted värdegrund (words), each naming its word's key; HME's statements are added by
// CreateSurvey from SKR's template.
func TemplateQuestions(start Start, words []values.Word) ([]QuestionInput, error) {
	switch start {
	case StartPulse:
		if len(words) == 0 {
			return nil, ErrNoValues
		}
		var qs []QuestionInput
		for _, w := range words {
			qs = append(qs,
				QuestionInput{Type: Likert5, Text: fmt.Sprintf(pulseColleagues, w.Name), WordKey: w.Key},
				QuestionInput{Type: Likert5, Text: fmt.Sprintf(pulseCitizens, w.Name), WordKey: w.Key})
		}
		qs = append(qs, QuestionInput{Type: Text, Text: "Berätta gärna om ett tillfälle då du såg värdegrunden i praktiken."})
		return qs, nil
	case StartLedarforum:
		return []QuestionInput{
			{Type: Text, Text: "Vad tar du med dig från forumet till din arbetsplats?"},
			{Type: Text, Text: "Vilken fråga vill du ställa till ledningen?"},
			{Type: Text, Text: "Vad vill du att nästa ledarforum tar upp?"},
			{Type: Likert5, Text: "Forumet var värt min tid."},
		}, nil
	case StartCitizen:
		return []QuestionInput{
			{Type: Likert5, Text: "Blev du väl bemött?", Required: true},
			{Type: Likert5, Text: "Fick du hjälp med ditt ärende?"},
			{Type: Likert5, Text: "Var det enkelt?"},
			{Type: Single, Text: "Hur kontaktade du oss?", Options: []string{"Besök", "Telefon", "E-post", "Webben", "Annat sätt"}},
			{Type: Text, Text: "Något du vill tillägga?"},
		}, nil
	}
	return nil, nil
}

// NewSurveyInput is the new-survey form: where it starts, its title, the anonymity threshold and
// whether answers are stored with the respondent's name.
type NewSurveyInput struct {
	Start Start
	Title string
	K     int
	Named bool
}

// NewSurvey creates a survey from a start; words are the värdeord of the kommun's adopted värdegrund.
func (s *Service) NewSurvey(ctx context.Context, tenantID int64, in NewSurveyInput, words []values.Word) (*Survey, error) {
	errs := map[string]string{}
	if !in.Start.Valid() {
		errs["start"] = "Välj hur enkäten ska börja."
	}
	if in.K != 0 && in.K < MinK {
		errs["k"] = fmt.Sprintf("Gränsen får inte vara lägre än %d svar.", MinK)
	} else if in.K > 100 {
		errs["k"] = "Gränsen får vara högst 100 svar."
	}
	if t := strings.TrimSpace(in.Title); t == "" || utf8.RuneCountInString(t) > 200 {
		errs["title"] = "Ange en rubrik på högst 200 tecken."
	}
	if len(errs) > 0 {
		return nil, web.Invalid(errs)
	}
	questions, err := TemplateQuestions(in.Start, words)
	if err != nil {
		return nil, err
	}
	return s.CreateSurvey(ctx, tenantID, SurveyInput{Title: in.Title, Kind: in.Start.Kind(), Named: in.Named, K: in.K, Questions: questions})
}

// CopySurvey makes an editable copy of a kommun's survey, with its questions and settings and no rounds.
func (s *Service) CopySurvey(ctx context.Context, tenantID, id int64) (*Survey, error) {
	src, err := s.Store.Survey(ctx, tenantID, id)
	if err != nil {
		return nil, err
	}
	title := "Kopia av " + src.Title
	if utf8.RuneCountInString(title) > 200 {
		title = string([]rune(title)[:200])
	}
	sv := &Survey{TenantID: tenantID, Title: title, Kind: src.Kind, Named: src.Named, K: src.K, CreatedAt: s.Store.Now()}
	for _, q := range src.Questions {
		c := *q
		c.ID, c.SurveyID = 0, 0
		c.Options = append([]string(nil), q.Options...)
		sv.Questions = append(sv.Questions, &c)
	}
	err = s.Store.DB.Tx(ctx, func(tx *sql.Tx) error { return s.Store.insertSurvey(ctx, tx, sv) })
	if err != nil {
		return nil, err
	}
	return sv, nil
}

// questionProblem returns what is wrong with a question, in Swedish, or "".
func questionProblem(q *Question) string {
	switch {
	case !q.Type.Valid():
		return "Välj en frågetyp."
	case q.Text == "" || utf8.RuneCountInString(q.Text) > 500:
		return "Frågan ska ha en text på högst 500 tecken."
	case !utf8.ValidString(q.Text) || strings.IndexFunc(q.Text, unicode.IsControl) >= 0:
		return "Texten innehåller otillåtna tecken."
	case (q.Type == Single || q.Type == Multiple) && (len(q.Options) < 2 || len(q.Options) > 30):
		return "Ett flerval ska ha 2–30 svarsalternativ."
	case q.Type != Single && q.Type != Multiple && len(q.Options) > 0:
		return "Bara flervalsfrågor har svarsalternativ."
	}
	seen := map[string]bool{}
	for _, o := range q.Options {
		switch {
		case o == "" || utf8.RuneCountInString(o) > 200:
			return "Varje svarsalternativ ska ha en text på högst 200 tecken."
		case !utf8.ValidString(o) || strings.IndexFunc(o, unicode.IsControl) >= 0:
			return "Texten innehåller otillåtna tecken."
		case seen[strings.ToLower(o)]:
			return "Två svarsalternativ har samma text."
		}
		seen[strings.ToLower(o)] = true
	}
	return ""
}

// QuestionEdit is a question as the question form gives it. Options are one per line.
type QuestionEdit struct {
	Type     QuestionType
	Text     string
	Options  string
	Required bool
}

// question checks the edit and returns it as a question, or a web.Invalid keyed by the form's fields.
func (in QuestionEdit) question() (*Question, error) {
	q := &Question{Type: in.Type, Text: strings.TrimSpace(in.Text), Required: in.Required, HMEIndex: -1}
	for line := range strings.Lines(in.Options) {
		if o := strings.TrimSpace(line); o != "" {
			q.Options = append(q.Options, o)
		}
	}
	errs := map[string]string{}
	switch {
	case !q.Type.Valid():
		errs["type"] = "Välj en frågetyp."
	case q.Text == "" || utf8.RuneCountInString(q.Text) > 500:
		errs["text"] = "Frågan ska ha en text på högst 500 tecken."
	case !utf8.ValidString(q.Text) || strings.IndexFunc(q.Text, unicode.IsControl) >= 0:
		errs["text"] = "Texten innehåller otillåtna tecken."
	case q.Type != Single && q.Type != Multiple:
		q.Options = nil // a leftover list from a choice question the type was changed from
	default:
		if msg := questionProblem(q); msg != "" {
			errs["options"] = msg
		}
	}
	if len(errs) > 0 {
		return nil, web.Invalid(errs)
	}
	return q, nil
}

// editable locks a kommun's survey for an edit of its questions within tx, or returns ErrFrozen when it
// has a round, or db.ErrNotFound. The UPDATE takes the row lock that CreateRound's freeze takes too, and
// PostgreSQL re-checks frozen_at after waiting for it, so an edit never slips in beside a new round.
func (s *Store) editable(ctx context.Context, tx *sql.Tx, tenantID, surveyID int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE surveys SET title = title WHERE tenant_id = $1 AND id = $2 AND frozen_at IS NULL`, tenantID, surveyID)
	if ok, err := affected(res, err); err != nil || ok {
		return err
	}
	var frozen sql.NullTime
	err = tx.QueryRowContext(ctx, `SELECT frozen_at FROM surveys WHERE tenant_id = $1 AND id = $2`, tenantID, surveyID).Scan(&frozen)
	if errors.Is(err, sql.ErrNoRows) {
		return db.ErrNotFound
	}
	if err != nil {
		return err
	}
	return ErrFrozen
}

func affected(res sql.Result, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// AddQuestion adds a question at the end of a survey that has no round yet.
func (s *Service) AddQuestion(ctx context.Context, tenantID, surveyID int64, in QuestionEdit) (*Question, error) {
	q, err := in.question()
	if err != nil {
		return nil, err
	}
	q.SurveyID = surveyID
	err = s.Store.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.Store.editable(ctx, tx, tenantID, surveyID); err != nil {
			return err
		}
		opts, _ := json.Marshal(options(q))
		return tx.QueryRowContext(ctx, `INSERT INTO survey_questions (survey_id, position, type, text, options, required)
			VALUES ($1, (SELECT COALESCE(MAX(position), 0) + 1 FROM survey_questions WHERE survey_id = $1), $2, $3, $4, $5)
			RETURNING id, position`, surveyID, string(q.Type), q.Text, string(opts), q.Required).Scan(&q.ID, &q.Position)
	})
	if err != nil {
		return nil, err
	}
	return q, nil
}

func options(q *Question) []string {
	if q.Options == nil {
		return []string{}
	}
	return q.Options
}

// Question returns a question of a kommun's survey, with the survey.
func (s *Service) Question(ctx context.Context, tenantID, questionID int64) (*Survey, *Question, error) {
	var surveyID int64
	err := s.Store.DB.Read().QueryRowContext(ctx, `SELECT q.survey_id FROM survey_questions q JOIN surveys s ON s.id = q.survey_id
		WHERE q.id = $1 AND s.tenant_id = $2`, questionID, tenantID).Scan(&surveyID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, db.ErrNotFound
	}
	if err != nil {
		return nil, nil, fmt.Errorf("question: %w", err)
	}
	sv, err := s.Store.Survey(ctx, tenantID, surveyID)
	if err != nil {
		return nil, nil, err
	}
	for _, q := range sv.Questions {
		if q.ID == questionID {
			return sv, q, nil
		}
	}
	return nil, nil, db.ErrNotFound
}

// changeQuestion runs change on a question of a survey without a round, in one transaction.
func (s *Service) changeQuestion(ctx context.Context, tenantID, questionID int64, change func(tx *sql.Tx, q *Question) error) error {
	sv, q, err := s.Question(ctx, tenantID, questionID)
	if err != nil {
		return err
	}
	return s.Store.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.Store.editable(ctx, tx, tenantID, sv.ID); err != nil {
			return err
		}
		if q.HMEIndex >= 0 {
			return errHMEFixed
		}
		return change(tx, q)
	})
}

// UpdateQuestion changes a question of a survey that has no round yet.
func (s *Service) UpdateQuestion(ctx context.Context, tenantID, questionID int64, in QuestionEdit) error {
	nq, err := in.question()
	if err != nil {
		return err
	}
	return s.changeQuestion(ctx, tenantID, questionID, func(tx *sql.Tx, q *Question) error {
		opts, _ := json.Marshal(options(nq))
		_, err := tx.ExecContext(ctx, `UPDATE survey_questions SET type = $1, text = $2, options = $3, required = $4 WHERE id = $5`,
			string(nq.Type), nq.Text, string(opts), nq.Required, q.ID)
		return err
	})
}

// DeleteQuestion removes a question of a survey that has no round yet. The positions after it keep
// their numbers: only their order matters.
func (s *Service) DeleteQuestion(ctx context.Context, tenantID, questionID int64) error {
	return s.changeQuestion(ctx, tenantID, questionID, func(tx *sql.Tx, q *Question) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM survey_questions WHERE id = $1`, q.ID)
		return err
	})
}

// MoveQuestion swaps a question with the one before it (up) or after it, in a survey that has no round.
// At the top or bottom it does nothing.
func (s *Service) MoveQuestion(ctx context.Context, tenantID, questionID int64, up bool) error {
	return s.changeQuestion(ctx, tenantID, questionID, func(tx *sql.Tx, q *Question) error {
		query := `SELECT id, position FROM survey_questions WHERE survey_id = $1 AND position > $2 ORDER BY position LIMIT 1`
		if up {
			query = `SELECT id, position FROM survey_questions WHERE survey_id = $1 AND position < $2 ORDER BY position DESC LIMIT 1`
		}
		var otherID int64
		var otherPos int
		err := tx.QueryRowContext(ctx, query, q.SurveyID, q.Position).Scan(&otherID, &otherPos)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		// Through a free position, since (survey_id, position) is unique at every statement.
		for _, step := range []struct {
			id  int64
			pos int
		}{{q.ID, -1}, {otherID, q.Position}, {q.ID, otherPos}} {
			if _, err := tx.ExecContext(ctx, `UPDATE survey_questions SET position = $1 WHERE id = $2`, step.pos, step.id); err != nil {
				return err
			}
		}
		return nil
	})
}

// SurveySummary is one survey in the list of a kommun's surveys.
type SurveySummary struct {
	ID        int64
	Title     string
	Kind      Kind
	Named     bool
	Questions int
	Rounds    int
	Frozen    bool
	CreatedAt time.Time
}

// Label is the Swedish name of a kind of survey.
func (k Kind) Label() string {
	switch k {
	case KindHME:
		return "HME"
	case KindValuesPulse:
		return "Värdepuls"
	case KindLedarforum:
		return "Ledarforum"
	case KindCitizen:
		return "Medborgarenkät"
	}
	return "Egen enkät"
}

// Surveys lists a kommun's surveys, newest first, one page at a time, and how many there are in all.
func (s *Service) Surveys(ctx context.Context, tenantID int64, limit, offset int) ([]SurveySummary, int, error) {
	var total int
	if err := s.Store.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM surveys WHERE tenant_id = $1`, tenantID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count surveys: %w", err)
	}
	rows, err := s.Store.DB.Read().QueryContext(ctx, `SELECT s.id, s.title, s.kind, s.named, s.frozen_at IS NOT NULL, s.created_at,
		(SELECT COUNT(*) FROM survey_questions q WHERE q.survey_id = s.id),
		(SELECT COUNT(*) FROM survey_rounds r WHERE r.survey_id = s.id)
		FROM surveys s WHERE s.tenant_id = $1 ORDER BY s.created_at DESC, s.id DESC LIMIT $2 OFFSET $3`, tenantID, limit, offset)
	list, err := db.Collect(rows, err, func(r db.Row) (SurveySummary, error) {
		var x SurveySummary
		var kind string
		err := r.Scan(&x.ID, &x.Title, &kind, &x.Named, &x.Frozen, &x.CreatedAt, &x.Questions, &x.Rounds)
		x.Kind = Kind(kind)
		return x, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("surveys: %w", err)
	}
	return list, total, nil
}

// Frozen reports whether a kommun's survey has a round, and so can no longer be edited.
func (s *Service) Frozen(ctx context.Context, tenantID, surveyID int64) (bool, error) {
	var frozen bool
	err := s.Store.DB.Read().QueryRowContext(ctx, `SELECT frozen_at IS NOT NULL FROM surveys WHERE tenant_id = $1 AND id = $2`, tenantID, surveyID).Scan(&frozen)
	if errors.Is(err, sql.ErrNoRows) {
		return false, db.ErrNotFound
	}
	return frozen, err
}

func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}
