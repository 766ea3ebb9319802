package e2e

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/vard-kommun/vard/internal/app"
	"github.com/vard-kommun/vard/internal/db/dbtest"
	"github.com/vard-kommun/vard/internal/demo"
	"github.com/vard-kommun/vard/internal/org"
)

// The accounts the browser tests sign in with: the demo kommun's three, and a
// platform operator made for the tests.
const (
	adminEmail       = "admin@exempelby.example"
	chefEmail        = "chef@exempelby.example"
	employeeEmail    = "medarbetare@exempelby.example"
	operatorEmail    = "drift@example.se"
	operatorPassword = "operatörslösenord"
	demoSlug         = "exempelby"
)

// site is the real Värd server on a fresh database with the demo kommun
// Exempelby, served on a local port for one test.
type site struct {
	URL      string
	App      *app.App
	TenantID int64
}

// newSite starts the app with its background workers on a fresh database
// (SQLite, or PostgreSQL when VARD_TEST_POSTGRES is set), generates the demo
// kommun and adds a platform operator. Everything stops when the test ends.
func newSite(t *testing.T) *site {
	t.Helper()
	browserEnv(t) // skip before the costly part when there is no browser
	ctx := context.Background()
	start := time.Now()
	a, err := app.New(ctx, app.Config{Database: dbtest.DSN(t), DataDir: t.TempDir(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	a.Start()
	t.Cleanup(func() { a.Close() })
	tenantID, err := demo.Generate(ctx, a.DB, a.Org, a.Auth, demo.Options{Slug: demoSlug, Name: "Exempelby kommun", Seed: 1})
	if err != nil {
		t.Fatalf("demo.Generate: %v", err)
	}
	if err := a.Auth.CreateOperator(ctx, operatorEmail, operatorPassword); err != nil {
		t.Fatalf("CreateOperator: %v", err)
	}
	srv := httptest.NewServer(a.Handler)
	// The server closes before the app (cleanups run last-in first-out), so
	// no request reaches a closed database.
	t.Cleanup(srv.Close)
	t.Logf("demo site on %s %s ready in %v", a.DB.Dialect, srv.URL, time.Since(start).Round(time.Millisecond))
	return &site{URL: srv.URL, App: a, TenantID: tenantID}
}

// url is the absolute address of a path on the site.
func (s *site) url(path string) string { return s.URL + path }

// tree is the demo kommun's org tree as it is now.
func (s *site) tree(t *testing.T) *org.Tree {
	t.Helper()
	tree, err := s.App.Org.Tree(context.Background(), s.TenantID)
	if err != nil {
		t.Fatalf("tree: %v", err)
	}
	return tree
}

// person returns the demo kommun's person with the e-mail address.
func (s *site) person(t *testing.T, email string) *org.Person {
	t.Helper()
	p, err := s.App.Org.Store.PersonByEmail(context.Background(), s.TenantID, email)
	if err != nil {
		t.Fatalf("person %s: %v", email, err)
	}
	return p
}

// chefUnit returns the unit the demo chef leads.
func (s *site) chefUnit(t *testing.T) *org.Unit {
	t.Helper()
	managed := s.tree(t).Managed(s.person(t, chefEmail).ID)
	if len(managed) == 0 {
		t.Fatal("the demo chef leads no unit")
	}
	return managed[0]
}

// outsideUnit returns an enhet outside the demo chef's part of the tree: not
// theirs, not above it and not below it.
func (s *site) outsideUnit(t *testing.T) *org.Unit {
	t.Helper()
	tree := s.tree(t)
	mine := map[int64]bool{}
	for _, id := range tree.Descendants(s.chefUnit(t).ID) {
		mine[id] = true
	}
	for _, u := range tree.Path(s.chefUnit(t).ID) {
		mine[u.ID] = true
	}
	for _, u := range tree.Roots {
		for _, c := range u.Children {
			if !mine[c.ID] && c.Kind == org.KindUnit {
				return c
			}
		}
	}
	t.Fatal("every unit is the chef's")
	return nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// --- what a person does in the browser

// open loads url without checking the page and returns the HTTP status of
// the page that ends up shown (after redirects).
func open(t testing.TB, ctx context.Context, url string) int {
	t.Helper()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	return status(resp)
}

// visitStatus is visit that also wants the page's HTTP status.
func visitStatus(t testing.TB, ctx context.Context, url string, want int) {
	t.Helper()
	if got := open(t, ctx, url); got != want {
		t.Errorf("%s answered %d, want %d (%s: %q)", url, got, want, location(ctx), heading(t, ctx))
	}
	checkAxe(t, ctx)
	checkPageErrors(t, ctx)
}

// press clicks what sel finds, waits for the page the click leads to, and
// returns its HTTP status.
func press(t testing.TB, ctx context.Context, sel string) int {
	t.Helper()
	// A click that loads nothing (a form the browser's own validation
	// stopped) would otherwise wait for the whole test's deadline.
	clickCtx, cancel := context.WithTimeout(ctx, pressTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(clickCtx, chromedp.Click(sel, chromedp.NodeVisible))
	if err != nil {
		t.Fatalf("click %s on %s: %v (no page loaded within %v?)", sel, location(ctx), err, pressTimeout)
	}
	return status(resp)
}

// pressTimeout bounds how long a click may take to load the next page.
const pressTimeout = 20 * time.Second

func status(resp *network.Response) int {
	if resp == nil {
		return 0
	}
	return int(resp.Status)
}

// typeInto types text into the form field sel, as a person would, after
// emptying it.
func typeInto(t testing.TB, ctx context.Context, sel, text string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Clear(sel), chromedp.SendKeys(sel, text)); err != nil {
		t.Fatalf("type into %s on %s: %v", sel, location(ctx), err)
	}
}

// tick clicks what sel finds where the click loads no page: a radio button
// or a checkbox.
func tick(t testing.TB, ctx context.Context, sel string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(sel, chromedp.NodeVisible)); err != nil {
		t.Fatalf("click %s on %s: %v", sel, location(ctx), err)
	}
}

// choose picks the option with the value in the select sel.
func choose(t testing.TB, ctx context.Context, sel, value string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.SetValue(sel, value)); err != nil {
		t.Fatalf("choose %s in %s on %s: %v", value, sel, location(ctx), err)
	}
}

// textOf returns the visible text of the first element sel finds.
func textOf(t testing.TB, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(sel, chromedp.NodeReady))
	if err != nil {
		t.Fatalf("read %s on %s: %v", sel, location(ctx), err)
	}
	return strings.TrimSpace(s)
}

// has reports whether the current page has an element that sel finds. It
// does not wait.
func has(t testing.TB, ctx context.Context, sel string) bool {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Nodes(sel, chromedp.AtLeast(0)))
	if err != nil {
		t.Fatalf("look for %s on %s: %v", sel, location(ctx), err)
	}
	return len(n) > 0
}

