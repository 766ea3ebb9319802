package app_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/vard-kommun/vard/internal/org"
)

// TestDoorStaff: a kommunadmin lets an ordinary employee run an event's check-in; the employee checks
// guests in without JavaScript and through the scans endpoint, finds the event on /incheckning, and is
// shut out again once removed. Anyone not on the door is told the event does not exist.
func TestDoorStaff(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.checkinEventA(t)
	event := "/evenemang/" + itoa(id)
	base := event + "/incheckning"
	scans := base + "/skanningar"
	email := func(e string) url.Values { return url.Values{"door_email": {e}} }
	adminB := func(f *fixture) *org.Person { return f.adminB }
	session := func(p *org.Person) string {
		tok, err := f.app.Auth.NewSession(ctx, p.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	erik, chefTok := session(f.employeeA), session(f.chefA)
	scan := func(code, scanID string) string {
		return `{"scans":[{"code":"` + code + `","scan_id":"` + scanID + `","door":"Entré A"}]}`
	}

	f.check(t, []scenario{
		{name: "the event page has the section", as: admin, path: path(event), wantStatus: http.StatusOK,
			wantText: []string{`id="entre"`, "Incheckning vid entrén", "Ingen är satt att checka in ännu.", `for="door_email"`, "/incheckning"}},
		{name: "not yet on the door: 404", as: employee, path: path(base), wantStatus: http.StatusNotFound},
		{name: "nothing on /incheckning yet", as: employee, path: path("/incheckning"), wantStatus: http.StatusOK,
			wantText: []string{"Du är inte satt att checka in vid något evenemang."}, notText: []string{base}},
		{name: "no address", as: admin, method: http.MethodPost, path: path(event + "/entre"), form: email(" "),
			wantStatus: http.StatusUnprocessableEntity,
			wantText:   []string{"Skriv personens e-postadress.", `href="#door_email"`, `aria-invalid="true"`}},
		{name: "nobody has the address", as: admin, method: http.MethodPost, path: path(event + "/entre"), form: email("ingen@a.example"),
			wantStatus: http.StatusUnprocessableEntity,
			wantText:   []string{"Ingen aktiv person i kommunen har den e-postadressen.", `value="ingen@a.example"`}},
		{name: "another kommun's person", as: admin, method: http.MethodPost, path: path(event + "/entre"), form: email("admin@b.example"),
			wantStatus: http.StatusUnprocessableEntity, wantText: []string{"Ingen aktiv person i kommunen har den e-postadressen."}},
		{name: "another kommun's admin cannot add", as: adminB, method: http.MethodPost, path: path(event + "/entre"),
			form: email("admin@b.example"), wantStatus: http.StatusNotFound},
		{name: "an employee cannot add", as: employee, method: http.MethodPost, path: path(event + "/entre"),
			form: email("medarbetare@a.example"), wantStatus: http.StatusForbidden},
		{name: "the admin adds Erik", as: admin, method: http.MethodPost, path: path(event + "/entre"), form: email(" Medarbetare@A.example "),
			wantStatus: http.StatusSeeOther},
		{name: "Erik twice", as: admin, method: http.MethodPost, path: path(event + "/entre"), form: email("medarbetare@a.example"),
			wantStatus: http.StatusUnprocessableEntity, wantText: []string{"Personen är redan satt att checka in vid evenemanget."}},
		{name: "the event page lists Erik", as: admin, path: path(event), wantStatus: http.StatusOK,
			wantText: []string{"Erik Testsson", "medarbetare@a.example", event + "/entre/" + itoa(f.employeeA.ID) + "/ta-bort"},
			notText:  []string{"Ingen är satt att checka in ännu."}},
		{name: "Erik opens the door's page", as: employee, path: path(base + "?dorr=Entré+A"), wantStatus: http.StatusOK,
			wantText: []string{"Incheckning: Ledarforum våren", "Kod från inbjudan", "Lägg till oanmäld gäst"}},
		{name: "Erik checks himself in without JavaScript", as: employee, method: http.MethodPost, path: path(base),
			form: url.Values{"code": {"ERIK2345"}, "scan_id": {"d1"}, "dorr": {"Entré A"}}, wantStatus: http.StatusOK,
			wantText: []string{"Välkommen, Erik!", "<strong data-arrived>1</strong>"}},
		{name: "Erik sees the count", as: employee, path: path(base + "/antal"), wantStatus: http.StatusOK,
			wantText: []string{`"arrived":1`}},
		{name: "Erik adds a walk-in", as: employee, method: http.MethodPost, path: path(base + "/oanmald"),
			form: url.Values{"name": {"Gustav Gäst"}, "scan_id": {"dw1"}}, wantStatus: http.StatusOK, wantText: []string{"Välkommen, Gustav!"}},
		{name: "Erik finds the event on /incheckning", as: employee, path: path("/incheckning"), wantStatus: http.StatusOK,
			wantText: []string{`href="` + base + `"`, "Ledarforum våren"}, notText: []string{"Du är inte satt att checka in"}},
		{name: "but not the rest of the event", as: employee, path: path(event), wantStatus: http.StatusForbidden},
		{name: "the chef is not on the door", as: chef, path: path(base), wantStatus: http.StatusNotFound},
		{name: "nor on the count", as: chef, path: path(base + "/antal"), wantStatus: http.StatusNotFound},
		{name: "another kommun's admin", as: adminB, path: path(base), wantStatus: http.StatusNotFound},
	})

	if rec, reply := postScans(t, f.app.Handler, scans, erik, scan("CECI2345", "d2")); rec.Code != http.StatusOK ||
		len(reply.Results) != 1 || reply.Results[0].Outcome != "ok" || !reply.Results[0].Added {
		t.Fatalf("Erik's scan: %d %+v", rec.Code, reply)
	}
	if rec, _ := postScans(t, f.app.Handler, scans, chefTok, scan("CECI2345", "d3")); rec.Code != http.StatusNotFound {
		t.Errorf("the chef's scan: got %d, want 404", rec.Code)
	}

	f.check(t, []scenario{
		{name: "removing asks first", as: admin, path: path(event + "/entre/" + itoa(f.employeeA.ID) + "/ta-bort"), wantStatus: http.StatusOK,
			wantText: []string{"Ta bort personen från incheckningen?", "Erik Testsson", "Ja, ta bort"}},
		{name: "someone not on the door", as: admin, path: path(event + "/entre/" + itoa(f.victimA.ID) + "/ta-bort"), wantStatus: http.StatusNotFound},
		{name: "another kommun's admin cannot remove", as: adminB, method: http.MethodPost,
			path: path(event + "/entre/" + itoa(f.employeeA.ID) + "/ta-bort"), form: url.Values{}, wantStatus: http.StatusNotFound},
		{name: "the admin removes Erik", as: admin, method: http.MethodPost, path: path(event + "/entre/" + itoa(f.employeeA.ID) + "/ta-bort"),
			form: url.Values{}, wantStatus: http.StatusSeeOther},
		{name: "removed twice", as: admin, method: http.MethodPost, path: path(event + "/entre/" + itoa(f.employeeA.ID) + "/ta-bort"),
			form: url.Values{}, wantStatus: http.StatusNotFound},
		{name: "Erik is shut out again", as: employee, path: path(base), wantStatus: http.StatusNotFound},
		{name: "also from the forms", as: employee, method: http.MethodPost, path: path(base),
			form: url.Values{"code": {"VERA2345"}, "scan_id": {"d4"}}, wantStatus: http.StatusNotFound},
		{name: "and from /incheckning", as: employee, path: path("/incheckning"), wantStatus: http.StatusOK,
			wantText: []string{"Du är inte satt att checka in vid något evenemang."}},
	})
	if rec, _ := postScans(t, f.app.Handler, scans, erik, scan("VERA2345", "d5")); rec.Code != http.StatusNotFound {
		t.Errorf("Erik's scan after removal: got %d, want 404", rec.Code)
	}
}
