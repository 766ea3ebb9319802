package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/vard-kommun/vard/internal/auth"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/values"
)

// valuesVersionA returns kommun A's adopted värdegrund for the routes with a version id, adopting one
// the first time.
func (f *fixture) valuesVersionA(t *testing.T) int64 {
	t.Helper()
	ctx := context.Background()
	if v, err := f.app.Values.Current(ctx, f.tenantA.ID); err == nil {
		return v.ID
	}
	return f.adoptValues(t, "2019-11-18", values.DraftInput{
		Vision: "En kommun att växa i.",
		Words: []values.WordInput{
			{Name: "Engagemang", Meaning: "Vi brinner för uppdraget.", Behaviours: "Vi tar initiativ.\nVi följer upp."},
			{Name: "Tillit", Meaning: "Vi litar på varandra."},
		},
		Promises: []values.PromiseInput{{Text: "Du får svar på e-post inom två arbetsdagar.", TargetValue: "2", TargetUnit: "working_days"}},
	}).ID
}

// adoptValues writes a draft of kommun A from its current version and adopts it.
func (f *fixture) adoptValues(t *testing.T, date string, in values.DraftInput) *values.Version {
	t.Helper()
	ctx := context.Background()
	svc := f.app.Values
	var from int64
	if cur, err := svc.Current(ctx, f.tenantA.ID); err == nil {
		from = cur.ID
	}
	v, err := svc.CreateDraft(ctx, f.tenantA.ID, from, f.adminA.ID)
	if err != nil {
		t.Fatalf("create draft: %v", err)
	}
	if _, err := svc.SaveDraft(ctx, f.tenantA.ID, v.ID, in); err != nil {
		t.Fatalf("save draft: %v", err)
	}
	if err := svc.Adopt(ctx, f.tenantA.ID, v.ID, values.AdoptionInput{Date: date, Body: "Kommunfullmäktige", RegistrationNumber: "KS 2019/4"}, f.adminA.ID); err != nil {
		t.Fatalf("adopt: %v", err)
	}
	return v
}

// check runs the scenarios in order, as one story: each may depend on what the one before did.
func (f *fixture) check(t *testing.T, scenarios []scenario) {
	t.Helper()
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			rec := f.do(t, s)
			body := rec.Body.String()
			if rec.Code != s.wantStatus {
				t.Fatalf("got %d, want %d (Location %q)\n%s", rec.Code, s.wantStatus, rec.Header().Get("Location"), body)
			}
			for _, w := range s.wantText {
				if !strings.Contains(body, w) && !strings.Contains(rec.Header().Get("Location"), w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range s.notText {
				if strings.Contains(body, w) {
					t.Errorf("page shows %q, which it must not", w)
				}
			}
		})
	}
}

