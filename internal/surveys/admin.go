package surveys

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vard-kommun/vard/internal/auth"
	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/mail"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/values"
	"github.com/vard-kommun/vard/internal/web"
)

// adminRoutes registers the kommunadmin's pages: building surveys and sending rounds; and the public
// open link that a round for citizens is answered through.
func (h *Handlers) adminRoutes(rt *web.Router) {
	rt.Handle("GET /enkater", web.Admin, h.list)
	rt.Handle("GET /enkater/ny", web.Admin, h.newSurvey)
	rt.Handle("POST /enkater/ny", web.Admin, h.createSurvey)
	rt.Handle("GET /enkater/{id}", web.Admin, h.survey)
	rt.Handle("GET /enkater/{id}/fragor/ny", web.Admin, h.newQuestion)
	rt.Handle("POST /enkater/{id}/fragor/ny", web.Admin, h.addQuestion)
	rt.Handle("GET /enkater/fragor/{id}", web.Admin, h.question)
	rt.Handle("POST /enkater/fragor/{id}", web.Admin, h.updateQuestion)
	rt.Handle("POST /enkater/fragor/{id}/flytta", web.Admin, h.moveQuestion)
	rt.Handle("GET /enkater/fragor/{id}/ta-bort", web.Admin, h.confirmDeleteQuestion)
	rt.Handle("POST /enkater/fragor/{id}/ta-bort", web.Admin, h.deleteQuestion)
	rt.Handle("GET /enkater/{id}/omgangar/ny", web.Admin, h.newRound)
	rt.Handle("POST /enkater/{id}/omgangar/ny", web.Admin, h.createRound)
	rt.Handle("GET /enkater/omgangar/{id}", web.Admin, h.round)
	rt.Handle("POST /enkater/omgangar/{id}/skicka", web.Admin, h.send)
	rt.Handle("GET /enkater/omgangar/{id}/paminn", web.Admin, h.confirmRemind)
	rt.Handle("POST /enkater/omgangar/{id}/paminn", web.Admin, h.remind)
	rt.Handle("GET /enkater/omgangar/{id}/stang", web.Admin, h.confirmClose)
	rt.Handle("POST /enkater/omgangar/{id}/stang", web.Admin, h.closeRound)
	rt.Handle("POST /enkater/omgangar/{id}/slutdatum", web.Admin, h.setLastDay)
	rt.Handle("GET /enkater/omgangar/{id}/qr", web.Admin, h.qr)
	rt.Handle("GET /enkater/oppen/{token}", web.Public, h.openForm)
	rt.Handle("POST /enkater/oppen/{token}", web.Public, h.openSubmit)
}

func tenantOf(r *http.Request) int64 { return web.ViewerFrom(r.Context()).TenantID }

// notFound turns a missing row (or another kommun's) into the not-found page.
func notFound(err error) error {
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound()
	}
	return err
}

// invalid returns err as a validation error (422 with field messages), or nil when it is something else.
func invalid(err error) *web.Error {
	var e *web.Error
	if errors.As(err, &e) && e.Status == http.StatusUnprocessableEntity {
		return e
	}
	return nil
}

// formView is a page with a form: the data, and for a failed post its message and field errors.
func formView(data any, e *web.Error) web.View {
	v := web.View{Data: data}
	if e != nil {
		v.Message, v.Errors = e.Message, e.Fields
	}
	return v
}

// --- the list and a new survey

type listData struct {
	Surveys []SurveySummary
	Pager   web.Pager
}

func (h *Handlers) list(w http.ResponseWriter, r *http.Request) error {
	p := web.NewPager(r, 25)
	list, total, err := h.svc.Surveys(r.Context(), tenantOf(r), p.PerPage, p.Offset())
	if err != nil {
		return err
	}
	p.Total = total
	return h.rd.Page(w, r, h.pages["admin_surveys.html"], listData{Surveys: list, Pager: p})
}

type newSurveyData struct {
	Starts  []Start
	Start   Start
	Title   string
	K       string
	Named   bool
	NoWords bool // the kommun has no adopted värdegrund, so no values pulse
	Words   []values.Word
}

func (h *Handlers) wordList(ctx context.Context, tenantID int64) ([]values.Word, error) {
	if h.words == nil {
		return nil, nil
	}
	return h.words.Words(ctx, tenantID)
}

func (h *Handlers) newSurveyPage(w http.ResponseWriter, r *http.Request, status int, d newSurveyData, e *web.Error) error {
	words, err := h.wordList(r.Context(), tenantOf(r))
	if err != nil {
		return err
	}
	d.Starts, d.Words, d.NoWords = Starts, words, len(words) == 0
	return h.rd.PageStatus(w, r, h.pages["admin_new.html"], status, formView(d, e))
}

func (h *Handlers) newSurvey(w http.ResponseWriter, r *http.Request) error {
	start := Start(r.URL.Query().Get("start"))
	if !start.Valid() {
		start = StartEmpty
	}
	return h.newSurveyPage(w, r, http.StatusOK, newSurveyData{Start: start, K: strconv.Itoa(DefaultK)}, nil)
}

func (h *Handlers) createSurvey(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	ctx, tenantID := r.Context(), tenantOf(r)
	// A copy of a sent survey is made from its page, through this form's action.
	if from := r.PostForm.Get("kopia"); from != "" {
		id, err := strconv.ParseInt(from, 10, 64)
		if err != nil {
			return web.NotFound()
		}
		sv, err := h.svc.CopySurvey(ctx, tenantID, id)
		if err != nil {
			return notFound(err)
		}
		return web.Redirect(w, r, surveyURL(sv.ID), "Kopian är skapad. Du kan ändra frågorna i den.")
	}
	d := newSurveyData{Start: Start(r.PostForm.Get("start")), Title: r.PostForm.Get("title"), K: strings.TrimSpace(r.PostForm.Get("k")),
		Named: r.PostForm.Get("named") == "ja"}
	in := NewSurveyInput{Start: d.Start, Title: d.Title, Named: d.Named}
	badK := false
	if d.K != "" {
		k, err := strconv.Atoi(d.K)
		// A number that is no number is refused like one below the minimum, with its own message.
		if badK = err != nil; badK {
			k = -1
		}
		in.K = k
	}
	words, err := h.wordList(ctx, tenantID)
	if err != nil {
		return err
	}
	sv, err := h.svc.NewSurvey(ctx, tenantID, in, words)
	if e := invalid(err); e != nil && badK {
		e.Fields["k"] = "Ange gränsen som ett heltal, minst 3."
	}
	if e := invalid(err); e != nil {
		return h.newSurveyPage(w, r, http.StatusUnprocessableEntity, d, e)
	}
	if err != nil {
		return err
	}
	return web.Redirect(w, r, surveyURL(sv.ID), "Enkäten är skapad.")
}

