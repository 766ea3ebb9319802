package surveys_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/surveys"
	"github.com/vard-kommun/vard/internal/values"
	"github.com/vard-kommun/vard/internal/web"
)

var threeWords = []values.Word{{Key: "tillsammans", Name: "Tillsammans"}, {Key: "drivkraft", Name: "Drivkraft"}, {Key: "medkansla", Name: "Medkänsla"}}

// fieldError returns the field messages of a validation error, or fails.
func fieldErrors(t *testing.T, err error) map[string]string {
	t.Helper()
	var e *web.Error
	if !errors.As(err, &e) || e.Status != http.StatusUnprocessableEntity {
		t.Fatalf("got %v, want a validation error", err)
	}
	return e.Fields
}

func TestTemplatesGiveTheirQuestions(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	new := func(t *testing.T, start surveys.Start, words []values.Word) *surveys.Survey {
		t.Helper()
		sv, err := f.svc.NewSurvey(ctx, f.tenant.ID, surveys.NewSurveyInput{Start: start, Title: "Mall " + string(start)}, words)
		if err != nil {
			t.Fatalf("new survey from %s: %v", start, err)
		}
		// Read back, so that what is checked is what was stored.
		sv, err = f.svc.Store.Survey(ctx, f.tenant.ID, sv.ID)
		if err != nil {
			t.Fatal(err)
		}
		return sv
	}
	t.Run("HME has SKR's nine statements", func(t *testing.T) {
		sv := new(t, surveys.StartHME, nil)
		if sv.Kind != surveys.KindHME || len(sv.Questions) != surveys.HMEStatements {
			t.Fatalf("got kind %s with %d questions, want hme with %d", sv.Kind, len(sv.Questions), surveys.HMEStatements)
		}
		if sv.Questions[0].Text != "Mitt arbete känns meningsfullt." || sv.Questions[8].HMEIndex != 8 {
			t.Errorf("first statement %q, last index %d", sv.Questions[0].Text, sv.Questions[8].HMEIndex)
		}
		if sv.K != surveys.DefaultK {
			t.Errorf("got k %d, want the default %d", sv.K, surveys.DefaultK)
		}
	})
	t.Run("the values pulse asks two statements per värdeord and names the word", func(t *testing.T) {
		sv := new(t, surveys.StartPulse, threeWords)
		if sv.Kind != surveys.KindValuesPulse {
			t.Errorf("got kind %s", sv.Kind)
		}
		perWord := map[string]int{}
		for _, q := range sv.Questions {
			if q.WordKey != "" {
				perWord[q.WordKey]++
				if q.Type != surveys.Likert5 {
					t.Errorf("statement %q is %s, want likert5", q.Text, q.Type)
				}
			}
		}
		for _, w := range threeWords {
			if perWord[w.Key] != 2 {
				t.Errorf("värdeord %s has %d statements, want 2", w.Key, perWord[w.Key])
			}
		}
		if want := "På min arbetsplats märks värdeordet Medkänsla i hur vi bemöter dem vi är till för."; sv.Questions[5].Text != want {
			t.Errorf("sixth statement %q, want %q", sv.Questions[5].Text, want)
		}
	})
	t.Run("no values pulse without an adopted värdegrund", func(t *testing.T) {
		_, err := f.svc.NewSurvey(ctx, f.tenant.ID, surveys.NewSurveyInput{Start: surveys.StartPulse, Title: "Puls"}, nil)
		if fields := fieldErrors(t, err); fields["start"] == "" {
			t.Errorf("got %v, want a message on start", fields)
		}
	})
	t.Run("ledarforum asks in free text and one statement", func(t *testing.T) {
		sv := new(t, surveys.StartLedarforum, nil)
		var texts, likert int
		for _, q := range sv.Questions {
			switch q.Type {
			case surveys.Text:
				texts++
			case surveys.Likert5:
				likert++
			}
		}
		if sv.Kind != surveys.KindLedarforum || texts < 2 || likert != 1 {
			t.Errorf("got kind %s with %d free-text and %d likert questions", sv.Kind, texts, likert)
		}
		if !strings.Contains(sv.Questions[1].Text, "ledningen") {
			t.Errorf("second question %q, want the question to the management", sv.Questions[1].Text)
		}
	})
	t.Run("the citizen survey asks about bemötande", func(t *testing.T) {
		sv := new(t, surveys.StartCitizen, nil)
		want := []struct {
			text string
			typ  surveys.QuestionType
		}{
			{"Blev du väl bemött?", surveys.Likert5}, {"Fick du hjälp med ditt ärende?", surveys.Likert5}, {"Var det enkelt?", surveys.Likert5},
			{"Hur kontaktade du oss?", surveys.Single}, {"Något du vill tillägga?", surveys.Text},
		}
		if sv.Kind != surveys.KindCitizen || len(sv.Questions) != len(want) {
			t.Fatalf("got kind %s with %d questions, want citizen with %d", sv.Kind, len(sv.Questions), len(want))
		}
		for i, w := range want {
			if q := sv.Questions[i]; q.Text != w.text || q.Type != w.typ {
				t.Errorf("question %d: got %q (%s), want %q (%s)", i+1, q.Text, q.Type, w.text, w.typ)
			}
		}
	})
	t.Run("an empty survey has no questions", func(t *testing.T) {
		sv := new(t, surveys.StartEmpty, nil)
		if sv.Kind != surveys.KindCustom || len(sv.Questions) != 0 {
			t.Errorf("got kind %s with %d questions", sv.Kind, len(sv.Questions))
		}
	})
}

