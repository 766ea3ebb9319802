package auth_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/auth"
	"github.com/vard-kommun/vard/internal/db/dbtest"
	"github.com/vard-kommun/vard/internal/org"
)

func TestPasswordHash(t *testing.T) {
	hash, err := auth.HashPassword("rätt häst batteri")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		password string
		want     bool
	}{{"rätt häst batteri", true}, {"fel häst batteri", false}, {"", false}} {
		if got := auth.VerifyPassword(hash, tt.password); got != tt.want {
			t.Errorf("verify %q: got %v, want %v", tt.password, got, tt.want)
		}
	}
	if _, err := auth.HashPassword("kort"); !errors.Is(err, auth.ErrWeakPassword) {
		t.Errorf("short password: got %v, want ErrWeakPassword", err)
	}
	for _, bad := range []string{"", "$argon2id$", "$argon2id$v=19$m=1,t=1,p=1$!!$!!", "plain"} {
		if auth.VerifyPassword(bad, "x") {
			t.Errorf("a malformed hash %q verified", bad)
		}
	}
}

type env struct {
	auth   *auth.Service
	org    *org.Service
	tenant *org.Tenant
	anna   *org.Person
}

func newEnv(t *testing.T) *env {
	t.Helper()
	d := dbtest.Open(t)
	e := &env{auth: auth.NewService(d, slog.New(slog.NewTextHandler(io.Discard, nil)), false), org: org.NewService(org.NewStore(d))}
	e.anna = &org.Person{GivenName: "Anna", FamilyName: "Admin", Email: "Anna@Exempelby.example"}
	var err error
	if e.tenant, err = e.org.CreateTenant(context.Background(), "exempelby", "Exempelby kommun", e.anna); err != nil {
		t.Fatal(err)
	}
	if err := e.auth.SetPassword(context.Background(), e.anna.ID, "ett riktigt lösenord"); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestSignIn(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	token, err := e.auth.SignIn(ctx, " ANNA@exempelby.example ", "ett riktigt lösenord", "10.0.0.1")
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	v, err := e.auth.Viewer(ctx, token)
	if err != nil || v == nil {
		t.Fatalf("viewer: %v %v", v, err)
	}
	if v.PersonID != e.anna.ID || v.TenantSlug != "exempelby" || !v.IsAdmin() {
		t.Errorf("got viewer %+v, want Anna, kommunadmin of exempelby", v)
	}
	if _, err := e.auth.SignIn(ctx, "anna@exempelby.example", "fel", "10.0.0.1"); !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("wrong password: got %v, want ErrBadCredentials", err)
	}
	if _, err := e.auth.SignIn(ctx, "ingen@exempelby.example", "ett riktigt lösenord", "10.0.0.1"); !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("unknown e-mail: got %v, want ErrBadCredentials", err)
	}
	if err := e.auth.SignOut(ctx, token); err != nil {
		t.Fatal(err)
	}
	if v, _ := e.auth.Viewer(ctx, token); v != nil {
		t.Errorf("after sign-out the session still gives %+v", v)
	}
}

func TestSessionsExpireAndEndOnDeactivation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	token, err := e.auth.NewSession(ctx, e.anna.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	realNow := e.auth.Now
	e.auth.Now = func() time.Time { return realNow().Add(13 * time.Hour) }
	if v, _ := e.auth.Viewer(ctx, token); v != nil {
		t.Error("a 13-hour-old session is still valid, want expired")
	}
	e.auth.Now = realNow
	if v, _ := e.auth.Viewer(ctx, token); v == nil {
		t.Fatal("a fresh session is not valid")
	}
	if err := e.org.SetActive(ctx, e.tenant.ID, e.anna.ID, false); err != nil {
		t.Fatal(err)
	}
	if v, _ := e.auth.Viewer(ctx, token); v != nil {
		t.Error("a deactivated person is still signed in")
	}
	if _, err := e.auth.SignIn(ctx, "anna@exempelby.example", "ett riktigt lösenord", "10.0.0.2"); !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("deactivated person signing in: got %v, want refused", err)
	}
}

func TestSignInIsRateLimited(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		if _, err := e.auth.SignIn(ctx, "anna@exempelby.example", "gissning", "10.0.0.3"); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("attempt %d: got %v", i+1, err)
		}
	}
	// Even the right password is refused now: the guesser must not learn that it was right.
	if _, err := e.auth.SignIn(ctx, "anna@exempelby.example", "ett riktigt lösenord", "10.0.0.3"); !errors.Is(err, auth.ErrTooManyAttempts) {
		t.Errorf("sixth attempt: got %v, want ErrTooManyAttempts", err)
	}
	realNow := e.auth.Now
	e.auth.Now = func() time.Time { return realNow().Add(16 * time.Minute) }
	if _, err := e.auth.SignIn(ctx, "anna@exempelby.example", "ett riktigt lösenord", "10.0.0.3"); err != nil {
		t.Errorf("after the window: got %v, want signed in", err)
	}
}

func TestAPITokens(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	token, err := e.auth.CreateToken(ctx, e.tenant.ID, "Intranätet")
	if err != nil {
		t.Fatal(err)
	}
	if len(token) < 40 || token[:5] != auth.TokenPrefix {
		t.Errorf("got token %q, want a long token starting with %s", token, auth.TokenPrefix)
	}
	list, err := e.auth.Tokens(ctx, e.tenant.ID)
	if err != nil || len(list) != 1 || list[0].Name != "Intranätet" {
		t.Fatalf("got %v %v, want one token named Intranätet", list, err)
	}
	other, err := e.org.CreateTenant(ctx, "grannby", "Grannby kommun", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.auth.RevokeToken(ctx, other.ID, list[0].ID); err == nil {
		t.Error("another kommun revoked this kommun's token")
	}
	if err := e.auth.RevokeToken(ctx, e.tenant.ID, list[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.auth.CreateToken(ctx, e.tenant.ID, " "); !errors.Is(err, auth.ErrTokenName) {
		t.Errorf("empty name: got %v, want ErrTokenName", err)
	}
}
