package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/vard-kommun/vard/internal/demo"
)

// TestDoorStaffCheckIn: a kommunadmin puts an ordinary employee on an event's door from the event
// page (a wrong address first gets its message); the employee finds the event on /incheckning and
// checks a guest in on a phone; a chef who is not on the door finds nothing. Every page passes axe.
func TestDoorStaffCheckIn(t *testing.T) {
	s := newSite(t)
	base, guests := s.checkinEvent(t)
	event := strings.TrimSuffix(base, "/incheckning")
	ctx := newPhoneBrowser(t)
	signIn(t, ctx, s, adminEmail, demo.Password)

	visit(t, ctx, s.url(event))
	checkFitsScreen(t, ctx)
	typeInto(t, ctx, "input#door_email", "ingen@exempelby.example")
	if got := press(t, ctx, `form[action$="/entre#entre"] button[type=submit]`); got != http.StatusUnprocessableEntity {
		t.Fatalf("an unknown address answered %d, want 422", got)
	}
	if got := textOf(t, ctx, "p#door_email-error"); got != "Ingen aktiv person i kommunen har den e-postadressen." {
		t.Errorf("the field's message: %q", got)
	}
	checkPage(t, ctx)
	typeInto(t, ctx, "input#door_email", employeeEmail)
	if got := press(t, ctx, `form[action$="/entre#entre"] button[type=submit]`); got != http.StatusOK {
		t.Fatalf("adding the employee ended on %d, want 200", got)
	}
	if got := textOf(t, ctx, "#door-staff"); !strings.Contains(got, employeeEmail) {
		t.Errorf("the door staff table lacks the employee: %q", got)
	}
	checkPage(t, ctx)
	employee := s.person(t, employeeEmail)
	visit(t, ctx, s.url(event+"/entre/"+itoa(employee.ID)+"/ta-bort"))

	signInAs(t, ctx, s, employeeEmail)
	visit(t, ctx, s.url("/incheckning"))
	checkFitsScreen(t, ctx)
	if got := press(t, ctx, `#door-events a[href="`+base+`"]`); got != http.StatusOK {
		t.Fatalf("the link to the door answered %d, want 200", got)
	}
	checkPage(t, ctx)
	scanCode(t, ctx, guests[1].code)
	waitText(t, ctx, ".checkin-ok .checkin-title", "Välkommen, "+guests[1].person.GivenName+"!")
	checkPage(t, ctx)

	signInAs(t, ctx, s, chefEmail)
	visit(t, ctx, s.url("/incheckning"))
	if got := textOf(t, ctx, "main"); !strings.Contains(got, "Du är inte satt att checka in vid något evenemang.") {
		t.Errorf("the chef's /incheckning: %q", got)
	}
	if got := open(t, ctx, s.url(base)); got != http.StatusNotFound {
		t.Errorf("the chef at the door: got %d, want 404", got)
	}
}
