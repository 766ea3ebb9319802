package surveys_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/db/dbtest"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/surveys"
)

type fixture struct {
	db     *db.DB
	org    *org.Service
	svc    *surveys.Service
	tenant *org.Tenant
}

func setup(t testing.TB) *fixture {
	t.Helper()
	d := dbtest.Open(t)
	o := org.NewService(org.NewStore(d))
	tenant, err := o.CreateTenant(context.Background(), "exempelby", "Exempelby kommun", nil)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{db: d, org: o, svc: surveys.NewService(surveys.NewStore(d)), tenant: tenant}
}

func (f *fixture) unit(t testing.TB, parent int64, kind org.Kind, name string) *org.Unit {
	t.Helper()
	u, err := f.org.CreateUnit(context.Background(), f.tenant.ID, org.UnitInput{ParentID: parent, Kind: kind, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// hmeRound creates an HME survey with k = 5 and a round open now.
func (f *fixture) hmeRound(t testing.TB, in surveys.RoundInput) (*surveys.Survey, *surveys.Round) {
	t.Helper()
	ctx := context.Background()
	sv, err := f.svc.CreateSurvey(ctx, f.tenant.ID, surveys.SurveyInput{Title: "HME 2026", Kind: surveys.KindHME})
	if err != nil {
		t.Fatal(err)
	}
	in.OpensAt, in.ClosesAt = time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour)
	r, err := f.svc.OpenRound(ctx, f.tenant.ID, sv.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	return sv, r
}

func hmeAnswers(sv *surveys.Survey, a surveys.HMEAnswers) []surveys.Answer {
	var out []surveys.Answer
	for _, q := range sv.Questions {
		if v := a[q.HMEIndex]; v != surveys.NotApplicable {
			out = append(out, surveys.Answer{QuestionID: q.ID, Values: []int{v}})
		}
	}
	return out
}

func randomHME(r *rand.Rand) surveys.HMEAnswers {
	var a surveys.HMEAnswers
	for i := range a {
		a[i] = r.IntN(6) // 0 is vet ej
	}
	return a
}

func count(t testing.TB, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.Read().QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestSubmitIsIdempotent(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	team := f.unit(t, 0, org.KindDepartment, "Socialförvaltningen")
	sv, r := f.hmeRound(t, surveys.RoundInput{})
	tokens, err := f.svc.Invite(ctx, f.tenant.ID, r.ID, []surveys.Invitee{{UnitID: team.ID}})
	if err != nil {
		t.Fatal(err)
	}
	sub := surveys.Submission{RoundID: r.ID, Token: tokens[0], IdempotencyKey: "nyckel-1",
		Answers: hmeAnswers(sv, surveys.HMEAnswers{5, 4, 3, 2, 1, 5, 4, 3, 2})}
	first, err := f.svc.Submit(ctx, f.tenant.ID, sub)
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.svc.Submit(ctx, f.tenant.ID, sub)
	if err != nil || again != first {
		t.Fatalf("retry: got %+v, %v, want %+v", again, err, first)
	}
	if n := count(t, f.db, `SELECT n FROM survey_rollup_responses WHERE round_id = $1`, r.ID); n != 1 {
		t.Fatalf("got %d responses rolled up after a retry, want 1", n)
	}
	if n := count(t, f.db, `SELECT COUNT(*) FROM survey_answers`); n != 9 {
		t.Fatalf("got %d answers stored after a retry, want 9", n)
	}
	sub.IdempotencyKey = "nyckel-2"
	if _, err := f.svc.Submit(ctx, f.tenant.ID, sub); !errors.Is(err, surveys.ErrInvitationUsed) {
		t.Fatalf("second submission on one invitation: got %v, want ErrInvitationUsed", err)
	}
	sub.Token = "gissad"
	if _, err := f.svc.Submit(ctx, f.tenant.ID, sub); !errors.Is(err, surveys.ErrBadLink) {
		t.Fatalf("unknown token: got %v, want ErrBadLink", err)
	}
	if n := count(t, f.db, `SELECT COUNT(*) FROM survey_responses WHERE person_id IS NOT NULL`); n != 0 {
		t.Fatalf("got %d anonymous responses linked to a person, want 0", n)
	}
}

func TestSubmitToClosedRound(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	sv, _ := f.hmeRound(t, surveys.RoundInput{OpenLink: true})
	r, err := f.svc.OpenRound(ctx, f.tenant.ID, sv.ID, surveys.RoundInput{OpenLink: true,
		OpensAt: time.Now().Add(-48 * time.Hour), ClosesAt: time.Now().Add(-24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Submit(ctx, f.tenant.ID, surveys.Submission{RoundID: r.ID, IdempotencyKey: "k", Answers: hmeAnswers(sv, surveys.HMEAnswers{3})})
	if !errors.Is(err, surveys.ErrRoundClosed) {
		t.Fatalf("got %v, want ErrRoundClosed", err)
	}
}

func TestConcurrentSubmissionsLoseNothing(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	team := f.unit(t, 0, org.KindDepartment, "Kultur")
	sv, r := f.hmeRound(t, surveys.RoundInput{OpenLink: true, UnitID: team.ID})
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				// Every answer 1–5 on every statement: each value gets an exact share.
				v := (w*each+i)%5 + 1
				a := surveys.HMEAnswers{v, v, v, v, v, v, v, v, v}
				key := fmt.Sprintf("w%d-%d", w, i)
				sub := surveys.Submission{RoundID: r.ID, IdempotencyKey: key, Answers: hmeAnswers(sv, a)}
				if _, err := f.svc.Submit(ctx, f.tenant.ID, sub); err != nil {
					errs <- err
				}
				if i%5 == 0 { // a retry now and then must not count twice
					if _, err := f.svc.Submit(ctx, f.tenant.ID, sub); err != nil {
						errs <- err
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := count(t, f.db, `SELECT n FROM survey_rollup_responses WHERE round_id = $1 AND unit_id = $2`, r.ID, team.ID); n != workers*each {
		t.Fatalf("got %d responses rolled up, want %d", n, workers*each)
	}
	for _, q := range sv.Questions {
		for v := 1; v <= 5; v++ {
			if n := count(t, f.db, `SELECT n FROM survey_rollup_counts WHERE round_id = $1 AND question_id = $2 AND value = $3`, r.ID, q.ID, v); n != workers*each/5 {
				t.Fatalf("question %d value %d: got %d, want %d", q.Position, v, n, workers*each/5)
			}
		}
	}
	// The roll-ups equal a recount from the answers.
	recount := count(t, f.db, `SELECT COUNT(*) FROM (
		SELECT a.question_id, a.value, COUNT(*) AS n FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id
		WHERE r.round_id = $1 GROUP BY r.unit_id, a.question_id, a.value) x
		JOIN survey_rollup_counts c ON c.round_id = $1 AND c.question_id = x.question_id AND c.value = x.value AND c.n = x.n`, r.ID)
	if rows := count(t, f.db, `SELECT COUNT(*) FROM survey_rollup_counts WHERE round_id = $1`, r.ID); recount != rows || rows != 45 {
		t.Fatalf("got %d roll-up rows of which %d match a recount from the answers, want 45 and 45", rows, recount)
	}
	res, err := f.svc.Results(ctx, f.tenant.ID, r.ID, mustTree(t, f))
	if err != nil {
		t.Fatal(err)
	}
	if res.Kommun.HME.Total.N != workers*each || res.Kommun.HME.Total.Value != 50 {
		t.Fatalf("got HME total %+v, want 50 over %d", res.Kommun.HME.Total, workers*each)
	}
}

func mustTree(t testing.TB, f *fixture) *org.Tree {
	t.Helper()
	tree, err := f.org.Tree(context.Background(), f.tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

func TestResultsSuppressAndMatchScoreHME(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	dept := f.unit(t, 0, org.KindDepartment, "Utbildning")
	big := f.unit(t, dept.ID, org.KindTeam, "Arbetslag A")
	small := f.unit(t, dept.ID, org.KindTeam, "Arbetslag B")
	sibling := f.unit(t, dept.ID, org.KindTeam, "Arbetslag C")
	sv, r := f.hmeRound(t, surveys.RoundInput{})
	rng := rand.New(rand.NewPCG(4, 4))
	var all []surveys.HMEAnswers
	sizes := map[int64]int{big.ID: 7, small.ID: 2, sibling.ID: 6}
	for _, u := range []int64{big.ID, small.ID, sibling.ID} {
		invitees := make([]surveys.Invitee, sizes[u])
		for i := range invitees {
			invitees[i] = surveys.Invitee{UnitID: u}
		}
		tokens, err := f.svc.Invite(ctx, f.tenant.ID, r.ID, invitees)
		if err != nil {
			t.Fatal(err)
		}
		for i, tok := range tokens {
			a := randomHME(rng)
			all = append(all, a)
			sub := surveys.Submission{RoundID: r.ID, Token: tok, IdempotencyKey: fmt.Sprint(u, "-", i), Answers: hmeAnswers(sv, a)}
			if _, err := f.svc.Submit(ctx, f.tenant.ID, sub); err != nil {
				t.Fatal(err)
			}
		}
	}
	res, err := f.svc.Results(ctx, f.tenant.ID, r.ID, mustTree(t, f))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := *res.Kommun.HME, surveys.ScoreHME(all); got != want {
		t.Fatalf("got HME %+v, want ScoreHME's %+v", got, want)
	}
	byID := map[int64]surveys.UnitResults{}
	for _, u := range res.Units {
		byID[u.UnitID] = u
	}
	// B (2 answers) is under k; C (6), the smaller sibling, is hidden too, or B = Utbildning − A − C.
	for _, c := range []struct {
		name    string
		id      int64
		visible bool
		n       int
	}{{"Utbildning", dept.ID, true, 15}, {"Arbetslag A", big.ID, true, 7}, {"Arbetslag B", small.ID, false, 0}, {"Arbetslag C", sibling.ID, false, 0}} {
		u := byID[c.id]
		if u.Visible != c.visible || u.N != c.n || (!c.visible && (u.HME != nil || u.Questions != nil)) {
			t.Errorf("%s: got visible=%v n=%d hme=%v, want visible=%v n=%d and no figures when hidden", c.name, u.Visible, u.N, u.HME, c.visible, c.n)
		}
	}

	other, err := f.org.CreateTenant(ctx, "grannby", "Grannby kommun", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Results(ctx, other.ID, r.ID, mustTree(t, f)); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("another kommun's round: got %v, want db.ErrNotFound", err)
	}
	if _, err := f.svc.Submit(ctx, other.ID, surveys.Submission{RoundID: r.ID, IdempotencyKey: "x"}); !errors.Is(err, surveys.ErrBadLink) {
		t.Fatalf("submitting to another kommun's round: got %v, want ErrBadLink", err)
	}
}
