package surveys

import (
	"bytes"
	"errors"
	"io/fs"
	"math"
	"os"
	"testing"
)

func TestEmbeddedHMEIsTheSharedCopy(t *testing.T) {
	shared, err := os.ReadFile("../../../shared/data/hme.json")
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("../../../shared/data/hme.json is absent; nothing to compare with")
	}
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(shared, hmeJSON) {
		t.Error("internal/surveys/hme.json differs from shared/data/hme.json; copy it again")
	}
}

func TestLoadHME(t *testing.T) {
	h, err := LoadHME()
	if err != nil {
		t.Fatal(err)
	}
	st := h.Statements()
	if len(st) != HMEStatements {
		t.Fatalf("got %d statements, want %d", len(st), HMEStatements)
	}
	for i, want := range map[int]string{
		0: "Mitt arbete känns meningsfullt.",
		3: "Min närmaste chef visar uppskattning för mina arbetsinsatser.",
		8: "Min arbetsplats mål följs upp och utvärderas på ett bra sätt.",
	} {
		if st[i] != want {
			t.Errorf("statement %d is %q, want %q", i, st[i], want)
		}
	}
	if len(h.Method) == 0 || h.Scale.NotApplicable == "" {
		t.Error("method or vet ej text missing")
	}
}

// The worked example in hme.json, with the figures it states.
func TestScoreHMEWorkedExample(t *testing.T) {
	h, err := LoadHME()
	if err != nil {
		t.Fatal(err)
	}
	ex := h.WorkedExample
	var respondents []HMEAnswers
	for _, row := range ex.Answers {
		var a HMEAnswers
		for i, x := range row {
			if x != nil {
				a[i] = *x
			}
		}
		respondents = append(respondents, a)
	}
	got := ScoreHME(respondents)
	for _, c := range []struct {
		name      string
		got       HMEFigure
		wantValue int
		wantN     int
		wantMean  float64
	}{
		{"motivation", got.Motivation, ex.Motivation, 3, 69.4},
		{"ledarskap", got.Ledarskap, ex.Ledarskap, 3, 88.9},
		{"styrning", got.Styrning, ex.Styrning, 2, 79.2},
		{"total", got.Total, ex.Total, 2, 75.0},
	} {
		if c.got.Value != c.wantValue || c.got.N != c.wantN {
			t.Errorf("%s = %d (n=%d), want %d (n=%d)", c.name, c.got.Value, c.got.N, c.wantValue, c.wantN)
		}
		if math.Abs(c.got.Mean-c.wantMean) > 0.05 {
			t.Errorf("%s mean = %.2f, want %.1f", c.name, c.got.Mean, c.wantMean)
		}
	}
	// The file's own figures, in case someone edits the JSON without the test.
	if ex.Motivation != 69 || ex.Ledarskap != 89 || ex.Styrning != 79 || ex.Total != 75 {
		t.Errorf("worked example states %d/%d/%d/%d, want 69/89/79/75",
			ex.Motivation, ex.Ledarskap, ex.Styrning, ex.Total)
	}
}

func all(x int) HMEAnswers {
	var a HMEAnswers
	for i := range a {
		a[i] = x
	}
	return a
}

func TestScoreHME(t *testing.T) {
	vetEjInStyrning := all(5)
	vetEjInStyrning[7] = NotApplicable
	outOfScale := all(3)
	outOfScale[0] = 7
	for _, c := range []struct {
		name                        string
		respondents                 []HMEAnswers
		motivation, styrning, total HMEFigure
	}{
		{"no respondents has no figures", nil, HMEFigure{}, HMEFigure{}, HMEFigure{}},
		{"all 1s is 0", []HMEAnswers{all(1), all(1)},
			HMEFigure{0, 0, 2}, HMEFigure{0, 0, 2}, HMEFigure{0, 0, 2}},
		{"all 5s is 100", []HMEAnswers{all(5)},
			HMEFigure{100, 100, 1}, HMEFigure{100, 100, 1}, HMEFigure{100, 100, 1}},
		{"all 3s is 50", []HMEAnswers{all(3)},
			HMEFigure{50, 50, 1}, HMEFigure{50, 50, 1}, HMEFigure{50, 50, 1}},
		{"vet ej leaves the respondent out of that sub-index and the total only",
			[]HMEAnswers{vetEjInStyrning, all(1)},
			HMEFigure{50, 50, 2}, HMEFigure{0, 0, 1}, HMEFigure{0, 0, 1}},
		{"a respondent who answered nothing counts nowhere", []HMEAnswers{{}, all(4)},
			HMEFigure{75, 75, 1}, HMEFigure{75, 75, 1}, HMEFigure{75, 75, 1}},
		{"a value outside 1–5 counts as vet ej", []HMEAnswers{outOfScale},
			HMEFigure{}, HMEFigure{50, 50, 1}, HMEFigure{}},
		// Two respondents at 50 and two at 75: a mean of 62.5, which must round up to 63.
		{"a mean of x.5 rounds up", []HMEAnswers{all(3), all(4), all(3), all(4)},
			HMEFigure{63, 62.5, 4}, HMEFigure{63, 62.5, 4}, HMEFigure{63, 62.5, 4}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := ScoreHME(c.respondents)
			for _, f := range []struct {
				name      string
				got, want HMEFigure
			}{
				{"motivation", got.Motivation, c.motivation},
				{"styrning", got.Styrning, c.styrning},
				{"total", got.Total, c.total},
			} {
				if f.got.Value != f.want.Value || f.got.N != f.want.N || math.Abs(f.got.Mean-f.want.Mean) > 1e-9 {
					t.Errorf("%s = %+v, want %+v", f.name, f.got, f.want)
				}
			}
		})
	}
}

// Tallies of parts add up to the tally of the whole, so roll-ups through the tree are exact.
func TestHMETallyAddsUp(t *testing.T) {
	team1 := []HMEAnswers{all(5), all(2), {3, 3, 3}}
	team2 := []HMEAnswers{all(4), {1, 2, 3, 4, 5, 1, 2, 3, 4}}
	var t1, t2 HMETally
	for _, a := range team1 {
		t1 = t1.Add(a.Tally())
	}
	for _, a := range team2 {
		t2 = t2.Add(a.Tally())
	}
	whole := ScoreHME(append(append([]HMEAnswers{}, team1...), team2...))
	if got := t1.Add(t2).Score(); got != whole {
		t.Errorf("sum of team tallies scores %+v, want %+v", got, whole)
	}
}

func TestHMEStatementTally(t *testing.T) {
	var tally HMETally
	for _, a := range []HMEAnswers{{1}, {5}, {5}, {}} {
		tally = tally.Add(a.Tally())
	}
	s := tally.Statements[0]
	if s.Counts != [6]int{0, 1, 0, 0, 0, 2} || s.NotApplicable != 1 {
		t.Errorf("distribution %v with %d vet ej, want [0 1 0 0 0 2] with 1", s.Counts, s.NotApplicable)
	}
	if s.N() != 3 || math.Abs(s.Mean()-11.0/3) > 1e-9 || math.Abs(s.Mean100()-200.0/3) > 1e-9 {
		t.Errorf("n=%d mean=%.3f mean100=%.3f, want 3, 3.667, 66.667", s.N(), s.Mean(), s.Mean100())
	}
	if empty := tally.Statements[1]; empty.N() != 0 || empty.Mean() != 0 || empty.Mean100() != 0 {
		t.Errorf("a statement no one answered: %+v, want zeros", empty)
	}
}