func surveyURL(id int64) string { return "/enkater/" + strconv.FormatInt(id, 10) }
func roundURL(id int64) string  { return "/enkater/omgangar/" + strconv.FormatInt(id, 10) }

// --- a survey and its questions

type surveyData struct {
	Survey    *Survey
	Frozen    bool
	Questions []questionRow
	Rounds    []roundRow
	Now       time.Time
}

type questionRow struct {
	*Question
	Number     int
	First      bool
	Last       bool
	Fixed      bool // an HME statement in SKR's wording
	WordName   string
	OptionText string
}

type roundRow struct {
	*RoundInfo
	State    string
	LastDay  string
	FirstDay string
}

// Label is a question type's Swedish name.
func (t QuestionType) Label() string {
	switch t {
	case Likert5:
		return "Påstående 1–5"
	case Scale10:
		return "Skala 0–10"
	case Single:
		return "Ett val"
	case Multiple:
		return "Flera val"
	case Text:
		return "Fritext"
	}
	return string(t)
}

// questionTypes are the types in the order the question form offers them.
var questionTypes = []QuestionType{Likert5, Scale10, Single, Multiple, Text}

func (h *Handlers) survey(w http.ResponseWriter, r *http.Request) error {
	id, err := web.ID(r, "id")
	if err != nil {
		return err
	}
	ctx, tenantID := r.Context(), tenantOf(r)
	sv, err := h.svc.Store.Survey(ctx, tenantID, id)
	if err != nil {
		return notFound(err)
	}
	frozen, err := h.svc.Frozen(ctx, tenantID, id)
	if err != nil {
		return err
	}
	rounds, err := h.svc.Rounds(ctx, tenantID, id)
	if err != nil {
		return err
	}
	words, err := h.wordList(ctx, tenantID)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, w := range words {
		names[w.Key] = w.Name
	}
	now := h.svc.Store.Now()
	d := surveyData{Survey: sv, Frozen: frozen, Now: now}
	for i, q := range sv.Questions {
		d.Questions = append(d.Questions, questionRow{Question: q, Number: i + 1, First: i == 0,
			Last: i == len(sv.Questions)-1, Fixed: q.HMEIndex >= 0, WordName: names[q.WordKey], OptionText: strings.Join(q.Options, " · ")})
	}
	for _, ri := range rounds {
		d.Rounds = append(d.Rounds, roundRow{RoundInfo: ri, State: ri.State(now), FirstDay: Day(ri.OpensAt), LastDay: LastDay(&ri.Round)})
	}
	return h.rd.Page(w, r, h.pages["admin_survey.html"], d)
}

type questionData struct {
	Survey   *Survey
	Question *Question // nil for a new one
	Action   string
	Types    []QuestionType
	Type     QuestionType
	Text     string
	Options  string
	Required bool
}

func (h *Handlers) questionPage(w http.ResponseWriter, r *http.Request, status int, d questionData, e *web.Error) error {
	d.Types = questionTypes
	return h.rd.PageStatus(w, r, h.pages["admin_question.html"], status, formView(d, e))
}

func questionEdit(r *http.Request) QuestionEdit {
	return QuestionEdit{Type: QuestionType(r.PostForm.Get("type")), Text: r.PostForm.Get("text"), Options: r.PostForm.Get("options"),
		Required: r.PostForm.Get("required") == "ja"}
}

func fromEdit(d questionData, in QuestionEdit) questionData {
	d.Type, d.Text, d.Options, d.Required = in.Type, in.Text, in.Options, in.Required
	return d
}

// editableSurvey returns the kommun's survey for a question form, or ErrFrozen once it has a round.
func (h *Handlers) editableSurvey(r *http.Request) (*Survey, error) {
	id, err := web.ID(r, "id")
	if err != nil {
		return nil, err
	}
	sv, err := h.svc.Store.Survey(r.Context(), tenantOf(r), id)
	if err != nil {
		return nil, notFound(err)
	}
	frozen, err := h.svc.Frozen(r.Context(), tenantOf(r), id)
	if err != nil {
		return nil, err
	}
	if frozen {
		return nil, ErrFrozen
	}
	return sv, nil
}

func (h *Handlers) newQuestion(w http.ResponseWriter, r *http.Request) error {
	sv, err := h.editableSurvey(r)
	if err != nil {
		return err
	}
	return h.questionPage(w, r, http.StatusOK, questionData{Survey: sv, Action: r.URL.Path, Type: Likert5}, nil)
}

func (h *Handlers) addQuestion(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	sv, err := h.editableSurvey(r)
	if err != nil {
		return err
	}
	in := questionEdit(r)
	_, err = h.svc.AddQuestion(r.Context(), tenantOf(r), sv.ID, in)
	if e := invalid(err); e != nil {
		return h.questionPage(w, r, http.StatusUnprocessableEntity, fromEdit(questionData{Survey: sv, Action: r.URL.Path}, in), e)
	}
	if err != nil {
		return notFound(err)
	}
	return web.Redirect(w, r, surveyURL(sv.ID)+"#fragor", "Frågan är tillagd.")
}

