package auth_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/auth"
	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/db/dbtest"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/web"
)

// oidcEnv is the app's real router on a fresh database with two kommuner, and a local OIDC provider.
// Exempelby signs in through the provider; Grannby has single sign-on switched off.
type oidcEnv struct {
	t   *testing.T
	d   *db.DB
	svc *auth.Service
	org *org.Service
	app *httptest.Server
	idp *testProvider
	// skew moves the service's clock forward, for tests of what expires.
	skew atomic.Int64

	home, other   *org.Tenant
	admin, eva    *org.Person // of Exempelby
	otherAdmin    *org.Person // of Grannby
	samHome, samO *org.Person // the same e-mail address in both kommuner
}

func newOIDCEnv(t *testing.T) *oidcEnv {
	t.Helper()
	ctx := context.Background()
	e := &oidcEnv{t: t, d: dbtest.Open(t)}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	static, err := web.NewStatic()
	if err != nil {
		t.Fatal(err)
	}
	rd, err := web.NewRenderer(static, log)
	if err != nil {
		t.Fatal(err)
	}
	e.svc = auth.NewService(e.d, log, false)
	e.svc.Now = func() time.Time { return db.Now().Add(time.Duration(e.skew.Load())) }
	e.org = org.NewService(org.NewStore(e.d))

	var handler http.Handler
	e.app = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(e.app.Close)
	rt := web.NewRouter()
	rt.Fail = rd.Fail
	auth.NewHandlers(e.svc, rd).Routes(rt)
	auth.NewOIDCHandlers(e.svc, e.org, rd, e.app.URL).Routes(rt)
	// A stand-in for the start page, which belongs to another area.
	rt.Handle("GET /{$}", web.SignedIn, func(w http.ResponseWriter, r *http.Request) error {
		_, err := io.WriteString(w, "Inloggad som "+web.ViewerFrom(r.Context()).Name)
		return err
	})
	handler = web.Chain(rt, web.CrossOrigin(rd.Fail), e.svc.Middleware(rd.Fail))

	e.idp = newTestProvider(t)
	e.admin = &org.Person{GivenName: "Anna", FamilyName: "Admin", Email: "anna.admin@exempelby.se"}
	if e.home, err = e.org.CreateTenant(ctx, "exempelby", "Exempelby kommun", e.admin); err != nil {
		t.Fatal(err)
	}
	e.otherAdmin = &org.Person{GivenName: "Greta", FamilyName: "Gran", Email: "greta@grannby.se"}
	if e.other, err = e.org.CreateTenant(ctx, "grannby", "Grannby kommun", e.otherAdmin); err != nil {
		t.Fatal(err)
	}
	e.eva = e.person(e.home, "Eva", "Ek", "eva.ek@exempelby.se")
	e.person(e.other, "Per", "Persson", "per@grannby.se")
	e.samHome = e.person(e.home, "Sam", "Exempel", "sam@delad.se")
	e.samO = e.person(e.other, "Sam", "Granne", "sam@delad.se")
	ina := e.person(e.home, "Ina", "Aktiv", "ina@exempelby.se")
	if err := e.org.SetActive(ctx, e.home.ID, ina.ID, false); err != nil {
		t.Fatal(err)
	}
	e.setOIDC(e.home, auth.OIDCSettings{Enabled: true, Issuer: e.idp.URL, ClientID: e.idp.ClientID, ClientSecret: e.idp.ClientSecret})
	e.setOIDC(e.other, auth.OIDCSettings{Issuer: e.idp.URL, ClientID: e.idp.ClientID, ClientSecret: e.idp.ClientSecret})
	return e
}

func (e *oidcEnv) person(t *org.Tenant, given, family, email string) *org.Person {
	e.t.Helper()
	p := &org.Person{TenantID: t.ID, GivenName: given, FamilyName: family, Email: email, Active: true}
	if err := e.org.SavePerson(context.Background(), p); err != nil {
		e.t.Fatalf("save person %s: %v", email, err)
	}
	return p
}

