package surveys

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestNormalizeK(t *testing.T) {
	for _, c := range []struct{ k, want int }{
		{0, 5}, {-2, 5}, {1, 3}, {2, 3}, {3, 3}, {5, 5}, {10, 10},
	} {
		if got := NormalizeK(c.k); got != c.want {
			t.Errorf("NormalizeK(%d) = %d, want %d", c.k, got, c.want)
		}
	}
}

func TestFreeTextVisible(t *testing.T) {
	for _, c := range []struct {
		n, k int
		want bool
	}{
		{4, 0, false}, {5, 0, true}, {2, 1, false}, {3, 1, true}, {6, 7, false}, {7, 7, true},
	} {
		if got := FreeTextVisible(c.n, c.k); got != c.want {
			t.Errorf("FreeTextVisible(%d, %d) = %v, want %v", c.n, c.k, got, c.want)
		}
	}
}

// hidden lists the IDs Suppress hid, sorted, for readable comparisons.
func hidden(visible map[string]bool) string {
	var ids []string
	for id, v := range visible {
		if !v {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return strings.Join(ids, " ")
}

func TestSuppress(t *testing.T) {
	for _, c := range []struct {
		name       string
		groups     []Group
		overlaps   []Overlap
		k          int
		wantHidden string
	}{
		{"everything at or over k is shown",
			[]Group{{"f", "", 20}, {"a", "f", 5}, {"b", "f", 6}, {"c", "f", 9}}, nil, 5, ""},
		{"a group under k is hidden, and so is an empty one",
			[]Group{{"f", "", 4}, {"g", "", 0}}, nil, 5, "f g"},
		{"the issue's subtraction attack: 12 = 5 + 5 + 2 hides one more sibling",
			[]Group{{"p", "", 12}, {"a", "p", 5}, {"b", "p", 5}, {"c", "p", 2}}, nil, 5, "a c"},
		{"a parent's own direct answers count as the hidden rest",
			[]Group{{"p", "", 7}, {"a", "p", 5}}, nil, 5, "a"},
		{"a parent with one child of the same size reveals nothing",
			[]Group{{"p", "", 6}, {"a", "p", 6}}, nil, 5, ""},
		{"a rest of exactly k needs nothing more",
			[]Group{{"p", "", 15}, {"a", "p", 5}, {"b", "p", 5}, {"c", "p", 2}, {"d", "p", 3}}, nil, 5, "c d"},
		{"the smallest sibling is hidden, not the largest",
			[]Group{{"p", "", 30}, {"a", "p", 20}, {"b", "p", 6}, {"c", "p", 4}}, nil, 5, "b c"},
		// Förvaltning f (4 direct answers) over u1 = 5 + 5 and u2 = 6 + 3. Team b2 is under k; b1 is hidden
		// so that u2 − b1 does not give b2; then u2's 9 answers and f's 4 are together f's rest, but u1 and u2
		// visible would leave f − u1 − u2 = 4, so u2 is hidden as well.
		{"secondary suppression cascades up the tree",
			[]Group{
				{"f", "", 23}, {"u1", "f", 10}, {"a1", "u1", 5}, {"a2", "u1", 5},
				{"u2", "f", 9}, {"b1", "u2", 6}, {"b2", "u2", 3},
			}, nil, 5, "b1 b2 u2"},
		// d's rest is its 2 direct answers and its only candidate t is fully covered by x, so d itself is
		// hidden; then r − e − t = 2 exposes d's direct answers, and e is hidden.
		{"a parent with no sibling to hide is hidden itself, and its parent mends the rest",
			[]Group{{"r", "", 20}, {"d", "r", 8}, {"t", "d", 6}, {"x", "t", 6}, {"e", "r", 12}}, nil, 5, "d e"},
		{"k below 3 is raised to 3",
			[]Group{{"p", "", 10}, {"a", "p", 3}, {"b", "p", 2}, {"c", "p", 5}}, nil, 1, "a b"},
		{"k 0 means 5", []Group{{"p", "", 4}}, nil, 0, "p"},
		{"a filter that leaves out fewer than k hides the filtered group",
			[]Group{{"u", "", 12}, {"u/kvinna", "", 9}}, []Overlap{{"u", "u/kvinna"}}, 5, "u/kvinna"},
		{"a filter that leaves out k or more is shown",
			[]Group{{"u", "", 12}, {"u/kvinna", "", 7}}, []Overlap{{"u", "u/kvinna"}}, 5, ""},
		{"a filter that leaves out no one is shown",
			[]Group{{"u", "", 12}, {"u/kvinna", "", 12}}, []Overlap{{"u", "u/kvinna"}}, 5, ""},
		{"a filtered tree is suppressed like any tree before its overlap is checked",
			[]Group{
				{"u", "", 20}, {"u/kvinna", "", 10}, {"t1/kvinna", "u/kvinna", 6}, {"t2/kvinna", "u/kvinna", 4},
			}, []Overlap{{"u", "u/kvinna"}}, 5, "t1/kvinna t2/kvinna"},
		// Hiding a visible group adds its own piece, 0 or at least k, to its parent's rest, so it never
		// opens a new subtraction in the tree.
		{"hiding a filtered group for its overlap leaves its parent's rest safe",
			[]Group{
				{"f", "", 30}, {"f/kvinna", "", 20}, {"u/kvinna", "f/kvinna", 8}, {"v/kvinna", "f/kvinna", 12},
				{"u", "f", 10},
			}, []Overlap{{"f", "f/kvinna"}, {"u", "u/kvinna"}}, 5, "u/kvinna"},
	} {
		t.Run(c.name, func(t *testing.T) {
			visible, err := Suppress(c.groups, c.k, c.overlaps...)
			if err != nil {
				t.Fatal(err)
			}
			if len(visible) != len(c.groups) {
				t.Errorf("got %d groups, want %d", len(visible), len(c.groups))
			}
			if got := hidden(visible); got != c.wantHidden {
				t.Errorf("hidden %q, want %q", got, c.wantHidden)
			}
			checkInvariant(t, c.groups, visible, NormalizeK(c.k))
			checkOverlaps(t, c.groups, c.overlaps, visible, NormalizeK(c.k))
		})
	}
}

func TestSuppressRejectsInconsistentGroups(t *testing.T) {
	for _, c := range []struct {
		name     string
		groups   []Group
		overlaps []Overlap
		want     string
	}{
		{"no ID", []Group{{"", "", 5}}, nil, "no ID"},
		{"a repeated ID", []Group{{"a", "", 5}, {"a", "", 6}}, nil, "twice"},
		{"a negative count", []Group{{"a", "", -1}}, nil, "n=-1"},
		{"an unknown parent", []Group{{"a", "x", 5}}, nil, "unknown parent"},
		{"a cycle", []Group{{"a", "b", 5}, {"b", "a", 5}}, nil, "cycle"},
		{"children larger than their parent", []Group{{"p", "", 5}, {"a", "p", 3}, {"b", "p", 3}}, nil, "add up to 6"},
		{"an overlap with an unknown group", []Group{{"a", "", 5}}, []Overlap{{"a", "x"}}, "unknown group"},
		{"an overlap of a group with itself", []Group{{"a", "", 5}}, []Overlap{{"a", "a"}}, "one group"},
		{"an inner group larger than its outer", []Group{{"a", "", 5}, {"b", "", 6}}, []Overlap{{"a", "b"}}, "larger"},
	} {
		t.Run(c.name, func(t *testing.T) {
			visible, err := Suppress(c.groups, 5, c.overlaps...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got error %v, want one about %q", err, c.want)
			}
			if visible != nil {
				t.Errorf("got visibility %v with an error, want none", visible)
			}
		})
	}
}

// checkInvariant fails the test for every breach that breaches finds.
func checkInvariant(t *testing.T, groups []Group, visible map[string]bool, k int) {
	t.Helper()
	for _, b := range breaches(groups, visible, k) {
		t.Error(b)
	}
}

// breaches plays the attacker who subtracts: every visible group must have at least k answers, and for every
// visible group, its answers minus those of its topmost visible descendants must be 0 or at least k.
func breaches(groups []Group, visible map[string]bool, k int) []string {
	children := map[string][]Group{}
	for _, g := range groups {
		children[g.Parent] = append(children[g.Parent], g)
	}
	var shown func(id string) int
	shown = func(id string) int {
		sum := 0
		for _, c := range children[id] {
			if visible[c.ID] {
				sum += c.N
			} else {
				sum += shown(c.ID)
			}
		}
		return sum
	}
	var out []string
	for _, g := range groups {
		if !visible[g.ID] {
			continue
		}
		if g.N < k {
			out = append(out, fmt.Sprintf("%q is shown with n=%d, under k=%d", g.ID, g.N, k))
		}
		if rest := g.N - shown(g.ID); rest > 0 && rest < k {
			out = append(out, fmt.Sprintf("%q (n=%d) minus its visible descendants leaves %d answers, under k=%d",
				g.ID, g.N, rest, k))
		}
	}
	return out
}

func checkOverlaps(t *testing.T, groups []Group, overlaps []Overlap, visible map[string]bool, k int) {
	t.Helper()
	n := map[string]int{}
	for _, g := range groups {
		n[g.ID] = g.N
	}
	for _, o := range overlaps {
		if d := n[o.Outer] - n[o.Inner]; visible[o.Outer] && visible[o.Inner] && d > 0 && d < k {
			t.Errorf("%q minus %q leaves %d answers, under k=%d", o.Outer, o.Inner, d, k)
		}
	}
}

// randomForest makes a forest of up to size groups with small direct counts, so that many groups fall
// under k and many parents are one child away from exposing one.
func randomForest(r *rand.Rand, size int) []Group {
	n := 1 + r.IntN(size)
	direct := make([]int, n)
	parent := make([]int, n)
	for i := range n {
		parent[i] = -1
		if i > 0 && r.IntN(6) > 0 {
			parent[i] = r.IntN(i)
		}
		switch r.IntN(3) {
		case 0:
			direct[i] = 0
		case 1:
			direct[i] = 1 + r.IntN(4)
		default:
			direct[i] = r.IntN(12)
		}
	}
	total := slices.Clone(direct)
	for i := n - 1; i > 0; i-- { // parents come before children, so this sums subtrees bottom-up
		if parent[i] >= 0 {
			total[parent[i]] += total[i]
		}
	}
	groups := make([]Group, n)
	for i := range n {
		groups[i] = Group{ID: fmt.Sprint("g", i), N: total[i]}
		if parent[i] >= 0 {
			groups[i].Parent = fmt.Sprint("g", parent[i])
		}
	}
	r.Shuffle(n, func(i, j int) { groups[i], groups[j] = groups[j], groups[i] })
	return groups
}

func TestSuppressRandomForests(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 2026))
	for run := range 2000 {
		groups := randomForest(r, 60)
		k := 3 + r.IntN(5)
		visible, err := Suppress(groups, k)
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		checkInvariant(t, groups, visible, k)

		// Suppress must not hide more than primary suppression when primary alone already holds.
		primary := map[string]bool{}
		for _, g := range groups {
			primary[g.ID] = g.N >= k
		}
		if breaches(groups, primary, k) == nil && !maps.Equal(visible, primary) {
			t.Errorf("run %d: hid %q where primary suppression alone, %q, was safe", run, hidden(visible), hidden(primary))
		}
		if t.Failed() {
			t.Fatalf("run %d, k=%d, groups %v", run, k, groups)
		}
	}
}

