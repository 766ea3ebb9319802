package stories_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"io/fs"
	"slices"
	"testing"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/db/dbtest"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/stories"
	"github.com/vard-kommun/vard/internal/values"
	"github.com/vard-kommun/vard/internal/web"
)

// words is a WordSource of the test's own: the same värdeord for every kommun.
type words []values.Word

func (w words) Words(context.Context, int64) ([]values.Word, error) { return w, nil }

var testWords = words{{Key: "tillsammans", Name: "Tillsammans"}, {Key: "medkansla", Name: "Medkänsla"}, {Key: "drivkraft", Name: "Drivkraft"}}

// env is two kommuner on a fresh database: A with two förvaltningar and four people, B with one person.
type env struct {
	svc                        *stories.Service
	files                      stories.FileStore
	tenantA, tenantB           int64
	school, care, careTeam     int64 // units of A: a skola under Barn- och utbildning, a hemtjänst team under Vård och omsorg
	deptSchool, deptCare       int64
	author, colleague, mod, bo *org.Person // bo belongs to kommun B
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	orgSvc := org.NewService(org.NewStore(d))
	files, err := stories.NewFileStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e := &env{svc: stories.NewService(d, orgSvc, testWords, files), files: files}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	a, err := orgSvc.CreateTenant(ctx, "a-kommun", "A kommun", nil)
	must(err)
	b, err := orgSvc.CreateTenant(ctx, "b-kommun", "B kommun", nil)
	must(err)
	e.tenantA, e.tenantB = a.ID, b.ID
	unit := func(tenant, parent int64, kind org.Kind, name string) int64 {
		u, err := orgSvc.CreateUnit(ctx, tenant, org.UnitInput{ParentID: parent, Kind: kind, Name: name})
		must(err)
		return u.ID
	}
	e.deptSchool = unit(e.tenantA, 0, org.KindDepartment, "Barn- och utbildningsförvaltningen")
	e.school = unit(e.tenantA, e.deptSchool, org.KindUnit, "Solbackaskolan")
	e.deptCare = unit(e.tenantA, 0, org.KindDepartment, "Vård- och omsorgsförvaltningen")
	care := unit(e.tenantA, e.deptCare, org.KindUnit, "Hemtjänst Norra")
	e.careTeam = unit(e.tenantA, care, org.KindTeam, "Team Öst")
	e.care = care
	bUnit := unit(e.tenantB, 0, org.KindDepartment, "Kommunledningskontoret")
	person := func(tenant, unit int64, given, email, title string, roles ...string) *org.Person {
		p := &org.Person{TenantID: tenant, UnitID: unit, GivenName: given, FamilyName: "Testsson", Email: email, Title: title, Active: true, Roles: roles}
		must(orgSvc.SavePerson(ctx, p))
		return p
	}
	e.author = person(e.tenantA, e.school, "Anna", "anna@a.example", "Rektor")
	e.colleague = person(e.tenantA, e.careTeam, "Lisa", "lisa@a.example", "Undersköterska")
	e.mod = person(e.tenantA, e.school, "Kim", "kim@a.example", "Kommunikatör", org.RoleCommunicator)
	e.bo = person(e.tenantB, bUnit, "Bo", "bo@b.example", "Handläggare")
	return e
}

func (e *env) submit(t *testing.T, in stories.Input) *stories.Story {
	t.Helper()
	if in.Kind == "" {
		in.Kind = stories.KindExample
	}
	if in.Credit == "" {
		in.Credit = stories.CreditName
	}
	st, err := e.svc.Submit(context.Background(), e.tenantA, e.author.ID, in)
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	return st
}

// published returns the ids in the kommun's feed (PublicOnly for the public page).
func (e *env) published(t *testing.T, tenantID int64, f stories.Filter) []int64 {
	t.Helper()
	f.TenantID, f.Published, f.Limit = tenantID, true, 100
	list, total, err := e.svc.Store.List(context.Background(), f)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	ids := []int64{}
	for _, s := range list {
		ids = append(ids, s.ID)
	}
	if total != len(ids) {
		t.Errorf("List says %d in all but gave %d", total, len(ids))
	}
	return ids
}

func fieldError(err error, field string) string {
	var e *web.Error
	if errors.As(err, &e) {
		return e.Fields[field]
	}
	return ""
}

