package events

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/web"
)

//go:embed templates
var templates embed.FS

// Handlers is the events' web pages: the organiser's pages, the invitee's answer page behind a personal
// link, and the check-in at the door (checkin_handlers.go).
type Handlers struct {
	svc     *Service
	rd      *web.Renderer
	baseURL string
	pages   map[string]*template.Template
}

// NewHandlers parses the templates and registers the English catalogue. baseURL makes the links sent
// by e-mail absolute.
func NewHandlers(svc *Service, rd *web.Renderer, baseURL string) *Handlers {
	rd.Catalog.Add(english())
	rd.Catalog.Add(englishCheckin())
	rd.Catalog.Add(englishGroups())
	rd.Catalog.Add(englishFollowup())
	rd.Catalog.Add(englishDoor())
	if svc.BaseURL == "" {
		svc.BaseURL = strings.TrimRight(baseURL, "/")
	}
	return &Handlers{svc: svc, rd: rd, baseURL: strings.TrimRight(baseURL, "/"),
		pages: rd.MustPages(templates, "templates/*.html", eventFuncs)}
}

// eventFuncs are the events pages' own template functions.
var eventFuncs = template.FuncMap{
	"when":        When,
	"swedate":     SwedishDate,
	"swedatetime": SwedishDateTime,
	"clock":       func(t time.Time) string { return t.In(Stockholm).Format("15.04") },
	"paragraphs":  paragraphs,
	"percent": func(n, of int) int {
		if of <= 0 {
			return 0
		}
		return n * 100 / of
	},
	"hasID": func(list []int64, id int64) bool { return slices.Contains(list, id) },
	"has":   func(list []string, s string) bool { return slices.Contains(list, s) },
}

// paragraphs splits plain text into paragraphs of lines, so a template shows line breaks escaped.
func paragraphs(text string) [][]string {
	var out [][]string
	for _, p := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if p = strings.Trim(p, "\n"); strings.TrimSpace(p) != "" {
			out = append(out, strings.Split(p, "\n"))
		}
	}
	return out
}

// Routes registers the routes.
func (h *Handlers) Routes(rt *web.Router) {
	rt.Handle("GET /evenemang", web.Admin, h.eventList)
	rt.Handle("GET /evenemang/ny", web.Admin, h.eventNew)
	rt.Handle("POST /evenemang/ny", web.Admin, h.eventCreate)
	rt.Handle("GET /evenemang/narvaro", web.Admin, h.attendance)
	rt.Handle("GET /evenemang/{id}", web.Admin, h.eventPage)
	rt.Handle("GET /evenemang/{id}/andra", web.Admin, h.eventEdit)
	rt.Handle("POST /evenemang/{id}/andra", web.Admin, h.eventUpdate)
	rt.Handle("GET /evenemang/{id}/stall-in", web.Admin, h.eventCancelForm)
	rt.Handle("POST /evenemang/{id}/stall-in", web.Admin, h.eventCancel)
	rt.Handle("POST /evenemang/{id}/program", web.Admin, h.agendaAdd)
	rt.Handle("GET /evenemang/{id}/program/{item}", web.Admin, h.agendaEdit)
	rt.Handle("POST /evenemang/{id}/program/{item}", web.Admin, h.agendaUpdate)
	rt.Handle("POST /evenemang/{id}/program/{item}/upp", web.Admin, h.agendaUp)
	rt.Handle("POST /evenemang/{id}/program/{item}/ner", web.Admin, h.agendaDown)
	rt.Handle("GET /evenemang/{id}/program/{item}/ta-bort", web.Admin, h.agendaDeleteForm)
	rt.Handle("POST /evenemang/{id}/program/{item}/ta-bort", web.Admin, h.agendaDelete)
	rt.Handle("GET /evenemang/{id}/inbjudna", web.Admin, h.invitees)
	rt.Handle("POST /evenemang/{id}/inbjudna", web.Admin, h.inviteesAdd)
	rt.Handle("POST /evenemang/{id}/inbjudna/{inv}/vard", web.Admin, h.inviteeHost)
	rt.Handle("GET /evenemang/{id}/inbjudna/{inv}/ta-bort", web.Admin, h.inviteeRemoveForm)
	rt.Handle("POST /evenemang/{id}/inbjudna/{inv}/ta-bort", web.Admin, h.inviteeRemove)
	rt.Handle("GET /evenemang/{id}/skicka", web.Admin, h.sendPage)
	rt.Handle("POST /evenemang/{id}/skicka", web.Admin, h.sendStart)
	rt.Handle("GET /evenemang/{id}/deltagare.csv", web.Admin, h.exportCSV)
	rt.Handle("GET /evenemang/{id}/deltagare.xlsx", web.Admin, h.exportXLSX)
	rt.Handle("GET /evenemang/{id}/uppfoljning", web.Admin, h.followupPage)
	rt.Handle("POST /evenemang/{id}/uppfoljning", web.Admin, h.followupSend)
	// The invitee's page: the token in the address is the only key, no account is needed. Not under
	// /evenemang/, where /evenemang/svar/{token} would clash with /evenemang/{id}/… in the mux.
	rt.Handle("GET /inbjudan/{token}", web.Public, h.inviteePage)
	rt.Handle("POST /inbjudan/{token}", web.Public, h.inviteeAnswer)
	h.checkinRoutes(rt)
	h.groupsRoutes(rt)
}

