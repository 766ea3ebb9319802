package events_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/events"
	"github.com/vard-kommun/vard/internal/surveys"
	"github.com/vard-kommun/vard/internal/web"
)

// followupEnv is the fixture with the surveys service wired in, its clock the fixture's.
func followupEnv(t *testing.T, n int) (*fixture, *surveys.Service) {
	t.Helper()
	f := setup(t, n)
	st := surveys.NewStore(f.db)
	st.Now = func() time.Time { return f.now }
	sv := surveys.NewService(st)
	f.svc.Surveys = sv
	return f, sv
}

// answerYes makes the people with the given indexes say yes, and checkIn checks them in at the door.
func (f *fixture) answerYes(t *testing.T, tokens []string, idx ...int) {
	t.Helper()
	for _, i := range idx {
		if _, err := f.svc.Answer(context.Background(), tokens[i], events.Answer{Status: events.StatusYes}); err != nil {
			t.Fatalf("answer of person %d: %v", i, err)
		}
	}
}

func (f *fixture) checkIn(t *testing.T, e *events.Event, emails ...string) {
	t.Helper()
	ctx := context.Background()
	ev, err := f.svc.CheckinEvent(ctx, e.TenantID, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	list, _, err := f.svc.Invitations(ctx, e, events.InvitationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, email := range emails {
		found := false
		for _, inv := range list {
			if inv.Email != email && inv.GuestEmail != email {
				continue
			}
			found = true
			res, err := f.svc.CheckIn(ctx, ev, events.DoorScan{Code: inv.Code, ScanID: "scan-" + email, Door: "Entré"})
			if err != nil || res.Outcome != events.CheckinOK {
				t.Fatalf("check in %s: %v, %+v", email, err, res)
			}
		}
		if !found {
			t.Fatalf("no invitation for %s", email)
		}
	}
}

func email(i int) string { return "p" + strconv.Itoa(i) + "@exempelby.example" }

func followupMails(t *testing.T, f *fixture, roundID int64) int {
	t.Helper()
	return count(t, f.db, `SELECT COUNT(*) FROM mail_messages WHERE dedupe_key LIKE $1`, "survey-round:"+strconv.FormatInt(roundID, 10)+":inv:%")
}

func TestFollowupGoesToThoseWhoWereThere(t *testing.T) {
	f, sv := followupEnv(t, 8)
	ctx := context.Background()
	e := f.event(t, 0)
	if _, err := f.svc.AddInvitees(ctx, e, events.Selection{Guests: "Gunnel Gäst <gunnel@foretaget.se>"}); err != nil {
		t.Fatal(err)
	}
	tokens := f.inviteAll(t, e)
	guestToken := f.tokens(t, e)["gunnel@foretaget.se"]
	f.answerYes(t, tokens, 0, 1, 2, 3)
	if _, err := f.svc.Answer(ctx, guestToken, events.Answer{Status: events.StatusYes}); err != nil {
		t.Fatal(err)
	}
	f.checkIn(t, e, email(0), email(1), email(2), "gunnel@foretaget.se")
	// Person 2 has left the kommun since; person 3 said yes but never came.
	if err := f.org.SetActive(ctx, f.tenant.ID, f.people[2].ID, false); err != nil {
		t.Fatal(err)
	}
	in := events.FollowupInput{Title: events.FollowupTitle(e), FirstDay: "2026-03-13", LastDay: "2026-03-27"}
	letter := surveys.Letter{Kommun: "Exempelby", BaseURL: "https://vard.example"}

	t.Run("refused before the event has ended", func(t *testing.T) {
		_, err := f.svc.SendFollowup(ctx, e, in, letter)
		var we *web.Error
		if !errors.Is(err, events.ErrNotEnded) || !errors.As(err, &we) || we.Status != http.StatusConflict || we.Message == "" {
			t.Fatalf("got %v, want the Swedish refusal (409) for an event not yet ended", err)
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM survey_rounds`); n != 0 {
			t.Errorf("got %d rounds, want none", n)
		}
	})

	f.now = e.EndsAt.Add(2 * time.Hour)
	a, err := f.svc.FollowupAudience(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	if !a.ByCheckin || len(a.Reachable) != 2 || a.Gone != 1 || a.Guests != 1 || len(a.NoEmail) != 0 {
		t.Fatalf("audience: by check-in %v, %d reachable, %d gone, %d guests; want true, 2, 1, 1", a.ByCheckin, len(a.Reachable), a.Gone, a.Guests)
	}
	for _, r := range a.Reachable {
		if r.PersonID != f.people[0].ID && r.PersonID != f.people[1].ID {
			t.Errorf("%s is chosen, but only persons 0 and 1 were there and are still employed", r.Name)
		}
	}

	t.Run("another kommun's event is not found", func(t *testing.T) {
		other, err := f.org.CreateTenant(ctx, "annanby", "Annanby kommun", nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.SendFollowup(ctx, &events.Event{ID: e.ID, TenantID: other.ID}, in, letter)
		if status(err) != http.StatusNotFound {
			t.Fatalf("got %v, want 404", err)
		}
	})

	t.Run("a mistyped day makes no survey", func(t *testing.T) {
		bad := in
		bad.LastDay = "2026-03-01" // before the first day
		_, err := f.svc.SendFollowup(ctx, e, bad, letter)
		var we *web.Error
		if !errors.As(err, &we) || we.Status != http.StatusUnprocessableEntity || we.Fields["last_day"] == "" {
			t.Fatalf("got %v, want 422 on last_day", err)
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM surveys`); n != 0 {
			t.Errorf("got %d surveys, want none", n)
		}
	})

	res, err := f.svc.SendFollowup(ctx, e, in, letter)
	if err != nil {
		t.Fatal(err)
	}
	if res.Again || res.Invited != 2 || res.RoundID == 0 {
		t.Fatalf("first send: %+v, want a new round with 2 invitations", res)
	}
	got, err := f.svc.Event(ctx, f.tenant.ID, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.FollowupRoundID != res.RoundID {
		t.Errorf("event's follow-up round: got %d, want %d", got.FollowupRoundID, res.RoundID)
	}
	ri, err := sv.RoundInfo(ctx, f.tenant.ID, res.RoundID)
	if err != nil {
		t.Fatal(err)
	}
	svy, err := sv.Store.Survey(ctx, f.tenant.ID, ri.SurveyID)
	if err != nil {
		t.Fatal(err)
	}
	if svy.Title != "Uppföljning: Ledarforum våren" || svy.Kind != surveys.KindLedarforum || len(svy.Questions) == 0 {
		t.Errorf("survey: %q, %s, %d questions; want the ledarforum template titled Uppföljning: Ledarforum våren", svy.Title, svy.Kind, len(svy.Questions))
	}
	if ri.Invited != 2 || ri.SentAt == nil || len(ri.Targets.PersonIDs) != 2 {
		t.Errorf("round: %d invited, sent %v, targets %v; want 2, sent, the two people", ri.Invited, ri.SentAt, ri.Targets.PersonIDs)
	}
	if n := followupMails(t, f, res.RoundID); n != 2 {
		t.Errorf("got %d invitation mails, want 2", n)
	}

	t.Run("sending again makes no second round", func(t *testing.T) {
		again, err := f.svc.SendFollowup(ctx, e, in, letter)
		if err != nil {
			t.Fatal(err)
		}
		if !again.Again || again.RoundID != res.RoundID || again.Invited != 0 {
			t.Errorf("second send: %+v, want the same round and nothing new", again)
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM survey_rounds`); n != 1 {
			t.Errorf("got %d rounds, want 1", n)
		}
		if n := followupMails(t, f, res.RoundID); n != 2 {
			t.Errorf("got %d invitation mails, want still 2", n)
		}
	})
}

func TestFollowupFallsBackToYesAndSendsOnceUnderRace(t *testing.T) {
	f, _ := followupEnv(t, 6)
	ctx := context.Background()
	e := f.event(t, 0)
	tokens := f.inviteAll(t, e)
	f.answerYes(t, tokens, 1, 4)
	f.now = e.EndsAt.Add(time.Hour)

	a, err := f.svc.FollowupAudience(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	if a.ByCheckin || len(a.Reachable) != 2 {
		t.Fatalf("audience: by check-in %v, %d reachable; want those who said yes (2), since nobody checked in", a.ByCheckin, len(a.Reachable))
	}

	// Two clicks at once (or two servers): one round, one set of mails.
	in := events.FollowupInput{Title: "Efter forumet", FirstDay: "2026-03-13", LastDay: "2026-03-20"}
	var wg sync.WaitGroup
	results := make([]*events.FollowupResult, 4)
	errs := make([]error, 4)
	for i := range results {
		wg.Go(func() { results[i], errs[i] = f.svc.SendFollowup(ctx, e, in, surveys.Letter{}) })
	}
	wg.Wait()
	var round int64
	for i, err := range errs {
		if err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
		if round == 0 {
			round = results[i].RoundID
		} else if results[i].RoundID != round {
			t.Errorf("send %d made round %d, another made %d", i, results[i].RoundID, round)
		}
	}
	if n := count(t, f.db, `SELECT COUNT(*) FROM survey_rounds`); n != 1 {
		t.Errorf("got %d rounds, want 1", n)
	}
	if n := followupMails(t, f, round); n != 2 {
		t.Errorf("got %d invitation mails, want 2", n)
	}
}

func TestFollowupRefusesCancelledEventAndEmptyAudience(t *testing.T) {
	f, _ := followupEnv(t, 3)
	ctx := context.Background()
	e := f.event(t, 0)
	in := events.FollowupInput{Title: "Efter", FirstDay: "2026-03-13", LastDay: "2026-03-20"}
	f.now = e.EndsAt.Add(time.Hour)
	if _, err := f.svc.SendFollowup(ctx, e, in, surveys.Letter{}); !errors.Is(err, events.ErrNobodyToAsk) {
		t.Errorf("nobody there: got %v, want ErrNobodyToAsk", err)
	}
	if n := count(t, f.db, `SELECT COUNT(*) FROM surveys`); n != 0 {
		t.Errorf("got %d surveys, want none made for nobody", n)
	}
	if err := f.svc.Cancel(ctx, f.tenant.ID, e.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SendFollowup(ctx, e, in, surveys.Letter{}); !errors.Is(err, events.ErrFollowupCancelled) {
		t.Errorf("cancelled: got %v, want ErrFollowupCancelled", err)
	}
}
