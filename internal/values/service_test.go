package values_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/db/dbtest"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/values"
	"github.com/vard-kommun/vard/internal/web"
)

// env is a fresh database with two kommuner, A and B, each with a kommunadmin.
type env struct {
	db               *db.DB
	svc              *values.Service
	org              *org.Service
	tenantA, tenantB int64
	adminA, adminB   int64
}

// today is the day the tests run on, as far as the service knows.
var today = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

func newEnv(t testing.TB) *env {
	t.Helper()
	d := dbtest.Open(t)
	orgSvc := org.NewService(org.NewStore(d))
	e := &env{db: d, org: orgSvc, svc: values.NewService(d, orgSvc)}
	e.svc.Now = func() time.Time { return today }
	ctx := context.Background()
	adminA := &org.Person{GivenName: "Anna", FamilyName: "Admin", Email: "anna@a.example"}
	a, err := orgSvc.CreateTenant(ctx, "a-kommun", "A kommun", adminA)
	if err != nil {
		t.Fatal(err)
	}
	adminB := &org.Person{GivenName: "Bo", FamilyName: "Admin", Email: "bo@b.example"}
	b, err := orgSvc.CreateTenant(ctx, "b-kommun", "B kommun", adminB)
	if err != nil {
		t.Fatal(err)
	}
	e.tenantA, e.tenantB, e.adminA, e.adminB = a.ID, b.ID, adminA.ID, adminB.ID
	return e
}

// first is a värdegrund as a kommun might write it the first time.
var first = values.DraftInput{
	Vision: "Det goda livet i storstadens närhet.",
	Words: []values.WordInput{
		{Name: "Engagemang", Meaning: "Vi brinner för uppdraget.", Behaviours: "Vi tar initiativ.\nVi följer upp."},
		{},
		{Name: "Tillit", Meaning: "Vi litar på varandra.", Behaviours: "Vi håller det vi lovar."},
		{Name: "Tillsammans", Meaning: "Vi är en kommun.", Behaviours: "Vi hjälper varandra.\r\n\r\n  Vi delar med oss.  "},
	},
	Code: "Vi hälsar först.\r\nVi lotsar rätt.",
	Promises: []values.PromiseInput{
		{Text: "Du får svar på e-post inom två arbetsdagar.", TargetValue: "2", TargetUnit: "working_days", Measure: "Andel besvarad e-post"},
		{Text: "Du blir bemött med respekt."},
		{},
	},
}

