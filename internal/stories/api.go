package stories

import (
	_ "embed"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/web"
)

// API is the stories' part of the JSON API under /api/v1: the kommun's published stories, for an
// intranet or a BI tool. It only reads; stories are submitted and moderated in the web pages.
type API struct{ svc *Service }

// NewAPI returns the stories API.
func NewAPI(svc *Service) *API { return &API{svc: svc} }

//go:embed openapi.json
var openAPIFragment []byte

// OpenAPI returns the stories' fragment of the OpenAPI document, for web.NewOpenAPI.
func OpenAPI() []byte { return slices.Clone(openAPIFragment) }

// Routes registers the API routes. Every route needs a kommun's API token (or a kommunadmin's session)
// and sees only that kommun's published stories.
func (a *API) Routes(rt *web.Router) {
	rt.Handle("GET /api/v1/stories", web.Token, a.list)
	rt.Handle("GET /api/v1/stories/{id}", web.Token, a.get)
	rt.Handle("GET /api/v1/stories/{id}/image", web.Token, a.image)
}

const (
	apiDefaultLimit = 50
	apiMaxLimit     = 200
)

type apiWord struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

type apiImage struct {
	URL       string  `json:"url"`
	PublicURL *string `json:"public_url"`
	Type      string  `json:"type"`
	Alt       string  `json:"alt"`
	Width     int     `json:"width"`
	Height    int     `json:"height"`
}

type apiStory struct {
	ID           int64     `json:"id"`
	Kind         Kind      `json:"kind"`
	Title        string    `json:"title"`
	Text         string    `json:"text"`
	Words        []apiWord `json:"words"`
	UnitID       *int64    `json:"unit_id"`
	UnitName     string    `json:"unit_name"`
	DepartmentID *int64    `json:"department_id"`
	Byline       *string   `json:"byline"`
	Public       bool      `json:"public"`
	Image        *apiImage `json:"image"`
	PublishedAt  string    `json:"published_at"`
	UpdatedAt    string    `json:"updated_at"`
}

type apiPage struct {
	Data  []apiStory `json:"data"`
	Next  *string    `json:"next"`
	Total int        `json:"total"`
}

var errAPINotFound = &web.Error{Status: http.StatusNotFound, Message: "Berättelsen finns inte."}

// toAPI turns stories into their JSON form with one look at the tree and the värdeord.
func (a *API) toAPI(r *http.Request, list []*Story) ([]apiStory, error) {
	v := web.ViewerFrom(r.Context())
	t, err := a.svc.Org.Tree(r.Context(), v.TenantID)
	if err != nil {
		return nil, err
	}
	words, err := a.svc.Words(r.Context(), v.TenantID)
	if err != nil {
		return nil, err
	}
	out := make([]apiStory, 0, len(list))
	for _, st := range list {
		s := apiStory{ID: st.ID, Kind: st.Kind, Title: st.Title, Text: st.Body, Words: []apiWord{}, Public: st.Public,
			PublishedAt: st.When().UTC().Format(time.RFC3339Nano), UpdatedAt: st.UpdatedAt.UTC().Format(time.RFC3339Nano)}
		for _, w := range words {
			if slices.Contains(st.Words, w.Key) {
				s.Words = append(s.Words, apiWord{Key: w.Key, Name: w.Name})
			}
		}
		if u, ok := t.ByID[st.UnitID]; ok {
			s.UnitID, s.UnitName = &u.ID, u.Name
			if d := t.Department(u.ID); d != nil {
				s.DepartmentID = &d.ID
			}
		}
		if st.Byline != "" {
			s.Byline = &st.Byline
		}
		if st.Image.Present() {
			im := &apiImage{URL: "/api/v1/stories/" + itoa(st.ID) + "/image", Type: st.Image.Type, Alt: st.Image.Alt,
				Width: st.Image.Width, Height: st.Image.Height}
			if st.Public {
				p := imagePath(st, v.TenantSlug)
				im.PublicURL = &p
			}
			s.Image = im
		}
		out = append(out, s)
	}
	return out, nil
}

func (a *API) list(w http.ResponseWriter, r *http.Request) error {
	v := web.ViewerFrom(r.Context())
	q, err := web.ReadQuery(r, "limit", "offset", "word", "department_id", "kind", "q")
	if err != nil {
		return err
	}
	f := Filter{TenantID: v.TenantID, Published: true, Limit: q.Int("limit", 1, apiMaxLimit, apiDefaultLimit), Offset: q.Offset(),
		Word: q.Get("word"), Kind: Kind(q.Get("kind")), Query: q.Get("q")}
	if f.Kind != "" && !f.Kind.Valid() {
		q.Fail("kind", "Ange example eller quote.")
	}
	if msg := checkText(f.Query, 200, false, false); msg != "" {
		q.Fail("q", msg)
	}
	if msg := checkText(f.Word, 200, false, false); msg != "" {
		q.Fail("word", msg)
	}
	department := q.ID("department_id")
	if err := q.Err(); err != nil {
		return err
	}
	if department != 0 {
		t, err := a.svc.Org.Tree(r.Context(), v.TenantID)
		if err != nil {
			return err
		}
		// An unknown förvaltning has no units, and an empty list finds nothing.
		f.UnitIDs = append([]int64{}, t.Descendants(department)...)
	}
	list, total, err := a.svc.Store.List(r.Context(), f)
	if err != nil {
		return err
	}
	out := apiPage{Total: total}
	if out.Data, err = a.toAPI(r, list); err != nil {
		return err
	}
	if f.Offset+f.Limit < total {
		next := web.NextLink(r.URL, "offset", strconv.Itoa(f.Offset+f.Limit), "")
		out.Next = &next
	}
	return web.WriteJSON(w, http.StatusOK, out)
}

// published loads a published story of the caller's kommun; anything else is not found.
func (a *API) published(r *http.Request) (*Story, error) {
	id, err := web.ID(r, "id")
	if err != nil {
		return nil, errAPINotFound
	}
	st, err := a.svc.Store.Story(r.Context(), web.ViewerFrom(r.Context()).TenantID, id)
	if err != nil || !st.Published() {
		return nil, errAPINotFound
	}
	return st, nil
}

func (a *API) get(w http.ResponseWriter, r *http.Request) error {
	st, err := a.published(r)
	if err != nil {
		return err
	}
	out, err := a.toAPI(r, []*Story{st})
	if err != nil {
		return err
	}
	return web.WriteJSON(w, http.StatusOK, out[0])
}

func (a *API) image(w http.ResponseWriter, r *http.Request) error {
	st, err := a.published(r)
	if err != nil {
		return err
	}
	f, err := a.svc.OpenImage(r.Context(), st)
	if errors.Is(err, db.ErrNotFound) {
		return errAPINotFound
	}
	if err != nil {
		return err
	}
	defer f.Close()
	return sendImage(w, r, st, f, "private, max-age=300")
}
