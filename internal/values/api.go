package values

import (
	_ "embed"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/web"
)

// API is the värdegrund's part of the JSON API under /api/v1: the kommun's adopted värdegrund and its
// history, for the intranet and for reports. Drafts are the kommunadmin's work in progress and stay in
// the pages.
type API struct{ svc *Service }

// NewAPI returns the API.
func NewAPI(svc *Service) *API { return &API{svc: svc} }

//go:embed openapi.json
var openAPIFragment []byte

// OpenAPI returns the area's fragment of the OpenAPI document, for web.NewOpenAPI.
func OpenAPI() []byte { return slices.Clone(openAPIFragment) }

// Routes registers the API routes. Every route needs a kommun's API token (or a kommunadmin's session)
// and sees only that kommun.
func (a *API) Routes(rt *web.Router) {
	rt.Handle("GET /api/v1/values", web.Token, a.current)
	rt.Handle("GET /api/v1/values/versions", web.Token, a.versions)
	rt.Handle("GET /api/v1/values/versions/{id}", web.Token, a.version)
}

var (
	errAPINoValues  = &web.Error{Status: http.StatusNotFound, Message: "Kommunen har ännu ingen antagen värdegrund."}
	errAPINoVersion = &web.Error{Status: http.StatusNotFound, Message: "Versionen finns inte."}
)

// apiVersion is a version of the värdegrund as the API shows it.
type apiVersion struct {
	ID           int64        `json:"id"`
	Number       int          `json:"number"`
	Status       Status       `json:"status"`
	Vision       string       `json:"vision"`
	Words        []apiWord    `json:"words"`
	HostshipCode string       `json:"hostship_code"`
	Promises     []apiPromise `json:"promises"`
	Adoption     apiAdoption  `json:"adoption"`
	ReplacedAt   *string      `json:"replaced_at"`
	UpdatedAt    string       `json:"updated_at"`
}

type apiWord struct {
	Key        string   `json:"key"`
	Name       string   `json:"name"`
	Meaning    string   `json:"meaning"`
	Behaviours []string `json:"behaviours"`
}

type apiPromise struct {
	Key    string     `json:"key"`
	Text   string     `json:"text"`
	Target *apiTarget `json:"target"`
}

type apiTarget struct {
	Value   float64 `json:"value"`
	Unit    Unit    `json:"unit"`
	Measure string  `json:"measure"`
}

type apiAdoption struct {
	Date               string `json:"date"`
	Body               string `json:"body"`
	RegistrationNumber string `json:"registration_number"`
}

func toAPIVersion(v *Version) apiVersion {
	out := apiVersion{ID: v.ID, Number: v.Number, Status: v.Status, Vision: v.Vision, HostshipCode: v.Code,
		Words: []apiWord{}, Promises: []apiPromise{}, UpdatedAt: apiTime(v.UpdatedAt),
		Adoption: apiAdoption{Date: v.Adoption.Date, Body: v.Adoption.Body, RegistrationNumber: v.Adoption.RegistrationNumber}}
	for _, w := range v.Words {
		b := w.Behaviours
		if b == nil {
			b = []string{}
		}
		out.Words = append(out.Words, apiWord{Key: w.Key, Name: w.Name, Meaning: w.Meaning, Behaviours: b})
	}
	for _, p := range v.Promises {
		ap := apiPromise{Key: p.Key, Text: p.Text}
		if p.Target != nil {
			ap.Target = &apiTarget{Value: p.Target.Value, Unit: p.Target.Unit, Measure: p.Target.Measure}
		}
		out.Promises = append(out.Promises, ap)
	}
	if v.ReplacedAt != nil {
		s := apiTime(*v.ReplacedAt)
		out.ReplacedAt = &s
	}
	return out
}

func apiTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// apiPage is the envelope of a list, as every list of the API has it.
type apiPage struct {
	Data  []apiVersion `json:"data"`
	Next  *string      `json:"next"`
	Total int          `json:"total"`
}

func (a *API) current(w http.ResponseWriter, r *http.Request) error {
	v, err := a.svc.Current(r.Context(), web.ViewerFrom(r.Context()).TenantID)
	if errors.Is(err, db.ErrNotFound) {
		return errAPINoValues
	}
	if err != nil {
		return err
	}
	return web.WriteJSON(w, http.StatusOK, toAPIVersion(v))
}

// versions lists the adopted and replaced versions, newest first, with their content: a kommun has a
// handful, so the list is one page.
func (a *API) versions(w http.ResponseWriter, r *http.Request) error {
	// A misspelt filter must not be silently ignored, as in the rest of the API; this list has none.
	q, err := web.ReadQuery(r)
	if err != nil {
		return err
	}
	if err := q.Err(); err != nil {
		return err
	}
	tenantID := web.ViewerFrom(r.Context()).TenantID
	list, err := a.svc.Versions(r.Context(), tenantID)
	if err != nil {
		return err
	}
	out := apiPage{Data: []apiVersion{}}
	for _, head := range list {
		if head.Status == StatusDraft {
			continue
		}
		v, err := a.svc.Version(r.Context(), tenantID, head.ID)
		if err != nil {
			return err
		}
		out.Data = append(out.Data, toAPIVersion(v))
	}
	out.Total = len(out.Data)
	return web.WriteJSON(w, http.StatusOK, out)
}

func (a *API) version(w http.ResponseWriter, r *http.Request) error {
	id, err := web.ID(r, "id")
	if err != nil {
		return errAPINoVersion
	}
	v, err := a.svc.Version(r.Context(), web.ViewerFrom(r.Context()).TenantID, id)
	if errors.Is(err, db.ErrNotFound) || (err == nil && v.Status == StatusDraft) {
		return errAPINoVersion
	}
	if err != nil {
		return err
	}
	return web.WriteJSON(w, http.StatusOK, toAPIVersion(v))
}
