// Command vard is the Värd server and its administration tools.
//
//	vard serve     run the server
//	vard demo      run the server with the generated demo kommun "Exempelby kommun"
//	vard migrate   apply database migrations and exit
//	vard import    import a kommun's organisation from an HR export (CSV or XLSX)
//	vard user      create platform operators and set passwords
//	vard token     create a kommun's API token
//	vard bench     run the load scenarios and print the figures
//
// Every flag can also be given as an environment variable: --db as VARD_DB, --addr as VARD_ADDR, and so on.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vard-kommun/vard/internal/app"
	"github.com/vard-kommun/vard/internal/bench"
	"github.com/vard-kommun/vard/internal/demo"
	"github.com/vard-kommun/vard/internal/mail"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "vard:", err)
		os.Exit(1)
	}
}

const usage = `Usage: vard <command> [flags]

Commands:
  serve     run the server
  demo      run the server with the demo kommun (Exempelby kommun, accounts in README.md)
  migrate   apply database migrations and exit
  import    import an organisation: vard import --kommun SLUG [--apply] FILE
  user      vard user create --operator --email E --password P
            vard user password --kommun SLUG --email E --password P
  token     vard token create --kommun SLUG [--name NAME]
  bench     run load scenarios: vard bench [org|import|survey]

Run "vard <command> -h" for the flags of a command.`

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve", "demo":
		return serve(ctx, cmd == "demo", rest, stdout)
	case "migrate":
		fs, cfg := commonFlags("migrate")
		if err := parse(fs, rest); err != nil {
			return err
		}
		a, err := app.New(ctx, cfg.config(stdout))
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, "migrations applied")
		return a.Close()
	case "import":
		return importFile(ctx, rest, stdout)
	case "user":
		return user(ctx, rest, stdin, stdout)
	case "token":
		return token(ctx, rest, stdout)
	case "bench":
		return bench.Main(ctx, rest, stdout)
	case "-h", "--help", "help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	fmt.Fprintln(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

type common struct {
	db, dataDir, baseURL, logLevel string
}

func (c *common) config(logTo io.Writer) app.Config {
	level := slog.LevelInfo
	if strings.EqualFold(c.logLevel, "debug") {
		level = slog.LevelDebug
	} else if strings.EqualFold(c.logLevel, "warn") {
		level = slog.LevelWarn
	}
	return app.Config{Database: c.db, DataDir: c.dataDir, BaseURL: strings.TrimRight(c.baseURL, "/"),
		Log: slog.New(slog.NewJSONHandler(logTo, &slog.HandlerOptions{Level: level}))}
}

// commonFlags declares the flags every command shares, defaulting from VARD_* variables.
func commonFlags(name string) (*flag.FlagSet, *common) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	c := &common{}
	fs.StringVar(&c.db, "db", env("VARD_DB", "data/vard.db"), "SQLite file, or postgres:// URL (VARD_DB)")
	fs.StringVar(&c.dataDir, "data-dir", env("VARD_DATA_DIR", "data"), "directory for uploaded files such as story images (VARD_DATA_DIR)")
	fs.StringVar(&c.baseURL, "base-url", env("VARD_BASE_URL", "http://127.0.0.1:8080"), "the address people reach the server at (VARD_BASE_URL)")
	fs.StringVar(&c.logLevel, "log-level", env("VARD_LOG_LEVEL", "info"), "debug, info or warn (VARD_LOG_LEVEL)")
	return fs, c
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		return err
	}
	return nil
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

func serve(ctx context.Context, withDemo bool, args []string, stdout io.Writer) error {
	name := "serve"
	if withDemo {
		name = "demo"
	}
	fs, c := commonFlags(name)
	addr := fs.String("addr", env("VARD_ADDR", "127.0.0.1:8080"), "address to listen on (VARD_ADDR)")
	smtp := smtpFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if withDemo && c.db == "data/vard.db" && os.Getenv("VARD_DB") == "" {
		c.db = "data/demo.db"
	}
	cfg := c.config(stdout)
	cfg.Workers = true
	if smtp.Host != "" {
		port, err := strconv.Atoi(smtp.port)
		if err != nil {
			return fmt.Errorf("--smtp-port: %q is not a number", smtp.port)
		}
		smtp.Port, smtp.TLS = port, mail.TLSMode(smtp.tls)
		cfg.SMTP = &smtp.SMTPConfig
	} else if withDemo {
		// The demo sends nothing: its mails are written to the log, links and all, to be tried out.
		cfg.Mail = logMail{cfg.Log}
	}
	a, err := app.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	if withDemo {
		start := time.Now()
		if _, err := demo.Generate(ctx, a.DB, a.Org, a.Auth, demo.Options{Slug: "exempelby", Name: "Exempelby kommun", Seed: 1}); err != nil {
			return fmt.Errorf("demo kommun: %w", err)
		}
		a.Log.Info("demo kommun ready", "slug", "exempelby", "took", time.Since(start).Round(time.Millisecond),
			"accounts", "admin@exempelby.example, chef@exempelby.example, medarbetare@exempelby.example", "password", demo.Password)
	}
	a.Start()
	srv := &http.Server{Addr: *addr, Handler: a.Handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute,
		WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	a.Log.Info("listening", "addr", "http://"+*addr, "db", dbKind(c.db))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

type smtpSettings struct {
	mail.SMTPConfig
	port, tls string
}

// smtpFlags declares the flags of the outgoing mail server. Without --smtp-host, mail stays queued.
func smtpFlags(fs *flag.FlagSet) *smtpSettings {
	s := &smtpSettings{}
	fs.StringVar(&s.Host, "smtp-host", env("VARD_SMTP_HOST", ""), "SMTP server for outgoing mail; without it mail stays queued (VARD_SMTP_HOST)")
	fs.StringVar(&s.port, "smtp-port", env("VARD_SMTP_PORT", "587"), "SMTP port (VARD_SMTP_PORT)")
	fs.StringVar(&s.Username, "smtp-user", env("VARD_SMTP_USER", ""), "SMTP user name; empty for no authentication (VARD_SMTP_USER)")
	fs.StringVar(&s.Password, "smtp-password", env("VARD_SMTP_PASSWORD", ""), "SMTP password (VARD_SMTP_PASSWORD)")
	fs.StringVar(&s.tls, "smtp-tls", env("VARD_SMTP_TLS", "starttls"), "starttls, tls (implicit, port 465) or none (VARD_SMTP_TLS)")
	fs.StringVar(&s.From, "mail-from", env("VARD_MAIL_FROM", ""), "sender address of outgoing mail (VARD_MAIL_FROM)")
	fs.StringVar(&s.FromName, "mail-from-name", env("VARD_MAIL_FROM_NAME", "Värd"), "sender name of outgoing mail (VARD_MAIL_FROM_NAME)")
	return s
}

// logMail "sends" mail by writing it to the log, for the demo.
type logMail struct{ log *slog.Logger }

func (l logMail) Send(ctx context.Context, m mail.Message) error {
	l.log.InfoContext(ctx, "mail (demo: written to the log, not sent)", "to", m.To, "subject", m.Subject, "text", m.Text)
	return nil
}

func dbKind(dsn string) string {
	if strings.HasPrefix(dsn, "postgres") {
		return "postgresql"
	}
	return dsn
}
