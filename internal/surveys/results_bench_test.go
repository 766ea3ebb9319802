package surveys_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/surveys"
	"github.com/vard-kommun/vard/internal/web"
)

// BenchmarkResultsPage times the whole results page of an HME round over 2,000 units (20 förvaltningar ×
// 9 enheter × 10 arbetslag) as the kommunadmin gets it through the router: the tree, the roll-ups, the
// suppression, the response rates and the HTML. Each arbetslag has 280 personal links, all used, and
// roll-ups as if every one of them had answered the nine statements: 1,800 × 280 × 9 ≈ 4.5 million answers.
// The answers themselves are not stored, since the page never reads them (only a filter does); the 504,000
// invitations are, since the response rates count them.
func BenchmarkResultsPage(b *testing.B) {
	f := setup(b)
	ctx := context.Background()
	sv, err := f.svc.CreateSurvey(ctx, f.tenant.ID, surveys.SurveyInput{Title: "HME 2026", Kind: surveys.KindHME})
	if err != nil {
		b.Fatal(err)
	}
	r, err := f.svc.OpenRound(ctx, f.tenant.ID, sv.ID, surveys.RoundInput{OpensAt: time.Now().Add(-time.Hour), ClosesAt: time.Now().Add(time.Hour)})
	if err != nil {
		b.Fatal(err)
	}
	store := org.NewStore(f.db)
	const perTeam = 280
	var teams []int64
	err = f.db.Tx(ctx, func(tx *sql.Tx) error {
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
			if _, err := tx.ExecContext(ctx, `INSERT INTO survey_rollup_hme (round_id, unit_id, motivation_points, motivation_n, ledarskap_points, ledarskap_n,
				styrning_points, styrning_n, total_points, total_n) VALUES ($1, $2, $3, $4, $3, $4, $3, $4, $5, $4)`,
				r.ID, team, 150*perTeam, perTeam, 450*perTeam); err != nil {
				return err
			}
			rows, args = rows[:0], args[:0]
			for i := range perTeam {
				n := len(args)
				rows = append(rows, fmt.Sprintf("($%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5))
				args = append(args, r.ID, fmt.Sprint(team, "-", i), team, f.tenant.CreatedAt, f.tenant.CreatedAt)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO survey_invitations (round_id, token_hash, unit_id, used_at, created_at) VALUES `+strings.Join(rows, ", "), args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}

	// Close the round: while a round with personal links is open its page shows numbers of answers only.
	if _, err := f.db.Writer().ExecContext(ctx, `UPDATE survey_rounds SET closes_at = $1 WHERE id = $2`, time.Now().Add(-time.Minute).UTC(), r.ID); err != nil {
		b.Fatal(err)
	}
	if f.db.Dialect == db.Postgres {
		// The triggers that count invitations updated each unit's row 280 times; autovacuum would
		// soon clear the dead rows, and statistics, in a running server.
		if _, err := f.db.Writer().ExecContext(ctx, `VACUUM ANALYZE`); err != nil {
			b.Fatal(err)
		}
	}
	static, err := web.NewStatic()
	if err != nil {
		b.Fatal(err)
	}
	rd, err := web.NewRenderer(static, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	rt := web.NewRouter()
	rt.Fail = rd.Fail
	surveys.NewHandlers(f.svc, f.org, nil, rd, "http://127.0.0.1").Routes(rt)
	viewer := &web.Viewer{PersonID: 1, TenantID: f.tenant.ID, TenantSlug: f.tenant.Slug, Roles: []string{web.RoleAdmin}}
	target := fmt.Sprintf("/enkater/omgangar/%d/resultat", r.ID)
	get := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, target, nil).WithContext(web.WithViewer(ctx, viewer))
		rec := httptest.NewRecorder()
		rt.ServeHTTP(rec, req)
		return rec
	}
	if rec := get(); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), ">504000<") {
		b.Fatalf("got %d without the kommun's 504,000 answers\n%.2000s", rec.Code, rec.Body.String())
	}
	b.ResetTimer()
	for b.Loop() {
		if rec := get(); rec.Code != http.StatusOK {
			b.Fatalf("got %d", rec.Code)
		}
	}
}
