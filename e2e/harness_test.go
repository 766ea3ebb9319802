package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// browserTestTimeout bounds everything one test does in its browser, so that a
// hung page fails the test instead of running into go test's -timeout.
const browserTestTimeout = 3 * time.Minute

// screen is the size of the browser window a test looks through.
type screen struct {
	width, height int
	mobile        bool // emulate a touch phone: mobile viewport and touch events
}

var (
	// desktopScreen is a common laptop window.
	desktopScreen = screen{width: 1280, height: 900}
	// phoneScreen is a current phone held upright, as at the door at check-in.
	phoneScreen = screen{width: 390, height: 844, mobile: true}
)

// requireAll reports whether the run must not skip tests for want of a browser
// or database (scripts/test sets VARD_REQUIRE_ALL=1 under CI).
func requireAll() bool {
	return os.Getenv("VARD_REQUIRE_ALL") == "1"
}

// browserEnv returns the paths of Chromium and axe.min.js from the
// environment. It skips the test when either is unset, or fails it when the run
// requires every test.
func browserEnv(t testing.TB) (chromium, axeJS string) {
	t.Helper()
	chromium, axeJS = os.Getenv("VARD_CHROMIUM"), os.Getenv("VARD_AXE_JS")
	if chromium == "" || axeJS == "" {
		msg := "browser test needs VARD_CHROMIUM and VARD_AXE_JS (scripts/test sets them)"
		if requireAll() {
			t.Fatal(msg + ", and VARD_REQUIRE_ALL=1 forbids skipping")
		}
		t.Skip(msg)
	}
	for _, p := range []string{chromium, axeJS} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("browser test: %v", err)
		}
	}
	return chromium, axeJS
}

// newBrowser starts a fresh headless Chromium with a desktop-sized window and
// returns a chromedp context for its first tab, which asks for Swedish pages.
// The context has a deadline of browserTestTimeout; the browser, its profile and
// its tab are gone when the test ends. Every page the tab loads records its
// uncaught script errors and CSP violations for checkPageErrors.
func newBrowser(t testing.TB) context.Context {
	t.Helper()
	return newBrowserOn(t, desktopScreen)
}

// newPhoneBrowser is newBrowser with a phone-sized, touch-enabled screen.
func newPhoneBrowser(t testing.TB) context.Context {
	t.Helper()
	return newBrowserOn(t, phoneScreen)
}

// newBrowserOn is newBrowser on the given screen.
func newBrowserOn(t testing.TB, s screen) context.Context {
	t.Helper()
	chromium, _ := browserEnv(t)

	// The flags are the ones known to work here as root in a closed network:
	// without the background-networking ones Chromium keeps dialling Google.
	var output lockedBuffer
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(s.width, s.height),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// A Swedish browser, as the app's users have: Accept-Language and
		// navigator.language say sv-SE.
		chromedp.Flag("accept-lang", "sv-SE,sv"),
		chromedp.CombinedOutput(&output),
	)

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	// Cleanups run last-in first-out: the browser stops, and is waited for,
	// before t.TempDir removes its profile.
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})

	// The first Run starts the browser and binds its life to ctx, which has no
	// deadline; the context the test gets has one. A browser that does not
	// come up in a minute is stopped, failing the test.
	startTimer := time.AfterFunc(time.Minute, cancelAlloc)
	err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(s.width), int64(s.height), viewportOptions(s)...))
	if !startTimer.Stop() && err == nil {
		err = fmt.Errorf("no answer within a minute")
	}
	if err != nil {
		t.Fatalf("start chromium %s: %v\nbrowser output:\n%s", chromium, err, output.String())
	}
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument,
			page.AddScriptToEvaluateOnNewDocumentParams{Source: pageErrorRecorder})
		return err
	})); err != nil {
		t.Fatalf("install page error recorder: %v", err)
	}

	ctx, cancelDeadline := context.WithTimeout(ctx, browserTestTimeout)
	t.Cleanup(cancelDeadline)
	return ctx
}

// useScreen resizes the tab of ctx to s, for a test that looks at one page on a
// desktop and then on a phone.
func useScreen(t testing.TB, ctx context.Context, s screen) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(s.width), int64(s.height), viewportOptions(s)...)); err != nil {
		t.Fatalf("resize to %dx%d: %v", s.width, s.height, err)
	}
}

func viewportOptions(s screen) []chromedp.EmulateViewportOption {
	if s.mobile {
		return []chromedp.EmulateViewportOption{chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch}
	}
	return nil
}

// visit loads url in the tab of ctx and checks the page as every browser test
// should: no axe violations, no uncaught script error, no CSP violation.
func visit(t testing.TB, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	checkAxe(t, ctx)
	checkPageErrors(t, ctx)
}

