package surveys_test

import (
	"context"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/surveys"
)

// TestRoundToPeopleChosenOneByOne covers a round whose targets are a list of people (those who
// attended an event): the audience is exactly them, the list is kept with the round so that sending
// again reaches the same people, and it is not mixed with units or roles.
func TestRoundToPeopleChosenOneByOne(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	dept := f.unit(t, 0, org.KindDepartment, "Kultur")
	id := f.tenant.ID
	anna := f.person(t, id, "Anna", "anna@a.se", dept.ID, true)
	bo := f.person(t, id, "Bo", "bo@a.se", dept.ID, true)
	f.person(t, id, "Cilla", "cilla@a.se", dept.ID, true) // in the unit, not chosen
	tor := f.person(t, id, "Tor", "", dept.ID, true)      // chosen, no e-mail
	ivar := f.person(t, id, "Ivar", "ivar@a.se", dept.ID, false)
	other, err := f.org.CreateTenant(ctx, "annanby", "Annanby kommun", nil)
	if err != nil {
		t.Fatal(err)
	}
	olle := f.person(t, other.ID, "Olle", "olle@b.se", 0, true)

	targets := surveys.Targets{PersonIDs: []int64{bo.ID, anna.ID, tor.ID, ivar.ID, olle.ID}}
	a, tree, err := surveys.LoadAudience(ctx, f.org, id, targets)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(a.Reachable); got != "Anna,Bo" {
		t.Errorf("reachable: got %s, want Anna,Bo (inactive and another kommun's people left out)", got)
	}
	if got := names(a.Unreachable); got != "Tor" {
		t.Errorf("unreachable: got %s, want Tor", got)
	}

	sv, err := f.svc.NewSurvey(ctx, id, surveys.NewSurveyInput{Start: surveys.StartLedarforum, Title: "Uppföljning"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	today, last := surveys.Day(time.Now()), surveys.Day(time.Now().AddDate(0, 0, 7))
	t.Run("units and people together are refused", func(t *testing.T) {
		_, err := f.svc.CreateRound(ctx, id, sv.ID, surveys.RoundSpec{Name: "X", FirstDay: today, LastDay: last,
			Targets: surveys.Targets{UnitIDs: []int64{dept.ID}, PersonIDs: []int64{anna.ID}}}, tree)
		if err == nil {
			t.Fatal("got a round, want a refusal")
		}
	})
	t.Run("a person twice is refused", func(t *testing.T) {
		_, err := f.svc.CreateRound(ctx, id, sv.ID, surveys.RoundSpec{Name: "X", FirstDay: today, LastDay: last,
			Targets: surveys.Targets{PersonIDs: []int64{anna.ID, anna.ID}}}, tree)
		if err == nil {
			t.Fatal("got a round, want a refusal")
		}
	})

	var chosen []int64
	for _, rc := range a.Reachable {
		chosen = append(chosen, rc.PersonID)
	}
	chosen = append(chosen, tor.ID)
	r, err := f.svc.CreateRound(ctx, id, sv.ID, surveys.RoundSpec{Name: "Efter forumet", FirstDay: today, LastDay: last,
		Targets: surveys.Targets{PersonIDs: chosen}}, tree)
	if err != nil {
		t.Fatal(err)
	}
	n, err := f.svc.Send(ctx, id, r.ID, a.Reachable, surveys.Letter{Kommun: "Exempelby"})
	if err != nil || n != 2 {
		t.Fatalf("send: got %d invitations, %v; want 2", n, err)
	}
	ri, err := f.svc.RoundInfo(ctx, id, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ri.Targets.PersonIDs) != 3 || len(ri.Targets.UnitIDs) != 0 || len(ri.Targets.Roles) != 0 {
		t.Errorf("stored targets: got %+v, want the three people chosen", ri.Targets)
	}
	// Sending again from the stored targets, as the round page does, adds nobody.
	again, _, err := surveys.LoadAudience(ctx, f.org, id, ri.Targets)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(again.Reachable); got != "Anna,Bo" {
		t.Errorf("audience from the stored targets: got %s, want Anna,Bo", got)
	}
	if n, err := f.svc.Send(ctx, id, r.ID, again.Reachable, surveys.Letter{}); err != nil || n != 0 {
		t.Errorf("send again: got %d new invitations, %v; want 0", n, err)
	}
}
