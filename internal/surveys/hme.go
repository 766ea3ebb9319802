package surveys

import (
	_ "embed"
	"encoding/json"
	"fmt"
)

// hmeJSON is SKR's HME template: the nine statements, the sub-indices, the scale, the method and a worked
// example. It is a byte-for-byte copy of data/hme.json in the shared material.
//
//go:embed hme.json
var hmeJSON []byte

// HMEStatements is the number of statements in HME; HMEAnswers holds one answer per statement.
const HMEStatements = 9

// HME is the Hållbart medarbetarengagemang template as SKR publishes it.
type HME struct {
	Name          string           `json:"name"`
	Owner         string           `json:"owner"`
	Scale         HMEScale         `json:"scale"`
	SubIndices    []HMESubIndex    `json:"subindices"`
	Method        []string         `json:"method"`
	WorkedExample HMEWorkedExample `json:"worked_example"`
}

// HMEScale is the answer scale: 1 (Stämmer mycket dåligt) to 5 (Stämmer mycket bra), plus vet ej.
type HMEScale struct {
	Min           int               `json:"min"`
	Max           int               `json:"max"`
	Labels        map[string]string `json:"labels"`
	NotApplicable string            `json:"not_applicable"`
}

// HMESubIndex is one of motivation, ledarskap and styrning with its three statements in SKR's wording.
type HMESubIndex struct {
	Key        string   `json:"key"`
	Name       string   `json:"name"`
	Statements []string `json:"statements"`
}

// HMEWorkedExample is the example in the template: answers (nil for vet ej) and the figures they give.
type HMEWorkedExample struct {
	Answers    [][]*int `json:"answers"`
	Note       string   `json:"note"`
	Motivation int      `json:"motivation"`
	Ledarskap  int      `json:"ledarskap"`
	Styrning   int      `json:"styrning"`
	Total      int      `json:"total"`
}

// LoadHME parses the embedded HME template and checks that it has the shape the scoring relies on: three
// sub-indices (motivation, ledarskap, styrning, in that order) of three statements each on a 1–5 scale.
func LoadHME() (HME, error) {
	var h HME
	if err := json.Unmarshal(hmeJSON, &h); err != nil {
		return HME{}, fmt.Errorf("hme.json: %w", err)
	}
	if h.Scale.Min != 1 || h.Scale.Max != 5 {
		return HME{}, fmt.Errorf("hme.json: scale %d–%d, want 1–5", h.Scale.Min, h.Scale.Max)
	}
	keys := []string{"motivation", "ledarskap", "styrning"}
	if len(h.SubIndices) != len(keys) {
		return HME{}, fmt.Errorf("hme.json: %d sub-indices, want %d", len(h.SubIndices), len(keys))
	}
	for i, s := range h.SubIndices {
		if s.Key != keys[i] || len(s.Statements) != 3 {
			return HME{}, fmt.Errorf("hme.json: sub-index %d is %q with %d statements, want %q with 3",
				i, s.Key, len(s.Statements), keys[i])
		}
	}
	return h, nil
}

// Statements returns the nine statements in order: motivation's three, then ledarskap's, then styrning's.
// The position of a statement here is its index in HMEAnswers.
func (h HME) Statements() []string {
	var all []string
	for _, s := range h.SubIndices {
		all = append(all, s.Statements...)
	}
	return all
}

// HMEAnswers is one respondent's answers to the nine statements, in the order of HME.Statements: 1–5 on
// the scale, or NotApplicable (vet ej / ej aktuellt, or not answered). Any value outside 1–5 counts as
// NotApplicable: it never enters an index or a mean.
type HMEAnswers [HMEStatements]int

// NotApplicable is the answer vet ej / ej aktuellt; an unanswered statement is the same.
const NotApplicable = 0

// HMEFigure is one reported figure: the index as a whole number 0–100, the unrounded mean behind it, and
// the number of respondents it was computed for. A figure with N == 0 has no value and must not be shown.
type HMEFigure struct {
	Value int
	Mean  float64
	N     int
}

// HMEScore is a group's HME: the three sub-indices and the total index, each with its own N, since a
// respondent counts only in the figures whose statements they all answered.
type HMEScore struct {
	Motivation, Ledarskap, Styrning, Total HMEFigure
}

// HMEIndexTally is the sum of transformed answers (0, 25, 50, 75 or 100 each) over the respondents counted
// in one index, and how many respondents they are. Tallies add up exactly through the org tree.
type HMEIndexTally struct {
	Points int
	N      int
}

