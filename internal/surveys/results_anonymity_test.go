package surveys

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// randomAtoms splits every group's direct answers into atoms by a random option per filter question (−1
// for unanswered), with small counts so that many slices and classes fall under k.
func randomAtoms(r *rand.Rand, groups []Group, filters, options int) []Atom {
	direct := map[string]int{}
	for _, g := range groups {
		direct[g.ID] += g.N
		if g.Parent != "" {
			direct[g.Parent] -= g.N
		}
	}
	var atoms []Atom
	for _, g := range groups {
		left := direct[g.ID]
		for left > 0 {
			n := min(left, 1+r.IntN(6))
			left -= n
			opts := make([]int, filters)
			for i := range opts {
				opts[i] = r.IntN(options+1) - 1
			}
			atoms = append(atoms, Atom{Group: g.ID, Options: opts, N: n})
		}
	}
	return atoms
}

// TestSuppressFilteredLinearAttack plays the attacker who has every view of a round at once: the
// unfiltered groups that Suppress shows, and every slice of every filter that SuppressFiltered shows.
// Each atom is a cell; the attacker may add and subtract every shown figure, and no set of cells with
// between 1 and k−1 answers may be in the span of what is shown. This covers parent − visible siblings,
// unit − unit∩filter, filter A + filter B against the unit, and one filter question against another.
func TestSuppressFilteredLinearAttack(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 2027))
	attacks := 0
	for run := range 600 {
		groups := randomForest(r, 6)
		k := 3 + r.IntN(3)
		filters := 1 + r.IntN(2)
		atoms := randomAtoms(r, groups, filters, 1+r.IntN(3))
		if len(atoms) > 13 || len(atoms) == 0 {
			continue // 2^cells subsets
		}
		visible, err := Suppress(groups, k)
		if err != nil {
			t.Fatal(err)
		}
		shown, n, err := SuppressFiltered(groups, visible, atoms, k)
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		parent := map[string]string{}
		for _, g := range groups {
			parent[g.ID] = g.Parent
		}
		under := func(group, ancestor string) bool {
			for g := group; g != ""; g = parent[g] {
				if g == ancestor {
					return true
				}
			}
			return false
		}
		var known [][]float64
		for _, g := range groups {
			if !visible[g.ID] {
				continue
			}
			v := make([]float64, len(atoms))
			for i, a := range atoms {
				if under(a.Group, g.ID) {
					v[i] = 1
				}
			}
			known = append(known, v)
		}
		for s, ok := range shown {
			if !ok {
				continue
			}
			if !visible[s.Group] || n[s] < k {
				t.Fatalf("run %d: slice %+v shown with n=%d, group visible %v", run, s, n[s], visible[s.Group])
			}
			v := make([]float64, len(atoms))
			for i, a := range atoms {
				if under(a.Group, s.Group) && a.Options[s.Filter] == s.Option {
					v[i] = 1
				}
			}
			known = append(known, v)
		}
		basis := rowReduce(known)
		for subset := 1; subset < 1<<len(atoms); subset++ {
			answers := 0
			v := make([]float64, len(atoms))
			for i, a := range atoms {
				if subset&(1<<i) != 0 {
					v[i] = 1
					answers += a.N
				}
			}
			if answers == 0 || answers >= k {
				continue
			}
			attacks++
			if inSpan(basis, v) {
				var who []string
				for i, a := range atoms {
					if subset&(1<<i) != 0 {
						who = append(who, fmt.Sprintf("%s%v×%d", a.Group, a.Options, a.N))
					}
				}
				t.Fatalf("run %d, k=%d: the attacker derives %d answers (%s); groups %v, atoms %v, visible %v, slices %v",
					run, k, answers, strings.Join(who, " + "), groups, atoms, visible, shown)
			}
		}
	}
	if attacks < 1000 {
		t.Fatalf("only %d small sets tried; the test is too weak", attacks)
	}
}

// TestSuppressFilteredKeepsWhatIsSafe: a unit of 20 split 10/10 by the one filter question shows both
// slices, and the unfiltered visibility is never changed.
func TestSuppressFilteredKeepsWhatIsSafe(t *testing.T) {
	groups := []Group{{ID: "k", N: 20}, {ID: "a", Parent: "k", N: 20}}
	atoms := []Atom{{Group: "a", Options: []int{0}, N: 10}, {Group: "a", Options: []int{1}, N: 10}}
	visible, _ := Suppress(groups, 5)
	shown, n, err := SuppressFiltered(groups, visible, atoms, 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []Slice{{"k", 0, 0}, {"k", 0, 1}, {"a", 0, 0}, {"a", 0, 1}} {
		if !shown[s] || n[s] != 10 {
			t.Errorf("%+v: got shown=%v n=%d, want shown with 10", s, shown[s], n[s])
		}
	}
}

// TestSuppressFilteredUnitMinusSlice: a unit of 12 where 9 chose option 0 and 3 did not answer the
// background question; the slice of 9 would reveal the 3 by subtraction, and is hidden.
func TestSuppressFilteredUnitMinusSlice(t *testing.T) {
	groups := []Group{{ID: "k", N: 12}, {ID: "a", Parent: "k", N: 12}}
	atoms := []Atom{{Group: "a", Options: []int{0}, N: 9}, {Group: "a", Options: []int{-1}, N: 3}}
	visible, _ := Suppress(groups, 5)
	shown, _, err := SuppressFiltered(groups, visible, atoms, 5)
	if err != nil {
		t.Fatal(err)
	}
	if shown[Slice{"a", 0, 0}] || shown[Slice{"k", 0, 0}] {
		t.Errorf("got %v, want the slices of 9 hidden since the unit minus them is 3", shown)
	}
}

func TestSuppressFilteredRejectsInconsistentAtoms(t *testing.T) {
	groups := []Group{{ID: "k", N: 12}, {ID: "a", Parent: "k", N: 12}}
	visible, _ := Suppress(groups, 5)
	for name, atoms := range map[string][]Atom{
		"too few":       {{Group: "a", Options: []int{0}, N: 11}},
		"unknown group": {{Group: "b", Options: []int{0}, N: 12}},
		"ragged":        {{Group: "a", Options: []int{0}, N: 6}, {Group: "a", Options: []int{0, 1}, N: 6}},
	} {
		if _, _, err := SuppressFiltered(groups, visible, atoms, 5); err == nil {
			t.Errorf("%s: got no error", name)
		}
	}
}
