// Package mingle forms the mingling groups of an event: groups of three or four that mix
// förvaltningar, never put together two people who have met in a group before, have balanced sizes,
// and spread the hosts one per group. It is pure computation: the events area gives it the members and
// the pairs who have met, and stores what comes back.
//
// The method is a greedy construction followed by a local search. The construction deals the members
// out over the groups department by department, largest first, which by itself spreads every
// förvaltning as evenly as the numbers allow. The local search then swaps members between groups (and
// moves one from a larger group to a smaller one) to remove repeat pairs first and same-förvaltning
// pairs second, with random kicks out of plateaus. The work is bounded by a count of pair evaluations,
// not by the clock, so a seed gives the same groups on every machine.
package mingle

import (
	"cmp"
	"math/rand/v2"
	"slices"
)

// Member is one person to be placed in a group.
type Member struct {
	ID int64
	// Department is the förvaltning's key; two members with the same non-empty key should not share a
	// group. Empty means none (an external guest without an organisation): never a same-förvaltning pair.
	Department string
	// Host hosts a group: hosts are spread one per group; hosts beyond the number of groups are placed
	// as ordinary members.
	Host bool
}

// Pair is two member IDs, the smaller first.
type Pair [2]int64

// NewPair returns the pair of a and b in order.
func NewPair(a, b int64) Pair {
	if a > b {
		a, b = b, a
	}
	return Pair{a, b}
}

// Met is the set of pairs who have been in a group together before.
type Met map[Pair]struct{}

// Add records that a and b have met.
func (m Met) Add(a, b int64) { m[NewPair(a, b)] = struct{}{} }

// Has reports whether a and b have met.
func (m Met) Has(a, b int64) bool {
	_, ok := m[NewPair(a, b)]
	return ok
}

// AddGroups records every pair within each group as met.
func (m Met) AddGroups(groups [][]Member) {
	for _, g := range groups {
		for i := range g {
			for j := i + 1; j < len(g); j++ {
				m.Add(g[i].ID, g[j].ID)
			}
		}
	}
}

// Options steer Form.
type Options struct {
	// Size is the wanted group size, usually 3 or 4; less than 3 counts as 3.
	Size int
	// Met holds the pairs who must not meet again, by member ID; nil when there is no history.
	Met Met
	// Seed makes the result reproducible: the same members, options and seed give the same groups.
	Seed uint64
	// Effort bounds the local search in pair evaluations; 0 means DefaultEffort.
	Effort int
}

// DefaultEffort is the local search's budget in pair evaluations: about 150 ms on one core at most, and
// far less when the search reaches the lower bound early, as it does on realistic inputs.
const DefaultEffort = 20_000_000

// Result is the groups formed and their quality.
type Result struct {
	// Groups holds the members of each group, the group's host first.
	Groups [][]Member
	// RepeatPairs counts pairs grouped together again although they had met.
	RepeatPairs int
	// DepartmentPairs counts pairs in the same group from the same förvaltning.
	DepartmentPairs int
	// LowerBound is the fewest same-förvaltning pairs any grouping of these sizes can have (see
	// LowerBound).
	LowerBound int
}

// Spread is the difference between the largest and the smallest group.
func (r Result) Spread() int { return Spread(r.Groups) }

// Spread is the difference between the largest and the smallest group.
func Spread(groups [][]Member) int {
	if len(groups) == 0 {
		return 0
	}
	lo, hi := len(groups[0]), len(groups[0])
	for _, g := range groups {
		lo, hi = min(lo, len(g)), max(hi, len(g))
	}
	return hi - lo
}

// Sizes returns the sizes of the groups for n members and the wanted size: ceil(n/size) groups whose
// sizes differ by at most one, the larger first. Where that would leave a group of one or two
// (n = 5 in groups of 4, n = 7 in groups of 3), a pair is no mingling, so it uses fewer, larger groups
// instead (5 as one group of 5; 7 as 4 + 3): at most one more than the size asked.
func Sizes(n, size int) []int {
	if n <= 0 {
		return nil
	}
	size = max(size, 3)
	g := (n + size - 1) / size
	if n/g < 3 && n >= 3 {
		g = n / 3
	}
	sizes := make([]int, g)
	for i := range sizes {
		sizes[i] = n / g
		if i < n%g {
			sizes[i]++
		}
	}
	return sizes
}

// LowerBound is the fewest same-förvaltning pairs that groups of the given sizes can hold, given how
// many members each förvaltning has (counts; members without one left out). Each förvaltning on its
// own does best spread as evenly as possible over the G groups: with c = qG + r members, r groups get
// q+1 of them and G−r get q, for r·C(q+1,2) + (G−r)·C(q,2) pairs. The bound sums that over the
// förvaltningar. It ignores that the förvaltningar share the groups' places (a group of 3 cannot take
// one member from each of four förvaltningar that all need it), so real groupings may need more; it
// is never more than the true optimum, which is what makes it a lower bound.
func LowerBound(counts []int, sizes []int) int {
	g := len(sizes)
	if g == 0 {
		return 0
	}
	lb := 0
	for _, c := range counts {
		q, r := c/g, c%g
		lb += r*choose2(q+1) + (g-r)*choose2(q)
	}
	return lb
}

