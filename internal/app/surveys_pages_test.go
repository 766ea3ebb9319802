package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/surveys"
)

// surveyRound creates a survey of kommun A and a round of it open from opens to closes, and invites n
// people of Team Öst; it returns the survey, the round and the personal links' paths.
func (f *fixture) surveyRound(t *testing.T, in surveys.SurveyInput, opens, closes time.Time, n int) (*surveys.Survey, *surveys.Round, []string) {
	t.Helper()
	ctx := context.Background()
	svc := f.app.Surveys
	sv, err := svc.CreateSurvey(ctx, f.tenantA.ID, in)
	if err != nil {
		t.Fatalf("create survey: %v", err)
	}
	r, err := svc.OpenRound(ctx, f.tenantA.ID, sv.ID, surveys.RoundInput{OpensAt: opens, ClosesAt: closes})
	if err != nil {
		t.Fatalf("open round: %v", err)
	}
	invitees := make([]surveys.Invitee, n)
	for i := range invitees {
		invitees[i] = surveys.Invitee{PersonID: f.employeeA.ID, UnitID: f.teamA.ID}
	}
	tokens, err := svc.Invite(ctx, f.tenantA.ID, r.ID, invitees)
	if err != nil {
		t.Fatalf("invite: %v", err)
	}
	paths := make([]string, n)
	for i, tok := range tokens {
		paths[i] = "/enkater/svar/" + tok
	}
	return sv, r, paths
}

// mixedSurvey has one question of each type; the scale and the free text may be left unanswered.
var mixedSurvey = surveys.SurveyInput{Title: "Bemötande i receptionen", Kind: surveys.KindCustom, Questions: []surveys.QuestionInput{
	{Type: surveys.Likert5, Text: "Jag blev väl bemött.", Required: true},
	{Type: surveys.Scale10, Text: "Hur troligt är det att du rekommenderar oss?"},
	{Type: surveys.Single, Text: "Fick du ditt ärende gjort?", Options: []string{"Ja", "Nej", "Delvis"}, Required: true},
	{Type: surveys.Multiple, Text: "Hur tog du kontakt?", Options: []string{"Telefon", "Besök", "E-post"}},
	{Type: surveys.Text, Text: "Något mer du vill säga?"},
}}

func field(q *surveys.Question) string { return "q" + strconv.FormatInt(q.ID, 10) }

var keyField = regexp.MustCompile(`name="key" value="([^"]+)"`)

// formKey returns the idempotency key the form at path was rendered with.
func (f *fixture) formKey(t *testing.T, path string) string {
	t.Helper()
	rec := get(t, f.app.Handler, path)
	m := keyField.FindStringSubmatch(rec.Body.String())
	if rec.Code != http.StatusOK || m == nil {
		t.Fatalf("GET %s: got %d without a key field, want the form\n%s", path, rec.Code, rec.Body.String())
	}
	return m[1]
}

// post sends a survey form as a browser would.
func (f *fixture) post(t *testing.T, path string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	f.app.Handler.ServeHTTP(rec, req)
	return rec
}

