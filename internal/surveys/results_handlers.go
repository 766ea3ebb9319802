package surveys

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/web"
)

// resultsRoutes registers the results pages, their exports and the published citizen results. A chef
// and a kommunadmin reach the same pages; the handlers cut a chef's view down to their own units.
func (h *Handlers) resultsRoutes(rt *web.Router) {
	rt.Handle("GET /enkater/resultat", web.Manager, h.resultRounds)
	rt.Handle("GET /enkater/omgangar/{id}/resultat", web.Manager, h.results)
	rt.Handle("GET /enkater/omgangar/{id}/resultat.csv", web.Manager, h.exportCSV)
	rt.Handle("GET /enkater/omgangar/{id}/resultat.xlsx", web.Manager, h.exportXLSX)
	// Not /enkater/{id}/trend: it would clash with /enkater/omgangar/{id} in the mux.
	rt.Handle("GET /enkater/trend/{id}", web.Manager, h.trend)
	rt.Handle("GET /enkater/omgangar/{id}/publicering", web.Admin, h.confirmPublish)
	rt.Handle("POST /enkater/omgangar/{id}/publicering", web.Admin, h.publish)
	rt.Handle("GET /k/{slug}/enkater/{id}/resultat", web.Public, h.publicResults)
}

// The texts the results pages build in Go.
const (
	msgPublished    = "Resultatet är publicerat på kommunens öppna sidor."
	msgUnpublished  = "Resultatet är inte längre publicerat."
	msgBadAction    = "Välj att publicera eller att sluta publicera."
	msgBadUnit      = "Enheten finns inte bland de enheter du kan se resultat för."
	msgBadTextQ     = "Frågan är ingen fritextfråga i enkäten."
	labelKommun     = "Hela kommunen"
	labelNoUnit     = "Utan enhet"
	labelN          = "Antal svar"
	labelInvited    = "Inbjudna"
	labelRate       = "Svarsfrekvens (%)"
	labelMotivation = "Motivation"
	labelLedarskap  = "Ledarskap"
	labelStyrning   = "Styrning"
	labelMean       = "Medelvärde"
)