func tenantOf(r *http.Request) int64 { return web.ViewerFrom(r.Context()).TenantID }

func eventURL(id int64) string { return "/evenemang/" + strconv.FormatInt(id, 10) }

// event reads the event of the path for the viewer's kommun; another kommun's is not found.
func (h *Handlers) event(r *http.Request) (*Event, error) {
	id, err := web.ID(r, "id")
	if err != nil {
		return nil, err
	}
	return h.svc.Event(r.Context(), tenantOf(r), id)
}

// fieldErrors returns err as a validation error, or nil when it is none.
func fieldErrors(err error) *web.Error {
	var e *web.Error
	if errors.As(err, &e) && (e.Status == http.StatusUnprocessableEntity || e.Status == http.StatusBadRequest) {
		return e
	}
	return nil
}

// param cleans a filter from a page's address: valid UTF-8, no control characters, at most 200
// characters.
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

// --- the list

type eventRow struct {
	*Event
	State string
}

func stateOf(e *Event, now time.Time) string {
	switch {
	case e.Cancelled():
		return "Inställt"
	case !e.EndsAt.After(now):
		return "Avslutat"
	case !e.StartsAt.After(now):
		return "Pågår"
	}
	return "Kommande"
}

func (h *Handlers) eventList(w http.ResponseWriter, r *http.Request) error {
	p := web.NewPager(r, 25)
	list, total, err := h.svc.Events(r.Context(), tenantOf(r), p.Offset(), p.PerPage)
	if err != nil {
		return err
	}
	p.Total = total
	now := h.svc.Now()
	rows := make([]eventRow, len(list))
	for i, e := range list {
		rows[i] = eventRow{Event: e, State: stateOf(e, now)}
	}
	return h.rd.Page(w, r, h.pages["list.html"], struct {
		Events []eventRow
		Pager  web.Pager
	}{rows, p})
}

// --- the event form

// eventForm is the event form's values as typed, so that a form with errors shows them again.
type eventForm struct {
	Kind                       string
	Title, Description, Place  string
	StartsDate, StartsTime     string
	EndsDate, EndsTime         string
	Capacity                   string
	DeadlineDate, DeadlineTime string
	GroupSize                  string
	Retention                  string
}

func formOf(e *Event) eventForm {
	f := eventForm{Kind: string(e.Kind), Title: e.Title, Description: e.Description, Place: e.Place,
		GroupSize: strconv.Itoa(e.GroupSize), Retention: strconv.Itoa(e.GuestRetentionDays)}
	st, en := e.StartsAt.In(Stockholm), e.EndsAt.In(Stockholm)
	f.StartsDate, f.StartsTime = st.Format("2006-01-02"), st.Format("15:04")
	f.EndsDate, f.EndsTime = en.Format("2006-01-02"), en.Format("15:04")
	if e.Capacity > 0 {
		f.Capacity = strconv.Itoa(e.Capacity)
	}
	if e.RSVPDeadline != nil {
		d := e.RSVPDeadline.In(Stockholm)
		f.DeadlineDate, f.DeadlineTime = d.Format("2006-01-02"), d.Format("15:04")
	}
	return f
}

func readEventForm(r *http.Request) eventForm {
	v := func(n string) string { return r.PostFormValue(n) }
	return eventForm{Kind: v("kind"), Title: v("title"), Description: v("description"), Place: v("place"),
		StartsDate: strings.TrimSpace(v("starts_date")), StartsTime: strings.TrimSpace(v("starts_time")),
		EndsDate: strings.TrimSpace(v("ends_date")), EndsTime: strings.TrimSpace(v("ends_time")),
		Capacity: strings.TrimSpace(v("capacity")), DeadlineDate: strings.TrimSpace(v("deadline_date")),
		DeadlineTime: strings.TrimSpace(v("deadline_time")), GroupSize: strings.TrimSpace(v("group_size")),
		Retention: strings.TrimSpace(v("retention"))}
}

// moment reads a date and a time typed in Stockholm time. An empty time is defaultTime; the messages
// name the field they belong to.
func moment(date, clock, defaultTime string) (time.Time, string, string) {
	if date == "" {
		return time.Time{}, "", ""
	}
	d, err := time.ParseInLocation("2006-01-02", date, Stockholm)
	if err != nil || d.Year() < 2000 || d.Year() > 2200 {
		return time.Time{}, "Skriv datumet som ÅÅÅÅ-MM-DD.", ""
	}
	if clock == "" {
		clock = defaultTime
	}
	if clock == "" {
		return time.Time{}, "", "Ange klockslaget."
	}
	c, err := time.Parse("15:04", clock)
	if err != nil {
		return time.Time{}, "", "Skriv klockslaget som TT:MM."
	}
	return time.Date(d.Year(), d.Month(), d.Day(), c.Hour(), c.Minute(), 0, 0, Stockholm).UTC(), "", ""
}

