package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/app"
	"github.com/vard-kommun/vard/internal/auth"
	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/db/dbtest"
	"github.com/vard-kommun/vard/internal/org"
)

// checkinEvent adds an event to the kommun with invitations for the people, by SQL so that the door is
// tested whatever the organiser's pages look like: codes[i] is person i's code and statuses[i] their
// answer.
func checkinEvent(t *testing.T, d *db.DB, tenantID int64, capacity int, people []*org.Person, codes []string, statuses []string) int64 {
	t.Helper()
	ctx := context.Background()
	now := db.Now()
	var id int64
	err := d.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO events (tenant_id, kind, title, place, starts_at, ends_at, capacity, created_at)
			VALUES ($1, 'ledarforum', 'Ledarforum våren', 'Stadshuset', $2, $3, $4, $5) RETURNING id`,
			tenantID, now.Add(time.Hour), now.Add(5*time.Hour), capacity, now).Scan(&id); err != nil {
			return err
		}
		for i, p := range people {
			var personID, unitID any
			guest := ""
			if p.ID != 0 {
				personID, unitID = p.ID, p.UnitID
			} else {
				guest = p.GivenName + " " + p.FamilyName
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO event_invitations (event_id, person_id, unit_id, guest_name, token_hash, code, status,
				accessibility, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
				id, personID, unitID, guest, rand.Text(), codes[i], statuses[i], "Hörslinga", now); err != nil {
				return err
			}
			if statuses[i] == "yes" {
				if _, err := tx.ExecContext(ctx, `UPDATE events SET yes_count = yes_count + 1 WHERE id = $1`, id); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// checkinEventA is kommun A's event with Erik (yes), Vera (no) and the chef Cecilia (yes) invited.
func (f *fixture) checkinEventA(t *testing.T) int64 {
	t.Helper()
	return checkinEvent(t, f.app.DB, f.tenantA.ID, 0, []*org.Person{f.employeeA, f.victimA, f.chefA},
		[]string{"ERIK2345", "VERA2345", "CECI2345"}, []string{"yes", "no", "yes"})
}

func TestCheckinPages(t *testing.T) {
	f := newFixture(t)
	id := f.checkinEventA(t)
	base := "/evenemang/" + itoa(id) + "/incheckning"
	form := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	foreignUnit, err := f.app.Org.CreateUnit(context.Background(), f.tenantB.ID, org.UnitInput{Kind: org.KindDepartment, Name: "B-förvaltningen"})
	if err != nil {
		t.Fatal(err)
	}
	f.check(t, []scenario{
		{name: "the door's page", as: admin, path: path(base + "?dorr=Entré+A"), wantStatus: http.StatusOK,
			wantText: []string{"Incheckning: Ledarforum våren", "Incheckade <strong data-arrived>0</strong> av <span data-expected>2</span> förväntade",
				`value="Entré A"`, "Skanna QR-kod", "Kod från inbjudan", "Lägg till oanmäld gäst", "Socialförvaltningen"}},
		{name: "a typed code, without JavaScript", as: admin, method: http.MethodPost, path: path(base),
			form: form("code", "erik 2345", "scan_id", "s1", "dorr", "Entré A"), wantStatus: http.StatusOK,
			wantText: []string{"Välkommen, Erik!", "Erik Testsson", "Team Öst", "Tillgänglighet: Hörslinga", "<strong data-arrived>1</strong>"}},
		{name: "the same form sent again", as: admin, method: http.MethodPost, path: path(base),
			form: form("code", "ERIK2345", "scan_id", "s1", "dorr", "Entré A"), wantStatus: http.StatusOK,
			wantText: []string{"Välkommen, Erik!", "<strong data-arrived>1</strong>"}},
		{name: "the code at another door", as: admin, method: http.MethodPost, path: path(base),
			form: form("code", "ERIK2345", "scan_id", "s2", "dorr", "Entré B"), wantStatus: http.StatusOK,
			wantText: []string{"Redan incheckad kl", "vid Entré A", "<strong data-arrived>1</strong>"}},
		{name: "an unknown code", as: admin, method: http.MethodPost, path: path(base),
			form: form("code", "FEL12345", "scan_id", "s3"), wantStatus: http.StatusOK, wantText: []string{"Okänd kod"}},
		{name: "no code", as: admin, method: http.MethodPost, path: path(base),
			form: form("code", " ", "scan_id", "s4"), wantStatus: http.StatusUnprocessableEntity,
			wantText: []string{"Skriv koden från inbjudan.", `href="#code"`, `aria-invalid="true"`}},
		{name: "Vera said no", as: admin, method: http.MethodPost, path: path(base),
			form: form("code", "VERA2345", "scan_id", "s5"), wantStatus: http.StatusOK,
			wantText: []string{"Inte incheckad", "Vera Testsson", "Har tackat nej till evenemanget.", "Checka in ändå"}},
		{name: "search by name", as: admin, path: path(base + "?q=testsson"), wantStatus: http.StatusOK,
			wantText: []string{"Erik Testsson", "Vera Testsson", "Cecilia Testsson", "Incheckad kl", "Checka in ändå"}},
		{name: "search with no match", as: admin, path: path(base + "?q=zzz"), wantStatus: http.StatusOK,
			wantText: []string{"Inga inbjudna matchar sökningen."}},
		{name: "Cecilia from the search", as: admin, method: http.MethodPost, path: path(base),
			form: form("inbjudan", itoa(invitationOf(t, f, id, "CECI2345")), "scan_id", "s6", "q", "testsson"), wantStatus: http.StatusOK,
			wantText: []string{"Välkommen, Cecilia!", "<strong data-arrived>2</strong>"}},
		{name: "Vera anyway", as: admin, method: http.MethodPost, path: path(base),
			form: form("inbjudan", itoa(invitationOf(t, f, id, "VERA2345")), "anda", "1", "scan_id", "s7"), wantStatus: http.StatusOK,
			wantText: []string{"Välkommen, Vera!", "<strong data-arrived>3</strong> av <span data-expected>3</span>"}},
		{name: "a bad invitation id", as: admin, method: http.MethodPost, path: path(base),
			form: form("inbjudan", "x", "scan_id", "s8"), wantStatus: http.StatusBadRequest},
		{name: "a walk-in without a name", as: admin, method: http.MethodPost, path: path(base + "/oanmald"),
			form: form("name", "", "organisation", "Företaget AB", "scan_id", "w1"), wantStatus: http.StatusUnprocessableEntity,
			wantText: []string{"Skriv personens namn.", `href="#name"`, `value="Företaget AB"`}},
		{name: "a walk-in in another kommun's förvaltning", as: admin, method: http.MethodPost, path: path(base + "/oanmald"),
			form: form("name", "Gustav Gäst", "unit_id", itoa(foreignUnit.ID), "scan_id", "w2"), wantStatus: http.StatusUnprocessableEntity,
			wantText: []string{"Välj en förvaltning i listan.", `value="Gustav Gäst"`}},
		{name: "a walk-in with a unit that is not a number", as: admin, method: http.MethodPost, path: path(base + "/oanmald"),
			form: form("name", "Gustav Gäst", "unit_id", "abc", "scan_id", "w3"), wantStatus: http.StatusUnprocessableEntity,
			wantText: []string{"Välj en förvaltning i listan."}},
		{name: "a walk-in", as: admin, method: http.MethodPost, path: path(base + "/oanmald"),
			form: form("name", "Gustav <b>Gäst</b>", "organisation", "Företaget AB", "scan_id", "w4"), wantStatus: http.StatusOK,
			wantText: []string{"Välkommen, Gustav!", "Gustav &lt;b&gt;Gäst&lt;/b&gt;", "Företaget AB", "<strong data-arrived>4</strong> av <span data-expected>4</span>"},
			notText:  []string{"<b>Gäst</b>"}},
		{name: "the live count", as: admin, path: path(base + "/antal"), wantStatus: http.StatusOK,
			wantText: []string{`{"arrived":4,"expected":4}`}},
		// Not door staff: told the event does not exist, as for another kommun's (events_door_test.go).
		{name: "a medarbetare may not", as: employee, path: path(base), wantStatus: http.StatusNotFound},
		{name: "a chef may not", as: chef, method: http.MethodPost, path: path(base), form: form("code", "ERIK2345"), wantStatus: http.StatusNotFound},
		{name: "another kommun's event", as: func(f *fixture) *org.Person { return f.adminB }, path: path(base), wantStatus: http.StatusNotFound},
		{name: "another kommun's event, posted", as: func(f *fixture) *org.Person { return f.adminB }, method: http.MethodPost, path: path(base),
			form: form("code", "ERIK2345"), wantStatus: http.StatusNotFound},
		{name: "another kommun's count", as: func(f *fixture) *org.Person { return f.adminB }, path: path(base + "/antal"), wantStatus: http.StatusNotFound},
		{name: "an event that does not exist", as: admin, path: path("/evenemang/999999/incheckning"), wantStatus: http.StatusNotFound},
	})
}

func invitationOf(t *testing.T, f *fixture, eventID int64, code string) int64 {
	t.Helper()
	var id int64
	if err := f.app.DB.Read().QueryRowContext(context.Background(), `SELECT id FROM event_invitations WHERE event_id = $1 AND code = $2`, eventID, code).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestCheckinDoorIsRemembered(t *testing.T) {
	f := newFixture(t)
	base := "/evenemang/" + itoa(f.checkinEventA(t)) + "/incheckning"
	rec := f.do(t, scenario{as: admin, path: path(base + "?dorr=Entré+B")})
	var door *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == "vard_dorr" {
			door = c
		}
	}
	if door == nil {
		t.Fatal("no door cookie")
	}
	tok, err := f.app.Auth.NewSession(context.Background(), f.adminA.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	rec = get(t, f.app.Handler, base, &http.Cookie{Name: auth.SessionCookie, Value: tok}, door)
	if !strings.Contains(rec.Body.String(), `data-door="Entré B"`) {
		t.Errorf("the page does not remember the door:\n%s", firstLines(rec.Body.String(), 30))
	}
}

// scanReply is the scans endpoint's answer as checkin.js reads it.
type scanReply struct {
	Results []struct {
		ScanID    string `json:"scan_id"`
		Outcome   string `json:"outcome"`
		Title     string `json:"title"`
		Name      string `json:"name"`
		FirstDoor string `json:"first_door"`
		Added     bool   `json:"added"`
	} `json:"results"`
}

func postScans(t *testing.T, h http.Handler, url, session, body string) (*httptest.ResponseRecorder, scanReply) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	// What a same-origin fetch from the page sends; CrossOriginProtection lets it through.
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: session})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var reply scanReply
	if rec.Code == http.StatusOK {
		if err := json.Unmarshal(rec.Body.Bytes(), &reply); err != nil {
			t.Fatalf("reply: %v\n%s", err, rec.Body.String())
		}
	}
	return rec, reply
}

// TestOfflineScansSentLater: two doors kept scans while offline, and send them when the connection
// is back; one sends its queue twice because the first answer was lost.
func TestOfflineScansSentLater(t *testing.T) {
	f := newFixture(t)
	id := f.checkinEventA(t)
	target := "/evenemang/" + itoa(id) + "/incheckning/skanningar"
	tok, err := f.app.Auth.NewSession(context.Background(), f.adminA.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-2 * time.Minute).UTC().Format(time.RFC3339Nano)
	doorA := fmt.Sprintf(`{"scans":[{"code":"ERIK2345","scan_id":"a-1","door":"Entré A","scanned_at":%q},
		{"code":"FEL99999","scan_id":"a-2","door":"Entré A","scanned_at":%q},
		{"code":"VERA2345","scan_id":"a-3","door":"Entré A","scanned_at":%q}]}`, at, at, at)
	doorB := fmt.Sprintf(`{"scans":[{"code":"erik-2345","scan_id":"b-1","door":"Entré B","scanned_at":%q},
		{"code":"CECI2345","scan_id":"b-2","door":"Entré B","scanned_at":"not a time"}]}`, at)
	for _, tt := range []struct {
		name, body string
		want       []string
		added      int
		arrived    int
	}{
		{"door A", doorA, []string{"ok", "unknown", "not_expected"}, 1, 1},
		{"door B", doorB, []string{"duplicate", "ok"}, 1, 2},
		{"door A again", doorA, []string{"ok", "unknown", "not_expected"}, 0, 2},
	} {
		rec, reply := postScans(t, f.app.Handler, target, tok, tt.body)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: got %d, want 200\n%s", tt.name, rec.Code, firstLines(rec.Body.String(), 20))
		}
		var got []string
		added := 0
		for _, r := range reply.Results {
			got = append(got, r.Outcome)
			if r.Added {
				added++
			}
		}
		count, err := f.app.Events.CheckinCount(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") || added != tt.added || count.Arrived != tt.arrived || count.Expected != 2 {
			t.Errorf("%s: got %v, %d added and %d of %d checked in; want %v, %d added and %d of 2",
				tt.name, got, added, count.Arrived, count.Expected, tt.want, tt.added, tt.arrived)
		}
		if tt.name == "door B" && (reply.Results[0].FirstDoor != "Entré A" || reply.Results[1].Title != "Välkommen, Cecilia!") {
			t.Errorf("door B: got %+v, want the duplicate to name Entré A and Cecilia welcomed", reply.Results)
		}
	}
	for _, tt := range []struct{ name, body string }{
		{"not JSON", "code=ERIK2345"},
		{"an unknown field", `{"scans":[],"x":1}`},
		{"too many scans", `{"scans":[` + strings.Repeat(`{"code":"X","scan_id":"x"},`, 500) + `{"code":"X","scan_id":"x"}]}`},
	} {
		if rec, _ := postScans(t, f.app.Handler, target, tok, tt.body); rec.Code != http.StatusBadRequest {
			t.Errorf("%s: got %d, want 400", tt.name, rec.Code)
		}
	}
	tokB, _ := f.app.Auth.NewSession(context.Background(), f.adminB.ID, 0)
	if rec, _ := postScans(t, f.app.Handler, target, tokB, doorA); rec.Code != http.StatusNotFound {
		t.Errorf("another kommun's admin: got %d, want 404", rec.Code)
	}
}

// TestCheckInOnTwoServers: two servers on one database (PostgreSQL when VARD_TEST_POSTGRES is set), as
// behind a load balancer, take scans of the same codes from many doors at once; each code counts once.
func TestCheckInOnTwoServers(t *testing.T) {
	dsn := dbtest.DSN(t)
	ctx := context.Background()
	open := func() *app.App {
		a, err := app.New(ctx, app.Config{Database: dsn, DataDir: t.TempDir(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		return a
	}
	one, two := open(), open()
	admin := &org.Person{GivenName: "Anna", FamilyName: "Admin", Email: "admin@a.example"}
	tenant, err := one.Org.CreateTenant(ctx, "a-kommun", "A kommun", admin)
	if err != nil {
		t.Fatal(err)
	}
	const codes = 30
	people := make([]*org.Person, codes)
	list, statuses := make([]string, codes), make([]string, codes)
	for i := range people {
		people[i] = &org.Person{GivenName: fmt.Sprintf("Gäst%d", i), FamilyName: "Extern"}
		list[i], statuses[i] = fmt.Sprintf("KOD%05d", i), "yes"
	}
	id := checkinEvent(t, one.DB, tenant.ID, 0, people, list, statuses)
	tok, err := one.Auth.NewSession(ctx, admin.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	srv1, srv2 := httptest.NewServer(one.Handler), httptest.NewServer(two.Handler)
	defer srv1.Close()
	defer srv2.Close()
	const doors = 6
	var mu sync.Mutex
	outcomes := map[string]int{}
	var wg sync.WaitGroup
	for d := range doors {
		srv := []*httptest.Server{srv1, srv2}[d%2]
		wg.Go(func() {
			for i := range codes {
				body, _ := json.Marshal(map[string]any{"scans": []map[string]string{{"code": list[(i+d)%codes], "scan_id": fmt.Sprintf("d%d-%d", d, i), "door": fmt.Sprintf("Dörr %d", d)}}})
				req, _ := http.NewRequest(http.MethodPost, srv.URL+"/evenemang/"+itoa(id)+"/incheckning/skanningar", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: tok})
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				var reply scanReply
				err = json.NewDecoder(resp.Body).Decode(&reply)
				resp.Body.Close()
				mu.Lock()
				if err != nil || resp.StatusCode != http.StatusOK || len(reply.Results) != 1 {
					t.Errorf("door %d: got %d, %v", d, resp.StatusCode, err)
				} else {
					outcomes[reply.Results[0].Outcome]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if outcomes["ok"] != codes || outcomes["duplicate"] != codes*(doors-1) {
		t.Errorf("got %v, want %d ok and %d duplicates", outcomes, codes, codes*(doors-1))
	}
	var stored int
	one.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM event_checkins WHERE event_id = $1`, id).Scan(&stored)
	if stored != codes {
		t.Errorf("got %d check-ins stored, want %d", stored, codes)
	}
}
