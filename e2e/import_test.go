package e2e

import (
	"context"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/vard-kommun/vard/internal/org"
)

// TestHRImportInTheBrowser: a new kommun's admin uploads the HR system's
// export, reads the preview, carries the import out and finds the people in
// Värd. The kommun is new, so that the import deactivates nobody.
func TestHRImportInTheBrowser(t *testing.T) {
	s := newSite(t)
	const password = "importlösenord-1"
	admin := newKommun(t, s, "importby", "Importby kommun", "ingrid@importby.example", password)
	ctx := newBrowser(t)
	signIn(t, ctx, s, admin.Email, password)

	press(t, ctx, `header nav a[href="/import"]`)
	if got := heading(t, ctx); got != "Importera organisationen" {
		t.Fatalf("import page has heading %q, want %q", got, "Importera organisationen")
	}
	checkAxe(t, ctx)
	checkPageErrors(t, ctx)

	upload(t, ctx, "personal.csv")
	jobPath := pathOf(t, ctx, s.URL)
	if !strings.HasPrefix(jobPath, "/import/") {
		t.Fatalf("after uploading the browser is at %s, want an import's page", jobPath)
	}
	waitForImport(t, ctx, "Förhandsgranskad")
	checkAxe(t, ctx)
	checkPageErrors(t, ctx)
	if got := textOf(t, ctx, "main"); !strings.Contains(got, "Ingenting har ändrats ännu") {
		t.Errorf("preview says %q, want it to say nothing has changed yet", got)
	}
	wantCounts(t, ctx, "preview", map[string]int{
		"Nya personer": 10, "Avaktiverade personer": 0, "Rader med fel": 0,
		// Two förvaltningar, two enheter, four arbetslag.
		"Nya enheter": 8,
	})
	if got := textOf(t, ctx, "main"); !strings.Contains(got, "Zetterlund") || !strings.Contains(got, "Team Sjöstaden") {
		t.Errorf("preview does not list the new people and units: %q", got)
	}
	// Nothing is stored before the import is carried out.
	if n, err := s.App.Org.Store.CountPeople(context.Background(), admin.TenantID); err != nil || n != 1 {
		t.Errorf("people in the kommun after the preview: %d (%v), want 1, the admin", n, err)
	}

	press(t, ctx, `main form[action$="/genomfor"] button[type=submit]`)
	waitForImport(t, ctx, "Klar")
	checkAxe(t, ctx)
	checkPageErrors(t, ctx)
	if got := textOf(t, ctx, "main"); !strings.Contains(got, "Importen är genomförd.") {
		t.Errorf("result page says %q, want Importen är genomförd.", got)
	}
	if got := textOf(t, ctx, "#import-summary caption"); got != "Resultat" {
		t.Errorf("result table is captioned %q, want Resultat", got)
	}
	wantCounts(t, ctx, "result", map[string]int{"Nya personer": 10, "Nya enheter": 8, "Rader med fel": 0})
	if has(t, ctx, `main form[action$="/genomfor"]`) {
		t.Error("a finished import still offers to carry it out")
	}

	press(t, ctx, `header nav a[href="/personer"]`)
	if got := textOf(t, ctx, `main p[role=status]`); got != "11 personer" {
		t.Errorf("people page counts %q, want 11 personer (the admin and ten imported)", got)
	}
	table := textOf(t, ctx, "main table")
	for _, name := range []string{"Åberg, Ingela", "Öhman, Mats", "Zetterlund, Karin", "Ängström, Per"} {
		if !strings.Contains(table, name) {
			t.Errorf("people list %q, want %s in it", table, name)
		}
	}
	// Swedish order: Å, Ä, Ö come after Z.
	if z, aa, oe := strings.Index(table, "Zetterlund"), strings.Index(table, "Åberg"), strings.Index(table, "Öhman"); !(z < aa && aa < oe) {
		t.Errorf("people list is not in Swedish order (Zetterlund %d, Åberg %d, Öhman %d)", z, aa, oe)
	}

	press(t, ctx, `header nav a[href="/organisation"]`)
	// Arbetslag are inside closed <details>, so read the text, not what shows.
	tree, err := chromedp.Run(ctx, chromedp.TextContent("main .tree"))
	if err != nil {
		t.Fatal(err)
	}
	for _, unit := range []string{"Omsorgsförvaltningen", "Hemtjänst Väster", "Team Sjöstaden", "Sjöskolan"} {
		if !strings.Contains(tree, unit) {
			t.Errorf("organisation %q, want %s in it", tree, unit)
		}
	}

	press(t, ctx, `header nav a[href="/import"]`)
	if got := textOf(t, ctx, "main"); !strings.Contains(got, "personal.csv") {
		t.Errorf("import page does not list the import among the recent ones: %q", got)
	}
}

