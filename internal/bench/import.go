package bench

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vard-kommun/vard/internal/app"
)

// Import measures the organisation import of a generated HR export of n rows (preview and apply, as
// `vard import --apply` does) next to a baseline that inserts the same people with plain INSERTs in one
// transaction: the least work that storing them can be. It also reports the peak heap in use, which must
// stay bounded however long the file is.
func Import(ctx context.Context, dsn string, n int, out io.Writer) error {
	a, err := app.New(ctx, app.Config{Database: dsn, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	defer a.Close()
	tenant, err := a.Org.CreateTenant(ctx, "benchby", "Benchby kommun", nil)
	if err != nil {
		return err
	}
	// The baseline writes into a kommun of its own, so the import does not see (and deactivate) its rows.
	other, err := a.Org.CreateTenant(ctx, "baslinje", "Baslinje kommun", nil)
	if err != nil {
		return err
	}
	file := HRFile(n)

	base, err := measure(func() error { return baselineInsert(ctx, a, other.ID, n) })
	if err != nil {
		return err
	}
	var applied bool
	imp, err := measure(func() error {
		res, err := a.Imports.ImportFile(ctx, tenant.ID, bytes.NewReader(file), "personal.csv", true, nil)
		if err != nil {
			return err
		}
		if res.ErrorCount > 0 || res.Created != n {
			return fmt.Errorf("import: %d created, %d rows with errors, want %d created", res.Created, res.ErrorCount, n)
		}
		applied = res.Applied
		return nil
	})
	if err != nil {
		return err
	}
	again, err := measure(func() error {
		res, err := a.Imports.ImportFile(ctx, tenant.ID, bytes.NewReader(file), "personal.csv", true, nil)
		if err == nil && res.Unchanged != n {
			err = fmt.Errorf("re-import: %d unchanged, want %d", res.Unchanged, n)
		}
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "import: %d rows (%.1f MiB CSV) on %s, applied %v\n", n, float64(len(file))/(1<<20), a.DB.Dialect, applied)
	fmt.Fprintf(out, "  baseline   %s\n", base.rate(n))
	fmt.Fprintf(out, "  import     %s\n", imp.rate(n))
	fmt.Fprintf(out, "  re-import  %s (no changes)\n", again.rate(n))
	fmt.Fprintf(out, "  ratio      %.2f of baseline throughput\n", base.elapsed.Seconds()/imp.elapsed.Seconds())
	return nil
}

type run struct {
	elapsed  time.Duration
	peakHeap uint64
}

func (r run) rate(n int) string {
	return fmt.Sprintf("%8.0f rows/s  %6.2f s  peak heap %5.1f MiB", float64(n)/r.elapsed.Seconds(), r.elapsed.Seconds(), float64(r.peakHeap)/(1<<20))
}

// measure times fn and samples the heap in use while it runs.
func measure(fn func() error) (run, error) {
	runtime.GC()
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	start := time.Now()
	err := fn()
	r := run{elapsed: time.Since(start)}
	close(done)
	wg.Wait()
	r.peakHeap = peak.Load()
	return r, err
}

func baselineInsert(ctx context.Context, a *app.App, tenantID int64, n int) error {
	now := time.Now().UTC()
	return a.DB.Tx(ctx, func(tx *sql.Tx) error {
		for i := 0; i < n; i++ {
			_, err := tx.ExecContext(ctx, `INSERT INTO people (tenant_id, employee_id, given_name, family_name, email, sort_key, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, tenantID, fmt.Sprintf("B%06d", i), "Baslinje", "Person", fmt.Sprintf("b%d@benchby.example", i), []byte{byte(i)}, now)
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// HRFile generates an HR export of n people in 6 förvaltningar, 40 enheter and 220 arbetslag, as Swedish
// Excel saves it: semicolon-separated with a BOM.
func HRFile(n int) []byte {
	var b bytes.Buffer
	b.WriteString("\ufeffAnst.nr;Förnamn;Efternamn;E-post;Befattning;Förvaltning;Enhet;Arbetslag\r\n")
	given := []string{"Anna", "Åsa", "Björn", "Örjan", "Eva", "Zeta", "Lars", "Märta"}
	family := []string{"Andersson", "Öberg", "Lind", "Ängström", "Berg", "Zetterlund", "Nilsson", "Åkesson"}
	for i := 0; i < n; i++ {
		team := i % 220
		unit := team % 40
		dep := unit % 6
		fmt.Fprintf(&b, "E%06d;%s;%s;p%d@benchby.example;Handläggare;Förvaltning %d;Enhet %d;Arbetslag %d\r\n",
			i, given[i%len(given)], family[(i/len(given))%len(family)], i, dep, unit, team)
	}
	return b.Bytes()
}
