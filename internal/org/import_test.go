package org

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"github.com/vard-kommun/vard/internal/db/dbtest"
)

// impEnv is a fresh database with one kommun and an importer over it.
type impEnv struct {
	svc    *Service
	im     *Importer
	tenant *Tenant
	admin  *Person
}

func newImpEnv(t testing.TB) *impEnv {
	t.Helper()
	svc := NewService(NewStore(dbtest.Open(t)))
	admin := &Person{GivenName: "Ada", FamilyName: "Admin", Email: "ada@exempelby.example"}
	tenant, err := svc.CreateTenant(context.Background(), "exempelby", "Exempelby kommun", admin)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return &impEnv{svc: svc, im: NewImporter(svc, log), tenant: tenant, admin: admin}
}

// impPerson is one row of a generated HR file.
type impPerson struct {
	ID, Given, Family, Email, Title, Dept, Unit, Team, Roles, Chef string
}

var impHeader = []string{"Anst.nr", "Förnamn", "Efternamn", "E-post", "Befattning", "Förvaltning", "Enhet", "Arbetslag", "Roll", "Chef"}

func (p impPerson) cells() []string {
	return []string{p.ID, p.Given, p.Family, p.Email, p.Title, p.Dept, p.Unit, p.Team, p.Roles, p.Chef}
}

// impPeople makes n people spread over two förvaltningar, four enheter each and three arbetslag per
// enhet, with the first person of every enhet as its chef.
func impPeople(n int) []impPerson {
	given := []string{"Åsa", "Märta", "Jöns", "Björn", "Anna", "Örjan", "Eva", "Lars"}
	family := []string{"Åberg", "Lindström", "Ek", "Söderberg", "Andersson", "Östlund", "Nilsson", "Berg"}
	depts := []string{"Barn- och utbildningsförvaltningen", "Socialförvaltningen"}
	list := make([]impPerson, n)
	for i := range list {
		d := depts[i%2]
		u := fmt.Sprintf("Enhet %c%d", 'A'+i%2, (i/2)%4+1)
		p := impPerson{
			ID: fmt.Sprintf("%06d", 100000+i), Given: given[i%len(given)], Family: family[(i/len(given))%len(family)],
			Email: fmt.Sprintf("person%d@exempelby.example", i), Title: "Handläggare", Dept: d, Unit: u,
		}
		if i < 8 {
			p.Chef, p.Roles, p.Title = "ja", "chef", "Enhetschef"
		} else {
			p.Team = fmt.Sprintf("Arbetslag %d", i%3+1)
		}
		list[i] = p
	}
	return list
}

// impCSV writes people as a CSV file with the delimiter.
func impCSV(people []impPerson, delim string) []byte {
	var b bytes.Buffer
	b.WriteString(strings.Join(impHeader, delim) + "\r\n")
	for _, p := range people {
		b.WriteString(strings.Join(p.cells(), delim) + "\r\n")
	}
	return b.Bytes()
}

func (e *impEnv) importFile(t testing.TB, content []byte, apply bool) *ImportResult {
	t.Helper()
	res, err := e.im.ImportFile(context.Background(), e.tenant.ID, bytes.NewReader(content), "hr.csv", apply, nil)
	if err != nil {
		t.Fatalf("ImportFile: %v", err)
	}
	return res
}

// counts is a result's counts, compared as one value so that a failure shows all of them.
type counts struct {
	Rows, Created, Changed, Moved, Reactivated, Deactivated, Unchanged, UnitsCreated, UnitsReopened, Errors int
}

func countsOf(r *ImportResult) counts {
	return counts{r.Rows, r.Created, r.Changed, r.Moved, r.Reactivated, r.Deactivated, r.Unchanged, r.UnitsCreated, r.UnitsReopened, r.ErrorCount}
}