func (h *Handlers) questionOf(r *http.Request) (*Survey, *Question, error) {
	id, err := web.ID(r, "id")
	if err != nil {
		return nil, nil, err
	}
	sv, q, err := h.svc.Question(r.Context(), tenantOf(r), id)
	if err != nil {
		return nil, nil, notFound(err)
	}
	return sv, q, nil
}

func (h *Handlers) question(w http.ResponseWriter, r *http.Request) error {
	sv, q, err := h.questionOf(r)
	if err != nil {
		return err
	}
	if frozen, err := h.svc.Frozen(r.Context(), tenantOf(r), sv.ID); err != nil {
		return err
	} else if frozen {
		return ErrFrozen
	}
	if q.HMEIndex >= 0 {
		return errHMEFixed
	}
	d := questionData{Survey: sv, Question: q, Action: r.URL.Path, Type: q.Type, Text: q.Text, Options: strings.Join(q.Options, "\n"), Required: q.Required}
	return h.questionPage(w, r, http.StatusOK, d, nil)
}

func (h *Handlers) updateQuestion(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	sv, q, err := h.questionOf(r)
	if err != nil {
		return err
	}
	in := questionEdit(r)
	err = h.svc.UpdateQuestion(r.Context(), tenantOf(r), q.ID, in)
	if e := invalid(err); e != nil {
		return h.questionPage(w, r, http.StatusUnprocessableEntity, fromEdit(questionData{Survey: sv, Question: q, Action: r.URL.Path}, in), e)
	}
	if err != nil {
		return notFound(err)
	}
	return web.Redirect(w, r, surveyURL(sv.ID)+"#fragor", "Frågan är ändrad.")
}

func (h *Handlers) moveQuestion(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	sv, q, err := h.questionOf(r)
	if err != nil {
		return err
	}
	dir := r.PostForm.Get("riktning")
	if dir != "upp" && dir != "ned" {
		return web.BadRequest("Välj att flytta frågan upp eller ned.")
	}
	if err := h.svc.MoveQuestion(r.Context(), tenantOf(r), q.ID, dir == "upp"); err != nil {
		return notFound(err)
	}
	return web.Redirect(w, r, surveyURL(sv.ID)+"#fraga-"+strconv.FormatInt(q.ID, 10), "")
}

// confirmData is a confirmation page for an action that cannot be undone.
type confirmData struct {
	Heading, Text, Subject string
	Action, Button, Back   string
	Danger                 bool
}

func (h *Handlers) confirmDeleteQuestion(w http.ResponseWriter, r *http.Request) error {
	sv, q, err := h.questionOf(r)
	if err != nil {
		return err
	}
	return h.rd.Page(w, r, h.pages["admin_confirm.html"], confirmData{Heading: "Ta bort frågan?", Subject: q.Text,
		Text: "Frågan tas bort ur enkäten. Det går inte att ångra.", Action: r.URL.Path, Button: "Ja, ta bort frågan",
		Back: surveyURL(sv.ID), Danger: true})
}

func (h *Handlers) deleteQuestion(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	sv, q, err := h.questionOf(r)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteQuestion(r.Context(), tenantOf(r), q.ID); err != nil {
		return notFound(err)
	}
	return web.Redirect(w, r, surveyURL(sv.ID)+"#fragor", "Frågan är borttagen.")
}

// --- a new round

type roundFormData struct {
	Survey   *Survey
	Name     string
	FirstDay string
	LastDay  string
	Mode     string // "epost" or "lank"
	UnitID   int64
	Subtree  bool
	Units    []*unitChoice
	Flat     []flatUnit
	Roles    []roleChoice
	Preview  *Audience
	Shown    []Recipient // the first of those without e-mail
}

type unitChoice struct {
	ID       int64
	Name     string
	Kind     string
	People   int
	Checked  bool
	Children []*unitChoice
}

type flatUnit struct {
	ID    int64
	Label string
}

type roleChoice struct {
	Role    string
	Label   string
	Checked bool
}

// targetRoles are the roles a round can be sent to.
var targetRoles = []string{org.RoleManager, org.RoleUnionRep, org.RoleTrainer, org.RoleMentor, org.RolePolitician}

func (d *roundFormData) fill(tree *org.Tree, chosen map[int64]bool, roles map[string]bool) {
	var walk func(u *org.Unit, depth int) *unitChoice
	walk = func(u *org.Unit, depth int) *unitChoice {
		c := &unitChoice{ID: u.ID, Name: u.Name, Kind: u.Kind.Label(), People: u.TotalPeople, Checked: chosen[u.ID]}
		d.Flat = append(d.Flat, flatUnit{ID: u.ID, Label: strings.Repeat("– ", depth) + u.Name})
		for _, ch := range u.Children {
			if !ch.Closed() {
				c.Children = append(c.Children, walk(ch, depth+1))
			}
		}
		return c
	}
	for _, u := range tree.Roots {
		if !u.Closed() {
			d.Units = append(d.Units, walk(u, 0))
		}
	}
	for _, role := range targetRoles {
		d.Roles = append(d.Roles, roleChoice{Role: role, Label: org.RoleLabel(role), Checked: roles[role]})
	}
}

func (h *Handlers) roundSurvey(r *http.Request) (*Survey, error) {
	id, err := web.ID(r, "id")
	if err != nil {
		return nil, err
	}
	sv, err := h.svc.Store.Survey(r.Context(), tenantOf(r), id)
	return sv, notFound(err)
}

func (h *Handlers) roundPage(w http.ResponseWriter, r *http.Request, status int, d roundFormData, chosen map[int64]bool, roles map[string]bool, e *web.Error) error {
	tree, err := h.org.Tree(r.Context(), tenantOf(r))
	if err != nil {
		return err
	}
	d.fill(tree, chosen, roles)
	return h.rd.PageStatus(w, r, h.pages["admin_round_new.html"], status, formView(d, e))
}