func (e *oidcEnv) setOIDC(t *org.Tenant, s auth.OIDCSettings) {
	e.t.Helper()
	if err := e.org.SetTenantOIDC(context.Background(), t.ID, s); err != nil {
		e.t.Fatal(err)
	}
}

// browser returns a client with its own cookies that does not follow redirects by itself.
func (e *oidcEnv) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type page struct {
	status   int
	location string
	body     string
}

func get(t *testing.T, c *http.Client, u string) page {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return page{status: res.StatusCode, location: res.Header.Get("Location"), body: string(b)}
}

// signIn starts single sign-on at the kommun's page and follows the redirects through the provider and
// back, up to the redirect to the start page, or only up to the callback URL when stop is true. It
// returns the last page and the callback URL.
func (e *oidcEnv) signIn(c *http.Client, slug string, stop bool) (last page, callback string) {
	e.t.Helper()
	next := e.app.URL + "/k/" + slug + "/logga-in/sso"
	for range 10 {
		if strings.HasPrefix(next, e.app.URL+"/logga-in/sso/callback") {
			callback = next
			if stop {
				return last, callback
			}
		}
		last = get(e.t, c, next)
		if last.status < 300 || last.status > 399 {
			return last, callback
		}
		u, err := url.Parse(next)
		if err != nil {
			e.t.Fatal(err)
		}
		loc, err := u.Parse(last.location)
		if err != nil {
			e.t.Fatal(err)
		}
		if next = loc.String(); next == e.app.URL+"/" {
			return last, callback // signed in; the start page is another area's
		}
	}
	e.t.Fatalf("too many redirects, last at %s", next)
	return last, callback
}

// sessionOf returns who the browser's session cookie belongs to, or nil.
func (e *oidcEnv) sessionOf(c *http.Client) *web.Viewer {
	e.t.Helper()
	u, _ := url.Parse(e.app.URL)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == auth.SessionCookie {
			v, err := e.svc.Viewer(context.Background(), ck.Value)
			if err != nil {
				e.t.Fatal(err)
			}
			return v
		}
	}
	return nil
}

func (e *oidcEnv) count(table string) int {
	e.t.Helper()
	var n int
	if err := e.d.Read().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestOIDCSignIn(t *testing.T) {
	cases := []struct {
		name   string
		claims map[string]any
		want   func(e *oidcEnv) *org.Person
	}{
		{"by the email claim", map[string]any{"email": "eva.ek@exempelby.se", "email_verified": true},
			func(e *oidcEnv) *org.Person { return e.eva }},
		{"email_verified sent as a string", map[string]any{"email": "eva.ek@exempelby.se", "email_verified": "true"},
			func(e *oidcEnv) *org.Person { return e.eva }},
		{"Entra ID without email, by preferred_username in capitals", map[string]any{"preferred_username": "Eva.Ek@Exempelby.se", "name": "Eva Ek"},
			func(e *oidcEnv) *org.Person { return e.eva }},
		{"Entra ID by upn when preferred_username is no address", map[string]any{"preferred_username": "eva", "upn": "eva.ek@exempelby.se"},
			func(e *oidcEnv) *org.Person { return e.eva }},
		{"the same address in two kommuner gives the person of this kommun", map[string]any{"email": "sam@delad.se"},
			func(e *oidcEnv) *org.Person { return e.samHome }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newOIDCEnv(t)
			e.idp.SignInAs(tc.claims)
			c := e.browser()
			last, callback := e.signIn(c, "exempelby", false)
			if last.status != http.StatusSeeOther || last.location != "/" {
				t.Fatalf("callback answered %d to %q, want 303 to /; body:\n%s", last.status, last.location, last.body)
			}
			if callback == "" {
				t.Fatal("the sign-in never reached the callback URL")
			}
			want := tc.want(e)
			v := e.sessionOf(c)
			if v == nil || v.PersonID != want.ID || v.TenantID != e.home.ID {
				t.Fatalf("session belongs to %+v, want person %d of Exempelby", v, want.ID)
			}
			if home := get(t, c, e.app.URL+"/"); home.status != http.StatusOK || !strings.Contains(home.body, "Inloggad som "+want.Name()) {
				t.Errorf("start page after sign-in: %d %q, want 200 naming %s", home.status, home.body, want.Name())
			}
			nonces, challenges := e.idp.Asked()
			if len(nonces) != 1 || len(nonces[0]) < 32 || len(challenges) != 1 || len(challenges[0]) != 43 {
				t.Errorf("provider was asked with nonces %q and PKCE challenges %q, want one random nonce and one S256 challenge", nonces, challenges)
			}
			if n := e.count("oidc_logins"); n != 0 {
				t.Errorf("%d sign-ins left in oidc_logins after use, want 0", n)
			}
		})
	}
}