// input turns the typed form into an EventInput, with messages for what cannot be read.
func (f eventForm) input(errs map[string]string) EventInput {
	in := EventInput{Kind: Kind(f.Kind), Title: f.Title, Description: f.Description, Place: f.Place}
	set := func(field, msg string) {
		if msg != "" {
			errs[field] = msg
		}
	}
	var de, te string
	in.StartsAt, de, te = moment(f.StartsDate, f.StartsTime, "")
	set("starts_date", de)
	set("starts_time", te)
	if f.StartsDate == "" {
		set("starts_date", "Ange datumet.")
	}
	endDate := f.EndsDate
	if endDate == "" {
		endDate = f.StartsDate
	}
	in.EndsAt, de, te = moment(endDate, f.EndsTime, "")
	set("ends_date", de)
	set("ends_time", te)
	if f.DeadlineDate != "" {
		t, de, te := moment(f.DeadlineDate, f.DeadlineTime, "23:59")
		set("deadline_date", de)
		set("deadline_time", te)
		if de == "" && te == "" {
			in.RSVPDeadline = &t
		}
	} else if f.DeadlineTime != "" {
		set("deadline_date", "Ange ett datum till klockslaget, eller ta bort klockslaget.")
	}
	number := func(field, s string, def int) int {
		if s == "" {
			return def
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			set(field, "Skriv ett heltal.")
			return def
		}
		return n
	}
	in.Capacity = number("capacity", f.Capacity, 0)
	in.GroupSize = number("group_size", f.GroupSize, DefaultGroupSize)
	in.GuestRetentionDays = number("retention", f.Retention, DefaultRetention)
	return in
}

type eventFormData struct {
	Event *Event // nil for a new event
	Form  eventForm
	Kinds []Kind
}

func (h *Handlers) renderEventForm(w http.ResponseWriter, r *http.Request, status int, d eventFormData, v web.View) error {
	d.Kinds = Kinds
	v.Data = d
	return h.rd.PageStatus(w, r, h.pages["form.html"], status, v)
}

func (h *Handlers) eventNew(w http.ResponseWriter, r *http.Request) error {
	f := eventForm{Kind: string(KindLedarforum), GroupSize: strconv.Itoa(DefaultGroupSize), Retention: strconv.Itoa(DefaultRetention),
		StartsTime: "09:00", EndsTime: "16:00"}
	return h.renderEventForm(w, r, http.StatusOK, eventFormData{Form: f}, web.View{})
}

// saveEvent validates the form, both what cannot be read and the rules, and re-renders it with every
// message at once.
func (h *Handlers) saveEvent(w http.ResponseWriter, r *http.Request, e *Event) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	f := readEventForm(r)
	errs := map[string]string{}
	in := f.input(errs)
	in.Validate(errs)
	var err error
	if len(errs) == 0 {
		if e == nil {
			e, err = h.svc.Create(r.Context(), tenantOf(r), in)
		} else {
			e, err = h.svc.Update(r.Context(), e.TenantID, e.ID, in)
		}
	} else {
		err = web.Invalid(errs)
	}
	if fe := fieldErrors(err); fe != nil {
		return h.renderEventForm(w, r, fe.Status, eventFormData{Event: e, Form: f}, web.View{Errors: fe.Fields, Message: fe.Message})
	}
	if err != nil {
		return err
	}
	return web.Redirect(w, r, eventURL(e.ID), "Evenemanget är sparat.")
}

func (h *Handlers) eventCreate(w http.ResponseWriter, r *http.Request) error {
	return h.saveEvent(w, r, nil)
}

func (h *Handlers) eventEdit(w http.ResponseWriter, r *http.Request) error {
	e, err := h.event(r)
	if err != nil {
		return err
	}
	return h.renderEventForm(w, r, http.StatusOK, eventFormData{Event: e, Form: formOf(e)}, web.View{})
}

func (h *Handlers) eventUpdate(w http.ResponseWriter, r *http.Request) error {
	e, err := h.event(r)
	if err != nil {
		return err
	}
	return h.saveEvent(w, r, e)
}

// --- confirmations

// confirmData is a confirmation page: a question, what happens, and the form that does it.
type confirmData struct {
	Heading, Text, Action, Button, Back string
	Name                                string // shown after the heading's question, untranslated
}

func (h *Handlers) confirm(w http.ResponseWriter, r *http.Request, d confirmData) error {
	return h.rd.Page(w, r, h.pages["confirm.html"], d)
}