// englishResults returns the results pages' part of the English catalogue.
func englishResults() map[string]string {
	return map[string]string{
		msgPublished:                  "The results are published on the kommun's public pages.",
		msgUnpublished:                "The results are no longer published.",
		msgBadAction:                  "Choose to publish or to stop publishing.",
		msgBadUnit:                    "The unit is not among those whose results you can see.",
		msgBadTextQ:                   "The question is not a free-text question of the survey.",
		labelKommun:                   "The whole kommun",
		labelNoUnit:                   "No unit",
		labelN:                        "Answers",
		labelInvited:                  "Invited",
		labelRate:                     "Response rate (%)",
		labelMotivation:               "Motivation",
		labelLedarskap:                "Leadership",
		labelStyrning:                 "Governance",
		labelMean:                     "Mean",
		"HME-index":                   "HME index",
		"Medelvärde, alla påståenden": "Mean, all statements",
		"Medelvärde, fråga":           "Mean, question",
		ErrBadFilter.Message:          "The filter is not in the survey. Choose a background question and one of its options.",
		ErrNotCitizen.Message:         "Only the results of citizen surveys can be published.",
		ErrPendingFilter.Message:      "The results can be filtered only once the round has closed.",

		"Resultatet visas när omgången har stängt den":                                                                   "The results are shown when the round has closed, on",
		"Till dess visas bara antalet svar och svarsfrekvensen, så att ingen kan se vad en enskild person just svarade.": "Until then only the number of answers and the response rate are shown, so that no one can see what a single person has just answered.",
		"Bara antal svar tills omgången har stängt den":                                                                  "Only the number of answers until the round has closed, on",
		"Pågår": "In progress",
		"en omgång med personliga länkar visar bara antalet svar och svarsfrekvensen tills den har stängt.": "a round with personal links shows only the number of answers and the response rate until it has closed.",

		"Resultat":            "Results",
		"Resultat av enkäter": "Survey results",
		"Omgångar med resultat som du kan se, de senaste först.":                                                              "Rounds with results you can see, newest first.",
		"Det finns inga omgångar med resultat som du kan se ännu. När en enkät har skickats till dina enheter visas den här.": "There are no rounds with results you can see yet. When a survey has been sent to your units it appears here.",
		"Enkät":             "Survey",
		"Omgång":            "Round",
		"Period":            "Period",
		"Utveckling":        "Trend",
		"Visa resultat":     "Show results",
		"Visa utveckling":   "Show trend",
		"Färre än":          "Fewer than",
		"svar – visas inte": "answers – not shown",
		"Anonymitet":        "Anonymity",
		"Resultat visas bara för grupper med minst":                                           "Results are shown only for groups with at least",
		"svar. Grupper som skulle göra det möjligt att räkna ut en mindre grupp döljs också.": "answers. Groups that would make it possible to work out a smaller group are hidden too.",
		"Visa för":      "Show for",
		"Alla svarande": "All respondents",
		"Visa":          "Show",
		"Enheter":       "Units",
		"Enhet":         "Unit",
		"Välj en enhet för att se dess frågor i detalj.": "Choose a unit to see its questions in detail.",
		"Vald":            "Selected",
		"Svar per fråga":  "Answers per question",
		"Fråga":           "Question",
		"Svarsalternativ": "Option",
		"Antal":           "Count",
		"Andel (%)":       "Share (%)",
		"Diagram över svaren. Samma siffror finns i tabellen.": "Chart of the answers. The same figures are in the table.",
		"HME – hållbart medarbetarengagemang":                  "HME – sustainable employee engagement",
		"Index 0–100 enligt SKR:s metod.":                      "Index 0–100 by SKR's method.",
		"Mått":                                                 "Measure",
		"Värde":                                                "Value",
		"Värdepuls per värdeord":                               "Values pulse per core value",
		"Värdeord":                                             "Core value",
		"Påståenden":                                           "Statements",
		"Medelvärde 1–5":                                       "Mean 1–5",
		"Fritextsvar":                                          "Free-text answers",
		"Inga fritextsvar.":                                    "No free-text answers.",
		"Fritextsvar visas bara för grupper som visas.": "Free-text answers are shown only for groups that are shown.",
		"Ladda ner":                            "Download",
		"Ladda ner som CSV":                    "Download as CSV",
		"Ladda ner som Excel (XLSX)":           "Download as Excel (XLSX)",
		"Publicering":                          "Publishing",
		"Publicerat på kommunens öppna sidor.": "Published on the kommun's public pages.",
		"Inte publicerat.":                     "Not published.",
		"Ändra publicering":                    "Change publishing",
		"Öppen länk: bara antalet svar räknas, inte hur många som fick frågan.": "Open link: only the number of answers is counted, not how many were asked.",
		"Publicera resultatet":       "Publish the results",
		"Sluta publicera resultatet": "Stop publishing the results",
		"Publicera":                  "Publish",
		"Sluta publicera":            "Stop publishing",
		"Avbryt":                     "Cancel",
		"Resultatet visas då för alla på kommunens öppna sida, utan inloggning: kommunen som helhet och de enheter som har tillräckligt många svar. Fritextsvar publiceras aldrig.": "The results are then shown to everyone on the kommun's public page, without signing in: the kommun as a whole and the units with enough answers. Free-text answers are never published.",
		"Resultatet tas bort från kommunens öppna sida.":                            "The results are removed from the kommun's public page.",
		"Utveckling över omgångar":                                                  "Trend across rounds",
		"Varje omgång med sina egna siffror; en omgång med för få svar visas inte.": "Each round with its own figures; a round with too few answers is not shown.",
		"Diagram över utvecklingen. Samma siffror finns i tabellen.":                "Chart of the trend. The same figures are in the table.",
		"Enkäten har inga omgångar som har öppnat ännu.":                            "The survey has no rounds that have opened yet.",
		"Visa utveckling för":                                                       "Show trend for",
		"visas inte":                                                                "not shown",
		"Resultat från medborgarenkät":                                              "Results of a citizen survey",
		"Svar från kommunens medborgarenkät om bemötande.":                          "Answers from the kommun's citizen survey on how people are treated.",
		"Tidigare omgångar":                                                         "Earlier rounds",
		"Alla enheter med för få svar är utelämnade.":                               "All units with too few answers are left out.",
		"Till resultatet":                                                           "To the results",
		"Föregående":                                                                "Previous", "Nästa": "Next", "Sida": "Page", "av": "of",
	}
}

// scopeOf returns the viewer's tree and what of it they may see.
func (h *Handlers) scopeOf(r *http.Request) (*org.Tree, org.Scope, error) {
	v := web.ViewerFrom(r.Context())
	tree, err := h.org.Tree(r.Context(), v.TenantID)
	if err != nil {
		return nil, org.Scope{}, err
	}
	return tree, tree.ScopeFor(v), nil
}

func missing(err error) error {
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound()
	}
	return err
}