func TestModerationLifecycle(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	st := e.submit(t, stories.Input{Title: "Röda mattan", Body: "Nya elever välkomnades på röda mattan.", Words: []string{"tillsammans"}, UnitID: e.school})
	if st.Status != stories.StatusPending || st.Byline != "Anna Testsson, Rektor, Solbackaskolan" {
		t.Fatalf("new story: status %s, byline %q", st.Status, st.Byline)
	}
	if ids := e.published(t, e.tenantA, stories.Filter{}); len(ids) != 0 {
		t.Fatalf("a pending story is in the feed: %v", ids)
	}
	if err := e.svc.RequestChange(ctx, e.tenantA, e.mod.ID, st.ID, "  "); fieldError(err, "note") == "" {
		t.Errorf("asking for a change without a note: got %v, want a field error on note", err)
	}
	if err := e.svc.Reject(ctx, e.tenantA, e.mod.ID, st.ID, ""); fieldError(err, "reason") == "" {
		t.Errorf("rejecting without a reason: got %v, want a field error on reason", err)
	}
	if err := e.svc.RequestChange(ctx, e.tenantA, e.mod.ID, st.ID, "Skriv vilken skola det gäller."); err != nil {
		t.Fatal(err)
	}
	got, _ := e.svc.Store.Story(ctx, e.tenantA, st.ID)
	if got.Status != stories.StatusChangesRequested || got.Note != "Skriv vilken skola det gäller." || got.ModeratedBy != e.mod.ID {
		t.Fatalf("after asking for a change: %s %q by %d", got.Status, got.Note, got.ModeratedBy)
	}
	if _, err := e.svc.Edit(ctx, e.tenantA, e.colleague.ID, st.ID, stories.Input{Kind: stories.KindExample, Title: "x", Body: "y", Credit: stories.CreditName}); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("someone else edits the story: got %v, want not found", err)
	}
	edited, err := e.svc.Edit(ctx, e.tenantA, e.author.ID, st.ID, stories.Input{Kind: stories.KindExample, Title: "Röda mattan på Solbackaskolan",
		Body: "Nya elever välkomnades på röda mattan.", Words: []string{"tillsammans", "drivkraft"}, UnitID: e.school, Credit: stories.CreditRole, Public: true})
	if err != nil {
		t.Fatal(err)
	}
	if edited.Status != stories.StatusPending || edited.Byline != "Rektor, Solbackaskolan" || !slices.Equal(edited.Words, []string{"drivkraft", "tillsammans"}) {
		t.Errorf("after editing: %s %q %v", edited.Status, edited.Byline, edited.Words)
	}
	if err := e.svc.Approve(ctx, e.tenantA, e.mod.ID, st.ID); err != nil {
		t.Fatal(err)
	}
	if ids := e.published(t, e.tenantA, stories.Filter{PublicOnly: true}); !slices.Equal(ids, []int64{st.ID}) {
		t.Errorf("after approval the public list holds %v, want [%d]", ids, st.ID)
	}
	if err := e.svc.Approve(ctx, e.tenantA, e.mod.ID, st.ID); err == nil {
		t.Error("approving twice succeeded, want an error")
	}
	if _, err := e.svc.Edit(ctx, e.tenantA, e.author.ID, st.ID, stories.Input{Kind: stories.KindExample, Title: "x", Body: "y", Credit: stories.CreditName}); err == nil {
		t.Error("an approved story could be edited")
	}
	if err := e.svc.Reject(ctx, e.tenantA, e.mod.ID, st.ID, "Bilden visar elever utan samtycke från vårdnadshavare."); err != nil {
		t.Fatal(err)
	}
	if ids := e.published(t, e.tenantA, stories.Filter{}); len(ids) != 0 {
		t.Errorf("a rejected story is in the feed: %v", ids)
	}
	got, _ = e.svc.Store.Story(ctx, e.tenantA, st.ID)
	if got.State() != "Avvisad" || got.Note == "" || got.PublishedAt == nil {
		t.Errorf("after rejection: %q, note %q, published at %v", got.State(), got.Note, got.PublishedAt)
	}
}

