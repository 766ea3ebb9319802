package app_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/surveys"
)

// resultsRound makes a citizen-style survey of kommun A (Likert, a background question, free text) with a
// round sent by personal links: Team Öst 6 answers of 8, Hemtjänst Norra's own 5 of 5, Biståndsenheten 2
// of 3. Biståndsenheten is under k = 5; Socialförvaltningen − Hemtjänst Norra would give it, so Hemtjänst
// Norra (11) is hidden too, while Team Öst (6) and the rest of the förvaltning (7) stay shown. The round
// is then closed, since a round with personal links shows its figures only after it has closed.
func (f *fixture) resultsRound(t *testing.T) (*surveys.Survey, *surveys.Round) {
	t.Helper()
	sv, r := f.openResultsRound(t)
	r.ClosesAt = time.Now().Add(-time.Minute).UTC()
	if _, err := f.app.Surveys.Store.DB.Writer().ExecContext(context.Background(), `UPDATE survey_rounds SET closes_at = $1 WHERE id = $2`, r.ClosesAt, r.ID); err != nil {
		t.Fatal(err)
	}
	return sv, r
}

// openResultsRound is resultsRound with the round still open.
func (f *fixture) openResultsRound(t *testing.T) (*surveys.Survey, *surveys.Round) {
	t.Helper()
	ctx := context.Background()
	svc := f.app.Surveys
	sv, err := svc.CreateSurvey(ctx, f.tenantA.ID, surveys.SurveyInput{Title: "Bemötande i receptionen", Kind: surveys.KindCitizen, Questions: []surveys.QuestionInput{
		{Type: surveys.Likert5, Text: "Blev du väl bemött?", Required: true},
		{Type: surveys.Single, Text: "Hur kontaktade du oss?", Options: []string{"Telefon", "Besök"}},
		{Type: surveys.Text, Text: "Något du vill tillägga?"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := svc.OpenRound(ctx, f.tenantA.ID, sv.ID, surveys.RoundInput{OpensAt: time.Now().Add(-time.Hour), ClosesAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	key := 0
	for _, c := range []struct {
		unit             int64
		invited, answers int
		text             string
	}{{f.teamA.ID, 8, 6, "Trevligt i Team Öst"}, {f.unitA.ID, 5, 5, "Bra i Hemtjänst"}, {f.otherUnitA.ID, 3, 2, "Hemligt från Biståndsenheten"}} {
		invitees := make([]surveys.Invitee, c.invited)
		for i := range invitees {
			invitees[i] = surveys.Invitee{UnitID: c.unit}
		}
		tokens, err := svc.Invite(ctx, f.tenantA.ID, r.ID, invitees)
		if err != nil {
			t.Fatal(err)
		}
		for i := range c.answers {
			key++
			answers := []surveys.Answer{{QuestionID: sv.Questions[0].ID, Values: []int{1 + i%5}}, {QuestionID: sv.Questions[1].ID, Values: []int{i % 2}},
				{QuestionID: sv.Questions[2].ID, Text: c.text}}
			if _, err := svc.Submit(ctx, f.tenantA.ID, surveys.Submission{RoundID: r.ID, Token: tokens[i], IdempotencyKey: fmt.Sprint(key), Answers: answers}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return sv, r
}

func TestResultsPages(t *testing.T) {
	f := newFixture(t)
	sv, r := f.resultsRound(t)
	page := func(suffix string) func(*fixture) string {
		return func(*fixture) string { return "/enkater/omgangar/" + itoa(r.ID) + "/resultat" + suffix }
	}
	hidden := "Färre än 5 svar – visas inte"
	f.check(t, []scenario{
		{name: "the admin sees every unit, hidden ones without figures", as: admin, path: page(""), wantStatus: 200,
			wantText: []string{"Bemötande i receptionen", "Hela kommunen", "Socialförvaltningen", "Hemtjänst Norra", "Team Öst", "Biståndsenheten",
				hidden, "<table", `scope="col"`, `aria-hidden="true"`, "Visa för", "Telefon", "resultat.csv", "resultat.xlsx", "Trevligt i Team Öst"}},
		{name: "the chef sees their own units only", as: chef, path: page(""), wantStatus: 200,
			wantText: []string{"Hemtjänst Norra", "Team Öst", hidden}, notText: []string{"Biståndsenheten", "Hela kommunen", "Hemligt"}},
		{name: "the chef's hidden unit has no free text", as: chef, path: page(""), wantStatus: 200,
			wantText: []string{"Fritextsvar visas bara för grupper som visas."}, notText: []string{"Bra i Hemtjänst"}},
		{name: "the chef picks their team", as: chef, path: func(f *fixture) string { return page("?enhet=" + itoa(f.teamA.ID))(f) }, wantStatus: 200,
			wantText: []string{"Trevligt i Team Öst", "Blev du väl bemött?"}, notText: []string{"Bra i Hemtjänst"}},
		{name: "the chef cannot pick a unit elsewhere", as: chef, path: func(f *fixture) string { return page("?enhet=" + itoa(f.otherUnitA.ID))(f) }, wantStatus: 400},
		{name: "the chef cannot pick the kommun's answers without unit", as: chef, path: page("?enhet=0"), wantStatus: 400},
		{name: "a junk unit is a 400", as: admin, path: page("?enhet=abc"), wantStatus: 400},
		{name: "a filter by the background question", as: admin, path: func(f *fixture) string {
			return page("?filter=" + url.QueryEscape(fmt.Sprintf("%d-0", sv.Questions[1].ID)))(f)
		}, wantStatus: 200, wantText: []string{"Visa för: Hur kontaktade du oss?: Telefon"}},
		{name: "a filter by a Likert question is a 400", as: admin, path: func(f *fixture) string { return page(fmt.Sprintf("?filter=%d-0", sv.Questions[0].ID))(f) }, wantStatus: 400,
			wantText: []string{"Filtret finns inte i enkäten"}},
		{name: "a filter option out of range is a 400", as: admin, path: func(f *fixture) string { return page(fmt.Sprintf("?filter=%d-7", sv.Questions[1].ID))(f) }, wantStatus: 400},
		{name: "a junk filter is a 400", as: admin, path: page("?filter=%3Cscript%3E"), wantStatus: 400, notText: []string{"<script>"}},
		{name: "a junk free-text question is a 400", as: admin, path: page("?fritext=1x"), wantStatus: 400},
		{name: "an employee is refused", as: employee, path: page(""), wantStatus: 403},
		{name: "another kommun's admin gets 404", as: func(f *fixture) *org.Person { return f.adminB }, path: page(""), wantStatus: 404},
		{name: "an unknown round is 404", as: admin, path: path("/enkater/omgangar/999999/resultat"), wantStatus: 404},
		{name: "the list of rounds", as: chef, path: path("/enkater/resultat"), wantStatus: 200, wantText: []string{"Bemötande i receptionen", "/enkater/omgangar/" + itoa(r.ID) + "/resultat"}},
		{name: "the trend", as: admin, path: path("/enkater/trend/" + itoa(sv.ID)), wantStatus: 200, wantText: []string{"Utveckling över omgångar", "<circle", "<table"}},
		{name: "the chef's trend is their unit's", as: chef, path: path("/enkater/trend/" + itoa(sv.ID)), wantStatus: 200, wantText: []string{"Hemtjänst Norra"}, notText: []string{"Biståndsenheten"}},
		{name: "another kommun's trend is 404", as: func(f *fixture) *org.Person { return f.adminB }, path: path("/enkater/trend/" + itoa(sv.ID)), wantStatus: 404},
		{name: "the public sees nothing unpublished", path: path("/k/a-kommun/enkater/" + itoa(sv.ID) + "/resultat"), wantStatus: 404},
	})

	t.Run("publishing", func(t *testing.T) {
		publishing := "/enkater/omgangar/" + itoa(r.ID) + "/publicering"
		public := "/k/a-kommun/enkater/" + itoa(sv.ID) + "/resultat"
		f.check(t, []scenario{
			{name: "the chef may not publish", as: chef, method: "POST", path: path(publishing), form: url.Values{"action": {"publicera"}}, wantStatus: 403},
			{name: "the confirmation page", as: admin, path: path(publishing), wantStatus: 200, wantText: []string{"Publicera resultatet", `value="publicera"`}},
			{name: "a junk action is a 400", as: admin, method: "POST", path: path(publishing), form: url.Values{"action": {"kanske"}}, wantStatus: 400},
			{name: "publish", as: admin, method: "POST", path: path(publishing), form: url.Values{"action": {"publicera"}}, wantStatus: 303},
			{name: "the public page shows the visible figures", path: path(public), wantStatus: 200,
				wantText: []string{"A kommun", "Bemötande i receptionen", "Team Öst", "Socialförvaltningen"},
				notText:  []string{"Biståndsenheten", "Hemtjänst Norra", "Hemligt", "Trevligt"}},
			{name: "another kommun's slug does not find it", path: path("/k/b-kommun/enkater/" + itoa(sv.ID) + "/resultat"), wantStatus: 404},
			{name: "unpublish", as: admin, method: "POST", path: path(publishing), form: url.Values{"action": {"avpublicera"}}, wantStatus: 303},
			{name: "gone again", path: path(public), wantStatus: 404},
		})
	})
}

// visibility is what one view shows: per group name, its number of answers, or −1 when hidden.
type visibility map[string]int

func TestResultsExportsAndAPIAgreeWithThePage(t *testing.T) {
	f := newFixture(t)
	_, r := f.resultsRound(t)
	base := "/enkater/omgangar/" + itoa(r.ID) + "/resultat"

	// The API (the kommunadmin's view).
	rec := f.api(t, "/api/v1/rounds/"+itoa(r.ID)+"/results", f.tokenA)
	if rec.Code != 200 {
		t.Fatalf("API: got %d\n%s", rec.Code, rec.Body.String())
	}
	var res struct {
		Kommun struct {
			Visible bool
			N       *int
		}
		Units []struct {
			Name      string
			Visible   bool
			N         *int
			Questions []any
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	api := visibility{"Hela kommunen": -1}
	if res.Kommun.Visible {
		api["Hela kommunen"] = *res.Kommun.N
	}
	for _, u := range res.Units {
		if !u.Visible {
			if u.N != nil || u.Questions != nil {
				t.Errorf("API: hidden %s carries figures", u.Name)
			}
			api[u.Name] = -1
			continue
		}
		api[u.Name] = *u.N
	}
	want := visibility{"Hela kommunen": 13, "Socialförvaltningen": 13, "Hemtjänst Norra": -1, "Team Öst": 6, "Biståndsenheten": -1}
	if fmt.Sprint(api) != fmt.Sprint(want) {
		t.Errorf("API: got %v, want %v", api, want)
	}

	// The CSV export of the admin and of the chef: the same groups hidden, no figure of a hidden group.
	for _, who := range []scenario{{name: "admin", as: admin}, {name: "chef", as: chef}} {
		rec := f.do(t, scenario{as: who.as, path: path(base + ".csv")})
		if rec.Code != 200 || !bytes.HasPrefix(rec.Body.Bytes(), []byte("\ufeff")) || !strings.Contains(rec.Header().Get("Content-Type"), "text/csv") {
			t.Fatalf("%s CSV: got %d %q", who.name, rec.Code, rec.Header().Get("Content-Type"))
		}
		rd := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(rec.Body.Bytes(), []byte("\ufeff"))))
		rd.Comma, rd.FieldsPerRecord = ';', -1
		rows, err := rd.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		got := visibility{}
		for _, row := range rows[1:] {
			switch {
			case row[4] == "Färre än 5 svar – visas inte":
				got[row[0]] = -1
				for _, cell := range row[5:] {
					if cell != "" {
						t.Errorf("%s CSV: hidden %s has %q", who.name, row[0], cell)
					}
				}
			case row[4] == "Antal svar":
				var n int
				fmt.Sscan(row[8], &n)
				got[row[0]] = n
			case got[row[0]] == -1:
				t.Errorf("%s CSV: hidden %s has a row %q", who.name, row[0], row)
			}
			if strings.Contains(strings.Join(row, ";"), "Hemligt") {
				t.Errorf("%s CSV: free text exported", who.name)
			}
		}
		for name, n := range got {
			if api[name] != n {
				t.Errorf("%s CSV: %s is %d, the API says %d", who.name, name, n, api[name])
			}
		}
		if who.name == "chef" && (len(got) != 2 || got["Biståndsenheten"] != 0) {
			t.Errorf("chef CSV: got groups %v, want Hemtjänst Norra and Team Öst", got)
		}
		if who.name == "admin" && len(got) != 5 {
			t.Errorf("admin CSV: got groups %v, want all five", got)
		}
	}
	// Mean with a decimal comma: Team Öst answered 1,2,3,4,5,1 → 16/6 = 2,67.
	rec = f.do(t, scenario{as: admin, path: path(base + ".csv")})
	if !strings.Contains(rec.Body.String(), "Team Öst;") || !strings.Contains(rec.Body.String(), ";2,67\r\n") {
		t.Errorf("CSV: no mean 2,67 for Team Öst\n%s", rec.Body.String())
	}

	// The XLSX export holds the same rows, numbers as numbers.
	rec = f.do(t, scenario{as: admin, path: path(base + ".xlsx")})
	if rec.Code != 200 {
		t.Fatalf("XLSX: got %d", rec.Code)
	}
	book, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	xrows, err := book.GetRows("Resultat")
	if err != nil {
		t.Fatal(err)
	}
	hiddenRows := 0
	for _, row := range xrows {
		if len(row) > 4 && row[4] == "Färre än 5 svar – visas inte" {
			hiddenRows++
			if len(row) > 5 {
				t.Errorf("XLSX: hidden %s has %q", row[0], row[5:])
			}
		}
	}
	if hiddenRows != 2 {
		t.Errorf("XLSX: got %d hidden groups, want 2", hiddenRows)
	}
}

func TestSurveysAPI(t *testing.T) {
	f := newFixture(t)
	sv, r := f.resultsRound(t)
	for _, c := range []struct {
		name, target string
		want         int
		text         []string
	}{
		{"list", "/api/v1/surveys", 200, []string{`"title":"Bemötande i receptionen"`, `"total":1`}},
		{"one survey with questions and rounds", "/api/v1/surveys/" + itoa(sv.ID), 200, []string{`"questions":[`, `"rounds":[{"id":` + itoa(r.ID), `"options":["Telefon","Besök"]`}},
		{"an unknown survey", "/api/v1/surveys/999999", 404, []string{`"status":404`}},
		{"a bad limit", "/api/v1/surveys?limit=0", 400, []string{`"limit"`}},
		{"an unknown parameter", "/api/v1/surveys?sort=x", 400, []string{`"sort"`}},
		{"results", "/api/v1/rounds/" + itoa(r.ID) + "/results", 200, []string{`"visible":false`, `"k":5`}},
		{"filtered results", fmt.Sprintf("/api/v1/rounds/%d/results?question_id=%d&option=1", r.ID, sv.Questions[1].ID), 200, []string{`"filter":{"question_id":`}},
		{"a filter by a Likert question", fmt.Sprintf("/api/v1/rounds/%d/results?question_id=%d&option=0", r.ID, sv.Questions[0].ID), 400, []string{`"question_id"`}},
		{"an option without question", fmt.Sprintf("/api/v1/rounds/%d/results?option=0", r.ID), 400, []string{`"option"`}},
		{"an unknown round", "/api/v1/rounds/999999/results", 404, []string{`"status":404`}},
	} {
		rec := f.api(t, c.target, f.tokenA)
		if rec.Code != c.want {
			t.Errorf("%s: got %d, want %d\n%s", c.name, rec.Code, c.want, rec.Body.String())
			continue
		}
		if c.want >= 400 && rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: got %q, want problem+json", c.name, rec.Header().Get("Content-Type"))
		}
		for _, s := range c.text {
			if !strings.Contains(rec.Body.String(), s) {
				t.Errorf("%s: no %s in\n%s", c.name, s, rec.Body.String())
			}
		}
	}
	// Kommun B's token does not reach kommun A's round.
	tokB, err := f.app.Auth.CreateToken(context.Background(), f.tenantB.ID, "B")
	if err != nil {
		t.Fatal(err)
	}
	if rec := f.api(t, "/api/v1/rounds/"+itoa(r.ID)+"/results", tokB); rec.Code != http.StatusNotFound {
		t.Errorf("kommun B's token: got %d, want 404", rec.Code)
	}
}

// TestResultsWhileRoundIsOpen: while a round with personal links is open, the page, the exports, the API,
// the trend, the list and the public page give the groups' numbers of answers and response rates only,
// and say when the figures come; a filter is refused.
func TestResultsWhileRoundIsOpen(t *testing.T) {
	f := newFixture(t)
	sv, r := f.openResultsRound(t)
	base := "/enkater/omgangar/" + itoa(r.ID) + "/resultat"
	page := func(suffix string) func(*fixture) string { return path(base + suffix) }
	waiting := "Resultatet visas när omgången har stängt den"
	figures := []string{"Medelvärde", "Svar per fråga", "Trevligt i Team Öst", "Andel (%)", "<svg", "Visa för"}
	f.check(t, []scenario{
		{name: "the admin's page: numbers of answers and rates only", as: admin, path: page(""), wantStatus: 200,
			wantText: []string{waiting, "Hela kommunen", ">13<", ">16<", "Team Öst", "Färre än 5 svar – visas inte"}, notText: figures},
		{name: "the chef's team: n and rate only", as: chef, path: page("?enhet=" + itoa(f.teamA.ID)), wantStatus: 200,
			wantText: []string{waiting, "Antal svar: 6", "Svarsfrekvens (%): 75"}, notText: figures},
		{name: "a filter is refused", as: admin, path: page(fmt.Sprintf("?filter=%d-0", sv.Questions[1].ID)), wantStatus: 400,
			wantText: []string{"Resultatet kan filtreras först när omgången har stängt."}},
		{name: "the list says so", as: chef, path: path("/enkater/resultat"), wantStatus: 200, wantText: []string{"Bara antal svar tills omgången har stängt den"}},
		{name: "the trend's column shows n only", as: admin, path: path("/enkater/trend/" + itoa(sv.ID)), wantStatus: 200,
			wantText: []string{"Pågår", ">13<"}, notText: []string{"<circle"}},
	})

	// The CSV: n, invited and rate per visible group, nothing else.
	rec := f.do(t, scenario{as: admin, path: path(base + ".csv")})
	if rec.Code != 200 {
		t.Fatalf("CSV: got %d", rec.Code)
	}
	rd := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(rec.Body.Bytes(), []byte("\ufeff"))))
	rd.Comma, rd.FieldsPerRecord = ';', -1
	rows, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 2 || !strings.HasPrefix(rows[1][4], waiting) {
		t.Errorf("CSV: no row that says when the figures come: %q", rows)
	}
	for _, row := range rows[2:] {
		switch row[4] {
		case "Antal svar", "Inbjudna", "Svarsfrekvens (%)", "Färre än 5 svar – visas inte":
		default:
			t.Errorf("CSV: a figure while pending: %q", row)
		}
	}
	rec = f.do(t, scenario{as: admin, path: path(base + ".xlsx")})
	if rec.Code != 200 {
		t.Fatalf("XLSX: got %d", rec.Code)
	}
	book, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	xrows, err := book.GetRows("Resultat")
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range xrows {
		if len(row) > 4 && (row[4] == "Fördelning" || row[4] == "Medelvärde") {
			t.Errorf("XLSX: a figure while pending: %q", row)
		}
	}

	// The API: pending true, n and invited, no questions.
	rec = f.api(t, "/api/v1/rounds/"+itoa(r.ID)+"/results", f.tokenA)
	if rec.Code != 200 {
		t.Fatalf("API: got %d\n%s", rec.Code, rec.Body.String())
	}
	var res struct {
		Pending bool
		Kommun  map[string]any
		Units   []map[string]any
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if !res.Pending || res.Kommun["n"] != 13.0 || res.Kommun["invited"] != 16.0 {
		t.Errorf("API: got pending=%v kommun %v", res.Pending, res.Kommun)
	}
	for _, g := range append(res.Units, res.Kommun) {
		for _, field := range []string{"questions", "hme", "value_words"} {
			if _, ok := g[field]; ok {
				t.Errorf("API: %v has %s while pending", g["name"], field)
			}
		}
	}
	if rec := f.api(t, fmt.Sprintf("/api/v1/rounds/%d/results?question_id=%d&option=0", r.ID, sv.Questions[1].ID), f.tokenA); rec.Code != 400 {
		t.Errorf("API filter while pending: got %d, want 400", rec.Code)
	}

	// Published while open: the public page shows n only.
	if err := f.app.Surveys.SetPublished(context.Background(), f.tenantA.ID, r.ID, true); err != nil {
		t.Fatal(err)
	}
	f.check(t, []scenario{
		{name: "the public page while pending", path: path("/k/a-kommun/enkater/" + itoa(sv.ID) + "/resultat"), wantStatus: 200,
			wantText: []string{waiting, "Antal svar: 13"}, notText: figures},
	})
}