// TestHRImportWithUnknownColumns: a file whose headings Värd does not know
// leads to the page where the admin chooses the columns; an import may then
// be cancelled, after the browser asks.
func TestHRImportWithUnknownColumns(t *testing.T) {
	s := newSite(t)
	const password = "importlösenord-1"
	admin := newKommun(t, s, "kolumnby", "Kolumnby kommun", "karl@kolumnby.example", password)
	ctx := newBrowser(t)
	signIn(t, ctx, s, admin.Email, password)

	open(t, ctx, s.url("/import"))
	upload(t, ctx, "okanda_kolumner.csv")
	waitForImport(t, ctx, "Välj kolumner")
	checkAxe(t, ctx)
	checkPageErrors(t, ctx)

	press(t, ctx, `main a[href$="/kolumner"]`)
	if got := heading(t, ctx); got != "Välj kolumner" {
		t.Fatalf("columns page has heading %q, want Välj kolumner", got)
	}
	checkAxe(t, ctx)
	checkPageErrors(t, ctx)

	// Choosing too little is refused with the form shown again (the
	// browser's own check of the required fields is turned off to see it).
	noValidate(t, ctx, `main form[action$="/kolumner"]`)
	if got := press(t, ctx, `main form[action$="/kolumner"] button[type=submit]`); got != http.StatusUnprocessableEntity {
		t.Errorf("columns form without the required columns answered %d, want %d", got, http.StatusUnprocessableEntity)
	}
	if !has(t, ctx, "#columns-error") {
		t.Error("columns form without the required columns shows no error")
	}
	checkAxe(t, ctx)

	for field, col := range map[org.Field]int{
		org.FieldEmployeeID: 0, org.FieldGivenName: 1, org.FieldFamilyName: 2, org.FieldDepartment: 3,
	} {
		choose(t, ctx, "#col-"+string(field), strconv.Itoa(col))
	}
	press(t, ctx, `main form[action$="/kolumner"] button[type=submit]`)
	waitForImport(t, ctx, "Förhandsgranskad")
	wantCounts(t, ctx, "preview with chosen columns", map[string]int{"Nya personer": 2, "Nya enheter": 1})
	checkAxe(t, ctx)

	// Cancelling asks first (app.js); the person agrees.
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	asked := make(chan string, 1)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			asked <- ev.Message
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
			return
		}
	}()
	press(t, ctx, `main form[action$="/avbryt"] button[type=submit]`)
	select {
	case q := <-asked:
		if !strings.Contains(q, "avbryta importen") {
			t.Errorf("the browser asked %q, want whether to cancel the import", q)
		}
	default:
		t.Error("cancelling the import did not ask first")
	}
	if p := pathOf(t, ctx, s.URL); p != "/import" {
		t.Errorf("after cancelling the browser is at %s, want /import", p)
	}
	if got := textOf(t, ctx, ".flash"); !strings.Contains(got, "Importen är avbruten") {
		t.Errorf("after cancelling the page says %q, want Importen är avbruten", got)
	}
	if n, err := s.App.Org.Store.CountPeople(context.Background(), admin.TenantID); err != nil || n != 1 {
		t.Errorf("people in the kommun after cancelling: %d (%v), want 1, the admin", n, err)
	}
}

// newKommun adds a kommun with only its first kommunadmin, who has a password.
func newKommun(t *testing.T, s *site, slug, name, email, password string) *org.Person {
	t.Helper()
	ctx := context.Background()
	admin := &org.Person{GivenName: "Första", FamilyName: "Administratör", Email: email}
	if _, err := s.App.Org.CreateTenant(ctx, slug, name, admin); err != nil {
		t.Fatalf("create kommun %s: %v", slug, err)
	}
	if err := s.App.Auth.SetPassword(ctx, admin.ID, password); err != nil {
		t.Fatalf("set password of %s: %v", email, err)
	}
	return admin
}

// upload chooses the test file in the import form's file field and sends it.
func upload(t *testing.T, ctx context.Context, file string) {
	t.Helper()
	path, err := filepath.Abs(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles("#fil", []string{path})); err != nil {
		t.Fatalf("choose %s in the file field: %v", file, err)
	}
	if got := press(t, ctx, `main form[action="/import"] button[type=submit]`); got != http.StatusOK {
		t.Fatalf("uploading %s answered %d, want %d: %s", file, got, http.StatusOK, formErrors(t, ctx))
	}
}

// waitForImport watches the import's page, which reloads itself while the
// file is read or applied, until its status is want. It fails the test if
// the import stops in another state or takes more than half a minute.
func waitForImport(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	sawProgress := false
	last := ""
	for time.Now().Before(deadline) {
		// The page may be between two loads; then there is nothing to read yet.
		state, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
			const s = document.querySelector('#import-status');
			return [s ? s.textContent.trim() : '', document.querySelector('progress') ? 'progress' : ''];
		})()`))
		if err == nil && len(state) == 2 {
			last = state[0]
			sawProgress = sawProgress || state[1] != ""
			switch last {
			case want:
				t.Logf("import reached %q (progress bar seen: %v)", want, sawProgress)
				// Let a reload the page had already asked for pass.
				if err := chromedp.Do(ctx, chromedp.WaitReady("body")); err != nil {
					t.Fatal(err)
				}
				return
			case "Misslyckades", "Avbruten":
				t.Fatalf("import stopped as %q, want %q: %s", last, want, formErrors(t, ctx))
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("import still %q after 30 s, want %q", last, want)
}

// wantCounts checks rows of the import's summary table.
func wantCounts(t *testing.T, ctx context.Context, what string, want map[string]int) {
	t.Helper()
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`Object.fromEntries(
		Array.from(document.querySelectorAll('#import-summary tbody tr')).map(tr =>
			[tr.querySelector('th').textContent.trim(), tr.querySelector('td').textContent.trim()]))`))
	if err != nil {
		t.Fatalf("read the import summary: %v", err)
	}
	for label, n := range want {
		if got := rows[label]; got != strconv.Itoa(n) {
			t.Errorf("%s: %s is %q, want %d (summary %v)", what, label, got, n, rows)
		}
	}
}