func TestNewSurveyRefusesBadInput(t *testing.T) {
	f := setup(t)
	for _, c := range []struct {
		name  string
		in    surveys.NewSurveyInput
		field string
	}{
		{"no title", surveys.NewSurveyInput{Start: surveys.StartHME, Title: "  "}, "title"},
		{"a title too long", surveys.NewSurveyInput{Start: surveys.StartHME, Title: strings.Repeat("x", 201)}, "title"},
		{"an unknown start", surveys.NewSurveyInput{Start: "okand", Title: "X"}, "start"},
		{"k under the minimum", surveys.NewSurveyInput{Start: surveys.StartHME, Title: "X", K: 2}, "k"},
		{"k absurdly high", surveys.NewSurveyInput{Start: surveys.StartHME, Title: "X", K: 101}, "k"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.NewSurvey(context.Background(), f.tenant.ID, c.in, threeWords)
			if fields := fieldErrors(t, err); fields[c.field] == "" {
				t.Errorf("got %v, want a message on %s", fields, c.field)
			}
		})
	}
	if list, total, err := f.svc.Surveys(context.Background(), f.tenant.ID, 10, 0); err != nil || total != 0 || len(list) != 0 {
		t.Errorf("refused input stored %d surveys (%v)", total, err)
	}
}