// pageErrorRecorder runs in every document before the page's own scripts (a
// DevTools-installed script is not subject to the page's CSP) and keeps the
// errors that a person would only see in the console.
const pageErrorRecorder = `(() => {
	const errs = window.__vardPageErrors = [];
	window.addEventListener('error', e => {
		errs.push('uncaught error: ' + e.message + ' at ' + e.filename + ':' + e.lineno);
	});
	window.addEventListener('unhandledrejection', e => {
		errs.push('unhandled promise rejection: ' + String(e.reason));
	});
	document.addEventListener('securitypolicyviolation', e => {
		errs.push('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline code') +
			' at ' + e.sourceFile + ':' + e.lineNumber);
	});
})();`

// pageErrors returns the errors the current page has recorded so far. It first
// lets queued events run, since a browser reports a CSP violation as a task
// after the parser meets it.
func pageErrors(ctx context.Context) ([]string, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`new Promise(r => setTimeout(r, 0)).then(() => window.__vardPageErrors || [])`,
		chromedp.EvalAwaitPromise))
}

// checkPageErrors fails the test if the current page has had an uncaught
// script error, an unhandled promise rejection or a CSP violation.
func checkPageErrors(t testing.TB, ctx context.Context) {
	t.Helper()
	errs, err := pageErrors(ctx)
	if err != nil {
		t.Fatalf("read page errors: %v", err)
	}
	if len(errs) > 0 {
		t.Errorf("page %s has %d error(s), want none:\n  %s", location(ctx), len(errs), strings.Join(errs, "\n  "))
	}
}

// axeTags are the rule sets the app promises to meet: WCAG 2.1 level A and AA.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// axeViolation is one failed axe rule and the elements that failed it.
type axeViolation struct {
	ID     string    `json:"id"`
	Impact string    `json:"impact"`
	Help   string    `json:"help"`
	URL    string    `json:"helpUrl"`
	Nodes  []axeNode `json:"nodes"`
}

// axeNode is one element that fails an axe rule.
type axeNode struct {
	Target  []string `json:"target"` // CSS selectors; ">>>" crosses a shadow root or frame
	HTML    string   `json:"html"`
	Summary string   `json:"failureSummary"`
}

var (
	axeOnce   sync.Once
	axeSource string
	axeErr    error
)

// loadAxe reads axe.min.js once per test binary.
func loadAxe(path string) (string, error) {
	axeOnce.Do(func() {
		b, err := os.ReadFile(path)
		if err != nil {
			axeErr = err
			return
		}
		// The trailing expression keeps the script's own value, a large
		// object, from being sent back over the protocol.
		axeSource = string(b) + "\n;true"
	})
	return axeSource, axeErr
}

// axeViolations injects axe-core into the current page, if it is not there
// yet, and returns the WCAG 2.1 A/AA violations axe finds in it. Injection goes
// through DevTools' Runtime.evaluate, which the page's CSP does not restrict.
func axeViolations(ctx context.Context) ([]axeViolation, error) {
	src, err := loadAxe(os.Getenv("VARD_AXE_JS"))
	if err != nil {
		return nil, fmt.Errorf("read axe-core: %w", err)
	}
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === 'object'`))
	if err != nil {
		return nil, fmt.Errorf("look for axe-core: %w", err)
	}
	if !loaded {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](src)); err != nil {
			return nil, fmt.Errorf("inject axe-core: %w", err)
		}
	}
	tags, _ := json.Marshal(axeTags)
	script := `axe.run(document, {runOnly: {type: 'tag', values: ` + string(tags) + `}, resultTypes: ['violations']})
		.then(r => r.violations.map(v => ({
			id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
			nodes: v.nodes.map(n => ({
				target: n.target.map(s => Array.isArray(s) ? s.join(' >>> ') : String(s)),
				html: n.html, failureSummary: n.failureSummary || '',
			})),
		})))`
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](script, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("run axe-core: %w", err)
	}
	return violations, nil
}

// checkAxe runs axe-core on the current page of ctx and fails the test with
// every violation, its impact, what to do about it and which elements fail it.
func checkAxe(t testing.TB, ctx context.Context) {
	t.Helper()
	violations, err := axeViolations(ctx)
	if err != nil {
		t.Fatalf("axe on %s: %v", location(ctx), err)
	}
	if len(violations) > 0 {
		t.Errorf("axe found %d WCAG 2.1 AA violation(s) on %s, want none:\n%s",
			len(violations), location(ctx), formatViolations(violations))
	}
}

// formatViolations writes one paragraph per violation, one line per element.
func formatViolations(vs []axeViolation) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "  %s (%s): %s\n    %s\n", v.ID, v.Impact, v.Help, v.URL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "    - %s\n      %s\n", strings.Join(n.Target, ", "), oneLine(n.HTML, 200))
			for _, line := range strings.Split(strings.TrimSpace(n.Summary), "\n") {
				if line = strings.TrimSpace(line); line != "" {
					fmt.Fprintf(&b, "      %s\n", oneLine(line, 200))
				}
			}
		}
	}
	return b.String()
}

// oneLine folds s onto one line of at most limit runes.
func oneLine(s string, limit int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > limit {
		s = string(r[:limit]) + "…"
	}
	return s
}

// location returns the URL of the current page, for messages.
func location(ctx context.Context) string {
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "(unknown page)"
	}
	return u
}

// lockedBuffer collects Chromium's output, written from chromedp's goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