// adopted writes the input as a draft (from fromID) and adopts it on the date.
func (e *env) adopted(t testing.TB, tenantID, fromID int64, in values.DraftInput, date string) *values.Version {
	t.Helper()
	ctx := context.Background()
	v, err := e.svc.CreateDraft(ctx, tenantID, fromID, e.adminA)
	if err != nil {
		t.Fatalf("create draft: %v", err)
	}
	if _, err := e.svc.SaveDraft(ctx, tenantID, v.ID, in); err != nil {
		t.Fatalf("save draft: %v", err)
	}
	if err := e.svc.Adopt(ctx, tenantID, v.ID, values.AdoptionInput{Date: date, Body: "Kommunfullmäktige", RegistrationNumber: "KS 2024/1"}, e.adminA); err != nil {
		t.Fatalf("adopt: %v", err)
	}
	v, err = e.svc.Version(ctx, tenantID, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// status returns err's HTTP status, or 0 for an error that is not a *web.Error.
func status(err error) int {
	var e *web.Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

func wordNames(words []values.Word) []string {
	var out []string
	for _, w := range words {
		out = append(out, w.Name)
	}
	return out
}

func TestDraftAdoptedReadOnly(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)

	if words, err := e.svc.Words(ctx, e.tenantA); err != nil || words == nil || len(words) != 0 {
		t.Fatalf("Words before any adoption: got %v (%v), want an empty list", words, err)
	}
	if _, err := e.svc.Current(ctx, e.tenantA); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("Current before any adoption: got %v, want not found", err)
	}

	draft, err := e.svc.CreateDraft(ctx, e.tenantA, 0, e.adminA)
	if err != nil {
		t.Fatal(err)
	}
	if draft.Number != 1 || draft.Status != values.StatusDraft || !draft.Empty() {
		t.Fatalf("got draft %+v, want an empty draft number 1", draft)
	}
	saved, err := e.svc.SaveDraft(ctx, e.tenantA, draft.ID, first)
	if err != nil {
		t.Fatalf("save: %v", err)
	}
	if got := len(saved.Words); got != 3 {
		t.Errorf("got %d words, want 3 (the blank row left out)", got)
	}
	if got := saved.Words[2].Behaviours; !slices.Equal(got, []string{"Vi hjälper varandra.", "Vi delar med oss."}) {
		t.Errorf("got behaviours %q, want two trimmed lines", got)
	}
	if saved.Code != "Vi hälsar först.\nVi lotsar rätt." {
		t.Errorf("got code %q, want line breaks made \\n", saved.Code)
	}
	// A draft is nobody's tags yet.
	if words, _ := e.svc.Words(ctx, e.tenantA); len(words) != 0 {
		t.Errorf("Words with only a draft: got %v, want none", words)
	}

	if err := e.svc.Adopt(ctx, e.tenantA, draft.ID, values.AdoptionInput{Date: "2024-02-01", Body: "Kommunfullmäktige", RegistrationNumber: "KS 2024/12"}, e.adminA); err != nil {
		t.Fatalf("adopt: %v", err)
	}
	cur, err := e.svc.Current(ctx, e.tenantA)
	if err != nil {
		t.Fatal(err)
	}
	if cur.ID != draft.ID || cur.Status != values.StatusAdopted || cur.Adoption.Date != "2024-02-01" || cur.Adoption.RegistrationNumber != "KS 2024/12" ||
		cur.Adoption.RecordedByName != "Anna Admin" || cur.Adoption.RecordedAt == nil {
		t.Errorf("got current %+v, want the adopted draft with its decision", cur)
	}
	if cur.Promises[0].Target == nil || *cur.Promises[0].Target != (values.Target{Value: 2, Unit: values.UnitWorkingDays, Measure: "Andel besvarad e-post"}) {
		t.Errorf("got target %+v, want 2 working days with its measure", cur.Promises[0].Target)
	}
	if cur.Promises[1].Target != nil {
		t.Errorf("got target %+v for a promise without one, want nil", cur.Promises[1].Target)
	}
	words, err := e.svc.Words(ctx, e.tenantA)
	if err != nil {
		t.Fatal(err)
	}
	if got := wordNames(words); !slices.Equal(got, []string{"Engagemang", "Tillit", "Tillsammans"}) {
		t.Errorf("Words: got %v, want the three in order", got)
	}
	if words[0].Key != "engagemang" || words[0].Meaning != "Vi brinner för uppdraget." {
		t.Errorf("got first word %+v, want key engagemang and its meaning", words[0])
	}

	t.Run("an adopted version cannot be edited, adopted again or deleted", func(t *testing.T) {
		if _, err := e.svc.SaveDraft(ctx, e.tenantA, draft.ID, values.DraftInput{Vision: "Ändrad"}); status(err) != http.StatusConflict {
			t.Errorf("save: got %v, want 409", err)
		}
		if err := e.svc.Adopt(ctx, e.tenantA, draft.ID, values.AdoptionInput{Date: "2024-03-01", Body: "KF"}, e.adminA); status(err) != http.StatusConflict {
			t.Errorf("adopt again: got %v, want 409", err)
		}
		if err := e.svc.DeleteDraft(ctx, e.tenantA, draft.ID); status(err) != http.StatusConflict {
			t.Errorf("delete: got %v, want 409", err)
		}
		if v, _ := e.svc.Current(ctx, e.tenantA); v.Vision != first.Vision {
			t.Errorf("got vision %q after refused changes, want it unchanged", v.Vision)
		}
	})
}

func TestNewDraftKeepsKeys(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	v1 := e.adopted(t, e.tenantA, 0, first, "2019-11-18")

	draft, err := e.svc.CreateDraft(ctx, e.tenantA, v1.ID, e.adminA)
	if err != nil {
		t.Fatal(err)
	}
	if draft.Number != 2 || draft.BasedOnID != v1.ID || draft.Vision != v1.Vision || len(draft.Words) != 3 || len(draft.Promises) != 2 {
		t.Fatalf("got draft %+v, want a full copy of version 1 numbered 2", draft)
	}
	for i := range v1.Words {
		if draft.Words[i].Key != v1.Words[i].Key {
			t.Errorf("word %d: got key %q, want %q kept", i, draft.Words[i].Key, v1.Words[i].Key)
		}
	}

	// Rename Engagemang to Drivkraft (its key stays), drop Tillit, and add a word that a tampered form
	// gives Tillit's key; a new word named like the kept key's old name gets a key of its own.
	in := values.DraftInput{Vision: "Det goda livet.", Code: v1.Code, Words: []values.WordInput{
		{Key: draft.Words[0].Key, Name: "Drivkraft", Meaning: "Vi vågar."},
		{Key: draft.Words[2].Key, Name: "Tillsammans", Meaning: "Vi är en kommun."},
		{Key: "finns-inte", Name: "Medkänsla"},
		{Key: draft.Words[2].Key, Name: "Engagemang"},
	}, Promises: []values.PromiseInput{{Key: draft.Promises[0].Key, Text: "Du får svar på e-post inom en arbetsdag.", TargetValue: "1", TargetUnit: "working_days"}}}
	if _, err := e.svc.SaveDraft(ctx, e.tenantA, draft.ID, in); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Adopt(ctx, e.tenantA, draft.ID, values.AdoptionInput{Date: "2023-05-15", Body: "Kommunfullmäktige"}, e.adminA); err != nil {
		t.Fatal(err)
	}
	words, _ := e.svc.Words(ctx, e.tenantA)
	keys := map[string]string{}
	for _, w := range words {
		keys[w.Name] = w.Key
	}
	want := map[string]string{"Drivkraft": "engagemang", "Tillsammans": "tillsammans", "Medkänsla": "medkansla", "Engagemang": "engagemang-2"}
	for name, key := range want {
		if keys[name] != key {
			t.Errorf("%s: got key %q, want %q", name, keys[name], key)
		}
	}
	v2, _ := e.svc.Version(ctx, e.tenantA, draft.ID)
	if v2.Promises[0].Key != v1.Promises[0].Key {
		t.Errorf("got promise key %q, want %q kept", v2.Promises[0].Key, v1.Promises[0].Key)
	}

	list, err := e.svc.Versions(ctx, e.tenantA)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Status != values.StatusAdopted || list[1].Status != values.StatusReplaced || list[1].ReplacedAt == nil {
		t.Errorf("got versions %v %v, want the new one adopted and the old one replaced", list[0].Status, list[1].Status)
	}

	t.Run("tags of a dropped word keep its last name", func(t *testing.T) {
		got, err := e.svc.WordsByKeys(ctx, e.tenantA, []string{"tillit", "finns-inte", "engagemang", "tillit"})
		if err != nil {
			t.Fatal(err)
		}
		if names := wordNames(got); !slices.Equal(names, []string{"Tillit", "Drivkraft"}) {
			t.Errorf("got %v, want Tillit (from the replaced version) and Drivkraft (engagemang's name now)", names)
		}
	})
}

func TestAdoptingAnOlderDecisionIsRefused(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.adopted(t, e.tenantA, 0, first, "2023-05-15")
	draft, _ := e.svc.CreateDraft(ctx, e.tenantA, 0, e.adminA)
	e.svc.SaveDraft(ctx, e.tenantA, draft.ID, first)
	err := e.svc.Adopt(ctx, e.tenantA, draft.ID, values.AdoptionInput{Date: "2019-01-01", Body: "KF"}, e.adminA)
	if fe := fields(err); !strings.Contains(fe["date"], "tidigare än") {
		t.Errorf("got %v, want the date refused as earlier than the version in force", err)
	}
}

func TestOneDraftAtATime(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	d, err := e.svc.CreateDraft(ctx, e.tenantA, 0, e.adminA)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CreateDraft(ctx, e.tenantA, 0, e.adminA); !errors.Is(err, values.ErrDraftExists) {
		t.Errorf("second draft: got %v, want ErrDraftExists", err)
	}
	// Another kommun's draft is no obstacle.
	if _, err := e.svc.CreateDraft(ctx, e.tenantB, 0, e.adminB); err != nil {
		t.Errorf("draft in kommun B: %v", err)
	}
	if err := e.svc.DeleteDraft(ctx, e.tenantA, d.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Version(ctx, e.tenantA, d.ID); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("deleted draft: got %v, want not found", err)
	}

	t.Run("racing requests make one draft", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() { _, errs[i] = e.svc.CreateDraft(ctx, e.tenantA, 0, e.adminA) })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, values.ErrDraftExists):
				t.Errorf("got %v, want success or ErrDraftExists", err)
			}
		}
		if ok != 1 {
			t.Errorf("got %d drafts made, want 1", ok)
		}
	})
}

