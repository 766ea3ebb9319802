package surveys

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/web"
)

// API is the surveys' part of the JSON API under /api/v1: the kommun's surveys with their questions and
// rounds, and a round's results with the same suppression as the results pages — a hidden group is listed
// with visible false and no figures. It only reads, and never gives free text or anything per response.
type API struct {
	svc *Service
	org *org.Service
}

// NewAPI returns the surveys API.
func NewAPI(svc *Service, orgSvc *org.Service) *API { return &API{svc: svc, org: orgSvc} }

//go:embed openapi.json
var openAPIFragment []byte

// OpenAPI returns the surveys' fragment of the OpenAPI document, for web.NewOpenAPI.
func OpenAPI() []byte { return slices.Clone(openAPIFragment) }

// Routes registers the API routes; each needs a kommun's API token (or a kommunadmin's session).
func (a *API) Routes(rt *web.Router) {
	rt.Handle("GET /api/v1/surveys", web.Token, a.list)
	rt.Handle("GET /api/v1/surveys/{id}", web.Token, a.get)
	rt.Handle("GET /api/v1/rounds/{id}/results", web.Token, a.results)
}

var (
	errAPISurvey = &web.Error{Status: http.StatusNotFound, Message: "Enkäten finns inte."}
	errAPIRound  = &web.Error{Status: http.StatusNotFound, Message: "Omgången finns inte."}
)

type apiSurvey struct {
	ID        int64          `json:"id"`
	Title     string         `json:"title"`
	Kind      Kind           `json:"kind"`
	Named     bool           `json:"named"`
	K         int            `json:"k"`
	CreatedAt string         `json:"created_at"`
	Questions []apiQuestion  `json:"questions,omitempty"`
	Rounds    []apiRoundInfo `json:"rounds,omitempty"`
}

type apiQuestion struct {
	ID       int64        `json:"id"`
	Position int          `json:"position"`
	Type     QuestionType `json:"type"`
	Text     string       `json:"text"`
	Options  []string     `json:"options"`
	Required bool         `json:"required"`
	WordKey  *string      `json:"value_word"`
}

type apiRoundInfo struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	OpensAt   string `json:"opens_at"`
	ClosesAt  string `json:"closes_at"`
	OpenLink  bool   `json:"open_link"`
	Published bool   `json:"published"`
}

