// Package app builds the Värd server from its configuration: the database, the areas, the router with
// its middleware, and the background workers.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/vard-kommun/vard/internal/auth"
	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/events"
	"github.com/vard-kommun/vard/internal/mail"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/stories"
	"github.com/vard-kommun/vard/internal/surveys"
	"github.com/vard-kommun/vard/internal/values"
	"github.com/vard-kommun/vard/internal/web"
)

// Config is everything the server needs to start; cmd/vard fills it from flags and VARD_* variables.
type Config struct {
	// Database is a path to an SQLite file, or a postgres:// URL.
	Database string
	// DataDir holds uploaded files (story images); default "data".
	DataDir string
	// BaseURL is the address people reach the server at, e.g. https://vard.kommun.se; it decides whether
	// cookies are Secure and is used in links sent by e-mail and OIDC redirects.
	BaseURL string
	// Workers starts the background workers (import); tests that drive them by hand turn them off.
	Workers bool
	// SMTP is where queued mail is sent (survey invitations and reminders, event invitations). Without it
	// and without Mail, mail stays in the queue.
	SMTP *mail.SMTPConfig
	// Mail sends queued mail instead of SMTP: tests give their own sender, and `vard demo` one that logs.
	Mail mail.Sender
	Log  *slog.Logger
}

// App is a running Värd server's parts.
type App struct {
	Config  Config
	DB      *db.DB
	Router  *web.Router
	Handler http.Handler
	Auth    *auth.Service
	Org     *org.Service
	Imports *org.Importer
	Values  *values.Service
	Stories *stories.Service
	Surveys *surveys.Service
	Events  *events.Service
	Log     *slog.Logger

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New opens and migrates the database and builds the server. Call Start to run background workers,
// and Close when done.
func New(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.DataDir == "" {
		cfg.DataDir = "data"
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://127.0.0.1:8080"
	}
	d, err := db.Open(ctx, cfg.Database)
	if err != nil {
		return nil, err
	}
	if err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	a, err := build(cfg, d)
	if err != nil {
		d.Close()
		return nil, err
	}
	return a, nil
}

func build(cfg Config, d *db.DB) (*App, error) {
	secure := len(cfg.BaseURL) > 8 && cfg.BaseURL[:8] == "https://"
	static, err := web.NewStatic()
	if err != nil {
		return nil, err
	}
	rd, err := web.NewRenderer(static, cfg.Log)
	if err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := web.NewMetrics(reg)

	a := &App{Config: cfg, DB: d, Log: cfg.Log}
	a.Auth = auth.NewService(d, cfg.Log, secure)
	// A door's scans in a rush may use the session read up to a second ago: see auth.Service.Brief.
	a.Auth.Brief = func(r *http.Request) bool {
		return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/incheckning/skanningar")
	}
	orgStore := org.NewStore(d)
	a.Org = org.NewService(orgStore)
	a.Imports = org.NewImporter(a.Org, cfg.Log)

	rt := web.NewRouter()
	rt.Fail = rd.Fail
	a.Router = rt
	rt.HandleHTTP("GET /static/", static)
	rt.Handle("GET /healthz", web.Public, func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, err := w.Write([]byte("ok\n"))
		return err
	})
	rt.Handle("GET /readyz", web.Public, func(w http.ResponseWriter, r *http.Request) error {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := d.Ping(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, err := w.Write([]byte("database unreachable\n"))
			return err
		}
		_, err := w.Write([]byte("ready\n"))
		return err
	})
	rt.HandleHTTP("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))

	auth.NewHandlers(a.Auth, rd).Routes(rt)
	auth.NewOIDCHandlers(a.Auth, a.Org, rd, cfg.BaseURL).Routes(rt)
	org.NewHandlers(a.Org, a.Imports, rd).Routes(rt)
	org.NewAPI(a.Org).Routes(rt)

	a.Values = values.NewService(d, a.Org)
	values.NewHandlers(a.Values, a.Org, rd).Routes(rt)
	values.NewAPI(a.Values).Routes(rt)

	files, err := stories.NewFileStore(filepath.Join(cfg.DataDir, "files"))
	if err != nil {
		return nil, err
	}
	a.Stories = stories.NewService(d, a.Org, a.Values, files)
	stories.NewHandlers(a.Stories, a.Org, a.Values, rd, cfg.BaseURL).Routes(rt)
	stories.NewAPI(a.Stories).Routes(rt)

	a.Surveys = surveys.NewService(surveys.NewStore(d))
	if cfg.Mail == nil && cfg.SMTP != nil {
		if cfg.Mail, err = mail.NewSMTP(*cfg.SMTP); err != nil {
			return nil, err
		}
		a.Config.Mail = cfg.Mail
	}
	a.Surveys.MailActive = cfg.Mail != nil
	surveys.NewHandlers(a.Surveys, a.Org, a.Values, rd, cfg.BaseURL).Routes(rt)
	surveys.NewAPI(a.Surveys, a.Org).Routes(rt)

	a.Events = events.NewService(events.NewStore(d), a.Org)
	a.Events.Surveys = a.Surveys // the follow-up questions after an event are a surveys round
	events.NewHandlers(a.Events, rd, cfg.BaseURL).Routes(rt)

	apiDoc, err := web.NewOpenAPI(org.OpenAPI(), values.OpenAPI(), stories.OpenAPI(), surveys.OpenAPI())
	if err != nil {
		return nil, err
	}
	apiDoc.Route(rt)

	a.Handler = web.Chain(rt,
		web.Observe(cfg.Log, metrics, rd.Fail),
		web.SecurityHeaders(secure),
		web.CrossOrigin(rd.Fail),
		a.Auth.Middleware(rd.Fail),
	)
	return a, nil
}

// Start runs the background workers until Close.
func (a *App) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	a.cancel = cancel
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		a.Imports.Run(ctx)
	}()
	// Events: finish sendings a stopped server left, reminders, erasing external guests' data.
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		a.Events.Run(ctx, a.Log)
	}()
	if a.Config.Mail != nil {
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			mail.NewWorker(a.DB, a.Config.Mail, a.Log).Run(ctx)
		}()
	} else {
		a.Log.Info("no SMTP server configured: mail stays in the queue")
	}
}

// Close stops the workers and closes the database.
func (a *App) Close() error {
	if a.cancel != nil {
		a.cancel()
		a.wg.Wait()
	}
	return a.DB.Close()
}