func TestAnotherKommunsVersionIsNotFound(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	adopted := e.adopted(t, e.tenantA, 0, first, "2024-01-01")
	draft, _ := e.svc.CreateDraft(ctx, e.tenantA, adopted.ID, e.adminA)
	for name, err := range map[string]error{
		"read":              func() error { _, err := e.svc.Version(ctx, e.tenantB, draft.ID); return err }(),
		"save":              func() error { _, err := e.svc.SaveDraft(ctx, e.tenantB, draft.ID, first); return err }(),
		"adopt":             e.svc.Adopt(ctx, e.tenantB, draft.ID, values.AdoptionInput{Date: "2024-02-01", Body: "KF"}, e.adminB),
		"delete":            e.svc.DeleteDraft(ctx, e.tenantB, draft.ID),
		"copy into a draft": func() error { _, err := e.svc.CreateDraft(ctx, e.tenantB, adopted.ID, e.adminB); return err }(),
	} {
		if !errors.Is(err, db.ErrNotFound) && status(err) != http.StatusNotFound {
			t.Errorf("%s kommun A's version as kommun B: got %v, want not found", name, err)
		}
	}
	if words, _ := e.svc.Words(ctx, e.tenantB); len(words) != 0 {
		t.Errorf("kommun B's words: got %v, want none", words)
	}
	if list, _ := e.svc.Versions(ctx, e.tenantB); len(list) != 0 {
		t.Errorf("kommun B's versions: got %d, want none", len(list))
	}
	if v, _ := e.svc.Version(ctx, e.tenantA, draft.ID); v.Vision != first.Vision {
		t.Errorf("kommun A's draft changed to %q by kommun B", v.Vision)
	}
}

