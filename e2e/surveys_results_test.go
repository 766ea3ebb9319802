package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/surveys"
)

// resultsData gives the demo kommun a citizen survey with one round answered in the demo chef's unit
// (12 answers of 15 links) and in a unit elsewhere (2 answers, under k), through the Go service as
// the respondents' submissions would. The round is left open (see closeRound).
func (s *site) resultsData(t *testing.T) (*surveys.Survey, *surveys.Round) {
	t.Helper()
	ctx := context.Background()
	svc := s.App.Surveys
	sv, err := svc.CreateSurvey(ctx, s.TenantID, surveys.SurveyInput{Title: "Bemötande i kundtjänst", Kind: surveys.KindCitizen, Questions: []surveys.QuestionInput{
		{Type: surveys.Likert5, Text: "Blev du väl bemött?", Required: true},
		{Type: surveys.Single, Text: "Hur kontaktade du oss?", Options: []string{"Telefon", "Besök"}},
		{Type: surveys.Text, Text: "Något du vill tillägga?"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := svc.OpenRound(ctx, s.TenantID, sv.ID, surveys.RoundInput{OpensAt: time.Now().Add(-time.Hour), ClosesAt: time.Now().Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	key := 0
	for _, c := range []struct {
		unit             int64
		invited, answers int
	}{{s.chefUnit(t).ID, 15, 12}, {s.outsideUnit(t).ID, 4, 2}} {
		invitees := make([]surveys.Invitee, c.invited)
		for i := range invitees {
			invitees[i] = surveys.Invitee{UnitID: c.unit}
		}
		tokens, err := svc.Invite(ctx, s.TenantID, r.ID, invitees)
		if err != nil {
			t.Fatal(err)
		}
		for i := range c.answers {
			key++
			answers := []surveys.Answer{{QuestionID: sv.Questions[0].ID, Values: []int{1 + i%5}}, {QuestionID: sv.Questions[1].ID, Values: []int{i % 2}},
				{QuestionID: sv.Questions[2].ID, Text: fmt.Sprint("Svar nummer ", key)}}
			if _, err := svc.Submit(ctx, s.TenantID, surveys.Submission{RoundID: r.ID, Token: tokens[i], IdempotencyKey: fmt.Sprint("e2e-", key), Answers: answers}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return sv, r
}

// closeRound moves the round's close into the past, so that its figures are shown.
func (s *site) closeRound(t *testing.T, r *surveys.Round) {
	t.Helper()
	if _, err := s.App.Surveys.Store.DB.Writer().ExecContext(context.Background(), `UPDATE survey_rounds SET closes_at = $1 WHERE id = $2`,
		time.Now().Add(-time.Minute).UTC(), r.ID); err != nil {
		t.Fatal(err)
	}
}

// TestResultsPagesInTheBrowser: the kommunadmin sees an open round's numbers of answers only, then, once
// it has closed, reads its results, filters them, opens the trend and
// publishes the citizen results; the chef sees their own unit; the public page shows the published figures.
// Every page passes axe, with charts hidden from assistive technology beside their tables.
func TestResultsPagesInTheBrowser(t *testing.T) {
	s := newSite(t)
	sv, r := s.resultsData(t)
	ctx := newBrowser(t)
	results := s.url(fmt.Sprintf("/enkater/omgangar/%d/resultat", r.ID))

	signInAs(t, ctx, s, adminEmail)
	// While the round is open: numbers of answers only, and when the figures come.
	visitStatus(t, ctx, results, http.StatusOK)
	if body := textOf(t, ctx, "main"); !strings.Contains(body, "Resultatet visas när omgången har stängt den") || strings.Contains(body, "Svar nummer") {
		t.Error("the open round's page does not say its figures wait for the close, or shows free text")
	}
	if has(t, ctx, "svg[aria-hidden=true]") {
		t.Error("the open round's page has a chart")
	}
	s.closeRound(t, r)

	visitStatus(t, ctx, results, http.StatusOK)
	if h := heading(t, ctx); !strings.Contains(h, "Bemötande i kundtjänst") {
		t.Errorf("results heading: %q", h)
	}
	if !has(t, ctx, "svg[aria-hidden=true]") || !has(t, ctx, "table th[scope=row]") {
		t.Error("the results page has no chart beside a table")
	}
	visitStatus(t, ctx, results+fmt.Sprintf("?filter=%d-0", sv.Questions[1].ID), http.StatusOK)
	visitStatus(t, ctx, results+fmt.Sprintf("?enhet=%d", s.outsideUnit(t).ID), http.StatusOK)
	if !strings.Contains(textOf(t, ctx, "#vald ~ p"), "visas inte") {
		t.Error("a unit with 2 answers is not said to be hidden")
	}
	visitStatus(t, ctx, s.url(fmt.Sprintf("/enkater/trend/%d", sv.ID)), http.StatusOK)
	visitStatus(t, ctx, s.url("/enkater/resultat"), http.StatusOK)

	visitStatus(t, ctx, s.url(fmt.Sprintf("/enkater/omgangar/%d/publicering", r.ID)), http.StatusOK)
	if got := press(t, ctx, `main form button[value=publicera]`); got != http.StatusOK {
		t.Fatalf("publish: got %d", got)
	}
	checkAxe(t, ctx)
	public := s.url(fmt.Sprintf("/k/%s/enkater/%d/resultat", demoSlug, sv.ID))

	signInAs(t, ctx, s, chefEmail)
	visitStatus(t, ctx, results, http.StatusOK)
	if has(t, ctx, "a[href*='enhet="+itoa(s.outsideUnit(t).ID)+"']") {
		t.Error("the chef sees a unit outside their own")
	}
	visitStatus(t, ctx, s.url(fmt.Sprintf("/enkater/trend/%d", sv.ID)), http.StatusOK)

	signOut(t, ctx)
	visitStatus(t, ctx, public, http.StatusOK)
	if body := textOf(t, ctx, "main"); strings.Contains(body, "Svar nummer") || strings.Contains(body, s.outsideUnit(t).Name) {
		t.Error("the public page shows free text or a hidden unit")
	}
}
