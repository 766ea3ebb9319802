package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// checkPage checks the current page as every page of the värdegrund must be: no axe violation, no
// script error or CSP violation.
func checkPage(t testing.TB, ctx context.Context) {
	t.Helper()
	checkAxe(t, ctx)
	checkPageErrors(t, ctx)
}

// typeIntoEmpty types text into an empty form field sel (typeInto's emptying needs text to remove in a
// textarea).
func typeIntoEmpty(t testing.TB, ctx context.Context, sel, text string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.SendKeys(sel, text)); err != nil {
		t.Fatalf("type into %s on %s: %v", sel, location(ctx), err)
	}
}

// scripts turns JavaScript in the tab on or off.
func scripts(t testing.TB, ctx context.Context, on bool) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled,
		emulation.SetScriptExecutionDisabledParams{Value: !on}); err != nil {
		t.Fatalf("turn JavaScript on=%v: %v", on, err)
	}
}

// TestAdminWritesAndAdoptsANewVersion is the kommunadmin's work with the värdegrund: a new draft from
// the version in force, a värdeord added in an extra row of the form (without JavaScript), the
// council's decision recorded, the result on the start page and the public page, the comparison with
// the version before, and a draft thrown away.
func TestAdminWritesAndAdoptsANewVersion(t *testing.T) {
	s := newSite(t)
	ctx := newBrowser(t)
	signInAs(t, ctx, s, adminEmail)

	if got := textOf(t, ctx, "main .home-values"); !strings.Contains(got, "Det goda livet i storstadens närhet") || !strings.Contains(got, "Medkänsla") {
		t.Errorf("the start page's värdegrund says %q, want the demo's vision and värdeord", got)
	}
	checkPage(t, ctx)

	press(t, ctx, `header nav a[href="/vardegrund"]`)
	if got := heading(t, ctx); got != "Värdegrund" {
		t.Errorf("the värdegrund page has heading %q", got)
	}
	if !has(t, ctx, `link[rel=stylesheet][media=print][href*="print.css"]`) {
		t.Error("the värdegrund page has no print stylesheet")
	}
	checkPage(t, ctx)

	press(t, ctx, `main a[href="/vardegrund/versioner"]`)
	if got := textOf(t, ctx, "main table"); !strings.Contains(got, "Gällande") || !strings.Contains(got, "Ersatt") {
		t.Errorf("the history says %q, want a version in force and a replaced one", got)
	}
	checkPage(t, ctx)

	press(t, ctx, `main form[action="/vardegrund/utkast"] button[type=submit]`)
	if got := heading(t, ctx); !strings.HasPrefix(got, "Redigera utkast") {
		t.Fatalf("after creating a draft the page says %q, want the edit form", got)
	}
	if got, _ := chromedp.Run(ctx, chromedp.Value("#word-0-name")); got != "Tillsammans" {
		t.Errorf("the draft's first värdeord is %q, want the copy of Tillsammans", got)
	}
	checkPage(t, ctx)
	editPath := pathOf(t, ctx, s.URL)

	t.Run("extra rows without JavaScript", func(t *testing.T) {
		scripts(t, ctx, false)
		defer scripts(t, ctx, true)
		open(t, ctx, s.url(editPath))
		if has(t, ctx, "#word-5-name") {
			t.Fatal("the form has six rows of värdeord before asking for more, want the three words and two blank")
		}
		typeInto(t, ctx, "#vision", "Det goda livet i storstadens närhet – för alla.")
		if got := press(t, ctx, `main button[value=fler-ord]`); got != http.StatusOK {
			t.Fatalf("asking for more rows answered %d, want %d", got, http.StatusOK)
		}
		if !has(t, ctx, "#word-7-name") || has(t, ctx, "#word-8-name") {
			t.Error("after asking for more rows the form does not have three more")
		}
		if got, _ := chromedp.Run(ctx, chromedp.Value("#vision")); got != "Det goda livet i storstadens närhet – för alla." {
			t.Errorf("the vision typed before asking for rows became %q", got)
		}
		typeIntoEmpty(t, ctx, "#word-6-name", "Mod")
		typeIntoEmpty(t, ctx, "#word-6-meaning", "Vi vågar säga ifrån och pröva nytt.")
		typeIntoEmpty(t, ctx, "#word-6-behaviours", "Vi säger ifrån när något är fel.\nVi står för det vi gör.")
		if got := press(t, ctx, `main button[value=spara]`); got != http.StatusOK {
			t.Fatalf("saving the draft answered %d, want %d: %s", got, http.StatusOK, formErrors(t, ctx))
		}
		if got := textOf(t, ctx, ".flash"); got != "Utkastet är sparat." {
			t.Errorf("flash %q, want %q", got, "Utkastet är sparat.")
		}
		if got := textOf(t, ctx, "main .words"); !strings.Contains(got, "Mod") || !strings.Contains(got, "Vi står för det vi gör.") {
			t.Errorf("the saved draft's värdeord say %q, want Mod with its behaviours", got)
		}
	})
	checkPage(t, ctx)
	versionPath := pathOf(t, ctx, s.URL)

	t.Run("the form with an error", func(t *testing.T) {
		open(t, ctx, s.url(editPath))
		typeInto(t, ctx, "#promise-0-target_value", "snart")
		if got := press(t, ctx, `main button[value=spara]`); got != http.StatusUnprocessableEntity {
			t.Errorf("a target that is no number answered %d, want %d", got, http.StatusUnprocessableEntity)
		}
		if !has(t, ctx, "#promise-0-target_value[aria-invalid=true]") || !has(t, ctx, `main .error-message a[href="#promise-0-target_value"]`) {
			t.Error("the bad target is not marked invalid and linked from the summary")
		}
		checkPage(t, ctx)
	})

	t.Run("adopt", func(t *testing.T) {
		open(t, ctx, s.url(versionPath))
		press(t, ctx, `main a[href$="/anta"]`)
		checkPage(t, ctx)
		choose(t, ctx, "#date", "")
		if got := press(t, ctx, `main form[action$="/anta"] button[type=submit]`); got != http.StatusUnprocessableEntity {
			t.Errorf("adopting without a date answered %d, want %d", got, http.StatusUnprocessableEntity)
		}
		if !has(t, ctx, "#date[aria-invalid=true]") {
			t.Error("the missing date is not marked invalid")
		}
		checkPage(t, ctx)
		choose(t, ctx, "#date", time.Now().AddDate(0, 0, -1).Format(time.DateOnly))
		typeInto(t, ctx, "#registration_number", "KS 2026/88")
		press(t, ctx, `main form[action$="/anta"] button[type=submit]`)
		if p := pathOf(t, ctx, s.URL); p != "/vardegrund" {
			t.Fatalf("after adopting the browser is at %s, want /vardegrund: %s", p, formErrors(t, ctx))
		}
		if got := textOf(t, ctx, ".flash"); got != "Värdegrunden är antagen och gäller nu." {
			t.Errorf("flash %q after adopting", got)
		}
		if got := textOf(t, ctx, "main .adopted"); !strings.Contains(got, "KS 2026/88") {
			t.Errorf("the värdegrund in force says %q, want the new diarienummer", got)
		}
		checkPage(t, ctx)
	})

	press(t, ctx, `header nav a[href="/"]`)
	if got := textOf(t, ctx, "main .home-values"); !strings.Contains(got, "Mod") || !strings.Contains(got, "för alla") {
		t.Errorf("the start page's värdegrund says %q, want the adopted version", got)
	}

	t.Run("compare with the version before", func(t *testing.T) {
		open(t, ctx, s.url("/vardegrund/versioner"))
		press(t, ctx, `main form[action="/vardegrund/jamfor"] button[type=submit]`)
		if got := heading(t, ctx); got != "Jämför versioner" {
			t.Errorf("the comparison has heading %q", got)
		}
		if got := textOf(t, ctx, "main .diff"); !strings.Contains(got, "Mod") || !strings.Contains(got, "Ny") {
			t.Errorf("the comparison says %q, want Mod as new", got)
		}
		if got := textOf(t, ctx, "main .diff ins"); !strings.Contains(got, "för alla") {
			t.Errorf("the first insertion is %q, want the vision's new words", got)
		}
		checkPage(t, ctx)
	})

	t.Run("a draft thrown away", func(t *testing.T) {
		open(t, ctx, s.url("/vardegrund"))
		press(t, ctx, `main form[action="/vardegrund/utkast"] button[type=submit]`)
		draft := strings.TrimSuffix(pathOf(t, ctx, s.URL), "/redigera")
		open(t, ctx, s.url(draft))
		checkPage(t, ctx)
		press(t, ctx, `main a[href$="/ta-bort"]`)
		if got := heading(t, ctx); !strings.HasPrefix(got, "Ta bort utkastet") {
			t.Errorf("the confirmation asks %q", got)
		}
		checkPage(t, ctx)
		press(t, ctx, `main form[action$="/ta-bort"] button[type=submit]`)
		if got := textOf(t, ctx, ".flash"); got != "Utkastet är borttaget." {
			t.Errorf("flash %q after deleting the draft", got)
		}
		if got := open(t, ctx, s.url(draft)); got != http.StatusNotFound {
			t.Errorf("the deleted draft answered %d, want %d", got, http.StatusNotFound)
		}
	})

	t.Run("the public page", func(t *testing.T) {
		signOut(t, ctx)
		open(t, ctx, s.url("/k/"+demoSlug))
		press(t, ctx, `main a[href="/k/`+demoSlug+`/vardegrund"]`)
		if got := textOf(t, ctx, "main"); !strings.Contains(got, "Mod") || !strings.Contains(got, "Exempelby kommun") {
			t.Errorf("the public page says %q, want the adopted version", got)
		}
		checkPage(t, ctx)
	})
}