func (e *impEnv) people(t testing.TB, inactive bool) map[string]*Person {
	t.Helper()
	list, _, err := e.svc.Store.People(context.Background(), e.tenant.ID, PeopleFilter{Inactive: inactive, Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]*Person{}
	for _, p := range list {
		key := p.EmployeeID
		if key == "" {
			key = p.Email
		}
		m[key] = p
	}
	return m
}

func TestImportPreviewOnFreshKommun(t *testing.T) {
	e := newImpEnv(t)
	res := e.importFile(t, impCSV(impPeople(300), ","), false)
	// 2 förvaltningar, 8 enheter, 8 × 3 arbetslag.
	want := counts{Rows: 300, Created: 300, UnitsCreated: 2 + 8 + 24}
	if got := countsOf(res); got != want {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if !res.CanApply() || res.Applied {
		t.Errorf("got CanApply %v, Applied %v; want a preview that can be applied", res.CanApply(), res.Applied)
	}
	if res.MappingSource != "guessed" || res.Format != "csv" || res.Delimiter != "," {
		t.Errorf("got mapping %q, format %q, delimiter %q", res.MappingSource, res.Format, res.Delimiter)
	}
	if len(res.CreatedSample) != importMaxSamples {
		t.Errorf("got %d created in the sample, want %d", len(res.CreatedSample), importMaxSamples)
	}
	if got := res.CreatedSample[8].Unit; got != "Barn- och utbildningsförvaltningen › Enhet A1 › Arbetslag 3" {
		t.Errorf("got unit path %q", got)
	}
	if n := len(e.people(t, true)); n != 1 {
		t.Errorf("a preview stored people: got %d people, want only the admin", n)
	}
}

func TestImportApplyCreatesTreeAndPeopleAndReimportChangesNothing(t *testing.T) {
	e := newImpEnv(t)
	ctx := context.Background()
	file := impCSV(impPeople(300), ";")
	res := e.importFile(t, file, true)
	if !res.Applied || res.Created != 300 {
		t.Fatalf("got Applied %v and %d created, want 300 applied", res.Applied, res.Created)
	}
	tree, err := e.svc.Tree(ctx, e.tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(tree.Roots) != 2 || len(tree.ByID) != 34 {
		t.Fatalf("got %d förvaltningar and %d units, want 2 and 34", len(tree.Roots), len(tree.ByID))
	}
	for _, root := range tree.Roots {
		if root.Kind != KindDepartment || len(root.Children) != 4 {
			t.Errorf("%s: got kind %s with %d children, want a department with 4 enheter", root.Name, root.Kind, len(root.Children))
		}
		for _, u := range root.Children {
			if u.Kind != KindUnit || len(u.Children) != 3 || u.Children[0].Kind != KindTeam {
				t.Errorf("%s: got kind %s with %d children", u.Name, u.Kind, len(u.Children))
			}
			if u.ManagerID == 0 {
				t.Errorf("%s has no chef", u.Name)
			}
		}
		if root.TotalPeople != 150 {
			t.Errorf("%s: got %d people, want 150", root.Name, root.TotalPeople)
		}
	}
	people := e.people(t, false)
	chef := people["100000"]
	if chef == nil || chef.GivenName != "Åsa" || chef.Title != "Enhetschef" || !chef.HasRole(RoleManager) {
		t.Fatalf("got chef %+v", chef)
	}
	if u := tree.ByID[chef.UnitID]; u.ManagerID != chef.ID || u.Name != "Enhet A1" {
		t.Errorf("got chef placed in %q led by %d, want Enhet A1 led by %d", u.Name, u.ManagerID, chef.ID)
	}
	if p := people["100010"]; p == nil || p.Email != "person10@exempelby.example" || len(p.Roles) != 0 {
		t.Errorf("got person %+v", p)
	}

	again := e.importFile(t, file, true)
	if want := (counts{Rows: 300, Unchanged: 300}); countsOf(again) != want {
		t.Errorf("re-import: got %+v, want %+v", countsOf(again), want)
	}
	if again.HasChanges() || again.CanApply() {
		t.Errorf("re-import: got HasChanges %v, CanApply %v; want nothing to do", again.HasChanges(), again.CanApply())
	}
	updated := e.people(t, false)["100010"]
	if !updated.UpdatedAt.Equal(people["100010"].UpdatedAt) {
		t.Errorf("re-import rewrote an unchanged person: updated_at %v → %v", people["100010"].UpdatedAt, updated.UpdatedAt)
	}
}

func TestImportChangedFile(t *testing.T) {
	e := newImpEnv(t)
	ctx := context.Background()
	base := impPeople(40)
	e.importFile(t, impCSV(base, ","), true)

	// Someone added by hand is never touched by the import.
	manual := &Person{TenantID: e.tenant.ID, GivenName: "Hand", FamilyName: "Lagd", Email: "hand@exempelby.example", Active: true}
	if err := e.svc.SavePerson(ctx, manual); err != nil {
		t.Fatal(err)
	}
	// A deactivated person who comes back is reactivated.
	people := e.people(t, false)
	if err := e.svc.SetActive(ctx, e.tenant.ID, people["100020"].ID, false); err != nil {
		t.Fatal(err)
	}
	// A kommunadmin keeps the role, whatever the file says.
	p := people["100021"]
	p.Roles = []Role{RoleAdmin}
	if err := e.svc.SavePerson(ctx, p); err != nil {
		t.Fatal(err)
	}
	next := slices.Clone(base)
	next[10].Unit = "Enhet A4"                     // moved
	next[11].Title = "Specialist"                  // changed
	next[12].Email = "ny.adress@exempelby.example" // changed
	next[13].Team = "Arbetslag Nytt"               // moved to a new team
	next = slices.Delete(next, 30, 33)             // three leave: deactivated
	next = append(next, impPerson{ID: "200001", Given: "Ny", Family: "Person", Email: "ny@exempelby.example",
		Dept: "Kulturförvaltningen", Unit: "Biblioteket"}) // new, in a new förvaltning and enhet
	// Two people swap e-mail addresses.
	next[14].Email, next[15].Email = next[15].Email, next[14].Email
	// The chef of Enhet A1 steps down and someone else takes over.
	next[0].Chef, next[0].Roles = "", ""
	next[16].Chef, next[16].Team = "ja", ""
	next[16].Unit = next[0].Unit

	res := e.importFile(t, impCSV(next, ","), false)
	want := counts{Rows: 38, Created: 1, Changed: 5, Moved: 3, Reactivated: 1, Deactivated: 3, Unchanged: 28, UnitsCreated: 3}
	if got := countsOf(res); got != want {
		t.Fatalf("preview: got %+v\nwant %+v\nchanged: %+v\nmoved: %+v", got, want, res.ChangedSample, res.MovedSample)
	}
	res = e.importFile(t, impCSV(next, ","), true)
	if !res.Applied {
		t.Fatalf("not applied: %+v", res.Errors)
	}
	after := e.people(t, true)
	if got := after["100030"]; got.Active {
		t.Errorf("100030 is still active")
	}
	if got := after["100020"]; !got.Active {
		t.Errorf("100020 was not reactivated")
	}
	if got := after["100021"]; !got.HasRole(RoleAdmin) {
		t.Errorf("100021 lost the admin role: %v", got.Roles)
	}
	if got := after["hand@exempelby.example"]; got == nil || !got.Active {
		t.Errorf("the person added by hand was touched: %+v", got)
	}
	if after["100014"].Email != base[15].Email || after["100015"].Email != base[14].Email {
		t.Errorf("the e-mail addresses were not swapped: %s, %s", after["100014"].Email, after["100015"].Email)
	}
	tree, _ := e.svc.Tree(ctx, e.tenant.ID)
	unitA1 := tree.ByID[after["100000"].UnitID]
	if unitA1.ManagerID != after["100016"].ID {
		t.Errorf("got chef %d for %s, want %d", unitA1.ManagerID, unitA1.Name, after["100016"].ID)
	}
	if after["100000"].HasRole(RoleManager) {
		t.Errorf("the chef who stepped down still has the chef role")
	}
	if got := tree.Path(after["100010"].UnitID); len(got) != 3 || got[1].Name != "Enhet A4" || got[2].Name != "Arbetslag 2" {
		t.Errorf("100010 is in %v, want Enhet A4 › Arbetslag 2", got)
	}
	if got := e.importFile(t, impCSV(next, ","), false); got.HasChanges() {
		t.Errorf("re-import of the changed file: got %+v, want no changes", countsOf(got))
	}

	// Close a unit by hand after emptying it; the file brings it back.
	lib := tree.ByID[after["200001"].UnitID]
	if err := e.svc.SetActive(ctx, e.tenant.ID, after["200001"].ID, false); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.CloseUnit(ctx, e.tenant.ID, lib.ID); err != nil {
		t.Fatal(err)
	}
	res = e.importFile(t, impCSV(next, ","), true)
	if want := (counts{Rows: 38, Reactivated: 1, Unchanged: 37, UnitsReopened: 1}); countsOf(res) != want {
		t.Errorf("reopen: got %+v, want %+v", countsOf(res), want)
	}
	if u, _ := e.svc.Store.Unit(ctx, e.tenant.ID, lib.ID); u.Closed() {
		t.Errorf("%s is still closed", u.Name)
	}
}

func TestImportRowErrorsBlockApply(t *testing.T) {
	e := newImpEnv(t)
	people := impPeople(50)
	people[3].Family = ""                                   // line 5
	people[7].ID = people[2].ID                             // line 9: duplicate employee id
	people[9].Email = "inte en adress"                      // line 11
	people[12].Email = people[11].Email                     // line 14: duplicate e-mail
	people[20].Email = "ada@exempelby.example"              // line 22: the admin's, added by hand
	people[25].Roles = "trollkarl"                          // line 27
	people[30].Chef, people[30].Unit = "ja", people[0].Unit // line 32: a second chef for Enhet A1
	people[30].Team = ""
	res := e.importFile(t, impCSV(people, ";"), true)
	if res.Applied || res.CanApply() {
		t.Fatalf("a file with errors was applied")
	}
	var lines []int
	for _, r := range res.Errors {
		lines = append(lines, r.Line)
	}
	if want := []int{5, 9, 11, 14, 22, 27, 32}; !slices.Equal(lines, want) {
		t.Errorf("got errors on lines %v, want %v\n%+v", lines, want, res.Errors)
	}
	if res.ErrorCount != 7 {
		t.Errorf("got %d rows with errors, want 7", res.ErrorCount)
	}
	for _, want := range []string{"Efternamn saknas", "finns också på rad 4", "inte giltig", "finns också på rad 13",
		"inlagd för hand", "Okänd roll", "har redan en chef på rad 2"} {
		if !slices.ContainsFunc(res.Errors, func(r RowError) bool { return strings.Contains(r.Message, want) }) {
			t.Errorf("no error says %q: %+v", want, res.Errors)
		}
	}
	if n := len(e.people(t, true)); n != 1 {
		t.Errorf("got %d people after a blocked import, want only the admin", n)
	}
	tree, _ := e.svc.Tree(context.Background(), e.tenant.ID)
	if len(tree.ByID) != 0 {
		t.Errorf("got %d units after a blocked import, want none", len(tree.ByID))
	}
}

func TestImportWindows1252SemicolonCSV(t *testing.T) {
	e := newImpEnv(t)
	text := "Anställningsnummer;Förnamn;Efternamn;E-postadress;Befattningsbenämning;Förvaltning;Avdelning;Arbetsgrupp\r\n" +
		"10231;Åsa;Öberg;asa.oberg@exempelby.example;Förvaltningschef;Barn- och utbildningsförvaltningen;;\r\n" +
		"10488;Märta;Lindström;marta@exempelby.example;Rektor;Barn- och utbildningsförvaltningen;Ängsskolan;\r\n" +
		"10502;Jöns;Ek;jons@exempelby.example;Lärare;barn- och UTBILDNINGSförvaltningen;ängsskolan;Arbetslag 4–6\r\n"
	file, err := charmap.Windows1252.NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	res := e.importFile(t, file, true)
	if res.Encoding != "windows-1252" || res.Delimiter != ";" {
		t.Errorf("got encoding %q and delimiter %q", res.Encoding, res.Delimiter)
	}
	if want := (counts{Rows: 3, Created: 3, UnitsCreated: 3}); countsOf(res) != want {
		t.Fatalf("got %+v, want %+v: %+v", countsOf(res), want, res.Errors)
	}
	people := e.people(t, false)
	if p := people["10231"]; p.GivenName != "Åsa" || p.FamilyName != "Öberg" || p.UnitName != "Barn- och utbildningsförvaltningen" {
		t.Errorf("got %+v", p)
	}
	if p := people["10502"]; p.GivenName != "Jöns" || p.UnitName != "Arbetslag 4–6" {
		t.Errorf("got %+v", p)
	}
	if people["10488"].UnitName != "Ängsskolan" {
		t.Errorf("got %q, want Ängsskolan (matched without regard to case)", people["10488"].UnitName)
	}
}

func impXLSX(t testing.TB, people []impPerson) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	row := make([]any, len(impHeader))
	for i, h := range impHeader {
		row[i] = h
	}
	if err := f.SetSheetRow(sheet, "A1", &row); err != nil {
		t.Fatal(err)
	}
	for i, p := range people {
		cells := p.cells()
		row := make([]any, len(cells))
		for j, c := range cells {
			row[j] = c
		}
		if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", i+2), &row); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestImportXLSX(t *testing.T) {
	e := newImpEnv(t)
	people := impPeople(120)
	res := e.importFile(t, impXLSX(t, people), true)
	if res.Format != "xlsx" || !res.Applied {
		t.Fatalf("got format %q, applied %v: %+v", res.Format, res.Applied, res.Errors)
	}
	if want := (counts{Rows: 120, Created: 120, UnitsCreated: 34}); countsOf(res) != want {
		t.Errorf("got %+v, want %+v", countsOf(res), want)
	}
	// The same people from a CSV file change nothing: the formats read alike.
	if got := e.importFile(t, impCSV(people, ","), false); got.HasChanges() {
		t.Errorf("CSV after XLSX: got %+v, want no changes", countsOf(got))
	}
}

func TestImportFileProblems(t *testing.T) {
	e := newImpEnv(t)
	tests := []struct {
		name    string
		content []byte
		want    string
		mapping bool
	}{
		{"tom fil", nil, "Filen är tom.", false},
		{"bara rubrikrad", []byte("Anst.nr;Förnamn;Efternamn;Förvaltning\r\n"), "inga rader med personer", false},
		{"okända kolumner", []byte("a;b;c\r\n1;2;3\r\n"), "Välj vilken kolumn", true},
		{"binärfil", []byte("\x00\x01\x02\x03"), "inte vara en CSV", false},
		{"trasig xlsx", []byte("PK\x03\x04trasig"), "Excel", false},
		{"för stor", bytes.Repeat([]byte("a"), MaxImportBytes+1), "större än 20 MB", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.im.ImportFile(context.Background(), e.tenant.ID, bytes.NewReader(tt.content), "fil", true, nil)
			var ie *ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, want an *ImportError", err)
			}
			if !strings.Contains(ie.Message, tt.want) || ie.NeedsMapping != tt.mapping {
				t.Errorf("got %q (needs mapping %v), want %q (%v)", ie.Message, ie.NeedsMapping, tt.want, tt.mapping)
			}
		})
	}
}

func TestImportProgress(t *testing.T) {
	e := newImpEnv(t)
	var last [2]int
	calls := 0
	_, err := e.im.ImportFile(context.Background(), e.tenant.ID, bytes.NewReader(impCSV(impPeople(250), ",")), "hr.csv", true,
		func(done, total int) { last = [2]int{done, total}; calls++ })
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 || last != [2]int{500, 500} {
		t.Errorf("got %d calls ending at %v, want the last at 500 of 500 (two readings of 250 rows)", calls, last)
	}
}

// waitJob runs until the job reaches one of the states, or fails the test.
func waitJob(t testing.TB, im *Importer, tenantID, id int64, states ...string) *importJob {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		j, err := im.job(context.Background(), tenantID, id)
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(states, j.Status) {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d is %s (%s), want one of %v", id, j.Status, j.Message, states)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestImportWorker(t *testing.T) {
	e := newImpEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.im.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	id, err := e.im.createJob(ctx, e.tenant.ID, "hr.csv", impCSV(impPeople(200), ","))
	if err != nil {
		t.Fatal(err)
	}
	j := waitJob(t, e.im, e.tenant.ID, id, importPreviewed, importFailed)
	if j.Status != importPreviewed || j.Result == nil || j.Result.Created != 200 {
		t.Fatalf("got %s (%s) with %+v", j.Status, j.Message, j.Result)
	}
	if j.Processed != 200 || j.Total != 200 || j.Mapping == nil || j.Attempt != 1 {
		t.Errorf("got progress %d/%d, mapping %v, attempt %d", j.Processed, j.Total, j.Mapping, j.Attempt)
	}
	if ok, err := e.im.queueApply(ctx, e.tenant.ID, id); !ok || err != nil {
		t.Fatalf("queueApply: %v %v", ok, err)
	}
	j = waitJob(t, e.im, e.tenant.ID, id, importDone, importPreviewed, importFailed)
	if j.Status != importDone || !j.Result.Applied {
		t.Fatalf("got %s (%s)", j.Status, j.Message)
	}
	if n := len(e.people(t, false)); n != 201 {
		t.Errorf("got %d people, want 201", n)
	}
	var size int
	if err := e.svc.Store.DB.Read().QueryRowContext(ctx, `SELECT LENGTH(content) FROM import_jobs WHERE id = $1`, id).Scan(&size); err != nil || size != 0 {
		t.Errorf("got a file of %d bytes kept after the import (%v), want it removed", size, err)
	}
	// A second queued job for the same file previews as unchanged and cannot be applied.
	id2, _ := e.im.createJob(ctx, e.tenant.ID, "hr.csv", impCSV(impPeople(200), ","))
	j = waitJob(t, e.im, e.tenant.ID, id2, importPreviewed, importFailed)
	if j.Result.HasChanges() || j.Result.Unchanged != 200 {
		t.Errorf("second import: got %+v", countsOf(j.Result))
	}
	if ok, _ := e.im.queueApply(ctx, e.tenant.ID, id2); !ok {
		t.Fatal("queueApply refused a previewed job")
	}
	// An unreadable file fails with a message, and the worker goes on.
	id3, _ := e.im.createJob(ctx, e.tenant.ID, "trasig.xlsx", []byte("PK\x03\x04trasig"))
	j = waitJob(t, e.im, e.tenant.ID, id3, importFailed, importPreviewed)
	if j.Status != importFailed || !strings.Contains(j.Message, "Excel") {
		t.Errorf("got %s (%s), want failed with a message about Excel", j.Status, j.Message)
	}
}

func TestImportWorkerTakesOverAStaleJob(t *testing.T) {
	e := newImpEnv(t)
	ctx := context.Background()
	id, _ := e.im.createJob(ctx, e.tenant.ID, "hr.csv", impCSV(impPeople(20), ","))
	// A worker claimed the job and died.
	job, err := e.im.claim(ctx)
	if err != nil || job == nil || job.ID != id {
		t.Fatalf("claim: %v %v", job, err)
	}
	if again, _ := e.im.claim(ctx); again != nil {
		t.Fatalf("a running job was claimed twice")
	}
	if _, err := e.svc.Store.DB.Exec(ctx, `UPDATE import_jobs SET updated_at = $1 WHERE id = $2`, time.Now().UTC().Add(-time.Hour), id); err != nil {
		t.Fatal(err)
	}
	if n := e.im.runPending(ctx); n != 1 {
		t.Fatalf("processed %d jobs, want the stale one", n)
	}
	j, _ := e.im.job(ctx, e.tenant.ID, id)
	if j.Status != importPreviewed || j.Attempt != 2 {
		t.Errorf("got %s at attempt %d, want previewed at attempt 2", j.Status, j.Attempt)
	}
	// The dead worker's outcome, arriving late, is ignored.
	if ok, err := e.im.settleJob(ctx, e.svc.Store.DB.Writer(), job, importFailed, nil, "sent"); ok || err != nil {
		t.Errorf("a stale worker settled the job: %v %v", ok, err)
	}
}

// BenchmarkImport50k previews and applies a generated file of 50,000 people on a fresh kommun, and
// reports rows per second and the peak heap seen while it ran.
func BenchmarkImport50k(b *testing.B) {
	const n = 50000
	file := impCSV(impPeople(n), ";")
	for range b.N {
		b.StopTimer()
		e := newImpEnv(b)
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		peak := base.HeapAlloc
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			var m runtime.MemStats
			for {
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
				}
				runtime.ReadMemStats(&m)
				peak = max(peak, m.HeapAlloc)
			}
		}()
		b.StartTimer()
		start := time.Now()
		preview := e.importFile(b, file, false)
		previewTime := time.Since(start)
		res := e.importFile(b, file, true)
		elapsed := time.Since(start)
		b.StopTimer()
		close(stop)
		<-sampled
		if preview.Created != n || !res.Applied || res.Created != n {
			b.Fatalf("got %d previewed and %d created, applied %v", preview.Created, res.Created, res.Applied)
		}
		b.ReportMetric(float64(n)/previewTime.Seconds(), "preview-rows/s")
		b.ReportMetric(float64(n)/(elapsed-previewTime).Seconds(), "apply-rows/s")
		b.ReportMetric(float64(peak-base.HeapAlloc)/(1<<20), "peak-heap-MiB")
		b.StartTimer()
	}
}

