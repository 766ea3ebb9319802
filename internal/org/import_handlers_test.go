package org

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/vard-kommun/vard/internal/web"
	"github.com/vard-kommun/vard/internal/web/webtest"
)

// impServer is the import pages on the real router, with the viewer chosen per request.
type impServer struct {
	*impEnv
	handler http.Handler
	rd      *web.Renderer
	// The viewers: the kommun's admin, a colleague without the admin role, and another kommun's admin.
	admin, colleague, stranger *web.Viewer
}

func newImpServer(t *testing.T) *impServer {
	t.Helper()
	e := newImpEnv(t)
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	static, err := web.NewStatic()
	if err != nil {
		t.Fatal(err)
	}
	rd, err := web.NewRenderer(static, log)
	if err != nil {
		t.Fatal(err)
	}
	rt := web.NewRouter()
	rt.Fail = rd.Fail
	h := NewHandlers(e.svc, e.im, rd)
	h.importRoutes(rt)

	colleague := &Person{TenantID: e.tenant.ID, GivenName: "Kim", FamilyName: "Kollega", Active: true}
	if err := e.svc.SavePerson(ctx, colleague); err != nil {
		t.Fatal(err)
	}
	otherAdmin := &Person{GivenName: "Greta", FamilyName: "Granne", Email: "greta@grannby.example"}
	other, err := e.svc.CreateTenant(ctx, "grannby", "Grannby kommun", otherAdmin)
	if err != nil {
		t.Fatal(err)
	}
	s := &impServer{impEnv: e, rd: rd,
		admin:     &web.Viewer{PersonID: e.admin.ID, TenantID: e.tenant.ID, Name: "Ada Admin", Roles: []web.Role{web.RoleAdmin}},
		colleague: &web.Viewer{PersonID: colleague.ID, TenantID: e.tenant.ID, Name: "Kim Kollega"},
		stranger:  &web.Viewer{PersonID: otherAdmin.ID, TenantID: other.ID, Name: "Greta Granne", Roles: []web.Role{web.RoleAdmin}},
	}
	s.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if v, ok := r.Context().Value(impViewerKey{}).(*web.Viewer); ok {
			r = r.WithContext(web.WithViewer(r.Context(), v))
		}
		rt.ServeHTTP(w, r)
	})
	return s
}

type impViewerKey struct{}

// do sends a request as the viewer (nil for nobody) and returns the response with its body read.
func (s *impServer) do(t *testing.T, v *web.Viewer, method, path, contentType string, body io.Reader) (*http.Response, string) {
	t.Helper()
	r := httptest.NewRequest(method, path, body)
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	if v != nil {
		r = r.WithContext(context.WithValue(r.Context(), impViewerKey{}, v))
	}
	w := httptest.NewRecorder()
	s.handler.ServeHTTP(w, r)
	return w.Result(), w.Body.String()
}

func (s *impServer) form(t *testing.T, v *web.Viewer, path string, values url.Values) (*http.Response, string) {
	t.Helper()
	return s.do(t, v, http.MethodPost, path, "application/x-www-form-urlencoded", strings.NewReader(values.Encode()))
}

// upload posts a file as the upload form does.
func (s *impServer) upload(t *testing.T, v *web.Viewer, filename string, content []byte) (*http.Response, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, err := mw.CreateFormFile("fil", filename)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	return s.do(t, v, http.MethodPost, "/import", mw.FormDataContentType(), &b)
}

var impJobPath = regexp.MustCompile(`^/import/(\d+)$`)

// uploadJob uploads a file as the admin and returns the job's page address.
func (s *impServer) uploadJob(t *testing.T, filename string, content []byte) string {
	t.Helper()
	resp, body := s.upload(t, s.admin, filename, content)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !impJobPath.MatchString(loc) {
		t.Fatalf("upload: got %d to %q, want 303 to a job: %s", resp.StatusCode, loc, body)
	}
	return loc
}

func (s *impServer) work(t *testing.T) {
	t.Helper()
	if n := s.im.runPending(context.Background()); n == 0 {
		t.Fatal("the worker found nothing to do")
	}
}

