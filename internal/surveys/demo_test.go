package surveys_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/auth"
	"github.com/vard-kommun/vard/internal/db/dbtest"
	"github.com/vard-kommun/vard/internal/demo"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/surveys"
)

// TestDemoSurveys: the demo kommun has an HME round, closed, answered by about 60 % of its people, with
// roll-ups that agree with the stored responses, and an open citizen round; generating again adds none.
func TestDemoSurveys(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	o := org.NewService(org.NewStore(d))
	start := time.Now()
	tenantID, err := demo.Generate(ctx, d, o, auth.NewService(d, slog.New(slog.NewTextHandler(io.Discard, nil)), false), demo.Options{Slug: "exempelby", Name: "Exempelby kommun", Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("demo kommun with surveys in %v", time.Since(start).Round(time.Millisecond))
	svc := surveys.NewService(surveys.NewStore(d))
	list, total, err := svc.Surveys(ctx, tenantID, 10, 0)
	if err != nil || total != 2 {
		t.Fatalf("got %d surveys (%v), want 2", total, err)
	}
	people, err := surveys.ActivePeople(ctx, o, tenantID)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := o.Tree(ctx, tenantID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		rounds, err := svc.Rounds(ctx, tenantID, s.ID)
		if err != nil || len(rounds) != 1 {
			t.Fatalf("survey %s has %d rounds (%v), want 1", s.Title, len(rounds), err)
		}
		r := rounds[0]
		res, err := svc.Results(ctx, tenantID, r.ID, tree)
		if err != nil {
			t.Fatal(err)
		}
		if res.Kommun.N != r.Answered {
			t.Errorf("%s: the roll-ups count %d responses, the table %d", s.Title, res.Kommun.N, r.Answered)
		}
		switch s.Kind {
		case surveys.KindHME:
			if r.Open(time.Now()) || r.OpenLink {
				t.Errorf("the HME round is open %v, open link %v; want a closed round of personal links", r.Open(time.Now()), r.OpenLink)
			}
			if share := float64(r.Answered) / float64(len(people)); share < 0.5 || share > 0.7 {
				t.Errorf("%d of %d people answered HME, want about 60 %%", r.Answered, len(people))
			}
			if res.Kommun.HME == nil || res.Kommun.HME.Total.Value <= 0 {
				t.Errorf("the HME index is %+v, want one", res.Kommun.HME)
			}
		case surveys.KindCitizen:
			if !r.Open(time.Now()) || !r.OpenLink || r.Answered < 20 {
				t.Errorf("the citizen round: open %v, open link %v, %d answers", r.Open(time.Now()), r.OpenLink, r.Answered)
			}
		}
	}
	if err := surveys.Demo(ctx, d, o, tenantID); err != nil {
		t.Fatal(err)
	}
	if _, total, _ := svc.Surveys(ctx, tenantID, 10, 0); total != 2 {
		t.Errorf("generating again made %d surveys, want still 2", total)
	}
}

// BenchmarkSendToTheDemoKommun sends a round to all of the demo kommun's 1,400 people: invitations and
// their mails in batches of SendBatch, each batch one transaction.
func BenchmarkSendToTheDemoKommun(b *testing.B) {
	ctx := context.Background()
	d := dbtest.Open(b)
	o := org.NewService(org.NewStore(d))
	tenantID, err := demo.Generate(ctx, d, o, auth.NewService(d, slog.New(slog.NewTextHandler(io.Discard, nil)), false), demo.Options{Slug: "exempelby", Name: "Exempelby kommun", Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	svc := surveys.NewService(surveys.NewStore(d))
	tree, _ := o.Tree(ctx, tenantID)
	var all surveys.Targets
	for _, u := range tree.Roots {
		all.UnitIDs = append(all.UnitIDs, u.ID)
	}
	all.Subtree = true
	a, _, err := surveys.LoadAudience(ctx, o, tenantID, all)
	if err != nil {
		b.Fatal(err)
	}
	today := surveys.Day(time.Now())
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		sv, err := svc.CreateSurvey(ctx, tenantID, surveys.SurveyInput{Title: "HME", Kind: surveys.KindHME})
		if err != nil {
			b.Fatal(err)
		}
		r, err := svc.CreateRound(ctx, tenantID, sv.ID, surveys.RoundSpec{Name: "Bänk", FirstDay: today, LastDay: today, Targets: all}, tree)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		n, err := svc.Send(ctx, tenantID, r.ID, a.Reachable, surveys.Letter{Kommun: "Exempelby kommun", BaseURL: "https://vard.test"})
		if err != nil || n != len(a.Reachable) {
			b.Fatalf("sent %d of %d: %v", n, len(a.Reachable), err)
		}
	}
	b.ReportMetric(float64(len(a.Reachable)), "invitations/op")
}