// HMEStatementTally is the distribution of one statement's answers: Counts[x] respondents answered x
// (1–5); NotApplicable counts vet ej and unanswered.
type HMEStatementTally struct {
	Counts        [6]int
	NotApplicable int
}

// HMETally is what a unit keeps per HME round: sums and counts, never averages, so that the figures for a
// unit and everything under it are the sum of its parts (the method's rule against averages of averages).
type HMETally struct {
	Motivation, Ledarskap, Styrning, Total HMEIndexTally
	Statements                             [HMEStatements]HMEStatementTally
}

// points is SKR's transformation of an answer on the 1–5 scale to 0–100: (x − 1) × 25.
func points(x int) int { return (x - 1) * 25 }

func answered(x int) bool { return x >= 1 && x <= 5 }

// Tally is one respondent's contribution to a group's tally. Following the method, a respondent counts in
// a sub-index only if they answered all three of its statements with 1–5, and in the total only if they
// answered all nine.
func (a HMEAnswers) Tally() HMETally {
	var t HMETally
	for i, x := range a {
		if answered(x) {
			t.Statements[i].Counts[x]++
		} else {
			t.Statements[i].NotApplicable++
		}
	}
	add := func(it *HMEIndexTally, from, to int) {
		sum := 0
		for _, x := range a[from:to] {
			if !answered(x) {
				return
			}
			sum += points(x)
		}
		it.Points += sum
		it.N++
	}
	add(&t.Motivation, 0, 3)
	add(&t.Ledarskap, 3, 6)
	add(&t.Styrning, 6, 9)
	add(&t.Total, 0, 9)
	return t
}

// Add returns the sum of two tallies, for example a unit's and one of its children's.
func (t HMETally) Add(u HMETally) HMETally {
	t.Motivation = t.Motivation.add(u.Motivation)
	t.Ledarskap = t.Ledarskap.add(u.Ledarskap)
	t.Styrning = t.Styrning.add(u.Styrning)
	t.Total = t.Total.add(u.Total)
	for i := range t.Statements {
		for x := range t.Statements[i].Counts {
			t.Statements[i].Counts[x] += u.Statements[i].Counts[x]
		}
		t.Statements[i].NotApplicable += u.Statements[i].NotApplicable
	}
	return t
}

func (it HMEIndexTally) add(u HMEIndexTally) HMEIndexTally {
	return HMEIndexTally{Points: it.Points + u.Points, N: it.N + u.N}
}

// Score turns a tally into the reported figures: each index is the mean over its respondents of their
// own mean, which, since every respondent in an index answered the same number of statements, is
// Points / (statements × N). It is rounded half up to a whole number with integer arithmetic, so that a
// mean of exactly x.5 never rounds the wrong way through a floating-point error.
func (t HMETally) Score() HMEScore {
	return HMEScore{
		Motivation: t.Motivation.figure(3),
		Ledarskap:  t.Ledarskap.figure(3),
		Styrning:   t.Styrning.figure(3),
		Total:      t.Total.figure(HMEStatements),
	}
}

func (it HMEIndexTally) figure(statements int) HMEFigure {
	if it.N == 0 {
		return HMEFigure{}
	}
	d := statements * it.N
	return HMEFigure{
		Value: (2*it.Points + d) / (2 * d),
		Mean:  float64(it.Points) / float64(d),
		N:     it.N,
	}
}

// N is the number of respondents who answered the statement with 1–5.
func (s HMEStatementTally) N() int {
	n := 0
	for _, c := range s.Counts[1:] {
		n += c
	}
	return n
}

// Mean is the statement's mean on the 1–5 scale, or 0 when no one answered it.
func (s HMEStatementTally) Mean() float64 {
	n, sum := 0, 0
	for x := 1; x <= 5; x++ {
		n += s.Counts[x]
		sum += x * s.Counts[x]
	}
	if n == 0 {
		return 0
	}
	return float64(sum) / float64(n)
}

// Mean100 is the statement's mean on the 0–100 scale, or 0 when no one answered it.
func (s HMEStatementTally) Mean100() float64 {
	if s.N() == 0 {
		return 0
	}
	return (s.Mean() - 1) * 25
}

// ScoreHME scores a group of respondents by SKR's method.
func ScoreHME(respondents []HMEAnswers) HMEScore {
	var t HMETally
	for _, a := range respondents {
		t = t.Add(a.Tally())
	}
	return t.Score()
}
