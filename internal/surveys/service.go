package surveys

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/web"
)

// The errors a respondent can meet, in Swedish since they are shown as they are.
var (
	ErrRoundClosed     = &web.Error{Status: http.StatusGone, Message: "Enkäten är inte öppen för svar just nu."}
	ErrInvitationUsed  = &web.Error{Status: http.StatusGone, Message: "Den här länken har redan använts för att svara."}
	ErrBadLink         = &web.Error{Status: http.StatusNotFound, Message: "Länken till enkäten är ogiltig."}
	ErrIdempotencyKey  = &web.Error{Status: http.StatusBadRequest, Message: "Svaret saknar en giltig sändningsnyckel. Ladda om sidan och försök igen."}
	errUnknownQuestion = "Frågan finns inte i enkäten."
)

// Service holds the rules of surveys.
type Service struct {
	Store *Store
	// MailActive says that a mail worker sends the queue; without one, round pages say that the
	// invitations wait in the queue.
	MailActive bool
	cache      *surveyCache // the surveys of rounds, for submissions; nil reads them every time
}

// NewService returns the service over a store.
func NewService(s *Store) *Service { return &Service{Store: s, cache: newSurveyCache(surveyCacheSize)} }

// SurveyInput is what a kommunadmin gives to create a survey. For KindHME, Questions is ignored: the
// nine statements come from SKR's template.
type SurveyInput struct {
	Title     string
	Kind      Kind
	Named     bool
	K         int
	Questions []QuestionInput
}

// QuestionInput is one question of a new survey.
type QuestionInput struct {
	Type     QuestionType
	Text     string
	Options  []string
	Required bool
	// WordKey is, in a values pulse, the key of the värdeord the statement is about.
	WordKey string
}

// CreateSurvey validates and stores a survey with its questions.
func (s *Service) CreateSurvey(ctx context.Context, tenantID int64, in SurveyInput) (*Survey, error) {
	in.Title = strings.TrimSpace(in.Title)
	errs := map[string]string{}
	if in.Title == "" || utf8.RuneCountInString(in.Title) > 200 {
		errs["title"] = "Ange en rubrik på högst 200 tecken."
	}
	if !in.Kind.Valid() {
		errs["kind"] = "Välj en typ av enkät."
	}
	sv := &Survey{TenantID: tenantID, Title: in.Title, Kind: in.Kind, Named: in.Named, K: NormalizeK(in.K), CreatedAt: s.Store.Now()}
	if in.Kind == KindHME {
		h, err := LoadHME()
		if err != nil {
			return nil, err
		}
		for i, st := range h.Statements() {
			sv.Questions = append(sv.Questions, &Question{Position: i + 1, Type: Likert5, Text: st, HMEIndex: i})
		}
	} else {
		for i, qi := range in.Questions {
			q := &Question{Position: i + 1, Type: qi.Type, Text: strings.TrimSpace(qi.Text), Options: qi.Options, Required: qi.Required, HMEIndex: -1, WordKey: qi.WordKey}
			if msg := questionProblem(q); msg != "" {
				errs["q"+strconv.Itoa(i+1)] = msg
			}
			sv.Questions = append(sv.Questions, q)
		}
		// An empty survey may be stored and built question by question; a round needs a question
		// (CreateRound checks).
	}
	if len(errs) > 0 {
		return nil, web.Invalid(errs)
	}
	err := s.Store.DB.Tx(ctx, func(tx *sql.Tx) error { return s.Store.insertSurvey(ctx, tx, sv) })
	if err != nil {
		return nil, err
	}
	return sv, nil
}

// RoundInput is what a kommunadmin gives to open a round.
type RoundInput struct {
	OpensAt, ClosesAt time.Time
	OpenLink          bool
	UnitID            int64 // open link only: the unit its answers count under, or 0
}

// OpenRound creates a round of the kommun's survey.
func (s *Service) OpenRound(ctx context.Context, tenantID, surveyID int64, in RoundInput) (*Round, error) {
	if _, err := s.Store.Survey(ctx, tenantID, surveyID); err != nil {
		return nil, err
	}
	if !in.ClosesAt.After(in.OpensAt) {
		return nil, web.Invalid(map[string]string{"closes_at": "Slutdatumet måste komma efter startdatumet."})
	}
	if !in.OpenLink && in.UnitID != 0 {
		return nil, web.Invalid(map[string]string{"unit": "Bara en öppen länk räknar svaren till en fast enhet."})
	}
	r := &Round{TenantID: tenantID, SurveyID: surveyID, OpensAt: in.OpensAt.UTC(), ClosesAt: in.ClosesAt.UTC(),
		OpenLink: in.OpenLink, UnitID: in.UnitID, CreatedAt: s.Store.Now()}
	if err := s.insertRound(ctx, r, "", Targets{}); err != nil {
		return nil, err
	}
	return r, nil
}

