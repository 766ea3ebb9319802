package app_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	netmail "net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/app"
	"github.com/vard-kommun/vard/internal/auth"
	"github.com/vard-kommun/vard/internal/db/dbtest"
	"github.com/vard-kommun/vard/internal/mail"
	"github.com/vard-kommun/vard/internal/mail/mailtest"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/surveys"
)

// --- what the authorization walk needs: a survey, a question and a round of kommun A

// walkSurveyA returns a survey of kommun A without a round, so that its questions may be edited.
func (f *fixture) walkSurveyA(t *testing.T) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := f.app.DB.Read().QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM surveys WHERE tenant_id = $1 AND title = 'Vandring' AND frozen_at IS NULL`,
		f.tenantA.ID).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	if id == 0 {
		in := mixedSurvey
		in.Title = "Vandring"
		sv, err := f.app.Surveys.CreateSurvey(ctx, f.tenantA.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		id = sv.ID
	}
	return id
}

// walkQuestionA returns a question of walkSurveyA, adding one when the walk has deleted them all.
func (f *fixture) walkQuestionA(t *testing.T) int64 {
	t.Helper()
	ctx := context.Background()
	sv, err := f.app.Surveys.Store.Survey(ctx, f.tenantA.ID, f.walkSurveyA(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(sv.Questions) > 0 {
		return sv.Questions[len(sv.Questions)-1].ID
	}
	q, err := f.app.Surveys.AddQuestion(ctx, f.tenantA.ID, sv.ID, surveys.QuestionEdit{Type: surveys.Text, Text: "Något mer?"})
	if err != nil {
		t.Fatal(err)
	}
	return q.ID
}

// walkRoundA returns an open round of personal links of kommun A.
func (f *fixture) walkRoundA(t *testing.T) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	if err := f.app.DB.Read().QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM survey_rounds WHERE tenant_id = $1 AND name = 'Vandringen'`,
		f.tenantA.ID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if id != 0 {
		return id
	}
	sv, err := f.app.Surveys.CreateSurvey(ctx, f.tenantA.ID, surveys.SurveyInput{Title: "Vandrings-HME", Kind: surveys.KindHME})
	if err != nil {
		t.Fatal(err)
	}
	r := f.createRound(t, sv.ID, "Vandringen", surveys.Targets{UnitIDs: []int64{f.teamA.ID}})
	return r.ID
}