func (h *Handlers) eventCancelForm(w http.ResponseWriter, r *http.Request) error {
	e, err := h.event(r)
	if err != nil {
		return err
	}
	if e.Cancelled() {
		return web.Redirect(w, r, eventURL(e.ID), "Evenemanget är redan inställt.")
	}
	return h.confirm(w, r, confirmData{Heading: "Ställa in evenemanget?", Name: e.Title,
		Text:   "De inbjudna som har tackat ja eller står på väntelistan får ett mejl om att evenemanget är inställt. Det går inte att ångra.",
		Action: eventURL(e.ID) + "/stall-in", Button: "Ja, ställ in", Back: eventURL(e.ID)})
}

func (h *Handlers) eventCancel(w http.ResponseWriter, r *http.Request) error {
	e, err := h.event(r)
	if err != nil {
		return err
	}
	if err := h.svc.Cancel(r.Context(), e.TenantID, e.ID); err != nil {
		return err
	}
	return web.Redirect(w, r, eventURL(e.ID), "Evenemanget är inställt.")
}

// --- the event page and its agenda

type agendaForm struct {
	Time, Title, SpeakerName, Query string
	SpeakerID                       int64
}

type eventPageData struct {
	Event    *Event
	State    string
	Agenda   []*AgendaItem
	Counts   Counts
	Item     *AgendaItem // the item being edited, on its own page
	Form     agendaForm
	Matches  []*org.Person
	Searched bool
	// Door is the event's door staff (door.go); DoorEmail the address typed in their form; DoorPage the
	// address to give them.
	Door      []*DoorPerson
	DoorEmail string
	DoorPage  string
}

func (h *Handlers) eventPageData(ctx context.Context, e *Event) (*eventPageData, error) {
	agenda, err := h.svc.Agenda(ctx, e)
	if err != nil {
		return nil, err
	}
	counts, err := h.svc.Counts(ctx, e)
	if err != nil {
		return nil, err
	}
	door, err := h.svc.DoorStaff(ctx, e)
	if err != nil {
		return nil, err
	}
	return &eventPageData{Event: e, State: stateOf(e, h.svc.Now()), Agenda: agenda, Counts: counts,
		Door: door, DoorPage: h.baseURL + "/incheckning"}, nil
}

func (h *Handlers) eventPage(w http.ResponseWriter, r *http.Request) error {
	e, err := h.event(r)
	if err != nil {
		return err
	}
	d, err := h.eventPageData(r.Context(), e)
	if err != nil {
		return err
	}
	return h.rd.Page(w, r, h.pages["event.html"], d)
}

func readAgendaForm(r *http.Request) agendaForm {
	f := agendaForm{Time: web.FormValue(r, "item_time"), Title: r.PostFormValue("item_title"),
		SpeakerName: r.PostFormValue("speaker_name"), Query: param(r.PostFormValue("speaker_query"))}
	f.SpeakerID, _ = strconv.ParseInt(r.PostFormValue("speaker"), 10, 64)
	return f
}

// agendaInput reads the agenda form; the time is on the event's first day.
func (f agendaForm) input(e *Event, errs map[string]string) AgendaInput {
	in := AgendaInput{Title: f.Title, SpeakerName: f.SpeakerName, SpeakerPersonID: max(f.SpeakerID, 0)}
	if f.Time != "" {
		c, err := time.Parse("15:04", f.Time)
		if err != nil {
			errs["item_time"] = "Skriv klockslaget som TT:MM."
		} else {
			d := e.StartsAt.In(Stockholm)
			t := time.Date(d.Year(), d.Month(), d.Day(), c.Hour(), c.Minute(), 0, 0, Stockholm).UTC()
			in.StartsAt = &t
		}
	}
	return in
}

// searchSpeakers finds people of the kommun for the speaker field.
func (h *Handlers) searchPeople(ctx context.Context, tenantID int64, q string, limit int) ([]*org.Person, error) {
	if q == "" {
		return nil, nil
	}
	list, _, err := h.svc.Org.Store.People(ctx, tenantID, org.PeopleFilter{Query: q, Limit: limit})
	return list, err
}