// fields returns the field errors of a validation error, or nil.
func fields(err error) map[string]string {
	var e *web.Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

func TestDraftValidation(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	draft, _ := e.svc.CreateDraft(ctx, e.tenantA, 0, e.adminA)
	many := func(n int, row func(i int) values.WordInput) []values.WordInput {
		var out []values.WordInput
		for i := range n {
			out = append(out, row(i))
		}
		return out
	}
	promises := func(n int) []values.PromiseInput {
		var out []values.PromiseInput
		for i := range n {
			out = append(out, values.PromiseInput{Text: "Löfte " + strings.Repeat("x", i)})
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		in    values.DraftInput
		field string
		want  string
	}{
		{"a word without a name", values.DraftInput{Words: []values.WordInput{{}, {Meaning: "Betydelse"}}}, "word-1-name", "Ge värdeordet ett namn."},
		{"an overlong word name", values.DraftInput{Words: []values.WordInput{{Name: strings.Repeat("å", 41)}}}, "word-0-name", "högst 40 tecken"},
		{"a word name with a line break", values.DraftInput{Words: []values.WordInput{{Name: "Till\nsammans"}}}, "word-0-name", "otillåtna tecken"},
		{"the same word twice", values.DraftInput{Words: []values.WordInput{{Name: "Tillit"}, {Name: "tillit"}}}, "word-1-name", "heta likadant"},
		{"thirteen words", values.DraftInput{Words: many(13, func(i int) values.WordInput { return values.WordInput{Name: "Ord" + strings.Repeat("x", i)} })}, "words", "högst 12 värdeord"},
		{"sixteen behaviours", values.DraftInput{Words: []values.WordInput{{Name: "Tillit", Behaviours: strings.Repeat("Beteende\n", 16)}}}, "word-0-behaviours", "högst 15 beteenden"},
		{"an overlong behaviour", values.DraftInput{Words: []values.WordInput{{Name: "Tillit", Behaviours: strings.Repeat("b", 301)}}}, "word-0-behaviours", "högst 300 tecken"},
		{"an overlong vision", values.DraftInput{Vision: strings.Repeat("v", 1001)}, "vision", "högst 1000 tecken"},
		{"a control character in the code", values.DraftInput{Code: "Vi hälsar\x00"}, "code", "otillåtna tecken"},
		{"invalid UTF-8 in a meaning", values.DraftInput{Words: []values.WordInput{{Name: "Tillit", Meaning: "\xff"}}}, "word-0-meaning", "otillåtna tecken"},
		{"a target without a promise", values.DraftInput{Promises: []values.PromiseInput{{TargetValue: "1", TargetUnit: "days"}}}, "promise-0-text", "Skriv själva löftet."},
		{"a target that is no number", values.DraftInput{Promises: []values.PromiseInput{{Text: "Svar", TargetValue: "en", TargetUnit: "days"}}}, "promise-0-target_value", "som ett tal"},
		{"a negative target", values.DraftInput{Promises: []values.PromiseInput{{Text: "Svar", TargetValue: "-1", TargetUnit: "days"}}}, "promise-0-target_value", "som ett tal"},
		{"a target without a unit", values.DraftInput{Promises: []values.PromiseInput{{Text: "Svar", TargetValue: "1"}}}, "promise-0-target_unit", "Välj vad målvärdet räknas i."},
		{"an unknown unit", values.DraftInput{Promises: []values.PromiseInput{{Text: "Svar", TargetValue: "1", TargetUnit: "veckor"}}}, "promise-0-target_unit", "Välj vad målvärdet räknas i."},
		{"a unit without a value", values.DraftInput{Promises: []values.PromiseInput{{Text: "Svar", TargetUnit: "days"}}}, "promise-0-target_value", "Ange ett målvärde"},
		{"more than 100 percent", values.DraftInput{Promises: []values.PromiseInput{{Text: "Nöjda", TargetValue: "101", TargetUnit: "percent"}}}, "promise-0-target_value", "högst 100"},
		{"an overlong promise", values.DraftInput{Promises: []values.PromiseInput{{Text: strings.Repeat("l", 301)}}}, "promise-0-text", "högst 300 tecken"},
		{"thirty-one promises", values.DraftInput{Promises: promises(31)}, "promises", "högst 30 löften"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.SaveDraft(ctx, e.tenantA, draft.ID, tc.in)
			if status(err) != http.StatusUnprocessableEntity {
				t.Fatalf("got %v, want 422", err)
			}
			if got := fields(err)[tc.field]; !strings.Contains(got, tc.want) {
				t.Errorf("field %s: got %q (all: %v), want %q", tc.field, got, fields(err), tc.want)
			}
		})
	}
	t.Run("a decimal comma is a number", func(t *testing.T) {
		v, err := e.svc.SaveDraft(ctx, e.tenantA, draft.ID, values.DraftInput{Promises: []values.PromiseInput{{Text: "Svar", TargetValue: "2,5", TargetUnit: "hours"}}})
		if err != nil || v.Promises[0].Target.Value != 2.5 {
			t.Errorf("got %+v (%v), want 2.5 hours", v, err)
		}
	})
}

func TestAdoptionValidation(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	empty, _ := e.svc.CreateDraft(ctx, e.tenantA, 0, e.adminA)
	if err := e.svc.Adopt(ctx, e.tenantA, empty.ID, values.AdoptionInput{Date: "2024-01-01", Body: "KF"}, e.adminA); status(err) != http.StatusUnprocessableEntity || !strings.Contains(err.Error(), "vision eller minst ett värdeord") {
		t.Errorf("adopting an empty draft: got %v, want 422 asking for a vision or a word", err)
	}
	e.svc.SaveDraft(ctx, e.tenantA, empty.ID, values.DraftInput{Vision: "En vision räcker."})
	for _, tc := range []struct {
		name  string
		in    values.AdoptionInput
		field string
		want  string
	}{
		{"no date", values.AdoptionInput{Body: "KF"}, "date", "måste fyllas i"},
		{"a Swedish date", values.AdoptionInput{Date: "15/5 2023", Body: "KF"}, "date", "ÅÅÅÅ-MM-DD"},
		{"no such day", values.AdoptionInput{Date: "2023-02-30", Body: "KF"}, "date", "ÅÅÅÅ-MM-DD"},
		{"a date with script", values.AdoptionInput{Date: "<script>", Body: "KF"}, "date", "ÅÅÅÅ-MM-DD"},
		{"a date in the future", values.AdoptionInput{Date: "2026-03-11", Body: "KF"}, "date", "framtiden"},
		{"the year 1066", values.AdoptionInput{Date: "1066-10-14", Body: "KF"}, "date", "ÅÅÅÅ-MM-DD"},
		{"no body", values.AdoptionInput{Date: "2024-01-01", Body: "  "}, "body", "måste fyllas i"},
		{"an overlong body", values.AdoptionInput{Date: "2024-01-01", Body: strings.Repeat("k", 121)}, "body", "högst 120 tecken"},
		{"a diarienummer with a tab", values.AdoptionInput{Date: "2024-01-01", Body: "KF", RegistrationNumber: "KS\t2024"}, "registration_number", "otillåtna tecken"},
		{"an overlong diarienummer", values.AdoptionInput{Date: "2024-01-01", Body: "KF", RegistrationNumber: strings.Repeat("1", 61)}, "registration_number", "högst 60 tecken"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := e.svc.Adopt(ctx, e.tenantA, empty.ID, tc.in, e.adminA)
			if got := fields(err)[tc.field]; !strings.Contains(got, tc.want) {
				t.Errorf("field %s: got %q (%v), want %q", tc.field, got, err, tc.want)
			}
		})
	}
	if err := e.svc.Adopt(ctx, e.tenantA, empty.ID, values.AdoptionInput{Date: "2026-03-10", Body: "KF"}, e.adminA); err != nil {
		t.Errorf("adopting today with only a vision: %v", err)
	}
}

