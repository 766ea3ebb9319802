package e2e

import (
	"context"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/vard-kommun/vard/internal/demo"
)

// TestPagesOnAPhone: the pages a chef or admin opens on the move fit a phone
// held upright (no sideways scrolling) and pass axe there.
func TestPagesOnAPhone(t *testing.T) {
	s := newSite(t)
	ctx := newPhoneBrowser(t)
	unit := s.chefUnit(t)

	open(t, ctx, s.url("/logga-in"))
	checkAxe(t, ctx)
	checkFitsScreen(t, ctx)
	signIn(t, ctx, s, adminEmail, demo.Password)

	for _, p := range []pageCase{
		{"start page", "/", http.StatusOK},
		{"organisation", "/organisation", http.StatusOK},
		{"enhet", "/enheter/" + itoa(unit.ID), http.StatusOK},
		{"enhet with the units under it", "/enheter/" + itoa(unit.ID) + "?under=1", http.StatusOK},
		{"people", "/personer", http.StatusOK},
		{"person", "/personer/" + itoa(s.person(t, employeeEmail).ID), http.StatusOK},
	} {
		t.Run(p.name, func(t *testing.T) {
			visitStatus(t, ctx, s.url(p.path), p.status)
			checkFitsScreen(t, ctx)
		})
	}
}

// checkFitsScreen fails the test if the current page is wider than the
// window, so that a person has to scroll sideways to read it.
func checkFitsScreen(t testing.TB, ctx context.Context) {
	t.Helper()
	type widths struct {
		Page, Window int
		Widest       string
	}
	w, err := chromedp.Run(ctx, chromedp.Evaluate[widths](`(() => {
		const win = window.innerWidth, page = document.documentElement.scrollWidth;
		if (page <= win) return {Page: page, Window: win, Widest: ''};
		// Name the element that sticks out furthest, leaving out those inside
		// a box that scrolls or clips them, for the message.
		const clipped = el => {
			for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
				if (getComputedStyle(a).overflowX !== 'visible') return true;
			}
			return false;
		};
		let widest = '', right = win;
		for (const el of document.body.querySelectorAll('*')) {
			const r = el.getBoundingClientRect();
			if (r.right > right + 0.5 && !clipped(el)) {
				right = r.right;
				widest = el.outerHTML.slice(0, 120) + ' (right edge at ' + Math.round(r.right) + ' px)';
			}
		}
		return {Page: page, Window: win, Widest: widest};
	})()`))
	if err != nil {
		t.Fatalf("measure %s: %v", location(ctx), err)
	}
	if w.Page > w.Window {
		t.Errorf("%s is %d px wide in a %d px window, want no sideways scrolling; widest: %s",
			location(ctx), w.Page, w.Window, w.Widest)
	}
}