func (f *fixture) createRound(t *testing.T, surveyID int64, name string, targets surveys.Targets) *surveys.Round {
	t.Helper()
	ctx := context.Background()
	tree, err := f.app.Org.Tree(ctx, f.tenantA.ID)
	if err != nil {
		t.Fatal(err)
	}
	today := surveys.Day(time.Now())
	r, err := f.app.Surveys.CreateRound(ctx, f.tenantA.ID, surveyID, surveys.RoundSpec{Name: name, FirstDay: today,
		LastDay: surveys.Day(time.Now().AddDate(0, 0, 7)), Targets: targets}, tree)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// --- the pages

var (
	surveyLocation = regexp.MustCompile(`^/enkater/(\d+)$`)
	roundLocation  = regexp.MustCompile(`^/enkater/omgangar/(\d+)$`)
)

// created returns the id in the redirect after a post that created something.
func created(t *testing.T, rec *httptest.ResponseRecorder, re *regexp.Regexp) int64 {
	t.Helper()
	m := re.FindStringSubmatch(rec.Header().Get("Location"))
	if rec.Code != http.StatusSeeOther || m == nil {
		t.Fatalf("got %d to %q, want a redirect matching %s\n%s", rec.Code, rec.Header().Get("Location"), re, firstLines(rec.Body.String(), 30))
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

func TestBuildingASurveyInThePages(t *testing.T) {
	f := newFixture(t)
	var surveyID, questionID int64
	surveyPath := func(suffix string) func(*fixture) string {
		return func(*fixture) string { return "/enkater/" + itoa(surveyID) + suffix }
	}
	questionPath := func(suffix string) func(*fixture) string {
		return func(*fixture) string { return "/enkater/fragor/" + itoa(questionID) + suffix }
	}

	f.check(t, []scenario{
		{name: "the list explains that there are no surveys yet", as: admin, path: path("/enkater"), wantStatus: 200,
			wantText: []string{"<h1>Enkäter</h1>", "Kommunen har inga enkäter ännu.", `href="/enkater/ny"`}},
		{name: "a chef may not build surveys", as: chef, path: path("/enkater"), wantStatus: 403},
		{name: "the new-survey page offers the templates", as: admin, path: path("/enkater/ny"), wantStatus: 200,
			wantText: []string{"Tom enkät", "HME – Hållbart medarbetarengagemang", "Värdepuls", "Frågor till chefer efter ledarforum",
				"Medborgarenkät om bemötande", `name="k" value="5"`, "Spara svaren med namn (inte anonym)", `href="/vardegrund"`}},
		{name: "bad input in every field is refused in Swedish", as: admin, method: "POST", path: path("/enkater/ny"),
			form: url.Values{"start": {"okand"}, "title": {""}, "k": {"två"}}, wantStatus: 422,
			wantText: []string{"Välj hur enkäten ska börja.", "Ange en rubrik på högst 200 tecken.", "Ange gränsen som ett heltal, minst 3.", `href="#title"`}},
		{name: "k under three is refused", as: admin, method: "POST", path: path("/enkater/ny"),
			form: url.Values{"start": {"hme"}, "title": {"HME"}, "k": {"2"}}, wantStatus: 422, wantText: []string{"Gränsen får inte vara lägre än 3 svar."}},
		{name: "a values pulse needs an adopted värdegrund", as: admin, method: "POST", path: path("/enkater/ny"),
			form: url.Values{"start": {"vardepuls"}, "title": {"Puls"}}, wantStatus: 422, wantText: []string{"Kommunen har ingen antagen värdegrund ännu."}},
	})

	rec := f.do(t, scenario{as: admin, method: "POST", path: path("/enkater/ny"), form: url.Values{"start": {"tom"}, "title": {"Vår egen <enkät>"}, "k": {""}}})
	surveyID = created(t, rec, surveyLocation)

	f.check(t, []scenario{
		{name: "the empty survey says what to do", as: admin, path: surveyPath(""), wantStatus: 200,
			wantText: []string{"Vår egen &lt;enkät&gt;", "Enkäten har inga frågor ännu.", "Lägg till en fråga"}, notText: []string{"<enkät>", "Ny omgång"}},
		{name: "a question with bad input in every field", as: admin, method: "POST", path: surveyPath("/fragor/ny"),
			form: url.Values{"type": {"reglage"}, "text": {""}}, wantStatus: 422, wantText: []string{"Välj en frågetyp.", "Kontrollera uppgifterna i formuläret."}},
		{name: "a question without text", as: admin, method: "POST", path: surveyPath("/fragor/ny"),
			form: url.Values{"type": {"likert5"}, "text": {"  "}}, wantStatus: 422, wantText: []string{"Frågan ska ha en text på högst 500 tecken."}},
		{name: "a choice with one option", as: admin, method: "POST", path: surveyPath("/fragor/ny"),
			form: url.Values{"type": {"single"}, "text": {"Hur kom du hit?"}, "options": {"Buss"}}, wantStatus: 422,
			wantText: []string{"Ett flerval ska ha 2–30 svarsalternativ.", "Buss"}},
		{name: "a question is added", as: admin, method: "POST", path: surveyPath("/fragor/ny"),
			form: url.Values{"type": {"single"}, "text": {"Hur kom du hit?"}, "options": {"Buss\nBil\nCykel"}, "required": {"ja"}}, wantStatus: 303},
		{name: "a second question is added", as: admin, method: "POST", path: surveyPath("/fragor/ny"),
			form: url.Values{"type": {"likert5"}, "text": {"Jag blev väl bemött."}}, wantStatus: 303},
	})
	sv, err := f.app.Surveys.Store.Survey(context.Background(), f.tenantA.ID, surveyID)
	if err != nil || len(sv.Questions) != 2 {
		t.Fatalf("got %v (%v), want two questions", sv, err)
	}
	questionID = sv.Questions[1].ID

	f.check(t, []scenario{
		{name: "the survey lists its questions", as: admin, path: surveyPath(""), wantStatus: 200,
			wantText: []string{"Hur kom du hit?", "Buss · Bil · Cykel", "Ett val", "Flytta upp", "Ny omgång"}},
		{name: "the question form shows the question", as: admin, path: questionPath(""), wantStatus: 200, wantText: []string{"Jag blev väl bemött.", `value="likert5" checked`}},
		{name: "an edit with bad input", as: admin, method: "POST", path: questionPath(""), form: url.Values{"type": {"text"}, "text": {strings.Repeat("x", 501)}},
			wantStatus: 422, wantText: []string{"Frågan ska ha en text på högst 500 tecken."}},
		{name: "an edit", as: admin, method: "POST", path: questionPath(""), form: url.Values{"type": {"likert5"}, "text": {"Jag blev bemött med respekt."}}, wantStatus: 303},
		{name: "a move without direction", as: admin, method: "POST", path: questionPath("/flytta"), form: url.Values{"riktning": {"snett"}}, wantStatus: 400,
			wantText: []string{"Välj att flytta frågan upp eller ned."}},
		{name: "a move up", as: admin, method: "POST", path: questionPath("/flytta"), form: url.Values{"riktning": {"upp"}}, wantStatus: 303},
		{name: "deleting asks first", as: admin, path: questionPath("/ta-bort"), wantStatus: 200, wantText: []string{"Ta bort frågan?", "Jag blev bemött med respekt.", "Ja, ta bort frågan"}},
	})
	if sv, _ := f.app.Surveys.Store.Survey(context.Background(), f.tenantA.ID, surveyID); sv.Questions[0].Text != "Jag blev bemött med respekt." {
		t.Errorf("first question %q, want the moved one", sv.Questions[0].Text)
	}

	// Another kommun's admin finds none of it.
	adminB := func(f *fixture) *org.Person { return f.adminB }
	f.check(t, []scenario{
		{name: "another kommun's survey is not found", as: adminB, path: surveyPath(""), wantStatus: 404},
		{name: "nor its question", as: adminB, path: questionPath(""), wantStatus: 404},
		{name: "nor can its question be changed", as: adminB, method: "POST", path: questionPath(""), form: url.Values{"type": {"text"}, "text": {"Kapad"}}, wantStatus: 404},
		{name: "nor deleted", as: adminB, method: "POST", path: questionPath("/ta-bort"), form: url.Values{}, wantStatus: 404},
		{name: "nor copied", as: adminB, method: "POST", path: path("/enkater/ny"), form: url.Values{"kopia": {itoa(surveyID)}}, wantStatus: 404},
		{name: "nor a round added", as: adminB, path: surveyPath("/omgangar/ny"), wantStatus: 404},
		{name: "the list of the other kommun is its own", as: adminB, path: path("/enkater"), wantStatus: 200, notText: []string{"Vår egen"}},
	})
}

func TestSendingARoundInThePages(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sv, err := f.app.Surveys.CreateSurvey(ctx, f.tenantA.ID, surveys.SurveyInput{Title: "HME våren", Kind: surveys.KindHME})
	if err != nil {
		t.Fatal(err)
	}
	// A person without e-mail in the team is counted and listed as not reachable.
	noMail := &org.Person{TenantID: f.tenantA.ID, GivenName: "Ulla", FamilyName: "Utanmejl", UnitID: f.teamA.ID, Active: true}
	if err := f.app.Org.SavePerson(ctx, noMail); err != nil {
		t.Fatal(err)
	}
	newRound := path("/enkater/" + itoa(sv.ID) + "/omgangar/ny")
	today := surveys.Day(time.Now())
	good := url.Values{"name": {"Våren 2027"}, "first_day": {today}, "last_day": {surveys.Day(time.Now().AddDate(0, 0, 14))}, "mode": {"epost"},
		"units": {itoa(f.unitA.ID)}, "subtree": {"ja"}}
	with := func(k, v string) url.Values {
		c := url.Values{}
		for key, vs := range good {
			c[key] = vs
		}
		c.Set(k, v)
		return c
	}
	f.check(t, []scenario{
		{name: "the new-round page offers the tree and the roles", as: admin, path: newRound, wantStatus: 200,
			wantText: []string{"Hemtjänst Norra", "Team Öst", `name="units"`, "Chef", "Facklig företrädare", `type="date"`}},
		{name: "counting shows who the round reaches", as: admin, method: "POST", path: newRound, form: with("action", "rakna"), wantStatus: 200,
			wantText: []string{"Skickas till 3 personer.", "Utan e-postadress och därför inte nåbara: 1.", "Ulla Utanmejl"}},
		{name: "bad input in every field", as: admin, method: "POST", path: newRound,
			form:       url.Values{"name": {""}, "first_day": {"snart"}, "last_day": {"sedan"}, "mode": {"epost"}, "units": {"abc"}},
			wantStatus: 422, wantText: []string{"Välj enheter i kommunens organisation."}},
		{name: "bad dates and no name", as: admin, method: "POST", path: newRound,
			form:       with("name", " "),
			wantStatus: 422, wantText: []string{"Ange ett namn på högst 100 tecken, till exempel Våren 2027."}},
		{name: "a first day that is no date", as: admin, method: "POST", path: newRound, form: with("first_day", "snart"), wantStatus: 422,
			wantText: []string{"Ange första dagen som ett datum, till exempel 2027-03-01."}},
		{name: "a last day before the first", as: admin, method: "POST", path: newRound, form: with("last_day", "2020-01-01"), wantStatus: 422,
			wantText: []string{"Sista dagen kan inte komma före första dagen."}},
		{name: "an unknown way", as: admin, method: "POST", path: newRound, form: with("mode", "brevduva"), wantStatus: 422,
			wantText: []string{"Välj hur omgången ska nå de svarande."}},
		{name: "nobody chosen", as: admin, method: "POST", path: newRound, form: with("units", ""), wantStatus: 422,
			wantText: []string{"Välj enheter i kommunens organisation."}},
		{name: "another kommun's unit", as: admin, method: "POST", path: newRound, form: with("units", "999999"), wantStatus: 422,
			wantText: []string{"Välj enheter i kommunens organisation."}},
		{name: "an unknown role", as: admin, method: "POST", path: newRound, form: with("roles", "kung"), wantStatus: 422,
			wantText: []string{"Välj bland rollerna."}},
	})
	if frozen, _ := f.app.Surveys.Frozen(ctx, f.tenantA.ID, sv.ID); frozen {
		t.Fatal("refused rounds froze the survey")
	}

	rec := f.do(t, scenario{as: admin, method: "POST", path: newRound, form: good})
	roundID := created(t, rec, roundLocation)
	roundPath := func(suffix string) func(*fixture) string {
		return func(*fixture) string { return "/enkater/omgangar/" + itoa(roundID) + suffix }
	}
	var queued int
	if err := f.app.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM mail_messages WHERE dedupe_key LIKE $1`, "survey-round:"+itoa(roundID)+":inv:%").Scan(&queued); err != nil || queued != 3 {
		t.Fatalf("got %d invitation mails queued (%v), want 3", queued, err)
	}
	f.check(t, []scenario{
		{name: "the round page shows the round", as: admin, path: roundPath(""), wantStatus: 200,
			wantText: []string{"Våren 2027", "Öppen", `id="invited">3<`, "Hemtjänst Norra", "0 av 3 skickade", "ingen SMTP-server är inställd",
				"/enkater/omgangar/" + itoa(roundID) + "/resultat", "Skicka påminnelse", "Stäng omgången nu"}},
		{name: "the survey is frozen and can be copied", as: admin, path: path("/enkater/" + itoa(sv.ID)), wantStatus: 200,
			wantText: []string{"Kopiera enkäten", "Våren 2027"}, notText: []string{"Lägg till en fråga"}},
		{name: "a frozen survey takes no new question", as: admin, method: "POST", path: path("/enkater/" + itoa(sv.ID) + "/fragor/ny"),
			form: url.Values{"type": {"text"}, "text": {"Sent påkommen"}}, wantStatus: 409, wantText: []string{"Enkäten har skickats och kan inte ändras längre."}},
		{name: "sending again adds nobody", as: admin, method: "POST", path: roundPath("/skicka"), form: url.Values{}, wantStatus: 303},
		{name: "a bad last day", as: admin, method: "POST", path: roundPath("/slutdatum"), form: url.Values{"last_day": {"aldrig"}}, wantStatus: 422,
			wantText: []string{"Ange sista dagen som ett datum, till exempel 2027-03-14."}},
		{name: "a last day in the past", as: admin, method: "POST", path: roundPath("/slutdatum"), form: url.Values{"last_day": {"2020-01-01"}}, wantStatus: 422,
			wantText: []string{"Sista dagen kan inte komma före första dagen."}},
		{name: "a new last day", as: admin, method: "POST", path: roundPath("/slutdatum"), form: url.Values{"last_day": {surveys.Day(time.Now().AddDate(0, 0, 21))}}, wantStatus: 303},
		{name: "a reminder asks first", as: admin, path: roundPath("/paminn"), wantStatus: 200, wantText: []string{"Skicka påminnelse?", "Ja, skicka påminnelsen"}},
		{name: "a reminder", as: admin, method: "POST", path: roundPath("/paminn"), form: url.Values{}, wantStatus: 303},
		{name: "the round counts the reminded", as: admin, path: roundPath(""), wantStatus: 200, wantText: []string{"Påminda"}},
		{name: "another kommun's round is not found", as: func(f *fixture) *org.Person { return f.adminB }, path: roundPath(""), wantStatus: 404},
		{name: "nor can it be closed", as: func(f *fixture) *org.Person { return f.adminB }, method: "POST", path: roundPath("/stang"), form: url.Values{}, wantStatus: 404},
		{name: "closing asks first", as: admin, path: roundPath("/stang"), wantStatus: 200, wantText: []string{"Stäng omgången nu?", "Ja, stäng omgången"}},
		{name: "closing", as: admin, method: "POST", path: roundPath("/stang"), form: url.Values{}, wantStatus: 303},
		{name: "a closed round", as: admin, path: roundPath(""), wantStatus: 200, wantText: []string{"Stängd"}, notText: []string{"Stäng omgången nu", "Skicka påminnelse"}},
		{name: "a closed round sends no reminders", as: admin, method: "POST", path: roundPath("/paminn"), form: url.Values{}, wantStatus: 409},
		{name: "a round of personal links has no QR code", as: admin, path: roundPath("/qr"), wantStatus: 404},
	})
	var reminders int
	f.app.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM mail_messages WHERE dedupe_key LIKE $1`, "survey-round:"+itoa(roundID)+":rem:%").Scan(&reminders)
	if reminders != 3 {
		t.Errorf("got %d reminders, want 3", reminders)
	}
}

func TestAnOpenLinkForCitizens(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sv, err := f.app.Surveys.NewSurvey(ctx, f.tenantA.ID, surveys.NewSurveyInput{Start: surveys.StartCitizen, Title: "Bemötande i receptionen"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	today := surveys.Day(time.Now())
	rec := f.do(t, scenario{as: admin, method: "POST", path: path("/enkater/" + itoa(sv.ID) + "/omgangar/ny"),
		form: url.Values{"name": {"Receptionen 2027"}, "first_day": {today}, "last_day": {today}, "mode": {"lank"}, "unit_id": {itoa(f.otherUnitA.ID)}}})
	roundID := created(t, rec, roundLocation)
	ri, err := f.app.Surveys.RoundInfo(ctx, f.tenantA.ID, roundID)
	if err != nil {
		t.Fatal(err)
	}
	link := "/enkater/oppen/" + ri.LinkToken
	f.check(t, []scenario{
		{name: "the round page shows the open link", as: admin, path: path("/enkater/omgangar/" + itoa(roundID)), wantStatus: 200,
			wantText: []string{link, "Biståndsenheten", "QR-kod att skriva ut"}, notText: []string{"Skicka påminnelse"}},
		{name: "the QR page prints the code", as: admin, path: path("/enkater/omgangar/" + itoa(roundID) + "/qr"), wantStatus: 200,
			wantText: []string{"<svg", `role="img"`, "Skanna koden med mobilens kamera", link}},
		{name: "a citizen opens the link without an account", path: path(link), wantStatus: 200,
			wantText: []string{"Blev du väl bemött?", "Hur kontaktade du oss?", `name="key"`, "Dina svar är anonyma."}},
		{name: "an unknown open link", path: path("/enkater/oppen/finns-inte"), wantStatus: 404},
	})
	form := func(key string) url.Values {
		return url.Values{"key": {key}, "action": {"skicka"}, field(sv.Questions[0]): {"5"}, field(sv.Questions[3]): {"0"}}
	}
	key := f.formKey(t, link)
	if rec := f.post(t, link, form(key)); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/enkater/tack" {
		t.Fatalf("a citizen's answer: got %d to %q\n%s", rec.Code, rec.Header().Get("Location"), firstLines(rec.Body.String(), 20))
	}
	if rec := f.post(t, link, form(key)); rec.Code != http.StatusSeeOther {
		t.Errorf("the same form again: got %d, want the thanks again", rec.Code)
	}
	if n := f.responses(t, roundID); n != 1 {
		t.Errorf("got %d responses, want 1", n)
	}
	var unit int64
	f.app.DB.Read().QueryRowContext(ctx, `SELECT COALESCE(unit_id, 0) FROM survey_responses WHERE round_id = $1`, roundID).Scan(&unit)
	if unit != f.otherUnitA.ID {
		t.Errorf("the answer counts under unit %d, want the chosen %d", unit, f.otherUnitA.ID)
	}
	if rec := f.post(t, link, url.Values{"key": {"x"}, "action": {"spara"}}); rec.Code != 422 || !strings.Contains(rec.Body.String(), "Svaren kan inte sparas till senare i en öppen enkät.") {
		t.Errorf("saving on an open link: got %d", rec.Code)
	}
	if rec := f.post(t, link, url.Values{"key": {"y"}, "action": {"skicka"}, field(sv.Questions[0]): {"9"}}); rec.Code != 422 || !strings.Contains(rec.Body.String(), "Svaret ska vara mellan 1 och 5.") {
		t.Errorf("a value off the scale: got %d", rec.Code)
	}
	// Two posts so far counted against the limit (the retry and the bad value; the first too).
	var last *httptest.ResponseRecorder
	for i := range surveys.LinkLimit {
		last = f.post(t, link, form("k"+strconv.Itoa(i)))
		if last.Code == http.StatusTooManyRequests {
			break
		}
	}
	if last.Code != http.StatusTooManyRequests || last.Header().Get("Retry-After") == "" || !strings.Contains(last.Body.String(), "Vänta en stund") {
		t.Errorf("over the limit: got %d with Retry-After %q, want 429 with it", last.Code, last.Header().Get("Retry-After"))
	}
	if n := f.responses(t, roundID); n > surveys.LinkLimit {
		t.Errorf("got %d responses from one address, want at most %d", n, surveys.LinkLimit)
	}
}

// --- a round's mails through a real SMTP conversation

// body returns a mail's plain-text body, decoded.
func body(t *testing.T, raw []byte) (netmail.Header, string) {
	t.Helper()
	m, err := netmail.ReadMessage(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		t.Fatal(err)
	}
	r := m.Body
	if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		r = quotedprintable.NewReader(r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return m.Header, string(b)
}

func TestRoundMailsArriveWithAWorkingLink(t *testing.T) {
	sink := mailtest.Start(t)
	host, port := sink.HostPort()
	p, _ := strconv.Atoi(port)
	ctx := context.Background()
	a, err := app.New(ctx, app.Config{Database: dbtest.DSN(t), DataDir: t.TempDir(), BaseURL: "http://vard.test",
		Log:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		SMTP: &mail.SMTPConfig{Host: host, Port: p, TLS: mail.TLSNone, From: "noreply@vard.test", FromName: "Värd", Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	a.Start()
	t.Cleanup(func() { a.Close() })

	adm := &org.Person{GivenName: "Anna", FamilyName: "Admin", Email: "admin@a.example"}
	tenant, err := a.Org.CreateTenant(ctx, "a-kommun", "A kommun", adm)
	if err != nil {
		t.Fatal(err)
	}
	team, err := a.Org.CreateUnit(ctx, tenant.ID, org.UnitInput{Kind: org.KindDepartment, Name: "Kulturförvaltningen"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := a.Org.SavePerson(ctx, &org.Person{TenantID: tenant.ID, GivenName: "Person" + strconv.Itoa(i), FamilyName: "Testsson",
			Email: fmt.Sprintf("p%d@a.example", i), UnitID: team.ID, Active: true}); err != nil {
			t.Fatal(err)
		}
	}
	sv, err := a.Surveys.CreateSurvey(ctx, tenant.ID, surveys.SurveyInput{Title: "HME hösten", Kind: surveys.KindHME})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := a.Auth.NewSession(ctx, adm.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	today := surveys.Day(time.Now())
	form := url.Values{"name": {"Hösten"}, "first_day": {today}, "last_day": {today}, "mode": {"epost"}, "units": {itoa(team.ID)}, "subtree": {"ja"}}
	req := httptest.NewRequest("POST", "/enkater/"+itoa(sv.ID)+"/omgangar/ny", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: tok})
	rec := httptest.NewRecorder()
	a.Handler.ServeHTTP(rec, req)
	roundID := created(t, rec, roundLocation)

	deadline := time.Now().Add(20 * time.Second)
	for len(sink.Deliveries()) < 3 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	// Give a fourth, duplicate mail time to show up if the queue were to send one.
	time.Sleep(time.Second)
	msgs := sink.Deliveries()
	// Three invitations, not four: nobody gets one twice.
	if len(msgs) != 3 {
		t.Fatalf("got %d mails, want 3", len(msgs))
	}
	to := map[string]bool{}
	for _, m := range msgs {
		h, text := body(t, m.Data)
		to[h.Get("To")] = true
		link := regexp.MustCompile(`http://vard\.test(/enkater/svar/[A-Za-z0-9_-]+)`).FindStringSubmatch(text)
		if link == nil {
			t.Fatalf("the mail has no link:\n%s", text)
		}
		if rec := get(t, a.Handler, link[1]); rec.Code != 200 || !strings.Contains(rec.Body.String(), "Mitt arbete känns meningsfullt.") {
			t.Errorf("the link in the mail to %s answered %d, want the form", h.Get("To"), rec.Code)
		}
	}
	if len(to) != 3 {
		t.Errorf("got mails to %v, want three people", to)
	}
	p2, err := a.Surveys.SendingProgress(ctx, tenant.ID, roundID)
	for p2.Sent < 3 && err == nil && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		p2, err = a.Surveys.SendingProgress(ctx, tenant.ID, roundID)
	}
	if p2.Sent != 3 {
		t.Errorf("progress %+v (%v), want 3 sent", p2, err)
	}
}