// TestSuppressLinearAttack is an attacker independent of how Suppress reasons: the answers sit in cells
// (each group's direct answers), every visible group is a known sum over cells, and the attacker may add
// and subtract visible groups freely. Any set of cells whose sum is in the span of the visible groups is
// known; no such set may hold between 1 and k−1 answers. Small forests keep the 2^cells subsets cheap.
func TestSuppressLinearAttack(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 5))
	for run := range 400 {
		groups := randomForest(r, 10)
		k := 3 + r.IntN(4)
		visible, err := Suppress(groups, k)
		if err != nil {
			t.Fatal(err)
		}

		index := map[string]int{}
		for i, g := range groups {
			index[g.ID] = i
		}
		direct := make([]int, len(groups))
		for i, g := range groups {
			direct[i] = g.N
		}
		for _, g := range groups {
			if g.Parent != "" {
				direct[index[g.Parent]] -= g.N
			}
		}
		var cells []int // groups with direct answers; empty cells reveal nothing
		for i, d := range direct {
			if d > 0 {
				cells = append(cells, i)
			}
		}
		// A group's vector has a 1 for every cell in its subtree.
		inSubtree := func(cell, group int) bool {
			for i := cell; ; {
				if i == group {
					return true
				}
				if groups[i].Parent == "" {
					return false
				}
				i = index[groups[i].Parent]
			}
		}
		var known [][]float64
		for gi, g := range groups {
			if !visible[g.ID] {
				continue
			}
			v := make([]float64, len(cells))
			for ci, c := range cells {
				if inSubtree(c, gi) {
					v[ci] = 1
				}
			}
			known = append(known, v)
		}
		basis := rowReduce(known)

		for subset := 1; subset < 1<<len(cells); subset++ {
			answers := 0
			v := make([]float64, len(cells))
			for ci, c := range cells {
				if subset&(1<<ci) != 0 {
					v[ci] = 1
					answers += direct[c]
				}
			}
			if answers >= k || !inSpan(basis, v) {
				continue
			}
			var who []string
			for ci, c := range cells {
				if subset&(1<<ci) != 0 {
					who = append(who, fmt.Sprintf("%s's own %d", groups[c].ID, direct[c]))
				}
			}
			t.Fatalf("run %d, k=%d: the attacker derives %d answers (%s) from visible %v; groups %v",
				run, k, answers, strings.Join(who, " + "), visible, groups)
		}
	}
}

