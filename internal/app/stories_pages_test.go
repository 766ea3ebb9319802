package app_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/vard-kommun/vard/internal/auth"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/stories"
)

// storyA returns a story of kommun A for the routes with a story id: one the victim wrote, waiting
// for moderation.
func (f *fixture) storyA(t *testing.T) int64 {
	t.Helper()
	var id int64
	if err := f.app.DB.Read().QueryRowContext(context.Background(), `SELECT COALESCE(MIN(id), 0) FROM stories WHERE tenant_id = $1`, f.tenantA.ID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if id == 0 {
		st, err := f.app.Stories.Submit(context.Background(), f.tenantA.ID, f.victimA.ID, stories.Input{Kind: stories.KindQuote,
			Body: "Vera i Team Öst möter alla med ett leende.", Credit: stories.CreditName})
		if err != nil {
			t.Fatal(err)
		}
		id = st.ID
	}
	return id
}

// send makes a request with a body of the given type as a person (nil for anonymous).
func (f *fixture) send(t *testing.T, as *org.Person, method, target, contentType string, body io.Reader) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if as != nil {
		tok, err := f.app.Auth.NewSession(context.Background(), as.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: tok})
	}
	rec := httptest.NewRecorder()
	f.app.Handler.ServeHTTP(rec, req)
	return rec
}

// storyForm is a multipart story form, with an image when file is not nil.
func storyForm(t *testing.T, fields url.Values, filename string, file []byte) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if file != nil {
		w, err := mw.CreateFormFile("image", filename)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(file)
	}
	mw.Close()
	return mw.FormDataContentType(), &buf
}

// photo is a JPEG as a phone makes it: with an Exif segment holding a position.
func photo(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 32, 24))
	for y := range 24 {
		for x := range 32 {
			img.Set(x, y, color.RGBA{200, 30, 30, 255})
		}
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, nil)
	b := buf.Bytes()
	exif := append([]byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x00"), []byte("GPSLatitude 59.3293 N")...)
	seg := append([]byte{0xFF, 0xE1, byte((len(exif) + 2) >> 8), byte(len(exif) + 2)}, exif...)
	return append(append(append([]byte{}, b[:2]...), seg...), b[2:]...)
}

// storyIDFrom reads the story id from a redirect to its page.
func storyIDFrom(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	m := regexp.MustCompile(`^/berattelser/(\d+)$`).FindStringSubmatch(rec.Header().Get("Location"))
	if rec.Code != http.StatusSeeOther || m == nil {
		t.Fatalf("got %d to %q, want 303 to the story\n%s", rec.Code, rec.Header().Get("Location"), rec.Body.String())
	}
	return m[1]
}

