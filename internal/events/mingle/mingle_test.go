package mingle

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

func TestSizes(t *testing.T) {
	for _, tt := range []struct {
		n, size int
		want    []int
	}{
		{0, 4, nil},
		{1, 4, []int{1}},
		{2, 4, []int{2}},
		{3, 4, []int{3}},
		{4, 4, []int{4}},
		{5, 4, []int{5}}, // not 3 + 2: a pair is no mingling
		{6, 4, []int{3, 3}},
		{9, 4, []int{3, 3, 3}},
		{10, 4, []int{4, 3, 3}},
		{400, 4, slices.Repeat([]int{4}, 100)},
		{401, 4, append(slices.Repeat([]int{4}, 98), 3, 3, 3)},
		{4, 3, []int{4}},
		{7, 3, []int{4, 3}},
		{10, 3, []int{4, 3, 3}},
		{12, 3, []int{3, 3, 3, 3}},
		{6, 2, []int{3, 3}}, // less than 3 counts as 3
	} {
		t.Run(fmt.Sprintf("%d in groups of %d", tt.n, tt.size), func(t *testing.T) {
			if got := Sizes(tt.n, tt.size); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLowerBound(t *testing.T) {
	for _, tt := range []struct {
		name   string
		counts []int
		groups int
		want   int
	}{
		{"no groups", []int{5}, 0, 0},
		{"fewer than groups", []int{3, 2, 1}, 4, 0},
		{"as many as groups", []int{4}, 4, 0},
		{"one over", []int{5}, 4, 1},
		{"two each", []int{8}, 4, 4},
		{"two förvaltningar of four in two groups", []int{4, 4}, 2, 4},
		{"uneven", []int{9, 2}, 4, 1*3 + 3*1}, // 9 = 3+2+2+2 over four groups
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := LowerBound(tt.counts, make([]int, tt.groups)); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}

// people makes members from "department:count" specs, numbered from 1.
func people(specs ...string) []Member {
	var ms []Member
	for _, s := range specs {
		var dept string
		var k int
		fmt.Sscanf(s, "%1s%d", &dept, &k)
		for range k {
			ms = append(ms, Member{ID: int64(len(ms) + 1), Department: dept})
		}
	}
	return ms
}

func metIn(groups ...[]int64) Met {
	m := Met{}
	for _, g := range groups {
		for i := range g {
			for j := i + 1; j < len(g); j++ {
				m.Add(g[i], g[j])
			}
		}
	}
	return m
}

func TestFormKnownOptimum(t *testing.T) {
	for _, tt := range []struct {
		name                       string
		members                    []Member
		size                       int
		met                        Met
		wantRepeats, wantDeptPairs int
	}{
		{"four förvaltningar of three in groups of four", people("A3", "B3", "C3", "D3"), 4, nil, 0, 0},
		{"three förvaltningar of four in groups of three", people("A4", "B4", "C4"), 3, nil, 0, 0},
		{"two förvaltningar of four in groups of four", people("A4", "B4"), 4, nil, 0, 4},
		{"one förvaltning", people("A6"), 3, nil, 0, 6},
		// A transversal of the earlier groups exists: {1,4,7}, {2,5,8}, {3,6,9}.
		{"nine who met in three groups", people("A1", "B1", "C1", "D1", "E1", "F1", "G1", "H1", "I1"), 3,
			metIn([]int64{1, 2, 3}, []int64{4, 5, 6}, []int64{7, 8, 9}), 0, 0},
		// Two new groups of three from two earlier ones: each takes two from one of them.
		{"six who met in two groups cannot avoid repeats", people("A1", "B1", "C1", "D1", "E1", "F1"), 3,
			metIn([]int64{1, 2, 3}, []int64{4, 5, 6}), 2, 0},
		// Repeats weigh more than förvaltningar: 1 has met 3, 4 and 5, so only {1, 2, 6} avoids a repeat,
		// and 1 and 2 are both from A.
		{"a repeat is worse than a same-förvaltning pair", people("A2", "B1", "C1", "D1", "E1"), 3,
			metIn([]int64{1, 3}, []int64{1, 4}, []int64{1, 5}), 0, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := Form(tt.members, Options{Size: tt.size, Met: tt.met, Seed: 1})
			if res.RepeatPairs != tt.wantRepeats || res.DepartmentPairs != tt.wantDeptPairs {
				t.Errorf("got %d repeats and %d same-förvaltning pairs, want %d and %d: %v",
					res.RepeatPairs, res.DepartmentPairs, tt.wantRepeats, tt.wantDeptPairs, res.Groups)
			}
			checkGroups(t, tt.members, tt.size, res)
		})
	}
}

func TestFormSpreadsHosts(t *testing.T) {
	for _, tt := range []struct {
		name                string
		n, hosts            int
		wantGroupsWithHosts int
	}{
		{"a host for each group", 12, 3, 3},
		{"fewer hosts than groups", 12, 2, 2},
		{"more hosts than groups", 12, 5, 3},
		{"no hosts", 12, 0, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ms := people("A4", "B4", "C4")
			for i := range tt.hosts {
				ms[i*2].Host = true
			}
			res := Form(ms, Options{Size: 4, Seed: 7})
			checkGroups(t, ms, 4, res)
			withHost := 0
			for _, g := range res.Groups {
				if g[0].Host {
					withHost++
				}
			}
			if withHost != tt.wantGroupsWithHosts {
				t.Errorf("got %d groups led by a host, want %d: %v", withHost, tt.wantGroupsWithHosts, res.Groups)
			}
		})
	}
}

func TestFormIsDeterministic(t *testing.T) {
	ms := people("A7", "B5", "C5", "D3", "E2")
	met := metIn([]int64{1, 8, 13}, []int64{2, 9, 14}, []int64{3, 10, 15})
	a := Form(ms, Options{Size: 4, Met: met, Seed: 42})
	rev := slices.Clone(ms)
	slices.Reverse(rev)
	b := Form(rev, Options{Size: 4, Met: met, Seed: 42})
	if fmt.Sprint(a.Groups) != fmt.Sprint(b.Groups) {
		t.Errorf("the same members in another order gave other groups:\n%v\n%v", a.Groups, b.Groups)
	}
}

// checkGroups checks what every grouping must be: each member in exactly one group, sizes balanced
// (as Sizes says), and the hosts spread one per group as far as they go.
func checkGroups(t *testing.T, members []Member, size int, res Result) {
	t.Helper()
	seen := map[int64]int{}
	var sizes []int
	hosts := 0
	for _, m := range members {
		if m.Host {
			hosts++
		}
	}
	groupsWithHost := 0
	for _, g := range res.Groups {
		sizes = append(sizes, len(g))
		h := 0
		for i, m := range g {
			seen[m.ID]++
			if m.Host {
				h++
				if i > 0 && !g[0].Host {
					t.Errorf("a group's host is not first: %v", g)
				}
			}
		}
		if h > 0 {
			groupsWithHost++
		}
	}
	for _, m := range members {
		if seen[m.ID] != 1 {
			t.Errorf("member %d is in %d groups, want 1", m.ID, seen[m.ID])
		}
	}
	if len(seen) != len(members) {
		t.Errorf("got %d members in groups, want %d", len(seen), len(members))
	}
	slices.SortFunc(sizes, func(a, b int) int { return b - a })
	if want := Sizes(len(members), size); !slices.Equal(sizes, want) {
		t.Errorf("got sizes %v, want %v", sizes, want)
	}
	if want := min(hosts, len(res.Groups)); groupsWithHost != want {
		t.Errorf("got %d groups with a host, want %d (%d hosts, %d groups)", groupsWithHost, want, hosts, len(res.Groups))
	}
}

// TestFormProperties forms groups for random people with random history that is known to allow a
// grouping without repeats: the history is drawn from pairs outside a hidden grouping of the right
// sizes (with the hosts spread), so repeats must come out zero.
func TestFormProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 6))
	for c := range 60 {
		n := 1 + rng.IntN(80)
		size := 3 + rng.IntN(2)
		departments := 1 + rng.IntN(12)
		ms := make([]Member, n)
		for i := range ms {
			ms[i] = Member{ID: int64(1000 + i*7), Department: "F" + strconv.Itoa(rng.IntN(departments))}
			if rng.IntN(10) == 0 {
				ms[i].Department = "" // a guest
			}
		}
		perm := rng.Perm(n)
		hidden := map[int64]int{}
		k := 0
		hosts := rng.IntN(len(Sizes(n, size)) + 3)
		for g, sz := range Sizes(n, size) {
			for j := range sz {
				hidden[ms[perm[k]].ID] = g
				if j == 0 && g < hosts {
					ms[perm[k]].Host = true
				}
				k++
			}
		}
		met := Met{}
		for range n * 4 {
			a, b := ms[rng.IntN(n)].ID, ms[rng.IntN(n)].ID
			if a != b && hidden[a] != hidden[b] {
				met.Add(a, b)
			}
		}
		t.Run(fmt.Sprintf("case %d: %d people in groups of %d", c, n, size), func(t *testing.T) {
			res := Form(ms, Options{Size: size, Met: met, Seed: uint64(c)})
			checkGroups(t, ms, size, res)
			if res.RepeatPairs != 0 {
				t.Errorf("got %d repeat pairs, want 0", res.RepeatPairs)
			}
			if res.DepartmentPairs < res.LowerBound {
				t.Errorf("got %d same-förvaltning pairs, under the lower bound %d", res.DepartmentPairs, res.LowerBound)
			}
			if r, d := Score(res.Groups, met); r != res.RepeatPairs || d != res.DepartmentPairs {
				t.Errorf("the result says %d repeats and %d same-förvaltning pairs, Score %d and %d", res.RepeatPairs, res.DepartmentPairs, r, d)
			}
		})
	}
}

