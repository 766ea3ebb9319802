package e2e

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/vard-kommun/vard/internal/stories"
)

// storyPhoto writes a JPEG photo to a file for the form's file field.
func storyPhoto(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 120, 80))
	for y := range 80 {
		for x := range 120 {
			img.Set(x, y, color.RGBA{uint8(180 + x%60), 20, 40, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "röda mattan.jpg")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeIn types text at the end of a form field, empty or not, without emptying it first.
func writeIn(t testing.TB, ctx context.Context, sel, text string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.SendKeys(sel, text, chromedp.NodeVisible)); err != nil {
		t.Fatalf("type into %s on %s: %v", sel, location(ctx), err)
	}
}

// chooseFile puts a file in the file field sel, as a person picking it would.
func chooseFile(t testing.TB, ctx context.Context, sel, path string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(sel, []string{path}, chromedp.NodeReady)); err != nil {
		t.Fatalf("choose %s for %s: %v", path, sel, err)
	}
}

// imageShown reports whether the first element sel finds is an image that loaded, scrolling it into
// view and waiting a little for it, since a lazy image loads only near the screen.
func imageShown(t testing.TB, ctx context.Context, sel string) bool {
	t.Helper()
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`new Promise(done => {
		const i = document.querySelector(`+"`"+sel+"`"+`);
		if (!i) return done(false);
		i.scrollIntoView();
		if (i.complete && i.naturalWidth > 0) return done(true);
		i.addEventListener('load', () => done(i.naturalWidth > 0));
		i.addEventListener('error', () => done(false));
		setTimeout(() => done(i.complete && i.naturalWidth > 0), 5000);
	})`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("look at %s on %s: %v", sel, location(ctx), err)
	}
	return ok
}

// checkHere checks the current page: no axe violation, script error or CSP violation.
func checkHere(t testing.TB, ctx context.Context) {
	t.Helper()
	checkAxe(t, ctx)
	checkPageErrors(t, ctx)
}

// submitStory fills in the story form on the current page and sends it, returning the status.
func submitStory(t *testing.T, ctx context.Context, title, body, photo string) int {
	t.Helper()
	writeIn(t, ctx, "#title", title)
	writeIn(t, ctx, "#body", body)
	tick(t, ctx, `main input[name=words]`)
	if photo != "" {
		chooseFile(t, ctx, "#image", photo)
		writeIn(t, ctx, "#image_alt", "Elever går in på en röd matta vid skolans entré")
	}
	tick(t, ctx, "#public")
	return press(t, ctx, `main form button[type=submit]`)
}