func expect(t *testing.T, name string, rec *httptest.ResponseRecorder, status int, want ...string) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("%s: got %d, want %d\n%s", name, rec.Code, status, firstLines(rec.Body.String(), 40))
	}
	for _, w := range want {
		if !strings.Contains(rec.Body.String(), w) {
			t.Errorf("%s: the answer lacks %q", name, w)
		}
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

func TestStorySubmissionAndModeration(t *testing.T) {
	f := newFixture(t)
	f.valuesVersionA(t)
	words, err := f.app.Values.Words(context.Background(), f.tenantA.ID)
	if err != nil || len(words) == 0 {
		t.Fatalf("kommun A has no värdeord: %v", err)
	}
	form := url.Values{"kind": {"example"}, "title": {"<script>alert('rubrik')</script>"},
		"body": {"Första raden <b>fet</b>\nandra raden\n\n<img src=x onerror=alert(1)>"}, "words": {words[0].Key},
		"unit_id": {itoa(f.teamA.ID)}, "credit": {"name"}, "public": {"1"}}

	t.Run("the form shows the kommun's värdeord", func(t *testing.T) {
		expect(t, "new story", f.send(t, f.employeeA, "GET", "/berattelser/ny", "", nil), 200, words[0].Name, `enctype="multipart/form-data"`, "Team Öst")
	})
	ct, body := storyForm(t, form, "", nil)
	id := storyIDFrom(t, f.send(t, f.employeeA, "POST", "/berattelser", ct, body))
	page := "/berattelser/" + id

	t.Run("the author sees the status and escaped text", func(t *testing.T) {
		rec := f.send(t, f.employeeA, "GET", page, "", nil)
		expect(t, "story", rec, 200, "Väntar på granskning", "&lt;script&gt;alert(&#39;rubrik&#39;)&lt;/script&gt;",
			"Första raden &lt;b&gt;fet&lt;/b&gt;<br>andra raden</p><p>&lt;img src=x onerror=alert(1)&gt;", words[0].Name, "Erik Testsson")
		if strings.Contains(rec.Body.String(), "<script>alert") || strings.Contains(rec.Body.String(), "<img src=x") {
			t.Error("the story's HTML came out unescaped")
		}
	})
	t.Run("another employee cannot see it yet", func(t *testing.T) {
		expect(t, "chef", f.send(t, f.chefA, "GET", page, "", nil), 404)
		expect(t, "public", f.send(t, nil, "GET", "/k/a-kommun/berattelser/"+id, "", nil), 404)
		expect(t, "feed", f.send(t, f.chefA, "GET", "/berattelser", "", nil), 200, "0 berättelser")
	})
	t.Run("an employee cannot moderate", func(t *testing.T) {
		expect(t, "queue", f.send(t, f.employeeA, "GET", "/berattelser/granska", "", nil), 403)
		expect(t, "approve", f.send(t, f.employeeA, "POST", page+"/godkann", "application/x-www-form-urlencoded", nil), 403)
	})
	t.Run("the moderator's queue lists it", func(t *testing.T) {
		expect(t, "queue", f.send(t, f.adminA, "GET", "/berattelser/granska", "", nil), 200, `href="`+page+`"`)
	})
	t.Run("a rejection needs a reason, a change a note", func(t *testing.T) {
		expect(t, "reject", f.send(t, f.adminA, "POST", page+"/avvisa", "application/x-www-form-urlencoded", strings.NewReader("reason=+")), 422, "Fältet måste fyllas i.", `id="reason-error"`)
		expect(t, "change", f.send(t, f.adminA, "POST", page+"/begar-andring", "application/x-www-form-urlencoded", strings.NewReader("note=")), 422, `id="note-error"`)
	})
	t.Run("the moderator asks for a change and the author sees the note", func(t *testing.T) {
		rec := f.send(t, f.adminA, "POST", page+"/begar-andring", "application/x-www-form-urlencoded", strings.NewReader(url.Values{"note": {"Skriv <em>mer</em> om eleverna."}}.Encode()))
		expect(t, "change", rec, 303)
		expect(t, "mine", f.send(t, f.employeeA, "GET", "/berattelser/mina", "", nil), 200, "Ändring begärd", "Skriv &lt;em&gt;mer&lt;/em&gt; om eleverna.", page+"/redigera")
	})
	t.Run("only the author may edit", func(t *testing.T) {
		expect(t, "edit as chef", f.send(t, f.chefA, "GET", page+"/redigera", "", nil), 404)
		expect(t, "edit form", f.send(t, f.employeeA, "GET", page+"/redigera", "", nil), 200, "Skriv &lt;em&gt;mer&lt;/em&gt; om eleverna.", "Skicka in igen")
	})
	t.Run("the author resubmits", func(t *testing.T) {
		form.Set("title", "Röda mattan")
		form.Set("body", "Nya elever välkomnades på röda mattan.")
		ct, body := storyForm(t, form, "", nil)
		expect(t, "resubmit", f.send(t, f.employeeA, "POST", page+"/redigera", ct, body), 303)
		expect(t, "approve", f.send(t, f.adminA, "POST", page+"/godkann", "application/x-www-form-urlencoded", nil), 303)
	})
	t.Run("approved, it is in the feed, the public page, the Atom feed and the API", func(t *testing.T) {
		expect(t, "feed", f.send(t, f.chefA, "GET", "/berattelser?q=mattan", "", nil), 200, "Röda mattan", "1 berättelse")
		expect(t, "feed by word", f.send(t, f.chefA, "GET", "/berattelser?ord="+words[0].Key, "", nil), 200, "Röda mattan")
		expect(t, "feed by förvaltning", f.send(t, f.chefA, "GET", "/berattelser?forvaltning="+itoa(f.teamA.ID), "", nil), 200, "Röda mattan")
		expect(t, "feed by kind", f.send(t, f.chefA, "GET", "/berattelser?typ=quote", "", nil), 200, "0 berättelser")
		expect(t, "public page", f.send(t, nil, "GET", "/k/a-kommun/berattelser", "", nil), 200, "Röda mattan", `type="application/atom+xml"`)
		expect(t, "the story's public page", f.send(t, nil, "GET", "/k/a-kommun/berattelser/"+id, "", nil), 200, "Röda mattan", "Erik Testsson")
		expect(t, "not under another kommun", f.send(t, nil, "GET", "/k/b-kommun/berattelser/"+id, "", nil), 404)
		expect(t, "atom", f.send(t, nil, "GET", "/k/a-kommun/berattelser.atom", "", nil), 200, "Röda mattan")
		expect(t, "api", f.api(t, "/api/v1/stories", f.tokenA), 200, `"title":"Röda mattan"`)
	})
	t.Run("withdrawn, it is nowhere", func(t *testing.T) {
		expect(t, "confirmation", f.send(t, f.employeeA, "GET", page+"/dra-tillbaka", "", nil), 200, "Ja, dra tillbaka")
		expect(t, "someone else", f.send(t, f.chefA, "POST", page+"/dra-tillbaka", "application/x-www-form-urlencoded", nil), 404)
		expect(t, "withdraw", f.send(t, f.employeeA, "POST", page+"/dra-tillbaka", "application/x-www-form-urlencoded", nil), 303)
		for name, rec := range map[string]*httptest.ResponseRecorder{
			"feed":        f.send(t, f.chefA, "GET", "/berattelser", "", nil),
			"public page": f.send(t, nil, "GET", "/k/a-kommun/berattelser", "", nil),
			"atom":        f.send(t, nil, "GET", "/k/a-kommun/berattelser.atom", "", nil),
			"embed":       f.send(t, nil, "GET", "/k/a-kommun/berattelser/inbaddning", "", nil),
			"api":         f.api(t, "/api/v1/stories", f.tokenA),
		} {
			if strings.Contains(rec.Body.String(), "Röda mattan") {
				t.Errorf("%s still shows the withdrawn story", name)
			}
		}
		expect(t, "page for others", f.send(t, f.adminA, "GET", page, "", nil), 404)
		expect(t, "public page of the story", f.send(t, nil, "GET", "/k/a-kommun/berattelser/"+id, "", nil), 404)
		expect(t, "api", f.api(t, "/api/v1/stories/"+id, f.tokenA), 404)
		expect(t, "the author's list", f.send(t, f.employeeA, "GET", "/berattelser/mina", "", nil), 200, "Tillbakadragen")
	})
}

func TestStoryFormRefusesBadInput(t *testing.T) {
	f := newFixture(t)
	f.valuesVersionA(t)
	base := url.Values{"kind": {"example"}, "title": {"Rubrik"}, "body": {"Text"}, "credit": {"name"}}
	with := func(k, v string) url.Values {
		out := url.Values{}
		for key, vs := range base {
			out[key] = vs
		}
		out.Set(k, v)
		return out
	}
	big := append(photo(t), make([]byte, 6<<20)...)
	for _, tt := range []struct {
		name     string
		form     url.Values
		filename string
		file     []byte
		status   int
		want     string
	}{
		{"an overlong title", with("title", strings.Repeat("x", 121)), "", nil, 422, "Texten får vara högst 120 tecken."},
		{"an overlong text", with("body", strings.Repeat("å", 4001)), "", nil, 422, "Texten får vara högst 4000 tecken."},
		{"junk in the kind", with("kind", "<script>"), "", nil, 422, "Välj exempel eller citat."},
		{"an unknown värdeord", with("words", "x' OR 1=1"), "", nil, 422, "Välj bland kommunens värdeord."},
		{"a unit id of junk", with("unit_id", "999999"), "", nil, 422, "Enheten finns inte."},
		{"an unknown colleague", with("subject", "ingen@a.example"), "", nil, 422, "Ingen aktiv medarbetare"},
		{"an image without alt text", base, "bild.jpg", photo(t), 422, "Beskriv bilden med en alternativ text"},
		{"text named .jpg", with("image_alt", "x"), "bild.jpg", []byte("Hej, jag är en textfil."), 422, "Filen är ingen bild"},
		{"an image over 5 MB", with("image_alt", "x"), "stor.jpg", big, 422, "Bilden får vara högst 5 MB."},
		{"a body over 12 MB", with("image_alt", "x"), "jatte.jpg", make([]byte, 13<<20), 413, "Bilden får vara högst 5 MB."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ct, body := storyForm(t, tt.form, tt.filename, tt.file)
			rec := f.send(t, f.employeeA, "POST", "/berattelser", ct, body)
			expect(t, tt.name, rec, tt.status, tt.want)
			if tt.status == 422 && !strings.Contains(rec.Body.String(), `aria-invalid="true"`) {
				t.Error("no field is marked invalid")
			}
		})
	}
	t.Run("a plain form without an image works too", func(t *testing.T) {
		storyIDFrom(t, f.send(t, f.employeeA, "POST", "/berattelser", "application/x-www-form-urlencoded", strings.NewReader(base.Encode())))
	})
	t.Run("bytes that are not UTF-8 in the filters", func(t *testing.T) {
		expect(t, "feed", f.send(t, f.employeeA, "GET", "/berattelser?q=%ff%fe+matta&ord=%ff&typ=%00&forvaltning=%ff", "", nil), 200)
		expect(t, "public page", f.send(t, nil, "GET", "/k/a-kommun/berattelser?ord=%ff", "", nil), 200)
		expectProblem(t, f.api(t, "/api/v1/stories?q=%ff", f.tokenA), 400)
		expectProblem(t, f.api(t, "/api/v1/stories?word=%ff", f.tokenA), 400)
		ct, body := storyForm(t, with("subject", "\xff@a.example"), "", nil)
		expect(t, "form", f.send(t, f.employeeA, "POST", "/berattelser", ct, body), 422, `id="subject-error"`)
	})
	for _, p := range []string{"/berattelser/abc", "/berattelser/0", "/berattelser/-1", "/berattelser/99999999", "/berattelser/1e3/redigera", "/berattelser/99999999/bild"} {
		expect(t, p, f.send(t, f.employeeA, "GET", p, "", nil), 404)
	}
}

