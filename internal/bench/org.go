package bench

import (
	"context"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/vard-kommun/vard/internal/app"
	"github.com/vard-kommun/vard/internal/auth"
	"github.com/vard-kommun/vard/internal/demo"
)

// OrgTree measures the organisation tree page of the demo kommun (6 förvaltningar, ~40 enheter, 220
// arbetslag, 1,400 people) as a signed-in kommunadmin sees it, next to a bare net/http handler that
// reads the same units and renders them as a plain list: the baseline is the least work that page can do.
func OrgTree(ctx context.Context, dsn string, requests, concurrency int, out io.Writer) error {
	a, err := app.New(ctx, app.Config{Database: dsn, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	defer a.Close()
	t0 := time.Now()
	tenantID, err := demo.Generate(ctx, a.DB, a.Org, a.Auth, demo.Options{Slug: "exempelby", Name: "Exempelby kommun", Seed: 1})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "org: demo kommun generated in %v on %s\n", time.Since(t0).Round(time.Millisecond), a.DB.Dialect)
	adminID, err := a.Org.ActivePersonByEmail(ctx, tenantID, demo.Accounts[0].Email)
	if err != nil {
		return err
	}
	token, err := a.Auth.NewSession(ctx, adminID, 0)
	if err != nil {
		return err
	}
	srv := httptest.NewServer(a.Handler)
	defer srv.Close()
	base := httptest.NewServer(baselineTree(a, tenantID))
	defer base.Close()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrency}}
	get := func(url string) func() (*http.Request, error) {
		return func() (*http.Request, error) {
			req, err := http.NewRequest(http.MethodGet, url, nil)
			if err == nil {
				req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: token})
			}
			return req, err
		}
	}
	// Warm both up so neither pays for first connections and caches.
	if _, err := Run(ctx, client, 20, 2, get(srv.URL+"/organisation")); err != nil {
		return err
	}
	if _, err := Run(ctx, client, 20, 2, get(base.URL)); err != nil {
		return err
	}
	baseline, err := Run(ctx, client, requests, concurrency, get(base.URL))
	if err != nil {
		return err
	}
	page, err := Run(ctx, client, requests, concurrency, get(srv.URL+"/organisation"))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "org: tree page (220 arbetslag), %d requests, concurrency %d\n", requests, concurrency)
	fmt.Fprintf(out, "  baseline  %s\n", baseline)
	fmt.Fprintf(out, "  värd      %s\n", page)
	fmt.Fprintf(out, "  ratio     %.2f of baseline throughput\n", page.PerSecond()/baseline.PerSecond())
	return nil
}

var baselinePage = template.Must(template.New("b").Parse(`<!doctype html><title>Organisation</title><ul>{{range .}}<li>{{.}}</li>{{end}}</ul>`))

func baselineTree(a *app.App, tenantID int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rows, err := a.DB.Read().QueryContext(r.Context(), `SELECT name FROM units WHERE tenant_id = $1 ORDER BY id`, tenantID)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer rows.Close()
		var names []string
		for rows.Next() {
			var n string
			rows.Scan(&n)
			names = append(names, n)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		baselinePage.Execute(w, names)
	})
}