func choose2(k int) int { return k * (k - 1) / 2 }

// Score counts the repeat pairs and the same-förvaltning pairs of a grouping.
func Score(groups [][]Member, met Met) (repeats, departments int) {
	for _, g := range groups {
		for i := range g {
			for j := i + 1; j < len(g); j++ {
				if met != nil && met.Has(g[i].ID, g[j].ID) {
					repeats++
				}
				if g[i].Department != "" && g[i].Department == g[j].Department {
					departments++
				}
			}
		}
	}
	return repeats, departments
}

// DepartmentCounts returns how many members each förvaltning has, members without one left out.
func DepartmentCounts(members []Member) []int {
	byDept := map[string]int{}
	for _, m := range members {
		if m.Department != "" {
			byDept[m.Department]++
		}
	}
	counts := make([]int, 0, len(byDept))
	for _, c := range byDept {
		counts = append(counts, c)
	}
	slices.Sort(counts)
	return counts
}

// repeatWeight makes one repeat pair cost more than any number of same-förvaltning pairs a grouping
// can have, so the search never trades a repeat for fewer of those.
const repeatWeight = 1 << 32

// search is the state of one Form.
type search struct {
	n      int
	dept   []int  // department index, -1 for none
	anchor []bool // a host placed as its group's host: swaps only with another such host
	met    []uint64
	group  []int   // member → group
	groups [][]int // group → members
	rng    *rand.Rand
	budget int
}

// pair is the cost of i and j sharing a group.
func (s *search) pair(i, j int) int64 {
	s.budget--
	var c int64
	if s.dept[i] >= 0 && s.dept[i] == s.dept[j] {
		c = 1
	}
	k := i*s.n + j
	if s.met[k>>6]&(1<<(k&63)) != 0 {
		c += repeatWeight
	}
	return c
}

// costIn is what member i costs in group g, leaving i itself out.
func (s *search) costIn(i, g int) int64 {
	var c int64
	for _, j := range s.groups[g] {
		if j != i {
			c += s.pair(i, j)
		}
	}
	return c
}

func (s *search) total() int64 {
	var c int64
	for _, g := range s.groups {
		for a := range g {
			for b := a + 1; b < len(g); b++ {
				c += s.pair(g[a], g[b])
			}
		}
	}
	return c
}

// Form places the members in groups.
func Form(members []Member, opt Options) Result {
	n := len(members)
	sizes := Sizes(n, opt.Size)
	res := Result{LowerBound: LowerBound(DepartmentCounts(members), sizes)}
	if n == 0 {
		return res
	}
	ms := slices.Clone(members)
	slices.SortStableFunc(ms, func(a, b Member) int { return cmp.Compare(a.ID, b.ID) })
	s := &search{n: n, dept: make([]int, n), anchor: make([]bool, n), group: make([]int, n),
		groups: make([][]int, len(sizes)), rng: rand.New(rand.NewPCG(opt.Seed, 0x6d696e676c65)),
		budget: cmp.Or(opt.Effort, DefaultEffort)}
	deptIndex := map[string]int{}
	deptSize := map[int]int{}
	for i, m := range ms {
		s.dept[i] = -1
		if m.Department != "" {
			d, ok := deptIndex[m.Department]
			if !ok {
				d = len(deptIndex)
				deptIndex[m.Department] = d
			}
			s.dept[i] = d
			deptSize[d]++
		}
	}
	s.met = make([]uint64, (n*n+63)/64)
	if len(opt.Met) > 0 {
		index := make(map[int64]int, n)
		for i, m := range ms {
			index[m.ID] = i
		}
		for p := range opt.Met {
			i, ok1 := index[p[0]]
			j, ok2 := index[p[1]]
			if ok1 && ok2 {
				for _, k := range []int{i*n + j, j*n + i} {
					s.met[k>>6] |= 1 << (k & 63)
				}
			}
		}
	}
	s.construct(ms, sizes, deptSize)
	s.improve(res.LowerBound)

	res.Groups = make([][]Member, len(s.groups))
	for g, idx := range s.groups {
		// The host first, then in ID order, so that the same groups always read the same.
		slices.SortFunc(idx, func(a, b int) int {
			if s.anchor[a] != s.anchor[b] {
				if s.anchor[a] {
					return -1
				}
				return 1
			}
			return cmp.Compare(a, b)
		})
		for _, i := range idx {
			res.Groups[g] = append(res.Groups[g], ms[i])
		}
	}
	res.RepeatPairs, res.DepartmentPairs = Score(res.Groups, opt.Met)
	return res
}