// ledarforum is the scenario: 400 chefer from 25 förvaltningar of very uneven sizes (Vård och
// omsorg and Barn och utbildning have most of them), with three hosts per förvaltning among the biggest.
func ledarforum() []Member {
	sizes := []int{118, 96, 34, 22, 18, 14, 12, 10, 9, 8, 7, 6, 6, 5, 5, 4, 4, 4, 3, 3, 3, 3, 2, 2, 2}
	var ms []Member
	for d, k := range sizes {
		for range k {
			ms = append(ms, Member{ID: int64(len(ms) + 1), Department: fmt.Sprintf("F%02d", d)})
		}
	}
	return ms
}

// TestFormSixLedarforum runs the scenario: six consecutive events with the history growing,
// each with no repeat pair and exactly the lower bound of same-förvaltning pairs.
func TestFormSixLedarforum(t *testing.T) {
	ms := ledarforum()
	met := Met{}
	for event := range 6 {
		res := Form(ms, Options{Size: 4, Met: met, Seed: uint64(event)})
		checkGroups(t, ms, 4, res)
		if res.RepeatPairs != 0 || res.DepartmentPairs != res.LowerBound {
			t.Errorf("event %d: got %d repeat pairs and %d same-förvaltning pairs, want 0 and %d (the lower bound)",
				event+1, res.RepeatPairs, res.DepartmentPairs, res.LowerBound)
		}
		met.AddGroups(res.Groups)
	}
	if want := 400 * 3 * 6 / 2; len(met) != want {
		t.Errorf("got %d pairs who have met after six events, want %d", len(met), want)
	}
}

// TestFormSecondRound is a second round the same day: the first round's pairs join the history.
func TestFormSecondRound(t *testing.T) {
	ms := people("A5", "B5", "C5", "D5", "E4")
	first := Form(ms, Options{Size: 3, Seed: 1})
	met := Met{}
	met.AddGroups(first.Groups)
	second := Form(ms, Options{Size: 3, Met: met, Seed: 2})
	if second.RepeatPairs != 0 {
		t.Errorf("round 2 repeats %d pairs of round 1", second.RepeatPairs)
	}
}

func BenchmarkForm400(b *testing.B) {
	ms := ledarforum()
	met := Met{}
	for event := range 5 {
		met.AddGroups(Form(ms, Options{Size: 4, Met: met, Seed: uint64(event)}).Groups)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		Form(ms, Options{Size: 4, Met: met, Seed: uint64(i)})
	}
}
