package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/vard-kommun/vard/internal/app"
	"github.com/vard-kommun/vard/internal/org"
)

// openApp opens the database and builds the app without serving, for the administration commands.
func openApp(ctx context.Context, c *common) (*app.App, error) {
	return app.New(ctx, c.config(io.Discard))
}

func importFile(ctx context.Context, args []string, stdout io.Writer) error {
	fs, c := commonFlags("import")
	slug := fs.String("kommun", env("VARD_KOMMUN", ""), "the kommun's short name, e.g. exempelby")
	apply := fs.Bool("apply", false, "apply the changes (without it, only the preview is printed)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *slug == "" || fs.NArg() != 1 {
		return errors.New("usage: vard import --kommun SLUG [--apply] FILE")
	}
	a, err := openApp(ctx, c)
	if err != nil {
		return err
	}
	defer a.Close()
	t, err := a.Org.Store.TenantBySlug(ctx, *slug)
	if err != nil {
		return fmt.Errorf("kommun %q: %w", *slug, err)
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	res, err := a.Imports.ImportFile(ctx, t.ID, f, filepath.Base(fs.Arg(0)), *apply, func(done, total int) {
		if total > 0 {
			fmt.Fprintf(os.Stderr, "\r%3d %%", min(100, done*100/total))
		}
	})
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return err
	}
	printImport(stdout, res)
	if res.ErrorCount > 0 {
		return fmt.Errorf("%d rader har fel; inget är ändrat", res.ErrorCount)
	}
	return nil
}

func printImport(w io.Writer, r *org.ImportResult) {
	fmt.Fprintf(w, "%s: %d rader (%s, %s)\n", r.Filename, r.Rows, r.Format, r.Encoding)
	for _, line := range []struct {
		label string
		n     int
	}{
		{"nya personer", r.Created}, {"ändrade", r.Changed}, {"flyttade", r.Moved}, {"återaktiverade", r.Reactivated},
		{"avaktiverade", r.Deactivated}, {"oförändrade", r.Unchanged}, {"nya enheter", r.UnitsCreated},
		{"öppnade enheter", r.UnitsReopened}, {"rader med fel", r.ErrorCount},
	} {
		fmt.Fprintf(w, "  %-16s %6d\n", line.label, line.n)
	}
	for _, e := range r.Errors {
		fmt.Fprintf(w, "  rad %d: %s\n", e.Line, e.Message)
	}
	switch {
	case r.Applied:
		fmt.Fprintln(w, "Importen är genomförd.")
	case r.ErrorCount == 0 && r.HasChanges():
		fmt.Fprintln(w, "Förhandsgranskning. Kör igen med --apply för att genomföra importen.")
	}
}

func user(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "create" && args[0] != "password") {
		return errors.New("usage: vard user create --operator --email E [--password P] | vard user password --kommun SLUG --email E [--password P]")
	}
	fs, c := commonFlags("user " + args[0])
	operator := fs.Bool("operator", false, "create a platform operator")
	slug := fs.String("kommun", "", "the kommun of the person whose password is set")
	email := fs.String("email", "", "e-mail address")
	password := fs.String("password", env("VARD_PASSWORD", ""), "password (VARD_PASSWORD; read from standard input when empty)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *email == "" {
		return errors.New("--email is required")
	}
	if *password == "" {
		fmt.Fprint(os.Stderr, "Lösenord: ")
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return errors.New("no password given")
		}
		*password = strings.TrimRight(line, "\r\n")
	}
	a, err := openApp(ctx, c)
	if err != nil {
		return err
	}
	defer a.Close()
	if *operator {
		if err := a.Auth.CreateOperator(ctx, *email, *password); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "platform operator %s can sign in\n", *email)
		return nil
	}
	if *slug == "" {
		return errors.New("give --operator, or --kommun SLUG for a person of a kommun")
	}
	t, err := a.Org.Store.TenantBySlug(ctx, *slug)
	if err != nil {
		return fmt.Errorf("kommun %q: %w", *slug, err)
	}
	id, err := a.Org.ActivePersonByEmail(ctx, t.ID, *email)
	if err != nil {
		return fmt.Errorf("no active person with e-mail %s in %s", *email, t.Name)
	}
	if err := a.Auth.SetPassword(ctx, id, *password); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "password set for %s in %s\n", *email, t.Name)
	return nil
}

func token(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: vard token create --kommun SLUG [--name NAME]")
	}
	fs, c := commonFlags("token create")
	slug := fs.String("kommun", "", "the kommun's short name")
	name := fs.String("name", "Skapad från kommandoraden", "what the token is for")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	a, err := openApp(ctx, c)
	if err != nil {
		return err
	}
	defer a.Close()
	t, err := a.Org.Store.TenantBySlug(ctx, *slug)
	if err != nil {
		return fmt.Errorf("kommun %q: %w", *slug, err)
	}
	tok, err := a.Auth.CreateToken(ctx, t.ID, *name)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return nil
}
