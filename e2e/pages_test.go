package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// pageCase is one page to check: where it is and the status it should answer.
type pageCase struct {
	name   string
	path   string
	status int
}

// checkPages visits each page in turn in the tab of ctx, as whoever is signed
// in there, and checks its status, axe and script errors.
func checkPages(t *testing.T, ctx context.Context, s *site, pages []pageCase) {
	t.Helper()
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			visitStatus(t, ctx, s.url(p.path), p.status)
		})
	}
}

// TestEveryPagePassesAxe visits every page of the site as the role that uses
// it, and the forms again with validation errors, and wants no WCAG 2.1 A/AA
// violation, script error or CSP violation on any of them.
func TestEveryPagePassesAxe(t *testing.T) {
	s := newSite(t)
	ctx := newBrowser(t)

	chefUnit := s.chefUnit(t)
	team := chefUnit.Children[0]
	outside := s.outsideUnit(t)
	employee := s.person(t, employeeEmail)
	chefUnitPath := "/enheter/" + itoa(chefUnit.ID)

	t.Run("anonymous", func(t *testing.T) {
		checkPages(t, ctx, s, []pageCase{
			{"sign-in page", "/logga-in", http.StatusOK},
			{"kommun's public page", "/k/" + demoSlug, http.StatusOK},
			{"kommun's sign-in page", "/k/" + demoSlug + "/logga-in", http.StatusOK},
			{"unknown kommun", "/k/finns-inte", http.StatusNotFound},
			{"page that does not exist", "/finns-inte", http.StatusNotFound},
		})
		t.Run("sign-in page with the wrong password", func(t *testing.T) {
			open(t, ctx, s.url("/logga-in"))
			if got := submitSignIn(t, ctx, adminEmail, "fel-lösenord"); got != http.StatusUnauthorized {
				t.Errorf("wrong password answered %d, want %d", got, http.StatusUnauthorized)
			}
			checkAxe(t, ctx)
			checkPageErrors(t, ctx)
		})
	})

	t.Run("kommunadmin", func(t *testing.T) {
		signInAs(t, ctx, s, adminEmail)
		checkPages(t, ctx, s, []pageCase{
			{"start page", "/", http.StatusOK},
			{"organisation", "/organisation", http.StatusOK},
			{"enhet", chefUnitPath, http.StatusOK},
			{"enhet with the units under it, page 2", chefUnitPath + "?under=1&sida=2", http.StatusOK},
			{"arbetslag", "/enheter/" + itoa(team.ID), http.StatusOK},
			{"new förvaltning", "/enheter/ny", http.StatusOK},
			{"new unit under an enhet", "/enheter/ny?overordnad=" + itoa(chefUnit.ID), http.StatusOK},
			{"move a unit", chefUnitPath + "/flytta", http.StatusOK},
			{"close a unit", chefUnitPath + "/stang", http.StatusOK},
			{"people", "/personer", http.StatusOK},
			{"people, page 2", "/personer?sida=2", http.StatusOK},
			{"people search", "/personer?q=" + employee.FamilyName, http.StatusOK},
			{"people search with no hits", "/personer?q=xyzzy", http.StatusOK},
			{"new person", "/personer/ny", http.StatusOK},
			{"new person in a unit", "/personer/ny?enhet=" + itoa(team.ID), http.StatusOK},
			{"person, edit form", "/personer/" + itoa(employee.ID), http.StatusOK},
			{"deactivate a person", "/personer/" + itoa(employee.ID) + "/avaktivera", http.StatusOK},
			{"settings", "/installningar", http.StatusOK},
			{"sign-in settings", "/installningar/inloggning", http.StatusOK},
			{"API tokens", "/installningar/api-nycklar", http.StatusOK},
			{"import", "/import", http.StatusOK},
			{"operator page refused", "/plattform/kommuner", http.StatusForbidden},
		})

		t.Run("API tokens with a new token shown", func(t *testing.T) {
			open(t, ctx, s.url("/installningar/api-nycklar"))
			typeInto(t, ctx, "#name", "Intranätet")
			if got := press(t, ctx, `main form[action="/installningar/api-nycklar"] button[type=submit]`); got != http.StatusOK {
				t.Errorf("creating a token answered %d, want %d", got, http.StatusOK)
			}
			if token := textOf(t, ctx, "#new-token"); !strings.HasPrefix(token, "vard_") {
				t.Errorf("new token shown as %q, want one starting vard_", token)
			}
			checkAxe(t, ctx)
			checkPageErrors(t, ctx)
		})

		t.Run("new person form with errors", func(t *testing.T) {
			open(t, ctx, s.url("/personer/ny"))
			if got := press(t, ctx, `main form[action="/personer"] button[type=submit]`); got != http.StatusUnprocessableEntity {
				t.Errorf("empty new-person form answered %d, want %d", got, http.StatusUnprocessableEntity)
			}
			if !has(t, ctx, "#given_name[aria-invalid=true]") {
				t.Error("empty new-person form: given name not marked invalid")
			}
			checkAxe(t, ctx)
			checkPageErrors(t, ctx)
		})

		t.Run("new unit form with errors", func(t *testing.T) {
			open(t, ctx, s.url("/enheter/ny"))
			// The browser's own check would stop an empty name; the
			// server's answer is what a browser without it gets.
			noValidate(t, ctx, `main form[action="/enheter"]`)
			tick(t, ctx, "#kind-team")
			if got := press(t, ctx, `main form[action="/enheter"] button[type=submit]`); got != http.StatusUnprocessableEntity {
				t.Errorf("empty new-unit form answered %d, want %d", got, http.StatusUnprocessableEntity)
			}
			checkAxe(t, ctx)
			checkPageErrors(t, ctx)
		})

		t.Run("token form with errors", func(t *testing.T) {
			open(t, ctx, s.url("/installningar/api-nycklar"))
			noValidate(t, ctx, `main form[action="/installningar/api-nycklar"]`)
			if got := press(t, ctx, `main form[action="/installningar/api-nycklar"] button[type=submit]`); got != http.StatusUnprocessableEntity {
				t.Errorf("token without a name answered %d, want %d", got, http.StatusUnprocessableEntity)
			}
			checkAxe(t, ctx)
			checkPageErrors(t, ctx)
		})

		t.Run("sign-in settings with errors", func(t *testing.T) {
			open(t, ctx, s.url("/installningar/inloggning"))
			tick(t, ctx, "#enabled")
			typeInto(t, ctx, "#issuer", "inte en adress")
			if got := press(t, ctx, `main form[action="/installningar/inloggning"] button[type=submit]`); got != http.StatusUnprocessableEntity {
				t.Errorf("settings with a bad issuer answered %d, want %d", got, http.StatusUnprocessableEntity)
			}
			checkAxe(t, ctx)
			checkPageErrors(t, ctx)
		})
	})

	t.Run("chef", func(t *testing.T) {
		signInAs(t, ctx, s, chefEmail)
		checkPages(t, ctx, s, []pageCase{
			{"start page", "/", http.StatusOK},
			{"organisation", "/organisation", http.StatusOK},
			{"own enhet", chefUnitPath, http.StatusOK},
			{"own enhet with the units under it, page 2", chefUnitPath + "?under=1&sida=2", http.StatusOK},
			{"person, read only", "/personer/" + itoa(employee.ID), http.StatusOK},
			{"unit elsewhere", "/enheter/" + itoa(outside.ID), http.StatusNotFound},
			{"admin page refused", "/personer", http.StatusForbidden},
		})
	})

	t.Run("medarbetare", func(t *testing.T) {
		signInAs(t, ctx, s, employeeEmail)
		checkPages(t, ctx, s, []pageCase{
			{"start page", "/", http.StatusOK},
			{"organisation refused", "/organisation", http.StatusForbidden},
		})
	})

	t.Run("platform operator", func(t *testing.T) {
		signInAs(t, ctx, s, operatorEmail)
		checkPages(t, ctx, s, []pageCase{
			{"kommuner", "/plattform/kommuner", http.StatusOK},
		})
		t.Run("new kommun form with errors", func(t *testing.T) {
			open(t, ctx, s.url("/plattform/kommuner"))
			typeInto(t, ctx, "#slug", "Ogiltigt kortnamn!")
			if got := press(t, ctx, `main form[action="/plattform/kommuner"] button[type=submit]`); got != http.StatusUnprocessableEntity {
				t.Errorf("invalid kommun form answered %d, want %d", got, http.StatusUnprocessableEntity)
			}
			if !has(t, ctx, "[aria-invalid=true]") {
				t.Error("invalid kommun form: no field marked invalid")
			}
			checkAxe(t, ctx)
			checkPageErrors(t, ctx)
		})
		t.Run("kommun created", func(t *testing.T) {
			open(t, ctx, s.url("/plattform/kommuner"))
			typeInto(t, ctx, "#name", "Nyby kommun")
			typeInto(t, ctx, "#slug", "nyby")
			typeInto(t, ctx, "#given_name", "Nora")
			typeInto(t, ctx, "#family_name", "Nybyggare")
			typeInto(t, ctx, "#email", "nora@nyby.example")
			if got := press(t, ctx, `main form[action="/plattform/kommuner"] button[type=submit]`); got != http.StatusOK {
				t.Errorf("new kommun answered %d, want %d", got, http.StatusOK)
			}
			if got := textOf(t, ctx, "main table"); !strings.Contains(got, "Nyby kommun") {
				t.Errorf("kommuner after creating Nyby: %q, want Nyby kommun listed", got)
			}
			checkAxe(t, ctx)
			checkPageErrors(t, ctx)
		})
	})
}