// saveAgenda handles the agenda form: "Sök" shows the people found, "Spara" saves the item.
func (h *Handlers) saveAgenda(w http.ResponseWriter, r *http.Request, e *Event, item *AgendaItem) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	f := readAgendaForm(r)
	page := "event.html"
	if item != nil {
		page = "agenda_item.html"
	}
	render := func(status int, v web.View) error {
		d, err := h.eventPageData(r.Context(), e)
		if err != nil {
			return err
		}
		d.Item, d.Form = item, f
		if f.Query != "" {
			if d.Matches, err = h.searchPeople(r.Context(), e.TenantID, f.Query, 20); err != nil {
				return err
			}
			d.Searched = true
		}
		if f.SpeakerID > 0 && !slices.ContainsFunc(d.Matches, func(p *org.Person) bool { return p.ID == f.SpeakerID }) {
			if p, err := h.svc.Org.Store.Person(r.Context(), e.TenantID, f.SpeakerID); err == nil {
				d.Matches = append([]*org.Person{p}, d.Matches...)
			}
		}
		v.Data = d
		return h.rd.PageStatus(w, r, h.pages[page], status, v)
	}
	if r.PostFormValue("action") == "sok" {
		return render(http.StatusOK, web.View{})
	}
	errs := map[string]string{}
	in := f.input(e, errs)
	var err error
	if len(errs) > 0 {
		err = web.Invalid(errs)
	} else if item == nil {
		_, err = h.svc.AddAgendaItem(r.Context(), e, in)
	} else {
		err = h.svc.UpdateAgendaItem(r.Context(), e, item.ID, in)
	}
	if fe := fieldErrors(err); fe != nil {
		if fe.Fields == nil {
			return render(fe.Status, web.View{Message: fe.Message})
		}
		// the service reports the item's own errors; ones it did not read (the time) are kept
		for k, v := range errs {
			if fe.Fields[k] == "" {
				fe.Fields[k] = v
			}
		}
		return render(fe.Status, web.View{Errors: fe.Fields, Message: fe.Message})
	}
	if err != nil {
		return err
	}
	return web.Redirect(w, r, eventURL(e.ID)+"#program", "Programmet är sparat.")
}

func (h *Handlers) agendaAdd(w http.ResponseWriter, r *http.Request) error {
	e, err := h.event(r)
	if err != nil {
		return err
	}
	return h.saveAgenda(w, r, e, nil)
}

func (h *Handlers) agendaItemOf(r *http.Request) (*Event, *AgendaItem, error) {
	e, err := h.event(r)
	if err != nil {
		return nil, nil, err
	}
	id, err := web.ID(r, "item")
	if err != nil {
		return nil, nil, err
	}
	a, err := h.svc.AgendaItem(r.Context(), e, id)
	return e, a, err
}

func (h *Handlers) agendaEdit(w http.ResponseWriter, r *http.Request) error {
	e, a, err := h.agendaItemOf(r)
	if err != nil {
		return err
	}
	d, err := h.eventPageData(r.Context(), e)
	if err != nil {
		return err
	}
	d.Item = a
	d.Form = agendaForm{Title: a.Title, SpeakerID: a.SpeakerPersonID}
	if a.SpeakerPersonID == 0 {
		d.Form.SpeakerName = a.SpeakerName
	} else if p, err := h.svc.Org.Store.Person(r.Context(), e.TenantID, a.SpeakerPersonID); err == nil {
		d.Matches = []*org.Person{p}
	}
	if a.StartsAt != nil {
		d.Form.Time = a.StartsAt.In(Stockholm).Format("15:04")
	}
	return h.rd.Page(w, r, h.pages["agenda_item.html"], d)
}

func (h *Handlers) agendaUpdate(w http.ResponseWriter, r *http.Request) error {
	e, a, err := h.agendaItemOf(r)
	if err != nil {
		return err
	}
	return h.saveAgenda(w, r, e, a)
}

func (h *Handlers) agendaMove(w http.ResponseWriter, r *http.Request, by int) error {
	e, a, err := h.agendaItemOf(r)
	if err != nil {
		return err
	}
	if err := h.svc.MoveAgendaItem(r.Context(), e, a.ID, by); err != nil {
		return err
	}
	return web.Redirect(w, r, eventURL(e.ID)+"#program", "")
}

func (h *Handlers) agendaUp(w http.ResponseWriter, r *http.Request) error {
	return h.agendaMove(w, r, -1)
}
func (h *Handlers) agendaDown(w http.ResponseWriter, r *http.Request) error {
	return h.agendaMove(w, r, 1)
}

func (h *Handlers) agendaDeleteForm(w http.ResponseWriter, r *http.Request) error {
	e, a, err := h.agendaItemOf(r)
	if err != nil {
		return err
	}
	return h.confirm(w, r, confirmData{Heading: "Ta bort programpunkten?", Name: a.Title,
		Text:   "Programpunkten tas bort från programmet.",
		Action: eventURL(e.ID) + "/program/" + strconv.FormatInt(a.ID, 10) + "/ta-bort", Button: "Ja, ta bort", Back: eventURL(e.ID)})
}

func (h *Handlers) agendaDelete(w http.ResponseWriter, r *http.Request) error {
	e, a, err := h.agendaItemOf(r)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteAgendaItem(r.Context(), e, a.ID); err != nil {
		return err
	}
	return web.Redirect(w, r, eventURL(e.ID)+"#program", "Programpunkten är borttagen.")
}

// --- invitees

type inviteeForm struct {
	Query        string
	PersonIDs    []int64
	UnitID       int64
	Roles        []string
	Guests       string
	Organisation string
	Host         bool
}