// num formats a figure with the language's decimal mark: a comma in Swedish, a point in English.
func num(lang string, x float64, decimals int) string {
	s := strconv.FormatFloat(x, 'f', decimals, 64)
	if lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// --- the list of rounds

type roundLine struct {
	RoundSummary
	Period string
	// Pending is a round with personal links that is still open; ClosesOn says when it closes.
	Pending  bool
	ClosesOn string
}

type roundsPage struct {
	Rounds []roundLine
	Pager  web.Pager
}

// closesOn is when a round closes, as the pages say it: a round closes at 24:00 of its last day, which is
// the day the period ends with; any other time is given with the time.
func closesOn(t time.Time) string {
	t = t.In(resultsZone)
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return t.Add(-time.Nanosecond).Format("2006-01-02")
	}
	return t.Format("2006-01-02 15:04")
}

func period(r RoundSummary) string {
	// closes_at is exclusive: the last day is the one before it.
	return r.OpensAt.In(resultsZone).Format("2006-01-02") + " – " + r.ClosesAt.Add(-time.Nanosecond).In(resultsZone).Format("2006-01-02")
}

var resultsZone = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()

func (h *Handlers) resultRounds(w http.ResponseWriter, r *http.Request) error {
	_, scope, err := h.scopeOf(r)
	if err != nil {
		return err
	}
	p := web.NewPager(r, 25)
	list, total, err := h.svc.ResultRounds(r.Context(), web.ViewerFrom(r.Context()).TenantID, scope, p.PerPage, p.Offset())
	if err != nil {
		return err
	}
	p.Total = total
	d := roundsPage{Pager: p}
	now := h.svc.Store.Now()
	for _, rs := range list {
		d.Rounds = append(d.Rounds, roundLine{RoundSummary: rs, Period: period(rs), Pending: !rs.OpenLink && now.Before(rs.ClosesAt), ClosesOn: closesOn(rs.ClosesAt)})
	}
	return h.rd.Page(w, r, h.pages["results_list.html"], d)
}

// --- one round's results

// bar is one row of a distribution: its label (the survey's own text, or a number), count and share,
// and where the chart draws it.
type bar struct {
	Label  string
	Count  int
	Pct    string
	Y      int
	TextY  int
	Width  int
	Offset int
}

// questionDetail is one question's figures in the selected group.
type questionDetail struct {
	Number      int
	Text        string
	Type        QuestionType
	N           int
	Mean        string
	Bars        []bar
	ChartHeight int
	TextCount   int
	ID          int64
}

type figureLine struct {
	Label string // UI text
	Value string
	N     int
	Width int
}

type wordLine struct {
	Name       string
	Statements int
	N          int
	Mean       string
	Width      int
}

type unitLine struct {
	Name     string
	Depth    int
	Indent   string
	Link     string
	Visible  bool
	Selected bool
	N        int
	Invited  string
	Rate     string
	Headline string
}

type filterChoice struct {
	Value, Label string
	Selected     bool
}

type filterGroup struct {
	Question string
	Choices  []filterChoice
}

type detail struct {
	Name      string
	Visible   bool
	Pending   bool
	ClosesOn  string
	N         int
	Invited   string
	Rate      string
	Questions []questionDetail
	HME       []figureLine
	Words     []wordLine
}

type freeText struct {
	Questions []filterChoice // the free-text questions, to choose among
	Question  string
	Texts     []string
	Pager     web.Pager
	Shown     bool
}

type resultsPage struct {
	Title        string
	RoundName    string
	Period       string
	K            int
	Pending      bool
	ClosesOn     string
	OpenLink     bool
	IsCitizen    bool
	IsAdmin      bool
	Published    bool
	RoundID      int64
	SurveyID     int64
	HeadlineName string
	Units        []unitLine
	UnitsPager   web.Pager
	Filters      []filterGroup
	Filter       string
	FilterLabel  string
	Unit         string
	Selected     detail
	FreeText     freeText
	CSV, XLSX    string
	Trend        string
	// TextPrev and TextNext page through the free text; "sida" pages the units.
	TextPrev, TextNext string
}

// viewRequest is a results request's choices, read and checked: the filter ("" or "<question>-<option>")
// and the selected group.
type viewRequest struct {
	info   *roundMeta
	tree   *org.Tree
	scope  org.Scope
	filter *Filter
	raw    string
	group  string
	view   *View
}

// parseFilter reads "<question id>-<option index>".
func parseFilter(sv *Survey, s string) (*Filter, error) {
	if s == "" {
		return nil, nil
	}
	q, o, ok := strings.Cut(s, "-")
	qid, err1 := strconv.ParseInt(q, 10, 64)
	opt, err2 := strconv.Atoi(o)
	if !ok || err1 != nil || err2 != nil {
		return nil, ErrBadFilter
	}
	f := &Filter{QuestionID: qid, Option: opt}
	if _, _, err := filterIndex(sv, *f); err != nil {
		return nil, err
	}
	return f, nil
}