type apiSurveyPage struct {
	Data  []apiSurvey `json:"data"`
	Next  *string     `json:"next"`
	Total int         `json:"total"`
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// surveys lists a kommun's surveys, newest first.
func (s *Service) surveys(ctx context.Context, tenantID int64, limit, offset int) ([]apiSurvey, int, error) {
	var total int
	if err := s.Store.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM surveys WHERE tenant_id = $1`, tenantID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("surveys: %w", err)
	}
	rows, err := s.Store.DB.Read().QueryContext(ctx, `SELECT id, title, kind, named, k, created_at FROM surveys
		WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`, tenantID, limit, offset)
	list, err := db.Collect(rows, err, func(r db.Row) (apiSurvey, error) {
		var a apiSurvey
		var kind string
		var created time.Time
		err := r.Scan(&a.ID, &a.Title, &kind, &a.Named, &a.K, &created)
		a.Kind, a.CreatedAt = Kind(kind), stamp(created)
		return a, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("surveys: %w", err)
	}
	return list, total, nil
}

func (a *API) list(w http.ResponseWriter, r *http.Request) error {
	q, err := web.ReadQuery(r, "limit", "offset")
	if err != nil {
		return err
	}
	limit, offset := q.Int("limit", 1, 200, 50), q.Offset()
	if err := q.Err(); err != nil {
		return err
	}
	list, total, err := a.svc.surveys(r.Context(), web.ViewerFrom(r.Context()).TenantID, limit, offset)
	if err != nil {
		return err
	}
	out := apiSurveyPage{Data: list, Total: total}
	if out.Data == nil {
		out.Data = []apiSurvey{}
	}
	if offset+limit < total {
		next := web.NextLink(r.URL, "offset", strconv.Itoa(offset+limit), "")
		out.Next = &next
	}
	return web.WriteJSON(w, http.StatusOK, out)
}

func (a *API) get(w http.ResponseWriter, r *http.Request) error {
	id, err := web.ID(r, "id")
	if err != nil {
		return errAPISurvey
	}
	ctx := r.Context()
	tenant := web.ViewerFrom(ctx).TenantID
	sv, err := a.svc.Store.Survey(ctx, tenant, id)
	if err != nil {
		if errors.Is(err, db.ErrNotFound) {
			return errAPISurvey
		}
		return err
	}
	out := apiSurvey{ID: sv.ID, Title: sv.Title, Kind: sv.Kind, Named: sv.Named, K: NormalizeK(sv.K), CreatedAt: stamp(sv.CreatedAt),
		Questions: []apiQuestion{}, Rounds: []apiRoundInfo{}}
	for _, q := range sv.Questions {
		aq := apiQuestion{ID: q.ID, Position: q.Position, Type: q.Type, Text: q.Text, Options: q.Options, Required: q.Required}
		if aq.Options == nil {
			aq.Options = []string{}
		}
		if q.WordKey != "" {
			aq.WordKey = &q.WordKey
		}
		out.Questions = append(out.Questions, aq)
	}
	rows, err := a.svc.Store.DB.Read().QueryContext(ctx, `SELECT id, name, opens_at, closes_at, target, published FROM survey_rounds
		WHERE tenant_id = $1 AND survey_id = $2 ORDER BY opens_at, id`, tenant, sv.ID)
	rounds, err := db.Collect(rows, err, func(row db.Row) (apiRoundInfo, error) {
		var ri apiRoundInfo
		var opens, closes time.Time
		var target string
		err := row.Scan(&ri.ID, &ri.Name, &opens, &closes, &target, &ri.Published)
		ri.OpensAt, ri.ClosesAt, ri.OpenLink = stamp(opens), stamp(closes), target == "link"
		return ri, err
	})
	if err != nil {
		return fmt.Errorf("rounds: %w", err)
	}
	out.Rounds = append(out.Rounds, rounds...)
	return web.WriteJSON(w, http.StatusOK, out)
}

type apiResults struct {
	RoundID  int64  `json:"round_id"`
	SurveyID int64  `json:"survey_id"`
	K        int    `json:"k"`
	ClosesAt string `json:"closes_at"`
	// Pending is true while a round with personal links is open: every group then carries n (and
	// invited) only, with no questions, HME or value words.
	Pending bool       `json:"pending"`
	Filter  *apiFilter `json:"filter"`
	Kommun  apiGroup   `json:"kommun"`
	Units   []apiGroup `json:"units"`
}

type apiFilter struct {
	QuestionID int64 `json:"question_id"`
	Option     int   `json:"option"`
}

// apiGroup is a group's figures; a hidden group has Visible false and nothing else but its name.
type apiGroup struct {
	UnitID    *int64        `json:"unit_id"`
	Name      string        `json:"name"`
	Depth     int           `json:"depth"`
	Visible   bool          `json:"visible"`
	Invited   *int          `json:"invited,omitempty"`
	N         *int          `json:"n,omitempty"`
	Questions []apiQResults `json:"questions,omitempty"`
	HME       *apiHME       `json:"hme,omitempty"`
	Words     []apiWord     `json:"value_words,omitempty"`
}

type apiQResults struct {
	QuestionID int64    `json:"question_id"`
	N          int      `json:"n"`
	Counts     []int    `json:"counts"`
	Mean       *float64 `json:"mean"`
}

type apiHMEFigure struct {
	Value int `json:"value"`
	N     int `json:"n"`
}

type apiHME struct {
	Total      *apiHMEFigure `json:"total"`
	Motivation *apiHMEFigure `json:"motivation"`
	Ledarskap  *apiHMEFigure `json:"ledarskap"`
	Styrning   *apiHMEFigure `json:"styrning"`
}

type apiWord struct {
	Key  string  `json:"key"`
	N    int     `json:"n"`
	Mean float64 `json:"mean"`
}

func hmeFigure(f HMEFigure) *apiHMEFigure {
	if f.N == 0 {
		return nil
	}
	return &apiHMEFigure{Value: f.Value, N: f.N}
}

func toAPIGroup(v *View, u UnitRow) apiGroup {
	g := apiGroup{Name: u.Name, Depth: u.Depth, Visible: u.Visible}
	switch u.GroupID {
	case "k":
		g.Name = "Hela kommunen"
	case "u0":
		g.Name = "Utan enhet"
	default:
		id := u.UnitID
		g.UnitID = &id
	}
	if !v.Round.OpenLink && v.Filter == nil {
		inv := u.Invited
		g.Invited = &inv
	}
	if !u.Visible {
		return g
	}
	n := u.N
	g.N = &n
	if v.Pending {
		return g
	}
	g.Questions = []apiQResults{}
	for i, qr := range u.Questions {
		q := v.Survey.Questions[i]
		aq := apiQResults{QuestionID: qr.QuestionID, N: qr.N, Counts: qr.Counts}
		if q.Type == Likert5 {
			aq.Counts = qr.Counts[1:] // values 1–5
		}
		if (q.Type == Likert5 || q.Type == Scale10) && qr.N > 0 {
			m := qr.Mean
			aq.Mean = &m
		}
		g.Questions = append(g.Questions, aq)
	}
	if u.HME != nil {
		g.HME = &apiHME{Total: hmeFigure(u.HME.Total), Motivation: hmeFigure(u.HME.Motivation), Ledarskap: hmeFigure(u.HME.Ledarskap), Styrning: hmeFigure(u.HME.Styrning)}
	}
	for _, w := range Words(v.Survey, u.UnitResults) {
		g.Words = append(g.Words, apiWord{Key: w.Key, N: w.N, Mean: w.Mean})
	}
	return g
}

func (a *API) results(w http.ResponseWriter, r *http.Request) error {
	id, err := web.ID(r, "id")
	if err != nil {
		return errAPIRound
	}
	q, err := web.ReadQuery(r, "question_id", "option")
	if err != nil {
		return err
	}
	qid, opt := q.ID("question_id"), q.Int("option", 0, 1000, -1)
	if (qid == 0) != (opt < 0) && q.Err() == nil {
		q.Fail("option", "Ange både question_id och option, eller ingen av dem.")
	}
	if err := q.Err(); err != nil {
		return err
	}
	ctx := r.Context()
	tenant := web.ViewerFrom(ctx).TenantID
	info, err := a.svc.roundMeta(ctx, tenant, id)
	if errors.Is(err, db.ErrNotFound) {
		return errAPIRound
	}
	if err != nil {
		return err
	}
	var f *Filter
	if qid != 0 {
		f = &Filter{QuestionID: qid, Option: opt}
		if _, _, err := filterIndex(info.Survey, *f); err != nil {
			return &web.Error{Status: http.StatusBadRequest, Message: "Ogiltiga parametrar i frågesträngen.",
				Fields: map[string]string{"question_id": ErrBadFilter.Message}}
		}
	}
	tree, err := a.org.Tree(ctx, tenant)
	if err != nil {
		return err
	}
	v, err := a.svc.view(ctx, info, ViewInput{Tree: tree, Scope: org.Scope{All: true}, Filter: f})
	if err != nil {
		return err
	}
	out := apiResults{RoundID: v.Round.ID, SurveyID: v.Survey.ID, K: v.K, ClosesAt: stamp(v.Round.ClosesAt), Pending: v.Pending,
		Kommun: toAPIGroup(v, v.Kommun), Units: []apiGroup{}}
	if f != nil {
		out.Filter = &apiFilter{QuestionID: f.QuestionID, Option: f.Option}
	}
	for _, u := range v.Units {
		out.Units = append(out.Units, toAPIGroup(v, u))
	}
	return web.WriteJSON(w, http.StatusOK, out)
}
