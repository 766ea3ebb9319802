package events

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/events/mingle"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/web"
)

// MaxRounds is how many rounds of mingling groups an event may have: a first round and a second the
// same day.
const MaxRounds = 2

// GroupWho says whom the groups are formed for.
type GroupWho string

// Those who checked in at the door, or (before the doors open) those who said yes, and anyone already
// checked in, such as a walk-in.
const (
	GroupCheckedIn GroupWho = "checked_in"
	GroupYes       GroupWho = "yes"
)

// GroupInput is the organiser's choice on the groups page.
type GroupInput struct {
	Who   GroupWho
	Size  int
	Round int
}

// GroupMember is one member of a mingling group as shown.
type GroupMember struct {
	InvitationID int64
	PersonID     int64 // 0 for an external guest
	Name         string
	// Department is the förvaltning's name, or a guest's organisation; "" when neither is known.
	Department string
	Host       bool
	Guest      bool
	// key is the förvaltning the grouping keeps apart: "u<id>" for a förvaltning, "g<organisation>" for
	// a guest's organisation, "" for none.
	key string
}

// Group is one mingling group of a round.
type Group struct {
	ID      int64
	Number  int
	Members []GroupMember
}

// GroupQuality is how well a round's groups meet the rules, as the organiser sees it beside them.
type GroupQuality struct {
	People int
	Groups int
	// RepeatPairs are pairs grouped together who had met in a group at an earlier event or round.
	RepeatPairs int
	// DepartmentPairs are pairs from the same förvaltning; LowerBound is the fewest the numbers allow.
	DepartmentPairs int
	LowerBound      int
	MinSize         int
	MaxSize         int
}

// GroupRound is one round of an event's mingling groups.
type GroupRound struct {
	Round   int
	Groups  []*Group
	Quality GroupQuality
}

// ErrGroupsExist is the answer when the round already has groups: forming it again replaces them, so
// the page asks first.
var ErrGroupsExist = errors.New("the round already has groups")

// GroupCounts are how many people the groups page can form groups for.
type GroupCounts struct {
	CheckedIn int
	Yes       int // said yes or checked in
}

// GroupCounts counts those who checked in and those who said yes.
func (s *Service) GroupCounts(ctx context.Context, e *Event) (GroupCounts, error) {
	var c GroupCounts
	err := s.Store.DB.Read().QueryRowContext(ctx, `SELECT
		COUNT(CASE WHEN EXISTS (SELECT 1 FROM event_checkins c WHERE c.invitation_id = i.id) THEN 1 END),
		COUNT(CASE WHEN i.status = $2 OR EXISTS (SELECT 1 FROM event_checkins c WHERE c.invitation_id = i.id) THEN 1 END)
		FROM event_invitations i WHERE i.event_id = $1 AND i.erased_at IS NULL`, e.ID, string(StatusYes)).Scan(&c.CheckedIn, &c.Yes)
	if err != nil {
		return c, fmt.Errorf("count for groups: %w", err)
	}
	return c, nil
}

// memberColumns are what a group member is shown with; the unit is the one the person was invited
// from, else their unit now.
const memberColumns = `i.id, COALESCE(i.person_id, 0), COALESCE(i.unit_id, p.unit_id, 0),
	COALESCE(p.given_name, ''), COALESCE(p.family_name, ''), i.guest_name, i.guest_organisation, i.host`

func scanMember(r db.Row, extra ...any) (GroupMember, int64, error) {
	var m GroupMember
	var unitID int64
	var given, family string
	dest := append([]any{&m.InvitationID, &m.PersonID, &unitID, &given, &family, &m.Name, &m.Department, &m.Host}, extra...)
	if err := r.Scan(dest...); err != nil {
		return m, 0, err
	}
	if m.PersonID != 0 {
		m.Name, m.Department = strings.TrimSpace(given+" "+family), ""
	} else {
		m.Guest = true
		if m.Name == "" {
			m.Name = "Gäst"
		}
		if org := strings.TrimSpace(m.Department); org != "" {
			m.key = "g" + strings.ToLower(org)
		}
	}
	return m, unitID, nil
}

