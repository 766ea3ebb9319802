package e2e

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// These tests check the harness itself against a tiny site that sends the same
// strict CSP as the app, so that a broken harness cannot make the app's
// browser tests pass by checking nothing.

const strictCSP = "default-src 'self'; script-src 'self'"

// pixelPNG is a 1×1 transparent PNG.
var pixelPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" +
	"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

const cleanPage = `<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Välkommen – Värd</title>
<script src="/app.js" defer></script>
</head>
<body>
<main>
<h1>Välkommen till visionsdagen</h1>
<p>Det goda livet i storstadens närhet.</p>
<img src="/pixel.png" alt="Röd matta vid entrén">
<form action="/" method="get">
<label for="namn">Namn</label> <input id="namn" name="namn">
<button type="submit">Anmäl</button>
</form>
</main>
</body>
</html>`

// dirtyPage has an image without alt text, and an inline script that the CSP
// must block.
const dirtyPage = `<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<title>Bild utan alt-text – Värd</title>
<script src="/app.js" defer></script>
</head>
<body>
<main>
<h1>Berättelser</h1>
<img id="matta" src="/pixel.png">
<script>window.inlineRan = true;</script>
</main>
</body>
</html>`

// harnessSite serves the pages above with the app's CSP.
func harnessSite(t *testing.T) *httptest.Server {
	t.Helper()
	page := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Security-Policy", strictCSP)
			io.WriteString(w, body)
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", page(cleanPage))
	mux.HandleFunc("GET /bild-utan-alt", page(dirtyPage))
	mux.HandleFunc("GET /app.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		io.WriteString(w, "document.documentElement.dataset.js = 'ok';\n")
	})
	mux.HandleFunc("GET /pixel.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(pixelPNG)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestHarnessFindsViolationUnderStrictCSP(t *testing.T) {
	ctx := newBrowser(t)
	site := harnessSite(t)

	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(site.URL+"/bild-utan-alt"))
	if err != nil {
		t.Fatalf("open page: %v", err)
	}
	if got := fmt.Sprint(resp.Headers["Content-Security-Policy"]); got != strictCSP {
		t.Fatalf("page sent CSP %q, want %q", got, strictCSP)
	}
	// The CSP is in force: the page's own script ran, the inline one did not.
	state, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`document.documentElement.dataset.js + ' ' + typeof window.inlineRan`))
	if err != nil {
		t.Fatal(err)
	}
	if state != "ok undefined" {
		t.Fatalf("script state %q, want %q (app.js ran, inline script blocked)", state, "ok undefined")
	}

	violations, err := axeViolations(ctx)
	if err != nil {
		t.Fatalf("axe under strict CSP: %v", err)
	}
	i := slices.IndexFunc(violations, func(v axeViolation) bool { return v.ID == "image-alt" })
	if i < 0 {
		t.Fatalf("axe found %v, want image-alt among them", violationIDs(violations))
	}
	if got := violations[i].Nodes; len(got) != 1 || !slices.Equal(got[0].Target, []string{"#matta"}) {
		t.Errorf("image-alt targets %+v, want one node #matta", got)
	}

	rec := &recordingTB{TB: t}
	rec.run(func(tb testing.TB) { checkAxe(tb, ctx) })
	msg := rec.message()
	for _, want := range []string{"image-alt (critical)", "#matta", "/bild-utan-alt", "dequeuniversity.com"} {
		if !strings.Contains(msg, want) {
			t.Errorf("checkAxe reported:\n%s\nwant it to mention %q", msg, want)
		}
	}
	if !rec.failed {
		t.Error("checkAxe passed a page with an image without alt text")
	}

	rec = &recordingTB{TB: t}
	rec.run(func(tb testing.TB) { checkPageErrors(tb, ctx) })
	if msg := rec.message(); !strings.Contains(msg, "CSP violation: script-src") {
		t.Errorf("checkPageErrors reported %q, want the blocked inline script", msg)
	}
}

func TestHarnessCleanPagePasses(t *testing.T) {
	ctx := newBrowser(t)
	site := harnessSite(t)

	visit(t, ctx, site.URL+"/")
	// A second check on the same page reuses the injected axe-core.
	checkAxe(t, ctx)

	lang, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.language`))
	if err != nil {
		t.Fatal(err)
	}
	if lang != "sv-SE" {
		t.Errorf("browser language %q, want sv-SE", lang)
	}
}

func TestHarnessPhoneScreen(t *testing.T) {
	ctx := newPhoneBrowser(t)
	site := harnessSite(t)

	visit(t, ctx, site.URL+"/")
	width := func() int {
		w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.innerWidth`))
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	if got := width(); got != phoneScreen.width {
		t.Errorf("phone page is %d px wide, want %d", got, phoneScreen.width)
	}
	touch, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`matchMedia('(pointer: coarse)').matches`))
	if err != nil {
		t.Fatal(err)
	}
	if !touch {
		t.Error("phone screen has no coarse pointer, want touch emulation")
	}

	useScreen(t, ctx, desktopScreen)
	if got := width(); got != desktopScreen.width {
		t.Errorf("after useScreen(desktop) page is %d px wide, want %d", got, desktopScreen.width)
	}
}

func TestHarnessSkipsOnlyWhenAllowed(t *testing.T) {
	for _, tc := range []struct {
		name       string
		requireAll string
		wantSkip   bool
	}{
		{"skips on a developer machine", "", true},
		{"fails when every test must run", "1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("VARD_CHROMIUM", "")
			t.Setenv("VARD_REQUIRE_ALL", tc.requireAll)
			rec := &recordingTB{TB: t}
			rec.run(func(tb testing.TB) { browserEnv(tb) })
			if rec.skipped != tc.wantSkip || rec.failed == tc.wantSkip {
				t.Errorf("skipped=%v failed=%v, want skipped=%v failed=%v",
					rec.skipped, rec.failed, tc.wantSkip, !tc.wantSkip)
			}
		})
	}
}

func violationIDs(vs []axeViolation) []string {
	ids := make([]string, len(vs))
	for i, v := range vs {
		ids[i] = v.ID
	}
	return ids
}

// recordingTB stands in for a test to see what a helper reports, without
// failing the real test. Everything else goes to the real test.
type recordingTB struct {
	testing.TB
	mu      sync.Mutex
	msgs    []string
	failed  bool
	skipped bool
}

// run calls f on its own goroutine, as Fatal and Skip end the goroutine.
func (r *recordingTB) run(f func(testing.TB)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
}

func (r *recordingTB) record(failed, skipped bool, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, msg)
	r.failed = r.failed || failed
	r.skipped = r.skipped || skipped
}

func (r *recordingTB) message() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.msgs, "\n")
}

func (r *recordingTB) Helper()                   {}
func (r *recordingTB) Error(args ...any)         { r.record(true, false, fmt.Sprint(args...)) }
func (r *recordingTB) Errorf(f string, a ...any) { r.record(true, false, fmt.Sprintf(f, a...)) }
func (r *recordingTB) Fatal(args ...any) {
	r.record(true, false, fmt.Sprint(args...))
	runtime.Goexit()
}
func (r *recordingTB) Fatalf(f string, a ...any) {
	r.record(true, false, fmt.Sprintf(f, a...))
	runtime.Goexit()
}
func (r *recordingTB) Skip(args ...any) { r.record(false, true, fmt.Sprint(args...)); runtime.Goexit() }
func (r *recordingTB) Skipf(f string, a ...any) {
	r.record(false, true, fmt.Sprintf(f, a...))
	runtime.Goexit()
}