func (h *Handlers) newRound(w http.ResponseWriter, r *http.Request) error {
	sv, err := h.roundSurvey(r)
	if err != nil {
		return err
	}
	now := h.svc.Store.Now()
	mode := "epost"
	if sv.Kind == KindCitizen {
		mode = "lank"
	}
	d := roundFormData{Survey: sv, FirstDay: Day(now), LastDay: Day(now.AddDate(0, 0, 14)), Mode: mode, Subtree: true}
	return h.roundPage(w, r, http.StatusOK, d, nil, nil, nil)
}

func (h *Handlers) createRound(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	sv, err := h.roundSurvey(r)
	if err != nil {
		return err
	}
	ctx, tenantID, f := r.Context(), tenantOf(r), r.PostForm
	d := roundFormData{Survey: sv, Name: f.Get("name"), FirstDay: f.Get("first_day"), LastDay: f.Get("last_day"), Mode: f.Get("mode"),
		Subtree: f.Get("subtree") == "ja"}
	errs := map[string]string{}
	if d.Mode != "epost" && d.Mode != "lank" {
		errs["mode"] = "Välj hur omgången ska nå de svarande."
	}
	spec := RoundSpec{Name: d.Name, FirstDay: d.FirstDay, LastDay: d.LastDay, OpenLink: d.Mode == "lank", Targets: Targets{Subtree: d.Subtree}}
	chosen, roles := map[int64]bool{}, map[string]bool{}
	for _, v := range f["units"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			errs["units"] = "Välj enheter i kommunens organisation."
			continue
		}
		if !chosen[id] {
			chosen[id] = true
			spec.Targets.UnitIDs = append(spec.Targets.UnitIDs, id)
		}
	}
	for _, role := range f["roles"] {
		if !roles[role] {
			roles[role] = true
			spec.Targets.Roles = append(spec.Targets.Roles, role)
		}
	}
	if v := f.Get("unit_id"); v != "" && v != "0" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			errs["unit_id"] = "Välj en enhet i kommunens organisation."
		}
		spec.UnitID, d.UnitID = id, id
	}
	if d.Mode == "epost" && len(errs) == 0 {
		audience, _, err := LoadAudience(ctx, h.org, tenantID, spec.Targets)
		if err != nil {
			return err
		}
		d.Preview = &audience
		d.Shown = audience.Unreachable[:min(len(audience.Unreachable), 50)]
	}
	if f.Get("action") == "rakna" && len(errs) == 0 {
		// Counting only: the page shows who the round would reach, and nothing is stored.
		return h.roundPage(w, r, http.StatusOK, d, chosen, roles, nil)
	}
	if len(errs) > 0 {
		d.Preview = nil
		return h.roundPage(w, r, http.StatusUnprocessableEntity, d, chosen, roles, web.Invalid(errs))
	}
	tree, err := h.org.Tree(ctx, tenantID)
	if err != nil {
		return err
	}
	round, err := h.svc.CreateRound(ctx, tenantID, sv.ID, spec, tree)
	if e := invalid(err); e != nil {
		return h.roundPage(w, r, http.StatusUnprocessableEntity, d, chosen, roles, e)
	}
	if err != nil {
		return notFound(err)
	}
	if round.OpenLink {
		return web.Redirect(w, r, roundURL(round.ID), "Omgången är skapad. Den öppna länken och QR-koden finns på den här sidan.")
	}
	_, err = h.svc.Send(ctx, tenantID, round.ID, d.Preview.Reachable, h.letter(r))
	if err != nil {
		// The round stands; its page offers to send what is missing.
		h.rd.Log.ErrorContext(ctx, "send round", "round", round.ID, "err", err)
		return web.Redirect(w, r, roundURL(round.ID), "Omgången är skapad, men alla inbjudningar kunde inte läggas i kön. Skicka dem som saknas.")
	}
	return web.Redirect(w, r, roundURL(round.ID), msgRoundSent)
}

func (h *Handlers) letter(r *http.Request) Letter {
	return Letter{Kommun: web.ViewerFrom(r.Context()).TenantName, BaseURL: h.baseURL}
}

// --- a round

type roundData struct {
	Round      *RoundInfo
	Survey     *Survey
	State      string
	FirstDay   string
	LastDay    string
	Open       bool
	Closed     bool
	Upcoming   bool
	Unsent     bool // personal links whose sending did not finish
	Progress   mail.Progress
	MailActive bool
	Refresh    bool
	Percent    int // response rate, of those invited
	Link       string
	UnitName   string
	UnitNames  []string
	RoleNames  []string
}

func (h *Handlers) roundOf(r *http.Request) (*RoundInfo, *Survey, error) {
	id, err := web.ID(r, "id")
	if err != nil {
		return nil, nil, err
	}
	ri, err := h.svc.RoundInfo(r.Context(), tenantOf(r), id)
	if err != nil {
		return nil, nil, notFound(err)
	}
	sv, err := h.svc.Store.Survey(r.Context(), tenantOf(r), ri.SurveyID)
	if err != nil {
		return nil, nil, err
	}
	return ri, sv, nil
}

func (h *Handlers) roundData(r *http.Request, ri *RoundInfo, sv *Survey) (*roundData, error) {
	ctx := r.Context()
	now := h.svc.Store.Now()
	d := &roundData{Round: ri, Survey: sv, State: ri.State(now), FirstDay: Day(ri.OpensAt), LastDay: LastDay(&ri.Round),
		Open: ri.Open(now), Closed: !now.Before(ri.ClosesAt), Upcoming: now.Before(ri.OpensAt), MailActive: h.svc.MailActive}
	if ri.OpenLink {
		d.Link = h.baseURL + "/enkater/oppen/" + ri.LinkToken
	} else {
		d.Unsent = ri.SentAt == nil && !d.Closed
		p, err := h.svc.SendingProgress(ctx, ri.TenantID, ri.ID)
		if err != nil {
			return nil, err
		}
		d.Progress = p
		d.Refresh = p.Queued > 0 && h.svc.MailActive
		if ri.Invited > 0 {
			d.Percent = ri.Answered * 100 / ri.Invited
		}
	}
	tree, err := h.org.Tree(ctx, ri.TenantID)
	if err != nil {
		return nil, err
	}
	if u, ok := tree.ByID[ri.UnitID]; ok {
		d.UnitName = u.Name
	}
	for _, id := range ri.Targets.UnitIDs {
		if u, ok := tree.ByID[id]; ok {
			d.UnitNames = append(d.UnitNames, u.Name)
		}
	}
	for _, role := range ri.Targets.Roles {
		d.RoleNames = append(d.RoleNames, org.RoleLabel(role))
	}
	return d, nil
}