func TestStoryImages(t *testing.T) {
	f := newFixture(t)
	form := url.Values{"kind": {"example"}, "title": {"Receptionen"}, "body": {"Receptionisten följde besökaren."}, "credit": {"anonymous"},
		"public": {"1"}, "image_alt": {"Receptionen i stadshuset"}}
	ct, body := storyForm(t, form, "../../etc/passwd.jpg", photo(t))
	id := storyIDFrom(t, f.send(t, f.employeeA, "POST", "/berattelser", ct, body))
	internal, public := "/berattelser/"+id+"/bild", "/k/a-kommun/berattelser/"+id+"/bild"

	rec := f.send(t, f.employeeA, "GET", internal, "", nil)
	expect(t, "the author's image", rec, 200)
	for h, want := range map[string]string{
		"Content-Type": "image/jpeg", "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'",
		"Content-Disposition": `inline; filename="berattelse-` + id + `.jpg"`,
	} {
		if got := rec.Header().Get(h); !strings.HasPrefix(got, want) {
			t.Errorf("%s: got %q, want %q", h, got, want)
		}
	}
	if b := rec.Body.Bytes(); bytes.Contains(b, []byte("Exif")) || bytes.Contains(b, []byte("GPSLatitude")) {
		t.Error("the served image still carries its Exif position")
	}
	if _, err := jpeg.Decode(bytes.NewReader(rec.Body.Bytes())); err != nil {
		t.Errorf("the served image is not a JPEG: %v", err)
	}
	expect(t, "another employee before approval", f.send(t, f.chefA, "GET", internal, "", nil), 404)
	expect(t, "another kommun's admin", f.send(t, f.adminB, "GET", internal, "", nil), 404)
	if rec := f.send(t, nil, "GET", internal, "", nil); rec.Code != http.StatusSeeOther {
		t.Errorf("anonymous: got %d, want a redirect to sign in", rec.Code)
	}
	expect(t, "public before approval", f.send(t, nil, "GET", public, "", nil), 404)
	expect(t, "approve", f.send(t, f.adminA, "POST", "/berattelser/"+id+"/godkann", "application/x-www-form-urlencoded", nil), 303)
	expect(t, "public after approval", f.send(t, nil, "GET", public, "", nil), 200)
	expect(t, "another kommun's address", f.send(t, nil, "GET", "/k/b-kommun/berattelser/"+id+"/bild", "", nil), 404)
	expect(t, "the public page shows it with its alt text", f.send(t, nil, "GET", "/k/a-kommun/berattelser", "", nil), 200,
		`alt="Receptionen i stadshuset"`, public+"?v=", "Anonym medarbetare")
	expect(t, "through the API", f.api(t, "/api/v1/stories/"+id+"/image", f.tokenA), 200)
	expect(t, "withdraw", f.send(t, f.employeeA, "POST", "/berattelser/"+id+"/dra-tillbaka", "application/x-www-form-urlencoded", nil), 303)
	expect(t, "public after withdrawal", f.send(t, nil, "GET", public, "", nil), 404)
	expect(t, "internal after withdrawal", f.send(t, f.employeeA, "GET", internal, "", nil), 404)
}