// noValidate turns off the browser's own form validation on the form sel, so
// that the server's validation shows.
func noValidate(t testing.TB, ctx context.Context, sel string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.SetAttributeValue(sel, "novalidate", "")); err != nil {
		t.Fatalf("turn off validation of %s: %v", sel, err)
	}
}

// TestErrorPagesSpeakSwedish: the not-found and no-access pages are in the
// language of the rest of the site, heading and title too.
func TestErrorPagesSpeakSwedish(t *testing.T) {
	s := newSite(t)
	ctx := newBrowser(t)
	signInAs(t, ctx, s, employeeEmail)
	for _, c := range []struct {
		name   string
		path   string
		status int
		text   string
	}{
		{"not found", "/finns-inte", http.StatusNotFound, "Sidan finns inte."},
		{"no access", "/organisation", http.StatusForbidden, "Du har inte behörighet till den här sidan."},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := open(t, ctx, s.url(c.path)); got != c.status {
				t.Errorf("%s answered %d, want %d", c.path, got, c.status)
			}
			if got := textOf(t, ctx, "main"); !strings.Contains(got, c.text) {
				t.Errorf("%s says %q, want %q", c.path, got, c.text)
			}
			english := http.StatusText(c.status)
			if got := heading(t, ctx); strings.Contains(got, english) {
				t.Errorf("%s on a Swedish page has the English heading %q", c.path, got)
			}
			if got, _ := chromedp.Run(ctx, chromedp.Title()); strings.Contains(got, english) {
				t.Errorf("%s on a Swedish page has the English title %q", c.path, got)
			}
		})
	}
}