// readView loads the round and the view the request asks for, refusing what the viewer may not see: a
// round of another kommun is not found, and so is a unit outside a chef's scope. For the page (page true,
// no filter) the view holds the selected group's figures only; exports get every group's.
func (h *Handlers) readView(r *http.Request, page bool) (*viewRequest, error) {
	id, err := web.ID(r, "id")
	if err != nil {
		return nil, err
	}
	v := web.ViewerFrom(r.Context())
	info, err := h.svc.roundMeta(r.Context(), v.TenantID, id)
	if err != nil {
		return nil, missing(err)
	}
	vr := &viewRequest{info: info}
	if vr.tree, vr.scope, err = h.scopeOf(r); err != nil {
		return nil, err
	}
	q := r.URL.Query()
	vr.raw = strings.TrimSpace(q.Get("filter"))
	if vr.filter, err = parseFilter(info.Survey, vr.raw); err != nil {
		return nil, err
	}
	vr.group = "k"
	switch s := strings.TrimSpace(q.Get("enhet")); {
	case s != "":
		uid, err := strconv.ParseInt(s, 10, 64)
		if err != nil || uid < 0 || uid == 0 && !vr.scope.All || uid > 0 && (!vr.scope.Contains(uid) || vr.tree.ByID[uid] == nil) {
			return nil, web.BadRequest(msgBadUnit)
		}
		vr.group = groupID(uid)
	case !vr.scope.All:
		if len(vr.scope.Roots) == 0 {
			return nil, web.NotFound()
		}
		vr.group = groupID(vr.scope.Roots[0].ID)
	}
	in := ViewInput{Tree: vr.tree, Scope: vr.scope, Filter: vr.filter}
	if page && vr.filter == nil {
		vr.view, err = h.svc.pageView(r.Context(), info, in, vr.group)
	} else {
		vr.view, err = h.svc.view(r.Context(), info, in)
	}
	if err != nil {
		return nil, err
	}
	if _, ok := vr.view.Group(vr.group); !ok {
		return nil, web.BadRequest(msgBadUnit)
	}
	return vr, nil
}

func (vr *viewRequest) query(extra ...string) string {
	q := url.Values{}
	if vr.raw != "" {
		q.Set("filter", vr.raw)
	}
	if vr.group != "k" {
		q.Set("enhet", strings.TrimPrefix(vr.group, "u"))
	}
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] == "" {
			q.Del(extra[i])
		} else {
			q.Set(extra[i], extra[i+1])
		}
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

