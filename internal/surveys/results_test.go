package surveys_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/surveys"
	"github.com/vard-kommun/vard/internal/web"
)

// citizenSurvey has a Likert question, a background question to filter by, and free text.
var citizenSurvey = surveys.SurveyInput{Title: "Bemötande", Kind: surveys.KindCitizen, Questions: []surveys.QuestionInput{
	{Type: surveys.Likert5, Text: "Blev du väl bemött?", Required: true},
	{Type: surveys.Single, Text: "Hur kontaktade du oss?", Options: []string{"Telefon", "Besök"}},
	{Type: surveys.Text, Text: "Något du vill tillägga?"},
}}

// answer is one respondent: the Likert value, the background option (−1 none) and a text ("" none).
type answer struct {
	likert, contact int
	text            string
}

// roundWith opens a round of the survey, submits, per unit, invited personal links of which the answers
// are used, and closes the round, so that its figures are shown.
func (f *fixture) roundWith(t *testing.T, in surveys.SurveyInput, invited map[int64]int, answers map[int64][]answer) (*surveys.Survey, *surveys.Round) {
	t.Helper()
	sv, r := f.openRoundWith(t, in, invited, answers)
	f.closeRound(t, r)
	return sv, r
}

// closeRound moves the round's close a minute into the past.
func (f *fixture) closeRound(t testing.TB, r *surveys.Round) {
	t.Helper()
	r.ClosesAt = time.Now().Add(-time.Minute).UTC()
	if _, err := f.db.Writer().ExecContext(context.Background(), `UPDATE survey_rounds SET closes_at = $1 WHERE id = $2`, r.ClosesAt, r.ID); err != nil {
		t.Fatal(err)
	}
}