func TestStoryConsentPages(t *testing.T) {
	f := newFixture(t)
	form := url.Values{"kind": {"quote"}, "body": {"Vera tog sig tid för mig."}, "credit": {"name"}, "subject": {"vera@a.example"}}
	id := storyIDFrom(t, f.send(t, f.employeeA, "POST", "/berattelser", "application/x-www-form-urlencoded", strings.NewReader(form.Encode())))
	expect(t, "approve", f.send(t, f.adminA, "POST", "/berattelser/"+id+"/godkann", "application/x-www-form-urlencoded", nil), 303)
	expect(t, "waiting in the queue", f.send(t, f.adminA, "GET", "/berattelser/granska", "", nil), 200, "Godkända som väntar på samtycke", "Vera Testsson")
	expect(t, "not in the feed", f.send(t, f.chefA, "GET", "/berattelser", "", nil), 200, "0 berättelser")
	expect(t, "Vera is asked", f.send(t, f.victimA, "GET", "/berattelser", "", nil), 200, "väntar på ditt samtycke")
	expect(t, "consent page", f.send(t, f.victimA, "GET", "/berattelser/samtycke", "", nil), 200, "Vera tog sig tid för mig.", "Ja, jag samtycker")
	answer := func(as *org.Person, a string) *httptest.ResponseRecorder {
		return f.send(t, as, "POST", "/berattelser/"+id+"/samtycke", "application/x-www-form-urlencoded", strings.NewReader("answer="+a))
	}
	expect(t, "someone else answers", answer(f.chefA, "ja"), 404)
	expect(t, "a junk answer", answer(f.victimA, "kanske"), 400)
	expect(t, "Vera refuses", answer(f.victimA, "nej"), 303)
	expect(t, "still not in the feed", f.send(t, f.chefA, "GET", "/berattelser", "", nil), 200, "0 berättelser")
	expect(t, "the author sees why", f.send(t, f.employeeA, "GET", "/berattelser/mina", "", nil), 200, "samtycke nekat")
	expect(t, "Vera changes her mind", answer(f.victimA, "ja"), 303)
	expect(t, "now in the feed", f.send(t, f.chefA, "GET", "/berattelser", "", nil), 200, "Vera tog sig tid för mig.")
}

