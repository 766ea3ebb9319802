package surveys

import (
	"cmp"
	"fmt"
	"slices"
)

// DefaultK is the anonymity threshold when a kommun has not chosen one: a group's figures are shown only
// when at least this many have answered.
const DefaultK = 5

// MinK is the lowest threshold a kommun may choose.
const MinK = 3

// NormalizeK returns the threshold to apply for a chosen k: DefaultK when none is chosen (k ≤ 0), and never
// less than MinK.
func NormalizeK(k int) int {
	if k <= 0 {
		return DefaultK
	}
	return max(k, MinK)
}

// FreeTextVisible reports whether a group's free-text answers may be shown: only when the group has at
// least k answers (k normalised by NormalizeK). It is necessary, not sufficient: free text is shown only for
// groups that Suppress also keeps visible, and never labelled with a group Suppress hides, because the texts
// of a visible parent that appear under none of its visible children belong to the hidden rest.
func FreeTextVisible(n, k int) bool {
	return n >= NormalizeK(k)
}

// Group is one group whose figures a page, filter, export or API call could show: a unit of the org tree,
// or a unit filtered by a background question. Parent is the ID of the group that contains it in the tree,
// or "" for a root. N is the group's total number of answers, its own direct answers plus everything under
// it (what a roll-up stores), so a parent's N is at least the sum of its children's.
type Group struct {
	ID     string
	Parent string
	N      int
}

// Overlap says that group Inner is a subset of group Outer outside the tree, for example a unit (Outer)
// and the same unit filtered by a background question (Inner). Showing both would reveal Outer minus Inner.
type Overlap struct {
	Outer, Inner string
}

// Suppress decides which groups' figures may be shown under the threshold k (normalised by NormalizeK),
// and returns visible[ID] for every group. It hides every group under k (primary suppression) and enough
// further groups (secondary suppression) that what is shown satisfies:
//
//  1. every visible group has N ≥ k;
//  2. for every visible group P, the answers in P that are in no visible group below it — P's N minus the
//     N of its topmost visible descendants — number 0 or at least k;
//  3. for every Overlap whose two groups are both visible, Outer.N − Inner.N is 0 or at least k.
//
// Within one tree, (1) and (2) mean that anyone who adds and subtracts the visible figures learns nothing
// finer than these pieces — each visible group minus its topmost visible descendants — which are disjoint,
// and each is empty or holds at least k answers; so no set of fewer than k answers, and in particular no
// hidden group under k, can be computed from what is shown. This holds for counts and for anything
// additive over answers (sums, distributions, and so means given N).
//
// When a piece is too small, Suppress hides, among P's topmost visible descendants whose hiding adds
// answers to P's piece, the one with the smallest N (then the smallest ID), or P itself when there is none,
// and repeats until nothing changes; hiding can cascade up the tree. An Overlap that breaks (3) hides Inner;
// that never breaks (2), since it adds Inner's own piece, empty or at least k, to its parent's. The result
// is deterministic for a given input.
//
// Overlaps are checked pair by pair only: Suppress does not rule out differences between more than two
// views (a filtered tree and the unfiltered one, subtracted unit by unit). A results page that offers
// filters must pass the whole filtered tree and an Overlap per unit, and still only covers pairs.
//
// Suppress returns an error, and no visibility, when the groups are not a forest with consistent counts:
// an empty or repeated ID, an unknown Parent or Overlap member, a cycle, a negative N, children whose N
// add up to more than their parent's, or an Overlap whose Inner has more answers than its Outer.
func Suppress(groups []Group, k int, overlaps ...Overlap) (map[string]bool, error) {
	k = NormalizeK(k)
	f, err := newForest(groups)
	if err != nil {
		return nil, err
	}
	pairs := make([][2]int, 0, len(overlaps))
	for _, o := range overlaps {
		outer, ok1 := f.index[o.Outer]
		inner, ok2 := f.index[o.Inner]
		switch {
		case !ok1 || !ok2:
			return nil, fmt.Errorf("overlap %q ⊃ %q names an unknown group", o.Outer, o.Inner)
		case outer == inner:
			return nil, fmt.Errorf("overlap %q ⊃ %q is one group", o.Outer, o.Inner)
		case groups[inner].N > groups[outer].N:
			return nil, fmt.Errorf("overlap %q (n=%d) ⊃ %q (n=%d): the inner group is larger",
				o.Outer, groups[outer].N, o.Inner, groups[inner].N)
		}
		pairs = append(pairs, [2]int{outer, inner})
	}

	visible := make([]bool, len(groups))
	for i, g := range groups {
		visible[i] = g.N >= k
	}
	// Each round hides one group, so this ends after at most len(groups) rounds; O(n²) is fine for the
	// few thousand units of a kommun.
	for f.hideOne(visible, k, pairs) {
	}

	out := make(map[string]bool, len(groups))
	for i, g := range groups {
		out[g.ID] = visible[i]
	}
	return out, nil
}