// TestMedarbetareReadsTheValues: an employee meets the värdegrund on the start page, reads it in full,
// and has no way into the drafts.
func TestMedarbetareReadsTheValues(t *testing.T) {
	s := newSite(t)
	ctx := newBrowser(t)
	signInAs(t, ctx, s, employeeEmail)
	if got := textOf(t, ctx, "main .home-values"); !strings.Contains(got, "Tillsammans") || !strings.Contains(got, "Drivkraft") {
		t.Errorf("the employee's start page says %q, want the värdeord", got)
	}
	checkPage(t, ctx)
	press(t, ctx, `main a[href="/vardegrund"]`)
	if got := textOf(t, ctx, "main .promises"); !strings.Contains(got, "inom en arbetsdag") || !strings.Contains(got, "Mål: 1 arbetsdag") {
		t.Errorf("the servicedeklaration says %q, want the e-mail promise with its target", got)
	}
	if has(t, ctx, `main a[href="/vardegrund/versioner"]`) || has(t, ctx, `main form[action="/vardegrund/utkast"]`) {
		t.Error("an employee is offered the versions or a new draft")
	}
	checkPage(t, ctx)
	checkPages(t, ctx, s, []pageCase{
		{"versions refused", "/vardegrund/versioner", http.StatusForbidden},
		{"comparison refused", "/vardegrund/jamfor", http.StatusForbidden},
	})
}

