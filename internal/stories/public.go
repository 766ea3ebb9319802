package stories

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/values"
	"github.com/vard-kommun/vard/internal/web"
)

// feedSize is how many of the newest stories an Atom feed carries.
const feedSize = 50

func (h *Handlers) tenant(r *http.Request) (*org.Tenant, error) {
	t, err := h.org.Store.TenantBySlug(r.Context(), r.PathValue("slug"))
	return t, notFound(err)
}

type publicData struct {
	Tenant  *org.Tenant
	Stories []storyView
	Pager   web.Pager
	Words   []values.Word
	Word    string
	// More is the public page's address, for the snippet's link.
	More string
}

func (h *Handlers) publicPage(w http.ResponseWriter, r *http.Request) error {
	t, err := h.tenant(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	d := publicData{Tenant: t, Word: param(r.URL.Query().Get("ord")), Pager: web.NewPager(r, 10)}
	list, total, err := h.svc.Store.List(ctx, Filter{TenantID: t.ID, Published: true, PublicOnly: true, Word: d.Word,
		Limit: d.Pager.PerPage, Offset: d.Pager.Offset()})
	if err != nil {
		return err
	}
	d.Pager.Total = total
	if d.Stories, err = h.views(ctx, t.ID, list, t.Slug); err != nil {
		return err
	}
	if d.Words, err = h.wordList(ctx, t.ID); err != nil {
		return err
	}
	return h.rd.Page(w, r, h.pages["public.html"], d)
}

func (h *Handlers) publicStory(w http.ResponseWriter, r *http.Request) error {
	t, err := h.tenant(r)
	if err != nil {
		return err
	}
	id, err := web.ID(r, "id")
	if err != nil {
		return err
	}
	st, err := h.svc.Store.Story(r.Context(), t.ID, id)
	if err != nil {
		return notFound(err)
	}
	if !st.PublicNow() {
		return web.NotFound()
	}
	views, err := h.views(r.Context(), t.ID, []*Story{st}, t.Slug)
	if err != nil {
		return err
	}
	return h.rd.Page(w, r, h.pages["public_story.html"], publicData{Tenant: t, Stories: views})
}

func (h *Handlers) publicAtom(w http.ResponseWriter, r *http.Request) error {
	t, err := h.tenant(r)
	if err != nil {
		return err
	}
	list, _, err := h.svc.Store.List(r.Context(), Filter{TenantID: t.ID, Published: true, PublicOnly: true, Limit: feedSize})
	if err != nil {
		return err
	}
	views, err := h.views(r.Context(), t.ID, list, t.Slug)
	if err != nil {
		return err
	}
	page := "/k/" + t.Slug + "/berattelser"
	return h.writeAtom(w, atomSource{Tenant: t, ID: page, Title: "Berättelser från " + t.Name, Page: page, Self: page + ".atom", Public: true}, views)
}

func (h *Handlers) personalAtom(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	token := r.PathValue("token")
	tenantID, err := h.svc.FeedTenant(ctx, token)
	if err != nil {
		return notFound(err)
	}
	t, err := h.org.Store.Tenant(ctx, tenantID)
	if err != nil {
		return err
	}
	list, _, err := h.svc.Store.List(ctx, Filter{TenantID: t.ID, Published: true, Limit: feedSize})
	if err != nil {
		return err
	}
	views, err := h.views(ctx, t.ID, list, "")
	if err != nil {
		return err
	}
	return h.writeAtom(w, atomSource{Tenant: t, ID: "/berattelser", Title: "Berättelser i " + t.Name, Page: "/berattelser",
		Self: feedPath(token)}, views)
}

// feedPath is the address of a personal feed.
func feedPath(token string) string {
	return "/berattelser/flode/" + url.PathEscape(token) + "/berattelser.atom"
}

func (h *Handlers) embed(w http.ResponseWriter, r *http.Request) error {
	t, err := h.tenant(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	n, err := strconv.Atoi(r.URL.Query().Get("antal"))
	if err != nil || n < 1 || n > 20 {
		n = 5
	}
	list, _, err := h.svc.Store.List(ctx, Filter{TenantID: t.ID, Published: true, PublicOnly: true, Limit: n})
	if err != nil {
		return err
	}
	d := publicData{Tenant: t, More: h.baseURL + "/k/" + t.Slug + "/berattelser"}
	if d.Stories, err = h.views(ctx, t.ID, list, t.Slug); err != nil {
		return err
	}
	origins, err := h.svc.Store.FrameAncestors(ctx, t.ID)
	if err != nil {
		return err
	}
	// SecurityHeaders has already forbidden framing; this page alone may be framed by the origins the
	// kommun named. X-Frame-Options cannot name several origins, and frame-ancestors overrides it in
	// every current browser, so it goes.
	if len(origins) > 0 {
		w.Header().Set("Content-Security-Policy", strings.Replace(web.ContentSecurityPolicy, "frame-ancestors 'none'", "frame-ancestors "+strings.Join(origins, " "), 1))
		w.Header().Del("X-Frame-Options")
	}
	return h.rd.Page(w, r, h.pages["embed.html"], d)
}

// --- images

func (h *Handlers) image(w http.ResponseWriter, r *http.Request) error {
	st, err := h.visibleStory(r)
	if err != nil {
		return err
	}
	return h.serveImage(w, r, st, false)
}

func (h *Handlers) publicImage(w http.ResponseWriter, r *http.Request) error {
	t, err := h.tenant(r)
	if err != nil {
		return err
	}
	id, err := web.ID(r, "id")
	if err != nil {
		return err
	}
	st, err := h.svc.Store.Story(r.Context(), t.ID, id)
	if err != nil {
		return notFound(err)
	}
	if !st.PublicNow() {
		return web.NotFound()
	}
	return h.serveImage(w, r, st, true)
}

func (h *Handlers) serveImage(w http.ResponseWriter, r *http.Request, st *Story, public bool) error {
	f, err := h.svc.OpenImage(r.Context(), st)
	if err != nil {
		return notFound(err)
	}
	defer f.Close()
	// Short caching: a withdrawn story's image must not linger long in caches along the way.
	cache := "private, max-age=300"
	if public {
		cache = "public, max-age=300"
	}
	return sendImage(w, r, st, f, cache)
}

// sendImage sends a story's image as the picture it is and nothing else: the type stored when it was
// checked, no sniffing, no script, and a file name of our own.
func sendImage(w http.ResponseWriter, r *http.Request, st *Story, content io.Reader, cache string) error {
	hd := w.Header()
	hd.Set("Content-Type", st.Image.Type)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Disposition", fmt.Sprintf(`inline; filename="berattelse-%d%s"`, st.ID, st.Image.Ext()))
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("Cache-Control", cache)
	if r.Method == http.MethodHead {
		return nil
	}
	_, err := io.Copy(w, content)
	return err
}

// --- the personal feed's address

type feedTokenData struct {
	Created *time.Time
	// URL is the new address, shown once.
	URL string
}

func (h *Handlers) feedToken(w http.ResponseWriter, r *http.Request) error {
	created, err := h.svc.Store.FeedTokenCreated(r.Context(), viewer(r).PersonID)
	if err != nil {
		return err
	}
	return h.rd.Page(w, r, h.pages["feedtoken.html"], feedTokenData{Created: created})
}

func (h *Handlers) newFeedToken(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	token, err := h.svc.NewFeedToken(r.Context(), v.TenantID, v.PersonID)
	if err != nil {
		return err
	}
	created, err := h.svc.Store.FeedTokenCreated(r.Context(), v.PersonID)
	if err != nil {
		return err
	}
	view := web.View{Flash: "Ditt flöde har en ny adress. Kopiera den nu – den visas bara en gång.", Data: feedTokenData{Created: created, URL: h.baseURL + feedPath(token)}}
	return h.rd.PageStatus(w, r, h.pages["feedtoken.html"], http.StatusOK, view)
}

// --- settings

type settingsData struct {
	Origins string
	Tenant  *org.Tenant
	Embed   string
	Atom    string
}

func (h *Handlers) settings(w http.ResponseWriter, r *http.Request) error {
	origins, err := h.svc.Store.FrameAncestors(r.Context(), viewer(r).TenantID)
	if err != nil {
		return err
	}
	return h.renderSettings(w, r, strings.Join(origins, "\n"), http.StatusOK, web.View{})
}

func (h *Handlers) renderSettings(w http.ResponseWriter, r *http.Request, origins string, status int, view web.View) error {
	t, err := h.org.Store.Tenant(r.Context(), viewer(r).TenantID)
	if err != nil {
		return err
	}
	view.Data = settingsData{Origins: origins, Tenant: t, Embed: h.baseURL + "/k/" + t.Slug + "/berattelser/inbaddning",
		Atom: h.baseURL + "/k/" + t.Slug + "/berattelser.atom"}
	return h.rd.PageStatus(w, r, h.pages["settings.html"], status, view)
}

func (h *Handlers) saveSettings(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	text := r.PostFormValue("origins")
	err := h.svc.SetFrameAncestors(r.Context(), viewer(r).TenantID, text)
	if fe := fieldErrors(err); fe != nil {
		return h.renderSettings(w, r, text, fe.Status, web.View{Errors: fe.Fields, Message: fe.Message})
	}
	if err != nil {
		return err
	}
	return web.Redirect(w, r, "/installningar/berattelser", "Inställningarna är sparade.")
}
