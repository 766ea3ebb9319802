package surveys_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/surveys"
)

// randomRollups builds a random tree of units under the fixture's kommun and writes random roll-ups for
// the round straight into the tables (as BenchmarkResultsPage does): small groups, so that Suppress hides
// some and secondary suppression has work, some units without answers, and answers under no unit (0) and
// under a unit that is not in the tree.
func randomRollups(t *testing.T, f *fixture, rng *rand.Rand, sv *surveys.Survey, r *surveys.Round) []*org.Unit {
	t.Helper()
	ctx := context.Background()
	var units []*org.Unit
	for i := range 25 {
		var parent int64
		if i > 0 && rng.IntN(5) > 0 {
			parent = units[rng.IntN(len(units))].ID
		}
		kind := org.KindUnit
		if parent == 0 {
			kind = org.KindDepartment
		}
		units = append(units, f.unit(t, parent, kind, fmt.Sprint("Enhet ", i)))
	}
	ids := []int64{0, 987654321}
	for _, u := range units {
		ids = append(ids, u.ID)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := f.db.Writer().ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range ids {
		if rng.IntN(4) == 0 {
			continue
		}
		n := 1 + rng.IntN(12)
		exec(`INSERT INTO survey_rollup_responses (round_id, unit_id, n) VALUES ($1, $2, $3)`, r.ID, id, n)
		exec(`INSERT INTO survey_rollup_invited (round_id, unit_id, n) VALUES ($1, $2, $3)`, r.ID, id, n+rng.IntN(5))
		for _, q := range sv.Questions {
			var values []int
			switch q.Type {
			case surveys.Likert5:
				values = []int{1, 2, 3, 4, 5}
			case surveys.Scale10:
				values = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
			case surveys.Single:
				values = []int{0, 1}
			case surveys.Multiple:
				values = []int{-1, 0, 1, 2}
			case surveys.Text:
				values = []int{0}
			}
			left := n
			for _, v := range values {
				c := rng.IntN(left + 1)
				if q.Type == surveys.Multiple && v >= 0 {
					c = rng.IntN(n + 1)
				} else {
					left -= c
				}
				if c > 0 {
					exec(`INSERT INTO survey_rollup_counts (round_id, unit_id, question_id, value, n) VALUES ($1, $2, $3, $4, $5)`, r.ID, id, q.ID, v, c)
				}
			}
		}
		if sv.Kind == surveys.KindHME {
			m, l, s := rng.IntN(n+1), rng.IntN(n+1), rng.IntN(n+1)
			tot := min(m, l, s)
			exec(`INSERT INTO survey_rollup_hme (round_id, unit_id, motivation_points, motivation_n, ledarskap_points, ledarskap_n,
				styrning_points, styrning_n, total_points, total_n) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
				r.ID, id, m*(3+rng.IntN(13)), m, l*(3+rng.IntN(13)), l, s*(3+rng.IntN(13)), s, tot*(9+rng.IntN(37)), tot)
		}
	}
	return units
}

// TestPageViewMatchesView: the results page's fast read (every group's n, rate and headline, and the
// selected group's figures summed in SQL) gives exactly what the full computation gives, for random
// roll-ups of every kind of survey, every selected group, and a kommunadmin's and a chef's scope.
func TestPageViewMatchesView(t *testing.T) {
	kinds := []surveys.SurveyInput{
		{Title: "HME", Kind: surveys.KindHME},
		{Title: "Puls", Kind: surveys.KindValuesPulse, Questions: []surveys.QuestionInput{
			{Type: surveys.Likert5, Text: "Vi visar respekt", WordKey: "respekt"},
			{Type: surveys.Single, Text: "Roll", Options: []string{"Chef", "Medarbetare"}},
			{Type: surveys.Likert5, Text: "Vi lyssnar", WordKey: "respekt"},
			{Type: surveys.Likert5, Text: "Vi är modiga", WordKey: "mod"},
		}},
		{Title: "Egen", Kind: surveys.KindCustom, Questions: []surveys.QuestionInput{
			{Type: surveys.Multiple, Text: "Vad", Options: []string{"A", "B", "C"}},
			{Type: surveys.Scale10, Text: "Hur troligt"},
			{Type: surveys.Likert5, Text: "Hur bra"},
			{Type: surveys.Single, Text: "Kanal", Options: []string{"Telefon", "Besök"}},
			{Type: surveys.Text, Text: "Övrigt"},
		}},
		{Title: "Ledarforum", Kind: surveys.KindLedarforum, Questions: []surveys.QuestionInput{{Type: surveys.Text, Text: "Fråga"}}},
	}
	for seed, in := range kinds {
		t.Run(string(in.Kind), func(t *testing.T) {
			f := setup(t)
			ctx := context.Background()
			rng := rand.New(rand.NewPCG(uint64(seed), 42))
			sv, err := f.svc.CreateSurvey(ctx, f.tenant.ID, in)
			if err != nil {
				t.Fatal(err)
			}
			r, err := f.svc.OpenRound(ctx, f.tenant.ID, sv.ID, surveys.RoundInput{OpensAt: time.Now().Add(-time.Hour), ClosesAt: time.Now().Add(time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			units := randomRollups(t, f, rng, sv, r)
			f.closeRound(t, r)
			chef := units[rng.IntN(len(units))]
			chefV := chefViewer(t, f, chef)
			tree := mustTree(t, f)
			scopes := map[string]org.Scope{"admin": tree.ScopeFor(adminViewer()), "chef of " + chef.Name: tree.ScopeFor(chefV)}
			for who, scope := range scopes {
				full, err := f.svc.View(ctx, f.tenant.ID, r.ID, surveys.ViewInput{Tree: tree, Scope: scope})
				if err != nil {
					t.Fatal(err)
				}
				rows := append([]surveys.UnitRow{full.Kommun}, full.Units...)
				if !full.All {
					rows = full.Units
				}
				hidden := 0
				for _, row := range rows {
					if !row.Visible {
						hidden++
					}
				}
				if _, ok := full.Group("u0"); who == "admin" && (hidden == 0 || hidden == len(rows) || !ok) {
					t.Errorf("%s: %d of %d groups hidden, answers under no unit %v; the data tries too little", who, hidden, len(rows), ok)
				}
				if len(rows) == 0 {
					t.Fatalf("%s sees no group", who)
				}
				for _, sel := range rows {
					page, err := f.svc.PageView(ctx, f.tenant.ID, r.ID, surveys.ViewInput{Tree: tree, Scope: scope}, sel.GroupID)
					if err != nil {
						t.Fatal(err)
					}
					if page.All != full.All || len(page.Units) != len(full.Units) || page.Pending {
						t.Fatalf("%s, %s selected: got %d units (all %v), want %d (all %v)", who, sel.GroupID, len(page.Units), page.All, len(full.Units), full.All)
					}
					prow := append([]surveys.UnitRow{page.Kommun}, page.Units...)
					if !page.All {
						prow = page.Units
					}
					for i, want := range rows {
						got := prow[i]
						if got.GroupID != want.GroupID || got.UnitID != want.UnitID || got.Name != want.Name || got.Depth != want.Depth ||
							got.Visible != want.Visible || got.N != want.N || got.Invited != want.Invited || got.Head != want.Head || got.HasHead != want.HasHead {
							t.Errorf("%s, %s selected: row %s got %+v, want %+v", who, sel.GroupID, want.GroupID, got, want)
							continue
						}
						if got.GroupID == sel.GroupID {
							if !reflect.DeepEqual(got.UnitResults, want.UnitResults) {
								t.Errorf("%s: the selected %s's figures\n got %+v\nwant %+v", who, sel.GroupID, got.UnitResults, want.UnitResults)
							}
						} else if got.Questions != nil || got.HME != nil {
							t.Errorf("%s, %s selected: %s carries figures it does not need", who, sel.GroupID, got.GroupID)
						}
					}
				}
			}
		})
	}
}

// TestPendingRoundShowsCountsOnly: while a round with personal links is open, every view carries the
// groups' numbers of answers and response rates only — with the same groups hidden as after it has closed
// — and no distribution, mean, headline or free text; a filter is refused. Once the round has closed the
// figures appear, and if its close is moved into the future again they are hidden again.
func TestPendingRoundShowsCountsOnly(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	u, invited, answers := f.threeUnits(t)
	sv, r := f.openRoundWith(t, citizenSurvey, invited, answers)
	tree := mustTree(t, f)
	scope := tree.ScopeFor(adminViewer())
	in := surveys.ViewInput{Tree: tree, Scope: scope}

	full, err := f.svc.View(ctx, f.tenant.ID, r.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	page, err := f.svc.PageView(ctx, f.tenant.ID, r.ID, in, "u"+fmt.Sprint(u.a.ID))
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]*surveys.View{"view": full, "page": page} {
		if !v.Pending {
			t.Fatalf("%s: an open round with personal links is not pending", name)
		}
		if v.Kommun.N != 13 || v.Kommun.Invited != 21 || v.Kommun.Rate() < 0 {
			t.Errorf("%s: kommun got n=%d invited=%d rate=%v, want 13 of 21 with a rate", name, v.Kommun.N, v.Kommun.Invited, v.Kommun.Rate())
		}
		units := byUnit(v)
		if a := units[u.a.ID]; !a.Visible || a.N != 6 || a.Rate() < 0 {
			t.Errorf("%s: A got %+v, want 6 answers with a rate", name, a)
		}
		if units[u.b.ID].Visible || units[u.c.ID].Visible || units[u.b.ID].N != 0 {
			t.Errorf("%s: B or C shown while pending", name)
		}
		for _, row := range append([]surveys.UnitRow{v.Kommun}, v.Units...) {
			if row.Questions != nil || row.HME != nil || row.HasHead {
				t.Errorf("%s: %s carries figures while pending: %+v", name, row.Name, row)
			}
			if _, ok := surveys.Headline(sv, row.UnitResults); ok || surveys.Words(sv, row.UnitResults) != nil {
				t.Errorf("%s: %s has a headline or values pulse while pending", name, row.Name)
			}
		}
		texts, total, err := f.svc.FreeText(ctx, v, tree, "k", sv.Questions[2].ID, 10, 0)
		if err != nil || total != 0 || texts != nil {
			t.Errorf("%s: free text while pending: %q (%d), %v", name, texts, total, err)
		}
	}
	if _, err := f.svc.View(ctx, f.tenant.ID, r.ID, surveys.ViewInput{Tree: tree, Scope: scope,
		Filter: &surveys.Filter{QuestionID: sv.Questions[1].ID, Option: 0}}); err != surveys.ErrPendingFilter {
		t.Errorf("a filter while pending: got %v, want ErrPendingFilter", err)
	}
	tr, err := f.svc.Trend(ctx, f.tenant.ID, sv.ID, tree, scope, "u"+fmt.Sprint(u.a.ID))
	if err != nil {
		t.Fatal(err)
	}
	if p := tr.Points[0].Row; len(tr.Points) != 1 || !p.Visible || p.N != 6 || p.Questions != nil || p.HasHead {
		t.Errorf("trend while pending: got %+v, want n = 6 only", tr.Points)
	}

	// Closed: the figures appear.
	f.closeRound(t, r)
	closed, err := f.svc.View(ctx, f.tenant.ID, r.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if a := byUnit(closed)[u.a.ID]; closed.Pending || a.Questions == nil || a.Questions[0].Mean != 4.5 || !a.HasHead || a.Head != 4.5 {
		t.Errorf("closed: A got %+v, want its figures", a)
	}
	for i, row := range append([]surveys.UnitRow{closed.Kommun}, closed.Units...) {
		was := append([]surveys.UnitRow{full.Kommun}, full.Units...)[i]
		if row.Visible != was.Visible || row.N != was.N || row.Invited != was.Invited {
			t.Errorf("%s: visibility or n differ between pending and closed: %v %d, %v %d", row.Name, was.Visible, was.N, row.Visible, row.N)
		}
	}
	// The close moved into the future again: hidden again until then.
	if _, err := f.db.Writer().ExecContext(ctx, `UPDATE survey_rounds SET closes_at = $1 WHERE id = $2`, time.Now().Add(time.Hour).UTC(), r.ID); err != nil {
		t.Fatal(err)
	}
	again, err := f.svc.View(ctx, f.tenant.ID, r.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Pending || again.Kommun.Questions != nil {
		t.Errorf("extended: got pending=%v with figures %v", again.Pending, again.Kommun.Questions)
	}
}

// TestOpenLinkRoundIsLive: a round with an open link (citizens at a reception desk) shows its figures
// while it is open.
func TestOpenLinkRoundIsLive(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	desk := f.unit(t, 0, org.KindDepartment, "Medborgarservice")
	sv, err := f.svc.CreateSurvey(ctx, f.tenant.ID, citizenSurvey)
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.svc.OpenRound(ctx, f.tenant.ID, sv.ID, surveys.RoundInput{OpensAt: time.Now().Add(-time.Hour), ClosesAt: time.Now().Add(time.Hour), OpenLink: true, UnitID: desk.ID})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		if _, err := f.svc.Submit(ctx, f.tenant.ID, surveys.Submission{RoundID: r.ID, IdempotencyKey: fmt.Sprint("k", i),
			Answers: []surveys.Answer{{QuestionID: sv.Questions[0].ID, Values: []int{4}}}}); err != nil {
			t.Fatal(err)
		}
	}
	tree := mustTree(t, f)
	v, err := f.svc.View(ctx, f.tenant.ID, r.ID, surveys.ViewInput{Tree: tree, Scope: tree.ScopeFor(adminViewer())})
	if err != nil {
		t.Fatal(err)
	}
	if v.Pending || !v.Kommun.Visible || v.Kommun.Questions == nil || v.Kommun.Questions[0].Mean != 4 || v.Kommun.Head != 4 {
		t.Errorf("open link: got pending=%v %+v, want live figures", v.Pending, v.Kommun)
	}
}
