package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/vard-kommun/vard/internal/org"
)

// The demo kommun's size and make-up.
const (
	teamCount       = 220
	peopleCount     = 1400
	minTeamsPerUnit = 3
	minTeamSize     = 3
	teamChefPercent = 85 // share of arbetslag with a chef of their own
	unionReps       = 40
	trainers        = 15
	mentors         = 10
	communicators   = 2
)

// pcgStream is the second half of the PCG's state; the first is the seed.
const pcgStream = 0x76617264 // "vard"

// The demo accounts' places and names. The chef leads an enhet with several arbetslag; the medarbetare
// works in one of them.
const (
	adminDepartment = "Kommunledningsförvaltningen"
	chefUnit        = "Ängsskolan"
	employeeTeam    = 1 // index of the medarbetare's arbetslag among the chef's (the first is Förskoleklass)
	commsUnit       = "Kommunikation"
)

// plannedUnit is a unit to be stored; parent and manager are indexes into the plan.
type plannedUnit struct {
	kind    org.Kind
	name    string
	parent  int // -1 at the top
	manager int // -1 without a chef
}

// plannedPerson is a person to be stored; unit is an index into the plan's units.
type plannedPerson struct {
	unit       int
	employeeID string
	given      string
	family     string
	email      string
	title      string
	roles      []org.Role
}

// plan is the whole demo kommun, made in memory from the seed before anything is stored, so that the
// same seed gives the same kommun byte for byte in either database.
type plan struct {
	units  []plannedUnit
	people []plannedPerson
	// The demo accounts, as indexes into people.
	admin, chef, employee int

	rand   *rand.Rand
	domain string
	emails map[string]bool
}

// newPlan draws the demo kommun for the options' seed.
func newPlan(opt Options) *plan {
	p := &plan{
		rand:   rand.New(rand.NewPCG(uint64(opt.Seed), pcgStream)),
		domain: opt.Slug + ".example",
		emails: map[string]bool{},
		admin:  -1, chef: -1, employee: -1,
	}
	for _, local := range []string{"admin", "chef", "medarbetare"} {
		p.emails[local+"@"+p.domain] = true
	}

	var specs []unitSpec
	for _, d := range departments {
		specs = append(specs, d.units...)
	}
	counts := p.teamCounts(specs)
	var weights []int
	for i, s := range specs {
		for range counts[i] {
			weights = append(weights, s.kind.weight)
		}
	}
	// Everyone not placed in an arbetslag: the admin, the politicians and the chefs of förvaltningar and enheter.
	above := 1 + len(politicians) + len(departments) + len(specs)
	sizes := p.teamSizes(weights, peopleCount-above)

	team, spec := 0, 0
	for _, d := range departments {
		di := p.addUnit(org.KindDepartment, d.name, -1)
		p.units[di].manager = p.addPerson(di, d.chef, org.RoleManager)
		if d.name == adminDepartment {
			p.admin = p.addAccount(di, "Maria", "Lind", "admin", "HR-strateg", org.RoleAdmin)
			for _, title := range politicians {
				p.addPerson(di, title, org.RolePolitician)
			}
		}
		for _, u := range d.units {
			ui := p.addUnit(org.KindUnit, u.name, di)
			if u.name == chefUnit {
				p.chef = p.addAccount(ui, "Anders", "Öberg", "chef", u.kind.chef, org.RoleManager)
				p.units[ui].manager = p.chef
			} else {
				p.units[ui].manager = p.addPerson(ui, u.kind.chef, org.RoleManager)
			}
			for k, name := range u.kind.teams[:counts[spec]] {
				ti := p.addUnit(org.KindTeam, name, ui)
				placed := 0
				if p.rand.IntN(100) < teamChefPercent {
					p.units[ti].manager = p.addPerson(ti, u.kind.teamChef, org.RoleManager)
					placed++
				}
				if u.name == chefUnit && k == employeeTeam {
					p.employee = p.addAccount(ti, "Sara", "Åkesson", "medarbetare", "Lärare")
					placed++
				}
				titles := u.kind.titles
				if t, ok := teamTitles[name]; ok {
					titles = t
				}
				for ; placed < sizes[team]; placed++ {
					p.addPerson(ti, titles[p.rand.IntN(len(titles))])
				}
				team++
			}
			spec++
		}
	}
	p.assignRoles()
	return p
}