func TestCompare(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	v1 := e.adopted(t, e.tenantA, 0, first, "2019-11-18")
	draft, _ := e.svc.CreateDraft(ctx, e.tenantA, v1.ID, e.adminA)
	in := values.DraftInput{Vision: first.Vision, Code: "Vi hälsar först.", Words: []values.WordInput{
		{Key: draft.Words[0].Key, Name: "Drivkraft", Meaning: "Vi brinner för uppdraget.", Behaviours: "Vi tar initiativ.\nVi prövar nytt.\nVi följer upp."},
		{Key: draft.Words[2].Key, Name: "Tillsammans", Meaning: "Vi är en kommun.", Behaviours: "Vi hjälper varandra.\nVi delar med oss."},
		{Name: "Medkänsla", Meaning: "Vi bryr oss."},
	}, Promises: []values.PromiseInput{
		{Key: draft.Promises[0].Key, Text: "Du får svar på e-post inom två arbetsdagar.", TargetValue: "1", TargetUnit: "working_days", Measure: "Andel besvarad e-post"},
		{Text: "Du får svar i telefon inom två minuter.", TargetValue: "2", TargetUnit: "minutes"},
	}}
	v2, err := e.svc.SaveDraft(ctx, e.tenantA, draft.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	d := values.Compare(v1, v2)
	if d.VisionChanged || !d.CodeChanged || !d.Changed() {
		t.Errorf("got vision changed %v, code changed %v; want only the code changed", d.VisionChanged, d.CodeChanged)
	}
	type word struct {
		name                 string
		change               values.Change
		nameChanged, meaning bool
	}
	var got []word
	for _, w := range d.Words {
		name := ""
		if w.After != nil {
			name = w.After.Name
		} else {
			name = w.Before.Name
		}
		got = append(got, word{name, w.Change, w.NameChanged, w.MeaningChanged})
	}
	want := []word{{"Drivkraft", values.Changed, true, false}, {"Tillsammans", values.Same, false, false}, {"Medkänsla", values.Added, false, false}, {"Tillit", values.Removed, false, false}}
	if !slices.Equal(got, want) {
		t.Errorf("got words %+v\nwant %+v", got, want)
	}
	if lines := d.Words[0].Behaviours; !slices.Equal(lines, []values.LineChange{{values.Same, "Vi tar initiativ."}, {values.Added, "Vi prövar nytt."}, {values.Same, "Vi följer upp."}}) {
		t.Errorf("got behaviours %+v, want one line added in the middle", lines)
	}
	var changes []values.Change
	for _, p := range d.Promises {
		changes = append(changes, p.Change)
	}
	if !slices.Equal(changes, []values.Change{values.Changed, values.Added, values.Removed}) || d.Promises[0].TextChanged || !d.Promises[0].TargetChanged {
		t.Errorf("got promise changes %v (first: text %v, target %v), want changed target, added, removed", changes, d.Promises[0].TextChanged, d.Promises[0].TargetChanged)
	}
	if same := values.Compare(v1, v1); same.Changed() {
		t.Error("a version compared with itself has changes")
	}
}

func TestDemo(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.svc.Now = time.Now
	if err := values.Demo(ctx, e.svc, e.tenantA, e.adminA); err != nil {
		t.Fatalf("Demo: %v", err)
	}
	if err := values.Demo(ctx, e.svc, e.tenantA, e.adminA); err != nil {
		t.Fatalf("Demo again: %v", err)
	}
	list, _ := e.svc.Versions(ctx, e.tenantA)
	if len(list) != 2 || list[0].Adoption.Date != "2023-05-15" || list[1].Status != values.StatusReplaced {
		t.Fatalf("got %d versions, want two: the 2023 one in force and the 2019 one replaced", len(list))
	}
	cur, _ := e.svc.Current(ctx, e.tenantA)
	words, _ := e.svc.Words(ctx, e.tenantA)
	if names := wordNames(words); !slices.Equal(names, []string{"Tillsammans", "Drivkraft", "Medkänsla"}) {
		t.Errorf("got words %v, want Tillsammans, Drivkraft, Medkänsla", names)
	}
	targets := 0
	for _, p := range cur.Promises {
		if p.Target != nil {
			targets++
		}
	}
	if len(cur.Promises) < 4 || targets < 2 || cur.Code == "" || !strings.Contains(cur.Vision, "storstadens närhet") {
		t.Errorf("got %d promises (%d with targets), code %q, vision %q; want a full servicedeklaration", len(cur.Promises), targets, cur.Code, cur.Vision)
	}
	old, _ := e.svc.Version(ctx, e.tenantA, list[1].ID)
	if old.Words[2].Key != words[0].Key {
		t.Errorf("Tillsammans has key %q in 2019 and %q in 2023, want the same", old.Words[2].Key, words[0].Key)
	}
	d := values.Compare(old, cur)
	if d.Promises[0].Change != values.Changed {
		t.Errorf("the e-mail promise is %s between the versions, want changed", d.Promises[0].Change)
	}
}
