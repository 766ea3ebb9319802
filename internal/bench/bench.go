// Package bench holds the load scenarios behind `vard bench`. Every scenario measures Värd next to a
// baseline run in the same process on the same database, and reports the ratio, so the figures mean
// the same on a laptop and on a two-core CI machine.
package bench

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Main runs the scenarios named in args (all when none) and prints the figures.
func Main(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	dsn := fs.String("db", os.Getenv("VARD_BENCH_DB"), "database for the scenarios: empty for a fresh SQLite file, or a postgres:// URL of an empty database")
	requests := fs.Int("requests", 400, "requests per run in the page scenarios")
	concurrency := fs.Int("concurrency", 8, "concurrent clients in the page scenarios")
	rows := fs.Int("rows", 50000, "rows in the import scenario")
	respondents := fs.Int("respondents", 4000, "respondents in the survey scenario")
	surveyConcurrency := fs.Int("survey-concurrency", 16, "concurrent respondents in the survey scenario")
	groupingPeople := fs.Int("grouping-people", 400, "people in the grouping scenario")
	groupingDepartments := fs.Int("grouping-departments", 25, "förvaltningar in the grouping scenario")
	groupSize := fs.Int("group-size", 4, "group size in the grouping scenario")
	groupingEvents := fs.Int("grouping-events", 6, "consecutive events in the grouping scenario")
	checkins := fs.Int("checkins", 1400, "check-ins in the checkin scenario")
	checkinConcurrency := fs.Int("checkin-concurrency", 64, "concurrent doors in the checkin scenario")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var names []string
	for _, n := range fs.Args() {
		// events is the name for its two measurements: grouping quality and the check-in rush.
		if n == "events" {
			names = append(names, "grouping", "checkin")
			continue
		}
		names = append(names, n)
	}
	if len(names) == 0 {
		names = []string{"org", "import", "survey", "grouping", "checkin"}
	}
	for _, n := range names {
		dir, err := os.MkdirTemp("", "vard-bench-")
		if err != nil {
			return err
		}
		db := *dsn
		if db == "" {
			db = filepath.Join(dir, "bench.db")
		}
		switch n {
		case "org":
			err = OrgTree(ctx, db, *requests, *concurrency, out)
		case "import":
			err = Import(ctx, db, *rows, out)
		case "survey":
			err = Survey(ctx, db, *respondents, *surveyConcurrency, out)
		case "grouping":
			err = Grouping(*groupingPeople, *groupingDepartments, *groupSize, *groupingEvents, out)
		case "checkin":
			err = Checkin(ctx, db, *checkins, *checkinConcurrency, out)
		default:
			err = fmt.Errorf("unknown scenario %q (org, import, survey, grouping, checkin, events)", n)
		}
		os.RemoveAll(dir)
		if err != nil {
			return err
		}
	}
	return nil
}

// Pair is one round of a scenario: Värd's load beside the baseline's, run in turn on the same machine.
type Pair struct{ Baseline, Vard Load }

// Ratio is Värd's throughput as a share of the baseline's.
func (p Pair) Ratio() float64 { return p.Vard.PerSecond() / p.Baseline.PerSecond() }

// runPair runs round number round of both sides: the baseline first in even rounds and last in odd
// ones, so that neither always meets the warmer (or the busier) machine.
func runPair(round int, baseline, vard func() (Load, error)) (Pair, error) {
	var p Pair
	var err error
	runBase := func() { p.Baseline, err = baseline() }
	runVard := func() { p.Vard, err = vard() }
	first, second := runBase, runVard
	if round%2 == 1 {
		first, second = runVard, runBase
	}
	if first(); err != nil {
		return p, err
	}
	second()
	return p, err
}

// printMedian prints the round with the median ratio under the header: on a shared machine one round
// alone says more about the neighbours than about Värd.
func printMedian(out io.Writer, header string, rounds []Pair) {
	slices.SortFunc(rounds, func(x, y Pair) int { return cmp.Compare(x.Ratio(), y.Ratio()) })
	median := rounds[len(rounds)/2]
	fmt.Fprintf(out, "%s (the median of %d rounds)\n", header, len(rounds))
	fmt.Fprintf(out, "  baseline  %s\n", median.Baseline)
	fmt.Fprintf(out, "  värd      %s\n", median.Vard)
	fmt.Fprintf(out, "  ratio     %.2f of baseline throughput\n", median.Ratio())
}

// Load is the outcome of one load run.
type Load struct {
	Requests int
	Failed   int64
	Elapsed  time.Duration
	P50, P99 time.Duration
}

// PerSecond is the throughput of the run.
func (l Load) PerSecond() float64 { return float64(l.Requests) / l.Elapsed.Seconds() }

func (l Load) String() string {
	return fmt.Sprintf("%7.1f req/s  p50 %6.2f ms  p99 %6.2f ms  failed %d", l.PerSecond(), ms(l.P50), ms(l.P99), l.Failed)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Run sends n requests made by newReq with the given concurrency, and fails a request whose status is
// not 200.
func Run(ctx context.Context, client *http.Client, n, concurrency int, newReq func() (*http.Request, error)) (Load, error) {
	return RunStatus(ctx, client, n, concurrency, http.StatusOK, newReq)
}

// RunStatus is Run for requests that answer another status when they succeed, such as a form post's
// 303 See Other.
func RunStatus(ctx context.Context, client *http.Client, n, concurrency, want int, newReq func() (*http.Request, error)) (Load, error) {
	latencies := make([]time.Duration, n)
	var next atomic.Int64
	var failed atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				req, err := newReq()
				if err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				t0 := time.Now()
				resp, err := client.Do(req.WithContext(ctx))
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != want {
						err = fmt.Errorf("%s: status %d", req.URL.Path, resp.StatusCode)
					}
				}
				latencies[i] = time.Since(t0)
				if err != nil {
					failed.Add(1)
					once.Do(func() { firstErr = err })
				}
			}
		}()
	}
	wg.Wait()
	l := Load{Requests: n, Failed: failed.Load(), Elapsed: time.Since(start)}
	slices.Sort(latencies)
	l.P50 = latencies[n/2]
	l.P99 = latencies[min(n-1, n*99/100)]
	if firstErr != nil && l.Failed == int64(n) {
		return l, errors.Join(errors.New("every request failed"), firstErr)
	}
	return l, nil
}