func TestSubmitValidates(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	long := string(bytes.Repeat([]byte("å"), stories.MaxBody+1))
	for _, tt := range []struct {
		name  string
		in    stories.Input
		field string
	}{
		{"unknown kind", stories.Input{Kind: "poem", Body: "x", Credit: stories.CreditName}, "kind"},
		{"an example needs a title", stories.Input{Kind: stories.KindExample, Body: "x", Credit: stories.CreditName}, "title"},
		{"empty text", stories.Input{Kind: stories.KindQuote, Body: " \n ", Credit: stories.CreditName}, "body"},
		{"overlong text", stories.Input{Kind: stories.KindQuote, Body: long, Credit: stories.CreditName}, "body"},
		{"control characters", stories.Input{Kind: stories.KindQuote, Body: "hej\x00då", Credit: stories.CreditName}, "body"},
		{"unknown värdeord", stories.Input{Kind: stories.KindQuote, Body: "x", Words: []string{"<script>"}, Credit: stories.CreditName}, "words"},
		{"unit of another kommun", stories.Input{Kind: stories.KindQuote, Body: "x", UnitID: e.bo.UnitID, Credit: stories.CreditName}, "unit_id"},
		{"unknown credit", stories.Input{Kind: stories.KindQuote, Body: "x", Credit: "famous"}, "credit"},
		{"colleague of another kommun", stories.Input{Kind: stories.KindQuote, Body: "x", Credit: stories.CreditName, SubjectEmail: "bo@b.example"}, "subject"},
		{"naming oneself", stories.Input{Kind: stories.KindQuote, Body: "x", Credit: stories.CreditName, SubjectEmail: "ANNA@a.example"}, "subject"},
		{"an image without alt text", stories.Input{Kind: stories.KindQuote, Body: "x", Credit: stories.CreditName, Image: pngBytes(t)}, "image_alt"},
		{"a text file as image", stories.Input{Kind: stories.KindQuote, Body: "x", Credit: stories.CreditName, Image: []byte("hej"), ImageAlt: "x"}, "image"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.Submit(ctx, e.tenantA, e.author.ID, tt.in)
			if fieldError(err, tt.field) == "" {
				t.Errorf("got %v, want a message on %s", err, tt.field)
			}
		})
	}
}

func pngBytes(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewNRGBA(image.Rect(0, 0, 4, 3))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWithdrawRemovesStoryAndImage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	st := e.submit(t, stories.Input{Title: "Välkommen", Body: "En besökare fick hjälp av receptionisten.", Public: true,
		Image: pngBytes(t), ImageAlt: "Receptionen i stadshuset"})
	if !st.Image.Present() || st.Image.Type != "image/png" || st.Image.Width != 4 {
		t.Fatalf("image not stored: %+v", st.Image)
	}
	f, err := e.svc.OpenImage(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := e.svc.Approve(ctx, e.tenantA, e.mod.ID, st.ID); err != nil {
		t.Fatal(err)
	}
	if ids := e.published(t, e.tenantA, stories.Filter{Query: "receptionisten", PublicOnly: true}); len(ids) != 1 {
		t.Fatalf("the approved public story is not found: %v", ids)
	}
	if err := e.svc.Withdraw(ctx, e.tenantA, e.colleague.ID, st.ID); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("someone else withdraws: got %v, want not found", err)
	}
	if err := e.svc.Withdraw(ctx, e.tenantA, e.author.ID, st.ID); err != nil {
		t.Fatal(err)
	}
	if ids := e.published(t, e.tenantA, stories.Filter{}); len(ids) != 0 {
		t.Errorf("a withdrawn story is in the feed: %v", ids)
	}
	if ids := e.published(t, e.tenantA, stories.Filter{Query: "receptionisten"}); len(ids) != 0 {
		t.Errorf("a withdrawn story is found by search: %v", ids)
	}
	if _, err := e.files.Open(ctx, st.Image.Key); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the image file is still there after withdrawal: %v", err)
	}
	got, _ := e.svc.Store.Story(ctx, e.tenantA, st.ID)
	if got.Status != stories.StatusWithdrawn || got.Image.Present() || got.WithdrawnAt == nil {
		t.Errorf("after withdrawal: %s, image %+v", got.Status, got.Image)
	}
	if err := e.svc.Approve(ctx, e.tenantA, e.mod.ID, st.ID); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("approving a withdrawn story: got %v, want not found", err)
	}
	if err := e.svc.Withdraw(ctx, e.tenantA, e.author.ID, st.ID); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("withdrawing twice: got %v, want not found", err)
	}
}

