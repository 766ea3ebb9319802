package surveys_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/vard-kommun/vard/internal/surveys"
	"github.com/vard-kommun/vard/internal/web"
)

// formSurvey has one question of each type, with ids 1–5.
func formSurvey() *surveys.Survey {
	return &surveys.Survey{Kind: surveys.KindCustom, Questions: []*surveys.Question{
		{ID: 1, Type: surveys.Likert5, Text: "Jag blev väl bemött", Required: true, HMEIndex: -1},
		{ID: 2, Type: surveys.Scale10, Text: "Hur troligt är det att du rekommenderar oss?", HMEIndex: -1},
		{ID: 3, Type: surveys.Single, Text: "Ärende", Options: []string{"Bygglov", "Skola", "Annat"}, HMEIndex: -1},
		{ID: 4, Type: surveys.Multiple, Text: "Kanal", Options: []string{"Telefon", "E-post", "Besök"}, HMEIndex: -1},
		{ID: 5, Type: surveys.Text, Text: "Något mer?", HMEIndex: -1},
	}}
}

func TestValidate(t *testing.T) {
	sv := formSurvey()
	ok := func(extra ...surveys.Answer) []surveys.Answer {
		return append([]surveys.Answer{{QuestionID: 1, Values: []int{4}}}, extra...)
	}
	tests := []struct {
		name    string
		answers []surveys.Answer
		field   string // "" when the answers are valid
		want    string
	}{
		{"everything answered", ok(
			surveys.Answer{QuestionID: 2, Values: []int{10}}, surveys.Answer{QuestionID: 3, Values: []int{2}},
			surveys.Answer{QuestionID: 4, Values: []int{0, 2}}, surveys.Answer{QuestionID: 5, Text: "Tack!"}), "", ""},
		{"only the required question", ok(), "", ""},
		{"required question missing", nil, "q1", "Frågan måste besvaras."},
		{"likert above 5", []surveys.Answer{{QuestionID: 1, Values: []int{6}}}, "q1", "Svaret ska vara mellan 1 och 5."},
		{"likert 0", []surveys.Answer{{QuestionID: 1, Values: []int{0}}}, "q1", "Svaret ska vara mellan 1 och 5."},
		{"likert with two values", []surveys.Answer{{QuestionID: 1, Values: []int{1, 2}}}, "q1", "Välj ett svar."},
		{"scale 11", ok(surveys.Answer{QuestionID: 2, Values: []int{11}}), "q2", "Svaret ska vara mellan 0 och 10."},
		{"scale 0 is an answer", ok(surveys.Answer{QuestionID: 2, Values: []int{0}}), "", ""},
		{"single option out of range", ok(surveys.Answer{QuestionID: 3, Values: []int{3}}), "q3", "Välj bland svarsalternativen."},
		{"multiple with a repeated option", ok(surveys.Answer{QuestionID: 4, Values: []int{1, 1}}), "q4", "Välj bland svarsalternativen."},
		{"multiple with none", ok(surveys.Answer{QuestionID: 4}), "q4", "Välj minst ett svarsalternativ."},
		{"text too long", ok(surveys.Answer{QuestionID: 5, Text: strings.Repeat("å", surveys.MaxTextLength+1)}), "q5", "Svaret får vara högst 4000 tecken."},
		{"text with a value", ok(surveys.Answer{QuestionID: 5, Values: []int{1}}), "q5", "Svaret på en fritextfråga ska vara text."},
		{"unknown question", ok(surveys.Answer{QuestionID: 99, Values: []int{1}}), "q99", "Frågan finns inte i enkäten."},
		{"question answered twice", ok(surveys.Answer{QuestionID: 1, Values: []int{2}}), "q1", "Frågan är besvarad mer än en gång."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := surveys.Validate(sv, tt.answers)
			if got := fieldError(err, tt.field); tt.field == "" && err != nil || tt.field != "" && got != tt.want {
				t.Fatalf("got error %v (%q on %s), want %q", err, got, tt.field, tt.want)
			}
		})
	}
}

func TestParseSubmission(t *testing.T) {
	form, _ := url.ParseQuery("q1=3&q2=&q3=1&q4=0&q4=2&q5=+Bra+bem%C3%B6tande+&csrf=x")
	got, err := surveys.ParseSubmission(formSurvey(), form)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || got[0].Values[0] != 3 || got[1].Values[0] != 1 || len(got[2].Values) != 2 || got[3].Text != "Bra bemötande" {
		t.Fatalf("got %+v, want q1=3, q3=1, q4=[0 2], q5=%q", got, "Bra bemötande")
	}
	_, err = surveys.ParseSubmission(formSurvey(), url.Values{"q1": {"tre"}})
	if msg := fieldError(err, "q1"); msg != "Svaret kunde inte läsas. Välj ett av alternativen." {
		t.Fatalf("got %q for a word as a value, want the Swedish message", msg)
	}
}

// swedish are every message ParseSubmission may give.
var swedish = map[string]bool{
	"Svaret kunde inte läsas. Välj ett av alternativen.": true, "Frågan kan bara ha ett svar.": true,
	"Frågan måste besvaras.": true, "Svaret ska vara mellan 1 och 5.": true, "Svaret ska vara mellan 0 och 10.": true,
	"Välj ett svar.": true, "Välj bland svarsalternativen.": true, "Välj minst ett svarsalternativ.": true,
	"Svaret får vara högst 4000 tecken.": true, "Svaret innehåller otillåtna tecken.": true,
	"Skriv ett svar eller lämna frågan tom.": true, "Svaret på en fritextfråga ska vara text.": true,
}

func FuzzParseSubmission(f *testing.F) {
	f.Add("q1=4")
	sv := formSurvey()
	f.Fuzz(func(t *testing.T, body string) {
		form, _ := url.ParseQuery(body)
		answers, err := surveys.ParseSubmission(sv, form)
		if err == nil {
			if err := surveys.Validate(sv, answers); err != nil {
				t.Fatalf("parsed answers %+v fail validation: %v", answers, err)
			}
			return
		}
		var e *web.Error
		if !errors.As(err, &e) || e.Status != 422 || len(e.Fields) == 0 {
			t.Fatalf("got %#v, want a validation error with a message per field", err)
		}
		for field, msg := range e.Fields {
			if !swedish[msg] {
				t.Fatalf("field %s: got message %q, want one of the Swedish messages", field, msg)
			}
		}
	})
}

// fieldError returns the message for a field of a validation error, or "".
func fieldError(err error, field string) string {
	var e *web.Error
	if errors.As(err, &e) {
		return e.Fields[field]
	}
	return ""
}