// TestStoryFromSubmissionToPublicPage: the demo medarbetare tells a story with a photo, the
// kommunadmin approves it, and it shows in the feed, on the public page and in the snippet; every page
// on the way passes axe.
func TestStoryFromSubmissionToPublicPage(t *testing.T) {
	s := newSite(t)
	ctx := newBrowser(t)
	photo := storyPhoto(t)
	signInAs(t, ctx, s, employeeEmail)

	press(t, ctx, `header nav a[href="/berattelser"]`)
	if got := heading(t, ctx); got != "Berättelser" {
		t.Fatalf("the feed has heading %q", got)
	}
	if !has(t, ctx, "main article.story") {
		t.Error("the feed shows none of the demo's stories")
	}
	checkHere(t, ctx)

	press(t, ctx, `main a[href="/berattelser/ny"]`)
	checkHere(t, ctx)
	t.Run("the form with errors", func(t *testing.T) {
		noValidate(t, ctx, `main form[action="/berattelser"]`)
		chooseFile(t, ctx, "#image", photo)
		if got := press(t, ctx, `main form button[type=submit]`); got != http.StatusUnprocessableEntity {
			t.Errorf("an empty form with a photo answered %d, want 422", got)
		}
		for _, sel := range []string{"#title[aria-invalid=true]", "#body[aria-invalid=true]", "#image_alt[aria-invalid=true]"} {
			if !has(t, ctx, sel) {
				t.Errorf("%s: not marked invalid", sel)
			}
		}
		checkHere(t, ctx)
	})

	open(t, ctx, s.url("/berattelser/ny"))
	title := "Röd matta för nya elever på Ängsskolan"
	if got := submitStory(t, ctx, title, "Vi rullade ut en röd matta.\nEleverna applåderades in.", photo); got != http.StatusOK {
		t.Fatalf("submitting the story answered %d: %s", got, heading(t, ctx))
	}
	if got := heading(t, ctx); got != title {
		t.Errorf("after submitting the page says %q, want the story", got)
	}
	if got := textOf(t, ctx, ".flash"); !strings.Contains(got, "granskas") {
		t.Errorf("flash %q, want it to say the story is reviewed", got)
	}
	if !imageShown(t, ctx, "main img.story-image") {
		t.Error("the story's photo does not show")
	}
	checkHere(t, ctx)
	storyPath := pathOf(t, ctx, s.URL)

	mine := s.demoStory(t, employeeEmail, stories.StatusChangesRequested)
	others := s.demoStory(t, "", stories.StatusApproved)
	checkPages(t, ctx, s, []pageCase{
		{"my stories", "/berattelser/mina", http.StatusOK},
		{"editing a story sent back", "/berattelser/" + itoa(mine) + "/redigera", http.StatusOK},
		{"withdrawing, the question", storyPath + "/dra-tillbaka", http.StatusOK},
		{"consent", "/berattelser/samtycke", http.StatusOK},
		{"my feed", "/berattelser/flode", http.StatusOK},
		{"someone else's published story", "/berattelser/" + itoa(others), http.StatusOK},
		{"the feed searched and filtered", "/berattelser?q=matta&typ=example&sida=2", http.StatusOK},
		{"the review queue refused", "/berattelser/granska", http.StatusForbidden},
	})
	t.Run("consent given", func(t *testing.T) {
		open(t, ctx, s.url("/berattelser/samtycke"))
		if got := press(t, ctx, `main button[name=answer][value=ja]`); got != http.StatusOK {
			t.Errorf("consenting answered %d", got)
		}
		checkHere(t, ctx)
	})
	t.Run("a feed address", func(t *testing.T) {
		open(t, ctx, s.url("/berattelser/flode"))
		press(t, ctx, `main form[action="/berattelser/flode"] button`)
		if got := textOf(t, ctx, "#feed-url"); !strings.HasSuffix(got, "/berattelser.atom") {
			t.Errorf("feed address %q", got)
		}
		checkHere(t, ctx)
	})

	signInAs(t, ctx, s, adminEmail)
	open(t, ctx, s.url("/berattelser/granska"))
	checkHere(t, ctx)
	press(t, ctx, `main a[href="`+storyPath+`"]`)
	checkHere(t, ctx)
	t.Run("a rejection without a reason", func(t *testing.T) {
		noValidate(t, ctx, `main form[action$="/avvisa"]`)
		if got := press(t, ctx, `main form[action$="/avvisa"] button`); got != http.StatusUnprocessableEntity {
			t.Errorf("rejecting without a reason answered %d, want 422", got)
		}
		checkHere(t, ctx)
	})
	open(t, ctx, s.url(storyPath))
	if got := press(t, ctx, `main form[action$="/godkann"] button`); got != http.StatusOK {
		t.Fatalf("approving answered %d", got)
	}
	if got := textOf(t, ctx, ".flash"); got != "Berättelsen är godkänd." {
		t.Errorf("flash %q", got)
	}

	open(t, ctx, s.url("/berattelser?q=matta"))
	if got := textOf(t, ctx, "main"); !strings.Contains(got, title) {
		t.Errorf("the feed searched for matta does not show the story")
	}
	checkHere(t, ctx)
	checkPages(t, ctx, s, []pageCase{
		{"story settings", "/installningar/berattelser", http.StatusOK},
	})
	t.Run("story settings with an error", func(t *testing.T) {
		open(t, ctx, s.url("/installningar/berattelser"))
		writeIn(t, ctx, "#origins", "intranät utan https")
		if got := press(t, ctx, `main form[action="/installningar/berattelser"] button`); got != http.StatusUnprocessableEntity {
			t.Errorf("a bad origin answered %d, want 422", got)
		}
		checkHere(t, ctx)
	})

	signOut(t, ctx)
	open(t, ctx, s.url("/k/"+demoSlug+"/berattelser"))
	if got := textOf(t, ctx, "main"); !strings.Contains(got, title) {
		t.Errorf("the public page does not show the approved public story")
	}
	if !imageShown(t, ctx, `main img.story-image[alt="Elever går in på en röd matta vid skolans entré"]`) {
		t.Error("the public page does not show the story's photo")
	}
	checkHere(t, ctx)
	press(t, ctx, `main article.story h2 a`)
	if got := heading(t, ctx); got != title {
		t.Errorf("the public page's first story leads to %q, want the story", got)
	}
	checkHere(t, ctx)
	visitStatus(t, ctx, s.url("/k/"+demoSlug+"/berattelser/inbaddning"), http.StatusOK)
	if got := textOf(t, ctx, "main"); !strings.Contains(got, title) {
		t.Errorf("the snippet does not show the story")
	}
}

