package events

import (
	"crypto/rand"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/web"
)

// The door's page works without JavaScript: the typed code, the name search and the walk-in form are
// plain forms, and each answer is a whole page with the greeting and the count. checkin.js adds the
// camera, sends scans as JSON, keeps them on the device while the connection is down and refreshes
// the count.

// checkinRoutes registers the check-in pages and their API.
func (h *Handlers) checkinRoutes(rt *web.Router) {
	// Signed in, not Admin: door staff who are not kommunadmins run the check-in too. Each handler
	// lets in a kommunadmin of the kommun or the event's door staff (mayCheckIn); anyone else gets 404.
	rt.Handle("GET /evenemang/{id}/incheckning", web.SignedIn, h.checkinPage)
	rt.Handle("POST /evenemang/{id}/incheckning", web.SignedIn, h.checkinPost)
	rt.Handle("POST /evenemang/{id}/incheckning/oanmald", web.SignedIn, h.checkinWalkIn)
	rt.Handle("GET /evenemang/{id}/incheckning/antal", web.SignedIn, h.checkinCount)
	rt.Handle("POST /evenemang/{id}/incheckning/skanningar", web.SignedIn, h.checkinScans)
	h.doorRoutes(rt)
}

// doorCookie remembers which door a device stands at, so the door is typed once per device.
const doorCookie = "vard_dorr"

// checkinZone is where the door's clock shows times.
var checkinZone = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()

// checkinData is what the door's page shows.
type checkinData struct {
	Event   *CheckinEvent
	Door    string
	Count   CheckinCount
	Result  *scanAnswer
	Query   string
	Matches []*matchView
	More    bool
	Units   []*org.Unit
	WalkIn  WalkInInput
	// ScanID is a fresh id for the next scan made through the page; WalkInID for the walk-in form.
	ScanID   string
	WalkInID string
	Lang     string
}

// matchView is one invitee found by name.
type matchView struct {
	*Arrival
	StatusLabel string
	CheckedAt   string
}

// Arrived is the count of those checked in, written the page's way.
func (d *checkinData) Arrived() string { return checkinNumber(d.Lang, d.Count.Arrived) }

// Expected is the count of those expected, written the page's way.
func (d *checkinData) Expected() string { return checkinNumber(d.Lang, d.Count.Expected) }

// Base is the page's address.
func (d *checkinData) Base() string {
	return "/evenemang/" + strconv.FormatInt(d.Event.ID, 10) + "/incheckning"
}

// checkinNumber writes a count with thousands separated: "1 020" in Swedish, "1,020" in English.
func checkinNumber(lang string, n int) string {
	s := strconv.Itoa(n)
	sep := "\u00a0"
	if lang == "en" {
		sep = ","
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + sep + s[i:]
	}
	return s
}

func newCheckinScanID() string { return rand.Text() }

// checkinEvent reads the event of the path for the viewer's kommun.
func (h *Handlers) checkinEvent(r *http.Request) (*CheckinEvent, error) {
	id, err := web.ID(r, "id")
	if err != nil {
		return nil, err
	}
	ev, err := h.svc.CheckinEvent(r.Context(), web.ViewerFrom(r.Context()).TenantID, id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, web.NotFound()
	}
	if err != nil {
		return nil, err
	}
	return ev, h.mayCheckIn(r, ev)
}

// mayCheckIn lets a kommunadmin of the event's kommun in without asking the database, and anyone else
// only when they staff the event's door; others are told the event does not exist (404), as for
// another kommun's event. The event has already been read for the viewer's kommun.
func (h *Handlers) mayCheckIn(r *http.Request, ev *CheckinEvent) error {
	v := web.ViewerFrom(r.Context())
	if v.IsAdmin() && v.TenantID == ev.TenantID {
		return nil
	}
	ok, err := h.svc.StaffsDoor(r.Context(), ev.ID, v.PersonID)
	if err != nil {
		return err
	}
	if !ok {
		return web.NotFound()
	}
	return nil
}