func (f inviteeForm) selection() Selection {
	s := Selection{PersonIDs: f.PersonIDs, Roles: f.Roles, Guests: f.Guests, Organisation: f.Organisation, Host: f.Host}
	if f.UnitID != 0 {
		s.UnitIDs = []int64{f.UnitID}
	}
	return s
}

func (f inviteeForm) empty() bool {
	return len(f.PersonIDs) == 0 && f.UnitID == 0 && len(f.Roles) == 0 && strings.TrimSpace(f.Guests) == ""
}

type unitOption struct {
	ID    int64
	Label string
}

type roleOption struct {
	Value, Label string
}

type inviteesData struct {
	Event    *Event
	Counts   Counts
	List     []*Invitation
	Pager    web.Pager
	Status   string
	Query    string
	Statuses []Status
	Form     inviteeForm
	Matches  []*org.Person
	Chosen   []*org.Person
	Searched bool
	Preview  *Preview
	Units    []unitOption
	Roles    []roleOption
}

// unitOptions lists the kommun's open units in tree order, indented by depth.
func (h *Handlers) unitOptions(ctx context.Context, tenantID int64) ([]unitOption, error) {
	tree, err := h.svc.Org.Tree(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	var out []unitOption
	var walk func(u *org.Unit, depth int)
	walk = func(u *org.Unit, depth int) {
		if u.Closed() {
			return
		}
		out = append(out, unitOption{ID: u.ID, Label: strings.Repeat("– ", depth) + u.Name})
		for _, c := range u.Children {
			walk(c, depth+1)
		}
	}
	for _, root := range tree.Roots {
		walk(root, 0)
	}
	return out, nil
}

func (h *Handlers) renderInvitees(w http.ResponseWriter, r *http.Request, e *Event, d *inviteesData, status int, v web.View) error {
	ctx := r.Context()
	var err error
	d.Event, d.Statuses = e, Statuses
	if d.Counts, err = h.svc.Counts(ctx, e); err != nil {
		return err
	}
	q := r.URL.Query()
	d.Status, d.Query = param(q.Get("status")), param(q.Get("q"))
	f := InvitationFilter{Query: d.Query}
	if st := Status(d.Status); st.Valid() {
		f.Status = st
	} else {
		d.Status = ""
	}
	d.Pager = web.NewPager(r, 50)
	d.Pager.URL = eventURL(e.ID) + "/inbjudna?status=" + url.QueryEscape(d.Status) + "&q=" + url.QueryEscape(d.Query)
	f.Offset, f.Limit = d.Pager.Offset(), d.Pager.PerPage
	if d.List, d.Pager.Total, err = h.svc.Invitations(ctx, e, f); err != nil {
		return err
	}
	if d.Units, err = h.unitOptions(ctx, e.TenantID); err != nil {
		return err
	}
	for _, role := range org.Roles {
		d.Roles = append(d.Roles, roleOption{Value: role, Label: org.RoleLabel(role)})
	}
	for _, id := range d.Form.PersonIDs {
		if p, err := h.svc.Org.Store.Person(ctx, e.TenantID, id); err == nil {
			d.Chosen = append(d.Chosen, p)
		}
	}
	v.Data = d
	return h.rd.PageStatus(w, r, h.pages["invitees.html"], status, v)
}

func (h *Handlers) invitees(w http.ResponseWriter, r *http.Request) error {
	e, err := h.event(r)
	if err != nil {
		return err
	}
	return h.renderInvitees(w, r, e, &inviteesData{}, http.StatusOK, web.View{})
}

func readInviteeForm(r *http.Request) (inviteeForm, map[string]string) {
	errs := map[string]string{}
	f := inviteeForm{Query: param(r.PostFormValue("people_query")), Guests: r.PostFormValue("guests"),
		Organisation: r.PostFormValue("organisation"), Host: r.PostFormValue("host") == "1"}
	for _, s := range r.PostForm["person"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			errs["people"] = "Välj bland personerna i sökresultatet."
			continue
		}
		if !slices.Contains(f.PersonIDs, id) {
			f.PersonIDs = append(f.PersonIDs, id)
		}
	}
	if len(f.PersonIDs) > 1000 {
		errs["people"] = "Välj högst 1 000 personer åt gången, eller bjud in en hel enhet."
	}
	if s := r.PostFormValue("unit"); s != "" && s != "0" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			errs["units"] = "Välj bland enheterna i listan."
		}
		f.UnitID = id
	}
	for _, role := range r.PostForm["role"] {
		if !slices.Contains(f.Roles, role) {
			f.Roles = append(f.Roles, role)
		}
	}
	return f, errs
}