func expectPage(t *testing.T, resp *http.Response, body string, status int, texts ...string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("got status %d, want %d\n%s", resp.StatusCode, status, body)
	}
	for _, text := range texts {
		if !strings.Contains(body, text) {
			t.Errorf("the page does not say %q", text)
		}
	}
}

func TestImportPagesFlow(t *testing.T) {
	s := newImpServer(t)

	resp, body := s.do(t, s.admin, "GET", "/import", "", nil)
	expectPage(t, resp, body, 200, `enctype="multipart/form-data"`, `name="fil"`, "Anställningsnummer (obligatorisk)", "Inga importer ännu.")

	job := s.uploadJob(t, "personal.csv", impCSV(impPeople(60), ";"))
	resp, body = s.do(t, s.admin, "GET", job, "", nil)
	expectPage(t, resp, body, 200, `<meta http-equiv="refresh" content="1">`, "<progress", "Väntar på att läsas")

	s.work(t)
	resp, body = s.do(t, s.admin, "GET", job, "", nil)
	expectPage(t, resp, body, 200, "<caption>Förhandsgranskning</caption>", "Nya personer</th><td class=\"num\">60</td>",
		"Nya enheter</th><td class=\"num\">34</td>", "Genomför importen", "Ändra kolumnval", "Avbryt importen")
	if strings.Contains(body, "http-equiv") {
		t.Error("a previewed job's page still refreshes itself")
	}

	// Another kommun's admin cannot see or touch the job, and learns nothing of it.
	for _, r := range []struct{ method, path string }{
		{"GET", job}, {"GET", job + "/kolumner"}, {"POST", job + "/kolumner"}, {"POST", job + "/genomfor"}, {"POST", job + "/avbryt"},
	} {
		resp, body := s.do(t, s.stranger, r.method, r.path, "application/x-www-form-urlencoded", strings.NewReader(""))
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("another kommun's admin: %s %s got %d, want 404", r.method, r.path, resp.StatusCode)
		}
		if strings.Contains(body, "personal.csv") {
			t.Errorf("another kommun's admin: %s %s shows the file name", r.method, r.path)
		}
	}
	resp, body = s.do(t, s.stranger, "GET", "/import", "", nil)
	expectPage(t, resp, body, 200, "Inga importer ännu.")
	// A colleague without the admin role may not use the import at all.
	if resp, _ := s.do(t, s.colleague, "GET", job, "", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a colleague got %d, want 403", resp.StatusCode)
	}
	if resp, _ := s.do(t, nil, "GET", "/import", "", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("nobody got %d, want a redirect to sign in", resp.StatusCode)
	}

	resp, _ = s.form(t, s.admin, job+"/genomfor", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != job {
		t.Fatalf("apply: got %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body = s.do(t, s.admin, "GET", job, "", nil)
	expectPage(t, resp, body, 200, "Importen genomförs.", "<progress", `http-equiv="refresh"`)
	// Pressing the button twice queues nothing more.
	resp, _ = s.form(t, s.admin, job+"/genomfor", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("second apply: got %d, want a redirect", resp.StatusCode)
	}
	s.work(t)
	resp, body = s.do(t, s.admin, "GET", job, "", nil)
	expectPage(t, resp, body, 200, "Importen är genomförd.", "<caption>Resultat</caption>", "Klar")
	if strings.Contains(body, "Genomför importen") || strings.Contains(body, "Avbryt importen") {
		t.Error("a done import still offers to apply or cancel")
	}
	if n := len(s.people(t, false)); n != 62 {
		t.Errorf("got %d active people, want 60 imported, the admin and the colleague", n)
	}
	resp, body = s.do(t, s.admin, "GET", "/import", "", nil)
	expectPage(t, resp, body, 200, "<caption>Senaste importer</caption>", `<a href="`+job+`">personal.csv</a>`, "Klar")

	// The same file again: nothing to do, so nothing to apply.
	again := s.uploadJob(t, "personal.csv", impCSV(impPeople(60), ";"))
	s.work(t)
	resp, body = s.do(t, s.admin, "GET", again, "", nil)
	expectPage(t, resp, body, 200, "Filen stämmer redan med organisationen i Värd.", "Oförändrade personer</th><td class=\"num\">60</td>")
	if strings.Contains(body, "Genomför importen") {
		t.Error("an import without changes offers to apply")
	}
	resp, _ = s.form(t, s.admin, again+"/avbryt", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/import" {
		t.Errorf("cancel: got %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body = s.do(t, s.admin, "GET", again, "", nil)
	expectPage(t, resp, body, 200, "Avbruten")
}

func TestImportPageShowsRowErrors(t *testing.T) {
	s := newImpServer(t)
	people := impPeople(30)
	people[4].Given = ""
	people[9].ID = people[8].ID
	job := s.uploadJob(t, "fel.csv", impCSV(people, ","))
	s.work(t)
	resp, body := s.do(t, s.admin, "GET", job, "", nil)
	expectPage(t, resp, body, 200, "Filen har fel och kan inte importeras.", "<caption>Rader med fel</caption>",
		`<td class="num">6</td><td>100004</td><td>Förnamn saknas.</td>`, "finns också på rad 10")
	if strings.Contains(body, "Genomför importen") {
		t.Error("a file with errors offers to apply")
	}
	resp, _ = s.form(t, s.admin, job+"/genomfor", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("apply of a file with errors: got %d, want a redirect back", resp.StatusCode)
	}
	if j, _ := s.im.job(context.Background(), s.tenant.ID, impJobID(t, job)); j.Status != importPreviewed {
		t.Errorf("got %s, want the job still previewed", j.Status)
	}
	if n := s.im.runPending(context.Background()); n != 0 {
		t.Errorf("the worker found %d jobs, want none", n)
	}
}

func impJobID(t *testing.T, path string) int64 {
	t.Helper()
	var id int64
	for _, c := range impJobPath.FindStringSubmatch(path)[1] {
		id = id*10 + int64(c-'0')
	}
	return id
}

func TestImportColumnsAreChosenOnceAndRemembered(t *testing.T) {
	s := newImpServer(t)
	// Headers no one could guess.
	file := "Kol A;Kol B;Kol C;Kol D;Kol E\r\n7001;Åsa;Öberg;Kultur;Biblioteket\r\n7002;Jöns;Ek;Kultur;\r\n"
	job := s.uploadJob(t, "egen.csv", []byte(file))
	s.work(t)
	resp, body := s.do(t, s.admin, "GET", job, "", nil)
	expectPage(t, resp, body, 200, "Välj kolumner", "Alla kolumner kunde inte kännas igen.", `href="`+job+`/kolumner"`)

	resp, body = s.do(t, s.admin, "GET", job+"/kolumner", "", nil)
	expectPage(t, resp, body, 200, `<select id="col-employee_id" name="employee_id" required`, `<option value="4">Kolumn 5: Kol E</option>`)

	// A column chosen twice, and a column that does not exist, are refused with a message.
	resp, body = s.form(t, s.admin, job+"/kolumner", url.Values{"employee_id": {"0"}, "given_name": {"0"}, "family_name": {"2"}, "department": {"3"}})
	expectPage(t, resp, body, http.StatusUnprocessableEntity, "är vald för både")
	resp, body = s.form(t, s.admin, job+"/kolumner", url.Values{"employee_id": {"99"}, "given_name": {"x"}})
	expectPage(t, resp, body, http.StatusUnprocessableEntity, "Välj en av filens kolumner.")

	resp, _ = s.form(t, s.admin, job+"/kolumner", url.Values{"employee_id": {"0"}, "given_name": {"1"}, "family_name": {"2"}, "department": {"3"}, "unit": {"4"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("choose columns: got %d", resp.StatusCode)
	}
	s.work(t)
	j, _ := s.im.job(context.Background(), s.tenant.ID, impJobID(t, job))
	if j.Status != importPreviewed || j.Result.Created != 2 || j.Result.MappingSource != "chosen" {
		t.Fatalf("got %s (%s), %+v", j.Status, j.Message, j.Result)
	}

	// Next month's file has the same headers in another order: the saved choice fits.
	next := "Kol E;Kol D;Kol C;Kol B;Kol A\r\nBiblioteket;Kultur;Öberg;Åsa;7001\r\n"
	job2 := s.uploadJob(t, "egen2.csv", []byte(next))
	s.work(t)
	j, _ = s.im.job(context.Background(), s.tenant.ID, impJobID(t, job2))
	if j.Status != importPreviewed || j.Result.MappingSource != "saved" || j.Result.Created != 1 {
		t.Fatalf("got %s (%s), %+v", j.Status, j.Message, j.Result)
	}
	resp, body = s.do(t, s.admin, "GET", job2, "", nil)
	expectPage(t, resp, body, 200, "<caption>Kolumnval</caption>", "<th scope=\"row\">Förnamn</th><td>Kol B</td>")
}

func TestImportUploadProblems(t *testing.T) {
	s := newImpServer(t)
	tests := []struct {
		name        string
		contentType string
		body        []byte
		status      int
		text        string
	}{
		{"inte ett formulär med fil", "application/x-www-form-urlencoded", []byte("fil=abc"), 400, "Välj en fil att importera."},
		{"trasig multipart", "multipart/form-data; boundary=xyz", []byte("--xyz\r\ntrasig"), 400, "Välj en fil att importera."},
		{"ingen fil vald", "", nil, 422, "Välj en fil att importera."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var resp *http.Response
			var body string
			if tt.contentType == "" {
				resp, body = s.upload(t, s.admin, "", nil)
			} else {
				resp, body = s.do(t, s.admin, "POST", "/import", tt.contentType, bytes.NewReader(tt.body))
			}
			expectPage(t, resp, body, tt.status, tt.text, `aria-invalid="true"`)
		})
	}
	t.Run("för stor fil", func(t *testing.T) {
		resp, body := s.upload(t, s.admin, "stor.csv", bytes.Repeat([]byte("a;b\r\n"), MaxImportBytes/5+1))
		expectPage(t, resp, body, http.StatusRequestEntityTooLarge, "Filen är större än 20 MB.")
	})
	t.Run("trasig fil", func(t *testing.T) {
		job := s.uploadJob(t, `C:\Users\ada\trasig.xlsx`, []byte("PK\x03\x04inte en zip"))
		s.work(t)
		resp, body := s.do(t, s.admin, "GET", job, "", nil)
		expectPage(t, resp, body, 200, "Misslyckades", "Filen kunde inte läsas som Excel-fil", "Import av trasig.xlsx")
	})
	for _, path := range []string{"/import/abc", "/import/0", "/import/99999", "/import/-1/kolumner"} {
		if resp, _ := s.do(t, s.admin, "GET", path, "", nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: got %d, want 404", path, resp.StatusCode)
		}
	}
}

// TestImportPagesAreTranslated checks that every Swedish text the import pages translate has an English
// entry, so that a page in English is never half Swedish.
func TestImportPagesAreTranslated(t *testing.T) {
	s := newImpServer(t)
	texts := webtest.TemplateTexts(t, templates, "templates/import*.html")
	for _, label := range importStatusLabels {
		texts = append(texts, label)
	}
	for _, f := range importFields(nil) {
		texts = append(texts, f.Label)
		if f.Hint != "" {
			texts = append(texts, f.Hint)
		}
	}
	texts = append(texts, "Nya personer", "Ändrade personer", "Flyttade personer", "Återaktiverade personer", "Avaktiverade personer",
		"Oförändrade personer", "Nya enheter", "Enheter som öppnas igen", "Rader med fel", "Förnamn", "Efternamn", "E-post",
		"Befattning", "Roller", "Enhet", "Chef för", "Status", errTooLarge.Message)
	for _, text := range texts {
		if !s.rd.Catalog.Has(text) {
			t.Errorf("no English for %q", text)
		}
	}
}
