package events

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/web"
)

// doorRoutes registers the door staff's pages: the kommunadmin names them on the event page, and they
// find their events at /incheckning, the address to give them.
func (h *Handlers) doorRoutes(rt *web.Router) {
	rt.Handle("POST /evenemang/{id}/entre", web.Admin, h.doorAdd)
	rt.Handle("GET /evenemang/{id}/entre/{person}/ta-bort", web.Admin, h.doorRemoveForm)
	rt.Handle("POST /evenemang/{id}/entre/{person}/ta-bort", web.Admin, h.doorRemove)
	rt.Handle("GET /incheckning", web.SignedIn, h.doorEvents)
}

func doorStaffURL(eventID int64) string { return eventURL(eventID) + "#entre" }

// doorAdd adds a person, by e-mail address, to the event's door staff.
func (h *Handlers) doorAdd(w http.ResponseWriter, r *http.Request) error {
	e, err := h.event(r)
	if err != nil {
		return err
	}
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	email := web.FormValue(r, "door_email")
	_, err = h.svc.AddDoorStaff(r.Context(), e, email)
	if fe := fieldErrors(err); fe != nil {
		d, err := h.eventPageData(r.Context(), e)
		if err != nil {
			return err
		}
		d.DoorEmail = email
		return h.rd.PageStatus(w, r, h.pages["event.html"], fe.Status, web.View{Data: d, Errors: fe.Fields})
	}
	if err != nil {
		return err
	}
	return web.Redirect(w, r, doorStaffURL(e.ID), "Personen kan nu checka in vid evenemanget.")
}

// doorPersonOf reads the event and the door person of the path.
func (h *Handlers) doorPersonOf(r *http.Request) (*Event, *DoorPerson, error) {
	e, err := h.event(r)
	if err != nil {
		return nil, nil, err
	}
	id, err := web.ID(r, "person")
	if err != nil {
		return nil, nil, err
	}
	p, err := h.svc.DoorStaffMember(r.Context(), e, id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, nil, web.NotFound()
	}
	return e, p, err
}

func (h *Handlers) doorRemoveForm(w http.ResponseWriter, r *http.Request) error {
	e, p, err := h.doorPersonOf(r)
	if err != nil {
		return err
	}
	return h.confirm(w, r, confirmData{Heading: "Ta bort personen från incheckningen?", Name: p.Name,
		Text:   "Personen kan inte längre öppna incheckningen för evenemanget. De som redan är incheckade förblir det.",
		Action: eventURL(e.ID) + "/entre/" + strconv.FormatInt(p.PersonID, 10) + "/ta-bort", Button: "Ja, ta bort",
		Back: doorStaffURL(e.ID)})
}

func (h *Handlers) doorRemove(w http.ResponseWriter, r *http.Request) error {
	e, p, err := h.doorPersonOf(r)
	if err != nil {
		return err
	}
	if err := h.svc.RemoveDoorStaff(r.Context(), e, p.PersonID); errors.Is(err, db.ErrNotFound) {
		return web.NotFound()
	} else if err != nil {
		return err
	}
	return web.Redirect(w, r, doorStaffURL(e.ID), "Personen är borttagen från incheckningen.")
}

// doorEvents is /incheckning: the events whose door the viewer staffs.
func (h *Handlers) doorEvents(w http.ResponseWriter, r *http.Request) error {
	v := web.ViewerFrom(r.Context())
	list, err := h.svc.DoorEvents(r.Context(), v.TenantID, v.PersonID)
	if err != nil {
		return err
	}
	return h.rd.Page(w, r, h.pages["door_events.html"], struct {
		Events []*Event
		Admin  bool
	}{list, v.IsAdmin()})
}

// englishDoor returns the door staff's part of the English catalogue.
func englishDoor() map[string]string {
	return map[string]string{
		"Incheckning":            "Check-in",
		"Incheckning vid entrén": "Check-in at the door",
		"De som står här kan checka in gäster vid evenemanget utan att vara kommunadmin. De hittar incheckningen på": "The people listed here can check guests in at the event without being municipal administrators. They find the check-in at",
		"Personer som checkar in": "People who check guests in",
		"Namn":                    "Name",
		"E-post":                  "E-mail",
		"Åtgärder":                "Actions",
		"Ta bort":                 "Delete",
		"Ingen är satt att checka in ännu. Bara kommunadmin kan öppna incheckningen.": "Nobody has been set to check guests in yet. Only municipal administrators can open the check-in.",
		"Kontrollera uppgifterna":                               "Check the details",
		"E-postadress till en person i kommunen":                "E-mail address of a person in the municipality",
		"Lägg till i incheckningen":                             "Add to the check-in",
		"Skriv personens e-postadress.":                         "Type the person's e-mail address.",
		"Ingen aktiv person i kommunen har den e-postadressen.": "No active person in the municipality has that e-mail address.",
		"Personen är redan satt att checka in vid evenemanget.": "The person is already set to check guests in at the event.",
		"Personen kan nu checka in vid evenemanget.":            "The person can now check guests in at the event.",
		"Ta bort personen från incheckningen?":                  "Remove the person from the check-in?",
		"Personen kan inte längre öppna incheckningen för evenemanget. De som redan är incheckade förblir det.": "The person can no longer open the event's check-in. Those already checked in stay checked in.",
		"Ja, ta bort": "Yes, delete",
		"Personen är borttagen från incheckningen.":                                    "The person has been removed from the check-in.",
		"Evenemang där du checkar in gäster vid entrén, idag och framöver.":            "Events where you check guests in at the door, today and later.",
		"Du är inte satt att checka in vid något evenemang.":                           "You are not set to check guests in at any event.",
		"En kommunadmin lägger till dig på evenemangets sida.":                         "A municipal administrator adds you on the event's page.",
		"Som kommunadmin kan du öppna incheckningen för alla kommunens evenemang från": "As a municipal administrator you can open the check-in of all the municipality's events from",
		"evenemangens sidor": "the events' pages",
	}
}