// inviteesAdd handles the add form in three steps that each work without JavaScript: "Sök" finds
// people to tick, "Förhandsgranska" counts who would be added, and "Lägg till" adds them.
func (h *Handlers) inviteesAdd(w http.ResponseWriter, r *http.Request) error {
	e, err := h.event(r)
	if err != nil {
		return err
	}
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	f, errs := readInviteeForm(r)
	d := &inviteesData{Form: f}
	action := r.PostFormValue("action")
	if action == "sok" {
		if d.Matches, err = h.searchPeople(r.Context(), e.TenantID, f.Query, 25); err != nil {
			return err
		}
		d.Matches = slices.DeleteFunc(d.Matches, func(p *org.Person) bool { return slices.Contains(f.PersonIDs, p.ID) })
		d.Searched = true
		return h.renderInvitees(w, r, e, d, http.StatusOK, web.View{})
	}
	if len(errs) == 0 && f.empty() {
		errs["people"] = "Välj vilka som ska bjudas in: personer, en enhet, roller eller externa gäster."
	}
	if len(errs) > 0 {
		return h.renderInvitees(w, r, e, d, http.StatusUnprocessableEntity, web.View{Errors: errs, Message: "Kontrollera uppgifterna i formuläret."})
	}
	if action != "lagg-till" {
		p, err := h.svc.PreviewInvitees(r.Context(), e, f.selection())
		if fe := fieldErrors(err); fe != nil {
			return h.renderInvitees(w, r, e, d, fe.Status, web.View{Errors: fe.Fields, Message: fe.Message})
		}
		if err != nil {
			return err
		}
		d.Preview = &p
		return h.renderInvitees(w, r, e, d, http.StatusOK, web.View{})
	}
	n, err := h.svc.AddInvitees(r.Context(), e, f.selection())
	if fe := fieldErrors(err); fe != nil {
		return h.renderInvitees(w, r, e, d, fe.Status, web.View{Errors: fe.Fields, Message: fe.Message})
	}
	if err != nil {
		return err
	}
	msg := "Inga nya inbjudna: alla var redan inbjudna."
	if n == 1 {
		msg = "1 inbjuden har lagts till. Skicka inbjudningarna när du är klar."
	} else if n > 1 {
		msg = strconv.Itoa(n) + " inbjudna har lagts till. Skicka inbjudningarna när du är klar."
	}
	return web.Redirect(w, r, eventURL(e.ID)+"/inbjudna", msg)
}

func (h *Handlers) invitationOf(r *http.Request) (*Event, *Invitation, error) {
	e, err := h.event(r)
	if err != nil {
		return nil, nil, err
	}
	id, err := web.ID(r, "inv")
	if err != nil {
		return nil, nil, err
	}
	inv, err := h.svc.Invitation(r.Context(), e, id)
	return e, inv, err
}

func (h *Handlers) inviteeHost(w http.ResponseWriter, r *http.Request) error {
	e, inv, err := h.invitationOf(r)
	if err != nil {
		return err
	}
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	if err := h.svc.SetHost(r.Context(), e, inv.ID, r.PostFormValue("host") == "1"); err != nil {
		return err
	}
	back := web.SafeNext(r.PostFormValue("next"))
	if !strings.HasPrefix(back, eventURL(e.ID)+"/") {
		back = eventURL(e.ID) + "/inbjudna"
	}
	return web.Redirect(w, r, back, "Värdskapet är ändrat.")
}

func (h *Handlers) inviteeRemoveForm(w http.ResponseWriter, r *http.Request) error {
	e, inv, err := h.invitationOf(r)
	if err != nil {
		return err
	}
	text := "Inbjudan tas bort. En personlig länk som redan skickats slutar att fungera."
	if inv.Status == StatusYes {
		text += " Platsen går till den som står först på väntelistan."
	}
	return h.confirm(w, r, confirmData{Heading: "Ta bort den inbjudna?", Name: inv.DisplayName(), Text: text,
		Action: eventURL(e.ID) + "/inbjudna/" + strconv.FormatInt(inv.ID, 10) + "/ta-bort", Button: "Ja, ta bort",
		Back: eventURL(e.ID) + "/inbjudna"})
}

func (h *Handlers) inviteeRemove(w http.ResponseWriter, r *http.Request) error {
	e, inv, err := h.invitationOf(r)
	if err != nil {
		return err
	}
	if err := h.svc.RemoveInvitation(r.Context(), e, inv.ID); err != nil {
		return err
	}
	return web.Redirect(w, r, eventURL(e.ID)+"/inbjudna", "Den inbjudna är borttagen.")
}

// --- sending

type sendData struct {
	Event  *Event
	Counts Counts
	Mail   mailProgress
	// Sending: invitations are still being made, in batches; the page refreshes itself meanwhile. Once
	// all are made it no longer does (a page that keeps reloading is a WCAG failure, and with no SMTP
	// server the mails may wait for long): a link refreshes the delivery figures.
	Sending bool
	NoEmail int
}

type mailProgress struct {
	Queued, Sent, Failed, Total int
}

