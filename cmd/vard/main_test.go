package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vard-kommun/vard/internal/app"
)

func vard(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return out.String() + errOut.String(), err
}

func TestCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "vard.db")
	if out, err := vard(t, "", "help"); err != nil || !strings.Contains(out, "vard import") {
		t.Fatalf("help: %v\n%s", err, out)
	}
	if _, err := vard(t, "", "nonsense"); err == nil {
		t.Error("an unknown command succeeded")
	}
	if out, err := vard(t, "", "migrate", "--db", db); err != nil || !strings.Contains(out, "migrations applied") {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	if out, err := vard(t, "ett långt lösenord\n", "user", "create", "--operator", "--email", "drift@example.se", "--db", db); err != nil {
		t.Fatalf("user create (password on stdin): %v\n%s", err, out)
	}
	if _, err := vard(t, "", "user", "create", "--operator", "--email", "x@example.se", "--password", "kort", "--db", db); err == nil {
		t.Error("a too short operator password was accepted")
	}
	if _, err := vard(t, "", "token", "create", "--kommun", "finns-inte", "--db", db); err == nil {
		t.Error("a token for an unknown kommun was created")
	}
	csv := filepath.Join(dir, "personal.csv")
	os.WriteFile(csv, []byte("Anst.nr;Förnamn;Efternamn;Förvaltning\n1;Åsa;Öberg;Soc\n"), 0o600)
	if _, err := vard(t, "", "import", "--db", db, csv); err == nil {
		t.Error("import without --kommun succeeded")
	}
}

func TestTokenAndImportCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "vard.db")
	a, err := app.New(context.Background(), app.Config{Database: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Org.CreateTenant(context.Background(), "exempelby", "Exempelby kommun", nil); err != nil {
		t.Fatal(err)
	}
	a.Close()

	out, err := vard(t, "", "token", "create", "--kommun", "exempelby", "--db", db)
	if err != nil || !strings.HasPrefix(out, "vard_") {
		t.Fatalf("token create: %v\n%s", err, out)
	}
	csv := filepath.Join(dir, "personal.csv")
	os.WriteFile(csv, []byte("Anst.nr;Förnamn;Efternamn;Förvaltning;Enhet\n1;Åsa;Öberg;Soc;Hemtjänst\n2;Zeta;Berg;Soc;Hemtjänst\n"), 0o600)
	out, err = vard(t, "", "import", "--kommun", "exempelby", "--db", db, csv)
	if err != nil || !strings.Contains(out, "Förhandsgranskning") {
		t.Fatalf("import preview: %v\n%s", err, out)
	}
	out, err = vard(t, "", "import", "--kommun", "exempelby", "--apply", "--db", db, csv)
	if err != nil || !strings.Contains(out, "Importen är genomförd.") {
		t.Fatalf("import --apply: %v\n%s", err, out)
	}
	out, err = vard(t, "", "import", "--kommun", "exempelby", "--apply", "--db", db, csv)
	if err != nil || !strings.Contains(out, "oförändrade           2") {
		t.Fatalf("re-import: %v, want 2 unchanged\n%s", err, out)
	}
}
