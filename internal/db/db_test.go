package db_test

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/db/dbtest"
)

func TestMigrateTwiceChangesNothing(t *testing.T) {
	d := dbtest.Open(t)
	if err := d.Migrate(context.Background()); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	var n int
	if err := d.Read().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	list, _ := db.Migrations(d.Dialect)
	if n != len(list) {
		t.Errorf("got %d applied migrations, want %d", n, len(list))
	}
}

func TestTxRollsBackOnError(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	boom := errors.New("boom")
	err := d.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)`, "k", "v"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want boom", err)
	}
	var n int
	d.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM settings`).Scan(&n)
	if n != 0 {
		t.Errorf("got %d settings after rollback, want 0", n)
	}
}

// TestDialectsDeclareSameTables keeps the two migration sets from drifting: every table and column
// created for SQLite must be created for PostgreSQL too.
func TestDialectsDeclareSameTables(t *testing.T) {
	sqlite, _ := db.Migrations(db.SQLite)
	pg, _ := db.Migrations(db.Postgres)
	if len(sqlite) != len(pg) {
		t.Fatalf("got %d sqlite migrations and %d postgres migrations, want the same", len(sqlite), len(pg))
	}
	for i := range sqlite {
		a, b := columns(sqlite[i].SQL), columns(pg[i].SQL)
		if strings.Join(a, ",") != strings.Join(b, ",") {
			t.Errorf("migration %s: sqlite declares %v\npostgres declares %v", sqlite[i].Name, a, b)
		}
		if sqlite[i].Name != pg[i].Name {
			t.Errorf("migration names differ: %s vs %s", sqlite[i].Name, pg[i].Name)
		}
	}
}

var (
	createTable = regexp.MustCompile(`(?i)CREATE TABLE (?:IF NOT EXISTS )?(\w+)`)
	alterAdd    = regexp.MustCompile(`(?i)ALTER TABLE (\w+) ADD COLUMN (\w+)`)
	columnLine  = regexp.MustCompile(`^\s+([a-z_]+)\s+[A-Z]`)
)

func columns(script string) []string {
	var out []string
	table := ""
	for _, line := range strings.Split(script, "\n") {
		if m := createTable.FindStringSubmatch(line); m != nil {
			table = m[1]
			out = append(out, table)
			continue
		}
		if m := alterAdd.FindStringSubmatch(line); m != nil {
			out = append(out, m[1]+"."+m[2])
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(line), ");") {
			table = ""
		}
		if m := columnLine.FindStringSubmatch(line); m != nil && table != "" && m[1] != "primary" {
			out = append(out, table+"."+m[1])
		}
	}
	sort.Strings(out)
	return out
}

func TestCollect(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	for _, k := range []string{"a", "b", "c"} {
		if _, err := d.Exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $1)`, k); err != nil {
			t.Fatal(err)
		}
	}
	scan := func(r db.Row) (string, error) {
		var k string
		return k, r.Scan(&k)
	}
	rows, err := d.Read().QueryContext(ctx, `SELECT key FROM settings ORDER BY key`)
	got, err := db.Collect(rows, err, scan)
	if err != nil || strings.Join(got, "") != "abc" {
		t.Errorf("got %v, %v; want a b c", got, err)
	}
	rows, err = d.Read().QueryContext(ctx, `SELECT nope FROM settings`)
	if _, err := db.Collect(rows, err, scan); err == nil {
		t.Error("a failing query gave no error")
	}
}