func TestImportWorkerHandsBackAJobWhenStopped(t *testing.T) {
	e := newImpEnv(t)
	ctx := context.Background()
	id, _ := e.im.createJob(ctx, e.tenant.ID, "hr.csv", impCSV(impPeople(20), ","))
	job, err := e.im.claim(ctx)
	if err != nil || job == nil {
		t.Fatalf("claim: %v %v", job, err)
	}
	stopped, cancel := context.WithCancel(ctx)
	cancel()
	e.im.process(stopped, job)
	if j, _ := e.im.job(ctx, e.tenant.ID, id); j.Status != importQueued {
		t.Fatalf("got %s, want the job back in the queue", j.Status)
	}
	if n := e.im.runPending(ctx); n != 1 {
		t.Fatalf("processed %d jobs, want 1", n)
	}
	if j, _ := e.im.job(ctx, e.tenant.ID, id); j.Status != importPreviewed {
		t.Errorf("got %s, want previewed", j.Status)
	}
}

func TestImportPreviewsExpire(t *testing.T) {
	e := newImpEnv(t)
	ctx := context.Background()
	old, _ := e.im.createJob(ctx, e.tenant.ID, "gammal.csv", impCSV(impPeople(5), ","))
	fresh, _ := e.im.createJob(ctx, e.tenant.ID, "ny.csv", impCSV(impPeople(5), ","))
	e.im.runPending(ctx)
	if _, err := e.svc.Store.DB.Exec(ctx, `UPDATE import_jobs SET updated_at = $1 WHERE id = $2`, time.Now().UTC().Add(-8*24*time.Hour), old); err != nil {
		t.Fatal(err)
	}
	if err := e.im.expire(ctx); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[int64]string{old: importCancelled, fresh: importPreviewed} {
		if j, _ := e.im.job(ctx, e.tenant.ID, id); j.Status != want {
			t.Errorf("job %s: got %s, want %s", j.Filename, j.Status, want)
		}
	}
}

