package values

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/vard-kommun/vard/internal/web"
)

// The edit form works without JavaScript: it shows every row plus a few blank ones, and buttons that
// send the form back to get more blank rows or to move a row up, without saving.
const (
	blankRows = 2
	moreRows  = 3
	// maxFormRows bounds how many rows of each kind a posted form is read for.
	maxFormRows = 100
)

// createDraft starts a new draft, from the version in "fran" or blank.
func (h *Handlers) createDraft(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	tenantID := viewer(r).TenantID
	var fromID int64
	if s := web.FormValue(r, "fran"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return web.NotFound()
		}
		fromID = n
	}
	v, err := h.svc.CreateDraft(r.Context(), tenantID, fromID, viewer(r).PersonID)
	if errors.Is(err, ErrDraftExists) {
		if d, derr := h.svc.Draft(r.Context(), tenantID); derr == nil {
			return web.Redirect(w, r, versionPath(d.ID)+"/redigera", ErrDraftExists.Message)
		}
	}
	if err != nil {
		return err
	}
	return web.Redirect(w, r, versionPath(v.ID)+"/redigera", "Ett nytt utkast är skapat.")
}

// editData is the edit form: the draft, and the rows as they are shown.
type editData struct {
	Version  *Version
	Vision   string
	Code     string
	Words    []WordInput
	Promises []PromiseInput
	Units    []Unit
	// Unsaved says that the form was sent back for more rows or a new order, and nothing is saved yet.
	Unsaved bool
}

// MoreWords reports whether the form may offer more rows of värdeord.
func (d editData) MoreWords() bool { return len(d.Words) < MaxWords }

// MorePromises reports whether the form may offer more rows of promises.
func (d editData) MorePromises() bool { return len(d.Promises) < MaxPromises }

// addBlankWords adds n blank rows of värdeord, up to the limit.
func (d *editData) addBlankWords(n int) {
	for i := 0; i < n && len(d.Words) < MaxWords; i++ {
		d.Words = append(d.Words, WordInput{})
	}
}

// addBlankPromises adds n blank rows of promises, up to the limit.
func (d *editData) addBlankPromises(n int) {
	for i := 0; i < n && len(d.Promises) < MaxPromises; i++ {
		d.Promises = append(d.Promises, PromiseInput{})
	}
}

// loadDraft returns the version of the path's {id} if it is still a draft.
func (h *Handlers) loadDraft(r *http.Request) (*Version, error) {
	v, err := h.loadVersion(r)
	if err != nil {
		return nil, err
	}
	if !v.Editable() {
		return nil, errNotDraft
	}
	return v, nil
}

func (h *Handlers) editForm(w http.ResponseWriter, r *http.Request) error {
	v, err := h.loadDraft(r)
	if err != nil {
		return err
	}
	d := editData{Version: v, Vision: v.Vision, Code: v.Code, Units: Units}
	for _, word := range v.Words {
		d.Words = append(d.Words, WordInput{Key: word.Key, Name: word.Name, Meaning: word.Meaning, Behaviours: strings.Join(word.Behaviours, "\n")})
	}
	for _, p := range v.Promises {
		in := PromiseInput{Key: p.Key, Text: p.Text}
		if p.Target != nil {
			in.TargetValue, in.TargetUnit, in.Measure = formatNumber(p.Target.Value), string(p.Target.Unit), p.Target.Measure
		}
		d.Promises = append(d.Promises, in)
	}
	d.addBlankWords(blankRows)
	d.addBlankPromises(blankRows)
	return h.rd.Page(w, r, h.pages["edit.html"], d)
}

// readDraftForm reads the edit form: the rows in the order they were shown, blank ones too.
func readDraftForm(r *http.Request) DraftInput {
	in := DraftInput{Vision: r.PostFormValue("vision"), Code: r.PostFormValue("code")}
	for i := 0; i < maxFormRows; i++ {
		name := fmt.Sprintf("word-%d-", i)
		if _, ok := r.PostForm[name+"name"]; !ok {
			continue
		}
		in.Words = append(in.Words, WordInput{Key: r.PostFormValue(name + "key"), Name: r.PostFormValue(name + "name"),
			Meaning: r.PostFormValue(name + "meaning"), Behaviours: r.PostFormValue(name + "behaviours")})
	}
	for i := 0; i < maxFormRows; i++ {
		name := fmt.Sprintf("promise-%d-", i)
		if _, ok := r.PostForm[name+"text"]; !ok {
			continue
		}
		in.Promises = append(in.Promises, PromiseInput{Key: r.PostFormValue(name + "key"), Text: r.PostFormValue(name + "text"),
			TargetValue: r.PostFormValue(name + "target_value"), TargetUnit: r.PostFormValue(name + "target_unit"),
			Measure: r.PostFormValue(name + "measure")})
	}
	return in
}

