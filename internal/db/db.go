// Package db opens Värd's database (SQLite by default, PostgreSQL given a postgres:// URL), applies the
// embedded migrations and hides the few places where the two dialects differ.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Dialect names the SQL dialect of an open database.
type Dialect string

// The two supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open database. Reads go through Read; every write goes through Tx (or Exec), which on SQLite
// uses a pool of one connection so that bursts of writes queue instead of failing with "database is locked".
type DB struct {
	Dialect Dialect
	read    *sql.DB
	write   *sql.DB
	stmts   sync.Map // query → *sql.Stmt on read, see ReadStmt
}

// ErrNotFound is returned by stores when a row does not exist (or belongs to another kommun).
var ErrNotFound = errors.New("not found")

// Open opens the database named by dsn: a postgres:// or postgresql:// URL, or a path to an SQLite file
// (created with its directory when missing). It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		pool, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		pool.SetMaxOpenConns(20)
		// As many idle as open: under a rush (a door queue, a survey deadline) a connection handed back
		// and opened again costs a TCP and authentication round trip per request.
		pool.SetMaxIdleConns(20)
		pool.SetConnMaxIdleTime(5 * time.Minute)
		d := &DB{Dialect: Postgres, read: pool, write: pool}
		if err := d.Ping(ctx); err != nil {
			pool.Close()
			return nil, err
		}
		return d, nil
	}
	path := strings.TrimPrefix(dsn, "sqlite://")
	path = strings.TrimPrefix(path, "file:")
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create database directory: %w", err)
		}
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Set("_time_format", "sqlite")
	read, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	read.SetMaxOpenConns(8)
	// Keep every reader open: opening an SQLite connection reads and parses the whole schema again.
	read.SetMaxIdleConns(8)
	q.Set("_txlock", "immediate")
	write, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		read.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	d := &DB{Dialect: SQLite, read: read, write: write}
	if err := d.Ping(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// Ping reports whether the database answers.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.write.PingContext(ctx); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	return nil
}

// ReadStmt returns the query prepared once on the read pool, for the few queries that every request
// runs (the session's viewer): SQLite parses a query each time it is run unprepared, which for a join
// costs more than running it. database/sql prepares it again on each connection as needed.
func (d *DB) ReadStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := d.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := d.read.PrepareContext(context.WithoutCancel(ctx), query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := d.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// Close closes the prepared statements and both pools.
func (d *DB) Close() error {
	d.stmts.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
	err := d.write.Close()
	if d.read != d.write {
		err = errors.Join(err, d.read.Close())
	}
	return err
}

// Querier is what both *sql.DB and *sql.Tx offer; stores take it so the same query runs in or out of a
// transaction.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Read returns the pool for queries that do not write.
func (d *DB) Read() Querier { return d.read }

// Tx runs fn in one transaction on the write pool, committing when fn returns nil and rolling back
// otherwise (also when fn panics).
func (d *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := d.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Exec runs one writing statement outside an explicit transaction.
func (d *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return d.write.ExecContext(ctx, query, args...)
}

// Writer returns the write pool, for statements that must see the newest committed data (on SQLite
// the read pool may lag by nothing, but using one connection keeps a read-modify-write honest).
func (d *DB) Writer() Querier { return d.write }

// SkipLocked is the row-locking suffix for claiming queued work: "FOR UPDATE SKIP LOCKED" on PostgreSQL,
// where several servers claim jobs at once, and nothing on SQLite, where the single writer already
// serialises claims.
func (d *DB) SkipLocked() string {
	if d.Dialect == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// IsUniqueViolation reports whether err comes from a unique constraint, in either dialect.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505")
}

// Now is the current time as stored: UTC, to the microsecond, which both dialects keep exactly.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// Row is what a scan function reads from: a *sql.Row or the current row of *sql.Rows.
type Row = interface{ Scan(dest ...any) error }

// Collect reads every row of a query through scan and closes the rows. It takes the query's own
// results, so a store writes `rows, err := q.QueryContext(...); return db.Collect(rows, err, scanUnit)`.
func Collect[T any](rows *sql.Rows, err error, scan func(Row) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
	}
	return list, rows.Err()
}
