package bench

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/vard-kommun/vard/internal/app"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/surveys"
)

// Survey measures respondents answering an HME survey: n people, each with a personal link, post the
// nine answers as fast as they can over loopback (a form post with an idempotency key, as the page
// sends it) to Värd's POST /enkater/svar/{token}, next to a bare net/http handler that writes the same
// rows into the same database with plain SQL (the invitation marked used, one response, nine answers and
// the roll-up UPSERTs in one transaction): the least work storing an answer can be. Afterwards it checks
// that each run stored exactly n responses, and that the roll-ups count them all.
func Survey(ctx context.Context, dsn string, n, concurrency int, out io.Writer) error {
	a, err := app.New(ctx, app.Config{Database: dsn, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	defer a.Close()
	tenant, err := a.Org.CreateTenant(ctx, "enkatby", "Enkätby kommun", nil)
	if err != nil {
		return err
	}
	var teams []int64
	for d := range 4 {
		dep, err := a.Org.CreateUnit(ctx, tenant.ID, org.UnitInput{Kind: org.KindDepartment, Name: fmt.Sprintf("Förvaltning %d", d+1)})
		if err != nil {
			return err
		}
		for u := range 10 {
			team, err := a.Org.CreateUnit(ctx, tenant.ID, org.UnitInput{ParentID: dep.ID, Kind: org.KindTeam, Name: fmt.Sprintf("Arbetslag %d.%d", d+1, u+1)})
			if err != nil {
				return err
			}
			teams = append(teams, team.ID)
		}
	}
	sv, err := a.Surveys.CreateSurvey(ctx, tenant.ID, surveys.SurveyInput{Title: "HME", Kind: surveys.KindHME})
	if err != nil {
		return err
	}
	invitees := make([]surveys.Invitee, n)
	for i := range invitees {
		invitees[i] = surveys.Invitee{UnitID: teams[i%len(teams)]}
	}
	// Each run answers a survey round of its own, so that both can be counted afterwards.
	round := func() (*surveys.Round, []string, error) {
		r, err := a.Surveys.OpenRound(ctx, tenant.ID, sv.ID, surveys.RoundInput{OpensAt: time.Now().Add(-time.Hour), ClosesAt: time.Now().Add(24 * time.Hour)})
		if err != nil {
			return nil, nil, err
		}
		tokens, err := a.Surveys.Invite(ctx, tenant.ID, r.ID, invitees)
		return r, tokens, err
	}
	srv := httptest.NewServer(a.Handler)
	defer srv.Close()
	client := &http.Client{
		Transport:     &http.Transport{MaxIdleConnsPerHost: concurrency},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	post := func(url string, tokens []string) func() (*http.Request, error) {
		var next atomic.Int64
		return func() (*http.Request, error) {
			i := int(next.Add(1)) - 1
			req, err := http.NewRequest(http.MethodPost, url+tokens[i], strings.NewReader(answerForm(sv, i).Encode()))
			if err == nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			return req, err
		}
	}
	// Three rounds, each answering two fresh survey rounds (one per side), and the median reported.
	var results []Pair
	for r := range surveyRounds {
		baseRound, baseTokens, err := round()
		if err != nil {
			return err
		}
		vardRound, vardTokens, err := round()
		if err != nil {
			return err
		}
		base := httptest.NewServer(baselineSubmit(a, sv, baseRound.ID))
		res, err := runPair(r,
			func() (Load, error) {
				return RunStatus(ctx, client, n, concurrency, http.StatusSeeOther, post(base.URL+"/svar/", baseTokens))
			},
			func() (Load, error) {
				return RunStatus(ctx, client, n, concurrency, http.StatusSeeOther, post(srv.URL+"/enkater/svar/", vardTokens))
			})
		if err != nil {
			base.Close()
			return err
		}
		base.Close()
		for _, c := range []struct {
			name  string
			round int64
			load  Load
		}{{"baseline", baseRound.ID, res.Baseline}, {"värd", vardRound.ID, res.Vard}} {
			stored, err := storedResponses(ctx, a, tenant.ID, c.round)
			if err != nil {
				return err
			}
			if stored != n || c.load.Failed > 0 {
				return fmt.Errorf("survey %s: %d responses stored and %d requests failed, want exactly %d stored and none failed", c.name, stored, c.load.Failed, n)
			}
		}
		fmt.Fprintf(out, "  round %d   baseline %7.1f req/s, värd %7.1f req/s: %.2f; %d responses each stored once, none lost\n",
			r+1, res.Baseline.PerSecond(), res.Vard.PerSecond(), res.Ratio(), n)
		results = append(results, res)
	}
	printMedian(out, fmt.Sprintf("survey: %d respondents × 9 HME answers, concurrency %d, on %s", n, concurrency, a.DB.Dialect), results)
	return nil
}

// surveyRounds is how many rounds Survey runs; the median is reported.
const surveyRounds = 3

// answerForm is respondent i's form: the nine statements answered, and a fresh idempotency key as the
// page renders one.
func answerForm(sv *surveys.Survey, i int) url.Values {
	form := url.Values{"key": {rand.Text()}, "action": {"skicka"}}
	for j, q := range sv.Questions {
		form.Set("q"+strconv.FormatInt(q.ID, 10), strconv.Itoa(1+(i+j)%5))
	}
	return form
}

// storedResponses counts a round's responses in the table and in the roll-ups, and fails when the two
// disagree.
func storedResponses(ctx context.Context, a *app.App, tenantID, roundID int64) (int, error) {
	var rows, rolled int
	err := a.DB.Read().QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM survey_responses WHERE round_id = $1),
		(SELECT COALESCE(SUM(n), 0) FROM survey_rollup_responses WHERE round_id = $1)`, roundID).Scan(&rows, &rolled)
	if err != nil {
		return 0, err
	}
	if rows != rolled {
		return 0, fmt.Errorf("round %d: %d responses stored but %d in the roll-ups", roundID, rows, rolled)
	}
	return rows, nil
}

var errUsed = errors.New("invitation used or unknown")

// baselineSubmit is the least a server can do to store an HME answer: parse the form, and in one
// transaction mark the invitation used, insert the response and its nine answers, and add them to the
// unit's roll-ups.
func baselineSubmit(a *app.App, sv *surveys.Survey, roundID int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		token := strings.TrimPrefix(r.URL.Path, "/svar/")
		key := r.PostForm.Get("key")
		var hme surveys.HMEAnswers
		values := make([]int, len(sv.Questions))
		for j, q := range sv.Questions {
			v, err := strconv.Atoi(r.PostForm.Get("q" + strconv.FormatInt(q.ID, 10)))
			if err != nil || v < 1 || v > 5 {
				http.Error(w, "bad answer", http.StatusBadRequest)
				return
			}
			values[j] = v
			hme[q.HMEIndex] = v
		}
		tally := hme.Tally()
		sum := sha256.Sum256([]byte(token))
		now := time.Now().UTC()
		day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
		ctx := r.Context()
		err := a.DB.Tx(ctx, func(tx *sql.Tx) error {
			var unit sql.NullInt64
			err := tx.QueryRowContext(ctx, `UPDATE survey_invitations SET used_at = $1
				WHERE round_id = $2 AND token_hash = $3 AND used_at IS NULL RETURNING unit_id`, day, roundID, hex.EncodeToString(sum[:])).Scan(&unit)
			if errors.Is(err, sql.ErrNoRows) {
				return errUsed
			}
			if err != nil {
				return err
			}
			var b [8]byte
			rand.Read(b[:])
			id := int64(binary.BigEndian.Uint64(b[:])>>11) + 1
			if _, err := tx.ExecContext(ctx, `INSERT INTO survey_responses (id, round_id, unit_id, idempotency_key, submitted_at)
				VALUES ($1, $2, $3, $4, $5)`, id, roundID, unit, key, day); err != nil {
				return err
			}
			answers := []any{id}
			counts := []any{roundID, unit.Int64}
			var ab, cb strings.Builder
			for j, q := range sv.Questions {
				if j > 0 {
					ab.WriteString(", ")
					cb.WriteString(", ")
				}
				fmt.Fprintf(&ab, "($1, $%d, $%d, '')", len(answers)+1, len(answers)+2)
				answers = append(answers, q.ID, values[j])
				fmt.Fprintf(&cb, "($1, $2, $%d, $%d, 1)", len(counts)+1, len(counts)+2)
				counts = append(counts, q.ID, values[j])
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO survey_answers (response_id, question_id, value, text) VALUES `+ab.String(), answers...); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO survey_rollup_responses (round_id, unit_id, n) VALUES ($1, $2, 1)
				ON CONFLICT (round_id, unit_id) DO UPDATE SET n = survey_rollup_responses.n + 1`, roundID, unit.Int64); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO survey_rollup_counts (round_id, unit_id, question_id, value, n) VALUES `+cb.String()+`
				ON CONFLICT (round_id, unit_id, question_id, value) DO UPDATE SET n = survey_rollup_counts.n + 1`, counts...); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO survey_rollup_hme (round_id, unit_id,
				motivation_points, motivation_n, ledarskap_points, ledarskap_n, styrning_points, styrning_n, total_points, total_n)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
				ON CONFLICT (round_id, unit_id) DO UPDATE SET
				motivation_points = survey_rollup_hme.motivation_points + excluded.motivation_points,
				motivation_n = survey_rollup_hme.motivation_n + excluded.motivation_n,
				ledarskap_points = survey_rollup_hme.ledarskap_points + excluded.ledarskap_points,
				ledarskap_n = survey_rollup_hme.ledarskap_n + excluded.ledarskap_n,
				styrning_points = survey_rollup_hme.styrning_points + excluded.styrning_points,
				styrning_n = survey_rollup_hme.styrning_n + excluded.styrning_n,
				total_points = survey_rollup_hme.total_points + excluded.total_points,
				total_n = survey_rollup_hme.total_n + excluded.total_n`,
				roundID, unit.Int64, tally.Motivation.Points, tally.Motivation.N, tally.Ledarskap.Points, tally.Ledarskap.N,
				tally.Styrning.Points, tally.Styrning.N, tally.Total.Points, tally.Total.N)
			return err
		})
		switch {
		case errors.Is(err, errUsed):
			http.Error(w, err.Error(), http.StatusGone)
		case err != nil:
			http.Error(w, err.Error(), http.StatusInternalServerError)
		default:
			http.Redirect(w, r, "/tack", http.StatusSeeOther)
		}
	})
}