// checkinDoorOf returns the door the device stands at: the one just given, else the one remembered.
func checkinDoorOf(w http.ResponseWriter, r *http.Request, given string, ok bool) string {
	if ok {
		given = strings.TrimSpace(given)
		if utf8.RuneCountInString(given) > MaxDoor {
			given = string([]rune(given)[:MaxDoor])
		}
		http.SetCookie(w, &http.Cookie{Name: doorCookie, Value: url.QueryEscape(given), Path: "/evenemang/",
			MaxAge: 30 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
		return given
	}
	if c, err := r.Cookie(doorCookie); err == nil {
		if s, err := url.QueryUnescape(c.Value); err == nil && utf8.RuneCountInString(s) <= MaxDoor {
			return s
		}
	}
	return ""
}

func (h *Handlers) checkinPage(w http.ResponseWriter, r *http.Request) error {
	ev, err := h.checkinEvent(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	_, given := q["dorr"]
	d := &checkinData{Event: ev, Door: checkinDoorOf(w, r, q.Get("dorr"), given), Query: strings.TrimSpace(q.Get("q"))}
	return h.renderCheckin(w, r, d, http.StatusOK, web.View{})
}

// renderCheckin fills in what every answer of the page shows (count, matches, förvaltningar, fresh
// scan ids) and renders it.
func (h *Handlers) renderCheckin(w http.ResponseWriter, r *http.Request, d *checkinData, status int, v web.View) error {
	ctx := r.Context()
	var err error
	d.Lang = web.Lang(r)
	if d.Count, err = h.svc.CheckinCount(ctx, d.Event.ID); err != nil {
		return err
	}
	if d.Units, err = h.svc.CheckinUnits(ctx, d.Event.TenantID); err != nil {
		return err
	}
	if utf8.RuneCountInString(d.Query) > 100 {
		d.Query = string([]rune(d.Query)[:100])
	}
	if d.Query != "" {
		found, more, err := h.svc.SearchArrivals(ctx, d.Event.ID, d.Query)
		if err != nil {
			return err
		}
		d.More = more
		for _, a := range found {
			m := &matchView{Arrival: a, StatusLabel: h.checkinT(r, a.Status.Label())}
			if a.CheckedIn {
				m.CheckedAt = a.CheckinAt.In(checkinZone).Format("15:04")
			}
			d.Matches = append(d.Matches, m)
		}
	}
	d.ScanID, d.WalkInID = newCheckinScanID(), newCheckinScanID()
	if status == http.StatusOK || status == http.StatusUnprocessableEntity {
		w.Header().Set("Cache-Control", "no-store")
	}
	v.Data = d
	return h.rd.PageStatus(w, r, h.pages["checkin_door.html"], status, v)
}

func (h *Handlers) checkinT(r *http.Request, sv string) string {
	return h.rd.Catalog.T(web.Lang(r), sv)
}

// checkinPost checks in by a typed code, or by the invitee chosen in the name search.
func (h *Handlers) checkinPost(w http.ResponseWriter, r *http.Request) error {
	ev, err := h.checkinEvent(r)
	if err != nil {
		return err
	}
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	_, given := r.PostForm["dorr"]
	d := &checkinData{Event: ev, Door: checkinDoorOf(w, r, r.PostForm.Get("dorr"), given)}
	scan := DoorScan{ScanID: web.FormValue(r, "scan_id"), Door: d.Door}
	if scan.ScanID == "" {
		scan.ScanID = newCheckinScanID()
	}
	var res *CheckinResult
	if inv := web.FormValue(r, "inbjudan"); inv != "" {
		id, err := strconv.ParseInt(inv, 10, 64)
		if err != nil || id <= 0 {
			return web.BadRequest("Inbjudan finns inte.")
		}
		d.Query = web.FormValue(r, "q")
		res, err = h.svc.CheckInInvitation(r.Context(), ev, id, scan, r.PostForm.Get("anda") == "1")
		if err != nil {
			return h.checkinFailed(w, r, d, err)
		}
	} else {
		scan.Code = web.FormValue(r, "code")
		if scan.Code == "" {
			return h.renderCheckin(w, r, d, http.StatusUnprocessableEntity,
				web.View{Errors: map[string]string{"code": "Skriv koden från inbjudan."}})
		}
		if res, err = h.svc.CheckIn(r.Context(), ev, scan); err != nil {
			return err
		}
	}
	d.Result = h.answer(r, res)
	return h.renderCheckin(w, r, d, http.StatusOK, web.View{})
}

// checkinFailed shows a refusal the door must see (a full or cancelled event) on the page itself.
func (h *Handlers) checkinFailed(w http.ResponseWriter, r *http.Request, d *checkinData, err error) error {
	var e *web.Error
	if errors.As(err, &e) && e.Status < 500 {
		return h.renderCheckin(w, r, d, e.Status, web.View{Errors: e.Fields, Message: e.Message})
	}
	return err
}

// checkinWalkIn adds a walk-in and checks them in.
func (h *Handlers) checkinWalkIn(w http.ResponseWriter, r *http.Request) error {
	ev, err := h.checkinEvent(r)
	if err != nil {
		return err
	}
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	_, given := r.PostForm["dorr"]
	d := &checkinData{Event: ev, Door: checkinDoorOf(w, r, r.PostForm.Get("dorr"), given)}
	d.WalkIn = WalkInInput{Name: web.FormValue(r, "name"), Organisation: web.FormValue(r, "organisation")}
	if u := web.FormValue(r, "unit_id"); u != "" {
		if d.WalkIn.UnitID, err = strconv.ParseInt(u, 10, 64); err != nil {
			d.WalkIn.UnitID = -1
		}
	}
	scan := DoorScan{ScanID: web.FormValue(r, "scan_id"), Door: d.Door}
	if scan.ScanID == "" {
		scan.ScanID = newCheckinScanID()
	}
	res, err := h.svc.WalkIn(r.Context(), ev, d.WalkIn, scan)
	if err != nil {
		return h.checkinFailed(w, r, d, err)
	}
	d.WalkIn = WalkInInput{}
	d.Result = h.answer(r, res)
	return h.renderCheckin(w, r, d, http.StatusOK, web.View{})
}

// checkinCount answers the page's polling for the live count.
func (h *Handlers) checkinCount(w http.ResponseWriter, r *http.Request) error {
	ev, err := h.checkinEvent(r)
	if err != nil {
		return err
	}
	c, err := h.svc.CheckinCount(r.Context(), ev.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return web.WriteJSON(w, http.StatusOK, c)
}

// scanIn is one scan as checkin.js sends it.
type scanIn struct {
	Code      string `json:"code"`
	ScanID    string `json:"scan_id"`
	Door      string `json:"door"`
	ScannedAt string `json:"scanned_at"`
}

// scanBatch is what checkin.js sends: one scan made online, or those kept while offline.
type scanBatch struct {
	Scans []scanIn `json:"scans"`
}

// scanAnswer is the answer to one scan, worded for the door in the viewer's language; the page and
// the JSON show the same.
type scanAnswer struct {
	ScanID       string         `json:"scan_id"`
	Outcome      CheckinOutcome `json:"outcome"`
	Title        string         `json:"title"`
	Name         string         `json:"name,omitempty"`
	Lines        []string       `json:"lines,omitempty"`
	Message      string         `json:"message,omitempty"`
	FirstDoor    string         `json:"first_door,omitempty"`
	FirstAt      *time.Time     `json:"first_at,omitempty"`
	InvitationID int64          `json:"invitation_id,omitempty"`
	// Anyway is set when the door may check them in anyway (someone who has not said yes).
	Anyway bool `json:"anyway,omitempty"`
	// Added is set when this scan checked them in just now, not for a scan sent again.
	Added bool `json:"added,omitempty"`
}

type scanReply struct {
	Results []*scanAnswer `json:"results"`
}

// checkinScans takes a batch of scans from checkin.js and answers each.
func (h *Handlers) checkinScans(w http.ResponseWriter, r *http.Request) error {
	id, err := web.ID(r, "id")
	if err != nil {
		return err
	}
	ev, err := h.svc.DoorEvent(r.Context(), web.ViewerFrom(r.Context()).TenantID, id)
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound()
	}
	if err != nil {
		return err
	}
	if err := h.mayCheckIn(r, ev); err != nil {
		return err
	}
	var in scanBatch
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if len(in.Scans) > MaxScansPerBatch {
		return web.BadRequest("Högst 500 skanningar åt gången.")
	}
	scans := make([]DoorScan, len(in.Scans))
	for i, s := range in.Scans {
		scans[i] = DoorScan{Code: s.Code, ScanID: s.ScanID, Door: s.Door}
		if t, err := time.Parse(time.RFC3339Nano, s.ScannedAt); err == nil {
			scans[i].ScannedAt = t
		}
	}
	// No count in the answer: counting every check-in of the event for every scan would cost more than
	// the scan itself in a rush. The page adds the scans it stored ("added") and polls for the rest.
	results, err := h.svc.CheckInBatch(r.Context(), ev, scans)
	if err != nil {
		return err
	}
	reply := scanReply{Results: make([]*scanAnswer, len(results))}
	for i, res := range results {
		reply.Results[i] = h.answer(r, res)
	}
	w.Header().Set("Cache-Control", "no-store")
	return web.WriteJSON(w, http.StatusOK, reply)
}

// answer words a scan's result for the door.
func (h *Handlers) answer(r *http.Request, res *CheckinResult) *scanAnswer {
	t := func(s string) string { return h.checkinT(r, s) }
	ans := &scanAnswer{ScanID: res.ScanID, Outcome: res.Outcome, Added: res.Added}
	a := res.Arrival
	if a != nil {
		ans.Name = a.Name
		ans.InvitationID = a.InvitationID
		if a.Organisation != "" {
			ans.Lines = append(ans.Lines, a.Organisation)
		} else if a.Unit != "" {
			ans.Lines = append(ans.Lines, a.Unit)
		}
		if a.GroupNumber > 0 {
			g := t("Minglegrupp") + " " + strconv.Itoa(a.GroupNumber)
			if a.GroupRound > 1 {
				g += " (" + t("omgång") + " " + strconv.Itoa(a.GroupRound) + ")"
			}
			ans.Lines = append(ans.Lines, g)
		}
		if a.Host {
			ans.Lines = append(ans.Lines, t("Värd för en minglegrupp"))
		}
		if a.Accessibility != "" {
			ans.Lines = append(ans.Lines, t("Tillgänglighet")+": "+a.Accessibility)
		}
		if a.Diet != "" {
			ans.Lines = append(ans.Lines, t("Kost")+": "+a.Diet)
		}
	}
	switch res.Outcome {
	case CheckinOK:
		ans.Title = t("Välkommen") + ", " + a.GivenName + "!"
		if a.GivenName == "" {
			ans.Title = t("Välkommen") + "!"
		}
	case CheckinDuplicate:
		at := a.CheckinAt.In(checkinZone)
		ans.Title = t("Redan incheckad kl") + " " + at.Format("15:04")
		if a.CheckinDoor != "" {
			ans.Title += " " + t("vid") + " " + a.CheckinDoor
		}
		ans.FirstDoor, ans.FirstAt = a.CheckinDoor, &a.CheckinAt
		ans.Message = t("Räknas inte en gång till.")
	case CheckinUnknown:
		ans.Title = t("Okänd kod")
		ans.Message = t("Ingen inbjudan till det här evenemanget har den koden. Kontrollera koden eller sök på namnet.")
	case CheckinNotExpected:
		ans.Title = t("Inte incheckad")
		switch a.Status {
		case StatusNo:
			ans.Message = t("Har tackat nej till evenemanget.")
		case StatusWaitlist:
			ans.Message = t("Står på väntelistan.")
		default:
			ans.Message = t("Har inte svarat på inbjudan.")
		}
		ans.Message += " " + t("Checka in ändå om det finns en ledig plats.")
		ans.Anyway = true
	case CheckinCancelled:
		ans.Title = t("Inte incheckad")
		ans.Message = t(errCheckinCancelled.Message)
	case CheckinInvalid:
		ans.Title = t("Skanningen kunde inte användas")
		ans.Message = t(res.Message)
	}
	return ans
}

// englishCheckin returns the check-in pages' part of the English catalogue.
func englishCheckin() map[string]string {
	return map[string]string{
		"Incheckning":       "Check-in",
		"Ingång":            "Entrance",
		"Byt ingång":        "Change entrance",
		"Spara ingång":      "Save entrance",
		"Ingen ingång vald": "No entrance chosen",
		"Skriv vilken ingång du står vid, till exempel Entré A. Den visas när någon redan har checkats in.": "Type which entrance you are at, for example Entrance A. It is shown when someone has already been checked in.",
		"Incheckade":     "Checked in",
		"av":             "of",
		"förväntade":     "expected",
		"Skanna QR-kod":  "Scan QR code",
		"Starta kameran": "Start the camera",
		"Stoppa kameran": "Stop the camera",
		"Håll QR-koden från inbjudan framför kameran.":       "Hold the QR code from the invitation in front of the camera.",
		"Kameran kunde inte startas. Skriv koden i stället.": "The camera could not be started. Type the code instead.",
		"Skriv koden":       "Type the code",
		"Kod från inbjudan": "Code from the invitation",
		"Koden står under QR-koden, till exempel K7PM 4XQ2.": "The code is printed under the QR code, for example K7PM 4XQ2.",
		"Checka in":                        "Check in",
		"Checka in ändå":                   "Check in anyway",
		"Sök på namn":                      "Search by name",
		"Namn":                             "Name",
		"Sök":                              "Search",
		"Inga inbjudna matchar sökningen.": "No invitees match the search.",
		"Visar de 25 första. Skriv mer av namnet för att hitta fler.": "Showing the first 25. Type more of the name to find others.",
		"Svar":                   "Answer",
		"Incheckad kl":           "Checked in at",
		"Oanmäld":                "Walk-in",
		"Lägg till oanmäld gäst": "Add a walk-in",
		"För den som kommer utan inbjudan. Personen checkas in direkt om det finns en ledig plats.": "For someone who comes without an invitation. They are checked in at once if a place is free.",
		"Förvaltning (valfritt)":                            "Department (optional)",
		"Ingen förvaltning, eller extern gäst":              "No department, or an external guest",
		"Organisation (för externa gäster, valfritt)":       "Organisation (for external guests, optional)",
		"Lägg till och checka in":                           "Add and check in",
		"Kontrollera uppgifterna":                           "Check the details",
		"Skriv koden från inbjudan.":                        "Type the code from the invitation.",
		"Skriv personens namn.":                             "Type the person's name.",
		"Namnet får vara högst 120 tecken.":                 "The name may be at most 120 characters.",
		"Organisationen får vara högst 120 tecken.":         "The organisation may be at most 120 characters.",
		"Välj en förvaltning i listan.":                     "Choose a department from the list.",
		"Inbjudan finns inte.":                              "The invitation does not exist.",
		"Högst 500 skanningar åt gången.":                   "At most 500 scans at a time.",
		"Sparad – skickas när anslutningen är tillbaka.":    "Saved – will be sent when the connection is back.",
		"skanningar väntar på att skickas":                  "scans waiting to be sent",
		"skanning väntar på att skickas":                    "scan waiting to be sent",
		"Skickade när anslutningen kom tillbaka":            "Sent when the connection came back",
		"Ingen anslutning. Skanningarna sparas på enheten.": "No connection. Scans are kept on the device.",
		"Logga in igen för att skicka skanningarna.":        "Sign in again to send the scans.",
		"Minglegrupp":               "Mingling group",
		"omgång":                    "round",
		"Värd för en minglegrupp":   "Hosts a mingling group",
		"Tillgänglighet":            "Accessibility",
		"Kost":                      "Diet",
		"Välkommen":                 "Welcome",
		"Redan incheckad kl":        "Already checked in at",
		"vid":                       "at",
		"Räknas inte en gång till.": "Not counted again.",
		"Okänd kod":                 "Unknown code",
		"Ingen inbjudan till det här evenemanget har den koden. Kontrollera koden eller sök på namnet.": "No invitation to this event has that code. Check the code or search by name.",
		"Inte incheckad":                                                           "Not checked in",
		"Har tackat nej till evenemanget.":                                         "Has declined the event.",
		"Står på väntelistan.":                                                     "Is on the waitlist.",
		"Har inte svarat på inbjudan.":                                             "Has not answered the invitation.",
		"Checka in ändå om det finns en ledig plats.":                              "Check them in anyway if a place is free.",
		"Skanningen kunde inte användas":                                           "The scan could not be used",
		"Skanningens id används redan av en annan skanning.":                       "The scan's id is already used by another scan.",
		"Skanningen saknar id.":                                                    "The scan has no id.",
		"Evenemanget är fullt. Det finns ingen ledig plats att checka in fler på.": "The event is full. There is no free place to check in anyone else.",
		"Evenemanget är inställt. Ingen kan checkas in.":                           "The event is cancelled. Nobody can be checked in.",
		"Evenemanget är inställt.":                                                 "The event is cancelled.",
	}
}