// teamCounts decides how many arbetslag each enhet has: at least three, at most as many names as its
// kind offers, teamCount in all.
func (p *plan) teamCounts(specs []unitSpec) []int {
	counts := make([]int, len(specs))
	total, capacity := 0, 0
	for i, s := range specs {
		counts[i] = min(minTeamsPerUnit, len(s.kind.teams))
		total += counts[i]
		capacity += len(s.kind.teams)
	}
	if capacity < teamCount || total > teamCount {
		panic(fmt.Sprintf("demo: the enheter offer %d to %d arbetslag, want %d", total, capacity, teamCount))
	}
	for total < teamCount {
		if i := p.rand.IntN(len(specs)); counts[i] < len(specs[i].kind.teams) {
			counts[i]++
			total++
		}
	}
	return counts
}

// teamSizes shares people out over the arbetslag: minTeamSize each, the rest drawn by the weights (a
// hemtjänst group is bigger than a payroll team).
func (p *plan) teamSizes(weights []int, people int) []int {
	sizes := make([]int, len(weights))
	cumulative := make([]int, len(weights))
	sum := 0
	for i, w := range weights {
		sizes[i] = minTeamSize
		sum += w
		cumulative[i] = sum
	}
	for left := people - minTeamSize*len(weights); left > 0; left-- {
		i, _ := slices.BinarySearch(cumulative, p.rand.IntN(sum)+1)
		sizes[i]++
	}
	return sizes
}

// addUnit plans a unit and returns its index.
func (p *plan) addUnit(kind org.Kind, name string, parent int) int {
	p.units = append(p.units, plannedUnit{kind: kind, name: name, parent: parent, manager: -1})
	return len(p.units) - 1
}

// addPerson plans a person with a drawn name and returns their index.
func (p *plan) addPerson(unit int, title string, roles ...org.Role) int {
	given := givenNames[p.rand.IntN(len(givenNames))]
	family := familyNames[p.rand.IntN(len(familyNames))]
	return p.add(unit, given, family, p.email(given, family), title, roles)
}

// addAccount plans one of the demo accounts, whose name and e-mail address are fixed.
func (p *plan) addAccount(unit int, given, family, local, title string, roles ...org.Role) int {
	return p.add(unit, given, family, local+"@"+p.domain, title, roles)
}

func (p *plan) add(unit int, given, family, email, title string, roles []org.Role) int {
	p.people = append(p.people, plannedPerson{
		unit:       unit,
		employeeID: fmt.Sprintf("E%d", 10001+len(p.people)),
		given:      given,
		family:     family,
		email:      email,
		title:      title,
		roles:      roles,
	})
	return len(p.people) - 1
}

// email returns a new address given.family@domain, numbered from 2 when the name is taken.
func (p *plan) email(given, family string) string {
	local := ascii(given) + "." + ascii(family)
	e := local + "@" + p.domain
	for n := 2; p.emails[e]; n++ {
		e = fmt.Sprintf("%s.%d@%s", local, n, p.domain)
	}
	p.emails[e] = true
	return e
}

// ascii lowercases a name and spells it in a–z for an e-mail address: å, ä → a, ö → o, é → e.
func ascii(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch r {
		case 'å', 'ä', 'á', 'à':
			r = 'a'
		case 'ö', 'ø', 'ó':
			r = 'o'
		case 'é', 'è', 'ë':
			r = 'e'
		case 'ü':
			r = 'u'
		}
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// assignRoles gives the programme's roles to people who hold none: two kommunikatörer in
// Kommunikation, then union representatives, trainers and mentors drawn from everyone else. The
// medarbetare demo account stays a plain employee.
func (p *plan) assignRoles() {
	free := func(i int) bool { return len(p.people[i].roles) == 0 && i != p.employee }
	var comms, rest []int
	for i, person := range p.people {
		if !free(i) {
			continue
		}
		if parent := p.units[person.unit].parent; parent >= 0 && p.units[parent].name == commsUnit {
			comms = append(comms, i)
		}
		rest = append(rest, i)
	}
	p.rand.Shuffle(len(comms), func(i, j int) { comms[i], comms[j] = comms[j], comms[i] })
	for _, i := range comms[:communicators] {
		p.people[i].roles = []org.Role{org.RoleCommunicator}
		p.people[i].title = "Kommunikatör"
	}
	rest = slices.DeleteFunc(rest, func(i int) bool { return !free(i) })
	p.rand.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
	for _, g := range []struct {
		role org.Role
		n    int
	}{{org.RoleUnionRep, unionReps}, {org.RoleTrainer, trainers}, {org.RoleMentor, mentors}} {
		for _, i := range rest[:g.n] {
			p.people[i].roles = []org.Role{g.role}
		}
		rest = rest[g.n:]
	}
}