func TestStoryEmbedAndSettings(t *testing.T) {
	f := newFixture(t)
	rec := f.send(t, nil, "GET", "/k/a-kommun/berattelser/inbaddning", "", nil)
	expect(t, "embed without settings", rec, 200)
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || rec.Header().Get("X-Frame-Options") != "DENY" {
		t.Errorf("without settings the snippet may be framed: CSP %q, X-Frame-Options %q", csp, rec.Header().Get("X-Frame-Options"))
	}
	expect(t, "settings page", f.send(t, f.adminA, "GET", "/installningar/berattelser", "", nil), 200, "/k/a-kommun/berattelser/inbaddning")
	expect(t, "employee refused", f.send(t, f.employeeA, "GET", "/installningar/berattelser", "", nil), 403)
	save := func(origins string) *httptest.ResponseRecorder {
		return f.send(t, f.adminA, "POST", "/installningar/berattelser", "application/x-www-form-urlencoded", strings.NewReader(url.Values{"origins": {origins}}.Encode()))
	}
	expect(t, "an injection", save("https://intranat.a.example; script-src 'unsafe-inline'"), 422, `aria-invalid="true"`)
	expect(t, "a path", save("https://intranat.a.example/start"), 422)
	expect(t, "two origins", save("https://intranat.a.example\nhttps://*.a-kommun.se"), 303)
	rec = f.send(t, nil, "GET", "/k/a-kommun/berattelser/inbaddning", "", nil)
	csp := rec.Header().Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors https://intranat.a.example https://*.a-kommun.se") || strings.Contains(csp, "'none'") && strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("embed CSP %q, want the two origins as frame-ancestors", csp)
	}
	if !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("embed CSP %q lost the rest of the policy", csp)
	}
	if xfo := rec.Header().Get("X-Frame-Options"); xfo != "" {
		t.Errorf("embed X-Frame-Options %q, want none so that the origins may frame it", xfo)
	}
	other := f.send(t, nil, "GET", "/k/a-kommun/berattelser", "", nil)
	if !strings.Contains(other.Header().Get("Content-Security-Policy"), "frame-ancestors 'none'") || other.Header().Get("X-Frame-Options") != "DENY" {
		t.Error("the public page lost its framing protection")
	}
	expect(t, "another kommun's snippet keeps the default", f.send(t, nil, "GET", "/k/b-kommun/berattelser/inbaddning", "", nil), 200)
	if csp := f.send(t, nil, "GET", "/k/b-kommun/berattelser/inbaddning", "", nil).Header().Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("kommun B's snippet CSP %q, want frame-ancestors 'none'", csp)
	}
	expect(t, "unknown kommun", f.send(t, nil, "GET", "/k/finns-inte/berattelser/inbaddning", "", nil), 404)
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Href string `xml:"href,attr"`
}