// edit saves the draft, or, for the form's other buttons, shows it again with more rows or a row moved.
func (h *Handlers) edit(w http.ResponseWriter, r *http.Request) error {
	v, err := h.loadDraft(r)
	if err != nil {
		return err
	}
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	in := readDraftForm(r)
	d := editData{Version: v, Vision: in.Vision, Code: in.Code, Words: in.Words, Promises: in.Promises, Units: Units, Unsaved: true}
	action := r.PostFormValue("action")
	switch {
	case action == "fler-ord":
		d.addBlankWords(moreRows)
		return h.rd.Page(w, r, h.pages["edit.html"], d)
	case action == "fler-loften":
		d.addBlankPromises(moreRows)
		return h.rd.Page(w, r, h.pages["edit.html"], d)
	case strings.HasPrefix(action, "upp-ord-"):
		if i, err := strconv.Atoi(strings.TrimPrefix(action, "upp-ord-")); err == nil && i > 0 && i < len(d.Words) {
			d.Words[i-1], d.Words[i] = d.Words[i], d.Words[i-1]
		}
		return h.rd.Page(w, r, h.pages["edit.html"], d)
	case strings.HasPrefix(action, "upp-lofte-"):
		if i, err := strconv.Atoi(strings.TrimPrefix(action, "upp-lofte-")); err == nil && i > 0 && i < len(d.Promises) {
			d.Promises[i-1], d.Promises[i] = d.Promises[i], d.Promises[i-1]
		}
		return h.rd.Page(w, r, h.pages["edit.html"], d)
	}
	_, err = h.svc.SaveDraft(r.Context(), v.TenantID, v.ID, in)
	var fe *web.Error
	if errors.As(err, &fe) && fe.Status == http.StatusUnprocessableEntity {
		d.Unsaved = false
		return h.rd.PageStatus(w, r, h.pages["edit.html"], fe.Status, web.View{Data: d, Errors: fe.Fields, Message: fe.Message})
	}
	if err != nil {
		return err
	}
	return web.Redirect(w, r, versionPath(v.ID), "Utkastet är sparat.")
}

// --- adoption

type adoptData struct {
	Version *Version
	Form    AdoptionInput
}

func (h *Handlers) adoptForm(w http.ResponseWriter, r *http.Request) error {
	v, err := h.loadDraft(r)
	if err != nil {
		return err
	}
	return h.rd.Page(w, r, h.pages["adopt.html"], adoptData{Version: v, Form: AdoptionInput{Body: "Kommunfullmäktige"}})
}

func (h *Handlers) adopt(w http.ResponseWriter, r *http.Request) error {
	v, err := h.loadDraft(r)
	if err != nil {
		return err
	}
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	in := AdoptionInput{Date: r.PostFormValue("date"), Body: r.PostFormValue("body"), RegistrationNumber: r.PostFormValue("registration_number")}
	err = h.svc.Adopt(r.Context(), v.TenantID, v.ID, in, viewer(r).PersonID)
	var fe *web.Error
	if errors.As(err, &fe) && fe.Status == http.StatusUnprocessableEntity {
		return h.rd.PageStatus(w, r, h.pages["adopt.html"], fe.Status, web.View{Data: adoptData{Version: v, Form: in}, Errors: fe.Fields, Message: fe.Message})
	}
	if err != nil {
		return err
	}
	return web.Redirect(w, r, "/vardegrund", "Värdegrunden är antagen och gäller nu.")
}

// --- deleting a draft

func (h *Handlers) deleteForm(w http.ResponseWriter, r *http.Request) error {
	v, err := h.loadDraft(r)
	if err != nil {
		return err
	}
	return h.rd.Page(w, r, h.pages["delete.html"], v)
}

func (h *Handlers) delete(w http.ResponseWriter, r *http.Request) error {
	v, err := h.loadDraft(r)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteDraft(r.Context(), v.TenantID, v.ID); err != nil {
		return err
	}
	return web.Redirect(w, r, "/vardegrund/versioner", "Utkastet är borttaget.")
}