// forest is the groups as a tree, with a post-order so that children come before their parent.
type forest struct {
	groups   []Group
	index    map[string]int
	children [][]int
	post     []int
}

func newForest(groups []Group) (*forest, error) {
	f := &forest{groups: groups, index: make(map[string]int, len(groups)), children: make([][]int, len(groups))}
	for i, g := range groups {
		if g.ID == "" {
			return nil, fmt.Errorf("group %d has no ID", i)
		}
		if _, dup := f.index[g.ID]; dup {
			return nil, fmt.Errorf("group %q appears twice", g.ID)
		}
		if g.N < 0 {
			return nil, fmt.Errorf("group %q has n=%d", g.ID, g.N)
		}
		f.index[g.ID] = i
	}
	var roots []int
	for i, g := range groups {
		if g.Parent == "" {
			roots = append(roots, i)
			continue
		}
		p, ok := f.index[g.Parent]
		if !ok {
			return nil, fmt.Errorf("group %q has unknown parent %q", g.ID, g.Parent)
		}
		f.children[p] = append(f.children[p], i)
	}
	for i, cs := range f.children {
		sum := 0
		for _, c := range cs {
			sum += groups[c].N
		}
		if sum > groups[i].N {
			return nil, fmt.Errorf("group %q has n=%d but its children add up to %d", groups[i].ID, groups[i].N, sum)
		}
	}
	var walk func(int)
	walk = func(i int) {
		for _, c := range f.children[i] {
			walk(c)
		}
		f.post = append(f.post, i)
	}
	for _, r := range roots {
		walk(r)
	}
	if len(f.post) != len(groups) {
		return nil, fmt.Errorf("the groups' parents form a cycle")
	}
	return f, nil
}

// hideOne finds the first breach of the rules of Suppress, deepest first, hides one group to mend it, and
// reports whether it did.
func (f *forest) hideOne(visible []bool, k int, pairs [][2]int) bool {
	// covered[i] is the number of answers under i that visible groups below i already show.
	covered := make([]int, len(f.groups))
	for _, i := range f.post {
		for _, c := range f.children[i] {
			if visible[c] {
				covered[i] += f.groups[c].N
			} else {
				covered[i] += covered[c]
			}
		}
	}
	for _, p := range f.post {
		if !visible[p] {
			continue
		}
		if rest := f.groups[p].N - covered[p]; rest == 0 || rest >= k {
			continue
		}
		// The candidates are P's topmost visible descendants whose own piece is not empty: hiding one
		// moves that piece into P's. Hiding the smallest loses the least.
		best := -1
		stack := append([]int(nil), f.children[p]...)
		for len(stack) > 0 {
			c := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if !visible[c] {
				stack = append(stack, f.children[c]...)
				continue
			}
			if f.groups[c].N-covered[c] > 0 && (best < 0 || f.smaller(c, best)) {
				best = c
			}
		}
		if best < 0 {
			best = p
		}
		visible[best] = false
		return true
	}
	for _, pair := range pairs {
		outer, inner := pair[0], pair[1]
		if !visible[outer] || !visible[inner] {
			continue
		}
		if d := f.groups[outer].N - f.groups[inner].N; d > 0 && d < k {
			visible[inner] = false
			return true
		}
	}
	return false
}

// smaller orders candidates for secondary suppression: fewer answers first, then by ID.
func (f *forest) smaller(a, b int) bool {
	if c := cmp.Compare(f.groups[a].N, f.groups[b].N); c != 0 {
		return c < 0
	}
	return f.groups[a].ID < f.groups[b].ID
}

// Atom is answers that no view can tell apart: the group whose own, direct answers they are (a unit's own
// respondents, not those below it), and the option each filter question was answered with (−1 for none).
// Options has one entry per filter question, in the same order for every atom.
type Atom struct {
	Group   string
	Options []int
	N       int
}

// Slice is a filtered group: the answers of group Group whose answer to filter question Filter (an index
// into Atom.Options) is Option.
type Slice struct {
	Group  string
	Filter int
	Option int
}