// demoStory returns a demo story in the status; with an e-mail address, one that person wrote, and
// without, one someone other than the demo medarbetare wrote.
func (s *site) demoStory(t *testing.T, email string, status stories.Status) int64 {
	t.Helper()
	employee := s.person(t, employeeEmail)
	list, _, err := s.App.Stories.Store.List(context.Background(), stories.Filter{TenantID: s.TenantID, Statuses: []stories.Status{status}, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range list {
		if (email != "" && st.AuthorID == s.person(t, email).ID) || (email == "" && st.AuthorID != employee.ID && st.SubjectID == 0) {
			return st.ID
		}
	}
	t.Fatalf("the demo has no %s story by %q", status, email)
	return 0
}

// TestStoryWithoutJavaScript: with scripts off, a medarbetare still tells a story with a photo.
func TestStoryWithoutJavaScript(t *testing.T) {
	s := newSite(t)
	ctx := newBrowser(t)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled,
		emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("turn off JavaScript: %v", err)
	}
	signInAs(t, ctx, s, employeeEmail)
	open(t, ctx, s.url("/berattelser/ny"))
	if got := submitStory(t, ctx, "Utan skript", "Det fungerar utan JavaScript.", storyPhoto(t)); got != http.StatusOK {
		t.Fatalf("submitting without JavaScript answered %d: %s", got, heading(t, ctx))
	}
	if got := heading(t, ctx); got != "Utan skript" {
		t.Errorf("after submitting the page says %q", got)
	}
	if !imageShown(t, ctx, "main img.story-image") {
		t.Error("the photo does not show")
	}
}

// TestStoryPagesOnAPhone: the stories pages fit a phone held upright and pass axe there.
func TestStoryPagesOnAPhone(t *testing.T) {
	s := newSite(t)
	ctx := newPhoneBrowser(t)
	signInAs(t, ctx, s, employeeEmail)
	story := s.demoStory(t, "", stories.StatusApproved)
	public, _, err := s.App.Stories.Store.List(context.Background(), stories.Filter{TenantID: s.TenantID, Published: true, PublicOnly: true, Limit: 1})
	if err != nil || len(public) == 0 {
		t.Fatalf("the demo has no public story: %v", err)
	}
	for _, p := range []pageCase{
		{"feed", "/berattelser", http.StatusOK},
		{"new story", "/berattelser/ny", http.StatusOK},
		{"a story", "/berattelser/" + itoa(story), http.StatusOK},
		{"my stories", "/berattelser/mina", http.StatusOK},
		{"consent", "/berattelser/samtycke", http.StatusOK},
		{"public page", "/k/" + demoSlug + "/berattelser", http.StatusOK},
		{"a public story", "/k/" + demoSlug + "/berattelser/" + itoa(public[0].ID), http.StatusOK},
		{"snippet", "/k/" + demoSlug + "/berattelser/inbaddning", http.StatusOK},
	} {
		t.Run(p.name, func(t *testing.T) {
			visitStatus(t, ctx, s.url(p.path), p.status)
			checkFitsScreen(t, ctx)
		})
	}
}