// atomFeed is what a feed reader needs of an Atom document.
type atomFeed struct {
	XMLName xml.Name   `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string     `xml:"title"`
	Links   []atomLink `xml:"link"`
	Entries []struct {
		ID      string     `xml:"id"`
		Title   string     `xml:"title"`
		Content string     `xml:"content"`
		Links   []atomLink `xml:"link"`
	} `xml:"entry"`
}

func parseAtom(t *testing.T, rec *httptest.ResponseRecorder) atomFeed {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/atom+xml") {
		t.Errorf("Content-Type %q, want application/atom+xml", ct)
	}
	var feed atomFeed
	if err := xml.Unmarshal(rec.Body.Bytes(), &feed); err != nil {
		t.Fatalf("the feed is not Atom XML: %v\n%s", err, rec.Body.String())
	}
	return feed
}

func TestStoryFeeds(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	submit := func(title, body string, public bool) int64 {
		st, err := f.app.Stories.Submit(ctx, f.tenantA.ID, f.employeeA.ID, stories.Input{Kind: stories.KindExample, Title: title, Body: body,
			Credit: stories.CreditName, Public: public, UnitID: f.unitA.ID})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.app.Stories.Approve(ctx, f.tenantA.ID, f.adminA.ID, st.ID); err != nil {
			t.Fatal(err)
		}
		return st.ID
	}
	submit("Publik & <öppen>", "Alla får läsa.\nÄven <script>alert(1)</script>.", true)
	submit("Bara internt", "För oss som jobbar här.", false)

	public := parseAtom(t, f.send(t, nil, "GET", "/k/a-kommun/berattelser.atom", "", nil))
	if len(public.Entries) != 1 || public.Entries[0].Title != "Publik & <öppen>" {
		t.Fatalf("public feed entries %+v, want only the public story", public.Entries)
	}
	if !strings.Contains(public.Entries[0].Content, "&lt;script&gt;") || strings.Contains(public.Entries[0].Content, "<script>") {
		t.Errorf("the entry's HTML does not escape the text: %q", public.Entries[0].Content)
	}
	for _, l := range append(public.Links, public.Entries[0].Links...) {
		if !strings.HasPrefix(l.Href, "http://127.0.0.1:8080/") {
			t.Errorf("link %q is not absolute", l.Href)
		}
	}
	expect(t, "unknown kommun", f.send(t, nil, "GET", "/k/finns-inte/berattelser.atom", "", nil), 404)

	rec := f.send(t, f.employeeA, "POST", "/berattelser/flode", "application/x-www-form-urlencoded", nil)
	expect(t, "new feed address", rec, 200, "http://127.0.0.1:8080/berattelser/flode/")
	m := regexp.MustCompile(`http://127\.0\.0\.1:8080(/berattelser/flode/[A-Za-z0-9_-]+/berattelser\.atom)`).FindStringSubmatch(rec.Body.String())
	if m == nil {
		t.Fatal("the page shows no feed address")
	}
	personal := parseAtom(t, f.send(t, nil, "GET", m[1], "", nil))
	if len(personal.Entries) != 2 {
		t.Errorf("the personal feed has %d entries, want both stories", len(personal.Entries))
	}
	expect(t, "feed page afterwards", f.send(t, f.employeeA, "GET", "/berattelser/flode", "", nil), 200, "Skapa en ny adress")
	for _, forged := range []string{"/berattelser/flode/x/berattelser.atom", strings.Replace(m[1], "/berattelser.atom", "A/berattelser.atom", 1),
		"/berattelser/flode/%2e%2e/berattelser.atom"} {
		expect(t, "forged "+forged, f.send(t, nil, "GET", forged, "", nil), 404)
	}
	expect(t, "a new address", f.send(t, f.employeeA, "POST", "/berattelser/flode", "application/x-www-form-urlencoded", nil), 200)
	expect(t, "the old address stops working", f.send(t, nil, "GET", m[1], "", nil), 404)
}
