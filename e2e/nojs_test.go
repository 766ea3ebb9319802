package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/vard-kommun/vard/internal/demo"
)

// TestCoreFlowsWithoutJavaScript: with scripts turned off in the browser, a
// kommunadmin still signs in and adds a unit through the forms.
func TestCoreFlowsWithoutJavaScript(t *testing.T) {
	s := newSite(t)
	ctx := newBrowser(t)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled,
		emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("turn off JavaScript: %v", err)
	}

	open(t, ctx, s.url("/logga-in"))
	// The proof that scripts are off: htmx, loaded by every page, did not run.
	if ran, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.htmx !== 'undefined'`)); err != nil || ran {
		t.Fatalf("htmx ran (%v, err %v), want JavaScript off", ran, err)
	}
	signIn(t, ctx, s, adminEmail, demo.Password)
	if got := heading(t, ctx); !strings.HasPrefix(got, "Välkommen") {
		t.Errorf("start page without JavaScript says %q, want a welcome", got)
	}

	parent := s.chefUnit(t)
	press(t, ctx, `header nav a[href="/organisation"]`)
	press(t, ctx, `main .tree a[href="/enheter/`+itoa(parent.ID)+`"]`)
	press(t, ctx, `main a[href="/enheter/ny?overordnad=`+itoa(parent.ID)+`"]`)
	typeInto(t, ctx, "#name", "Arbetslag Utan Skript")
	tick(t, ctx, "#kind-team")
	if got := press(t, ctx, `main form[action="/enheter"] button[type=submit]`); got != http.StatusOK {
		t.Fatalf("creating the arbetslag without JavaScript answered %d, want %d", got, http.StatusOK)
	}
	if got := heading(t, ctx); got != "Arbetslag Utan Skript" {
		t.Errorf("after creating the arbetslag the page says %q, want its name", got)
	}
	if got := textOf(t, ctx, "nav.crumbs"); !strings.Contains(got, parent.Name) {
		t.Errorf("breadcrumbs %q, want %s in them", got, parent.Name)
	}
	if got := textOf(t, ctx, ".flash"); got != "Enheten är skapad." {
		t.Errorf("flash %q, want %q", got, "Enheten är skapad.")
	}
}