func (h *Handlers) sendPage(w http.ResponseWriter, r *http.Request) error {
	e, err := h.event(r)
	if err != nil {
		return err
	}
	d, err := h.svc.SendProgress(r.Context(), e)
	if err != nil {
		return err
	}
	return h.rd.Page(w, r, h.pages["send.html"], sendData{Event: e, Counts: d.Counts,
		Mail:    mailProgress{Queued: d.Mail.Queued, Sent: d.Mail.Sent, Failed: d.Mail.Failed, Total: d.Mail.Total()},
		Sending: d.Requested > 0, NoEmail: d.NoEmail})
}

// sendBudget is how long the request that starts the sending spends sending itself; the periodic job,
// woken at once, sends the rest while the progress page refreshes.
const sendBudget = 3 * time.Second

func (h *Handlers) sendStart(w http.ResponseWriter, r *http.Request) error {
	e, err := h.event(r)
	if err != nil {
		return err
	}
	if err := h.svc.RequestSend(r.Context(), e); err != nil {
		return err
	}
	deadline := time.Now().Add(sendBudget)
	for time.Now().Before(deadline) {
		n, err := h.svc.SendBatch(r.Context(), e.TenantID, e.ID)
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
	}
	h.svc.Kick()
	return web.Redirect(w, r, eventURL(e.ID)+"/skicka", "")
}

// --- the invitee's page

type inviteeData struct {
	*Invitee
	Token  string
	QR     template.HTML
	Answer Answer
	Closed bool // the answer just sent came after the deadline
}

func (h *Handlers) renderInvitee(w http.ResponseWriter, r *http.Request, status int, d *inviteeData, v web.View) error {
	// The link is the key to the page: never cache it in a shared cache, never leak it onwards.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	qr, err := web.QRSVG(d.Invitation.Code, h.rd.Catalog.T(web.Lang(r), "QR-kod med din incheckningskod"))
	if err != nil {
		return err
	}
	// A size in the SVG's own attributes, since the CSP allows no inline style.
	d.QR = template.HTML(strings.Replace(string(qr), "<svg ", `<svg width="200" height="200" `, 1))
	v.Data = d
	return h.rd.PageStatus(w, r, h.pages["answer.html"], status, v)
}

func (h *Handlers) inviteePage(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	inv, err := h.svc.Invitee(r.Context(), token)
	if err != nil {
		return err
	}
	a := Answer{Status: inv.Invitation.Status, Diet: inv.Invitation.Diet, Accessibility: inv.Invitation.Accessibility}
	return h.renderInvitee(w, r, http.StatusOK, &inviteeData{Invitee: inv, Token: token, Answer: a}, web.View{Flash: web.TakeFlash(w, r)})
}

func (h *Handlers) inviteeAnswer(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	a := Answer{Status: Status(r.PostFormValue("status")), Diet: r.PostFormValue("diet"), Accessibility: r.PostFormValue("accessibility")}
	inv, err := h.svc.Answer(r.Context(), token, a)
	if err == nil {
		msg := "Tack! Du har tackat nej."
		switch inv.Invitation.Status {
		case StatusYes:
			msg = "Tack! Du är anmäld."
		case StatusWaitlist:
			msg = "Evenemanget är fullt. Du står på väntelistan och får ett mejl om du får en plats."
		}
		return web.Redirect(w, r, "/inbjudan/"+token, msg)
	}
	closed := errors.Is(err, ErrClosed)
	fe := fieldErrors(err)
	if !closed && fe == nil {
		return err
	}
	cur, cerr := h.svc.Invitee(r.Context(), token)
	if cerr != nil {
		return cerr
	}
	d := &inviteeData{Invitee: cur, Token: token, Answer: a, Closed: closed}
	if closed {
		d.Answer = Answer{Status: cur.Invitation.Status, Diet: cur.Invitation.Diet, Accessibility: cur.Invitation.Accessibility}
		return h.renderInvitee(w, r, http.StatusConflict, d, web.View{Message: "Sista svarsdag har passerat. Ditt svar kan inte längre ändras."})
	}
	return h.renderInvitee(w, r, fe.Status, d, web.View{Errors: fe.Fields, Message: fe.Message})
}

// --- attendance

type attendanceData struct {
	Year  int
	Years []int
	Rows  []Attendance
	Total Attendance
}

func (h *Handlers) attendance(w http.ResponseWriter, r *http.Request) error {
	now := h.svc.Now().In(Stockholm)
	year := now.Year()
	if s := r.URL.Query().Get("ar"); s != "" {
		y, err := strconv.Atoi(s)
		if err != nil || y < 2000 || y > 2200 {
			return web.BadRequest("Ange ett år mellan 2000 och 2200.")
		}
		year = y
	}
	rows, total, err := h.svc.Attendance(r.Context(), tenantOf(r), year)
	if err != nil {
		return err
	}
	d := attendanceData{Year: year, Rows: rows, Total: total}
	for y := now.Year() + 1; y >= now.Year()-4; y-- {
		d.Years = append(d.Years, y)
	}
	if !slices.Contains(d.Years, year) {
		d.Years = append(d.Years, year)
	}
	return h.rd.Page(w, r, h.pages["attendance.html"], d)
}