func (h *Handlers) results(w http.ResponseWriter, r *http.Request) error {
	vr, err := h.readView(r, true)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	v := vr.view
	sv := v.Survey
	base := "/enkater/omgangar/" + strconv.FormatInt(v.Round.ID, 10) + "/resultat"
	viewer := web.ViewerFrom(r.Context())
	d := resultsPage{Title: sv.Title, RoundName: v.RoundName, K: v.K, OpenLink: v.Round.OpenLink, IsCitizen: sv.Kind == KindCitizen,
		IsAdmin: viewer.IsAdmin(), Published: v.Published, RoundID: v.Round.ID, SurveyID: sv.ID, HeadlineName: HeadlineName(sv),
		Filter: vr.raw, Unit: strings.TrimPrefix(vr.group, "u"), Pending: v.Pending, ClosesOn: closesOn(v.Round.ClosesAt),
		Period: period(RoundSummary{OpensAt: v.Round.OpensAt, ClosesAt: v.Round.ClosesAt}),
		CSV:    base + ".csv" + vr.query(), XLSX: base + ".xlsx" + vr.query(),
		Trend: "/enkater/trend/" + strconv.FormatInt(sv.ID, 10) + (&viewRequest{group: vr.group}).query()}
	if vr.group == "k" {
		d.Unit = ""
	}
	if v.Pending {
		d.HeadlineName = ""
	}
	for _, q := range FilterQuestions(sv) {
		if v.Pending {
			break
		}
		g := filterGroup{Question: q.Text}
		for o, label := range q.Options {
			value := strconv.FormatInt(q.ID, 10) + "-" + strconv.Itoa(o)
			g.Choices = append(g.Choices, filterChoice{Value: value, Label: label, Selected: value == vr.raw})
			if value == vr.raw {
				d.FilterLabel = q.Text + ": " + label
			}
		}
		d.Filters = append(d.Filters, g)
	}

	rows := v.Units
	if v.All {
		rows = append([]UnitRow{v.Kommun}, rows...)
	}
	d.UnitsPager = web.NewPager(r, 100)
	d.UnitsPager.Total = len(rows)
	from := min(d.UnitsPager.Offset(), len(rows))
	for _, u := range rows[from:min(from+d.UnitsPager.PerPage, len(rows))] {
		d.Units = append(d.Units, h.unitLine(lang, vr, u))
	}
	sel, _ := v.Group(vr.group)
	d.Selected = h.detail(r.Context(), lang, v, sel)

	texts := freeText{}
	for _, q := range sv.Questions {
		if q.Type == Text && !v.Pending {
			texts.Questions = append(texts.Questions, filterChoice{Value: strconv.FormatInt(q.ID, 10), Label: q.Text})
		}
	}
	if len(texts.Questions) > 0 {
		pick := texts.Questions[0].Value
		if s := r.URL.Query().Get("fritext"); s != "" {
			pick = s
			found := false
			for _, c := range texts.Questions {
				found = found || c.Value == s
			}
			if !found {
				return web.BadRequest(msgBadTextQ)
			}
		}
		for i := range texts.Questions {
			texts.Questions[i].Selected = texts.Questions[i].Value == pick
			if texts.Questions[i].Selected {
				texts.Question = texts.Questions[i].Label
			}
		}
		qid, _ := strconv.ParseInt(pick, 10, 64)
		texts.Pager = web.NewPager(r, 20)
		texts.Pager.Page = 1
		texts.Pager.URL = base + vr.query("fritext", pick) + "#fritext"
		if p := r.URL.Query().Get("textsida"); p != "" {
			if n, err := strconv.Atoi(p); err == nil && n > 0 && n <= 100000 {
				texts.Pager.Page = n
			}
		}
		list, total, err := h.svc.FreeText(r.Context(), v, vr.tree, vr.group, qid, texts.Pager.PerPage, texts.Pager.Offset())
		if err != nil {
			return err
		}
		texts.Texts, texts.Pager.Total, texts.Shown = list, total, sel.Visible
		page := func(n int) string {
			return base + vr.query("fritext", pick, "textsida", strconv.Itoa(n), "sida", r.URL.Query().Get("sida")) + "#fritext"
		}
		d.TextPrev, d.TextNext = page(texts.Pager.Page-1), page(texts.Pager.Page+1)
	}
	d.FreeText = texts
	return h.rd.Page(w, r, h.pages["results_round.html"], d)
}

func (h *Handlers) unitLine(lang string, vr *viewRequest, u UnitRow) unitLine {
	name := u.Name
	switch u.GroupID {
	case "k":
		name = labelKommun
	case "u0":
		name = labelNoUnit
	}
	l := unitLine{Name: name, Depth: u.Depth, Indent: strings.Repeat("– ", u.Depth), Visible: u.Visible, Selected: u.GroupID == vr.group, N: u.N}
	sel := &viewRequest{raw: vr.raw, group: u.GroupID}
	l.Link = "/enkater/omgangar/" + strconv.FormatInt(vr.view.Round.ID, 10) + "/resultat" + sel.query() + "#vald"
	if !vr.view.Round.OpenLink {
		l.Invited = strconv.Itoa(u.Invited)
	}
	if rate := u.Rate(); rate >= 0 && vr.filter == nil {
		l.Rate = num(lang, rate, 0)
	}
	if u.HasHead {
		l.Headline = num(lang, u.Head, decimals(vr.view.Survey))
	}
	return l
}

func decimals(sv *Survey) int {
	if sv.Kind == KindHME {
		return 0
	}
	return 1
}