func TestConsentGatesPublication(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	in := stories.Input{Kind: stories.KindQuote, Body: "Lisa tog sig tid att följa besökaren hela vägen.", SubjectEmail: "Lisa@A.example", Credit: stories.CreditName}
	st := e.submit(t, in)
	if st.Consent != stories.ConsentPending || st.SubjectID != e.colleague.ID || st.SubjectName != "Lisa Testsson" {
		t.Fatalf("consent %s, subject %d %q", st.Consent, st.SubjectID, st.SubjectName)
	}
	if err := e.svc.Approve(ctx, e.tenantA, e.mod.ID, st.ID); err != nil {
		t.Fatal(err)
	}
	if ids := e.published(t, e.tenantA, stories.Filter{}); len(ids) != 0 {
		t.Fatalf("published before consent: %v", ids)
	}
	if n, _ := e.svc.Store.CountConsentRequests(ctx, e.tenantA, e.colleague.ID); n != 1 {
		t.Errorf("the colleague has %d consent requests, want 1", n)
	}
	if err := e.svc.AnswerConsent(ctx, e.tenantA, e.mod.ID, st.ID, true); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("someone else consents: got %v, want not found", err)
	}
	if err := e.svc.AnswerConsent(ctx, e.tenantB, e.bo.ID, st.ID, true); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("a person of another kommun consents: got %v, want not found", err)
	}
	if err := e.svc.AnswerConsent(ctx, e.tenantA, e.colleague.ID, st.ID, false); err != nil {
		t.Fatal(err)
	}
	if ids := e.published(t, e.tenantA, stories.Filter{}); len(ids) != 0 {
		t.Errorf("published after consent was refused: %v", ids)
	}
	got, _ := e.svc.Store.Story(ctx, e.tenantA, st.ID)
	if got.State() != "Godkänd men inte publicerad – samtycke nekat" {
		t.Errorf("state %q", got.State())
	}
	if err := e.svc.AnswerConsent(ctx, e.tenantA, e.colleague.ID, st.ID, true); err != nil {
		t.Fatal(err)
	}
	if ids := e.published(t, e.tenantA, stories.Filter{}); !slices.Equal(ids, []int64{st.ID}) {
		t.Errorf("after consent the feed holds %v, want [%d]", ids, st.ID)
	}

	// A change to what the story says asks the colleague again.
	st2 := e.submit(t, in)
	if err := e.svc.AnswerConsent(ctx, e.tenantA, e.colleague.ID, st2.ID, true); err != nil {
		t.Fatal(err)
	}
	in.Body += " Hon ringde dessutom upp dagen efter."
	edited, err := e.svc.Edit(ctx, e.tenantA, e.author.ID, st2.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if edited.Consent != stories.ConsentPending {
		t.Errorf("after changing the text the consent is %s, want pending", edited.Consent)
	}
	in.SubjectEmail = ""
	edited, err = e.svc.Edit(ctx, e.tenantA, e.author.ID, st2.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if edited.Consent != stories.ConsentNone || edited.SubjectID != 0 {
		t.Errorf("without a named colleague: consent %s, subject %d", edited.Consent, edited.SubjectID)
	}
}

func TestFeedFiltersAndSwedishSearch(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	approve := func(st *stories.Story) int64 {
		t.Helper()
		if err := e.svc.Approve(ctx, e.tenantA, e.mod.ID, st.ID); err != nil {
			t.Fatal(err)
		}
		return st.ID
	}
	carpet := approve(e.submit(t, stories.Input{Title: "Röda mattan", Body: "Nya elever välkomnades på röda mattan i augusti.", Words: []string{"tillsammans"}, UnitID: e.school}))
	visit := approve(e.submit(t, stories.Input{Title: "Ett hembesök", Body: "Hemtjänsten hjälpte fru Ek att lägga in mattorna i hallen.", Words: []string{"medkansla"}, UnitID: e.careTeam}))
	quote := approve(e.submit(t, stories.Input{Kind: stories.KindQuote, Body: "Receptionisten följde mig till rätt rum. Så blir man välkommen!", Words: []string{"medkansla", "tillsammans"}}))
	e.submit(t, stories.Input{Title: "Inte granskad", Body: "Röda mattan igen, men inte granskad än.", UnitID: e.school})

	for _, tt := range []struct {
		name string
		f    stories.Filter
		want []int64
	}{
		{"everything published, newest first", stories.Filter{}, []int64{quote, visit, carpet}},
		{"search a whole word", stories.Filter{Query: "mattan"}, []int64{carpet}},
		{"search finds other forms", stories.Filter{Query: "matta"}, []int64{visit}},
		{"search in capitals with stop words", stories.Filter{Query: "RÖDA MATTAN på"}, []int64{carpet}},
		{"search a compound's definite form", stories.Filter{Query: "hemtjänst"}, []int64{visit}},
		{"search what no story says", stories.Filter{Query: "simhall"}, []int64{}},
		{"search SQL and FTS syntax", stories.Filter{Query: `"mattan' OR 1=1 -- NEAR(`}, []int64{}},
		{"by värdeord", stories.Filter{Word: "tillsammans"}, []int64{quote, carpet}},
		{"by unknown värdeord", stories.Filter{Word: "finns-inte"}, []int64{}},
		{"by kind", stories.Filter{Kind: stories.KindQuote}, []int64{quote}},
		{"by förvaltning", stories.Filter{UnitIDs: []int64{e.deptCare, e.care, e.careTeam}}, []int64{visit}},
		{"by värdeord and search", stories.Filter{Word: "medkansla", Query: "receptionist"}, []int64{quote}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := e.published(t, e.tenantA, tt.f); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("pages", func(t *testing.T) {
		list, total, err := e.svc.Store.List(ctx, stories.Filter{TenantID: e.tenantA, Published: true, Limit: 2, Offset: 2})
		if err != nil {
			t.Fatal(err)
		}
		if total != 3 || len(list) != 1 || list[0].ID != carpet {
			t.Errorf("second page: total %d, %d stories", total, len(list))
		}
	})
}

func TestTenantIsolation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	st := e.submit(t, stories.Input{Title: "A:s berättelse", Body: "Bara för A kommun.", Public: true})
	if err := e.svc.Approve(ctx, e.tenantB, e.bo.ID, st.ID); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("B approves A's story: got %v, want not found", err)
	}
	if err := e.svc.Approve(ctx, e.tenantA, e.mod.ID, st.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Store.Story(ctx, e.tenantB, st.ID); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("B reads A's story: got %v, want not found", err)
	}
	if ids := e.published(t, e.tenantB, stories.Filter{}); len(ids) != 0 {
		t.Errorf("B's feed holds %v", ids)
	}
	if ids := e.published(t, e.tenantB, stories.Filter{Query: "berättelse"}); len(ids) != 0 {
		t.Errorf("B's search finds %v", ids)
	}
	if err := e.svc.Withdraw(ctx, e.tenantB, e.author.ID, st.ID); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("withdrawing through B: got %v, want not found", err)
	}
	if _, err := e.svc.Submit(ctx, e.tenantB, e.bo.ID, stories.Input{Kind: stories.KindQuote, Body: "x", Credit: stories.CreditName, UnitID: e.school}); fieldError(err, "unit_id") == "" {
		t.Errorf("B tags a story with A's unit: got %v", err)
	}
	v := &web.Viewer{PersonID: e.bo.ID, TenantID: e.tenantB, Roles: []string{web.RoleAdmin}}
	if stories.CanSee(v, st) {
		t.Error("B's kommunadmin may see A's story")
	}
}