// rowReduce returns the rows in reduced row echelon form, as pivot rows with the pivot column each.
func rowReduce(rows [][]float64) []pivotRow {
	var basis []pivotRow
	for _, row := range rows {
		v := reduce(basis, slices.Clone(row))
		col := slices.IndexFunc(v, func(x float64) bool { return math.Abs(x) > 1e-9 })
		if col < 0 {
			continue
		}
		scale := v[col]
		for i := range v {
			v[i] /= scale
		}
		for i := range basis { // keep earlier rows reduced in the new pivot column
			if f := basis[i].v[col]; f != 0 {
				for j := range v {
					basis[i].v[j] -= f * v[j]
				}
			}
		}
		basis = append(basis, pivotRow{col, v})
	}
	return basis
}

type pivotRow struct {
	col int
	v   []float64
}

func reduce(basis []pivotRow, v []float64) []float64 {
	for _, b := range basis {
		if f := v[b.col]; f != 0 {
			for j := range v {
				v[j] -= f * b.v[j]
			}
		}
	}
	return v
}

func inSpan(basis []pivotRow, v []float64) bool {
	for _, x := range reduce(basis, v) {
		if math.Abs(x) > 1e-9 {
			return false
		}
	}
	return true
}

// The linear attacker must catch an unsafe release: show everything of the issue's example and the child
// of 2 falls out by subtraction.
func TestLinearAttackerCatchesTheIssueExample(t *testing.T) {
	// Cells: a (5), b (5), c (2); visible p = a+b+c, a, b.
	basis := rowReduce([][]float64{{1, 1, 1}, {1, 0, 0}, {0, 1, 0}})
	if !inSpan(basis, []float64{0, 0, 1}) {
		t.Error("p − a − b does not give c; the attacker in TestSuppressLinearAttack is too weak")
	}
	// After Suppress hides a and c, only p and b are shown: c and a + c are hidden in one piece of 7.
	basis = rowReduce([][]float64{{1, 1, 1}, {0, 1, 0}})
	if inSpan(basis, []float64{0, 0, 1}) || !inSpan(basis, []float64{1, 0, 1}) {
		t.Error("with p and b shown, want a + c known and c alone unknown")
	}
}