// detail is the selected group's figures per question, HME and values pulse.
func (h *Handlers) detail(ctx context.Context, lang string, v *View, u UnitRow) detail {
	name := u.Name
	switch u.GroupID {
	case "k":
		name = labelKommun
	case "u0":
		name = labelNoUnit
	}
	d := detail{Name: name, Visible: u.Visible, N: u.N, Pending: v.Pending, ClosesOn: closesOn(v.Round.ClosesAt)}
	if !v.Round.OpenLink {
		d.Invited = strconv.Itoa(u.Invited)
	}
	if rate := u.Rate(); rate >= 0 && v.Filter == nil {
		d.Rate = num(lang, rate, 0)
	}
	if !u.Visible || v.Pending {
		return d
	}
	sv := v.Survey
	for i, q := range sv.Questions {
		if i >= len(u.Questions) {
			break
		}
		qr := u.Questions[i]
		qd := questionDetail{Number: i + 1, Text: q.Text, Type: q.Type, N: qr.N, ID: q.ID}
		if q.Type == Likert5 || q.Type == Scale10 {
			if qr.N > 0 {
				qd.Mean = num(lang, qr.Mean, 1)
			}
		}
		if q.Type == Text {
			qd.TextCount = qr.Counts[0]
			d.Questions = append(d.Questions, qd)
			continue
		}
		var labels []string
		from := 0
		switch q.Type {
		case Likert5:
			from = 1
			for x := 0; x <= 5; x++ {
				labels = append(labels, strconv.Itoa(x))
			}
		case Scale10:
			for x := 0; x <= 10; x++ {
				labels = append(labels, strconv.Itoa(x))
			}
		default:
			labels = q.Options
		}
		for x := from; x < len(qr.Counts) && x < len(labels); x++ {
			pct := 0.0
			if qr.N > 0 {
				pct = 100 * float64(qr.Counts[x]) / float64(qr.N)
			}
			y := (x - from) * 22
			qd.Bars = append(qd.Bars, bar{Label: labels[x], Count: qr.Counts[x], Pct: num(lang, pct, 0), Y: y + 4, TextY: y + 16,
				Width: int(math.Round(pct * 2.2)), Offset: 100})
		}
		qd.ChartHeight = len(qd.Bars)*22 + 4
		d.Questions = append(d.Questions, qd)
	}
	if u.HME != nil {
		for _, f := range []struct {
			label string
			fig   HMEFigure
		}{{"HME-index", u.HME.Total}, {labelMotivation, u.HME.Motivation}, {labelLedarskap, u.HME.Ledarskap}, {labelStyrning, u.HME.Styrning}} {
			line := figureLine{Label: f.label, N: f.fig.N}
			if f.fig.N > 0 {
				line.Value = strconv.Itoa(f.fig.Value)
				line.Width = f.fig.Value * 2
			}
			d.HME = append(d.HME, line)
		}
	}
	names := map[string]string{}
	if h.words != nil {
		if ws, err := h.words.Words(ctx, v.Survey.TenantID); err == nil {
			for _, w := range ws {
				names[w.Key] = w.Name
			}
		}
	}
	for _, w := range Words(sv, u.UnitResults) {
		name := names[w.Key]
		if name == "" {
			name = w.Key
		}
		line := wordLine{Name: name, Statements: w.Statements, N: w.N}
		if w.N > 0 {
			line.Mean = num(lang, w.Mean, 1)
			line.Width = int(math.Round((w.Mean - 1) * 50))
		}
		d.Words = append(d.Words, line)
	}
	return d
}

// --- trend

type trendColumn struct {
	Name     string
	Period   string
	Link     string
	Visible  bool
	Pending  bool
	ClosesOn string
}

type trendRow struct {
	Label  string // UI text
	Number int    // question number, for questions
	Text   string // the question's own text
	Cells  []string
}

type trendPage struct {
	Title     string
	SurveyID  int64
	Group     string
	GroupName string
	K         int
	Units     []filterChoice
	Columns   []trendColumn
	Rows      []trendRow
	Headline  string
	Points    string
	// AnyPending is true when a column is a round whose figures wait for it to close.
	AnyPending bool
	Dots       []dot
	Labels     []dot
	Empty      bool
}

// dot is a point of the trend chart, or the label of a column under it.
type dot struct {
	X, Y  int
	Label string
}

