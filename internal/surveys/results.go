package surveys

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/web"
)

// This file is the results as the pages, exports and the API show them: a round's figures per unit with
// response rates, restricted to what the viewer may see, optionally filtered by a background question; the
// values pulse per värdeord; free text; the trend across rounds; publishing a citizen survey's results.
//
// Every view of a round is cut from one decision about what may be shown: Suppress over the whole tree
// (the same for a chef and a kommunadmin, who only see less or more of it), and SuppressFiltered over every
// slice of every filter, so that no two views can be combined to reveal a group under k.

// treeEntry is one unit of the tree in the order the results list it, with its tally summed over its subtree.
type treeEntry struct {
	unit  *org.Unit
	depth int
	tally *unitTally
}

func groupID(unitID int64) string { return "u" + strconv.FormatInt(unitID, 10) }

// computed is a round's tallies summed through the tree, and the groups that Suppress decided on.
type computed struct {
	sv      *Survey
	l       *layout
	kommun  *unitTally
	none    *unitTally
	entries []treeEntry
	groups  []Group
	visible map[string]bool
}

// sumTree sums per-unit tallies through the tree: every unit with everything under it, in the order from
// the top, depth first; none holds the tallies of units outside the tree (no unit, or another kommun's
// id), which count in the kommun only.
func sumTree(l *layout, tallies map[int64]*unitTally, tree *org.Tree) (kommun, none *unitTally, entries []treeEntry) {
	none = l.tally()
	for id, t := range tallies {
		if _, ok := tree.ByID[id]; !ok {
			none.add(t)
		}
	}
	kommun = l.tally()
	kommun.add(none)
	var walk func(u *org.Unit, depth int) *unitTally
	walk = func(u *org.Unit, depth int) *unitTally {
		sum := l.tally()
		entries = append(entries, treeEntry{u, depth, sum})
		if own, ok := tallies[u.ID]; ok {
			sum.add(own)
		}
		for _, c := range u.Children {
			sum.add(walk(c, depth+1))
		}
		return sum
	}
	for _, root := range tree.Roots {
		kommun.add(walk(root, 0))
	}
	return kommun, none, entries
}

// compute sums the tallies and applies Suppress with the survey's k: group "k" is the kommun, "u<id>" a
// unit, "u0" the responses under no unit of the tree (only when there are any).
func compute(sv *Survey, l *layout, tallies map[int64]*unitTally, tree *org.Tree) (*computed, error) {
	c := &computed{sv: sv, l: l}
	c.kommun, c.none, c.entries = sumTree(l, tallies, tree)
	c.groups = []Group{{ID: "k", N: c.kommun.n}}
	for _, e := range c.entries {
		parent := "k"
		if e.depth > 0 {
			parent = groupID(e.unit.ParentID)
		}
		c.groups = append(c.groups, Group{ID: groupID(e.unit.ID), Parent: parent, N: e.tally.n})
	}
	if c.none.n > 0 {
		c.groups = append(c.groups, Group{ID: "u0", Parent: "k", N: c.none.n})
	}
	var err error
	c.visible, err = Suppress(c.groups, NormalizeK(sv.K))
	return c, err
}

// results turns the computation into Results, hidden groups without figures.
func (c *computed) results(r *Round) *Results {
	res := &Results{Survey: c.sv, Round: r, K: NormalizeK(c.sv.K)}
	res.Kommun = figures(c.sv, c.l, c.kommun, c.visible["k"])
	res.Kommun.Name = "Hela kommunen"
	for _, e := range c.entries {
		u := figures(c.sv, c.l, e.tally, c.visible[groupID(e.unit.ID)])
		u.UnitID, u.Name, u.Depth = e.unit.ID, e.unit.Name, e.depth
		res.Units = append(res.Units, u)
	}
	if c.none.n > 0 {
		u := figures(c.sv, c.l, c.none, c.visible["u0"])
		u.Name = "Utan enhet"
		res.Units = append(res.Units, u)
	}
	return res
}

// --- filters

// Filter keeps the responses whose answer to a single-choice question (a background question, such as
// "Hur kontaktade du oss?") is one option.
type Filter struct {
	QuestionID int64
	Option     int
}

// FilterQuestions are the survey's questions that results can be filtered by: the single-choice ones.
func FilterQuestions(sv *Survey) []*Question {
	var out []*Question
	for _, q := range sv.Questions {
		if q.Type == Single {
			out = append(out, q)
		}
	}
	return out
}