func TestOIDCSignInRefused(t *testing.T) {
	const (
		badResponse = "Svaret från kommunens inloggningstjänst kunde inte godkännas"
		noAccount   = "Det finns inget aktivt konto för e-postadressen "
	)
	cases := []struct {
		name     string
		slug     string
		setup    func(e *oidcEnv)
		want     int
		wantText string
	}{
		{"unknown e-mail address", "exempelby", func(e *oidcEnv) { e.idp.SignInAs(map[string]any{"email": "okand@exempelby.se"}) },
			http.StatusForbidden, noAccount + "okand@exempelby.se i kommunen. Kontakta kommunens administratör."},
		{"person of another kommun", "exempelby", func(e *oidcEnv) { e.idp.SignInAs(map[string]any{"email": "per@grannby.se"}) },
			http.StatusForbidden, noAccount + "per@grannby.se"},
		{"deactivated person", "exempelby", func(e *oidcEnv) { e.idp.SignInAs(map[string]any{"email": "ina@exempelby.se"}) },
			http.StatusForbidden, noAccount + "ina@exempelby.se"},
		{"e-mail address marked unverified", "exempelby",
			func(e *oidcEnv) {
				e.idp.SignInAs(map[string]any{"email": "eva.ek@exempelby.se", "email_verified": false, "upn": "eva.ek@exempelby.se"})
			},
			http.StatusForbidden, "är inte verifierad"},
		{"no e-mail address at all", "exempelby", func(e *oidcEnv) { e.idp.SignInAs(map[string]any{"preferred_username": "eva", "name": "Eva Ek"}) },
			http.StatusForbidden, "skickade ingen e-postadress"},
		{"wrong nonce", "exempelby", func(e *oidcEnv) { e.idp.Tamper(func(c map[string]any) { c["nonce"] = "en-annan-inloggning" }) },
			http.StatusBadRequest, badResponse},
		{"no nonce", "exempelby", func(e *oidcEnv) { e.idp.Tamper(func(c map[string]any) { delete(c, "nonce") }) },
			http.StatusBadRequest, badResponse},
		{"wrong audience", "exempelby", func(e *oidcEnv) { e.idp.Tamper(func(c map[string]any) { c["aud"] = "en-annan-klient" }) },
			http.StatusBadRequest, badResponse},
		{"wrong issuer", "exempelby", func(e *oidcEnv) { e.idp.Tamper(func(c map[string]any) { c["iss"] = "https://login.example.com" }) },
			http.StatusBadRequest, badResponse},
		{"expired ID token", "exempelby", func(e *oidcEnv) {
			e.idp.Tamper(func(c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() })
		}, http.StatusBadRequest, badResponse},
		{"wrong client secret", "exempelby", func(e *oidcEnv) {
			e.setOIDC(e.home, auth.OIDCSettings{Enabled: true, Issuer: e.idp.URL, ClientID: e.idp.ClientID, ClientSecret: "fel"})
		}, http.StatusBadRequest, badResponse},
		{"refused by the provider", "exempelby", func(e *oidcEnv) { e.idp.Deny("access_denied") },
			http.StatusForbidden, "Inloggningen avbröts eller nekades"},
		{"provider error", "exempelby", func(e *oidcEnv) { e.idp.Deny("server_error") },
			http.StatusBadGateway, "kunde inte logga in dig"},
		{"single sign-on switched off", "grannby", func(e *oidcEnv) {}, http.StatusNotFound, "Sidan finns inte."},
		{"unknown kommun", "finns-inte", func(e *oidcEnv) {}, http.StatusNotFound, "Sidan finns inte."},
		{"provider unreachable", "exempelby", func(e *oidcEnv) {
			e.setOIDC(e.home, auth.OIDCSettings{Enabled: true, Issuer: closedURL(e.t), ClientID: "x", ClientSecret: "y"})
		}, http.StatusBadGateway, "går inte att nå just nu"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newOIDCEnv(t)
			tc.setup(e)
			c := e.browser()
			last, _ := e.signIn(c, tc.slug, false)
			if last.status != tc.want || !strings.Contains(last.body, tc.wantText) {
				t.Fatalf("got %d, want %d with %q; body:\n%s", last.status, tc.want, tc.wantText, last.body)
			}
			if v := e.sessionOf(c); v != nil {
				t.Errorf("signed in as %+v, want no session", v)
			}
			if n := e.count("sessions"); n != 0 {
				t.Errorf("%d sessions stored, want 0", n)
			}
		})
	}
}