// construct places the hosts one per group, then deals the others out department by department,
// largest first, round the groups: a department's members land in consecutive groups, so each gets
// them as evenly as the numbers allow.
func (s *search) construct(ms []Member, sizes []int, deptSize map[int]int) {
	order := s.rng.Perm(s.n)
	var hosts, others []int
	for _, i := range order {
		if ms[i].Host {
			hosts = append(hosts, i)
		} else {
			others = append(others, i)
		}
	}
	// Hosts beyond one per group are placed as members.
	if len(hosts) > len(sizes) {
		others = append(others, hosts[len(sizes):]...)
		hosts = hosts[:len(sizes)]
	}
	// Biggest department first; members without a department last, where they fill the gaps.
	rank := func(i int) int {
		if s.dept[i] < 0 {
			return 0
		}
		return deptSize[s.dept[i]]
	}
	slices.SortStableFunc(others, func(a, b int) int {
		if c := cmp.Compare(rank(b), rank(a)); c != 0 {
			return c
		}
		return cmp.Compare(s.dept[a], s.dept[b])
	})
	for g := range sizes {
		s.groups[g] = make([]int, 0, sizes[g])
	}
	for g, i := range hosts {
		s.anchor[i] = true
		s.place(i, g)
	}
	g := 0
	for _, i := range others {
		for len(s.groups[g]) == sizes[g] {
			g = (g + 1) % len(sizes)
		}
		s.place(i, g)
		g = (g + 1) % len(sizes)
	}
}

func (s *search) place(i, g int) {
	s.group[i] = g
	s.groups[g] = append(s.groups[g], i)
}

// move is one change the local search may make: swap members i and j, or (j < 0) move i to group to.
type move struct {
	i, j, to int
	delta    int64
}

func (s *search) apply(m move) {
	a := s.group[m.i]
	if m.j < 0 {
		s.groups[a] = remove(s.groups[a], m.i)
		s.place(m.i, m.to)
		return
	}
	b := s.group[m.j]
	s.groups[a] = remove(s.groups[a], m.i)
	s.groups[b] = remove(s.groups[b], m.j)
	s.place(m.i, b)
	s.place(m.j, a)
}

func remove(g []int, i int) []int {
	k := slices.Index(g, i)
	g[k] = g[len(g)-1]
	return g[:len(g)-1]
}

// best returns member i's best move: the swap or move with the lowest cost change.
func (s *search) best(i int) (move, bool) {
	a := s.group[i]
	here := s.costIn(i, a)
	found := false
	var best move
	for b, members := range s.groups {
		if b == a {
			continue
		}
		there := s.costIn(i, b)
		// Moving from a larger group to one smaller by one keeps the sizes balanced.
		if !s.anchor[i] && len(s.groups[a]) == len(members)+1 {
			if d := there - here; !found || d < best.delta {
				best, found = move{i: i, j: -1, to: b, delta: d}, true
			}
		}
		for _, j := range members {
			if s.anchor[j] != s.anchor[i] {
				continue
			}
			pij := s.pair(i, j)
			d := (there - pij) + (s.costIn(j, a) - pij) - here - s.costIn(j, b)
			if !found || d < best.delta {
				best, found = move{i: i, j: j, to: b, delta: d}, true
			}
		}
	}
	return best, found
}

// improve runs the local search until the grouping reaches the lower bound with no repeats, the
// budget runs out or many kicks in a row find nothing better (the bound cannot always be reached), and
// leaves the best grouping seen.
func (s *search) improve(lowerBound int) {
	cost := s.total()
	bestCost, bestGroup := cost, slices.Clone(s.group)
	for stall := 0; cost > int64(lowerBound) && s.budget > 0 && stall < 50+2*s.n; stall++ {
		// Steepest descent over the members that cost something, in random order.
		improved := true
		for improved && s.budget > 0 {
			improved = false
			for _, i := range s.rng.Perm(s.n) {
				if s.budget <= 0 {
					break
				}
				if s.costIn(i, s.group[i]) == 0 {
					continue
				}
				if m, ok := s.best(i); ok && m.delta < 0 {
					s.apply(m)
					cost += m.delta
					improved = true
				}
			}
		}
		if cost < bestCost {
			bestCost, bestGroup = cost, slices.Clone(s.group)
			stall = 0
		}
		if cost <= int64(lowerBound) || s.budget <= 0 {
			break
		}
		// A plateau: kick a few members who cost something into random places, and descend again.
		var costly []int
		for i := range s.n {
			if s.costIn(i, s.group[i]) > 0 {
				costly = append(costly, i)
			}
		}
		for range min(len(costly), 3) {
			i := costly[s.rng.IntN(len(costly))]
			j := s.rng.IntN(s.n)
			if s.group[i] == s.group[j] || s.anchor[i] != s.anchor[j] {
				continue
			}
			d := s.costIn(i, s.group[j]) - s.pair(i, j) + s.costIn(j, s.group[i]) - s.pair(i, j) -
				s.costIn(i, s.group[i]) - s.costIn(j, s.group[j])
			s.apply(move{i: i, j: j, delta: d})
			cost += d
		}
	}
	if bestCost < cost {
		s.restore(bestGroup)
	}
}

func (s *search) restore(group []int) {
	for g := range s.groups {
		s.groups[g] = s.groups[g][:0]
	}
	for i, g := range group {
		s.place(i, g)
	}
}