// TestValuesOnAPhone: the public värdegrund and the pages around it fit a phone held upright.
func TestValuesOnAPhone(t *testing.T) {
	s := newSite(t)
	ctx := newPhoneBrowser(t)
	for _, p := range []pageCase{
		{"public värdegrund", "/k/" + demoSlug + "/vardegrund", http.StatusOK},
		{"public värdegrund of an unknown kommun", "/k/finns-inte/vardegrund", http.StatusNotFound},
	} {
		t.Run(p.name, func(t *testing.T) {
			visitStatus(t, ctx, s.url(p.path), p.status)
			checkFitsScreen(t, ctx)
		})
	}
	signInAs(t, ctx, s, adminEmail)
	versions, err := s.App.Values.Versions(context.Background(), s.TenantID)
	if err != nil || len(versions) != 2 {
		t.Fatalf("got %d versions (%v), want the demo's two", len(versions), err)
	}
	newest, oldest := itoa(versions[0].ID), itoa(versions[1].ID)
	for _, p := range []pageCase{
		{"start page", "/", http.StatusOK},
		{"värdegrund", "/vardegrund", http.StatusOK},
		{"versions", "/vardegrund/versioner", http.StatusOK},
		{"one version", "/vardegrund/versioner/" + oldest, http.StatusOK},
		{"comparison", "/vardegrund/jamfor?fran=" + oldest + "&till=" + newest, http.StatusOK},
		{"comparison without versions chosen", "/vardegrund/jamfor", http.StatusOK},
		{"comparison with junk", "/vardegrund/jamfor?fran=x&till=y", http.StatusBadRequest},
		{"an adopted version cannot be edited", "/vardegrund/versioner/" + newest + "/redigera", http.StatusConflict},
	} {
		t.Run(p.name, func(t *testing.T) {
			visitStatus(t, ctx, s.url(p.path), p.status)
			checkFitsScreen(t, ctx)
		})
	}
	t.Run("edit form", func(t *testing.T) {
		open(t, ctx, s.url("/vardegrund/versioner/"+newest))
		press(t, ctx, `main form[action="/vardegrund/utkast"] button[type=submit]`)
		checkPage(t, ctx)
		checkFitsScreen(t, ctx)
		press(t, ctx, `main button[value=fler-loften]`)
		checkPage(t, ctx)
		checkFitsScreen(t, ctx)
		draft := strings.TrimSuffix(strings.Split(pathOf(t, ctx, s.URL), "#")[0], "/redigera")
		for _, p := range []string{draft, draft + "/anta", draft + "/ta-bort"} {
			visitStatus(t, ctx, s.url(p), http.StatusOK)
			checkFitsScreen(t, ctx)
		}
	})
}
