package stories

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/values"
	"github.com/vard-kommun/vard/internal/web"
)

// maxForm bounds a story form's body. It is larger than MaxImageBytes, so that a picture somewhat too
// large gets a message beside the field with the rest of the form kept; beyond it the form is refused.
const maxForm = 12 << 20

var errFormTooLarge = &web.Error{Status: http.StatusRequestEntityTooLarge, Message: "Bilden får vara högst 5 MB."}

// readInput reads the story form: multipart with an optional image, or a plain form without one (a
// client that sends no file).
func readInput(w http.ResponseWriter, r *http.Request) (Input, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	var in Input
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				return in, errFormTooLarge
			}
			return in, web.BadRequest("Formuläret kunde inte läsas.")
		}
		if f, _, err := r.FormFile("image"); err == nil {
			// One byte more than allowed is enough to know the file is too large.
			in.Image, err = io.ReadAll(io.LimitReader(f, MaxImageBytes+1))
			f.Close()
			if err != nil {
				return in, web.BadRequest("Formuläret kunde inte läsas.")
			}
		}
	} else if err := r.ParseForm(); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return in, errFormTooLarge
		}
		return in, web.BadRequest("Formuläret kunde inte läsas.")
	}
	form := r.PostForm
	in.Kind = Kind(form.Get("kind"))
	in.Title = form.Get("title")
	in.Body = form.Get("body")
	in.Words = form["words"]
	in.UnitID, _ = strconv.ParseInt(form.Get("unit_id"), 10, 64)
	in.Public = form.Get("public") == "1"
	in.Credit = Credit(form.Get("credit"))
	in.SubjectEmail = form.Get("subject")
	in.ImageAlt = form.Get("image_alt")
	in.RemoveImage = form.Get("remove_image") == "1"
	return in, nil
}

// cleanupForm removes the temporary files a multipart form may have left; the server would do it only
// for the request it made, not for the copy the middleware hands on.
func cleanupForm(r *http.Request) {
	if r.MultipartForm != nil {
		r.MultipartForm.RemoveAll()
	}
}

type formData struct {
	Story   *Story // the story being changed; ID 0 for a new one
	In      Input
	Words   []values.Word
	Units   []unitOption
	Kinds   []Kind
	Credits []Credit
	// ImageLost says an image was chosen but not kept because the form had errors.
	ImageLost bool
}

// unitOption is a unit in a drop-down, with its place in the tree spelled out.
type unitOption struct {
	ID    int64
	Label string
}

// unitOptions lists the open units as "Förvaltning › Enhet › Arbetslag", in tree order.
func unitOptions(t *org.Tree) []unitOption {
	var out []unitOption
	var walk func(u *org.Unit, prefix string)
	walk = func(u *org.Unit, prefix string) {
		if u.Closed() {
			return
		}
		out = append(out, unitOption{ID: u.ID, Label: prefix + u.Name})
		for _, c := range u.Children {
			walk(c, prefix+u.Name+" › ")
		}
	}
	for _, r := range t.Roots {
		walk(r, "")
	}
	return out
}

func (h *Handlers) renderForm(w http.ResponseWriter, r *http.Request, st *Story, in Input, status int, view web.View) error {
	ctx, v := r.Context(), viewer(r)
	t, err := h.org.Tree(ctx, v.TenantID)
	if err != nil {
		return err
	}
	d := formData{Story: st, In: in, Units: unitOptions(t), Kinds: Kinds, Credits: Credits, ImageLost: len(in.Image) > 0 && view.Errors != nil}
	if d.Words, err = h.wordList(ctx, v.TenantID); err != nil {
		return err
	}
	// The form shows the text as typed, not the image bytes.
	d.In.Image = nil
	view.Data = d
	return h.rd.PageStatus(w, r, h.pages["form.html"], status, view)
}

