// Package dbtest gives tests a fresh, migrated database: SQLite in a temporary directory, or, when
// VARD_TEST_POSTGRES holds a URL, a new schema in that PostgreSQL database.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/vard-kommun/vard/internal/db"
)

// PostgresURL is the throwaway PostgreSQL the test script starts, or "".
func PostgresURL() string { return os.Getenv("VARD_TEST_POSTGRES") }

// DSN returns a connection string for a fresh, empty database: a new SQLite file, or a new PostgreSQL
// schema that is dropped when the test ends.
func DSN(t testing.TB) string {
	t.Helper()
	base := PostgresURL()
	if base == "" {
		return filepath.Join(t.TempDir(), "vard.db")
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("VARD_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open returns a fresh, migrated database that is closed when the test ends.
func Open(t testing.TB) *db.DB {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, DSN(t))
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return d
}