// Invite creates one personal link per invitee and returns their tokens in the same order. The tokens
// are returned this once: only their hashes are stored.
func (s *Service) Invite(ctx context.Context, tenantID, roundID int64, invitees []Invitee) ([]string, error) {
	r, err := s.Store.Round(ctx, tenantID, roundID)
	if err != nil {
		return nil, err
	}
	if r.OpenLink {
		return nil, web.BadRequest("Omgången har en öppen länk och inga personliga inbjudningar.")
	}
	tokens := make([]string, len(invitees))
	hashes := make([]string, len(invitees))
	for i := range invitees {
		b := make([]byte, 32)
		rand.Read(b)
		tokens[i] = base64.RawURLEncoding.EncodeToString(b)
		hashes[i] = hashToken(tokens[i])
	}
	now := s.Store.Now()
	err = s.Store.DB.Tx(ctx, func(tx *sql.Tx) error {
		return s.Store.insertInvitations(ctx, tx, roundID, invitees, hashes, now)
	})
	if err != nil {
		return nil, err
	}
	return tokens, nil
}

func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// Validate checks answers against the survey's questions: each names a question once, holds what its
// type allows, and every required question is answered. The error is a web.Invalid with a Swedish message
// per question, keyed "q<question id>".
func Validate(sv *Survey, answers []Answer) error {
	byID := make(map[int64]*Question, len(sv.Questions))
	for _, q := range sv.Questions {
		byID[q.ID] = q
	}
	errs := map[string]string{}
	seen := map[int64]bool{}
	for _, a := range answers {
		field := "q" + strconv.FormatInt(a.QuestionID, 10)
		q, ok := byID[a.QuestionID]
		if !ok {
			errs[field] = errUnknownQuestion
			continue
		}
		if seen[a.QuestionID] {
			errs[field] = "Frågan är besvarad mer än en gång."
			continue
		}
		seen[a.QuestionID] = true
		if msg := checkAnswer(q, a); msg != "" {
			errs[field] = msg
		}
	}
	for _, q := range sv.Questions {
		if q.Required && !seen[q.ID] {
			errs["q"+strconv.FormatInt(q.ID, 10)] = "Frågan måste besvaras."
		}
	}
	if len(errs) > 0 {
		return web.Invalid(errs)
	}
	return nil
}

func checkAnswer(q *Question, a Answer) string {
	switch q.Type {
	case Text:
		switch {
		case len(a.Values) > 0:
			return "Svaret på en fritextfråga ska vara text."
		case strings.TrimSpace(a.Text) == "":
			return "Skriv ett svar eller lämna frågan tom."
		case !utf8.ValidString(a.Text) || strings.ContainsRune(a.Text, 0):
			return "Svaret innehåller otillåtna tecken."
		case utf8.RuneCountInString(a.Text) > MaxTextLength:
			return fmt.Sprintf("Svaret får vara högst %d tecken.", MaxTextLength)
		}
		return ""
	case Multiple:
		if a.Text != "" {
			return "Välj bland svarsalternativen."
		}
		if len(a.Values) == 0 {
			return "Välj minst ett svarsalternativ."
		}
		seen := map[int]bool{}
		for _, v := range a.Values {
			if v < 0 || v >= len(q.Options) || seen[v] {
				return "Välj bland svarsalternativen."
			}
			seen[v] = true
		}
		return ""
	}
	if a.Text != "" || len(a.Values) != 1 {
		return "Välj ett svar."
	}
	v := a.Values[0]
	switch q.Type {
	case Likert5:
		if v < 1 || v > 5 {
			return "Svaret ska vara mellan 1 och 5."
		}
	case Scale10:
		if v < 0 || v > 10 {
			return "Svaret ska vara mellan 0 och 10."
		}
	case Single:
		if v < 0 || v >= len(q.Options) {
			return "Välj bland svarsalternativen."
		}
	}
	return ""
}

// Submit stores one response in one transaction: it checks the answers, the round and the invitation,
// marks the invitation used (without saying by which response), stores the response with its answers and
// adds it to the roll-ups of the respondent's unit. A retry with the same idempotency key returns the first
// receipt and changes nothing, even after the round has closed or the invitation was used by that first
// submission.
func (s *Service) Submit(ctx context.Context, tenantID int64, sub Submission) (Receipt, error) {
	r, err := s.Store.Round(ctx, tenantID, sub.RoundID)
	if errors.Is(err, db.ErrNotFound) {
		return Receipt{}, ErrBadLink
	}
	if err != nil {
		return Receipt{}, err
	}
	sv, err := s.roundSurvey(ctx, tenantID, r.SurveyID)
	if err != nil {
		return Receipt{}, err
	}
	return s.submit(ctx, r, sv, sub)
}

