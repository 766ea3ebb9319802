package auth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/auth"
	"github.com/vard-kommun/vard/internal/web"
)

// A request chosen as brief may use a viewer up to auth.BriefAge old; every other request reads the
// session each time, and a sign-out on this server ends the brief viewer at once.
func TestBriefSessions(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.auth.Brief = func(r *http.Request) bool { return r.URL.Path == "/brief" }
	signedIn := e.auth.Middleware(func(w http.ResponseWriter, r *http.Request, err error) { t.Fatal(err) })(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if web.ViewerFrom(r.Context()) == nil {
				w.WriteHeader(http.StatusUnauthorized)
			}
		}))
	get := func(path, token string) int {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: token})
		rec := httptest.NewRecorder()
		signedIn.ServeHTTP(rec, req)
		return rec.Code
	}

	token, err := e.auth.NewSession(ctx, e.anna.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := get("/brief", token); got != http.StatusOK {
		t.Fatalf("brief request with a fresh session: got %d", got)
	}
	// The person is deactivated elsewhere (another server): a brief request may not know yet, any
	// other request knows at once, and after BriefAge the brief one knows too.
	if err := e.org.SetActive(ctx, e.tenant.ID, e.anna.ID, false); err != nil {
		t.Fatal(err)
	}
	if got := get("/other", token); got != http.StatusUnauthorized {
		t.Errorf("ordinary request after deactivation: got %d, want 401", got)
	}
	if got := get("/brief", token); got != http.StatusOK {
		t.Errorf("brief request within %v of the read: got %d, want the cached viewer", auth.BriefAge, got)
	}
	time.Sleep(auth.BriefAge + 50*time.Millisecond)
	if got := get("/brief", token); got != http.StatusUnauthorized {
		t.Errorf("brief request after %v: got %d, want 401", auth.BriefAge, got)
	}

	// Signing out on this server ends a cached viewer at once.
	if err := e.org.SetActive(ctx, e.tenant.ID, e.anna.ID, true); err != nil {
		t.Fatal(err)
	}
	token, err = e.auth.NewSession(ctx, e.anna.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := get("/brief", token); got != http.StatusOK {
		t.Fatalf("brief request with a new session: got %d", got)
	}
	if err := e.auth.SignOut(ctx, token); err != nil {
		t.Fatal(err)
	}
	if got := get("/brief", token); got != http.StatusUnauthorized {
		t.Errorf("brief request after signing out here: got %d, want 401", got)
	}
}
