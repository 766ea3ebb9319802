package e2e

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vard-kommun/vard/internal/surveys"
)

// hmeLinks opens an HME round in the demo kommun and returns n personal links, as the e-mails would
// carry them, and the round.
func (s *site) hmeLinks(t *testing.T, n int) (*surveys.Survey, *surveys.Round, []string) {
	t.Helper()
	ctx := context.Background()
	svc := s.App.Surveys
	sv, err := svc.CreateSurvey(ctx, s.TenantID, surveys.SurveyInput{Title: "HME hösten 2026", Kind: surveys.KindHME})
	if err != nil {
		t.Fatal(err)
	}
	r, err := svc.OpenRound(ctx, s.TenantID, sv.ID, surveys.RoundInput{OpensAt: time.Now().Add(-time.Hour), ClosesAt: time.Now().Add(14 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	unit := s.chefUnit(t)
	invitees := make([]surveys.Invitee, n)
	for i := range invitees {
		invitees[i] = surveys.Invitee{UnitID: unit.ID}
	}
	tokens, err := svc.Invite(ctx, s.TenantID, r.ID, invitees)
	if err != nil {
		t.Fatal(err)
	}
	links := make([]string, n)
	for i, tok := range tokens {
		links[i] = s.url("/enkater/svar/" + tok)
	}
	return sv, r, links
}

func (s *site) storedResponses(t *testing.T, roundID int64) int {
	t.Helper()
	var n int
	if err := s.App.DB.Read().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM survey_responses WHERE round_id = $1`, roundID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestAnsweringHMEOnAPhone: a medarbetare opens the personal link from the e-mail on a phone, with and
// without JavaScript, sends a value off the scale (as a tampering client would) and gets the form back
// with the message, answers the nine statements with one vet ej, sends, and is thanked. The form, its
// errors and the thanks pass axe and fit the screen.
func TestAnsweringHMEOnAPhone(t *testing.T) {
	s := newSite(t)
	sv, r, links := s.hmeLinks(t, 2)
	for i, js := range []bool{true, false} {
		name := "with JavaScript"
		if !js {
			name = "without JavaScript"
		}
		t.Run(name, func(t *testing.T) {
			ctx := newPhoneBrowser(t)
			scripts(t, ctx, js)
			// axe is a script, so it checks the pages in the run with JavaScript; the run without checks
			// that the same form works with no script at all.
			check := func() {
				if js {
					checkPage(t, ctx)
				}
				checkFitsScreen(t, ctx)
			}
			if got := open(t, ctx, links[i]); got != http.StatusOK {
				t.Fatalf("the link answered %d, want %d", got, http.StatusOK)
			}
			check()
			if got := heading(t, ctx); got != "HME hösten 2026" {
				t.Errorf("the survey's heading is %q", got)
			}
			if got := textOf(t, ctx, "#anonymity"); !strings.Contains(got, "Dina svar är anonyma.") {
				t.Errorf("the page says %q before the questions, want that the answers are anonymous", got)
			}

			// A forged value: the browser sends what the page holds, so change the page as a tampering
			// client would. Without JavaScript, the DOM is still reachable through the debugger.
			first := "q" + strconv.FormatInt(sv.Questions[0].ID, 10)
			tick(t, ctx, "#"+first+"-3")
			setValue(t, ctx, "#"+first+"-3", "9")
			if got := press(t, ctx, `main form.survey button[value=skicka]`); got != http.StatusUnprocessableEntity {
				t.Fatalf("a value off the scale answered %d, want %d", got, http.StatusUnprocessableEntity)
			}
			if got := formErrors(t, ctx); !strings.Contains(got, "Svaret ska vara mellan 1 och 5.") {
				t.Errorf("the errors say %q", got)
			}
			if !has(t, ctx, `main .error-message a[href="#`+first+`"]`) {
				t.Error("the error summary does not link to the question")
			}
			check()

			for j, q := range sv.Questions {
				f := "q" + strconv.FormatInt(q.ID, 10)
				if j == 8 {
					tick(t, ctx, "#"+f+"-none") // vet ej
					continue
				}
				tick(t, ctx, "#"+f+"-"+strconv.Itoa(1+(j+i)%5))
			}
			if got := press(t, ctx, `main form.survey button[value=skicka]`); got != http.StatusOK {
				t.Fatalf("sending the answers ended on %d, want %d: %s", got, http.StatusOK, formErrors(t, ctx))
			}
			if got := heading(t, ctx); got != "Tack för dina svar" {
				t.Errorf("after sending the page says %q, want thanks", got)
			}
			check()
			if n := s.storedResponses(t, r.ID); n != i+1 {
				t.Errorf("got %d responses stored, want %d", n, i+1)
			}
		})
	}
}

// setValue changes the value a form control sends, through the DOM rather than the page's scripts.
func setValue(t testing.TB, ctx context.Context, sel, value string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.SetAttributeValue(sel, "value", value)); err != nil {
		t.Fatalf("set the value of %s on %s: %v", sel, location(ctx), err)
	}
}
