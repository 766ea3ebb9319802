package events

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/web"
	"github.com/vard-kommun/vard/internal/web/webtest"
)

// doorFieldError returns the 422 message on the door staff form's field, or fails.
func doorFieldError(t *testing.T, err error) string {
	t.Helper()
	var e *web.Error
	if !errors.As(err, &e) || e.Status != http.StatusUnprocessableEntity {
		t.Fatalf("got %v, want a 422", err)
	}
	return e.Fields["door_email"]
}

func TestDoorStaff(t *testing.T) {
	f := newCheckinFixture(t)
	ctx := context.Background()
	cev := f.event(t, f.tenant.ID, 0)
	e, err := f.svc.Event(ctx, f.tenant.ID, cev.ID)
	if err != nil {
		t.Fatal(err)
	}
	other, err := f.svc.Org.CreateTenant(ctx, "annanby", "Annanby kommun", nil)
	if err != nil {
		t.Fatal(err)
	}
	foreign := &org.Person{TenantID: other.ID, GivenName: "Fia", FamilyName: "Främling", Email: "fia@annanby.example", Active: true}
	inactive := &org.Person{TenantID: f.tenant.ID, GivenName: "Ida", FamilyName: "Inaktiv", Email: "ida@dorrby.example", Active: false}
	for _, p := range []*org.Person{foreign, inactive} {
		if err := f.svc.Org.SavePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	anna := f.people[0] // p0@dorrby.example

	if ok, err := f.svc.StaffsDoor(ctx, e.ID, anna.ID); ok || err != nil {
		t.Fatalf("before: staffs the door = %v, %v", ok, err)
	}
	p, err := f.svc.AddDoorStaff(ctx, e, "  P0@Dorrby.Example ")
	if err != nil || p.PersonID != anna.ID || p.Name != "Anna Ek" {
		t.Fatalf("add: %+v, %v", p, err)
	}
	if ok, err := f.svc.StaffsDoor(ctx, e.ID, anna.ID); !ok || err != nil {
		t.Fatalf("after: staffs the door = %v, %v", ok, err)
	}
	for _, c := range []struct{ name, email, want string }{
		{"already added", "p0@dorrby.example", msgDoorAlready},
		{"empty", " ", msgDoorEmailMissing},
		{"nobody has it", "ingen@dorrby.example", msgDoorNoPerson},
		{"another kommun's person", foreign.Email, msgDoorNoPerson},
		{"an inactive person", inactive.Email, msgDoorNoPerson},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.AddDoorStaff(ctx, e, c.email)
			if got := doorFieldError(t, err); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
	if _, err := f.svc.AddDoorStaff(ctx, e, f.people[1].Email); err != nil {
		t.Fatal(err)
	}
	list, err := f.svc.DoorStaff(ctx, e)
	if err != nil || len(list) != 2 || list[0].Name != "Anna Ek" || list[1].Name != "Åsa Öberg" {
		t.Fatalf("list: %+v, %v", list, err)
	}
	// Only the events whose door they staff, today's and upcoming ones, not cancelled.
	if evs, err := f.svc.DoorEvents(ctx, f.tenant.ID, anna.ID); err != nil || len(evs) != 1 || evs[0].ID != e.ID {
		t.Fatalf("door events: %+v, %v", evs, err)
	}
	if evs, err := f.svc.DoorEvents(ctx, f.tenant.ID, f.people[2].ID); err != nil || len(evs) != 0 {
		t.Fatalf("door events of someone else: %+v, %v", evs, err)
	}
	if evs, err := f.svc.DoorEvents(ctx, other.ID, anna.ID); err != nil || len(evs) != 0 {
		t.Fatalf("door events in another kommun: %+v, %v", evs, err)
	}
	past := f.event(t, f.tenant.ID, 0)
	if _, err := f.d.Exec(ctx, `UPDATE events SET starts_at = $1, ends_at = $2 WHERE id = $3`,
		db.Now().Add(-72*time.Hour), db.Now().Add(-70*time.Hour), past.ID); err != nil {
		t.Fatal(err)
	}
	cancelled := f.event(t, f.tenant.ID, 0)
	if _, err := f.d.Exec(ctx, `UPDATE events SET cancelled_at = $1 WHERE id = $2`, db.Now(), cancelled.ID); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{past.ID, cancelled.ID} {
		if _, err := f.d.Exec(ctx, `INSERT INTO event_door_staff (event_id, person_id, created_at) VALUES ($1, $2, $3)`, id, anna.ID, db.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if evs, err := f.svc.DoorEvents(ctx, f.tenant.ID, anna.ID); err != nil || len(evs) != 1 || evs[0].ID != e.ID {
		t.Fatalf("door events with a past and a cancelled one: %+v, %v", evs, err)
	}

	if err := f.svc.RemoveDoorStaff(ctx, e, anna.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RemoveDoorStaff(ctx, e, anna.ID); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("removed twice: got %v, want not found", err)
	}
	if ok, err := f.svc.StaffsDoor(ctx, e.ID, anna.ID); ok || err != nil {
		t.Errorf("after removal: staffs the door = %v, %v", ok, err)
	}
	if _, err := f.svc.DoorStaffMember(ctx, e, anna.ID); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("removed member: got %v, want not found", err)
	}
}

// TestDoorPagesAreTranslated checks the door staff's page and messages have English entries.
func TestDoorPagesAreTranslated(t *testing.T) {
	c := &web.Catalog{}
	c.Add(englishDoor())
	texts := webtest.TemplateTexts(t, templates, "templates/door_*.html")
	texts = append(texts, msgDoorEmailMissing, msgDoorNoPerson, msgDoorAlready,
		"Personen kan nu checka in vid evenemanget.", "Ta bort personen från incheckningen?",
		"Personen kan inte längre öppna incheckningen för evenemanget. De som redan är incheckade förblir det.",
		"Ja, ta bort", "Personen är borttagen från incheckningen.")
	for _, text := range texts {
		if !c.Has(text) {
			t.Errorf("no English for %q", text)
		}
	}
}