// SuppressFiltered decides which filtered groups may be shown beside the groups that Suppress keeps
// visible (visible is its result for the same groups and k). It considers every slice of every visible
// group by every option of every filter question at once, since an attacker may combine all views of a
// round — the unfiltered page, each filter, exports and the API — and it never changes what Suppress
// decided, so the unfiltered views need not know that filters exist.
//
// The rule: every answer has a signature, the visible group nearest above it (its piece in Suppress's
// terms) and, per filter question, the nearest visible slice above it that it belongs to (or none). Answers
// with the same signature form a class, and every class must be empty or hold at least k answers. Each shown
// group, filtered or not, is a union of classes, so anything an attacker computes by adding and subtracting
// shown figures is a combination of classes; a set of answers whose figures can be computed is a union of
// classes, and so empty or of at least k answers. The rule is stricter than that attacker needs when there
// are several filter questions (it keeps apart classes that no sum of views can separate), which costs
// some filtered figures and never anonymity.
//
// A slice is shown only when its group is visible and it has at least k answers; then, while some class is
// too small, SuppressFiltered hides a slice in the class's signature (the one with the fewest answers), or,
// when the class is in no shown slice, the smallest shown slice that takes answers from the same piece, and
// repeats. It returns the visibility of every slice of a visible group with at least one answer, and the
// slices' numbers of answers. The atoms must add up to the groups' direct answers exactly.
func SuppressFiltered(groups []Group, visible map[string]bool, atoms []Atom, k int) (map[Slice]bool, map[Slice]int, error) {
	k = NormalizeK(k)
	f, err := newForest(groups)
	if err != nil {
		return nil, nil, err
	}
	parent := make([]int, len(groups))
	direct := make([]int, len(groups))
	for i, g := range groups {
		parent[i] = -1
		if g.Parent != "" {
			parent[i] = f.index[g.Parent]
		}
		direct[i] = g.N
	}
	for i := range groups {
		if parent[i] >= 0 {
			direct[parent[i]] -= groups[i].N
		}
	}
	filters := -1
	chains := make([][]int, len(atoms)) // the visible groups above each atom, nearest first
	for ai, a := range atoms {
		gi, ok := f.index[a.Group]
		switch {
		case !ok:
			return nil, nil, fmt.Errorf("atom of unknown group %q", a.Group)
		case a.N < 0:
			return nil, nil, fmt.Errorf("atom of %q has n=%d", a.Group, a.N)
		case filters >= 0 && len(a.Options) != filters:
			return nil, nil, fmt.Errorf("atom of %q has %d options, others %d", a.Group, len(a.Options), filters)
		}
		filters = len(a.Options)
		direct[gi] -= a.N
		for g := gi; g >= 0; g = parent[g] {
			if visible[groups[g].ID] {
				chains[ai] = append(chains[ai], g)
			}
		}
	}
	for i, d := range direct {
		if d != 0 {
			return nil, nil, fmt.Errorf("the atoms of %q add up to %d answers more or less than its own", groups[i].ID, -d)
		}
	}

	n := map[Slice]int{}
	for ai, a := range atoms {
		for _, g := range chains[ai] {
			for fi, o := range a.Options {
				if o >= 0 {
					n[Slice{groups[g].ID, fi, o}] += a.N
				}
			}
		}
	}
	shown := make(map[Slice]bool, len(n))
	for s, c := range n {
		shown[s] = c >= k
	}
	less := func(a, b Slice) bool {
		if n[a] != n[b] {
			return n[a] < n[b]
		}
		if a.Group != b.Group {
			return a.Group < b.Group
		}
		if a.Filter != b.Filter {
			return a.Filter < b.Filter
		}
		return a.Option < b.Option
	}
	type class struct {
		n     int
		piece int
		sig   []Slice // the shown slices the class is in, nearest per filter
	}
	for {
		classes := map[string]*class{}
		byPiece := map[int]map[Slice]bool{}
		var keys []string
		for ai, a := range atoms {
			if a.N == 0 || len(chains[ai]) == 0 {
				continue // in no shown group: nothing shown says anything about it
			}
			piece := chains[ai][0]
			key := fmt.Sprint(piece)
			var sig []Slice
			for fi, o := range a.Options {
				near := -1
				if o >= 0 {
					for _, g := range chains[ai] {
						if shown[Slice{groups[g].ID, fi, o}] {
							near = g
							break
						}
					}
				}
				key += "," + fmt.Sprint(near)
				if near >= 0 {
					s := Slice{groups[near].ID, fi, o}
					key += ":" + fmt.Sprint(o)
					sig = append(sig, s)
					if byPiece[piece] == nil {
						byPiece[piece] = map[Slice]bool{}
					}
					byPiece[piece][s] = true
				}
			}
			c := classes[key]
			if c == nil {
				c = &class{piece: piece, sig: sig}
				classes[key] = c
				keys = append(keys, key)
			}
			c.n += a.N
		}
		slices.Sort(keys)
		var hide []Slice
		for _, key := range keys {
			c := classes[key]
			if c.n >= k {
				continue
			}
			candidates := c.sig
			if len(candidates) == 0 {
				for s := range byPiece[c.piece] {
					candidates = append(candidates, s)
				}
			}
			if len(candidates) == 0 {
				// The class is the whole piece, which Suppress keeps empty or at least k.
				return nil, nil, fmt.Errorf("class %s of %d answers cannot be merged", key, c.n)
			}
			best := candidates[0]
			for _, s := range candidates[1:] {
				if less(s, best) {
					best = s
				}
			}
			hide = append(hide, best)
		}
		if len(hide) == 0 {
			break
		}
		for _, s := range hide {
			shown[s] = false
		}
	}
	return shown, n, nil
}