// submit is Submit once the round and its survey are read.
func (s *Service) submit(ctx context.Context, r *Round, sv *Survey, sub Submission) (Receipt, error) {
	if !validKey(sub.IdempotencyKey) {
		return Receipt{}, ErrIdempotencyKey
	}
	if r.OpenLink != (sub.Token == "") {
		return Receipt{}, ErrBadLink
	}
	if err := Validate(sv, sub.Answers); err != nil {
		return Receipt{}, err
	}
	e := newEntry(sv, sub.Answers)
	now := s.Store.Now()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	var receipt Receipt
	err := s.Store.DB.Tx(ctx, func(tx *sql.Tx) error {
		// A retry of a stored submission is found where the work would fail: the round has closed, the
		// link is used, or the key is taken. So the first, usual submission costs no lookup of its key.
		if !r.Open(now) {
			rc, err := s.Store.responseByKey(ctx, tx, r.ID, sub.IdempotencyKey)
			if errors.Is(err, db.ErrNotFound) {
				return ErrRoundClosed
			}
			if err != nil {
				return err
			}
			receipt = rc
			return errRetried
		}
		unitID, personID, draft := r.UnitID, int64(0), ""
		if !r.OpenLink {
			// Claiming the invitation first makes two concurrent submissions with one token race for its
			// row: on PostgreSQL the second waits for the first and then finds the link used.
			hash := hashToken(sub.Token)
			inv, err := s.Store.claimInvitation(ctx, tx, r.ID, hash, day)
			if errors.Is(err, db.ErrNotFound) {
				return s.unclaimed(ctx, tx, r.ID, hash, sub.IdempotencyKey, &receipt)
			}
			if err != nil {
				return err
			}
			unitID = inv.unitID
			if sv.Named {
				personID = inv.personID
			}
			draft = hash
		}
		var err error
		receipt, err = s.record(ctx, tx, e, r.ID, unitID, personID, draft, sub.IdempotencyKey, day)
		return err
	})
	if errors.Is(err, errRetried) {
		return receipt, nil
	}
	if err != nil {
		return Receipt{}, err
	}
	return receipt, nil
}

// entry is a checked submission ready to be stored: its answers, the survey's questions by id, and what
// it adds to the roll-ups.
type entry struct {
	answers   []Answer
	questions map[int64]*Question
	counts    []countKey
	hme       *HMETally
}

func newEntry(sv *Survey, answers []Answer) *entry {
	e := &entry{answers: answers, questions: make(map[int64]*Question, len(sv.Questions))}
	for _, q := range sv.Questions {
		e.questions[q.ID] = q
	}
	e.counts, e.hme = contribution(sv, answers, e.questions)
	return e
}

// record stores a response with its answers and adds it to the roll-ups of its unit, in the transaction
// that has checked the round and claimed the link (whose draft, named by its token hash, it deletes).
// When the round already has a response with the key, a concurrent retry has committed first: it returns
// that response's receipt and errRetried. (With a personal link the claim has already stopped such a
// retry; this is for an open link.)
func (s *Service) record(ctx context.Context, tx *sql.Tx, e *entry, roundID, unitID, personID int64, draft, key string, day time.Time) (Receipt, error) {
	receipt := Receipt{ResponseID: randomID(), SubmittedOn: day}
	inserted, err := s.Store.insertResponse(ctx, tx, receipt.ResponseID, roundID, unitID, personID, key, day, draft)
	if err != nil {
		return Receipt{}, err
	}
	if !inserted {
		receipt, err = s.Store.responseByKey(ctx, tx, roundID, key)
		if err != nil {
			return Receipt{}, err
		}
		return receipt, errRetried
	}
	if err := s.Store.insertAnswers(ctx, tx, receipt.ResponseID, e.answers, e.questions); err != nil {
		return Receipt{}, err
	}
	return receipt, s.Store.addRollups(ctx, tx, roundID, unitID, e.counts, e.hme)
}

// errRetried rolls back the transaction of a submission found to be the retry of a stored one, whose
// receipt is then returned.
var errRetried = errors.New("a retry of a stored submission")