// closedURL is an http address on the loopback where nothing listens.
func closedURL(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

func TestOIDCState(t *testing.T) {
	const expired = "Inloggningen har gått ut eller redan använts. Försök igen."

	t.Run("a state cannot be used twice", func(t *testing.T) {
		e := newOIDCEnv(t)
		c := e.browser()
		last, callback := e.signIn(c, "exempelby", false)
		if last.status != http.StatusSeeOther || e.sessionOf(c) == nil {
			t.Fatalf("first sign-in: %d, want 303 and a session; body:\n%s", last.status, last.body)
		}
		// Replay with the binding cookie in place, so that only the used-up state can stop it.
		u, _ := url.Parse(callback)
		req, _ := http.NewRequest("GET", callback, nil)
		req.AddCookie(&http.Cookie{Name: "vard_oidc", Value: u.Query().Get("state")})
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), expired) {
			t.Fatalf("replayed callback: %d, want 400 with %q; body:\n%s", res.StatusCode, expired, b)
		}
		if n := e.count("sessions"); n != 1 {
			t.Errorf("%d sessions after the replay, want 1", n)
		}
		if n := e.idp.Exchanges(); n != 1 {
			t.Errorf("%d codes exchanged, want 1: a replay must not reach the provider", n)
		}
	})

	t.Run("a state older than ten minutes has expired", func(t *testing.T) {
		e := newOIDCEnv(t)
		c := e.browser()
		_, callback := e.signIn(c, "exempelby", true)
		e.skew.Store(int64(11 * time.Minute))
		p := get(t, c, callback)
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, expired) {
			t.Fatalf("late callback: %d, want 400 with %q; body:\n%s", p.status, expired, p.body)
		}
		if e.sessionOf(c) != nil || e.count("sessions") != 0 {
			t.Error("a session was made from an expired state")
		}
		if n := e.count("oidc_logins"); n != 0 {
			t.Errorf("%d expired sign-ins left in oidc_logins, want 0", n)
		}
	})

	t.Run("a callback link opened in another browser is refused", func(t *testing.T) {
		e := newOIDCEnv(t)
		victim, attacker := e.browser(), e.browser()
		_, callback := e.signIn(attacker, "exempelby", true)
		p := get(t, victim, callback)
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, expired) {
			t.Fatalf("callback in another browser: %d, want 400; body:\n%s", p.status, p.body)
		}
		if e.sessionOf(victim) != nil || e.count("sessions") != 0 {
			t.Fatal("the other browser was signed in")
		}
		if p := get(t, attacker, callback); p.status != http.StatusSeeOther || e.sessionOf(attacker) == nil {
			t.Errorf("the browser that started the sign-in got %d, want 303 and a session", p.status)
		}
	})

	t.Run("unknown state", func(t *testing.T) {
		e := newOIDCEnv(t)
		p := get(t, e.browser(), e.app.URL+"/logga-in/sso/callback?state=gissad&code=gissad")
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, expired) {
			t.Fatalf("got %d, want 400 with %q", p.status, expired)
		}
	})
}