func (h *Handlers) round(w http.ResponseWriter, r *http.Request) error {
	ri, sv, err := h.roundOf(r)
	if err != nil {
		return err
	}
	d, err := h.roundData(r, ri, sv)
	if err != nil {
		return err
	}
	return h.rd.Page(w, r, h.pages["admin_round.html"], d)
}

// send creates and queues the invitations a round still lacks: after a crash midway, or for people
// who have joined the chosen units since.
func (h *Handlers) send(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	ri, _, err := h.roundOf(r)
	if err != nil {
		return err
	}
	if ri.OpenLink {
		return ErrNotPersonal
	}
	audience, _, err := LoadAudience(r.Context(), h.org, ri.TenantID, ri.Targets)
	if err != nil {
		return err
	}
	n, err := h.svc.Send(r.Context(), ri.TenantID, ri.ID, audience.Reachable, h.letter(r))
	if err != nil {
		return err
	}
	if n == 0 {
		return web.Redirect(w, r, roundURL(ri.ID), msgNothingMissing)
	}
	return web.Redirect(w, r, roundURL(ri.ID), msgMissingSent)
}

func (h *Handlers) confirmRemind(w http.ResponseWriter, r *http.Request) error {
	ri, sv, err := h.roundOf(r)
	if err != nil {
		return err
	}
	return h.rd.Page(w, r, h.pages["admin_confirm.html"], confirmData{Heading: "Skicka påminnelse?", Subject: sv.Title + " – " + ri.Name,
		Text:   "En påminnelse med samma personliga länk skickas till alla inbjudna som inte har svarat. Ingen får mer än en påminnelse per dag.",
		Action: r.URL.Path, Button: "Ja, skicka påminnelsen", Back: roundURL(ri.ID)})
}

func (h *Handlers) remind(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	ri, _, err := h.roundOf(r)
	if err != nil {
		return err
	}
	people, err := ActivePeople(r.Context(), h.org, ri.TenantID)
	if err != nil {
		return err
	}
	n, err := h.svc.Remind(r.Context(), ri.TenantID, ri.ID, Contacts(people), h.letter(r))
	if err != nil {
		return err
	}
	if n == 0 {
		return web.Redirect(w, r, roundURL(ri.ID), msgNoneToRemind)
	}
	return web.Redirect(w, r, roundURL(ri.ID), msgReminded)
}

func (h *Handlers) confirmClose(w http.ResponseWriter, r *http.Request) error {
	ri, sv, err := h.roundOf(r)
	if err != nil {
		return err
	}
	return h.rd.Page(w, r, h.pages["admin_confirm.html"], confirmData{Heading: "Stäng omgången nu?", Subject: sv.Title + " – " + ri.Name,
		Text:   "Ingen kan svara efter att omgången har stängts, inte heller med en sparad länk. Det går inte att öppna den igen.",
		Action: r.URL.Path, Button: "Ja, stäng omgången", Back: roundURL(ri.ID), Danger: true})
}

func (h *Handlers) closeRound(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	ri, _, err := h.roundOf(r)
	if err != nil {
		return err
	}
	if err := h.svc.CloseRound(r.Context(), ri.TenantID, ri.ID); err != nil {
		return err
	}
	return web.Redirect(w, r, roundURL(ri.ID), "Omgången är stängd.")
}

func (h *Handlers) setLastDay(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	ri, sv, err := h.roundOf(r)
	if err != nil {
		return err
	}
	err = h.svc.SetLastDay(r.Context(), ri.TenantID, ri.ID, r.PostForm.Get("last_day"))
	if e := invalid(err); e != nil {
		d, err := h.roundData(r, ri, sv)
		if err != nil {
			return err
		}
		d.LastDay = r.PostForm.Get("last_day")
		return h.rd.PageStatus(w, r, h.pages["admin_round.html"], http.StatusUnprocessableEntity, formView(d, e))
	}
	if err != nil {
		return err
	}
	return web.Redirect(w, r, roundURL(ri.ID), "Sista dagen är ändrad.")
}

type qrData struct {
	Survey *Survey
	Round  *RoundInfo
	Link   string
	Code   template.HTML
}

func (h *Handlers) qr(w http.ResponseWriter, r *http.Request) error {
	ri, sv, err := h.roundOf(r)
	if err != nil {
		return err
	}
	if !ri.OpenLink {
		return web.NotFound()
	}
	link := h.baseURL + "/enkater/oppen/" + ri.LinkToken
	code, err := web.QRSVG(link, "QR-kod till enkäten "+sv.Title)
	if err != nil {
		return err
	}
	return h.rd.Page(w, r, h.pages["admin_qr.html"], qrData{Survey: sv, Round: ri, Link: link, Code: code})
}

// --- the open link: the respondent's form for a round without personal links

// msgNoSaveOnLink answers "save and continue later" on an open link, which has no link of one's own
// to continue from.
const msgNoSaveOnLink = "Svaren kan inte sparas till senare i en öppen enkät. Skicka dem när du är klar."

func (h *Handlers) openRespondent(r *http.Request) (*Respondent, error) {
	return h.svc.OpenLinkRespondent(r.Context(), r.PathValue("token"))
}

func (h *Handlers) openForm(w http.ResponseWriter, r *http.Request) error {
	noStore(w)
	rs, err := h.openRespondent(r)
	if err == nil {
		err = rs.Check(h.svc.Store.Now())
	}
	if err != nil {
		return h.unavailable(w, r, err)
	}
	return h.render(w, r, http.StatusOK, rs, nil, newKey(), nil)
}

