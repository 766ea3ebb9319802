package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/app"
	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/db/dbtest"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/surveys"
)

// asVard makes the test binary run as the vard command when a test starts it as a server of its own
// (see startVard): the same main as the built binary, in a process that can be killed.
const asVard = "VARD_TEST_RUN_AS_VARD"

func TestMain(m *testing.M) {
	if os.Getenv(asVard) == "1" {
		os.Args = append([]string{"vard"}, os.Args[1:]...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestSubmissionsSurviveSIGKILL sends survey submissions through personal links while the server is
// killed with SIGKILL and started again, three times, and retries every failed request with the same
// idempotency key, as a browser resubmitting the form does. Afterwards every submission that got its
// thanks is stored, none twice, and the roll-ups count exactly the stored responses; a retry of a
// submission whose thanks was lost in a kill gets its thanks too, never "already used".
func TestSubmissionsSurviveSIGKILL(t *testing.T) {
	const respondents, clients, kills = 300, 8, 3
	ctx := context.Background()
	dsn := dbtest.DSN(t)
	sv, round, tokens := killSetup(t, dsn, respondents)

	srv := startVard(t, dsn)
	t.Cleanup(func() { srv.kill() })

	type result struct {
		key      string
		attempts int
		lost     bool // stored by an attempt whose answer was lost
		err      error
	}
	results := make([]result, respondents)
	var succeeded atomic.Int64
	// lost counts the submissions stored by a request whose answer the kill lost: the retry of one is
	// what the idempotency key is for. The database is read beside the server to tell them.
	d, err := db.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var lost atomic.Int64
	client := &http.Client{
		Timeout:       10 * time.Second,
		Transport:     &http.Transport{MaxIdleConnsPerHost: clients},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	deadline := time.Now().Add(60 * time.Second)
	work := make(chan int)
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for i := range work {
				key := rand.Text()
				form := url.Values{"key": {key}, "action": {"skicka"}}
				for j, q := range sv.Questions {
					form.Set("q"+strconv.FormatInt(q.ID, 10), strconv.Itoa(1+(i+j)%5))
				}
				res := &results[i]
				res.key = key
				// send posts the form until it gets its thanks, or an answer that retrying cannot change.
				send := func() error {
					for {
						res.attempts++
						done, err := submitOnce(client, srv.url()+"/enkater/svar/"+tokens[i], form)
						if done || err != nil {
							return err
						}
						if !res.lost {
							var n int
							err := d.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM survey_responses WHERE round_id = $1 AND idempotency_key = $2`,
								round.ID, key).Scan(&n)
							if err == nil && n > 0 {
								res.lost = true
								lost.Add(1)
							}
						}
						if time.Now().After(deadline) {
							return errors.New("no success before the deadline")
						}
						time.Sleep(10 * time.Millisecond)
					}
				}
				res.err = send()
				if res.err == nil {
					succeeded.Add(1)
					// Every tenth respondent sends the form again after its thanks, as a browser does
					// whose answer was lost on the way back: the same thanks again, nothing stored twice.
					if i%10 == 0 {
						res.err = send()
					}
				}
			}
		})
	}
	// Kill the server at random moments while the load runs: each time a random number of further
	// submissions has got through, plus a random delay, so that requests are in flight.
	killed := make(chan error, 1)
	go func() {
		for k := range kills {
			at := int64((k+1)*respondents/(kills+1) + mrand.IntN(respondents/(kills+1)/2) - respondents/(kills+1)/4)
			for succeeded.Load() < at && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			time.Sleep(time.Duration(mrand.IntN(3000)) * time.Microsecond)
			if err := srv.restart(t); err != nil {
				killed <- err
				return
			}
		}
		killed <- nil
	}()
	for i := range respondents {
		work <- i
	}
	close(work)
	wg.Wait()
	if err := <-killed; err != nil {
		t.Fatal(err)
	}
	srv.kill()

	retried := 0
	for i, r := range results {
		if r.err != nil {
			t.Errorf("respondent %d after %d attempts: %v", i, r.attempts, r.err)
		}
		if sent := 1 + btoi(i%10 == 0); r.attempts > sent {
			retried++
		}
	}
	if t.Failed() {
		t.Fatalf("server log:\n%s", srv.log())
	}
	t.Logf("%d submissions (%d sent again after their thanks), %d retried after a failure, %d of them stored by the attempt whose answer was lost, %d restarts",
		respondents, (respondents+9)/10, retried, lost.Load(), srv.starts-1)
	if srv.starts != kills+1 {
		t.Fatalf("server started %d times, want %d", srv.starts, kills+1)
	}

	count := func(query string, args ...any) int {
		t.Helper()
		var n int
		if err := d.Read().QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}
	// Every respondent got its thanks: each key is stored once, with its nine answers.
	for i, r := range results {
		if n := count(`SELECT COUNT(*) FROM survey_responses WHERE round_id = $1 AND idempotency_key = $2`, round.ID, r.key); n != 1 {
			t.Errorf("respondent %d (%d attempts): %d responses stored with its key, want 1", i, r.attempts, n)
		}
	}
	checks := []struct {
		name  string
		query string
		want  int
	}{
		{"responses", `SELECT COUNT(*) FROM survey_responses WHERE round_id = $1`, respondents},
		{"distinct keys", `SELECT COUNT(DISTINCT idempotency_key) FROM survey_responses WHERE round_id = $1`, respondents},
		{"used invitations", `SELECT COUNT(*) FROM survey_invitations WHERE round_id = $1 AND used_at IS NOT NULL`, respondents},
		{"answers", `SELECT COUNT(*) FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id WHERE r.round_id = $1`, respondents * len(sv.Questions)},
		{"responses without nine answers", `SELECT COUNT(*) FROM survey_responses r WHERE r.round_id = $1
			AND (SELECT COUNT(*) FROM survey_answers a WHERE a.response_id = r.id) <> 9`, 0},
		{"roll-up n", `SELECT COALESCE(SUM(n), 0) FROM survey_rollup_responses WHERE round_id = $1`, respondents},
		{"roll-up counts", `SELECT COALESCE(SUM(n), 0) FROM survey_rollup_counts WHERE round_id = $1`, respondents * len(sv.Questions)},
		{"roll-up hme total n", `SELECT COALESCE(SUM(total_n), 0) FROM survey_rollup_hme WHERE round_id = $1`, respondents},
		{"drafts", `SELECT COUNT(*) FROM survey_drafts d JOIN survey_invitations i ON i.token_hash = d.token_hash WHERE i.round_id = $1`, 0},
	}
	for _, c := range checks {
		if got := count(c.query, round.ID); got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, got, c.want)
		}
	}
	// The roll-ups agree with the stored answers per unit, question and value.
	if n := count(`SELECT COUNT(*) FROM survey_rollup_counts c WHERE c.round_id = $1 AND c.n <> (SELECT COUNT(*)
		FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id
		WHERE r.round_id = c.round_id AND COALESCE(r.unit_id, 0) = c.unit_id AND a.question_id = c.question_id AND a.value = c.value)`, round.ID); n != 0 {
		t.Errorf("%d roll-up counts disagree with the stored answers", n)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// submitOnce posts the form once. It reports done on the thanks (303 to /enkater/tack); an error for an
// answer that retrying cannot change (such as "already used"); and neither when the request should be
// sent again: the server is down, or failed while it was being killed.
func submitOnce(client *http.Client, link string, form url.Values) (bool, error) {
	resp, err := client.PostForm(link, form)
	if err != nil {
		return false, nil
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusSeeOther && resp.Header.Get("Location") == "/enkater/tack":
		return true, nil
	case resp.StatusCode >= 500:
		return false, nil
	}
	return false, fmt.Errorf("status %d: %s", resp.StatusCode, firstLine(string(body), "role=\"alert\"", "<h1"))
}

// firstLine is the part of an HTML page around the first of the markers, to say why a request failed.
func firstLine(page string, markers ...string) string {
	for _, m := range markers {
		if i := strings.Index(page, m); i >= 0 {
			return page[i:min(len(page), i+200)]
		}
	}
	return page[:min(len(page), 200)]
}

// killSetup creates a kommun with ten units, an HME survey and an open round with n personal links.
func killSetup(t *testing.T, dsn string, n int) (*surveys.Survey, *surveys.Round, []string) {
	t.Helper()
	ctx := context.Background()
	a, err := app.New(ctx, app.Config{Database: dsn, DataDir: t.TempDir(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	tenant, err := a.Org.CreateTenant(ctx, "exempelby", "Exempelby kommun", nil)
	if err != nil {
		t.Fatal(err)
	}
	var units []int64
	for i := range 10 {
		u, err := a.Org.CreateUnit(ctx, tenant.ID, org.UnitInput{Kind: org.KindDepartment, Name: fmt.Sprint("Förvaltning ", i+1)})
		if err != nil {
			t.Fatal(err)
		}
		units = append(units, u.ID)
	}
	sv, err := a.Surveys.CreateSurvey(ctx, tenant.ID, surveys.SurveyInput{Title: "HME", Kind: surveys.KindHME})
	if err != nil {
		t.Fatal(err)
	}
	r, err := a.Surveys.OpenRound(ctx, tenant.ID, sv.ID, surveys.RoundInput{OpensAt: time.Now().Add(-time.Hour), ClosesAt: time.Now().Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	invitees := make([]surveys.Invitee, n)
	for i := range invitees {
		invitees[i] = surveys.Invitee{UnitID: units[i%len(units)]}
	}
	tokens, err := a.Surveys.Invite(ctx, tenant.ID, r.ID, invitees)
	if err != nil {
		t.Fatal(err)
	}
	return sv, r, tokens
}

// vardServer is `vard serve` running in a process of its own, on a free port picked at each start.
type vardServer struct {
	dsn, dataDir string
	cmd          *exec.Cmd
	exited       chan struct{} // closed when cmd has ended
	base         atomic.Value  // string: the current http://127.0.0.1:port
	logs         bytes.Buffer
	mu           sync.Mutex // guards logs, written by the process's output copiers
	starts       int
}

func startVard(t *testing.T, dsn string) *vardServer {
	t.Helper()
	s := &vardServer{dsn: dsn, dataDir: t.TempDir()}
	if err := s.start(); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *vardServer) url() string { return s.base.Load().(string) }

func (s *vardServer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logs.Write(p)
}

func (s *vardServer) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logs.String()
}

// start starts the server and waits until it answers. A port picked free can be taken by someone else
// before the server listens on it; then it tries another.
func (s *vardServer) start() error {
	var err error
	for range 5 {
		if err = s.startOnce(); err == nil {
			s.starts++
			return nil
		}
	}
	return fmt.Errorf("start vard: %w\n%s", err, s.log())
}

func (s *vardServer) startOnce() error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(os.Args[0], "serve", "--db", s.dsn, "--addr", addr, "--data-dir", s.dataDir,
		"--base-url", "http://"+addr, "--log-level", "warn")
	cmd.Env = append(os.Environ(), asVard+"=1")
	cmd.Stdout, cmd.Stderr = s, s
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); {
		select {
		case <-exited:
			return fmt.Errorf("vard exited before it answered: %v", waitErr)
		default:
		}
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				s.cmd, s.exited = cmd, exited
				s.base.Store("http://" + addr)
				return nil
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Kill()
	<-exited
	return errors.New("vard did not answer in 15 s")
}

// kill sends SIGKILL and waits for the process to end.
func (s *vardServer) kill() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

// restart kills the server with SIGKILL and starts it again, on another port.
func (s *vardServer) restart(t *testing.T) error {
	s.kill()
	fmt.Fprintf(s, "--- killed with SIGKILL after %s\n", filepath.Base(t.Name()))
	return s.start()
}