func TestStartPageWithoutValues(t *testing.T) {
	f := newFixture(t)
	f.check(t, []scenario{
		{name: "employee sees that there is no värdegrund yet", as: employee, path: path("/"), wantStatus: 200,
			wantText: []string{"Välkommen, Erik!", "Team Öst", "Kommunen har ännu ingen antagen värdegrund."},
			notText:  []string{"Skriv kommunens värdegrund", `href="/organisation"`}},
		{name: "admin is offered to write one", as: admin, path: path("/"), wantStatus: 200,
			wantText: []string{"Skriv kommunens värdegrund", `action="/vardegrund/utkast"`, `href="/personer"`, `href="/import"`, `href="/installningar"`, `href="/organisation"`}},
		{name: "chef has the organisation shortcut but not the admin ones", as: chef, path: path("/"), wantStatus: 200,
			wantText: []string{`href="/organisation"`, "Chef"}, notText: []string{`href="/personer"`, `href="/import"`}},
		{name: "the current page says so too", as: employee, path: path("/vardegrund"), wantStatus: 200,
			wantText: []string{"Kommunen har ännu ingen antagen värdegrund."}},
		{name: "and the public page", path: path("/k/a-kommun/vardegrund"), wantStatus: 200,
			wantText: []string{"A kommun", "Kommunen har ännu ingen antagen värdegrund."}},
		{name: "admin starts a blank draft from the start page", as: admin, method: "POST", path: path("/vardegrund/utkast"), form: url.Values{},
			wantStatus: 303, wantText: []string{"/redigera"}},
		{name: "the start page then leads to the draft", as: admin, path: path("/"), wantStatus: 200,
			wantText: []string{"Fortsätt med utkastet till värdegrund"}},
	})
	for _, who := range []struct {
		name      string
		operator  bool
		wantPlace string
	}{{"operator", true, "/plattform/kommuner"}, {"anonymous", false, "/logga-in"}} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if who.operator {
			tok, err := f.app.Auth.NewSession(context.Background(), 0, f.operatorID)
			if err != nil {
				t.Fatal(err)
			}
			req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: tok})
		}
		rec := httptest.NewRecorder()
		f.app.Handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != who.wantPlace {
			t.Errorf("%s on /: got %d to %q, want 303 to %s", who.name, rec.Code, rec.Header().Get("Location"), who.wantPlace)
		}
	}
}