func (f *fixture) responses(t *testing.T, roundID int64) int {
	t.Helper()
	tree, err := f.app.Org.Tree(context.Background(), f.tenantA.ID)
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.app.Surveys.Results(context.Background(), f.tenantA.ID, roundID, tree)
	if err != nil {
		t.Fatalf("results: %v", err)
	}
	var n int
	if err := f.app.DB.Read().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM survey_responses WHERE round_id = $1`, roundID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != res.Kommun.N && res.Kommun.Visible {
		t.Errorf("the roll-ups count %d responses and the table %d", res.Kommun.N, n)
	}
	return n
}

func TestAnsweringAnHMESurvey(t *testing.T) {
	f := newFixture(t)
	now := time.Now()
	sv, r, links := f.surveyRound(t, surveys.SurveyInput{Title: "HME våren 2026", Kind: surveys.KindHME}, now.Add(-time.Hour), now.Add(7*24*time.Hour), 2)
	answers := url.Values{}
	for i, q := range sv.Questions {
		if i == 4 {
			answers.Set(field(q), "") // vet ej
			continue
		}
		answers.Set(field(q), strconv.Itoa(1+i%5))
	}
	form := func(key string) url.Values {
		v := url.Values{"key": {key}, "action": {"skicka"}}
		for k, vs := range answers {
			v[k] = vs
		}
		return v
	}

	f.check(t, []scenario{
		{name: "the link shows the survey, anonymous, with vet ej", path: func(*fixture) string { return links[0] }, wantStatus: 200,
			wantText: []string{"<h1>HME våren 2026</h1>", "Dina svar är anonyma.", "Mitt arbete känns meningsfullt.", `type="radio"`,
				"Stämmer mycket dåligt", "Vet ej / ej aktuellt", `name="key"`, "Spara och fortsätt senare"},
			notText: []string{"Enkäten är inte anonym."}},
		{name: "an unknown link is not found", path: func(*fixture) string { return "/enkater/svar/finns-inte" }, wantStatus: 404,
			wantText: []string{"Länken till enkäten är ogiltig."}},
		{name: "a very long link is not found either", path: func(*fixture) string { return "/enkater/svar/" + strings.Repeat("x", 500) }, wantStatus: 404},
	})

	key := f.formKey(t, links[0])
	t.Run("a submission is stored and thanked", func(t *testing.T) {
		rec := f.post(t, links[0], form(key))
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/enkater/tack" {
			t.Fatalf("got %d to %q, want 303 to /enkater/tack\n%s", rec.Code, rec.Header().Get("Location"), rec.Body.String())
		}
		if n := f.responses(t, r.ID); n != 1 {
			t.Errorf("got %d responses, want 1", n)
		}
		if rec := get(t, f.app.Handler, "/enkater/tack"); rec.Code != 200 || !strings.Contains(rec.Body.String(), "Tack för dina svar") {
			t.Errorf("the thanks page: got %d", rec.Code)
		}
	})
	t.Run("the same form sent again is stored once", func(t *testing.T) {
		rec := f.post(t, links[0], form(key))
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/enkater/tack" {
			t.Fatalf("got %d to %q, want 303 to the thanks again", rec.Code, rec.Header().Get("Location"))
		}
		if n := f.responses(t, r.ID); n != 1 {
			t.Errorf("got %d responses after a retry, want 1", n)
		}
	})
	t.Run("a second answer on the same link is gone", func(t *testing.T) {
		rec := f.post(t, links[0], form("en-annan-nyckel"))
		if rec.Code != http.StatusGone || !strings.Contains(rec.Body.String(), "Den här länken har redan använts för att svara.") {
			t.Fatalf("got %d, want 410 with a clear message\n%s", rec.Code, rec.Body.String())
		}
		if rec := get(t, f.app.Handler, links[0]); rec.Code != http.StatusGone {
			t.Errorf("opening the used link: got %d, want 410", rec.Code)
		}
		if n := f.responses(t, r.ID); n != 1 {
			t.Errorf("got %d responses, want 1", n)
		}
	})
	t.Run("save and continue restores the answers", func(t *testing.T) {
		partial := url.Values{"action": {"spara"}, "key": {f.formKey(t, links[1])}}
		partial.Set(field(sv.Questions[0]), "4")
		partial.Set(field(sv.Questions[4]), "")
		rec := f.post(t, links[1], partial)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != links[1] {
			t.Fatalf("saving: got %d to %q, want 303 back to the link", rec.Code, rec.Header().Get("Location"))
		}
		body := get(t, f.app.Handler, links[1]).Body.String()
		for _, want := range []string{
			`id="` + field(sv.Questions[0]) + `-4" name="` + field(sv.Questions[0]) + `" value="4" checked`,
			`id="` + field(sv.Questions[4]) + `-none" name="` + field(sv.Questions[4]) + `" value="" checked`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("the reopened form lacks %s", want)
			}
		}
		if strings.Count(body, " checked") != 2 {
			t.Errorf("the reopened form has %d choices checked, want 2", strings.Count(body, " checked"))
		}
		if n := f.responses(t, r.ID); n != 1 {
			t.Errorf("saving a draft stored a response: %d, want 1", n)
		}
		if rec := f.post(t, links[1], form(f.formKey(t, links[1]))); rec.Code != http.StatusSeeOther {
			t.Fatalf("submitting after the draft: got %d", rec.Code)
		}
		var drafts int
		if err := f.app.DB.Read().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM survey_drafts`).Scan(&drafts); err != nil {
			t.Fatal(err)
		}
		if drafts != 0 {
			t.Errorf("got %d drafts after submitting, want the draft deleted", drafts)
		}
	})
}

