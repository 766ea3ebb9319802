// Package e2e holds Värd's browser tests: headless Chromium driven by chromedp,
// with axe-core checking every page for WCAG 2.1 A and AA problems.
//
// The tests need two environment variables, which scripts/test sets:
//
//	VARD_CHROMIUM  path to the Chromium binary (Debian's /usr/bin/chromium)
//	VARD_AXE_JS    path to axe-core's axe.min.js
//
// Without them the tests skip, unless VARD_REQUIRE_ALL=1, when they fail.
// The helpers live in harness_test.go: newBrowser, visit, checkAxe and
// checkPageErrors.
package e2e
