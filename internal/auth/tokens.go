package auth

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vard-kommun/vard/internal/db"
)

// APIToken is a kommun's API token as listed; the token itself is shown only once, when created.
type APIToken struct {
	ID         int64
	Name       string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// TokenPrefix starts every API token, so that a leaked one is recognisable by secret scanners.
const TokenPrefix = "vard_"

// ErrTokenName is returned for an empty or overlong token name.
var ErrTokenName = errors.New("Ge nyckeln ett namn på högst 100 tecken, till exempel vad den används till.")

// CreateToken creates an API token for a kommun and returns it in plain text (stored only as a hash).
func (s *Service) CreateToken(ctx context.Context, tenantID int64, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return "", ErrTokenName
	}
	token := TokenPrefix + Token()
	_, err := s.DB.Exec(ctx, `INSERT INTO api_tokens (tenant_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4)`,
		tenantID, name, HashToken(token), s.Now())
	return token, err
}

// Tokens lists a kommun's API tokens, newest first.
func (s *Service) Tokens(ctx context.Context, tenantID int64) ([]APIToken, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE tenant_id = $1 ORDER BY id DESC`, tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []APIToken
	for rows.Next() {
		var t APIToken
		var used, revoked sql.NullTime
		if err := rows.Scan(&t.ID, &t.Name, &t.CreatedAt, &used, &revoked); err != nil {
			return nil, err
		}
		if used.Valid {
			t.LastUsedAt = &used.Time
		}
		if revoked.Valid {
			t.RevokedAt = &revoked.Time
		}
		list = append(list, t)
	}
	return list, rows.Err()
}

// RevokeToken revokes one of a kommun's tokens; a token of another kommun is not found.
func (s *Service) RevokeToken(ctx context.Context, tenantID, id int64) error {
	res, err := s.DB.Exec(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND tenant_id = $3 AND revoked_at IS NULL`, s.Now(), id, tenantID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.ErrNotFound
	}
	return nil
}
