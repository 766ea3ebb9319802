package e2e

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/vard-kommun/vard/internal/demo"
)

// TestAdminBuildsAndStaffsAUnit is a kommunadmin's afternoon: a new
// förvaltning, an enhet under it, a new colleague there, and later the
// colleague leaves.
func TestAdminBuildsAndStaffsAUnit(t *testing.T) {
	s := newSite(t)
	ctx := newBrowser(t)
	signIn(t, ctx, s, adminEmail, demo.Password)

	press(t, ctx, `header nav a[href="/organisation"]`)
	press(t, ctx, `main a[href="/enheter/ny"]`)
	if got := heading(t, ctx); got != "Ny enhet" {
		t.Fatalf("new unit page has heading %q, want %q", got, "Ny enhet")
	}
	typeInto(t, ctx, "#name", "Kultur- och turismförvaltningen")
	tick(t, ctx, "#kind-department")
	if got := press(t, ctx, `main form[action="/enheter"] button[type=submit]`); got != http.StatusOK {
		t.Fatalf("creating the förvaltning answered %d, want %d", got, http.StatusOK)
	}
	if got := heading(t, ctx); got != "Kultur- och turismförvaltningen" {
		t.Errorf("after creating the förvaltning the page says %q, want its name", got)
	}
	if got := textOf(t, ctx, ".flash"); got != "Enheten är skapad." {
		t.Errorf("flash %q, want %q", got, "Enheten är skapad.")
	}
	checkAxe(t, ctx)

	press(t, ctx, `main a[href^="/enheter/ny?overordnad="]`)
	if got := heading(t, ctx); got != "Ny enhet under Kultur- och turismförvaltningen" {
		t.Errorf("new unit page under the förvaltning has heading %q", got)
	}
	typeInto(t, ctx, "#name", "Turistbyrån")
	if checked := has(t, ctx, "#kind-unit:checked"); !checked {
		t.Error("new unit under a förvaltning: Enhet is not chosen beforehand")
	}
	press(t, ctx, `main form[action="/enheter"] button[type=submit]`)
	if got := heading(t, ctx); got != "Turistbyrån" {
		t.Fatalf("after creating the enhet the page says %q, want Turistbyrån", got)
	}
	if got := textOf(t, ctx, "nav.crumbs"); !strings.Contains(got, "Kultur- och turismförvaltningen") {
		t.Errorf("breadcrumbs %q, want the förvaltning in them", got)
	}
	unitPath := pathOf(t, ctx, s.URL)
	unitID := strings.TrimPrefix(unitPath, "/enheter/")

	press(t, ctx, `main a[href="/personer/ny?enhet=`+unitID+`"]`)
	if got, err := chromedp.Run(ctx, chromedp.Value("#unit_id")); err != nil || got != unitID {
		t.Errorf("new person from the enhet: unit %q (%v), want %s chosen beforehand", got, err, unitID)
	}
	typeInto(t, ctx, "#given_name", "Åsa")
	typeInto(t, ctx, "#family_name", "Värdkvist")
	typeInto(t, ctx, "#email", "asa.vardkvist@exempelby.example")
	typeInto(t, ctx, "#title", "Turistvärd")
	if got := press(t, ctx, `main form[action="/personer"] button[type=submit]`); got != http.StatusOK {
		t.Fatalf("adding the person answered %d, want %d: %s", got, http.StatusOK, formErrors(t, ctx))
	}
	if got := textOf(t, ctx, ".flash"); got != "Personen är tillagd." {
		t.Errorf("flash %q, want %q", got, "Personen är tillagd.")
	}

	open(t, ctx, s.url(unitPath))
	table := textOf(t, ctx, "main table")
	if !strings.Contains(table, "Värdkvist, Åsa") || !strings.Contains(table, "Turistvärd") {
		t.Fatalf("the enhet's people table says %q, want Värdkvist, Åsa, Turistvärd", table)
	}
	checkAxe(t, ctx)

	press(t, ctx, `main table a`)
	press(t, ctx, `main a[href$="/avaktivera"]`)
	if got := heading(t, ctx); got != "Avaktivera Åsa Värdkvist?" {
		t.Errorf("confirmation page asks %q, want %q", got, "Avaktivera Åsa Värdkvist?")
	}
	checkAxe(t, ctx)
	press(t, ctx, `main form[action$="/avaktivera"] button[type=submit]`)
	if got := heading(t, ctx); !strings.Contains(got, "Avaktiverad") {
		t.Errorf("person page after deactivation says %q, want Avaktiverad", got)
	}
	if got := textOf(t, ctx, ".flash"); !strings.Contains(got, "avaktiverad") {
		t.Errorf("flash %q, want it to say the person is deactivated", got)
	}
	if !has(t, ctx, `main form[action$="/aktivera"] button`) {
		t.Error("a deactivated person's page offers no way to activate again")
	}

	open(t, ctx, s.url("/personer?inaktiva=1&q=Värdkvist"))
	if got := textOf(t, ctx, "main table"); !strings.Contains(got, "Värdkvist, Åsa (avaktiverad)") {
		t.Errorf("people list with deactivated people says %q, want Värdkvist, Åsa (avaktiverad)", got)
	}
	open(t, ctx, s.url("/personer?q=Värdkvist"))
	if has(t, ctx, "main table") {
		t.Errorf("people list of active people still lists Åsa Värdkvist: %q", textOf(t, ctx, "main table"))
	}
}