// openRoundWith is roundWith with the round left open.
func (f *fixture) openRoundWith(t *testing.T, in surveys.SurveyInput, invited map[int64]int, answers map[int64][]answer) (*surveys.Survey, *surveys.Round) {
	t.Helper()
	ctx := context.Background()
	sv, err := f.svc.CreateSurvey(ctx, f.tenant.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.svc.OpenRound(ctx, f.tenant.ID, sv.ID, surveys.RoundInput{OpensAt: time.Now().Add(-time.Hour), ClosesAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for unit, n := range invited {
		invitees := make([]surveys.Invitee, n)
		for j := range invitees {
			invitees[j] = surveys.Invitee{UnitID: unit}
		}
		tokens, err := f.svc.Invite(ctx, f.tenant.ID, r.ID, invitees)
		if err != nil {
			t.Fatal(err)
		}
		for j, a := range answers[unit] {
			i++
			list := []surveys.Answer{{QuestionID: sv.Questions[0].ID, Values: []int{a.likert}}}
			if a.contact >= 0 {
				list = append(list, surveys.Answer{QuestionID: sv.Questions[1].ID, Values: []int{a.contact}})
			}
			if a.text != "" {
				list = append(list, surveys.Answer{QuestionID: sv.Questions[2].ID, Text: a.text})
			}
			if _, err := f.svc.Submit(ctx, f.tenant.ID, surveys.Submission{RoundID: r.ID, Token: tokens[j], IdempotencyKey: fmt.Sprint(i), Answers: list}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return sv, r
}

func many(n int, a answer) []answer {
	out := make([]answer, n)
	for i := range out {
		out[i] = a
	}
	return out
}

type tree3 struct {
	dept, a, b, c *org.Unit
}

// threeUnits is Socialförvaltningen with Enhet A (6 answers of 8 invited), B (5 of 10) and C (2 of 3).
func (f *fixture) threeUnits(t *testing.T) (tree3, map[int64]int, map[int64][]answer) {
	u := tree3{dept: f.unit(t, 0, org.KindDepartment, "Socialförvaltningen")}
	u.a = f.unit(t, u.dept.ID, org.KindUnit, "Enhet A")
	u.b = f.unit(t, u.dept.ID, org.KindUnit, "Enhet B")
	u.c = f.unit(t, u.dept.ID, org.KindUnit, "Enhet C")
	invited := map[int64]int{u.a.ID: 8, u.b.ID: 10, u.c.ID: 3}
	answers := map[int64][]answer{
		u.a.ID: append(many(3, answer{5, 0, "Mycket bra"}), many(3, answer{4, 1, ""})...), // mean 4.5; Telefon 3, Besök 3
		u.b.ID: append(many(4, answer{2, 0, ""}), answer{1, -1, "Dåligt"}),                // mean 1.8
		u.c.ID: {{3, 0, "Hemligt"}, {3, 1, ""}},
	}
	return u, invited, answers
}

func byUnit(v *surveys.View) map[int64]surveys.UnitRow {
	m := map[int64]surveys.UnitRow{}
	for _, u := range v.Units {
		m[u.UnitID] = u
	}
	return m
}

func TestViewFiguresRatesAndSuppression(t *testing.T) {
	f := setup(t)
	u, invited, answers := f.threeUnits(t)
	sv, r := f.roundWith(t, citizenSurvey, invited, answers)
	chefOfB := chefViewer(t, f, u.b)
	tree := mustTree(t, f)
	v, err := f.svc.View(context.Background(), f.tenant.ID, r.ID, surveys.ViewInput{Tree: tree, Scope: tree.ScopeFor(adminViewer())})
	if err != nil {
		t.Fatal(err)
	}
	if v.Kommun.N != 13 || v.Kommun.Invited != 21 || math.Abs(v.Kommun.Rate()-100*13.0/21) > 1e-9 {
		t.Errorf("kommun: got n=%d invited=%d rate=%v, want 13 of 21", v.Kommun.N, v.Kommun.Invited, v.Kommun.Rate())
	}
	// Likert: 3×5 + 3×4 + 4×2 + 1 + 2×3 = 42 over 13.
	if got := v.Kommun.Questions[0].Mean; math.Abs(got-42.0/13) > 1e-9 {
		t.Errorf("kommun mean: got %v, want %v", got, 42.0/13)
	}
	units := byUnit(v)
	// C has 2 answers; Socialförvaltningen − A − B would give it, so B, the smaller of A and B, is hidden too.
	for _, c := range []struct {
		unit    *org.Unit
		visible bool
		n       int
		invited int
	}{{u.dept, true, 13, 21}, {u.a, true, 6, 8}, {u.b, false, 0, 10}, {u.c, false, 0, 3}} {
		got := units[c.unit.ID]
		if got.Visible != c.visible || got.N != c.n || got.Invited != c.invited || (!c.visible && (got.Questions != nil || got.Rate() >= 0)) {
			t.Errorf("%s: got visible=%v n=%d invited=%d rate=%v, want visible=%v n=%d invited=%d and no figures when hidden",
				c.unit.Name, got.Visible, got.N, got.Invited, got.Rate(), c.visible, c.n, c.invited)
		}
	}
	a := units[u.a.ID]
	if a.Questions[0].Mean != 4.5 || a.Questions[0].Counts[5] != 3 || a.Questions[1].Counts[0] != 3 || a.Questions[1].Counts[1] != 3 || a.Questions[2].Counts[0] != 3 {
		t.Errorf("Enhet A: got %+v", a.Questions)
	}
	if x, ok := surveys.Headline(sv, a.UnitResults); !ok || x != 4.5 {
		t.Errorf("headline of A: got %v %v, want 4.5", x, ok)
	}

	// A chef of B sees B, hidden just as for the kommunadmin, and nothing else.
	chef := tree.ScopeFor(chefOfB)
	cv, err := f.svc.View(context.Background(), f.tenant.ID, r.ID, surveys.ViewInput{Tree: tree, Scope: chef})
	if err != nil {
		t.Fatal(err)
	}
	if len(cv.Units) != 1 || cv.Units[0].UnitID != u.b.ID || cv.Units[0].Visible || cv.All {
		t.Errorf("chef of B: got %+v, want B alone and hidden", cv.Units)
	}

	// Free text: only for shown groups, and a group's texts only.
	texts, total, err := f.svc.FreeText(context.Background(), v, tree, "u"+fmt.Sprint(u.a.ID), sv.Questions[2].ID, 10, 0)
	if err != nil || total != 3 || len(texts) != 3 || texts[0] != "Mycket bra" {
		t.Errorf("free text of A: got %q (%d), %v", texts, total, err)
	}
	texts, total, _ = f.svc.FreeText(context.Background(), v, tree, "u"+fmt.Sprint(u.c.ID), sv.Questions[2].ID, 10, 0)
	if total != 0 || texts != nil {
		t.Errorf("free text of hidden C: got %q", texts)
	}
	_, total, _ = f.svc.FreeText(context.Background(), v, tree, "k", sv.Questions[2].ID, 2, 0)
	if total != 5 {
		t.Errorf("free text of the kommun: got %d texts, want 5", total)
	}
}

func TestViewFiltered(t *testing.T) {
	f := setup(t)
	u, invited, _ := f.threeUnits(t)
	invited[u.a.ID], invited[u.b.ID] = 11, 10
	answers := map[int64][]answer{
		u.a.ID: append(many(6, answer{5, 0, ""}), many(5, answer{4, 1, ""})...),
		u.b.ID: append(many(5, answer{2, 0, ""}), many(5, answer{3, 1, ""})...),
		u.c.ID: {{3, 0, ""}, {1, 1, ""}},
	}
	sv, r := f.roundWith(t, citizenSurvey, invited, answers)
	tree := mustTree(t, f)
	scope := tree.ScopeFor(adminViewer())
	view := func(option int) *surveys.View {
		v, err := f.svc.View(context.Background(), f.tenant.ID, r.ID, surveys.ViewInput{Tree: tree, Scope: scope,
			Filter: &surveys.Filter{QuestionID: sv.Questions[1].ID, Option: option}})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// Unfiltered: C (2) is hidden and B (10), the smaller sibling, with it. Every class of the filters is
	// at least 5 (A's Telefon 6 and Besök 5, B and C together 6 and 6), so every slice of a visible group
	// is shown.
	for _, c := range []struct {
		option   int
		kommun   int
		mean     float64
		a        int
		hiddenBC bool
	}{{0, 12, (6*5 + 5*2 + 3) / 12.0, 6, true}, {1, 11, (5*4 + 5*3 + 1) / 11.0, 5, true}} {
		v := view(c.option)
		units := byUnit(v)
		if !v.Kommun.Visible || v.Kommun.N != c.kommun || math.Abs(v.Kommun.Questions[0].Mean-c.mean) > 1e-9 {
			t.Errorf("option %d: kommun got visible=%v n=%d mean=%v, want %d with mean %v", c.option, v.Kommun.Visible, v.Kommun.N, v.Kommun.Questions[0].Mean, c.kommun, c.mean)
		}
		if a := units[u.a.ID]; !a.Visible || a.N != c.a {
			t.Errorf("option %d: A got visible=%v n=%d, want %d", c.option, a.Visible, a.N, c.a)
		}
		if units[u.b.ID].Visible || units[u.c.ID].Visible {
			t.Errorf("option %d: B or C shown filtered though hidden unfiltered", c.option)
		}
	}
}

// TestViewFilteredHidesOneOddAnswer: with one respondent in B who left the background question
// unanswered, the kommun's Telefon and Besök minus A's would leave B and C's one answer without Telefon or
// Besök; so the kommun's and the förvaltning's slices are hidden, and A's (6 = 3 + 3) are hidden since
// each is under k.
func TestViewFilteredHidesOneOddAnswer(t *testing.T) {
	f := setup(t)
	u, invited, answers := f.threeUnits(t)
	sv, r := f.roundWith(t, citizenSurvey, invited, answers)
	tree := mustTree(t, f)
	for option := range 2 {
		v, err := f.svc.View(context.Background(), f.tenant.ID, r.ID, surveys.ViewInput{Tree: tree, Scope: tree.ScopeFor(adminViewer()),
			Filter: &surveys.Filter{QuestionID: sv.Questions[1].ID, Option: option}})
		if err != nil {
			t.Fatal(err)
		}
		if v.Kommun.Visible {
			t.Errorf("option %d: the kommun's slice of %d is shown", option, v.Kommun.N)
		}
		for _, row := range v.Units {
			if row.Visible {
				t.Errorf("option %d: %s's slice of %d is shown", option, row.Name, row.N)
			}
		}
	}
	_ = u
	// A filter that is no background question is refused.
	_, err := f.svc.View(context.Background(), f.tenant.ID, r.ID, surveys.ViewInput{Tree: tree, Scope: tree.ScopeFor(adminViewer()),
		Filter: &surveys.Filter{QuestionID: sv.Questions[0].ID, Option: 0}})
	if err != surveys.ErrBadFilter {
		t.Errorf("filter by a Likert question: got %v, want ErrBadFilter", err)
	}
}

func adminViewer() *web.Viewer { return &web.Viewer{PersonID: 1, Roles: []string{web.RoleAdmin}} }

// chefViewer makes a chef of the unit and returns them as a viewer.
func chefViewer(t *testing.T, f *fixture, unit *org.Unit) *web.Viewer {
	t.Helper()
	p := &org.Person{TenantID: f.tenant.ID, GivenName: "Chef", FamilyName: "Chefsson", Email: fmt.Sprint("chef", unit.ID, "@a.example"), UnitID: unit.ID, Active: true}
	if err := f.org.SavePerson(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if err := f.org.SetManager(context.Background(), f.tenant.ID, unit.ID, p.ID); err != nil {
		t.Fatal(err)
	}
	return &web.Viewer{PersonID: p.ID, TenantID: f.tenant.ID, Roles: []string{web.RoleManager}}
}

func TestTrendAndPublishing(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	u, invited, answers := f.threeUnits(t)
	sv, r := f.roundWith(t, citizenSurvey, invited, answers)
	tree := mustTree(t, f)
	tr, err := f.svc.Trend(ctx, f.tenant.ID, sv.ID, tree, tree.ScopeFor(adminViewer()), "u"+fmt.Sprint(u.a.ID))
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Points) != 1 || !tr.Points[0].Row.Visible || tr.Points[0].Row.N != 6 {
		t.Errorf("trend of A: got %+v", tr.Points)
	}
	if _, err := f.svc.Public(ctx, f.tenant.ID, sv.ID, 0, tree); err == nil {
		t.Error("unpublished results are public")
	}
	if err := f.svc.SetPublished(ctx, f.tenant.ID, r.ID, true); err != nil {
		t.Fatal(err)
	}
	pub, err := f.svc.Public(ctx, f.tenant.ID, sv.ID, 0, tree)
	if err != nil || pub.View.Kommun.N != 13 || byUnit(pub.View)[u.c.ID].Visible {
		t.Fatalf("published: got %+v, %v", pub, err)
	}
	hme, hr := f.hmeRound(t, surveys.RoundInput{OpenLink: true})
	if err := f.svc.SetPublished(ctx, f.tenant.ID, hr.ID, true); err == nil {
		t.Error("published an HME round")
	}
	if _, err := f.svc.Public(ctx, f.tenant.ID, hme.ID, 0, tree); err == nil {
		t.Error("an HME survey has public results")
	}
}