func TestSurveyFormErrorsAndEscaping(t *testing.T) {
	f := newFixture(t)
	now := time.Now()
	sv, r, links := f.surveyRound(t, mixedSurvey, now.Add(-time.Hour), now.Add(time.Hour), 1)
	likert, scale, single, multiple, text := sv.Questions[0], sv.Questions[1], sv.Questions[2], sv.Questions[3], sv.Questions[4]
	const html = `<script>alert("hej")</script> & <b>fet</b>`
	key := f.formKey(t, links[0])

	t.Run("the form shows every kind of question", func(t *testing.T) {
		body := get(t, f.app.Handler, links[0]).Body.String()
		for _, want := range []string{`<fieldset class="question" id="` + field(likert) + `"`, `class="choices scale"`,
			`type="checkbox"`, `<textarea id="` + field(text) + `"`, "Inget svar", "(måste besvaras)"} {
			if !strings.Contains(body, want) {
				t.Errorf("the form lacks %s", want)
			}
		}
		if strings.Contains(body, "Vet ej") {
			t.Error("a survey that is not HME offers vet ej")
		}
	})
	t.Run("bad answers are shown again with messages", func(t *testing.T) {
		form := url.Values{"key": {key}, "action": {"skicka"}}
		form.Set(field(likert), "9")
		form.Set(field(scale), "7")
		form[field(multiple)] = []string{"0", "2"}
		form.Set(field(text), html)
		rec := f.post(t, links[0], form)
		body := rec.Body.String()
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("got %d, want 422\n%s", rec.Code, body)
		}
		for _, want := range []string{"Kontrollera uppgifterna i formuläret.", "Svaret ska vara mellan 1 och 5.", "Frågan måste besvaras.",
			`href="#` + field(single) + `"`, `value="7" checked`, `id="` + field(multiple) + `-0" name="` + field(multiple) + `" value="0" checked`,
			`value="2" checked`, `&lt;script&gt;alert(&#34;hej&#34;)&lt;/script&gt; &amp; &lt;b&gt;fet&lt;/b&gt;`, `value="` + key + `"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the form with errors lacks %s", want)
			}
		}
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<b>fet") {
			t.Error("the free text is written into the page unescaped")
		}
		if n := f.responses(t, r.ID); n != 0 {
			t.Errorf("got %d responses after bad answers, want 0", n)
		}
	})
	t.Run("good answers with HTML in the free text are stored as written", func(t *testing.T) {
		form := url.Values{"key": {key}, "action": {"skicka"}}
		form.Set(field(likert), "5")
		form.Set(field(single), "2")
		form.Set(field(scale), "")
		form.Set(field(text), html)
		if rec := f.post(t, links[0], form); rec.Code != http.StatusSeeOther {
			t.Fatalf("got %d, want 303\n%s", rec.Code, rec.Body.String())
		}
		var stored string
		if err := f.app.DB.Read().QueryRowContext(context.Background(), `SELECT text FROM survey_answers WHERE question_id = $1`, text.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if stored != html {
			t.Errorf("stored %q, want %q", stored, html)
		}
	})
}

func TestClosedAndFutureRounds(t *testing.T) {
	f := newFixture(t)
	now := time.Now()
	_, _, closed := f.surveyRound(t, mixedSurvey, now.Add(-48*time.Hour), now.Add(-24*time.Hour), 1)
	_, _, future := f.surveyRound(t, mixedSurvey, now.Add(24*time.Hour), now.Add(48*time.Hour), 1)
	form := url.Values{"key": {"k1"}, "action": {"skicka"}}
	f.check(t, []scenario{
		{name: "a closed round's link", path: func(*fixture) string { return closed[0] }, wantStatus: 410,
			wantText: []string{"Enkäten är inte öppen för svar just nu."}},
		{name: "answering a closed round", method: http.MethodPost, path: func(*fixture) string { return closed[0] }, form: form, wantStatus: 410},
		{name: "saving in a closed round", method: http.MethodPost, path: func(*fixture) string { return closed[0] },
			form: url.Values{"action": {"spara"}}, wantStatus: 410},
		{name: "a round not yet open", path: func(*fixture) string { return future[0] }, wantStatus: 409,
			wantText: []string{"Enkäten har inte öppnat för svar ännu."}},
		{name: "answering a round not yet open", method: http.MethodPost, path: func(*fixture) string { return future[0] }, form: form, wantStatus: 409},
		{name: "a junk link posted to", method: http.MethodPost, path: func(*fixture) string { return "/enkater/svar/skräp" }, form: form, wantStatus: 404},
	})
}

func TestNamedSurveySaysSoBeforeAnswering(t *testing.T) {
	f := newFixture(t)
	in := mixedSurvey
	in.Named = true
	_, _, links := f.surveyRound(t, in, time.Now().Add(-time.Hour), time.Now().Add(time.Hour), 1)
	f.check(t, []scenario{{name: "named", path: func(*fixture) string { return links[0] }, wantStatus: 200,
		wantText: []string{"Enkäten är inte anonym.", "Dina svar sparas med ditt namn"}, notText: []string{"Dina svar är anonyma."}}})
}
