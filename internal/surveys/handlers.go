package surveys

import (
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/values"
	"github.com/vard-kommun/vard/internal/web"
)

//go:embed templates
var templates embed.FS

// Handlers is the surveys' web pages: building surveys and sending rounds (admin.go), the respondent's
// side (the questionnaire behind a link, saving it to continue later, submitting it once, the thanks),
// and the results (results_handlers.go).
type Handlers struct {
	svc     *Service
	org     *org.Service
	words   WordSource
	rd      *web.Renderer
	baseURL string
	pages   map[string]*template.Template
}

// WordSource gives the värdeord of a kommun's adopted värdegrund, for the values pulse.
type WordSource interface {
	Words(ctx context.Context, tenantID int64) ([]values.Word, error)
}

// NewHandlers parses the templates and registers the English catalogue. baseURL makes the links sent
// by e-mail and printed in QR codes absolute.
func NewHandlers(svc *Service, orgSvc *org.Service, words WordSource, rd *web.Renderer, baseURL string) *Handlers {
	rd.Catalog.Add(english())
	rd.Catalog.Add(englishAdmin())
	rd.Catalog.Add(englishResults())
	return &Handlers{svc: svc, org: orgSvc, words: words, rd: rd, baseURL: strings.TrimRight(baseURL, "/"),
		pages: rd.MustPages(templates, "templates/*.html")}
}

// Routes registers the routes. The respondent's are public: the token in the link is the only key.
func (h *Handlers) Routes(rt *web.Router) {
	rt.Handle("GET /enkater/svar/{token}", web.Public, h.form)
	rt.Handle("POST /enkater/svar/{token}", web.Public, h.submit)
	rt.Handle("GET /enkater/tack", web.Public, h.thanks)
	h.adminRoutes(rt)
	h.resultsRoutes(rt)
}

// The texts of the flash and the buttons' actions.
const (
	msgDraftSaved = "Dina svar är sparade. Öppna samma länk igen för att fortsätta."
	actionSave    = "spara"
)

func (h *Handlers) form(w http.ResponseWriter, r *http.Request) error {
	noStore(w)
	rs, err := h.svc.Respondent(r.Context(), r.PathValue("token"))
	if err == nil {
		err = rs.Check(h.svc.Store.Now())
	}
	if err != nil {
		return h.unavailable(w, r, err)
	}
	draft, err := h.svc.Draft(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, rs, draft, newKey(), nil)
}

func (h *Handlers) submit(w http.ResponseWriter, r *http.Request) error {
	noStore(w)
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	token := r.PathValue("token")
	ctx := r.Context()
	form := r.PostForm
	if form.Get("action") == actionSave {
		rs, err := h.svc.Respondent(ctx, token)
		if err == nil {
			err = h.svc.SaveDraft(ctx, token, rs, form)
		}
		if err != nil {
			return h.unavailable(w, r, err)
		}
		return web.Redirect(w, r, r.URL.Path, msgDraftSaved)
	}
	// A used link is not refused before trying: the retry of a stored submission (same key) must get
	// its thanks again, and AnswerLink tells a retry from a second answer. Errors in a form that can no
	// longer be sent (the link used, the round closed) are not worth correcting, and are not shown.
	sv, _, err := h.svc.AnswerLink(ctx, token, form)
	var e *web.Error
	switch {
	case err == nil:
		return web.Redirect(w, r, "/enkater/tack", "")
	case errors.Is(err, ErrInvitationUsed), errors.Is(err, ErrRoundClosed), errors.Is(err, ErrBadLink), errors.Is(err, ErrNotYetOpen):
		return h.unavailable(w, r, err)
	case sv != nil && errors.As(err, &e) && e.Status == http.StatusUnprocessableEntity:
		key := form.Get("key")
		if key == "" || len(key) > maxTokenLength {
			key = newKey()
		}
		return h.render(w, r, http.StatusUnprocessableEntity, &Respondent{Survey: sv}, form, key, e)
	}
	return err
}

func (h *Handlers) thanks(w http.ResponseWriter, r *http.Request) error {
	return h.rd.Page(w, r, h.pages["thanks.html"], nil)
}

