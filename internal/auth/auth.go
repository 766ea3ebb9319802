// Package auth signs people in and out (local passwords with argon2id, OIDC per kommun), keeps sessions
// in the database so that any server instance accepts them, limits sign-in attempts, and issues the
// per-kommun API tokens.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/web"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "vard_session"

// Service is sign-in, sessions and API tokens.
type Service struct {
	DB  *db.DB
	Log *slog.Logger
	// SecureCookies marks cookies Secure; on whenever the site is served over HTTPS.
	SecureCookies bool
	// SessionTTL is how long a session lasts.
	SessionTTL time.Duration
	// Now is the clock; tests replace it.
	Now func() time.Time
	// Brief chooses the requests that may use a session's viewer read up to BriefAge ago instead of
	// reading it again: the scans of a door in a rush, where that read would be half the work. A
	// sign-out on this server takes effect at once; a sign-out or deactivation on another server, within
	// BriefAge. Nil: none.
	Brief func(r *http.Request) bool

	brief briefCache
}

// NewService returns a Service with sensible defaults.
func NewService(d *db.DB, log *slog.Logger, secureCookies bool) *Service {
	return &Service{DB: d, Log: log, SecureCookies: secureCookies, SessionTTL: 12 * time.Hour, Now: db.Now}
}

// Sign-in errors shown to the person.
var (
	ErrBadCredentials  = errors.New("Fel e-postadress eller lösenord.")
	ErrTooManyAttempts = errors.New("För många misslyckade inloggningsförsök. Vänta en kvart och försök igen.")
)

// Limits on failed sign-ins within the window, per e-mail address and per client address.
const (
	attemptWindow = 15 * time.Minute
	maxPerEmail   = 5
	maxPerRemote  = 30
)

// Token returns a new random token: 32 bytes, URL-safe.
func Token() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken is what is stored for a token: its SHA-256, so a leaked database yields no usable token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// SignIn checks an e-mail address and password against people of every kommun and against platform
// operators, and returns a new session token.
func (s *Service) SignIn(ctx context.Context, email, password, remote string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	now := s.Now()
	since := now.Add(-attemptWindow)
	var byEmail, byRemote int
	q := s.DB.Read()
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM login_attempts WHERE key = $1 AND at > $2`, "email:"+email, since).Scan(&byEmail); err != nil {
		return "", err
	}
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM login_attempts WHERE key = $1 AND at > $2`, "remote:"+remote, since).Scan(&byRemote); err != nil {
		return "", err
	}
	if byEmail >= maxPerEmail || byRemote >= maxPerRemote {
		return "", ErrTooManyAttempts
	}
	type account struct {
		person, operator int64
		hash             string
	}
	var accounts []account
	rows, err := q.QueryContext(ctx, `SELECT p.id, p.password_hash FROM people p WHERE p.email = $1 AND p.active AND p.password_hash <> '' ORDER BY p.id`, email)
	if err != nil {
		return "", err
	}
	for rows.Next() {
		var a account
		if err := rows.Scan(&a.person, &a.hash); err != nil {
			rows.Close()
			return "", err
		}
		accounts = append(accounts, a)
	}
	rows.Close()
	var op account
	switch err := q.QueryRowContext(ctx, `SELECT id, password_hash FROM operators WHERE email = $1`, email).Scan(&op.operator, &op.hash); {
	case err == nil:
		accounts = append(accounts, op)
	case !errors.Is(err, sql.ErrNoRows):
		return "", err
	}
	if len(accounts) == 0 {
		VerifyPassword(dummyHash, password)
	}
	for _, a := range accounts {
		if VerifyPassword(a.hash, password) {
			_, _ = s.DB.Exec(ctx, `DELETE FROM login_attempts WHERE key = $1`, "email:"+email)
			return s.NewSession(ctx, a.person, a.operator)
		}
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, key := range []string{"email:" + email, "remote:" + remote} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO login_attempts (key, at) VALUES ($1, $2)`, key, now); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM login_attempts WHERE at < $1`, now.Add(-24*time.Hour))
		return err
	})
	if err != nil {
		return "", err
	}
	return "", ErrBadCredentials
}