func TestFeedTokenAndFrameAncestors(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	token, err := e.svc.NewFeedToken(ctx, e.tenantA, e.author.ID)
	if err != nil {
		t.Fatal(err)
	}
	if tenant, err := e.svc.FeedTenant(ctx, token); err != nil || tenant != e.tenantA {
		t.Errorf("feed token: got %d, %v", tenant, err)
	}
	again, _ := e.svc.NewFeedToken(ctx, e.tenantA, e.author.ID)
	if _, err := e.svc.FeedTenant(ctx, token); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("the replaced token still works: %v", err)
	}
	for _, forged := range []string{"", again + "x", again[:len(again)-1], "../" + again} {
		if _, err := e.svc.FeedTenant(ctx, forged); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("forged token %q: got %v, want not found", forged, err)
		}
	}
	if err := e.svc.SetFrameAncestors(ctx, e.tenantA, "https://intranat.a.example\n\nhttps://intranat.a.example/\nhttps://*.a.example"); err != nil {
		t.Fatal(err)
	}
	got, _ := e.svc.Store.FrameAncestors(ctx, e.tenantA)
	if !slices.Equal(got, []string{"https://intranat.a.example", "https://*.a.example"}) {
		t.Errorf("frame ancestors %v", got)
	}
	if err := e.svc.SetFrameAncestors(ctx, e.tenantA, "https://ok.example\nhttps://x.example; script-src *"); fieldError(err, "origins") == "" {
		t.Errorf("a CSP injection was accepted: %v", err)
	}
	if err := e.svc.SetFrameAncestors(ctx, e.tenantA, ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.svc.Store.FrameAncestors(ctx, e.tenantA); len(got) != 0 {
		t.Errorf("after clearing: %v", got)
	}
}
