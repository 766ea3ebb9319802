package e2e

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/demo"
	"github.com/vard-kommun/vard/internal/surveys"
)

// TestAdminSendsAnHMERound: the kommunadmin builds a survey from the HME template, counts and sends a
// round to the demo chef's unit, and a medarbetare answers through the link in the queued e-mail. Every
// page on the way passes axe, the confirmation pages and the printable QR code of an open link too.
func TestAdminSendsAnHMERound(t *testing.T) {
	s := newSite(t)
	ctx := newBrowser(t)
	signIn(t, ctx, s, adminEmail, demo.Password)

	visit(t, ctx, s.url("/enkater"))
	press(t, ctx, `main a[href="/enkater/ny"]`)
	if got := heading(t, ctx); got != "Ny enkät" {
		t.Fatalf("the new-survey page says %q", got)
	}
	checkAxe(t, ctx)
	// Sent without a title, the form comes back with its errors.
	tick(t, ctx, "#start-hme")
	noValidate(t, ctx, `main form[action="/enkater/ny"]`)
	if got := press(t, ctx, `main form[action="/enkater/ny"] button[type=submit]`); got != http.StatusUnprocessableEntity {
		t.Errorf("a survey without a title answered %d, want %d", got, http.StatusUnprocessableEntity)
	}
	if got := formErrors(t, ctx); !strings.Contains(got, "Ange en rubrik på högst 200 tecken.") {
		t.Errorf("the errors say %q", got)
	}
	checkAxe(t, ctx)
	tick(t, ctx, "#start-hme")
	typeInto(t, ctx, "input#title", "HME våren 2027")
	if got := press(t, ctx, `main form[action="/enkater/ny"] button[type=submit]`); got != http.StatusOK {
		t.Fatalf("creating the survey ended on %d: %s", got, formErrors(t, ctx))
	}
	if got := heading(t, ctx); got != "HME våren 2027" {
		t.Fatalf("after creating, the page says %q", got)
	}
	if got := textOf(t, ctx, "ol.questions"); !strings.Contains(got, "Mitt arbete känns meningsfullt.") {
		t.Errorf("the survey lacks SKR's statements: %q", got)
	}
	checkAxe(t, ctx)

	press(t, ctx, `main a[href$="/omgangar/ny"]`)
	checkAxe(t, ctx)
	unit := s.chefUnit(t)
	typeInto(t, ctx, "input#name", "Våren 2027")
	tick(t, ctx, "#unit-"+itoa(unit.ID))
	if got := press(t, ctx, `main button[value=rakna]`); got != http.StatusOK {
		t.Fatalf("counting ended on %d: %s", got, formErrors(t, ctx))
	}
	preview := textOf(t, ctx, "#preview")
	m := regexp.MustCompile(`Skickas till (\d+) personer`).FindStringSubmatch(preview)
	if m == nil || m[1] == "0" {
		t.Fatalf("the count says %q, want people to send to", preview)
	}
	checkAxe(t, ctx)
	if got := press(t, ctx, `main button[value=skapa]`); got != http.StatusOK {
		t.Fatalf("sending ended on %d: %s", got, formErrors(t, ctx))
	}
	if got := heading(t, ctx); !strings.HasPrefix(got, "Våren 2027") {
		t.Fatalf("after sending, the page says %q", got)
	}
	if got := textOf(t, ctx, "#invited"); got != m[1] {
		t.Errorf("the round page counts %s invited, the count said %s", got, m[1])
	}
	checkAxe(t, ctx)
	roundPath := pathOf(t, ctx, s.URL)
	roundID, _ := strconv.ParseInt(strings.TrimPrefix(roundPath, "/enkater/omgangar/"), 10, 64)
	visit(t, ctx, s.url(roundPath+"/paminn"))
	visit(t, ctx, s.url(roundPath+"/stang"))

	// The personal link is in the mail only; read it from the queue as the mail server would get it.
	var text string
	err := s.App.DB.Read().QueryRowContext(context.Background(), `SELECT text_body FROM mail_messages WHERE dedupe_key LIKE $1 ORDER BY id LIMIT 1`,
		"survey-round:"+itoa(roundID)+":inv:%").Scan(&text)
	if err != nil {
		t.Fatalf("no invitation queued: %v", err)
	}
	link := regexp.MustCompile(`/enkater/svar/[A-Za-z0-9_-]+`).FindString(text)
	if link == "" {
		t.Fatalf("the mail has no link:\n%s", text)
	}
	phone := newPhoneBrowser(t)
	visitStatus(t, phone, s.url(link), http.StatusOK)
	if got := heading(t, phone); got != "HME våren 2027" {
		t.Fatalf("the link from the mail shows %q", got)
	}
	sv, err := s.App.Surveys.Store.Survey(context.Background(), s.TenantID, mustRound(t, s, roundID).SurveyID)
	if err != nil {
		t.Fatal(err)
	}
	for j, q := range sv.Questions {
		tick(t, phone, "#q"+strconv.FormatInt(q.ID, 10)+"-"+strconv.Itoa(1+j%5))
	}
	if got := press(t, phone, `main form.survey button[value=skicka]`); got != http.StatusOK {
		t.Fatalf("answering ended on %d: %s", got, formErrors(t, phone))
	}
	if got := heading(t, phone); got != "Tack för dina svar" {
		t.Errorf("after answering the page says %q", got)
	}
	if n := s.storedResponses(t, roundID); n != 1 {
		t.Errorf("got %d responses, want 1", n)
	}
	visit(t, ctx, s.url(roundPath))
	if got := textOf(t, ctx, "#answered"); !strings.HasPrefix(got, "1 ") {
		t.Errorf("the round page says %q answered, want 1", got)
	}

	// The pages that edit a survey's questions.
	own, err := s.App.Surveys.NewSurvey(context.Background(), s.TenantID, surveys.NewSurveyInput{Start: surveys.StartEmpty, Title: "Egen enkät"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	visit(t, ctx, s.url("/enkater/"+itoa(own.ID)))
	press(t, ctx, `main a[href$="/fragor/ny"]`)
	checkAxe(t, ctx)
	choose(t, ctx, "textarea#text", "Hur kom du hit?") // an empty textarea cannot be cleared by typing
	tick(t, ctx, "#type-single")
	choose(t, ctx, "textarea#options", "Buss")
	if got := press(t, ctx, `main form button[type=submit]`); got != http.StatusUnprocessableEntity {
		t.Errorf("a choice with one option answered %d, want %d", got, http.StatusUnprocessableEntity)
	}
	checkAxe(t, ctx)
	choose(t, ctx, "textarea#options", "Buss\nBil")
	if got := press(t, ctx, `main form button[type=submit]`); got != http.StatusOK {
		t.Fatalf("adding the question ended on %d: %s", got, formErrors(t, ctx))
	}
	checkAxe(t, ctx)
	press(t, ctx, `main ol.questions a[href^="/enkater/fragor/"]:not([href$="ta-bort"])`)
	checkAxe(t, ctx)
	visit(t, ctx, s.url(strings.TrimPrefix(location(ctx), s.URL)+"/ta-bort"))

	// An open link for citizens, with its QR code to print.
	bemotande, err := s.App.Surveys.NewSurvey(context.Background(), s.TenantID, surveys.NewSurveyInput{Start: surveys.StartCitizen, Title: "Bemötande i receptionen"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	today := surveys.Day(time.Now())
	r, err := s.App.Surveys.CreateRound(context.Background(), s.TenantID, bemotande.ID,
		surveys.RoundSpec{Name: "Receptionen", FirstDay: today, LastDay: today, OpenLink: true}, s.tree(t))
	if err != nil {
		t.Fatal(err)
	}
	visit(t, ctx, s.url("/enkater/omgangar/"+itoa(r.ID)))
	visit(t, ctx, s.url("/enkater/omgangar/"+itoa(r.ID)+"/qr"))
	if !has(t, ctx, "main svg.qr") || !strings.Contains(textOf(t, ctx, "main"), "Skanna koden med mobilens kamera") {
		t.Error("the QR page lacks the code or its instruction")
	}
	openLink := regexp.MustCompile(`/enkater/oppen/[A-Za-z0-9]+`).FindString(textOf(t, ctx, "main .token"))
	visitStatus(t, phone, s.url(openLink), http.StatusOK)
	if got := heading(t, phone); got != "Bemötande i receptionen" {
		t.Errorf("the open link shows %q", got)
	}
	checkFitsScreen(t, phone)
}

func mustRound(t *testing.T, s *site, id int64) *surveys.RoundInfo {
	t.Helper()
	ri, err := s.App.Surveys.RoundInfo(context.Background(), s.TenantID, id)
	if err != nil {
		t.Fatal(err)
	}
	return ri
}
