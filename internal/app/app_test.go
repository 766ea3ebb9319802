package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/vard-kommun/vard/internal/app"
	"github.com/vard-kommun/vard/internal/db/dbtest"
)

func get(t *testing.T, h http.Handler, path string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestHealthReadyMetrics(t *testing.T) {
	a := newApp(t)
	for _, tt := range []struct {
		path, want string
	}{
		{"/healthz", "ok"},
		{"/readyz", "ready"},
		{"/metrics", "vard_http_requests_total"},
	} {
		// Hit the site once so the request counter has a sample.
		get(t, a.Handler, "/healthz")
		rec := get(t, a.Handler, tt.path)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("GET %s: got %d %q, want 200 with %q", tt.path, rec.Code, firstLine(rec.Body.String()), tt.want)
		}
	}
}

func TestReadyzReportsADeadDatabase(t *testing.T) {
	a, err := app.New(context.Background(), app.Config{Database: dbtest.DSN(t), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	a.DB.Close()
	if rec := get(t, a.Handler, "/readyz"); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("got %d, want 503 with the database closed", rec.Code)
	}
}

func TestSecurityHeaders(t *testing.T) {
	a := newApp(t)
	rec := get(t, a.Handler, "/logga-in")
	for header, want := range map[string]string{
		"Content-Security-Policy": "script-src 'self'",
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "same-origin",
	} {
		if got := rec.Header().Get(header); !strings.Contains(got, want) {
			t.Errorf("%s: got %q, want it to contain %q", header, got, want)
		}
	}
	if strings.Contains(rec.Body.String(), "<script>") || strings.Contains(rec.Body.String(), "style=") {
		t.Error("the page has inline script or style, which the CSP forbids")
	}
}

func TestCrossSiteFormPostIsRefused(t *testing.T) {
	a := newApp(t)
	req := httptest.NewRequest(http.MethodPost, "/logga-in", strings.NewReader("email=a@b.se&password=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	rec := httptest.NewRecorder()
	a.Handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Errorf("cross-site POST: got %d, want 403", rec.Code)
	}
}

func TestUnknownPageIsA404PageAndAPIProblem(t *testing.T) {
	a := newApp(t)
	rec := get(t, a.Handler, "/finns-inte")
	if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "Sidan finns inte.") {
		t.Errorf("got %d, want the Swedish 404 page", rec.Code)
	}
	rec = get(t, a.Handler, "/api/v1/finns-inte")
	if rec.Code != http.StatusNotFound || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("got %d %s, want 404 problem+json", rec.Code, rec.Header().Get("Content-Type"))
	}
}

// TestTwoServersShareSessions runs two servers on one database, as two `vard serve` processes behind a
// load balancer would: a session made on one is valid on the other, and signing out on the second ends it
// on the first.
func TestTwoServersShareSessions(t *testing.T) {
	dsn := dbtest.DSN(t)
	ctx := context.Background()
	open := func() *app.App {
		a, err := app.New(ctx, app.Config{Database: dsn, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		return a
	}
	one, two := open(), open()
	if err := one.Auth.CreateOperator(ctx, "drift@example.se", "ett långt lösenord"); err != nil {
		t.Fatal(err)
	}
	srv1, srv2 := httptest.NewServer(one.Handler), httptest.NewServer(two.Handler)
	defer srv1.Close()
	defer srv2.Close()

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(srv1.URL+"/logga-in", url.Values{"email": {"drift@example.se"}, "password": {"ett långt lösenord"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in on server 1: got %d, want 303", resp.StatusCode)
	}
	u1, _ := url.Parse(srv1.URL)
	u2, _ := url.Parse(srv2.URL)
	jar.SetCookies(u2, jar.Cookies(u1))
	resp, err = client.Get(srv2.URL + "/plattform/kommuner")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("server 2 with server 1's session: got %d, want 200", resp.StatusCode)
	}
	session := jar.Cookies(u1)
	if len(session) == 0 {
		t.Fatal("no session cookie after signing in")
	}
	resp, err = client.PostForm(srv2.URL+"/logga-ut", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	req, _ := http.NewRequest(http.MethodGet, srv1.URL+"/plattform/kommuner", nil)
	for _, c := range session {
		req.AddCookie(c)
	}
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("server 1 after signing out on server 2: got %d, want a redirect to sign in", resp.StatusCode)
	}
}

func TestWrongMethodIs405(t *testing.T) {
	a := newApp(t)
	req := httptest.NewRequest(http.MethodDelete, "/api/v1/units", nil)
	rec := httptest.NewRecorder()
	a.Handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed || !strings.Contains(rec.Header().Get("Allow"), "GET") {
		t.Errorf("DELETE /api/v1/units: got %d, Allow %q; want 405 allowing GET", rec.Code, rec.Header().Get("Allow"))
	}
	if rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("got %s, want problem+json", rec.Header().Get("Content-Type"))
	}
}