// TestImportWorkersClaimEachJobOnce runs two workers, as two servers would, over the same queue.
func TestImportWorkersClaimEachJobOnce(t *testing.T) {
	e := newImpEnv(t)
	ctx := context.Background()
	other := NewImporter(e.svc, e.im.log)
	var ids []int64
	for i := range 6 {
		id, err := e.im.createJob(ctx, e.tenant.ID, fmt.Sprintf("hr%d.csv", i), impCSV(impPeople(30), ","))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	counts := make(chan int, 2)
	for _, im := range []*Importer{e.im, other} {
		go func() { counts <- im.runPending(ctx) }()
	}
	if total := <-counts + <-counts; total != len(ids) {
		t.Errorf("the workers processed %d jobs, want %d", total, len(ids))
	}
	for _, id := range ids {
		j, _ := e.im.job(ctx, e.tenant.ID, id)
		if j.Status != importPreviewed || j.Attempt != 1 {
			t.Errorf("job %d: got %s at attempt %d, want previewed once", id, j.Status, j.Attempt)
		}
	}
}

// FuzzImportFile feeds anything through a preview and an apply: a file may be refused, or have row
// errors, but nothing may panic, and an applied file must read as unchanged afterwards.
func FuzzImportFile(f *testing.F) {
	f.Add(impCSV(impPeople(3), ";"))
	f.Add([]byte("Anst.nr,Förnamn,Efternamn,Förvaltning,Enhet,Arbetslag,Chef\n1,A,B,F,,T,ja\n2,C,D,F,E,,x\n"))
	f.Add([]byte("Anst.nr;Förnamn;Efternamn;Förvaltning\n1;\"A\nB\";C;D\n1;E;F;G\n"))
	f.Add([]byte("sep=;\nAnst.nr;Förnamn;Efternamn;Förvaltning;Roll\n\"1\";Å;Ö;\u00a0X\u200b;trollkarl\n"))
	f.Add([]byte("\xef\xbb\xbfAnst.nr;Förnamn;Efternamn;Förvaltning\r\n1;a;b;c\r\n2;a;b;C\r\n"))
	e := newImpEnv(f)
	f.Fuzz(func(t *testing.T, content []byte) {
		ctx := context.Background()
		res, err := e.im.ImportFile(ctx, e.tenant.ID, bytes.NewReader(content), "fuzz.csv", true, nil)
		var ie *ImportError
		if err != nil && !errors.As(err, &ie) {
			t.Fatalf("got %v, want a result or an *ImportError", err)
		}
		if err != nil || !res.Applied {
			return
		}
		again, err := e.im.ImportFile(ctx, e.tenant.ID, bytes.NewReader(content), "fuzz.csv", false, nil)
		if err != nil {
			t.Fatalf("second reading: %v", err)
		}
		if again.HasChanges() {
			t.Fatalf("an applied file changes more the second time: %+v", countsOf(again))
		}
	})
}

// TestImportKeepsKommunadminsMissingFromTheFile: importing the wrong file, or one förvaltning's export,
// must not lock the kommun out of its own administration.
func TestImportKeepsKommunadminsMissingFromTheFile(t *testing.T) {
	e := newImpEnv(t)
	ctx := context.Background()
	base := impPeople(20)
	e.importFile(t, impCSV(base, ","), true)
	p := e.people(t, false)["100005"]
	p.Roles = append(p.Roles, RoleAdmin)
	if err := e.svc.SavePerson(ctx, p); err != nil {
		t.Fatal(err)
	}
	res := e.importFile(t, impCSV(base[10:], ","), true)
	if res.KeptAdmins != 1 || res.Deactivated != 9 {
		t.Errorf("got %d kept admins and %d deactivated, want 1 and 9", res.KeptAdmins, res.Deactivated)
	}
	after := e.people(t, true)
	if !after["100005"].Active {
		t.Error("a kommunadmin missing from the file was deactivated")
	}
	if after["100004"].Active {
		t.Error("an ordinary person missing from the file is still active")
	}
}