// heading returns the page's h1, for messages.
func heading(t testing.TB, ctx context.Context) string {
	t.Helper()
	if !has(t, ctx, "h1") {
		return "(no h1)"
	}
	return textOf(t, ctx, "h1")
}

// pathOf returns the path and query of the current page.
func pathOf(t testing.TB, ctx context.Context, base string) string {
	t.Helper()
	return strings.TrimPrefix(location(ctx), base)
}

// navLinks returns the texts of the main menu's links.
func navLinks(t testing.TB, ctx context.Context) []string {
	t.Helper()
	links, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('header nav a')).map(a => a.textContent.trim())`))
	if err != nil {
		t.Fatalf("read the menu on %s: %v", location(ctx), err)
	}
	return links
}

// signIn signs in through the sign-in form, as a person does: types the
// e-mail address and password and presses the button. It fails the test
// unless the browser leaves the sign-in page.
func signIn(t testing.TB, ctx context.Context, s *site, email, password string) {
	t.Helper()
	open(t, ctx, s.url("/logga-in"))
	submitSignIn(t, ctx, email, password)
	if p := pathOf(t, ctx, s.URL); strings.HasPrefix(p, "/logga-in") {
		msg := "(no message)"
		if has(t, ctx, "#signin-error") {
			msg = textOf(t, ctx, "#signin-error")
		}
		t.Fatalf("sign in as %s: still on %s: %s", email, p, msg)
	}
}

// submitSignIn fills in and sends the sign-in form on the current page and
// returns the HTTP status of the page that follows.
func submitSignIn(t testing.TB, ctx context.Context, email, password string) int {
	t.Helper()
	typeInto(t, ctx, "#email", email)
	typeInto(t, ctx, "#password", password)
	return press(t, ctx, `main form[action="/logga-in"] button[type=submit]`)
}

// signOut presses the header's sign-out button.
func signOut(t testing.TB, ctx context.Context) {
	t.Helper()
	press(t, ctx, `header form[action="/logga-ut"] button`)
}

// signInAs signs out whoever is signed in and signs in as a demo account.
func signInAs(t testing.TB, ctx context.Context, s *site, email string) {
	t.Helper()
	if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatalf("clear cookies: %v", err)
	}
	password := demo.Password
	if email == operatorEmail {
		password = operatorPassword
	}
	signIn(t, ctx, s, email, password)
}