func (h *Handlers) trend(w http.ResponseWriter, r *http.Request) error {
	id, err := web.ID(r, "id")
	if err != nil {
		return err
	}
	tree, scope, err := h.scopeOf(r)
	if err != nil {
		return err
	}
	group := "k"
	if !scope.All {
		if len(scope.Roots) == 0 {
			return web.NotFound()
		}
		group = groupID(scope.Roots[0].ID)
	}
	if s := strings.TrimSpace(r.URL.Query().Get("enhet")); s != "" {
		uid, err := strconv.ParseInt(s, 10, 64)
		if err != nil || uid < 0 || uid == 0 && !scope.All || uid > 0 && (!scope.Contains(uid) || tree.ByID[uid] == nil) {
			return web.BadRequest(msgBadUnit)
		}
		group = groupID(uid)
	}
	tr, err := h.svc.Trend(r.Context(), web.ViewerFrom(r.Context()).TenantID, id, tree, scope, group)
	if err != nil {
		return missing(err)
	}
	lang := web.Lang(r)
	sv := tr.Survey
	d := trendPage{Title: sv.Title, SurveyID: sv.ID, Group: strings.TrimPrefix(group, "u"), K: NormalizeK(sv.K), Headline: HeadlineName(sv), Empty: len(tr.Points) == 0}
	if group == "k" {
		d.Group = ""
	}
	d.GroupName = tr.Name
	switch group {
	case "k":
		d.GroupName = labelKommun
	case "u0":
		d.GroupName = labelNoUnit
	}
	if scope.All {
		d.Units = append(d.Units, filterChoice{Value: "", Label: labelKommun, Selected: group == "k"})
	}
	var walk func(u *org.Unit, depth int)
	walk = func(u *org.Unit, depth int) {
		if scope.Contains(u.ID) {
			d.Units = append(d.Units, filterChoice{Value: strconv.FormatInt(u.ID, 10), Label: strings.Repeat("– ", depth) + u.Name, Selected: groupID(u.ID) == group})
		}
		for _, c := range u.Children {
			walk(c, depth+1)
		}
	}
	for _, root := range tree.Roots {
		walk(root, 0)
	}
	hidden := "–"
	n := trendRow{Label: labelN}
	rate := trendRow{Label: labelRate}
	head := trendRow{Label: d.Headline}
	var hme [3]trendRow
	for i, l := range []string{labelMotivation, labelLedarskap, labelStyrning} {
		hme[i] = trendRow{Label: l}
	}
	var questions []trendRow
	for i, q := range sv.Questions {
		if q.Type == Likert5 || q.Type == Scale10 {
			questions = append(questions, trendRow{Label: labelMean, Number: i + 1, Text: q.Text})
		}
	}
	var points []string
	now := h.svc.Store.Now()
	step := 0
	if len(tr.Points) > 1 {
		step = 560 / (len(tr.Points) - 1)
	}
	for i, p := range tr.Points {
		name := p.Round.Name
		if name == "" {
			name = p.Round.OpensAt.In(resultsZone).Format("2006-01-02")
		}
		pending := !p.Round.OpenLink && now.Before(p.Round.ClosesAt)
		d.AnyPending = d.AnyPending || pending
		d.Columns = append(d.Columns, trendColumn{Name: name, Period: period(p.Round), Visible: p.Row.Visible, Pending: pending, ClosesOn: closesOn(p.Round.ClosesAt),
			Link: "/enkater/omgangar/" + strconv.FormatInt(p.Round.ID, 10) + "/resultat" + (&viewRequest{group: group}).query()})
		d.Labels = append(d.Labels, dot{X: 40 + i*step, Y: 196, Label: name})
		if !p.Row.Visible {
			for _, row := range []*trendRow{&n, &rate, &head, &hme[0], &hme[1], &hme[2]} {
				row.Cells = append(row.Cells, hidden)
			}
			for j := range questions {
				questions[j].Cells = append(questions[j].Cells, hidden)
			}
			continue
		}
		n.Cells = append(n.Cells, strconv.Itoa(p.Row.N))
		if x := p.Row.Rate(); x >= 0 {
			rate.Cells = append(rate.Cells, num(lang, x, 0))
		} else {
			rate.Cells = append(rate.Cells, hidden)
		}
		if x, ok := Headline(sv, p.Row.UnitResults); ok {
			head.Cells = append(head.Cells, num(lang, x, decimals(sv)))
			// The chart's scale: 0–100 for HME, 1–5 for a values pulse, the question's own for the rest.
			lo, hi := 0.0, 100.0
			if sv.Kind != KindHME {
				lo, hi = 1, 5
				for _, q := range sv.Questions {
					if q.Type == Scale10 && sv.Kind != KindValuesPulse {
						lo, hi = 0, 10
					}
					if q.Type == Likert5 || q.Type == Scale10 {
						break
					}
				}
			}
			y := 180 - int(math.Round((x-lo)/(hi-lo)*160))
			points = append(points, strconv.Itoa(40+i*step)+","+strconv.Itoa(y))
			d.Dots = append(d.Dots, dot{X: 40 + i*step, Y: y, Label: num(lang, x, decimals(sv))})
		} else {
			head.Cells = append(head.Cells, hidden)
		}
		for j, f := range []*HMEFigure{hmeFig(p.Row, 0), hmeFig(p.Row, 1), hmeFig(p.Row, 2)} {
			if f != nil && f.N > 0 {
				hme[j].Cells = append(hme[j].Cells, strconv.Itoa(f.Value))
			} else {
				hme[j].Cells = append(hme[j].Cells, hidden)
			}
		}
		j := 0
		for qi, q := range sv.Questions {
			if q.Type != Likert5 && q.Type != Scale10 {
				continue
			}
			if qi < len(p.Row.Questions) && p.Row.Questions[qi].N > 0 {
				questions[j].Cells = append(questions[j].Cells, num(lang, p.Row.Questions[qi].Mean, 1))
			} else {
				questions[j].Cells = append(questions[j].Cells, hidden)
			}
			j++
		}
	}
	d.Points = strings.Join(points, " ")
	d.Rows = append(d.Rows, n, rate)
	if d.Headline != "" {
		d.Rows = append(d.Rows, head)
	}
	if sv.Kind == KindHME {
		d.Rows = append(d.Rows, hme[:]...)
	}
	d.Rows = append(d.Rows, questions...)
	return h.rd.Page(w, r, h.pages["results_trend.html"], d)
}