// unavailable shows why a link cannot be answered (unknown, used, closed) as a page of its own with the
// error's status; other errors go on to the error page.
func (h *Handlers) unavailable(w http.ResponseWriter, r *http.Request, err error) error {
	var e *web.Error
	if !errors.As(err, &e) || e.Status >= 500 {
		return err
	}
	return h.rd.PageStatus(w, r, h.pages["unavailable.html"], e.Status, web.View{Message: e.Message, Data: e.Status})
}

// noStore keeps pages reached through a personal link out of shared caches and the browser's history
// cache: they hold someone's answers.
func noStore(w http.ResponseWriter) { w.Header().Set("Cache-Control", "no-store") }

// newKey is the idempotency key of one rendering of the form: a double click or a browser's retry of
// the same form sends the same key, and is stored once.
func newKey() string { return rand.Text() }

// --- the questionnaire

type formData struct {
	Survey *Survey
	// Open is an open link, which has no one to keep a saved draft for.
	Open      bool
	Action    string
	Key       string
	Questions []questionView
}

// questionView is one question as the form shows it, with what was answered and its error.
type questionView struct {
	Field    string
	Number   int
	Text     string
	Type     QuestionType
	Required bool
	Hint     string // Swedish UI text
	Choices  []choice
	Answer   string // free text
	Error    string
}

// choice is one radio button or checkbox. Label is the survey's own text (an option, a number), Say is
// UI text to translate (a scale's end, vet ej); either may be empty.
type choice struct {
	ID, Value  string
	Label, Say string
	Checked    bool
}

// The UI texts of the scales.
const (
	sayLikertLow  = "Stämmer mycket dåligt"
	sayLikertHigh = "Stämmer mycket bra"
	sayDontKnow   = "Vet ej / ej aktuellt"
	sayNoAnswer   = "Inget svar"
	hintMultiple  = "Välj ett eller flera alternativ."
	hintScale     = "0 betyder inte alls och 10 helt och hållet."
)

func (h *Handlers) render(w http.ResponseWriter, r *http.Request, status int, rs *Respondent, form url.Values, key string, e *web.Error) error {
	sv := rs.Survey
	d := formData{Survey: sv, Open: rs.Round != nil && rs.Round.OpenLink, Action: r.URL.Path, Key: key}
	for i, q := range sv.Questions {
		field := "q" + strconv.FormatInt(q.ID, 10)
		qv := questionView{Field: field, Number: i + 1, Text: q.Text, Type: q.Type, Required: q.Required}
		if e != nil {
			qv.Error = e.Fields[field]
		}
		given := map[string]bool{}
		for _, v := range form[field] {
			given[v] = true
		}
		add := func(value, label, say string) {
			qv.Choices = append(qv.Choices, choice{ID: field + "-" + value, Value: value, Label: label, Say: say, Checked: given[value]})
		}
		switch q.Type {
		case Likert5:
			for v := 1; v <= 5; v++ {
				say := map[int]string{1: sayLikertLow, 5: sayLikertHigh}[v]
				add(strconv.Itoa(v), strconv.Itoa(v), say)
			}
		case Scale10:
			qv.Hint = hintScale
			for v := 0; v <= 10; v++ {
				add(strconv.Itoa(v), strconv.Itoa(v), "")
			}
		case Single, Multiple:
			if q.Type == Multiple {
				qv.Hint = hintMultiple
			}
			for v, o := range q.Options {
				add(strconv.Itoa(v), o, "")
			}
		case Text:
			if vs := form[field]; len(vs) > 0 {
				qv.Answer = vs[0]
			}
		}
		// Radio buttons cannot be cleared once one is chosen: a question that may be left unanswered
		// offers it as a choice of its own (for HME, SKR's vet ej).
		if q.Type != Multiple && q.Type != Text && !q.Required {
			say := sayNoAnswer
			if q.HMEIndex >= 0 {
				say = sayDontKnow
			}
			qv.Choices = append(qv.Choices, choice{ID: field + "-none", Value: "", Say: say, Checked: len(form[field]) > 0 && form.Get(field) == ""})
		}
		d.Questions = append(d.Questions, qv)
	}
	v := web.View{Data: d}
	if e != nil {
		v.Message, v.Errors = e.Message, e.Fields
	}
	return h.rd.PageStatus(w, r, h.pages["form.html"], status, v)
}
