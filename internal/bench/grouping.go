package bench

import (
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/vard-kommun/vard/internal/events/mingle"
)

// Grouping measures the mingling groups over consecutive events with the same people, the history of
// who has met growing from one event to the next, as at a ledarforum held several times a year. Per
// event it prints the repeat pairs (target 0), the same-förvaltning pairs beside the lower bound the
// numbers allow, the spread of the group sizes and the time to form the groups, next to a plain random
// grouping of the same sizes with its own history as the baseline. It needs no database.
func Grouping(people, departments, size, events int, out io.Writer) error {
	if people < 1 || departments < 1 || events < 1 {
		return fmt.Errorf("grouping: people, departments and events must be positive")
	}
	members := groupingMembers(people, departments)
	counts := mingle.DepartmentCounts(members)
	fmt.Fprintf(out, "grouping: %d people from %d förvaltningar (largest %d, smallest %d), groups of %d, %d events\n",
		people, len(counts), counts[len(counts)-1], counts[0], size, events)
	fmt.Fprintf(out, "  %-6s %8s %11s %7s %7s %14s | %-9s %8s %11s %7s\n",
		"event", "repeats", "same-förv.", "bound", "spread", "time", "baseline", "repeats", "same-förv.", "spread")
	met, baseMet := mingle.Met{}, mingle.Met{}
	rng := rand.New(rand.NewPCG(1, 2))
	var total time.Duration
	var repeats, pairs, bound, baseRepeats, basePairs int
	for e := range events {
		t0 := time.Now()
		res := mingle.Form(members, mingle.Options{Size: size, Met: met, Seed: uint64(e)})
		elapsed := time.Since(t0)
		total += elapsed
		met.AddGroups(res.Groups)

		base := randomGroups(members, size, rng)
		br, bd := mingle.Score(base, baseMet)
		baseMet.AddGroups(base)

		repeats += res.RepeatPairs
		pairs += res.DepartmentPairs
		bound += res.LowerBound
		baseRepeats += br
		basePairs += bd
		fmt.Fprintf(out, "  %-6d %8d %11d %7d %7d %11.2f ms | %-9s %8d %11d %7d\n", e+1, res.RepeatPairs, res.DepartmentPairs,
			res.LowerBound, res.Spread(), ms(elapsed), "random", br, bd, mingle.Spread(base))
	}
	fmt.Fprintf(out, "  %-6s %8d %11d %7d %7s %11.2f ms | %-9s %8d %11d\n", "total", repeats, pairs, bound, "",
		ms(total)/float64(events), "random", baseRepeats, basePairs)
	ratio := 0.0
	if basePairs > 0 {
		ratio = float64(pairs) / float64(basePairs)
	}
	fmt.Fprintf(out, "  ratio  %.2f of the baseline's same-förvaltning pairs; %d repeat pairs against the baseline's %d\n",
		ratio, repeats, baseRepeats)
	return nil
}

// groupingMembers makes people spread over the förvaltningar with Zipf-like sizes, as in a kommun where
// vård och omsorg and barn och utbildning have most of the chefer and a few förvaltningar only a handful.
func groupingMembers(people, departments int) []mingle.Member {
	departments = min(departments, people)
	harmonic := 0.0
	for k := 1; k <= departments; k++ {
		harmonic += 1 / float64(k)
	}
	sizes := make([]int, departments)
	sum := 0
	for k := range sizes {
		sizes[k] = max(1, int(float64(people)/(float64(k+1)*harmonic)+0.5))
		sum += sizes[k]
	}
	// Rounding leaves a few over or under: the biggest förvaltning takes the difference.
	sizes[0] += people - sum
	var members []mingle.Member
	for d, n := range sizes {
		for range n {
			members = append(members, mingle.Member{ID: int64(len(members) + 1), Department: fmt.Sprintf("förvaltning %d", d+1)})
		}
	}
	return members
}

// randomGroups is the baseline: the people shuffled and cut into groups of the same sizes.
func randomGroups(members []mingle.Member, size int, rng *rand.Rand) [][]mingle.Member {
	perm := rng.Perm(len(members))
	var groups [][]mingle.Member
	k := 0
	for _, n := range mingle.Sizes(len(members), size) {
		g := make([]mingle.Member, n)
		for i := range g {
			g[i] = members[perm[k]]
			k++
		}
		groups = append(groups, g)
	}
	return groups
}