func hmeFig(u UnitRow, i int) *HMEFigure {
	if u.HME == nil {
		return nil
	}
	return &[]HMEFigure{u.HME.Motivation, u.HME.Ledarskap, u.HME.Styrning}[i]
}

// --- publishing a citizen survey's results

type publishPage struct {
	Title     string
	RoundName string
	RoundID   int64
	Published bool
	Public    string
}

func (h *Handlers) publishable(r *http.Request) (*roundMeta, error) {
	id, err := web.ID(r, "id")
	if err != nil {
		return nil, err
	}
	info, err := h.svc.roundMeta(r.Context(), web.ViewerFrom(r.Context()).TenantID, id)
	if err != nil {
		return nil, missing(err)
	}
	if info.Survey.Kind != KindCitizen {
		return nil, web.NotFound()
	}
	return info, nil
}

func (h *Handlers) confirmPublish(w http.ResponseWriter, r *http.Request) error {
	info, err := h.publishable(r)
	if err != nil {
		return err
	}
	v := web.ViewerFrom(r.Context())
	return h.rd.Page(w, r, h.pages["results_publish.html"], publishPage{Title: info.Survey.Title, RoundName: info.Name, RoundID: info.Round.ID,
		Published: info.Published, Public: "/k/" + v.TenantSlug + "/enkater/" + strconv.FormatInt(info.Survey.ID, 10) + "/resultat"})
}

func (h *Handlers) publish(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	info, err := h.publishable(r)
	if err != nil {
		return err
	}
	var on bool
	switch r.PostForm.Get("action") {
	case "publicera":
		on = true
	case "avpublicera":
	default:
		return web.BadRequest(msgBadAction)
	}
	if err := h.svc.SetPublished(r.Context(), info.Round.TenantID, info.Round.ID, on); err != nil {
		return missing(err)
	}
	msg := msgUnpublished
	if on {
		msg = msgPublished
	}
	return web.Redirect(w, r, "/enkater/omgangar/"+strconv.FormatInt(info.Round.ID, 10)+"/resultat", msg)
}

// --- the public page

type publicPage struct {
	Pending   bool
	ClosesOn  string
	Kommun    string
	Slug      string
	Title     string
	RoundName string
	Period    string
	K         int
	Total     unitLine
	Units     []unitLine
	Detail    detail
	Rounds    []roundLine
	Headline  string
	RoundID   int64
	SurveyID  int64
}

func (h *Handlers) publicResults(w http.ResponseWriter, r *http.Request) error {
	t, err := h.org.Store.TenantBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		return missing(err)
	}
	id, err := web.ID(r, "id")
	if err != nil {
		return err
	}
	var roundID int64
	if s := r.URL.Query().Get("omgang"); s != "" {
		if roundID, err = strconv.ParseInt(s, 10, 64); err != nil || roundID < 1 {
			return web.NotFound()
		}
	}
	tree, err := h.org.Tree(r.Context(), t.ID)
	if err != nil {
		return err
	}
	pub, err := h.svc.Public(r.Context(), t.ID, id, roundID, tree)
	if err != nil {
		return missing(err)
	}
	lang := web.Lang(r)
	v := pub.View
	vr := &viewRequest{view: v, group: "k"}
	d := publicPage{Kommun: t.Name, Slug: t.Slug, Title: pub.Survey.Title, RoundName: v.RoundName, K: v.K, Headline: HeadlineName(pub.Survey),
		Pending: v.Pending, ClosesOn: closesOn(v.Round.ClosesAt),
		Period: period(RoundSummary{OpensAt: v.Round.OpensAt, ClosesAt: v.Round.ClosesAt}), RoundID: v.Round.ID, SurveyID: pub.Survey.ID}
	if v.Pending {
		d.Headline = ""
	}
	d.Total = h.unitLine(lang, vr, v.Kommun)
	for _, u := range v.Units {
		if u.Visible {
			line := h.unitLine(lang, vr, u)
			line.Link = ""
			d.Units = append(d.Units, line)
		}
	}
	d.Detail = h.detail(r.Context(), lang, v, v.Kommun)
	for _, rs := range pub.Rounds {
		d.Rounds = append(d.Rounds, roundLine{RoundSummary: rs, Period: period(rs)})
	}
	return h.rd.Page(w, r, h.pages["public_results.html"], d)
}
