package db

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// SecretKey returns the installation's 32-byte secret key of the name, kept in the settings table and
// made on first use. The first server to store it wins; every server then reads the same, so a link
// derived from it on one server is valid on all. q is the writer or a transaction.
func SecretKey(ctx context.Context, q Querier, name string) ([]byte, error) {
	b := make([]byte, 32)
	rand.Read(b)
	if _, err := q.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`,
		name, hex.EncodeToString(b)); err != nil {
		return nil, fmt.Errorf("secret key %s: %w", name, err)
	}
	var v string
	if err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, name).Scan(&v); err != nil {
		return nil, fmt.Errorf("secret key %s: %w", name, err)
	}
	return hex.DecodeString(v)
}