func TestValuesPages(t *testing.T) {
	f := newFixture(t)
	v1 := f.valuesVersionA(t)
	var draft int64
	draftPath := func(suffix string) func(*fixture) string {
		return func(*fixture) string { return "/vardegrund/versioner/" + itoa(draft) + suffix }
	}
	v1Path := func(suffix string) func(*fixture) string {
		return func(*fixture) string { return "/vardegrund/versioner/" + itoa(v1) + suffix }
	}
	newDraft := func(t *testing.T) {
		rec := f.do(t, scenario{as: admin, method: "POST", path: path("/vardegrund/utkast"), form: url.Values{"fran": {itoa(v1)}}})
		loc := rec.Header().Get("Location")
		if rec.Code != http.StatusSeeOther || !strings.HasSuffix(loc, "/redigera") {
			t.Fatalf("new draft: got %d to %q, want 303 to the edit page", rec.Code, loc)
		}
		v, err := f.app.Values.Draft(context.Background(), f.tenantA.ID)
		if err != nil {
			t.Fatal(err)
		}
		draft = v.ID
	}
	edit := func(words ...string) url.Values {
		form := url.Values{"vision": {"Det goda livet i storstadens närhet."}, "code": {"Vi hälsar först."}}
		for i, w := range words {
			form.Set("word-"+itoa(int64(i))+"-name", w)
			form.Set("word-"+itoa(int64(i))+"-meaning", "")
		}
		return form
	}

	f.check(t, []scenario{
		{name: "employee sees the värdegrund on the start page", as: employee, path: path("/"), wantStatus: 200,
			wantText: []string{"Välkommen", "En kommun att växa i.", "Engagemang", "Vi brinner för uppdraget.", `href="/vardegrund"`}},
		{name: "employee reads the whole värdegrund", as: employee, path: path("/vardegrund"), wantStatus: 200,
			wantText: []string{"Så här gör vi", "Vi tar initiativ.", "Du får svar på e-post inom två arbetsdagar.", "Mål:", "2 arbetsdagar",
				"Antagen av Kommunfullmäktige 2019-11-18", `css/print.css" media="print"`},
			notText: []string{"Versioner och historik"}},
		{name: "the public page needs no account", path: path("/k/a-kommun/vardegrund"), wantStatus: 200,
			wantText: []string{"A kommun", "En kommun att växa i.", "Tillit", `media="print"`}},
		{name: "the kommun's public page links it", path: path("/k/a-kommun"), wantStatus: 200, wantText: []string{`href="/k/a-kommun/vardegrund"`}},
		{name: "an unknown kommun has no public värdegrund", path: path("/k/finns-inte/vardegrund"), wantStatus: 404},
		{name: "another kommun's public page shows only its own", path: path("/k/b-kommun/vardegrund"), wantStatus: 200,
			wantText: []string{"B kommun", "ännu ingen antagen"}, notText: []string{"Engagemang"}},
		{name: "employee cannot see the versions", as: employee, path: path("/vardegrund/versioner"), wantStatus: 403},
		{name: "chef cannot start a draft", as: chef, method: "POST", path: path("/vardegrund/utkast"), form: url.Values{}, wantStatus: 403},
		{name: "admin sees the history", as: admin, path: path("/vardegrund/versioner"), wantStatus: 200,
			wantText: []string{"Version 1", "Gällande", "KS 2019/4", "Skapa utkast"}},
		{name: "a junk version id", as: admin, path: path("/vardegrund/versioner/abc"), wantStatus: 404},
		{name: "a negative version id", as: admin, path: path("/vardegrund/versioner/-3/redigera"), wantStatus: 404},
		{name: "a version that does not exist", as: admin, path: path("/vardegrund/versioner/999999"), wantStatus: 404},
		{name: "an adopted version cannot be edited", as: admin, path: v1Path("/redigera"), wantStatus: 409,
			wantText: []string{"kan inte ändras"}},
		{name: "nor changed by posting", as: admin, method: "POST", path: v1Path("/redigera"), form: edit("Hack"), wantStatus: 409},
		{name: "nor deleted", as: admin, method: "POST", path: v1Path("/ta-bort"), form: url.Values{}, wantStatus: 409},
		{name: "junk in the draft's origin", as: admin, method: "POST", path: path("/vardegrund/utkast"), form: url.Values{"fran": {"<x>"}}, wantStatus: 404},
	})

	t.Run("a new draft from the current version", newDraft)
	f.check(t, []scenario{
		{name: "a second draft leads to the first", as: admin, method: "POST", path: path("/vardegrund/utkast"), form: url.Values{}, wantStatus: 303,
			wantText: []string{"/redigera"}},
		{name: "the edit form holds the copy and two blank rows", as: admin, path: draftPath("/redigera"), wantStatus: 200,
			wantText: []string{`value="Engagemang"`, `name="word-0-key" value="engagemang"`, `name="word-3-name"`, `name="promise-2-text"`, "Fler rader för värdeord"},
			notText:  []string{`name="word-4-name"`}},
		{name: "more rows without saving", as: admin, method: "POST", path: draftPath("/redigera"),
			form: url.Values{"action": {"fler-ord"}, "vision": {"Osparad vision"}, "word-0-name": {"Engagemang"}, "word-1-name": {""}}, wantStatus: 200,
			wantText: []string{`name="word-4-name"`, "Osparad vision", "inte sparade"}, notText: []string{`name="word-5-name"`}},
		{name: "move a row up without saving", as: admin, method: "POST", path: draftPath("/redigera"),
			form: url.Values{"action": {"upp-ord-1"}, "word-0-name": {"Första"}, "word-1-name": {"Andra"}}, wantStatus: 200,
			wantText: []string{`id="word-0-name" name="word-0-name" value="Andra"`}},
		{name: "an overlong name is refused and the text kept", as: admin, method: "POST", path: draftPath("/redigera"),
			form: edit(strings.Repeat("Å", 41)), wantStatus: 422,
			wantText: []string{"högst 40 tecken", strings.Repeat("Å", 41), `aria-invalid="true"`, `href="#word-0-name"`}},
		{name: "a bad target", as: admin, method: "POST", path: draftPath("/redigera"),
			form: url.Values{"promise-0-text": {"Svar"}, "promise-0-target_value": {"snart"}, "promise-0-target_unit": {"working_days"}}, wantStatus: 422,
			wantText: []string{"Ange målvärdet som ett tal", `value="snart"`}},
		{name: "script in a word is saved as text", as: admin, method: "POST", path: draftPath("/redigera"),
			form: edit(`<script>alert(1)</script>`, "Medkänsla"), wantStatus: 303},
		{name: "and shown escaped", as: admin, path: draftPath(""), wantStatus: 200,
			wantText: []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "Medkänsla", "Utkast"}, notText: []string{"<script>alert"}},
		{name: "compare the draft with the current version", as: admin,
			path:       func(*fixture) string { return "/vardegrund/jamfor?fran=" + itoa(v1) + "&till=" + itoa(draft) },
			wantStatus: 200, wantText: []string{"Från version 1 till version 2", "<del>En kommun att växa i.</del>", "<ins>Det goda livet i storstadens närhet.</ins>",
				"Borttagen", "Ny", "<del>Vi litar på varandra.</del>"}},
		{name: "compare with junk", as: admin, path: path("/vardegrund/jamfor?fran=abc&till=1"), wantStatus: 400, wantText: []string{"Välj två versioner"}},
		{name: "compare with another kommun's id", as: admin, path: func(*fixture) string { return "/vardegrund/jamfor?fran=" + itoa(v1) + "&till=999999" }, wantStatus: 404},
		{name: "the compare form", as: admin, path: path("/vardegrund/jamfor"), wantStatus: 200, wantText: []string{`name="fran"`, `name="till"`}},
		{name: "adopting needs a real date", as: admin, method: "POST", path: draftPath("/anta"),
			form: url.Values{"date": {"<b>igår</b>"}, "body": {"Kommunfullmäktige"}}, wantStatus: 422,
			wantText: []string{"ÅÅÅÅ-MM-DD", "&lt;b&gt;igår&lt;/b&gt;"}, notText: []string{"<b>igår"}},
		{name: "adopting needs who decided", as: admin, method: "POST", path: draftPath("/anta"),
			form: url.Values{"date": {"2023-05-15"}, "body": {""}}, wantStatus: 422, wantText: []string{"Fältet måste fyllas i."}},
		{name: "the adoption form", as: admin, path: draftPath("/anta"), wantStatus: 200, wantText: []string{`type="date"`, `value="Kommunfullmäktige"`, "Det här antas"}},
		{name: "adopt the draft", as: admin, method: "POST", path: draftPath("/anta"),
			form: url.Values{"date": {"2023-05-15"}, "body": {"Kommunfullmäktige"}, "registration_number": {"KS 2023/145"}}, wantStatus: 303, wantText: []string{"/vardegrund"}},
		{name: "the start page shows the new version", as: employee, path: path("/"), wantStatus: 200,
			wantText: []string{"Det goda livet i storstadens närhet.", "Medkänsla"}, notText: []string{"En kommun att växa i."}},
		{name: "the history keeps the old one as replaced", as: admin, path: path("/vardegrund/versioner"), wantStatus: 200,
			wantText: []string{"Version 2", "Gällande", "Version 1", "Ersatt", "KS 2023/145"}},
		{name: "the adopted draft cannot be adopted again", as: admin, method: "POST", path: draftPath("/anta"),
			form: url.Values{"date": {"2023-05-16"}, "body": {"KF"}}, wantStatus: 409},
	})

	t.Run("a draft to throw away", newDraft)
	f.check(t, []scenario{
		{name: "deleting asks first", as: admin, path: draftPath("/ta-bort"), wantStatus: 200, wantText: []string{"Ja, ta bort utkastet"}},
		{name: "admin of another kommun cannot delete it", as: func(f *fixture) *org.Person { return f.adminB }, method: "POST", path: draftPath("/ta-bort"), form: url.Values{}, wantStatus: 404},
		{name: "delete the draft", as: admin, method: "POST", path: draftPath("/ta-bort"), form: url.Values{}, wantStatus: 303},
		{name: "the deleted draft is gone", as: admin, path: draftPath(""), wantStatus: 404},
	})
}