func (h *Handlers) newStory(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	in := Input{Kind: KindExample, Credit: CreditName}
	if p, err := h.org.Store.Person(r.Context(), v.TenantID, v.PersonID); err == nil {
		in.UnitID = p.UnitID
	}
	if k := Kind(r.URL.Query().Get("typ")); k.Valid() {
		in.Kind = k
	}
	return h.renderForm(w, r, &Story{}, in, http.StatusOK, web.View{})
}

func (h *Handlers) create(w http.ResponseWriter, r *http.Request) error {
	defer cleanupForm(r)
	in, err := readInput(w, r)
	if err != nil {
		return err
	}
	v := viewer(r)
	st, err := h.svc.Submit(r.Context(), v.TenantID, v.PersonID, in)
	if fe := fieldErrors(err); fe != nil {
		return h.renderForm(w, r, &Story{}, in, fe.Status, web.View{Errors: fe.Fields, Message: fe.Message})
	}
	if err != nil {
		return err
	}
	return web.Redirect(w, r, "/berattelser/"+itoa(st.ID), "Tack! Berättelsen är inskickad och granskas innan den publiceras.")
}

// ownStory loads the viewer's own story that is not withdrawn; anyone else's is not found.
func (h *Handlers) ownStory(ctx context.Context, r *http.Request) (*Story, error) {
	id, err := web.ID(r, "id")
	if err != nil {
		return nil, err
	}
	v := viewer(r)
	st, err := h.svc.Store.Story(ctx, v.TenantID, id)
	if err != nil {
		return nil, notFound(err)
	}
	if st.AuthorID != v.PersonID || st.Status == StatusWithdrawn {
		return nil, web.NotFound()
	}
	return st, nil
}

var errNotEditable = web.BadRequest("Berättelsen kan inte ändras längre. Du kan dra tillbaka den och skicka in en ny.")

func (h *Handlers) editStory(w http.ResponseWriter, r *http.Request) error {
	st, err := h.ownStory(r.Context(), r)
	if err != nil {
		return err
	}
	if !st.Editable() {
		return errNotEditable
	}
	in := Input{Kind: st.Kind, Title: st.Title, Body: st.Body, Words: st.Words, UnitID: st.UnitID, Public: st.Public,
		Credit: st.Credit, ImageAlt: st.Image.Alt}
	if st.SubjectID != 0 {
		if p, err := h.org.Store.Person(r.Context(), st.TenantID, st.SubjectID); err == nil {
			in.SubjectEmail = p.Email
		}
	}
	return h.renderForm(w, r, st, in, http.StatusOK, web.View{})
}

func (h *Handlers) update(w http.ResponseWriter, r *http.Request) error {
	defer cleanupForm(r)
	st, err := h.ownStory(r.Context(), r)
	if err != nil {
		return err
	}
	if !st.Editable() {
		return errNotEditable
	}
	in, err := readInput(w, r)
	if err != nil {
		return err
	}
	v := viewer(r)
	_, err = h.svc.Edit(r.Context(), v.TenantID, v.PersonID, st.ID, in)
	if fe := fieldErrors(err); fe != nil {
		return h.renderForm(w, r, st, in, fe.Status, web.View{Errors: fe.Fields, Message: fe.Message})
	}
	if err != nil {
		return notFound(err)
	}
	return web.Redirect(w, r, "/berattelser/"+itoa(st.ID), "Ändringarna är sparade. Berättelsen granskas på nytt.")
}

func (h *Handlers) withdrawForm(w http.ResponseWriter, r *http.Request) error {
	st, err := h.ownStory(r.Context(), r)
	if err != nil {
		return err
	}
	return h.rd.Page(w, r, h.pages["withdraw.html"], st)
}

func (h *Handlers) withdraw(w http.ResponseWriter, r *http.Request) error {
	st, err := h.ownStory(r.Context(), r)
	if err != nil {
		return err
	}
	v := viewer(r)
	if err := h.svc.Withdraw(r.Context(), v.TenantID, v.PersonID, st.ID); err != nil {
		return notFound(err)
	}
	return web.Redirect(w, r, "/berattelser/mina", "Berättelsen är tillbakadragen och syns inte längre någonstans.")
}