// NewSession stores a session for a person or an operator and returns its token.
func (s *Service) NewSession(ctx context.Context, personID, operatorID int64) (string, error) {
	token := Token()
	now := s.Now()
	var person, operator any
	if personID != 0 {
		person = personID
	}
	if operatorID != 0 {
		operator = operatorID
	}
	_, err := s.DB.Exec(ctx, `INSERT INTO sessions (token_hash, person_id, operator_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		HashToken(token), person, operator, now, now.Add(s.SessionTTL))
	if err != nil {
		return "", fmt.Errorf("new session: %w", err)
	}
	return token, nil
}

// SignOut ends the session.
func (s *Service) SignOut(ctx context.Context, token string) error {
	s.brief.forget(token)
	_, err := s.DB.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, HashToken(token))
	return err
}

// viewerQuery reads a session with its operator or (active) person, their kommun and roles, a row per role.
const viewerQuery = `SELECT s.operator_id, o.email, p.id, p.tenant_id, t.slug, t.name,
			p.given_name || ' ' || p.family_name, p.email, r.role
		FROM sessions s
		LEFT JOIN operators o ON o.id = s.operator_id
		LEFT JOIN people p ON p.id = s.person_id AND p.active
		LEFT JOIN tenants t ON t.id = p.tenant_id
		LEFT JOIN person_roles r ON r.person_id = p.id
		WHERE s.token_hash = $1 AND s.expires_at > $2
		ORDER BY r.role`

// Viewer returns who holds the session token, or nil when it is unknown or expired.
func (s *Service) Viewer(ctx context.Context, token string) (*web.Viewer, error) {
	// One prepared query, since every signed-in request pays for it.
	st, err := s.DB.ReadStmt(ctx, viewerQuery)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, HashToken(token), s.Now())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var v *web.Viewer
	for rows.Next() {
		var operatorID, personID, tenantID sql.NullInt64
		var operatorEmail, slug, tenantName, name, email, role sql.NullString
		if err := rows.Scan(&operatorID, &operatorEmail, &personID, &tenantID, &slug, &tenantName, &name, &email, &role); err != nil {
			return nil, err
		}
		switch {
		case operatorID.Valid:
			if !operatorEmail.Valid {
				return nil, fmt.Errorf("session of operator %d without the operator", operatorID.Int64)
			}
			return &web.Viewer{OperatorID: operatorID.Int64, Email: operatorEmail.String, Name: operatorEmail.String}, rows.Close()
		case !personID.Valid:
			return nil, rows.Close() // the person was deactivated: the session no longer signs anyone in
		}
		if v == nil {
			v = &web.Viewer{PersonID: personID.Int64, TenantID: tenantID.Int64, TenantSlug: slug.String,
				TenantName: tenantName.String, Name: name.String, Email: email.String}
		}
		if role.Valid {
			v.Roles = append(v.Roles, role.String)
		}
	}
	return v, rows.Err()
}

// tokenViewer returns the kommun an API token belongs to, or nil for an unknown or revoked token.
func (s *Service) tokenViewer(ctx context.Context, token string) (*web.Viewer, error) {
	v := &web.Viewer{}
	var lastUsed sql.NullTime
	err := s.DB.Read().QueryRowContext(ctx, `SELECT a.id, a.tenant_id, t.slug, t.name, a.name, a.last_used_at FROM api_tokens a
		JOIN tenants t ON t.id = a.tenant_id WHERE a.token_hash = $1 AND a.revoked_at IS NULL`, HashToken(token)).
		Scan(&v.TokenID, &v.TenantID, &v.TenantSlug, &v.TenantName, &v.Name, &lastUsed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	// Record use at most once a minute: an API client polling in a loop must not turn every read into a write.
	now := s.Now()
	if !lastUsed.Valid || now.Sub(lastUsed.Time) > time.Minute {
		_, _ = s.DB.Exec(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, now, v.TokenID)
	}
	return v, nil
}

// Middleware puts the viewer of the session cookie, or of an API bearer token, in the request context.
func (s *Service) Middleware(fail func(http.ResponseWriter, *http.Request, error)) web.Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var v *web.Viewer
			var err error
			if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
				v, err = s.tokenViewer(r.Context(), strings.TrimPrefix(h, "Bearer "))
				if err == nil && v == nil {
					web.WriteProblem(w, http.StatusUnauthorized, "API-nyckeln är ogiltig eller återkallad.", nil)
					return
				}
			} else if c, cerr := r.Cookie(SessionCookie); cerr == nil && c.Value != "" {
				if s.isBrief(r) {
					v, err = s.briefViewer(r.Context(), c.Value)
				} else {
					v, err = s.Viewer(r.Context(), c.Value)
				}
			}
			if err != nil {
				fail(w, r, err)
				return
			}
			if v != nil {
				r = r.WithContext(web.WithViewer(r.Context(), v))
			}
			next.ServeHTTP(w, r)
		})
	}
}

// SetSessionCookie gives the browser the session token.
func (s *Service) SetSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: s.SecureCookies,
		SameSite: http.SameSiteLaxMode, MaxAge: int(s.SessionTTL.Seconds())})
}

// ClearSessionCookie removes the session cookie.
func (s *Service) ClearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Path: "/", HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// SetPassword sets a person's password.
func (s *Service) SetPassword(ctx context.Context, personID int64, password string) error {
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	_, err = s.DB.Exec(ctx, `UPDATE people SET password_hash = $1 WHERE id = $2`, hash, personID)
	return err
}

// SetDemoPassword sets a password without the length rule. Only the demo kommun uses it, so that its
// accounts share the short, documented password "vard-demo"; nothing outside demo mode calls it.
func (s *Service) SetDemoPassword(ctx context.Context, personID int64, password string) error {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return err
	}
	_, err := s.DB.Exec(ctx, `UPDATE people SET password_hash = $1 WHERE id = $2`, hashWithSalt(password, salt), personID)
	return err
}

// CreateOperator creates a platform operator, or sets the password of an existing one.
func (s *Service) CreateOperator(ctx context.Context, email, password string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	if !strings.Contains(email, "@") {
		return errors.New("Ange en giltig e-postadress.")
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	_, err = s.DB.Exec(ctx, `INSERT INTO operators (email, password_hash, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (email) DO UPDATE SET password_hash = excluded.password_hash`, email, hash, s.Now())
	return err
}

// RemoteAddr is the client's address without the port, for rate limiting.
func RemoteAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