// withDepartments names each person's förvaltning, from the unit they were invited from.
func (s *Service) withDepartments(ctx context.Context, tenantID int64, members []GroupMember, units []int64) error {
	tree, err := s.Org.Tree(ctx, tenantID)
	if err != nil {
		return err
	}
	for i := range members {
		if members[i].Guest {
			continue
		}
		if d := tree.Department(units[i]); d != nil {
			members[i].Department = d.Name
			members[i].key = "u" + strconv.FormatInt(d.ID, 10)
		}
	}
	return nil
}

// groupCandidates returns the people to group: those checked in, or those who said yes or checked in.
func (s *Service) groupCandidates(ctx context.Context, e *Event, who GroupWho) ([]GroupMember, error) {
	cond := `EXISTS (SELECT 1 FROM event_checkins c WHERE c.invitation_id = i.id)`
	args := []any{e.ID}
	if who == GroupYes {
		args = append(args, string(StatusYes))
		cond = `(i.status = $2 OR ` + cond + `)`
	}
	rows, err := s.Store.DB.Read().QueryContext(ctx, `SELECT `+memberColumns+` FROM event_invitations i
		LEFT JOIN people p ON p.id = i.person_id
		WHERE i.event_id = $1 AND i.erased_at IS NULL AND `+cond+` ORDER BY i.id`, args...)
	var units []int64
	members, err := db.Collect(rows, err, func(r db.Row) (GroupMember, error) {
		m, unit, err := scanMember(r)
		units = append(units, unit)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("group candidates: %w", err)
	}
	return members, s.withDepartments(ctx, e.TenantID, members, units)
}

// GroupRounds returns the event's rounds of groups in order, each with its quality figures.
func (s *Service) GroupRounds(ctx context.Context, e *Event) ([]*GroupRound, error) {
	rows, err := s.Store.DB.Read().QueryContext(ctx, `SELECT `+memberColumns+`, g.id, g.round, g.number
		FROM event_groups g JOIN event_group_members m ON m.group_id = g.id
		JOIN event_invitations i ON i.id = m.invitation_id LEFT JOIN people p ON p.id = i.person_id
		WHERE g.event_id = $1 ORDER BY g.round, g.number, i.id`, e.ID)
	type row struct {
		m                  GroupMember
		unit, group        int64
		round, groupNumber int
	}
	list, err := db.Collect(rows, err, func(r db.Row) (row, error) {
		var x row
		var err error
		x.m, x.unit, err = scanMember(r, &x.group, &x.round, &x.groupNumber)
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("groups: %w", err)
	}
	members := make([]GroupMember, len(list))
	units := make([]int64, len(list))
	for i, x := range list {
		members[i], units[i] = x.m, x.unit
	}
	if err := s.withDepartments(ctx, e.TenantID, members, units); err != nil {
		return nil, err
	}
	var rounds []*GroupRound
	for i, x := range list {
		if len(rounds) == 0 || rounds[len(rounds)-1].Round != x.round {
			rounds = append(rounds, &GroupRound{Round: x.round})
		}
		r := rounds[len(rounds)-1]
		if len(r.Groups) == 0 || r.Groups[len(r.Groups)-1].ID != x.group {
			r.Groups = append(r.Groups, &Group{ID: x.group, Number: x.groupNumber})
		}
		g := r.Groups[len(r.Groups)-1]
		g.Members = append(g.Members, members[i])
	}
	if len(rounds) == 0 {
		return nil, nil
	}
	earlier, err := s.earlierPairs(ctx, e)
	if err != nil {
		return nil, err
	}
	met := mingle.Met{}
	for p := range earlier {
		met[p] = struct{}{}
	}
	for _, r := range rounds {
		for _, g := range r.Groups {
			sortMembers(g.Members)
		}
		r.Quality = quality(r.Groups, met)
		addPersonPairs(met, r.Groups)
	}
	return rounds, nil
}

// sortMembers puts the host first, then the members by name the Swedish way.
func sortMembers(ms []GroupMember) {
	slices.SortStableFunc(ms, func(a, b GroupMember) int {
		if a.Host != b.Host {
			if a.Host {
				return -1
			}
			return 1
		}
		return bytes.Compare(org.SortKey(a.Name, ""), org.SortKey(b.Name, ""))
	})
}

// personMembers returns a round's groups as the grouping sees them, with the person as the member's
// ID (guests, who have no history, get negative IDs of their own).
func personMembers(groups []*Group) [][]mingle.Member {
	out := make([][]mingle.Member, len(groups))
	for i, g := range groups {
		for _, m := range g.Members {
			id := m.PersonID
			if id == 0 {
				id = -m.InvitationID
			}
			out[i] = append(out[i], mingle.Member{ID: id, Department: m.key, Host: m.Host})
		}
	}
	return out
}

func addPersonPairs(met mingle.Met, groups []*Group) {
	for _, g := range personMembers(groups) {
		for i := range g {
			for j := i + 1; j < len(g); j++ {
				if g[i].ID > 0 && g[j].ID > 0 {
					met.Add(g[i].ID, g[j].ID)
				}
			}
		}
	}
}

// quality scores a round against the pairs who had met before it.
func quality(groups []*Group, met mingle.Met) GroupQuality {
	ms := personMembers(groups)
	q := GroupQuality{Groups: len(groups)}
	var all []mingle.Member
	for i, g := range ms {
		all = append(all, g...)
		if i == 0 || len(g) < q.MinSize {
			q.MinSize = len(g)
		}
		q.MaxSize = max(q.MaxSize, len(g))
	}
	q.People = len(all)
	q.RepeatPairs, q.DepartmentPairs = mingle.Score(ms, met)
	q.LowerBound = mingle.LowerBound(mingle.DepartmentCounts(all), make([]int, len(groups)))
	return q
}

// earlierPairs returns the pairs of the event's invitees (by person) who were in a group together at an
// earlier event of the kommun: one that started before this one (and was not cancelled). Only people
// invited to this event matter, which keeps the answer small however many events the kommun has had.
func (s *Service) earlierPairs(ctx context.Context, e *Event) (mingle.Met, error) {
	rows, err := s.Store.DB.Read().QueryContext(ctx, `SELECT DISTINCT a.person_id, b.person_id
		FROM event_group_members a
		JOIN event_group_members b ON b.group_id = a.group_id AND b.person_id > a.person_id
		JOIN event_groups g ON g.id = a.group_id
		JOIN events ev ON ev.id = g.event_id
		JOIN events cur ON cur.id = $2
		WHERE ev.tenant_id = $1 AND ev.id <> cur.id AND ev.cancelled_at IS NULL
			AND (ev.starts_at < cur.starts_at OR (ev.starts_at = cur.starts_at AND ev.id < cur.id))
			AND a.person_id IN (SELECT person_id FROM event_invitations WHERE event_id = $2 AND person_id IS NOT NULL)
			AND b.person_id IN (SELECT person_id FROM event_invitations WHERE event_id = $2 AND person_id IS NOT NULL)`,
		e.TenantID, e.ID)
	pairs, err := db.Collect(rows, err, func(r db.Row) (mingle.Pair, error) {
		var p mingle.Pair
		return p, r.Scan(&p[0], &p[1])
	})
	if err != nil {
		return nil, fmt.Errorf("earlier groups: %w", err)
	}
	met := make(mingle.Met, len(pairs))
	for _, p := range pairs {
		met[p] = struct{}{}
	}
	return met, nil
}

// Validate checks the organiser's choice, given the rounds the event has.
func (in *GroupInput) Validate(rounds []*GroupRound, counts GroupCounts) map[string]string {
	errs := map[string]string{}
	switch in.Who {
	case GroupCheckedIn:
		if counts.CheckedIn == 0 {
			errs["who"] = "Ingen har checkat in ännu. Välj dem som har svarat ja."
		}
	case GroupYes:
		if counts.Yes == 0 {
			errs["who"] = "Ingen har svarat ja ännu."
		}
	default:
		errs["who"] = "Välj vilka som ska delas in i grupper."
	}
	if in.Size < MinGroupSize || in.Size > MaxGroupSize {
		errs["size"] = "Välj gruppstorlek 3 eller 4."
	}
	switch {
	case in.Round < 1 || in.Round > MaxRounds:
		errs["round"] = "Välj runda 1 eller 2."
	case in.Round > 1 && len(rounds) < in.Round-1:
		errs["round"] = "Bilda grupperna för runda 1 först."
	}
	return errs
}

// FormGroups forms the mingling groups of a round and stores them, replacing the round's groups (and
// any later round's, which were formed to avoid them) when replace is set; without it an existing round
// gives ErrGroupsExist. Nobody is grouped with someone they were grouped with at an earlier event or an
// earlier round of this one.
func (s *Service) FormGroups(ctx context.Context, e *Event, in GroupInput, replace bool) (*GroupRound, error) {
	rounds, err := s.GroupRounds(ctx, e)
	if err != nil {
		return nil, err
	}
	counts, err := s.GroupCounts(ctx, e)
	if err != nil {
		return nil, err
	}
	if errs := in.Validate(rounds, counts); len(errs) > 0 {
		return nil, web.Invalid(errs)
	}
	if len(rounds) >= in.Round && !replace {
		return nil, ErrGroupsExist
	}
	candidates, err := s.groupCandidates(ctx, e, in.Who)
	if err != nil {
		return nil, err
	}
	met, err := s.earlierPairs(ctx, e)
	if err != nil {
		return nil, err
	}
	for _, r := range rounds[:in.Round-1] {
		addPersonPairs(met, r.Groups)
	}
	// The grouping works on invitations (guests have no person); the history is by person.
	byPerson := map[int64]int64{}
	members := make([]mingle.Member, len(candidates))
	byInvitation := map[int64]GroupMember{}
	for i, c := range candidates {
		members[i] = mingle.Member{ID: c.InvitationID, Department: c.key, Host: c.Host}
		byInvitation[c.InvitationID] = c
		if c.PersonID != 0 {
			byPerson[c.PersonID] = c.InvitationID
		}
	}
	invitationMet := mingle.Met{}
	for p := range met {
		a, okA := byPerson[p[0]]
		b, okB := byPerson[p[1]]
		if okA && okB {
			invitationMet.Add(a, b)
		}
	}
	// A fresh seed each time: forming a round again should offer other groups of the same quality.
	res := mingle.Form(members, mingle.Options{Size: in.Size, Met: invitationMet,
		Seed: uint64(s.Now().UnixNano()) ^ uint64(e.ID)<<32 ^ uint64(in.Round)})

	round := &GroupRound{Round: in.Round}
	for n, g := range res.Groups {
		group := &Group{Number: n + 1}
		for _, m := range g {
			group.Members = append(group.Members, byInvitation[m.ID])
		}
		sortMembers(group.Members)
		round.Groups = append(round.Groups, group)
	}
	err = s.Store.DB.Tx(ctx, func(tx *sql.Tx) error {
		// The event's row lock makes two organisers pressing at once take turns, and the second sees
		// the first one's groups.
		if _, err := s.Store.LockEvent(ctx, tx, e.TenantID, e.ID); err != nil {
			return err
		}
		var existing int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM event_groups WHERE event_id = $1 AND round = $2`, e.ID, in.Round).Scan(&existing); err != nil {
			return err
		}
		if existing > 0 && !replace {
			return ErrGroupsExist
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM event_group_members WHERE group_id IN
			(SELECT id FROM event_groups WHERE event_id = $1 AND round >= $2)`, e.ID, in.Round); err != nil {
			return fmt.Errorf("replace groups: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM event_groups WHERE event_id = $1 AND round >= $2`, e.ID, in.Round); err != nil {
			return fmt.Errorf("replace groups: %w", err)
		}
		for _, g := range round.Groups {
			if err := tx.QueryRowContext(ctx, `INSERT INTO event_groups (event_id, round, number) VALUES ($1, $2, $3) RETURNING id`,
				e.ID, in.Round, g.Number).Scan(&g.ID); err != nil {
				return fmt.Errorf("insert group: %w", err)
			}
			// One statement per group rather than per member.
			var values []string
			args := []any{g.ID}
			for _, m := range g.Members {
				args = append(args, m.InvitationID, nullID(m.PersonID))
				values = append(values, fmt.Sprintf("($1, $%d, $%d)", len(args)-1, len(args)))
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO event_group_members (group_id, invitation_id, person_id) VALUES `+
				strings.Join(values, ", "), args...); err != nil {
				return fmt.Errorf("insert group members: %w", err)
			}
		}
		return nil
	})
	if errors.Is(err, db.ErrNotFound) {
		return nil, web.NotFound()
	}
	if err != nil {
		return nil, err
	}
	round.Quality = quality(round.Groups, met)
	return round, nil
}