// TestChefSeesOnlyOwnUnits: a chef's organisation page holds their own enhet
// and what is below it, and a unit elsewhere is a page that does not exist.
func TestChefSeesOnlyOwnUnits(t *testing.T) {
	s := newSite(t)
	ctx := newBrowser(t)
	signIn(t, ctx, s, chefEmail, demo.Password)
	own := s.chefUnit(t)
	tree := s.tree(t)
	mine := map[string]bool{}
	for _, id := range tree.Descendants(own.ID) {
		mine["/enheter/"+itoa(id)] = true
	}

	press(t, ctx, `header nav a[href="/organisation"]`)
	links, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('main .tree a')).map(a => a.getAttribute('href'))`))
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != len(mine) {
		t.Errorf("chef's organisation page links %d units, want %d (the enhet and its arbetslag)", len(links), len(mine))
	}
	for _, l := range links {
		if !mine[l] {
			t.Errorf("chef's organisation page links %s, which is not theirs", l)
		}
	}
	if got := textOf(t, ctx, "main .tree"); !strings.Contains(got, own.Name) {
		t.Errorf("chef's organisation page says %q, want %s in it", got, own.Name)
	}
	if has(t, ctx, `main a[href="/enheter/ny"]`) {
		t.Error("chef is offered to create a förvaltning")
	}

	press(t, ctx, `main .tree a[href="/enheter/`+itoa(own.ID)+`"]`)
	if got := heading(t, ctx); got != own.Name {
		t.Errorf("own enhet page says %q, want %q", got, own.Name)
	}
	if has(t, ctx, `main a[href$="/flytta"]`) || has(t, ctx, `main form[action$="/namn"]`) {
		t.Error("chef is offered to change the enhet, which only a kommunadmin may")
	}

	// The people of the enhet and its arbetslag run to a second page.
	tick(t, ctx, "#under")
	press(t, ctx, `main form[role=search] button[type=submit]`)
	if got := textOf(t, ctx, "main nav.pager"); !strings.Contains(got, "Sida 1 av 2") {
		t.Errorf("pager of the enhet with its arbetslag says %q, want Sida 1 av 2", got)
	}
	press(t, ctx, `main nav.pager a[rel=next]`)
	if got := textOf(t, ctx, "main nav.pager"); !strings.Contains(got, "Sida 2 av 2") {
		t.Errorf("pager after Nästa says %q, want Sida 2 av 2", got)
	}
	if p := pathOf(t, ctx, s.URL); !strings.Contains(p, "under=1") {
		t.Errorf("the second page %s lost the choice to include the arbetslag", p)
	}

	// A chef reads a person of their own; only a kommunadmin edits.
	press(t, ctx, `main table a[href^="/personer/"]`)
	if has(t, ctx, "main form") {
		t.Errorf("chef gets a form on %s, want the person read-only", pathOf(t, ctx, s.URL))
	}
	if got := textOf(t, ctx, "main dl.facts"); !strings.Contains(got, own.Name) {
		t.Errorf("person page for the chef says %q, want the enhet %s in it", got, own.Name)
	}

	outside := s.outsideUnit(t)
	if got := open(t, ctx, s.url("/enheter/"+itoa(outside.ID))); got != http.StatusNotFound {
		t.Errorf("chef opening %s answered %d, want %d", outside.Name, got, http.StatusNotFound)
	}
	if got := textOf(t, ctx, "main"); !strings.Contains(got, "Sidan finns inte.") || strings.Contains(got, outside.Name) {
		t.Errorf("chef opening a unit elsewhere sees %q, want the not-found page without the unit's name", got)
	}
	checkAxe(t, ctx)
}

// TestMedarbetareSeesNoOrganisation: an employee's menu has no Organisation.
func TestMedarbetareSeesNoOrganisation(t *testing.T) {
	s := newSite(t)
	ctx := newBrowser(t)
	signIn(t, ctx, s, employeeEmail, demo.Password)
	if got := heading(t, ctx); !strings.HasPrefix(got, "Välkommen") {
		t.Errorf("employee's start page says %q, want a welcome", got)
	}
	links := navLinks(t, ctx)
	if !slices.Contains(links, "Start") {
		t.Errorf("employee's menu %q, want Start in it", links)
	}
	for _, no := range []string{"Organisation", "Personer", "Import", "Inställningar", "Kommuner"} {
		if slices.Contains(links, no) {
			t.Errorf("employee's menu %q has %s", links, no)
		}
	}
	if has(t, ctx, `main a[href="/organisation"]`) {
		t.Error("employee's start page links the organisation")
	}
}

// TestSignInAndOut covers the sign-in page as a person meets it.
func TestSignInAndOut(t *testing.T) {
	s := newSite(t)
	ctx := newBrowser(t)

	t.Run("wrong password", func(t *testing.T) {
		open(t, ctx, s.url("/logga-in"))
		if got := submitSignIn(t, ctx, chefEmail, "inte-rätt-lösenord"); got != http.StatusUnauthorized {
			t.Errorf("wrong password answered %d, want %d", got, http.StatusUnauthorized)
		}
		if got := textOf(t, ctx, "#signin-error"); got != "Fel e-postadress eller lösenord." {
			t.Errorf("wrong password shows %q, want %q", got, "Fel e-postadress eller lösenord.")
		}
		if got, _ := chromedp.Run(ctx, chromedp.Value("#email")); got != chefEmail {
			t.Errorf("e-mail field after a wrong password holds %q, want %q kept", got, chefEmail)
		}
		if got, _ := chromedp.Run(ctx, chromedp.Value("#password")); got != "" {
			t.Error("password field after a wrong password is filled in, want it empty")
		}
	})

	t.Run("sign in returns to the page asked for", func(t *testing.T) {
		open(t, ctx, s.url("/organisation"))
		if p := pathOf(t, ctx, s.URL); !strings.HasPrefix(p, "/logga-in") {
			t.Fatalf("signed-out /organisation led to %s, want the sign-in page", p)
		}
		submitSignIn(t, ctx, chefEmail, demo.Password)
		if p := pathOf(t, ctx, s.URL); p != "/organisation" {
			t.Errorf("after signing in the browser is at %s, want /organisation", p)
		}
	})

	t.Run("sign out", func(t *testing.T) {
		open(t, ctx, s.url("/"))
		if got := textOf(t, ctx, "header .who"); got == "" {
			t.Fatal("no name in the header while signed in")
		}
		signOut(t, ctx)
		if p := pathOf(t, ctx, s.URL); p != "/logga-in" {
			t.Errorf("after signing out the browser is at %s, want /logga-in", p)
		}
		if got := textOf(t, ctx, ".flash"); got != "Du är utloggad." {
			t.Errorf("after signing out the page says %q, want %q", got, "Du är utloggad.")
		}
		if has(t, ctx, "header .who") || has(t, ctx, `header form[action="/logga-ut"]`) {
			t.Error("the header still shows someone signed in")
		}
		open(t, ctx, s.url("/organisation"))
		if p := pathOf(t, ctx, s.URL); !strings.HasPrefix(p, "/logga-in") {
			t.Errorf("/organisation after signing out shows %s, want the sign-in page", p)
		}
	})

	t.Run("English and back", func(t *testing.T) {
		open(t, ctx, s.url("/logga-in"))
		press(t, ctx, `header button[name=lang][value=en]`)
		if got := heading(t, ctx); got != "Sign in" {
			t.Errorf("sign-in page in English has heading %q, want %q", got, "Sign in")
		}
		if got := textOf(t, ctx, `label[for=password]`); got != "Password" {
			t.Errorf("password label in English is %q, want Password", got)
		}
		if lang, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`)); lang != "en" {
			t.Errorf("page language %q, want en", lang)
		}
		checkAxe(t, ctx)

		submitSignIn(t, ctx, adminEmail, demo.Password)
		links := navLinks(t, ctx)
		for _, want := range []string{"Home", "Organisation", "People", "Settings"} {
			if !slices.Contains(links, want) {
				t.Errorf("English menu %q, want %s in it", links, want)
			}
		}
		if got := textOf(t, ctx, `header form[action="/logga-ut"] button`); got != "Sign out" {
			t.Errorf("sign-out button in English says %q, want Sign out", got)
		}
		checkAxe(t, ctx)

		press(t, ctx, `header button[name=lang][value=sv]`)
		if p := pathOf(t, ctx, s.URL); p != "/" {
			t.Errorf("switching back to Swedish led to %s, want the same page /", p)
		}
		links = navLinks(t, ctx)
		if !slices.Contains(links, "Start") || !slices.Contains(links, "Personer") {
			t.Errorf("menu after switching back %q, want Start and Personer", links)
		}
		if lang, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`)); lang != "sv" {
			t.Errorf("page language %q, want sv", lang)
		}
	})
}

// formErrors returns the error messages the current page shows, for messages.
func formErrors(t testing.TB, ctx context.Context) string {
	t.Helper()
	msgs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('.error-message, .field-error')).map(e => e.textContent.trim())`))
	if err != nil {
		t.Fatalf("read errors on %s: %v", location(ctx), err)
	}
	return strings.Join(msgs, " | ")
}