func TestKommunSignInPage(t *testing.T) {
	e := newOIDCEnv(t)
	cases := []struct {
		name   string
		path   string
		want   int
		has    []string
		hasNot []string
	}{
		{"with single sign-on", "/k/exempelby/logga-in?next=/personer", http.StatusOK,
			[]string{"Exempelby kommun", `href="/k/exempelby/logga-in/sso"`, "Logga in med organisationens konto", `action="/logga-in"`, `value="/personer"`}, nil},
		{"without single sign-on", "/k/grannby/logga-in", http.StatusOK,
			[]string{"Grannby kommun", `action="/logga-in"`}, []string{"/logga-in/sso", "organisationens konto"}},
		{"an unsafe next is dropped", "/k/grannby/logga-in?next=//evil.example", http.StatusOK,
			[]string{`name="next" value="/"`}, []string{"evil.example"}},
		{"unknown kommun", "/k/finns-inte/logga-in", http.StatusNotFound, nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := get(t, e.browser(), e.app.URL+tc.path)
			if p.status != tc.want {
				t.Fatalf("got %d, want %d", p.status, tc.want)
			}
			for _, s := range tc.has {
				if !strings.Contains(p.body, s) {
					t.Errorf("page lacks %q", s)
				}
			}
			for _, s := range tc.hasNot {
				if strings.Contains(p.body, s) {
					t.Errorf("page has %q, want it absent", s)
				}
			}
		})
	}
}

// as returns a browser signed in as the person.
func (e *oidcEnv) as(p *org.Person) *http.Client {
	e.t.Helper()
	c := e.browser()
	token, err := e.svc.NewSession(context.Background(), p.ID, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	u, _ := url.Parse(e.app.URL)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: auth.SessionCookie, Value: token, Path: "/"}})
	return c
}

func post(t *testing.T, c *http.Client, u string, form url.Values) page {
	t.Helper()
	res, err := c.PostForm(u, form)
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return page{status: res.StatusCode, location: res.Header.Get("Location"), body: string(b)}
}