func questionTexts(t *testing.T, f *fixture, id int64) []string {
	t.Helper()
	sv, err := f.svc.Store.Survey(context.Background(), f.tenant.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, q := range sv.Questions {
		out = append(out, q.Text)
	}
	return out
}

func TestEditingQuestionsUntilTheFirstRound(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	team := f.unit(t, 0, "department", "Kultur")
	sv, err := f.svc.NewSurvey(ctx, f.tenant.ID, surveys.NewSurveyInput{Start: surveys.StartEmpty, Title: "Egen"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	add := func(in surveys.QuestionEdit) *surveys.Question {
		t.Helper()
		q, err := f.svc.AddQuestion(ctx, f.tenant.ID, sv.ID, in)
		if err != nil {
			t.Fatalf("add %q: %v", in.Text, err)
		}
		return q
	}
	a := add(surveys.QuestionEdit{Type: surveys.Likert5, Text: "A"})
	b := add(surveys.QuestionEdit{Type: surveys.Single, Text: "B", Options: "Ja\r\n\n  Nej  \nKanske\n", Required: true})
	c := add(surveys.QuestionEdit{Type: surveys.Text, Text: "C", Options: "left over\nfrom a choice"})

	_, got, err := f.svc.Question(ctx, f.tenant.ID, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.Options, "|") != "Ja|Nej|Kanske" || !got.Required {
		t.Errorf("options %q required %v, want one per line, trimmed, blank lines left out", got.Options, got.Required)
	}
	if _, got, _ := f.svc.Question(ctx, f.tenant.ID, c.ID); len(got.Options) != 0 {
		t.Errorf("a free-text question kept options %q", got.Options)
	}

	for _, bad := range []struct {
		name  string
		in    surveys.QuestionEdit
		field string
	}{
		{"no text", surveys.QuestionEdit{Type: surveys.Likert5}, "text"},
		{"an unknown type", surveys.QuestionEdit{Type: "slider", Text: "X"}, "type"},
		{"one option", surveys.QuestionEdit{Type: surveys.Multiple, Text: "X", Options: "Bara en"}, "options"},
		{"the same option twice", surveys.QuestionEdit{Type: surveys.Single, Text: "X", Options: "Ja\nja"}, "options"},
	} {
		t.Run("refuses "+bad.name, func(t *testing.T) {
			_, err := f.svc.AddQuestion(ctx, f.tenant.ID, sv.ID, bad.in)
			if fields := fieldErrors(t, err); fields[bad.field] == "" {
				t.Errorf("got %v, want a message on %s", fields, bad.field)
			}
		})
	}

	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.svc.MoveQuestion(ctx, f.tenant.ID, c.ID, true))
	must(f.svc.MoveQuestion(ctx, f.tenant.ID, a.ID, true)) // already first: nothing
	if got := strings.Join(questionTexts(t, f, sv.ID), ""); got != "ACB" {
		t.Errorf("after moving C up: %s, want ACB", got)
	}
	must(f.svc.MoveQuestion(ctx, f.tenant.ID, a.ID, false))
	must(f.svc.UpdateQuestion(ctx, f.tenant.ID, a.ID, surveys.QuestionEdit{Type: surveys.Scale10, Text: "A2"}))
	must(f.svc.DeleteQuestion(ctx, f.tenant.ID, b.ID))
	must(f.svc.MoveQuestion(ctx, f.tenant.ID, a.ID, false)) // last after the deletion: nothing
	if got := strings.Join(questionTexts(t, f, sv.ID), ""); got != "CA2" {
		t.Errorf("after moving, editing and deleting: %s, want CA2", got)
	}

	// Another kommun's admin cannot reach the questions.
	other, err := f.org.CreateTenant(ctx, "annanby", "Annanby kommun", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeleteQuestion(ctx, other.ID, a.ID); err == nil {
		t.Error("another kommun deleted a question")
	}
	if _, err := f.svc.AddQuestion(ctx, other.ID, sv.ID, surveys.QuestionEdit{Type: surveys.Text, Text: "X"}); err == nil {
		t.Error("another kommun added a question")
	}

	// The first round freezes the survey: submissions and results rely on its questions.
	tree, err := f.org.Tree(ctx, f.tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	today := surveys.Day(time.Now())
	if _, err := f.svc.CreateRound(ctx, f.tenant.ID, sv.ID, surveys.RoundSpec{Name: "Våren", FirstDay: today, LastDay: today,
		Targets: surveys.Targets{UnitIDs: []int64{team.ID}}}, tree); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"add": func() error {
			_, err := f.svc.AddQuestion(ctx, f.tenant.ID, sv.ID, surveys.QuestionEdit{Type: surveys.Text, Text: "D"})
			return err
		}(),
		"update": f.svc.UpdateQuestion(ctx, f.tenant.ID, a.ID, surveys.QuestionEdit{Type: surveys.Text, Text: "Ändrad"}),
		"move":   f.svc.MoveQuestion(ctx, f.tenant.ID, a.ID, true),
		"delete": f.svc.DeleteQuestion(ctx, f.tenant.ID, c.ID),
	} {
		if !errors.Is(err, surveys.ErrFrozen) {
			t.Errorf("%s after the first round: got %v, want ErrFrozen", name, err)
		}
	}
	if got := strings.Join(questionTexts(t, f, sv.ID), ""); got != "CA2" {
		t.Errorf("the frozen survey changed: %s, want CA2", got)
	}

	// A copy is editable and starts with the same questions.
	cp, err := f.svc.CopySurvey(ctx, f.tenant.ID, sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(questionTexts(t, f, cp.ID), ""); got != "CA2" || cp.Title != "Kopia av Egen" {
		t.Errorf("copy %q has %s, want Kopia av Egen with CA2", cp.Title, got)
	}
	if _, err := f.svc.AddQuestion(ctx, f.tenant.ID, cp.ID, surveys.QuestionEdit{Type: surveys.Text, Text: "D"}); err != nil {
		t.Errorf("the copy cannot be edited: %v", err)
	}
}

func TestHMEStatementsAreFixed(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	sv, err := f.svc.NewSurvey(ctx, f.tenant.ID, surveys.NewSurveyInput{Start: surveys.StartHME, Title: "HME"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	first := sv.Questions[0]
	if err := f.svc.UpdateQuestion(ctx, f.tenant.ID, first.ID, surveys.QuestionEdit{Type: surveys.Likert5, Text: "Jag trivs."}); err == nil {
		t.Error("an HME statement was reworded")
	}
	if err := f.svc.DeleteQuestion(ctx, f.tenant.ID, first.ID); err == nil {
		t.Error("an HME statement was deleted")
	}
	// A background question may be added to HME.
	if _, err := f.svc.AddQuestion(ctx, f.tenant.ID, sv.ID, surveys.QuestionEdit{Type: surveys.Text, Text: "Något mer?"}); err != nil {
		t.Errorf("adding a question to HME: %v", err)
	}
}
