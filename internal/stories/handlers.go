package stories

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/values"
	"github.com/vard-kommun/vard/internal/web"
)

//go:embed templates
var templates embed.FS

// Handlers is the stories' web pages: the internal feed, submitting and editing, moderation, consent,
// the kommun's public page with its Atom feed and embeddable snippet, and the images.
type Handlers struct {
	svc     *Service
	org     *org.Service
	words   WordSource
	rd      *web.Renderer
	baseURL string
	pages   map[string]*template.Template
}

// NewHandlers parses the templates and registers the English catalogue. baseURL makes the Atom feeds'
// links absolute.
func NewHandlers(svc *Service, orgSvc *org.Service, words WordSource, rd *web.Renderer, baseURL string) *Handlers {
	rd.Catalog.Add(english)
	return &Handlers{svc: svc, org: orgSvc, words: words, rd: rd, baseURL: strings.TrimRight(baseURL, "/"),
		pages: rd.MustPages(templates, "templates/*.html", templateFuncs)}
}

// templateFuncs are the stories pages' own template functions.
var templateFuncs = template.FuncMap{
	"paragraphs": paragraphs,
	// card pairs the page's view with a story, so the story partial can translate.
	"card": func(v web.View, s storyView) storyCard { return storyCard{V: v, S: s} },
	"input": func(v web.View, name, label, hint string, value any, required bool) textInput {
		return textInput{V: v, Name: name, Label: label, Hint: hint, Value: value, Required: required, Error: v.Errors[name]}
	},
	"has": func(list []string, s string) bool { return slices.Contains(list, s) },
}

// paragraphs splits plain text into paragraphs at blank lines and each paragraph into lines, so that a
// template can show the line breaks with every line escaped.
func paragraphs(text string) [][]string {
	var out [][]string
	for _, p := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if p = strings.Trim(p, "\n"); strings.TrimSpace(p) != "" {
			out = append(out, strings.Split(p, "\n"))
		}
	}
	return out
}

type storyCard struct {
	V web.View
	S storyView
}

type textInput struct {
	V                 web.View
	Name, Label, Hint string
	Value             any
	Required          bool
	Error             string
}

// Routes registers the routes.
func (h *Handlers) Routes(rt *web.Router) {
	rt.Handle("GET /berattelser", web.SignedIn, h.feed)
	rt.Handle("GET /berattelser/ny", web.SignedIn, h.newStory)
	rt.Handle("POST /berattelser", web.SignedIn, h.create)
	rt.Handle("GET /berattelser/mina", web.SignedIn, h.mine)
	rt.Handle("GET /berattelser/granska", web.Communicator, h.queue)
	rt.Handle("GET /berattelser/samtycke", web.SignedIn, h.consents)
	rt.Handle("GET /berattelser/flode", web.SignedIn, h.feedToken)
	rt.Handle("POST /berattelser/flode", web.SignedIn, h.newFeedToken)
	// The personal feed's address holds its token; a feed reader has no session.
	rt.Handle("GET /berattelser/flode/{token}/berattelser.atom", web.Public, h.personalAtom)
	rt.Handle("GET /berattelser/{id}", web.SignedIn, h.story)
	rt.Handle("GET /berattelser/{id}/bild", web.SignedIn, h.image)
	rt.Handle("GET /berattelser/{id}/redigera", web.SignedIn, h.editStory)
	rt.Handle("POST /berattelser/{id}/redigera", web.SignedIn, h.update)
	rt.Handle("GET /berattelser/{id}/dra-tillbaka", web.SignedIn, h.withdrawForm)
	rt.Handle("POST /berattelser/{id}/dra-tillbaka", web.SignedIn, h.withdraw)
	rt.Handle("POST /berattelser/{id}/samtycke", web.SignedIn, h.answerConsent)
	rt.Handle("POST /berattelser/{id}/godkann", web.Communicator, h.approve)
	rt.Handle("POST /berattelser/{id}/avvisa", web.Communicator, h.reject)
	rt.Handle("POST /berattelser/{id}/begar-andring", web.Communicator, h.requestChange)
	rt.Handle("GET /installningar/berattelser", web.Admin, h.settings)
	rt.Handle("POST /installningar/berattelser", web.Admin, h.saveSettings)
	rt.Handle("GET /k/{slug}/berattelser", web.Public, h.publicPage)
	rt.Handle("GET /k/{slug}/berattelser.atom", web.Public, h.publicAtom)
	rt.Handle("GET /k/{slug}/berattelser/inbaddning", web.Public, h.embed)
	rt.Handle("GET /k/{slug}/berattelser/{id}", web.Public, h.publicStory)
	rt.Handle("GET /k/{slug}/berattelser/{id}/bild", web.Public, h.publicImage)
}