func TestOIDCSettingsPage(t *testing.T) {
	const path = "/installningar/inloggning"

	t.Run("who may see it", func(t *testing.T) {
		e := newOIDCEnv(t)
		if p := get(t, e.browser(), e.app.URL+path); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/logga-in?next=") {
			t.Errorf("anonymous: %d to %q, want 303 to the sign-in page", p.status, p.location)
		}
		if p := get(t, e.as(e.eva), e.app.URL+path); p.status != http.StatusForbidden {
			t.Errorf("employee: %d, want 403", p.status)
		}
		if p := post(t, e.as(e.eva), e.app.URL+path, url.Values{"issuer": {"https://x.example"}}); p.status != http.StatusForbidden {
			t.Errorf("employee saving: %d, want 403", p.status)
		}
	})

	t.Run("shows the settings and the callback URL but never the secret", func(t *testing.T) {
		e := newOIDCEnv(t)
		p := get(t, e.as(e.admin), e.app.URL+path)
		if p.status != http.StatusOK {
			t.Fatalf("got %d, want 200", p.status)
		}
		for _, s := range []string{e.app.URL + "/logga-in/sso/callback", e.app.URL + "/k/exempelby/logga-in", e.idp.URL, e.idp.ClientID,
			"En hemlighet är sparad", `id="enabled" name="enabled" value="1" checked`, `<label for="client_secret">`} {
			if !strings.Contains(p.body, s) {
				t.Errorf("page lacks %q", s)
			}
		}
		if strings.Contains(p.body, e.idp.ClientSecret) {
			t.Error("the page shows the client secret")
		}
	})

	valid := func(e *oidcEnv) url.Values {
		return url.Values{"enabled": {"1"}, "issuer": {e.idp.URL}, "client_id": {"ny-klient"}, "client_secret": {""}}
	}
	refused := []struct {
		name   string
		who    func(e *oidcEnv) *org.Person
		change func(e *oidcEnv, f url.Values)
		field  string
		want   string
	}{
		{"issuer over plain http", nil, func(e *oidcEnv, f url.Values) { f.Set("issuer", "http://login.example.com/tenant/v2.0") },
			"issuer", "Adressen måste börja med https://"},
		{"issuer that is no URL", nil, func(e *oidcEnv, f url.Values) { f.Set("issuer", "login.microsoftonline.com") },
			"issuer", "Ange en fullständig adress"},
		{"issuer with a query", nil, func(e *oidcEnv, f url.Values) { f.Set("issuer", "https://login.example.com/?x=1") },
			"issuer", "Ange en fullständig adress"},
		{"issuer missing", nil, func(e *oidcEnv, f url.Values) { f.Set("issuer", "") },
			"issuer", "Ange utfärdarens adress"},
		{"client id missing", nil, func(e *oidcEnv, f url.Values) { f.Set("client_id", " ") },
			"client_id", "Ange klient-id"},
		{"secret missing with none stored", func(e *oidcEnv) *org.Person { return e.otherAdmin }, func(e *oidcEnv, f url.Values) {
			e.setOIDC(e.other, auth.OIDCSettings{})
			f.Set("client_secret", "")
		}, "client_secret", "Ange klienthemligheten"},
		{"issuer unreachable", nil, func(e *oidcEnv, f url.Values) { f.Set("issuer", closedURL(e.t)) },
			"issuer", "Det gick inte att hämta inloggningstjänstens konfiguration"},
		{"issuer whose discovery names another issuer", nil, func(e *oidcEnv, f url.Values) { f.Set("issuer", e.idp.URL+"/") },
			"issuer", "Det gick inte att hämta inloggningstjänstens konfiguration"},
	}
	for _, tc := range refused {
		t.Run("refuses "+tc.name, func(t *testing.T) {
			e := newOIDCEnv(t)
			who, tenant := e.admin, e.home
			if tc.who != nil {
				who, tenant = tc.who(e), e.other
			}
			ctx := context.Background()
			form := valid(e)
			form.Set("client_secret", "inskrivet-hemligt-värde")
			tc.change(e, form)
			before, err := e.org.TenantOIDCByID(ctx, tenant.ID)
			if err != nil {
				t.Fatal(err)
			}
			p := post(t, e.as(who), e.app.URL+path, form)
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, tc.want) {
				t.Fatalf("got %d, want 422 with %q; body:\n%s", p.status, tc.want, p.body)
			}
			if !strings.Contains(p.body, `id="`+tc.field+`" name="`+tc.field+`"`) ||
				!strings.Contains(p.body, `aria-invalid="true" aria-describedby="`+tc.field+`-error`) ||
				!strings.Contains(p.body, `id="`+tc.field+`-error"`) {
				t.Errorf("field %s is not marked invalid with a described error", tc.field)
			}
			for _, secret := range []string{e.idp.ClientSecret, "inskrivet-hemligt-värde"} {
				if strings.Contains(p.body, secret) {
					t.Errorf("the refused form shows the secret %q", secret)
				}
			}
			after, err := e.org.TenantOIDCByID(ctx, tenant.ID)
			if err != nil {
				t.Fatal(err)
			}
			if after != before {
				t.Errorf("settings changed to %+v by a refused form, want %+v", after, before)
			}
		})
	}

	t.Run("a blank secret keeps the stored one", func(t *testing.T) {
		e := newOIDCEnv(t)
		c := e.as(e.admin)
		p := post(t, c, e.app.URL+path, valid(e))
		if p.status != http.StatusSeeOther || p.location != path {
			t.Fatalf("got %d to %q, want 303 to %s; body:\n%s", p.status, p.location, path, p.body)
		}
		got, _ := e.org.TenantOIDCByID(context.Background(), e.home.ID)
		want := auth.OIDCSettings{Enabled: true, Issuer: e.idp.URL, ClientID: "ny-klient", ClientSecret: e.idp.ClientSecret}
		if got != want {
			t.Errorf("stored %+v, want %+v", got, want)
		}
		if p := get(t, c, e.app.URL+path); !strings.Contains(p.body, "Inställningarna för inloggning är sparade.") || strings.Contains(p.body, e.idp.ClientSecret) {
			t.Errorf("page after saving lacks the confirmation or shows the secret:\n%s", p.body)
		}
	})

	t.Run("a new secret replaces the stored one", func(t *testing.T) {
		e := newOIDCEnv(t)
		c := e.as(e.admin)
		f := valid(e)
		f.Set("client_secret", "ny-hemlighet-123")
		if p := post(t, c, e.app.URL+path, f); p.status != http.StatusSeeOther {
			t.Fatalf("got %d, want 303; body:\n%s", p.status, p.body)
		}
		got, _ := e.org.TenantOIDCByID(context.Background(), e.home.ID)
		if got.ClientSecret != "ny-hemlighet-123" {
			t.Errorf("stored secret %q, want the new one", got.ClientSecret)
		}
		if p := get(t, c, e.app.URL+path); strings.Contains(p.body, "ny-hemlighet-123") {
			t.Error("the page shows the new secret")
		}
	})

	t.Run("switching off needs no reachable issuer and stops sign-in", func(t *testing.T) {
		e := newOIDCEnv(t)
		f := url.Values{"issuer": {"https://login.example.invalid/tenant/v2.0"}, "client_id": {"klient"}}
		if p := post(t, e.as(e.admin), e.app.URL+path, f); p.status != http.StatusSeeOther {
			t.Fatalf("got %d, want 303; body:\n%s", p.status, p.body)
		}
		got, _ := e.org.TenantOIDCByID(context.Background(), e.home.ID)
		if got.Enabled || got.Issuer != "https://login.example.invalid/tenant/v2.0" || got.ClientSecret != e.idp.ClientSecret {
			t.Errorf("stored %+v, want switched off with the new issuer and the old secret", got)
		}
		if p := get(t, e.browser(), e.app.URL+"/k/exempelby/logga-in/sso"); p.status != http.StatusNotFound {
			t.Errorf("single sign-on after switching off: %d, want 404", p.status)
		}
	})

	t.Run("saved settings sign people in", func(t *testing.T) {
		e := newOIDCEnv(t)
		e.setOIDC(e.home, auth.OIDCSettings{})
		f := url.Values{"enabled": {"1"}, "issuer": {e.idp.URL}, "client_id": {e.idp.ClientID}, "client_secret": {e.idp.ClientSecret}}
		if p := post(t, e.as(e.admin), e.app.URL+path, f); p.status != http.StatusSeeOther {
			t.Fatalf("saving: %d, want 303; body:\n%s", p.status, p.body)
		}
		c := e.browser()
		if last, _ := e.signIn(c, "exempelby", false); last.status != http.StatusSeeOther {
			t.Fatalf("sign-in: %d, want 303; body:\n%s", last.status, last.body)
		}
		if v := e.sessionOf(c); v == nil || v.PersonID != e.eva.ID {
			t.Errorf("signed in as %+v, want Eva", v)
		}
	})
}
