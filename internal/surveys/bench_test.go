package surveys_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/surveys"
)

func BenchmarkSubmit(b *testing.B) {
	f := setup(b)
	ctx := context.Background()
	team := f.unit(b, 0, org.KindDepartment, "Kultur")
	sv, r := f.hmeRound(b, surveys.RoundInput{OpenLink: true, UnitID: team.ID})
	answers := hmeAnswers(sv, surveys.HMEAnswers{5, 4, 3, 2, 1, 2, 3, 4, 5})
	i := 0
	for b.Loop() {
		i++
		if _, err := f.svc.Submit(ctx, f.tenant.ID, surveys.Submission{RoundID: r.ID, IdempotencyKey: fmt.Sprint(i), Answers: answers}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkResults2000Units times Results over 2,000 units (20 förvaltningar × 9 enheter × 10
// arbetslag), with roll-ups written directly for every arbetslag as if 280 people there had answered the
// nine HME statements: 1,800 × 280 × 9 ≈ 4.5 million answers.
func BenchmarkResults2000Units(b *testing.B) {
	f := setup(b)
	ctx := context.Background()
	sv, r := f.hmeRound(b, surveys.RoundInput{OpenLink: true})
	store := org.NewStore(f.db)
	var teams []int64
	err := f.db.Tx(ctx, func(tx *sql.Tx) error {
		add := func(parent int64, kind org.Kind, name string) (int64, error) {
			u := &org.Unit{TenantID: f.tenant.ID, ParentID: parent, Kind: kind, Name: name, CreatedAt: f.tenant.CreatedAt}
			err := store.InsertUnit(ctx, tx, u)
			return u.ID, err
		}
		for d := range 20 {
			dept, err := add(0, org.KindDepartment, fmt.Sprint("Förvaltning ", d))
			if err != nil {
				return err
			}
			for e := range 9 {
				unit, err := add(dept, org.KindUnit, fmt.Sprint("Enhet ", d, ".", e))
				if err != nil {
					return err
				}
				for a := range 10 {
					team, err := add(unit, org.KindTeam, fmt.Sprint("Arbetslag ", d, ".", e, ".", a))
					if err != nil {
						return err
					}
					teams = append(teams, team)
				}
			}
		}
		const perTeam = 280
		for _, team := range teams {
			if _, err := tx.ExecContext(ctx, `INSERT INTO survey_rollup_responses (round_id, unit_id, n) VALUES ($1, $2, $3)`, r.ID, team, perTeam); err != nil {
				return err
			}
			var rows []string
			var args []any
			for _, q := range sv.Questions {
				for v := 1; v <= 5; v++ {
					n := len(args)
					rows = append(rows, fmt.Sprintf("($%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5))
					args = append(args, r.ID, team, q.ID, v, perTeam/5)
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO survey_rollup_counts (round_id, unit_id, question_id, value, n) VALUES `+strings.Join(rows, ", "), args...); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO survey_rollup_hme VALUES ($1, $2, $3, $4, $3, $4, $3, $4, $5, $4)`,
				r.ID, team, 150*perTeam, perTeam, 450*perTeam); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	tree := mustTree(b, f)
	if len(tree.ByID) != 2000 {
		b.Fatalf("got %d units, want 2000", len(tree.ByID))
	}
	for b.Loop() {
		res, err := f.svc.Results(ctx, f.tenant.ID, r.ID, tree)
		if err != nil {
			b.Fatal(err)
		}
		if res.Kommun.N != 1800*280 || res.Kommun.HME.Total.Value != 50 {
			b.Fatalf("got n=%d total=%d, want %d and 50", res.Kommun.N, res.Kommun.HME.Total.Value, 1800*280)
		}
	}
}