func (h *Handlers) openSubmit(w http.ResponseWriter, r *http.Request) error {
	noStore(w)
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	ctx := r.Context()
	rs, err := h.openRespondent(r)
	if err != nil {
		return h.unavailable(w, r, err)
	}
	form := r.PostForm
	key := form.Get("key")
	if key == "" || len(key) > maxTokenLength {
		key = newKey()
	}
	if form.Get("action") == actionSave {
		return h.render(w, r, http.StatusUnprocessableEntity, rs, form, key, &web.Error{Status: http.StatusUnprocessableEntity, Message: msgNoSaveOnLink})
	}
	wait, err := h.svc.LinkHit(ctx, rs.Round.ID, auth.RemoteAddr(r))
	if err != nil {
		return err
	}
	if wait > 0 {
		secs := int(wait.Round(time.Second) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		return h.rd.PageStatus(w, r, h.pages["admin_open_busy.html"], http.StatusTooManyRequests,
			web.View{Message: ErrTooMany.Message, Data: (secs + 59) / 60})
	}
	if now := h.svc.Store.Now(); now.Before(rs.Round.OpensAt) {
		return h.unavailable(w, r, ErrNotYetOpen)
	}
	answers, err := ParseSubmission(rs.Survey, form)
	if err == nil {
		_, err = h.svc.Answer(ctx, rs, "", form.Get("key"), answers)
	}
	var e *web.Error
	switch {
	case err == nil:
		return web.Redirect(w, r, "/enkater/tack", "")
	case errors.Is(err, ErrRoundClosed), errors.Is(err, ErrBadLink):
		return h.unavailable(w, r, err)
	case errors.As(err, &e) && e.Status == http.StatusUnprocessableEntity:
		return h.render(w, r, http.StatusUnprocessableEntity, rs, form, key, e)
	case errors.Is(err, ErrIdempotencyKey):
		return h.render(w, r, http.StatusUnprocessableEntity, rs, form, key, &web.Error{Status: http.StatusUnprocessableEntity, Message: ErrIdempotencyKey.Message})
	}
	return err
}

// The flashes of the round pages.
const (
	msgRoundSent      = "Omgången är skapad och inbjudningarna ligger i kön för att skickas."
	msgMissingSent    = "Inbjudningarna som saknades ligger nu i kön."
	msgNothingMissing = "Alla har redan fått sin inbjudan. Ingenting behövde skickas."
	msgReminded       = "Påminnelserna ligger i kön för att skickas."
	msgNoneToRemind   = "Ingen behövde en påminnelse: alla har svarat eller fått en påminnelse i dag."
)

// englishAdmin returns the admin pages' part of the English catalogue.
func englishAdmin() map[string]string {
	return map[string]string{
		"utvalda personer": "chosen people",
		// The list and a new survey.
		"Enkäter": "Surveys",
		"Kommunens enkäter, de senaste först. En enkät skickas i omgångar: till delar av organisationen med personliga länkar, eller med en öppen länk och QR-kod.": "The kommun's surveys, newest first. A survey is sent in rounds: to parts of the organisation with personal links, or with an open link and a QR code.",
		"Ny enkät": "New survey",
		"Enkät":    "Survey",
		"Enkät:":   "Survey:",
		"Typ":      "Type",
		"Frågor":   "Questions",
		"Omgångar": "Rounds",
		"Läge":     "State",
		"Skapad":   "Created",
		"Skickad":  "Sent",
		"Utkast":   "Draft",
		"Kommunen har inga enkäter ännu. Börja med en tom enkät eller en mall, till exempel HME.": "The kommun has no surveys yet. Start with an empty survey or a template, such as HME.",
		"Inte anonym": "Not anonymous",
		"Brödsmulor":  "Breadcrumbs",
		"Börja med":   "Start with",
		"Kommunen har ingen antagen värdegrund ännu.": "The kommun has not adopted core values yet.",
		"Till värdegrunden":                           "To the core values",
		"Värdeord:":                                   "Value words:",
		"Rubrik":                                      "Title",
		"Minsta antal svar för att visa en grupps resultat":                                                              "Fewest answers for showing a group's results",
		"Resultat visas bara för grupper med minst så många svar, så att ingen kan pekas ut. Normalt 5, aldrig under 3.": "Results are only shown for groups with at least this many answers, so that no one can be singled out. Usually 5, never below 3.",
		"Anonymitet":                          "Anonymity",
		"Spara svaren med namn (inte anonym)": "Store the answers with names (not anonymous)",
		"Välj bara detta när de svarande måste kunna identifieras, till exempel för en anmälan. Svaren sparas då med personens namn och de som ser resultatet kan se vem som svarat vad. Det visas för de svarande innan de svarar.": "Choose this only when respondents must be identifiable, for example for a registration. The answers are then stored with the person's name, and those who see the results can see who answered what. Respondents are told so before they answer.",
		"Skapa enkäten": "Create the survey",
		"Avbryt":        "Cancel",

		// The starts and kinds.
		StartEmpty.Label(): "Empty survey", StartEmpty.Description(): "Build the survey question by question.",
		StartHME.Label(): "HME – Sustainable employee engagement", StartHME.Description(): "SKR's nine statements on motivation, leadership and governance, with indices 0–100.",
		StartPulse.Label(): "Values pulse", StartPulse.Description(): "Two statements per value word of the kommun's adopted core values.",
		StartLedarforum.Label(): "Questions to managers after a leadership forum", StartLedarforum.Description(): "Free-text questions to the managers and a statement about the forum.",
		StartCitizen.Label(): "Citizen survey on how people are met", StartCitizen.Description(): "Three statements on how the visitor was met, how they made contact, and room for their own words. Suits an open link with a QR code.",
		KindHME.Label(): "HME", KindValuesPulse.Label(): "Values pulse", KindLedarforum.Label(): "Leadership forum", KindCitizen.Label(): "Citizen survey",
		KindCustom.Label(): "Own survey",
		Likert5.Label():    "Statement 1–5", Scale10.Label(): "Scale 0–10", Single.Label(): "One choice", Multiple.Label(): "Several choices", Text.Label(): "Free text",

		// A survey and its questions.
		"Inte anonym: svaren sparas med namn.":         "Not anonymous: the answers are stored with names.",
		"Anonym. Resultat visas för grupper med minst": "Anonymous. Results are shown for groups with at least",
		"svar.": "answers.",
		"Enkäten har skickats och kan inte ändras längre, så att alla svar i en omgång gäller samma frågor. Vill du ändra något, gör en kopia och skicka den i stället.": "The survey has been sent and can no longer be changed, so that all answers of a round concern the same questions. To change something, make a copy and send that instead.",
		"Kopiera enkäten":   "Copy the survey",
		"måste besvaras":    "required",
		"värdeord":          "value word",
		"SKR:s formulering": "SKR's wording",
		"Ändra":             "Edit",
		"fråga":             "question",
		"Flytta upp":        "Move up",
		"Flytta ned":        "Move down",
		"Ta bort":           "Remove",
		"Enkäten har inga frågor ännu. Lägg till den första.": "The survey has no questions yet. Add the first one.",
		"Lägg till en fråga": "Add a question",
		"Omgång":             "Round",
		"Öppen":              "Open",
		"Svar":               "Answers",
		"Resultat":           "Results",
		"Öppen länk":         "Open link",
		"av":                 "of",
		"Enkäten har inte skickats ännu. När du skapar den första omgången låses frågorna.": "The survey has not been sent yet. When you create the first round, the questions are locked.",
		"Ny omgång":           "New round",
		"Ändra frågan":        "Edit the question",
		"Ny fråga":            "New question",
		"Frågan":              "The question",
		"Hur frågan besvaras": "How the question is answered",
		"Svarsalternativ":     "Options",
		"Bara för ett val och flera val: ett alternativ per rad, 2–30 stycken.": "Only for one choice and several choices: one option per line, 2–30 of them.",
		"Frågan måste besvaras": "The question must be answered",
		"Spara frågan":          "Save the question",
		"Lägg till frågan":      "Add the question",
		"Ta bort frågan?":       "Remove the question?",
		"Frågan tas bort ur enkäten. Det går inte att ångra.": "The question is removed from the survey. This cannot be undone.",
		"Ja, ta bort frågan": "Yes, remove the question",

		// A new round.
		"När omgången skapas låses enkätens frågor.": "When the round is created, the survey's questions are locked.",
		"Till enkäten":             "To the survey",
		"Namn på omgången":         "Name of the round",
		"Till exempel Våren 2027.": "For example Spring 2027.",
		"Första dagen":             "First day",
		"Sista dagen":              "Last day",
		"Omgången öppnar klockan 00.00 den första dagen och stänger vid midnatt efter den sista.": "The round opens at 00:00 on the first day and closes at midnight after the last.",
		"Hur omgången når de svarande":                                         "How the round reaches respondents",
		"Personliga länkar med e-post till delar av organisationen":            "Personal links by e-mail to parts of the organisation",
		"En öppen länk och QR-kod, till exempel för medborgare i en reception": "An open link and QR code, for example for citizens at a reception desk",
		"Personliga länkar": "Personal links",
		"Välj enheter, roller eller båda. Väljer du både enheter och roller får de som har en av rollerna inom enheterna enkäten. Siffran efter enheten är antalet medarbetare i och under den.": "Choose units, roles or both. If you choose both units and roles, those with one of the roles within the units get the survey. The number after a unit is the number of employees in and under it.",
		"Enheter":                              "Units",
		"Ta med allt under de valda enheterna": "Include everything under the chosen units",
		"Roller":                               "Roles",
		"Skickas till":                         "Will be sent to",
		"personer.":                            "people.",
		"Utan e-postadress och därför inte nåbara:": "Without an e-mail address and so not reachable:",
		"Räkna svaren till enheten":                 "Count the answers under the unit",
		"Svaren genom en öppen länk räknas till en enhet, till exempel receptionen där QR-koden sitter, eller till ingen.": "Answers through an open link are counted under a unit, for example the reception where the QR code is, or under none.",
		"Ingen enhet":               "No unit",
		"Skapa omgången och skicka": "Create the round and send",
		"Räkna mottagare":           "Count recipients",

		// A round.
		"Kommande": "Upcoming", "Stängd": "Closed",
		"Räknas till":     "Counted under",
		"Mottagare":       "Recipients",
		"Inbjudna":        "Invited",
		"Har svarat":      "Have answered",
		"Påminda":         "Reminded",
		"senast":          "last",
		"Visa resultatet": "Show the results",
		"Alla som har länken kan svara, utan inloggning. Sätt upp QR-koden där besökarna finns.": "Anyone with the link can answer, without signing in. Put the QR code up where the visitors are.",
		"QR-kod att skriva ut": "QR code to print",
		"Utskick":              "Sending",
		"Utskicket blev inte klart. Skicka de inbjudningar som saknas; ingen får sin inbjudan två gånger.": "The sending did not finish. Send the invitations that are missing; no one gets their invitation twice.",
		"Skicka inbjudningarna som saknas": "Send the missing invitations",
		"Den här servern skickar ingen e-post: ingen SMTP-server är inställd. Breven ligger kvar i kön och skickas när e-posten har ställts in.": "This server sends no e-mail: no SMTP server is set up. The mails stay in the queue and are sent once e-mail has been set up.",
		"Skickade inbjudningar":           "Invitations sent",
		"skickade":                        "sent",
		"i kön":                           "in the queue",
		"kunde inte skickas":              "could not be sent",
		"Sidan uppdateras av sig själv.":  "The page updates itself.",
		"Inga inbjudningar har skickats.": "No invitations have been sent.",
		"Skicka påminnelse":               "Send a reminder",
		"Ändra omgången":                  "Change the round",
		"Ändra sista dagen":               "Change the last day",
		"Stäng omgången nu":               "Close the round now",
		"Skicka påminnelse?":              "Send a reminder?",
		"En påminnelse med samma personliga länk skickas till alla inbjudna som inte har svarat. Ingen får mer än en påminnelse per dag.": "A reminder with the same personal link is sent to everyone invited who has not answered. No one gets more than one reminder a day.",
		"Ja, skicka påminnelsen": "Yes, send the reminder",
		"Stäng omgången nu?":     "Close the round now?",
		"Ingen kan svara efter att omgången har stängts, inte heller med en sparad länk. Det går inte att öppna den igen.": "No one can answer once the round is closed, not even with a saved link. It cannot be opened again.",
		"Ja, stäng omgången": "Yes, close the round",

		// The QR code and the open link.
		"QR-kod":                 "QR code",
		"Tillbaka till omgången": "Back to the round",
		"Vad tycker du om ditt besök? Svara på några korta frågor.": "What did you think of your visit? Answer a few short questions.",
		"Skanna koden med mobilens kamera":                          "Scan the code with your phone's camera",
		"Eller skriv in adressen:":                                  "Or type in the address:",
		"Dina svar är anonyma.":                                     "Your answers are anonymous.",
		"Skriv ut sidan med webbläsarens utskriftsfunktion. Navigeringen kommer inte med på papperet.": "Print the page with the browser's print function. The navigation is left off the paper.",
		"För många svar på kort tid": "Too many answers in a short time",
		"Du kan försöka igen om":     "You can try again in",
		"minuter.":                   "minutes.",
		msgNoSaveOnLink:              "Answers cannot be saved for later in an open survey. Send them when you are done.",

		// Flashes.
		"Kopian är skapad. Du kan ändra frågorna i den.": "The copy has been created. You can change its questions.",
		"Enkäten är skapad.":                             "The survey has been created.",
		"Frågan är tillagd.":                             "The question has been added.",
		"Frågan är ändrad.":                              "The question has been changed.",
		"Frågan är borttagen.":                           "The question has been removed.",
		"Omgången är skapad. Den öppna länken och QR-koden finns på den här sidan.":                 "The round has been created. The open link and the QR code are on this page.",
		"Omgången är skapad, men alla inbjudningar kunde inte läggas i kön. Skicka dem som saknas.": "The round has been created, but not every invitation could be queued. Send the missing ones.",
		msgRoundSent:             "The round has been created and the invitations are queued for sending.",
		msgMissingSent:           "The invitations that were missing are now queued.",
		msgNothingMissing:        "Everyone already has their invitation. Nothing needed sending.",
		msgReminded:              "The reminders are queued for sending.",
		msgNoneToRemind:          "No one needed a reminder: everyone has answered or been reminded today.",
		"Omgången är stängd.":    "The round is closed.",
		"Sista dagen är ändrad.": "The last day has been changed.",

		// Errors.
		ErrFrozen.Message:      "The survey has been sent and can no longer be changed. Copy it to make a new version.",
		errHMEFixed.Message:    "SKR's HME statements cannot be changed, so that the results can be compared with others.",
		ErrNoValues.Message:    "The kommun has not adopted core values yet. Adopt them first, and the values pulse takes its value words from there.",
		ErrNotPersonal.Message: "The round has an open link and no personal invitations.",
		ErrRoundOver.Message:   "The round is closed.",
		ErrTooMany.Message:     "Many answers have been sent from this connection. Wait a while and try again.",
		"Påminnelser kan bara skickas medan omgången är öppen.":       "Reminders can only be sent while the round is open.",
		"Välj att flytta frågan upp eller ned.":                       "Choose to move the question up or down.",
		"Välj hur enkäten ska börja.":                                 "Choose how the survey starts.",
		"Gränsen får inte vara lägre än 3 svar.":                      "The threshold cannot be lower than 3 answers.",
		"Gränsen får vara högst 100 svar.":                            "The threshold can be at most 100 answers.",
		"Ange gränsen som ett heltal, minst 3.":                       "Give the threshold as a whole number, at least 3.",
		"Ange en rubrik på högst 200 tecken.":                         "Give a title of at most 200 characters.",
		"Välj en frågetyp.":                                           "Choose a question type.",
		"Frågan ska ha en text på högst 500 tecken.":                  "The question must have a text of at most 500 characters.",
		"Texten innehåller otillåtna tecken.":                         "The text contains characters that are not allowed.",
		"Ett flerval ska ha 2–30 svarsalternativ.":                    "A choice question must have 2–30 options.",
		"Bara flervalsfrågor har svarsalternativ.":                    "Only choice questions have options.",
		"Varje svarsalternativ ska ha en text på högst 200 tecken.":   "Each option must have a text of at most 200 characters.",
		"Två svarsalternativ har samma text.":                         "Two options have the same text.",
		"Ange ett namn på högst 100 tecken, till exempel Våren 2027.": "Give a name of at most 100 characters, for example Spring 2027.",
		"Ange första dagen som ett datum, till exempel 2027-03-01.":   "Give the first day as a date, for example 2027-03-01.",
		"Ange sista dagen som ett datum, till exempel 2027-03-14.":    "Give the last day as a date, for example 2027-03-14.",
		"Sista dagen kan inte komma före första dagen.":               "The last day cannot come before the first.",
		"Sista dagen har redan passerat.":                             "The last day has already passed.",
		"Sista dagen har redan passerat. Stäng omgången i stället.":   "The last day has already passed. Close the round instead.",
		"Enkäten behöver minst en fråga innan den kan skickas.":       "The survey needs at least one question before it can be sent.",
		"Välj en enhet i kommunens organisation.":                     "Choose a unit of the kommun's organisation.",
		"Välj enheter i kommunens organisation.":                      "Choose units of the kommun's organisation.",
		"Välj bland rollerna.":                                        "Choose among the roles.",
		"Välj minst en enhet eller en roll.":                          "Choose at least one unit or one role.",
		"Välj hur omgången ska nå de svarande.":                       "Choose how the round reaches the respondents.",
	}
}
