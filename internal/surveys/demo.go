package surveys

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/org"
)

// Demo gives the demo kommun surveys to look at: an HME survey with a closed round sent to everyone some
// weeks ago and answered by about 60 % of them, and a citizen survey with an open link that has had a
// few dozen answers this week. The answers go through the same submission as a respondent's, so the
// roll-ups are what real answers would make; the draws are seeded, so every run makes the same. It does
// nothing when the kommun has surveys, so `vard demo` can be restarted.
func Demo(ctx context.Context, d *db.DB, o *org.Service, tenantID int64) error {
	var n int
	if err := d.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM surveys WHERE tenant_id = $1`, tenantID).Scan(&n); err != nil || n > 0 {
		return err
	}
	now := db.Now()
	clock := now
	svc := NewService(&Store{DB: d, Now: func() time.Time { return clock }})
	rng := rand.New(rand.NewPCG(2026, 9))

	tree, err := o.Tree(ctx, tenantID)
	if err != nil {
		return err
	}
	people, err := ActivePeople(ctx, o, tenantID)
	if err != nil {
		return err
	}

	// The HME round ran for two weeks ending three weeks ago; the clock is set inside it for the answers.
	sv, err := svc.CreateSurvey(ctx, tenantID, SurveyInput{Title: "HME hösten", Kind: KindHME})
	if err != nil {
		return fmt.Errorf("demo survey: %w", err)
	}
	opens := now.AddDate(0, 0, -35)
	clock = opens
	var all Targets
	for _, u := range tree.Roots {
		all.UnitIDs = append(all.UnitIDs, u.ID)
	}
	all.Subtree = true
	r, err := svc.CreateRound(ctx, tenantID, sv.ID, RoundSpec{Name: "Hösten", FirstDay: Day(opens), LastDay: Day(opens.AddDate(0, 0, 13)), Targets: all}, tree)
	if err != nil {
		return fmt.Errorf("demo round: %w", err)
	}
	audience := ResolveAudience(tree, people, all)
	invitees := make([]Invitee, len(audience.Reachable))
	for i, p := range audience.Reachable {
		invitees[i] = Invitee{PersonID: p.PersonID, UnitID: p.UnitID}
	}
	tokens, err := svc.Invite(ctx, tenantID, r.ID, invitees)
	if err != nil {
		return fmt.Errorf("demo invitations: %w", err)
	}
	// Each förvaltning has its own mood, so that the results differ between parts of the tree.
	mood := map[int64]float64{}
	for _, u := range tree.Roots {
		mood[u.ID] = 3.2 + rng.Float64()*1.2
	}
	rs := &Respondent{Round: r, Survey: sv}
	for i, inv := range invitees {
		if rng.Float64() >= 0.6 {
			continue
		}
		m := 3.8
		if dep := tree.Department(inv.UnitID); dep != nil {
			m = mood[dep.ID]
		}
		var answers []Answer
		for _, q := range sv.Questions {
			if rng.Float64() < 0.04 {
				continue // vet ej
			}
			v := int(m + rng.NormFloat64()*0.9 + 0.5)
			answers = append(answers, Answer{QuestionID: q.ID, Values: []int{min(max(v, 1), 5)}})
		}
		clock = opens.Add(time.Duration(rng.IntN(13*24)) * time.Hour)
		if _, err := svc.Answer(ctx, rs, tokens[i], "demo-"+strconv.Itoa(i), answers); err != nil {
			return fmt.Errorf("demo answer: %w", err)
		}
	}

	// The citizen survey at the reception: open from a week ago for two months.
	clock = now
	citizen, err := svc.NewSurvey(ctx, tenantID, NewSurveyInput{Start: StartCitizen, Title: "Bemötande i kontaktcenter"}, nil)
	if err != nil {
		return fmt.Errorf("demo citizen survey: %w", err)
	}
	open, err := svc.CreateRound(ctx, tenantID, citizen.ID, RoundSpec{Name: "Receptionen", FirstDay: Day(now.AddDate(0, 0, -7)),
		LastDay: Day(now.AddDate(0, 2, 0)), OpenLink: true}, tree)
	if err != nil {
		return fmt.Errorf("demo open round: %w", err)
	}
	rs = &Respondent{Round: open, Survey: citizen}
	for i := range 40 {
		var answers []Answer
		for _, q := range citizen.Questions {
			switch q.Type {
			case Likert5:
				answers = append(answers, Answer{QuestionID: q.ID, Values: []int{min(max(int(4.1+rng.NormFloat64()*0.8+0.5), 1), 5)}})
			case Single:
				answers = append(answers, Answer{QuestionID: q.ID, Values: []int{rng.IntN(len(q.Options))}})
			}
		}
		clock = now.Add(-time.Duration(rng.IntN(6*24)) * time.Hour)
		if _, err := svc.Answer(ctx, rs, "", "demo-citizen-"+strconv.Itoa(i), answers); err != nil {
			return fmt.Errorf("demo citizen answer: %w", err)
		}
	}
	return nil
}