// --- moderation

func (h *Handlers) approve(w http.ResponseWriter, r *http.Request) error {
	return h.moderate(w, r, func(ctx context.Context, v *web.Viewer, st *Story, _ string) error {
		return h.svc.Approve(ctx, v.TenantID, v.PersonID, st.ID)
	}, "", "Berättelsen är godkänd.")
}

func (h *Handlers) reject(w http.ResponseWriter, r *http.Request) error {
	return h.moderate(w, r, func(ctx context.Context, v *web.Viewer, st *Story, text string) error {
		return h.svc.Reject(ctx, v.TenantID, v.PersonID, st.ID, text)
	}, "reason", "Berättelsen är avvisad. Skribenten ser skälet.")
}

func (h *Handlers) requestChange(w http.ResponseWriter, r *http.Request) error {
	return h.moderate(w, r, func(ctx context.Context, v *web.Viewer, st *Story, text string) error {
		return h.svc.RequestChange(ctx, v.TenantID, v.PersonID, st.ID, text)
	}, "note", "Skribenten ombeds ändra berättelsen.")
}

// moderate runs one moderator's action on the story in the URL; field names the form's text (the
// reason or the note), which comes back with the story page when it is missing.
func (h *Handlers) moderate(w http.ResponseWriter, r *http.Request, act func(context.Context, *web.Viewer, *Story, string) error, field, done string) error {
	st, err := h.visibleStory(r)
	if err != nil {
		return err
	}
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	text := r.PostFormValue(field)
	err = act(r.Context(), viewer(r), st, text)
	if fe := fieldErrors(err); fe != nil {
		reason, note := "", ""
		if field == "reason" {
			reason = text
		} else {
			note = text
		}
		return h.renderStory(w, r, st, fe.Status, web.View{Errors: fe.Fields, Message: fe.Message}, reason, note)
	}
	if err != nil {
		return notFound(err)
	}
	return web.Redirect(w, r, "/berattelser/granska", done)
}

// --- consent

func (h *Handlers) consents(w http.ResponseWriter, r *http.Request) error {
	ctx, v := r.Context(), viewer(r)
	d := listData{Pager: web.NewPager(r, 20)}
	list, total, err := h.svc.Store.List(ctx, Filter{TenantID: v.TenantID, SubjectID: v.PersonID,
		Statuses: []Status{StatusPending, StatusChangesRequested, StatusApproved, StatusRejected}, Limit: d.Pager.PerPage, Offset: d.Pager.Offset()})
	if err != nil {
		return err
	}
	d.Pager.Total = total
	if d.Stories, err = h.views(ctx, v.TenantID, list, ""); err != nil {
		return err
	}
	return h.rd.Page(w, r, h.pages["consent.html"], d)
}

func (h *Handlers) answerConsent(w http.ResponseWriter, r *http.Request) error {
	id, err := web.ID(r, "id")
	if err != nil {
		return err
	}
	v := viewer(r)
	st, err := h.svc.Store.Story(r.Context(), v.TenantID, id)
	if err != nil || st.SubjectID != v.PersonID || st.Status == StatusWithdrawn {
		return web.NotFound()
	}
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	var give bool
	switch r.PostFormValue("answer") {
	case "ja":
		give = true
	case "nej":
	default:
		return web.BadRequest("Svara ja eller nej.")
	}
	if err := h.svc.AnswerConsent(r.Context(), v.TenantID, v.PersonID, id, give); err != nil {
		return notFound(err)
	}
	msg := "Tack! Du har sagt nej, och berättelsen publiceras inte."
	if give {
		msg = "Tack! Du har gett ditt samtycke."
	}
	return web.Redirect(w, r, "/berattelser/samtycke", msg)
}
