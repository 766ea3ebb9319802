package surveys_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/surveys"
	"github.com/vard-kommun/vard/internal/web"
)

// hmeForm is the form the questionnaire posts for the answers, with the idempotency key.
func hmeForm(sv *surveys.Survey, a surveys.HMEAnswers, key string) url.Values {
	form := url.Values{"key": {key}, "action": {"skicka"}}
	for _, q := range sv.Questions {
		if v := a[q.HMEIndex]; v != surveys.NotApplicable {
			form.Set("q"+strconv.FormatInt(q.ID, 10), strconv.Itoa(v))
		}
	}
	return form
}

func TestAnswerLink(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	team := f.unit(t, 0, org.KindDepartment, "Kulturförvaltningen")
	sv, r := f.hmeRound(t, surveys.RoundInput{})
	tokens, err := f.svc.Invite(ctx, f.tenant.ID, r.ID, []surveys.Invitee{{UnitID: team.ID}, {UnitID: team.ID}, {UnitID: team.ID}})
	if err != nil {
		t.Fatal(err)
	}
	answers := surveys.HMEAnswers{5, 4, 3, 2, 1, 5, 4, 3, 2}
	used := func(token string) bool {
		t.Helper()
		rs, err := f.svc.Respondent(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		return rs.Used
	}

	// Invalid answers are refused with the survey to show again, and the link stays unused.
	bad := hmeForm(sv, answers, "nyckel-0")
	bad.Set("q"+strconv.FormatInt(sv.Questions[0].ID, 10), "9")
	got, _, err := f.svc.AnswerLink(ctx, tokens[0], bad)
	var e *web.Error
	if !errors.As(err, &e) || e.Status != http.StatusUnprocessableEntity || got == nil || got.ID != sv.ID {
		t.Fatalf("invalid answers: got %v with survey %v, want 422 with the survey", err, got)
	}
	if used(tokens[0]) {
		t.Fatal("invalid answers used the link")
	}
	if _, _, err := f.svc.AnswerLink(ctx, tokens[0], hmeForm(sv, answers, "")); !errors.Is(err, surveys.ErrIdempotencyKey) {
		t.Fatalf("no key: got %v, want ErrIdempotencyKey", err)
	}

	_, first, err := f.svc.AnswerLink(ctx, tokens[0], hmeForm(sv, answers, "nyckel-1"))
	if err != nil {
		t.Fatal(err)
	}
	if !used(tokens[0]) {
		t.Fatal("the link is not used after answering")
	}
	// A retry gets the same receipt, also after the round has closed; another key finds the link used.
	_, again, err := f.svc.AnswerLink(ctx, tokens[0], hmeForm(sv, answers, "nyckel-1"))
	if err != nil || again != first {
		t.Fatalf("retry: got %+v, %v, want %+v", again, err, first)
	}
	if _, _, err := f.svc.AnswerLink(ctx, tokens[0], hmeForm(sv, answers, "nyckel-2")); !errors.Is(err, surveys.ErrInvitationUsed) {
		t.Fatalf("second answer: got %v, want ErrInvitationUsed", err)
	}
	for _, token := range []string{"", "gissad", string(make([]byte, 200))} {
		if _, _, err := f.svc.AnswerLink(ctx, token, hmeForm(sv, answers, "nyckel-3")); !errors.Is(err, surveys.ErrBadLink) {
			t.Errorf("token %q: got %v, want ErrBadLink", token, err)
		}
	}
	f.svc.Store.Now = func() time.Time { return r.ClosesAt.Add(time.Minute) }
	if _, late, err := f.svc.AnswerLink(ctx, tokens[0], hmeForm(sv, answers, "nyckel-1")); err != nil || late != first {
		t.Fatalf("retry after closing: got %+v, %v, want %+v", late, err, first)
	}
	if _, _, err := f.svc.AnswerLink(ctx, tokens[1], hmeForm(sv, answers, "nyckel-4")); !errors.Is(err, surveys.ErrRoundClosed) {
		t.Fatalf("answering a closed round: got %v, want ErrRoundClosed", err)
	}
	f.svc.Store.Now = func() time.Time { return r.OpensAt.Add(-time.Minute) }
	if _, _, err := f.svc.AnswerLink(ctx, tokens[1], hmeForm(sv, answers, "nyckel-4")); !errors.Is(err, surveys.ErrNotYetOpen) {
		t.Fatalf("answering before the round opens: got %v, want ErrNotYetOpen", err)
	}
	if used(tokens[1]) {
		t.Fatal("answering a round that is not open used the link")
	}
	if n := count(t, f.db, `SELECT COALESCE(SUM(n), 0) FROM survey_rollup_responses WHERE round_id = $1`, r.ID); n != 1 {
		t.Fatalf("got %d responses rolled up, want 1", n)
	}
	if n := count(t, f.db, `SELECT COUNT(*) FROM survey_answers`); n != 9 {
		t.Fatalf("got %d answers, want 9", n)
	}
}

// TestDraftNeverOutlivesTheAnswer saves drafts and submits on the same links at the same time: a draft
// saved just before the submission is deleted with it, and one saved just after is refused, so no used
// link keeps a draft.
func TestDraftNeverOutlivesTheAnswer(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	sv, r := f.hmeRound(t, surveys.RoundInput{})
	const n = 30
	tokens, err := f.svc.Invite(ctx, f.tenant.ID, r.ID, make([]surveys.Invitee, n))
	if err != nil {
		t.Fatal(err)
	}
	answers := surveys.HMEAnswers{5, 4, 3, 2, 1, 5, 4, 3, 2}
	var wg sync.WaitGroup
	for i, token := range tokens {
		rs, err := f.svc.Respondent(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			for range 3 {
				err := f.svc.SaveDraft(ctx, token, rs, hmeForm(sv, answers, "x"))
				if err != nil && !errors.Is(err, surveys.ErrInvitationUsed) {
					t.Errorf("save: %v", err)
				}
			}
		})
		wg.Go(func() {
			if _, _, err := f.svc.AnswerLink(ctx, token, hmeForm(sv, answers, "nyckel-"+strconv.Itoa(i))); err != nil {
				t.Errorf("answer: %v", err)
			}
		})
	}
	wg.Wait()
	if left := count(t, f.db, `SELECT COUNT(*) FROM survey_drafts`); left != 0 {
		t.Fatalf("%d drafts outlived their answers", left)
	}
	if got := count(t, f.db, `SELECT COUNT(*) FROM survey_responses WHERE round_id = $1`, r.ID); got != n {
		t.Fatalf("got %d responses, want %d", got, n)
	}
}