func viewer(r *http.Request) *web.Viewer { return web.ViewerFrom(r.Context()) }

// wordList returns the kommun's current värdeord, for showing the names of a story's tags.
func (h *Handlers) wordList(ctx context.Context, tenantID int64) ([]values.Word, error) {
	if h.words == nil {
		return nil, nil
	}
	return h.words.Words(ctx, tenantID)
}

// notFound turns a store's not-found into the not-found page.
func notFound(err error) error {
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound()
	}
	return err
}

// fieldErrors returns err as a validation error, or nil when it is none.
func fieldErrors(err error) *web.Error {
	var e *web.Error
	if errors.As(err, &e) && (e.Status == http.StatusUnprocessableEntity || e.Status == http.StatusBadRequest) {
		return e
	}
	return nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// param cleans a filter from a page's address for use as a search: valid UTF-8 (PostgreSQL refuses
// anything else), no control characters, at most 200 characters.
func param(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200])
	}
	return strings.TrimSpace(s)
}

// --- showing stories

// storyView is a story as a page shows it: with the names of its unit, förvaltning and värdeord.
type storyView struct {
	*Story
	UnitName   string
	Department string
	Tags       []values.Word
	URL        string
	ImageURL   string
}

// views prepares stories for a page with one look at the tree and the värdeord. A non-empty slug gives
// the addresses of the kommun's public page.
func (h *Handlers) views(ctx context.Context, tenantID int64, list []*Story, slug string) ([]storyView, error) {
	t, err := h.org.Tree(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	words, err := h.wordList(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	out := make([]storyView, len(list))
	for i, st := range list {
		v := storyView{Story: st, URL: "/berattelser/" + itoa(st.ID)}
		if u, ok := t.ByID[st.UnitID]; ok {
			v.UnitName = u.Name
			if d := t.Department(u.ID); d != nil && d.ID != u.ID {
				v.Department = d.Name
			}
		}
		for _, w := range words {
			if slices.Contains(st.Words, w.Key) {
				v.Tags = append(v.Tags, w)
			}
		}
		if slug != "" {
			v.URL = "/k/" + slug + "/berattelser/" + itoa(st.ID)
		}
		if st.Image.Present() {
			v.ImageURL = imagePath(st, slug) + "?v=" + st.Image.Version()
		}
		out[i] = v
	}
	return out, nil
}

// imagePath is the address of a story's image: on the public page's side for a public one.
func imagePath(st *Story, slug string) string {
	if slug != "" {
		return "/k/" + slug + "/berattelser/" + itoa(st.ID) + "/bild"
	}
	return "/berattelser/" + itoa(st.ID) + "/bild"
}

type feedData struct {
	Stories         []storyView
	Pager           web.Pager
	Query, Word     string
	Department      int64
	Kind            Kind
	Words           []values.Word
	Departments     []*org.Unit
	Kinds           []Kind
	ConsentRequests int
	CanModerate     bool
}

func (h *Handlers) feed(w http.ResponseWriter, r *http.Request) error {
	ctx, v, q := r.Context(), viewer(r), r.URL.Query()
	d := feedData{Query: param(q.Get("q")), Word: param(q.Get("ord")), Kind: Kind(q.Get("typ")), Kinds: Kinds,
		Pager: web.NewPager(r, 10), CanModerate: CanModerate(v)}
	if !d.Kind.Valid() {
		d.Kind = ""
	}
	d.Department, _ = strconv.ParseInt(q.Get("forvaltning"), 10, 64)
	t, err := h.org.Tree(ctx, v.TenantID)
	if err != nil {
		return err
	}
	for _, u := range t.Roots {
		if u.Kind == org.KindDepartment && !u.Closed() {
			d.Departments = append(d.Departments, u)
		}
	}
	f := Filter{TenantID: v.TenantID, Published: true, Word: d.Word, Kind: d.Kind, Query: d.Query, Limit: d.Pager.PerPage, Offset: d.Pager.Offset()}
	if d.Department != 0 {
		// An unknown förvaltning has no units, and an empty list finds nothing.
		f.UnitIDs = append([]int64{}, t.Descendants(d.Department)...)
	}
	list, total, err := h.svc.Store.List(ctx, f)
	if err != nil {
		return err
	}
	d.Pager.Total = total
	if d.Stories, err = h.views(ctx, v.TenantID, list, ""); err != nil {
		return err
	}
	if d.Words, err = h.wordList(ctx, v.TenantID); err != nil {
		return err
	}
	if d.ConsentRequests, err = h.svc.Store.CountConsentRequests(ctx, v.TenantID, v.PersonID); err != nil {
		return err
	}
	return h.rd.Page(w, r, h.pages["feed.html"], d)
}

type storyData struct {
	S           storyView
	AuthorName  string
	IsAuthor    bool
	IsSubject   bool
	CanModerate bool
	Reason      string
	Note        string
}

// visibleStory loads the story in the URL if the viewer may see it; anything else is not found, so
// nobody learns which ids exist.
func (h *Handlers) visibleStory(r *http.Request) (*Story, error) {
	id, err := web.ID(r, "id")
	if err != nil {
		return nil, err
	}
	v := viewer(r)
	st, err := h.svc.Store.Story(r.Context(), v.TenantID, id)
	if err != nil {
		return nil, notFound(err)
	}
	if !CanSee(v, st) {
		return nil, web.NotFound()
	}
	return st, nil
}

func (h *Handlers) story(w http.ResponseWriter, r *http.Request) error {
	st, err := h.visibleStory(r)
	if err != nil {
		return err
	}
	return h.renderStory(w, r, st, http.StatusOK, web.View{}, "", "")
}

func (h *Handlers) renderStory(w http.ResponseWriter, r *http.Request, st *Story, status int, view web.View, reason, note string) error {
	v := viewer(r)
	views, err := h.views(r.Context(), v.TenantID, []*Story{st}, "")
	if err != nil {
		return err
	}
	d := storyData{S: views[0], IsAuthor: st.AuthorID == v.PersonID, IsSubject: st.SubjectID == v.PersonID,
		CanModerate: CanModerate(v) && st.Status != StatusWithdrawn, Reason: reason, Note: note}
	if d.CanModerate {
		// Moderators see who wrote an anonymous story too: they may need to ask.
		if p, err := h.org.Store.Person(r.Context(), v.TenantID, st.AuthorID); err == nil {
			d.AuthorName = p.Name()
		}
	}
	view.Data = d
	return h.rd.PageStatus(w, r, h.pages["story.html"], status, view)
}

type listData struct {
	Stories []storyView
	Pager   web.Pager
	// Waiting lists approved stories that wait for a colleague's consent (moderation queue).
	Waiting []storyView
}

func (h *Handlers) mine(w http.ResponseWriter, r *http.Request) error {
	ctx, v := r.Context(), viewer(r)
	d := listData{Pager: web.NewPager(r, 20)}
	list, total, err := h.svc.Store.List(ctx, Filter{TenantID: v.TenantID, AuthorID: v.PersonID, Limit: d.Pager.PerPage, Offset: d.Pager.Offset()})
	if err != nil {
		return err
	}
	d.Pager.Total = total
	if d.Stories, err = h.views(ctx, v.TenantID, list, ""); err != nil {
		return err
	}
	return h.rd.Page(w, r, h.pages["mine.html"], d)
}

func (h *Handlers) queue(w http.ResponseWriter, r *http.Request) error {
	ctx, v := r.Context(), viewer(r)
	d := listData{Pager: web.NewPager(r, 20)}
	list, total, err := h.svc.Store.List(ctx, Filter{TenantID: v.TenantID, Statuses: []Status{StatusPending}, Oldest: true,
		Limit: d.Pager.PerPage, Offset: d.Pager.Offset()})
	if err != nil {
		return err
	}
	d.Pager.Total = total
	if d.Stories, err = h.views(ctx, v.TenantID, list, ""); err != nil {
		return err
	}
	waiting, _, err := h.svc.Store.List(ctx, Filter{TenantID: v.TenantID, Statuses: []Status{StatusApproved}, Consent: ConsentPending, Oldest: true, Limit: 50})
	if err != nil {
		return err
	}
	if d.Waiting, err = h.views(ctx, v.TenantID, waiting, ""); err != nil {
		return err
	}
	return h.rd.Page(w, r, h.pages["queue.html"], d)
}