// unclaimed explains why a personal link could not be claimed: a concurrent retry with the same key has
// stored the submission (its receipt is set and errRetried returned), the link was used, or it is unknown.
func (s *Service) unclaimed(ctx context.Context, tx *sql.Tx, roundID int64, hash, key string, receipt *Receipt) error {
	rc, err := s.Store.responseByKey(ctx, tx, roundID, key)
	if err == nil {
		*receipt = rc
		return errRetried
	}
	if !errors.Is(err, db.ErrNotFound) {
		return err
	}
	inv, err := s.Store.invitation(ctx, tx, roundID, hash)
	switch {
	case errors.Is(err, db.ErrNotFound):
		return ErrBadLink
	case err != nil:
		return err
	case inv.used:
		return ErrInvitationUsed
	}
	return fmt.Errorf("invitation %d neither claimed nor used", inv.id)
}

// contribution is what one response adds to its unit's roll-ups: one count per answered value, sorted
// so that every transaction touches the rows in the same order, and for HME its tally.
func contribution(sv *Survey, answers []Answer, questions map[int64]*Question) ([]countKey, *HMETally) {
	var counts []countKey
	var hmeAnswers HMEAnswers
	for _, a := range answers {
		q := questions[a.QuestionID]
		switch q.Type {
		case Text:
			counts = append(counts, countKey{a.QuestionID, 0})
		case Multiple:
			// −1 counts the respondents, since they may choose several options.
			counts = append(counts, countKey{a.QuestionID, -1})
			for _, v := range a.Values {
				counts = append(counts, countKey{a.QuestionID, v})
			}
		default:
			counts = append(counts, countKey{a.QuestionID, a.Values[0]})
			if q.HMEIndex >= 0 && q.HMEIndex < HMEStatements {
				hmeAnswers[q.HMEIndex] = a.Values[0]
			}
		}
	}
	slices.SortFunc(counts, func(a, b countKey) int {
		if c := cmp.Compare(a.questionID, b.questionID); c != 0 {
			return c
		}
		return cmp.Compare(a.value, b.value)
	})
	if sv.Kind != KindHME {
		return counts, nil
	}
	t := hmeAnswers.Tally()
	return counts, &t
}

// randomID is a response's key: random rather than sequential, so that responses cannot be lined up with
// the order in which invitations were used, and below 2⁵³ so that it survives JSON in any client.
func randomID() int64 {
	var b [8]byte
	rand.Read(b[:])
	return int64(binary.BigEndian.Uint64(b[:])>>11) + 1
}

// Results returns a round's figures for every unit of the tree and the whole kommun, each unit with
// everything under it, and applies Suppress with the survey's k so that hidden groups carry no figures. It
// reads only the roll-ups: the cost grows with units × questions, not with the number of answers.
func (s *Service) Results(ctx context.Context, tenantID, roundID int64, tree *org.Tree) (*Results, error) {
	r, err := s.Store.Round(ctx, tenantID, roundID)
	if err != nil {
		return nil, err
	}
	sv, err := s.Store.Survey(ctx, tenantID, r.SurveyID)
	if err != nil {
		return nil, err
	}
	l := newLayout(sv)
	tallies, err := s.Store.rollups(ctx, r.ID, l)
	if err != nil {
		return nil, err
	}
	c, err := compute(sv, l, tallies, tree)
	if err != nil {
		return nil, fmt.Errorf("results of round %d: %w", r.ID, err)
	}
	return c.results(r), nil
}

func (t *unitTally) add(u *unitTally) {
	t.n += u.n
	for i, n := range u.counts {
		t.counts[i] += n
	}
	t.hme = t.hme.Add(u.hme)
}

// figures turns a group's tally into its results, or into none when the group is hidden.
func figures(sv *Survey, l *layout, t *unitTally, visible bool) UnitResults {
	if !visible {
		return UnitResults{}
	}
	u := UnitResults{Visible: true, N: t.n}
	hme := t.hme
	for _, q := range sv.Questions {
		qr := QuestionResults{QuestionID: q.ID, Counts: make([]int, q.values())}
		sum := 0
		for v := range qr.Counts {
			n := t.counts[l.slot(q.ID, v)]
			qr.Counts[v] = n
			qr.N += n
			sum += v * n
		}
		if q.Type == Multiple {
			qr.N = t.counts[l.slot(q.ID, -1)]
		}
		if (q.Type == Likert5 || q.Type == Scale10) && qr.N > 0 {
			qr.Mean = float64(sum) / float64(qr.N)
		}
		if sv.Kind == KindHME && q.HMEIndex >= 0 && q.HMEIndex < HMEStatements {
			st := &hme.Statements[q.HMEIndex]
			copy(st.Counts[:], qr.Counts)
			st.NotApplicable = t.n - qr.N
		}
		u.Questions = append(u.Questions, qr)
	}
	if sv.Kind == KindHME {
		score := hme.Score()
		u.HME = &score
	}
	return u
}