// ErrBadFilter is a filter that names no single-choice question of the survey or no option of it.
var ErrBadFilter = web.BadRequest("Filtret finns inte i enkäten. Välj en bakgrundsfråga och ett av dess svarsalternativ.")

// filterIndex returns the filter's question's place among FilterQuestions, or ErrBadFilter.
func filterIndex(sv *Survey, f Filter) (int, *Question, error) {
	for i, q := range FilterQuestions(sv) {
		if q.ID == f.QuestionID {
			if f.Option < 0 || f.Option >= len(q.Options) {
				return 0, nil, ErrBadFilter
			}
			return i, q, nil
		}
	}
	return 0, nil, ErrBadFilter
}

// filtered returns the round's figures for the responses the filter keeps, per group ID ("k", "u<id>",
// "u0"), with SuppressFiltered applied. It reads the answers (a filter is rare, and roll-ups are not kept
// per option), in one statement so that every count comes from one snapshot; the unfiltered groups that
// SuppressFiltered builds on are counted from the same snapshot, so they are what Results shows for it.
func (s *Service) filtered(ctx context.Context, r *Round, sv *Survey, tree *org.Tree, f Filter) (map[string]UnitResults, error) {
	fi, _, err := filterIndex(sv, f)
	if err != nil {
		return nil, err
	}
	l := newLayout(sv)
	filters := FilterQuestions(sv)
	filterAt := map[int64]int{}
	for i, q := range filters {
		filterAt[q.ID] = i
	}
	questions := map[int64]*Question{}
	for _, q := range sv.Questions {
		questions[q.ID] = q
	}
	all := map[int64]*unitTally{}  // every response, for the unfiltered groups
	kept := map[int64]*unitTally{} // the responses the filter keeps
	atoms := map[string]*Atom{}
	var order []string

	var (
		cur      int64 = -1
		unit     int64
		options  = make([]int, len(filters))
		slots    []int
		multiple = map[int64]bool{}
		hme      HMEAnswers
	)
	flush := func() {
		if cur < 0 {
			return
		}
		if _, ok := tree.ByID[unit]; !ok {
			unit = 0
		}
		t := all[unit]
		if t == nil {
			t = l.tally()
			all[unit] = t
		}
		t.n++
		key := strconv.FormatInt(unit, 10) + fmt.Sprint(options)
		a := atoms[key]
		if a == nil {
			g := "u0"
			if unit != 0 {
				g = groupID(unit)
			}
			a = &Atom{Group: g, Options: append([]int(nil), options...)}
			atoms[key] = a
			order = append(order, key)
		}
		a.N++
		if options[fi] == f.Option {
			t := kept[unit]
			if t == nil {
				t = l.tally()
				kept[unit] = t
			}
			t.n++
			for _, sl := range slots {
				t.counts[sl]++
			}
			if sv.Kind == KindHME {
				t.hme = t.hme.Add(hme.Tally())
			}
		}
	}
	rows, err := s.Store.DB.Read().QueryContext(ctx, `SELECT r.id, COALESCE(r.unit_id, 0), COALESCE(a.question_id, 0), COALESCE(a.value, 0)
		FROM survey_responses r LEFT JOIN survey_answers a ON a.response_id = r.id
		WHERE r.round_id = $1 ORDER BY r.id`, r.ID)
	if err != nil {
		return nil, fmt.Errorf("answers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, u, qid int64
		var v int
		if err := rows.Scan(&id, &u, &qid, &v); err != nil {
			return nil, fmt.Errorf("answers: %w", err)
		}
		if id != cur {
			flush()
			cur, unit = id, u
			for i := range options {
				options[i] = -1
			}
			slots = slots[:0]
			clear(multiple)
			hme = HMEAnswers{}
		}
		q := questions[qid]
		if q == nil {
			continue
		}
		if sl := l.slot(qid, v); sl >= 0 {
			slots = append(slots, sl)
		}
		if q.Type == Multiple && !multiple[qid] {
			multiple[qid] = true
			slots = append(slots, l.slot(qid, -1))
		}
		if i, ok := filterAt[qid]; ok {
			options[i] = v
		}
		if sv.Kind == KindHME && q.HMEIndex >= 0 && q.HMEIndex < HMEStatements {
			hme[q.HMEIndex] = v
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("answers: %w", err)
	}
	flush()

	base, err := compute(sv, l, all, tree)
	if err != nil {
		return nil, err
	}
	list := make([]Atom, 0, len(order))
	for _, key := range order {
		list = append(list, *atoms[key])
	}
	shown, _, err := SuppressFiltered(base.groups, base.visible, list, base.sv.K)
	if err != nil {
		return nil, err
	}
	kommun, none, entries := sumTree(l, kept, tree)
	out := map[string]UnitResults{}
	show := func(id string) bool { return shown[Slice{Group: id, Filter: fi, Option: f.Option}] }
	out["k"] = figures(sv, l, kommun, show("k"))
	for _, e := range entries {
		out[groupID(e.unit.ID)] = figures(sv, l, e.tally, show(groupID(e.unit.ID)))
	}
	if base.none.n > 0 {
		out["u0"] = figures(sv, l, none, show("u0"))
	}
	return out, nil
}

// --- the view of one round

// ViewInput says which view of a round to make.
type ViewInput struct {
	Tree  *org.Tree
	Scope org.Scope
	// Filter is nil for all responses.
	Filter *Filter
}

// UnitRow is a group's figures in a view with its response rate: Invited is how many personal links went
// to the group and everything under it (0 for an open link). Head is the group's Headline when HasHead.
type UnitRow struct {
	UnitResults
	GroupID string
	Invited int
	Head    float64
	HasHead bool
}

// Rate is the response rate in percent, or −1 when it cannot be shown: the group is hidden or had no
// invitations.
func (u UnitRow) Rate() float64 {
	if !u.Visible || u.Invited == 0 {
		return -1
	}
	return 100 * float64(u.N) / float64(u.Invited)
}

// View is one round's results as one viewer may see them. A chef's view holds their own units only, with
// the same visibility as the kommunadmin's: what is hidden is hidden for everyone.
type View struct {
	Survey    *Survey
	Round     *Round
	RoundName string
	Published bool
	K         int
	// Pending is true while a round with personal links is open: then every group carries its number of
	// answers only (and is visible or hidden as always), so that no one can watch a group's figures change
	// between two submissions and tell what the one new respondent answered.
	Pending bool
	// All is true when the viewer sees the whole kommun; Kommun is then its total.
	All    bool
	Kommun UnitRow
	// Units are the groups in scope, from the top, depth first; Depth counts from the scope's top.
	Units          []UnitRow
	Filter         *Filter
	FilterQuestion *Question
}

// Group returns the row of the group with the ID ("k", "u<id>", "u0") in the view.
func (v *View) Group(id string) (UnitRow, bool) {
	if id == "k" && v.All {
		return v.Kommun, true
	}
	for _, u := range v.Units {
		if u.GroupID == id {
			return u, true
		}
	}
	return UnitRow{}, false
}

// roundMeta is what the results pages say about a round beside its figures.
type roundMeta struct {
	Round     *Round
	Survey    *Survey
	Name      string
	Published bool
}

// roundMeta reads a kommun's round with its survey, name and publication.
func (s *Service) roundMeta(ctx context.Context, tenantID, roundID int64) (*roundMeta, error) {
	r, err := s.Store.Round(ctx, tenantID, roundID)
	if err != nil {
		return nil, err
	}
	sv, err := s.Store.Survey(ctx, tenantID, r.SurveyID)
	if err != nil {
		return nil, err
	}
	info := &roundMeta{Round: r, Survey: sv}
	err = s.Store.DB.Read().QueryRowContext(ctx, `SELECT name, published FROM survey_rounds WHERE id = $1`, r.ID).
		Scan(&info.Name, &info.Published)
	if err != nil {
		return nil, fmt.Errorf("round: %w", err)
	}
	return info, nil
}

// Pending reports whether a round's figures wait for it to close: a round with personal links shows only
// its numbers of answers and response rates until then. An open link's round (citizens at a reception
// desk, often for months) shows its figures live.
func (s *Service) Pending(r *Round) bool { return !r.OpenLink && s.Store.Now().Before(r.ClosesAt) }

// ErrPendingFilter refuses a filter while a round's figures wait for it to close: the number of answers
// in a filtered group is itself a figure.
var ErrPendingFilter = web.BadRequest("Resultatet kan filtreras först när omgången har stängt.")

// View returns a round's results as the viewer with the scope may see them: the figures from the
// roll-ups, or with a filter from the answers, and the response rate of every group.
func (s *Service) View(ctx context.Context, tenantID, roundID int64, in ViewInput) (*View, error) {
	info, err := s.roundMeta(ctx, tenantID, roundID)
	if err != nil {
		return nil, err
	}
	return s.view(ctx, info, in)
}

// view is the full computation: every group's every figure. Exports, the API, the trend and the public
// page use it; the results page uses pageView, which reads only what the page shows.
func (s *Service) view(ctx context.Context, info *roundMeta, in ViewInput) (*View, error) {
	r, sv := info.Round, info.Survey
	v := &View{Survey: sv, Round: r, RoundName: info.Name, Published: info.Published, K: NormalizeK(sv.K), All: in.Scope.All, Filter: in.Filter,
		Pending: s.Pending(r)}
	if v.Pending && in.Filter != nil {
		return nil, ErrPendingFilter
	}
	l := newLayout(sv)
	tallies, err := s.Store.rollups(ctx, r.ID, l)
	if err != nil {
		return nil, err
	}
	c, err := compute(sv, l, tallies, in.Tree)
	if err != nil {
		return nil, fmt.Errorf("results of round %d: %w", r.ID, err)
	}
	res := c.results(r)
	byGroup := map[string]UnitResults{"k": res.Kommun}
	for _, u := range res.Units {
		byGroup[resultsGroup(u)] = u
	}
	if in.Filter != nil {
		_, q, err := filterIndex(sv, *in.Filter)
		if err != nil {
			return nil, err
		}
		v.FilterQuestion = q
		fig, err := s.filtered(ctx, r, sv, in.Tree, *in.Filter)
		if err != nil {
			return nil, err
		}
		for id, u := range fig {
			old := byGroup[id]
			u.UnitID, u.Name, u.Depth = old.UnitID, old.Name, old.Depth
			byGroup[id] = u
		}
	}
	invited, err := s.invited(ctx, r.ID, in.Tree)
	if err != nil {
		return nil, err
	}
	v.cut(in.Scope, res, func(id string) UnitRow {
		row := UnitRow{UnitResults: byGroup[id], GroupID: id, Invited: invited[id]}
		row.Head, row.HasHead = Headline(sv, row.UnitResults)
		return row
	})
	return v, nil
}

func resultsGroup(u UnitResults) string {
	if u.UnitID == 0 {
		return "u0"
	}
	return groupID(u.UnitID)
}

// cut fills the view's rows with the groups of res (in its order) that the scope covers, each made by row;
// while the round is pending, with their numbers of answers only.
func (v *View) cut(scope org.Scope, res *Results, row func(id string) UnitRow) {
	strip := func(u UnitRow) UnitRow {
		if v.Pending {
			u.UnitResults = UnitResults{UnitID: u.UnitID, Name: u.Name, Depth: u.Depth, Visible: u.Visible, N: u.N}
			u.Head, u.HasHead = 0, false
		}
		return u
	}
	if v.All {
		k := row("k")
		k.Name = res.Kommun.Name
		v.Kommun = strip(k)
	}
	top := -1
	for _, u := range res.Units {
		if u.UnitID == 0 && !scope.All || u.UnitID != 0 && !scope.Contains(u.UnitID) {
			continue
		}
		if top < 0 || u.Depth < top {
			top = u.Depth
		}
		r := row(resultsGroup(u))
		r.UnitID, r.Name, r.Depth = u.UnitID, u.Name, u.Depth
		v.Units = append(v.Units, strip(r))
	}
	for i := range v.Units {
		v.Units[i].Depth -= top
	}
}

// pageView is the results page's view without a filter: every group's number of answers, response rate
// and headline, and all figures of the selected group ("k", "u<id>" or "u0") only. It reads O(units)
// roll-up rows plus the selected group's counts, summed in SQL, instead of every unit's every count; the
// groups, Suppress and the figures are the same as view's (TestPageViewMatchesView compares them).
func (s *Service) pageView(ctx context.Context, info *roundMeta, in ViewInput, selected string) (*View, error) {
	r, sv := info.Round, info.Survey
	v := &View{Survey: sv, Round: r, RoundName: info.Name, Published: info.Published, K: NormalizeK(sv.K), All: in.Scope.All,
		Pending: s.Pending(r)}
	tree := in.Tree
	// While pending nothing but the numbers of answers is read.
	rd := pageRead{hme: sv.Kind == KindHME && !v.Pending, detail: !v.Pending}
	for _, q := range sv.Questions {
		rd.values = max(rd.values, q.values())
	}
	switch {
	case v.Pending, sv.Kind == KindHME:
	case sv.Kind == KindValuesPulse:
		for _, q := range sv.Questions {
			if q.Type == Likert5 {
				rd.headline, rd.maxValue = append(rd.headline, q.ID), q.values()-1
			}
		}
	default:
		for _, q := range sv.Questions {
			if q.Type == Likert5 || q.Type == Scale10 {
				rd.headline, rd.maxValue = []int64{q.ID}, q.values()-1
				break
			}
		}
	}
	switch {
	case selected == "k":
		rd.all = true
	case selected == "u0":
		rd.exclude = true
		for id := range tree.ByID {
			rd.units = append(rd.units, id)
		}
	default:
		rd.units = tree.Descendants(unitOf(selected))
	}
	units, counts, err := s.Store.pageRollups(ctx, r.ID, rd)
	if err != nil {
		return nil, err
	}

	// The groups and Suppress exactly as compute makes them, from the same numbers of answers.
	type entry struct {
		unit  *org.Unit
		depth int
		sum   *unitFigure
	}
	none := &unitFigure{}
	for id, f := range units {
		if _, ok := tree.ByID[id]; !ok {
			none.add(f)
		}
	}
	kommun := &unitFigure{}
	kommun.add(none)
	var entries []entry
	var walk func(u *org.Unit, depth int) *unitFigure
	walk = func(u *org.Unit, depth int) *unitFigure {
		sum := &unitFigure{}
		entries = append(entries, entry{u, depth, sum})
		if own, ok := units[u.ID]; ok {
			sum.add(own)
		}
		for _, c := range u.Children {
			sum.add(walk(c, depth+1))
		}
		return sum
	}
	for _, root := range tree.Roots {
		kommun.add(walk(root, 0))
	}
	groups := []Group{{ID: "k", N: kommun.n}}
	sums := map[string]*unitFigure{"k": kommun}
	res := &Results{Kommun: UnitResults{Name: "Hela kommunen"}}
	for _, e := range entries {
		parent := "k"
		if e.depth > 0 {
			parent = groupID(e.unit.ParentID)
		}
		id := groupID(e.unit.ID)
		groups = append(groups, Group{ID: id, Parent: parent, N: e.sum.n})
		sums[id] = e.sum
		res.Units = append(res.Units, UnitResults{UnitID: e.unit.ID, Name: e.unit.Name, Depth: e.depth})
	}
	if none.n > 0 {
		groups = append(groups, Group{ID: "u0", Parent: "k", N: none.n})
		sums["u0"] = none
		res.Units = append(res.Units, UnitResults{Name: "Utan enhet"})
	}
	visible, err := Suppress(groups, NormalizeK(sv.K))
	if err != nil {
		return nil, fmt.Errorf("results of round %d: %w", r.ID, err)
	}
	invited, err := s.invited(ctx, r.ID, tree)
	if err != nil {
		return nil, err
	}

	l := newLayout(sv)
	v.cut(in.Scope, res, func(id string) UnitRow {
		f := sums[id]
		row := UnitRow{GroupID: id, Invited: invited[id]}
		if f == nil || !visible[id] {
			return row
		}
		row.Visible, row.N = true, f.n
		if id == selected && rd.detail {
			t := l.tally()
			t.n, t.hme = f.n, f.hme
			for k, n := range counts {
				if i := l.slot(k.questionID, k.value); i >= 0 {
					t.counts[i] = n
				}
			}
			row.UnitResults = figures(sv, l, t, true)
		}
		switch {
		case sv.Kind == KindHME:
			if x := f.hme.Score().Total; x.N > 0 {
				row.Head, row.HasHead = float64(x.Value), true
			}
		case f.hcount > 0:
			row.Head, row.HasHead = float64(f.hsum)/float64(f.hcount), true
		}
		return row
	})
	return v, nil
}

// invited counts the round's personal links per group, each with everything under it.
func (s *Service) invited(ctx context.Context, roundID int64, tree *org.Tree) (map[string]int, error) {
	// survey_rollup_invited is kept by triggers on survey_invitations (migration 0011).
	rows, err := s.Store.DB.Read().QueryContext(ctx, `SELECT unit_id, n FROM survey_rollup_invited WHERE round_id = $1`, roundID)
	if err != nil {
		return nil, fmt.Errorf("invitations: %w", err)
	}
	own := map[int64]int{}
	_, err = db.Collect(rows, nil, func(rows db.Row) (struct{}, error) {
		var unit int64
		var n int
		if err := rows.Scan(&unit, &n); err != nil {
			return struct{}{}, err
		}
		if _, ok := tree.ByID[unit]; !ok {
			unit = 0
		}
		own[unit] += n
		return struct{}{}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("invitations: %w", err)
	}
	out := map[string]int{"u0": own[0], "k": own[0]}
	var walk func(u *org.Unit) int
	walk = func(u *org.Unit) int {
		n := own[u.ID]
		for _, c := range u.Children {
			n += walk(c)
		}
		out[groupID(u.ID)] = n
		return n
	}
	for _, root := range tree.Roots {
		out["k"] += walk(root)
	}
	return out, nil
}

// --- figures derived from a group's results

// WordResult is the values pulse's figure for one värdeord: the mean on the 1–5 scale over every answer
// to the statements about it.
type WordResult struct {
	Key        string
	Statements int
	N          int // answers, over all its statements
	Mean       float64
}

// Words groups a visible group's Likert answers by the värdeord their statements are about, in the order
// the words first appear in the survey; none for a hidden group or a survey without värdeord.
func Words(sv *Survey, u UnitResults) []WordResult {
	if !u.Visible {
		return nil
	}
	var out []WordResult
	at := map[string]int{}
	for i, q := range sv.Questions {
		if q.WordKey == "" || q.Type != Likert5 || i >= len(u.Questions) {
			continue
		}
		j, ok := at[q.WordKey]
		if !ok {
			j = len(out)
			at[q.WordKey] = j
			out = append(out, WordResult{Key: q.WordKey})
		}
		w := &out[j]
		qr := u.Questions[i]
		w.Statements++
		sum := w.Mean * float64(w.N)
		for v, n := range qr.Counts {
			sum += float64(v * n)
		}
		w.N += qr.N
		if w.N > 0 {
			w.Mean = sum / float64(w.N)
		}
	}
	return out
}

// Headline is the one figure per group that lists of units show: the HME index for HME, the mean of every
// statement for a values pulse, else the mean of the first scale question. ok is false when the group is
// hidden or the survey has no such figure.
func Headline(sv *Survey, u UnitResults) (value float64, ok bool) {
	if !u.Visible {
		return 0, false
	}
	switch {
	case sv.Kind == KindHME:
		if u.HME == nil || u.HME.Total.N == 0 {
			return 0, false
		}
		return float64(u.HME.Total.Value), true
	case sv.Kind == KindValuesPulse:
		sum, n := 0, 0
		for i, q := range sv.Questions {
			if q.Type == Likert5 && i < len(u.Questions) {
				for v, c := range u.Questions[i].Counts {
					sum += v * c
					n += c
				}
			}
		}
		return float64(sum) / float64(max(n, 1)), n > 0
	}
	for i, q := range sv.Questions {
		if (q.Type == Likert5 || q.Type == Scale10) && i < len(u.Questions) {
			return u.Questions[i].Mean, u.Questions[i].N > 0
		}
	}
	return 0, false
}

// HeadlineName says what Headline is, in Swedish, or "" when the survey has none.
func HeadlineName(sv *Survey) string {
	switch sv.Kind {
	case KindHME:
		return "HME-index"
	case KindValuesPulse:
		return "Medelvärde, alla påståenden"
	}
	for i, q := range sv.Questions {
		if q.Type == Likert5 || q.Type == Scale10 {
			return "Medelvärde, fråga " + strconv.Itoa(i+1)
		}
	}
	return ""
}

// --- free text

// FreeText returns one page of the free-text answers to a question from a group of the view ("k", "u<id>"
// or "u0"), and how many there are in all. It returns none unless the group is visible in the view (and so
// has at least k answers): texts are shown only for groups that are shown, and labelled only with them.
// Texts come in the order of the responses' random ids, which says nothing about who wrote them or when.
func (s *Service) FreeText(ctx context.Context, v *View, tree *org.Tree, group string, questionID int64, limit, offset int) ([]string, int, error) {
	u, ok := v.Group(group)
	if v.Pending || !ok || !u.Visible || !FreeTextVisible(u.N, v.K) {
		return nil, 0, nil
	}
	var q *Question
	for _, x := range v.Survey.Questions {
		if x.ID == questionID && x.Type == Text {
			q = x
		}
	}
	if q == nil {
		return nil, 0, nil
	}
	where := []string{"r.round_id = $1", "a.question_id = $2"}
	args := []any{v.Round.ID, q.ID}
	arg := func(x any) string {
		args = append(args, x)
		return "$" + strconv.Itoa(len(args))
	}
	switch {
	case group == "k":
	case group == "u0":
		known := make([]string, 0, len(tree.ByID))
		for id := range tree.ByID {
			known = append(known, arg(id))
		}
		cond := "r.unit_id IS NULL"
		if len(known) > 0 {
			cond += " OR r.unit_id NOT IN (" + strings.Join(known, ", ") + ")"
		}
		where = append(where, "("+cond+")")
	default:
		id, _ := strconv.ParseInt(strings.TrimPrefix(group, "u"), 10, 64)
		var in []string
		for _, d := range tree.Descendants(id) {
			in = append(in, arg(d))
		}
		if len(in) == 0 {
			return nil, 0, nil
		}
		where = append(where, "r.unit_id IN ("+strings.Join(in, ", ")+")")
	}
	if v.Filter != nil {
		where = append(where, "EXISTS (SELECT 1 FROM survey_answers f WHERE f.response_id = r.id AND f.question_id = "+
			arg(v.Filter.QuestionID)+" AND f.value = "+arg(v.Filter.Option)+")")
	}
	from := ` FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id WHERE ` + strings.Join(where, " AND ")
	var total int
	if err := s.Store.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*)`+from, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("free text: %w", err)
	}
	rows, err := s.Store.DB.Read().QueryContext(ctx, `SELECT a.text`+from+` ORDER BY r.id LIMIT `+arg(limit)+` OFFSET `+arg(offset), args...)
	texts, err := db.Collect(rows, err, func(rows db.Row) (string, error) {
		var t string
		err := rows.Scan(&t)
		return t, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("free text: %w", err)
	}
	return texts, total, nil
}

// --- lists of rounds and the trend

// RoundSummary is a round in a list of results.
type RoundSummary struct {
	ID          int64
	SurveyID    int64
	SurveyTitle string
	Kind        Kind
	Name        string
	OpensAt     time.Time
	ClosesAt    time.Time
	OpenLink    bool
	Published   bool
}

// ResultRounds lists, newest first, the kommun's rounds that have opened and whose results the scope
// covers: every round for a kommunadmin, for a chef the rounds with invitations or answers in their units.
func (s *Service) ResultRounds(ctx context.Context, tenantID int64, scope org.Scope, limit, offset int) ([]RoundSummary, int, error) {
	where := "r.tenant_id = $1 AND r.opens_at <= $2"
	args := []any{tenantID, s.Store.Now()}
	if !scope.All {
		ids := scope.IDs()
		if len(ids) == 0 {
			return nil, 0, nil
		}
		var in []string
		for _, id := range ids {
			args = append(args, id)
			in = append(in, "$"+strconv.Itoa(len(args)))
		}
		list := strings.Join(in, ", ")
		where += ` AND (EXISTS (SELECT 1 FROM survey_invitations i WHERE i.round_id = r.id AND i.unit_id IN (` + list + `))
			OR EXISTS (SELECT 1 FROM survey_rollup_responses u WHERE u.round_id = r.id AND u.unit_id IN (` + list + `)))`
	}
	var total int
	if err := s.Store.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM survey_rounds r WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("rounds: %w", err)
	}
	args = append(args, limit, offset)
	rows, err := s.Store.DB.Read().QueryContext(ctx, `SELECT r.id, r.survey_id, s.title, s.kind, r.name, r.opens_at, r.closes_at, r.target, r.published
		FROM survey_rounds r JOIN surveys s ON s.id = r.survey_id WHERE `+where+`
		ORDER BY r.opens_at DESC, r.id DESC LIMIT $`+strconv.Itoa(len(args)-1)+` OFFSET $`+strconv.Itoa(len(args)), args...)
	list, err := db.Collect(rows, err, scanSummary)
	if err != nil {
		return nil, 0, fmt.Errorf("rounds: %w", err)
	}
	return list, total, nil
}

func scanSummary(rows db.Row) (RoundSummary, error) {
	var r RoundSummary
	var kind, target string
	err := rows.Scan(&r.ID, &r.SurveyID, &r.SurveyTitle, &kind, &r.Name, &r.OpensAt, &r.ClosesAt, &target, &r.Published)
	r.Kind, r.OpenLink = Kind(kind), target == "link"
	return r, err
}

// SurveyRounds lists a survey's rounds that have opened, oldest first; only published ones when
// publishedOnly.
func (s *Service) SurveyRounds(ctx context.Context, tenantID, surveyID int64, publishedOnly bool) ([]RoundSummary, error) {
	q := `SELECT r.id, r.survey_id, s.title, s.kind, r.name, r.opens_at, r.closes_at, r.target, r.published
		FROM survey_rounds r JOIN surveys s ON s.id = r.survey_id
		WHERE r.tenant_id = $1 AND r.survey_id = $2 AND r.opens_at <= $3`
	if publishedOnly {
		q += ` AND r.published`
	}
	rows, err := s.Store.DB.Read().QueryContext(ctx, q+` ORDER BY r.opens_at, r.id`, tenantID, surveyID, s.Store.Now())
	list, err := db.Collect(rows, err, scanSummary)
	if err != nil {
		return nil, fmt.Errorf("rounds: %w", err)
	}
	return list, nil
}

// TrendPoint is one round in a trend: the group's row in that round's results, with its own suppression.
type TrendPoint struct {
	Round RoundSummary
	Row   UnitRow
}

// Trend is a survey's rounds side by side for one group ("k", or "u<id>" in the scope).
type Trend struct {
	Survey *Survey
	Group  string
	Name   string
	Points []TrendPoint
}

// Trend returns every opened round of the survey for the group, oldest first. Each round's figures are
// cut from that round's own view, so the trend shows nothing its results pages hide.
func (s *Service) Trend(ctx context.Context, tenantID, surveyID int64, tree *org.Tree, scope org.Scope, group string) (*Trend, error) {
	sv, err := s.Store.Survey(ctx, tenantID, surveyID)
	if err != nil {
		return nil, err
	}
	rounds, err := s.SurveyRounds(ctx, tenantID, surveyID, false)
	if err != nil {
		return nil, err
	}
	t := &Trend{Survey: sv, Group: group}
	for _, rs := range rounds {
		r, err := s.Store.Round(ctx, tenantID, rs.ID)
		if err != nil {
			return nil, err
		}
		v, err := s.view(ctx, &roundMeta{Round: r, Survey: sv, Name: rs.Name, Published: rs.Published}, ViewInput{Tree: tree, Scope: scope})
		if err != nil {
			return nil, err
		}
		row, ok := v.Group(group)
		if !ok {
			return nil, db.ErrNotFound
		}
		t.Name = row.Name
		t.Points = append(t.Points, TrendPoint{Round: rs, Row: row})
	}
	if len(rounds) == 0 {
		if group != "k" && !scope.Contains(unitOf(group)) || group == "k" && !scope.All {
			return nil, db.ErrNotFound
		}
	}
	return t, nil
}

func unitOf(group string) int64 {
	id, _ := strconv.ParseInt(strings.TrimPrefix(group, "u"), 10, 64)
	return id
}

// --- publishing

// ErrNotCitizen refuses to publish the results of a survey that is not a citizen survey.
var ErrNotCitizen = web.BadRequest("Bara resultat av medborgarenkäter kan publiceras.")

// SetPublished publishes a citizen survey's round on the kommun's public pages, or takes it down. Only
// what is visible anyway is published: the same figures as the results page.
func (s *Service) SetPublished(ctx context.Context, tenantID, roundID int64, published bool) error {
	info, err := s.roundMeta(ctx, tenantID, roundID)
	if err != nil {
		return err
	}
	if info.Survey.Kind != KindCitizen {
		return ErrNotCitizen
	}
	_, err = s.Store.DB.Writer().ExecContext(ctx, `UPDATE survey_rounds SET published = $1 WHERE tenant_id = $2 AND id = $3`,
		published, tenantID, roundID)
	if err != nil {
		return fmt.Errorf("publish round: %w", err)
	}
	return nil
}

// PublicResults is a published citizen survey's round as anyone may see it.
type PublicResults struct {
	Survey *Survey
	Rounds []RoundSummary // the published rounds, oldest first
	View   *View
}

// Public returns the published results of a kommun's citizen survey: roundID picks a published round,
// 0 the newest. Anything else — another kind of survey, nothing published, an unpublished round — is
// db.ErrNotFound.
func (s *Service) Public(ctx context.Context, tenantID, surveyID, roundID int64, tree *org.Tree) (*PublicResults, error) {
	sv, err := s.Store.Survey(ctx, tenantID, surveyID)
	if err != nil {
		return nil, err
	}
	if sv.Kind != KindCitizen {
		return nil, db.ErrNotFound
	}
	rounds, err := s.SurveyRounds(ctx, tenantID, surveyID, true)
	if err != nil {
		return nil, err
	}
	if len(rounds) == 0 {
		return nil, db.ErrNotFound
	}
	pick := rounds[len(rounds)-1]
	if roundID != 0 {
		found := false
		for _, r := range rounds {
			if r.ID == roundID {
				pick, found = r, true
			}
		}
		if !found {
			return nil, db.ErrNotFound
		}
	}
	r, err := s.Store.Round(ctx, tenantID, pick.ID)
	if err != nil {
		return nil, err
	}
	v, err := s.view(ctx, &roundMeta{Round: r, Survey: sv, Name: pick.Name, Published: true}, ViewInput{Tree: tree, Scope: org.Scope{All: true}})
	if err != nil {
		return nil, err
	}
	return &PublicResults{Survey: sv, Rounds: rounds, View: v}, nil
}
