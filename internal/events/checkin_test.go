package events

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/db/dbtest"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/web"
	"github.com/vard-kommun/vard/internal/web/webtest"
)

// checkinFixture is a kommun with two förvaltningar, people, and an event whose invitations the tests
// add by SQL, so that the door is tested on its own.
type checkinFixture struct {
	svc    *Service
	d      *db.DB
	tenant *org.Tenant
	units  []*org.Unit
	people []*org.Person
}

func newCheckinFixture(t *testing.T) *checkinFixture {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	orgSvc := org.NewService(org.NewStore(d))
	f := &checkinFixture{svc: NewService(NewStore(d), orgSvc), d: d}
	var err error
	if f.tenant, err = orgSvc.CreateTenant(ctx, "dorrby", "Dörrby kommun", nil); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Socialförvaltningen", "Kultur- och fritidsförvaltningen"} {
		u, err := orgSvc.CreateUnit(ctx, f.tenant.ID, org.UnitInput{Kind: org.KindDepartment, Name: name})
		if err != nil {
			t.Fatal(err)
		}
		f.units = append(f.units, u)
	}
	for i, n := range [][2]string{{"Anna", "Ek"}, {"Åsa", "Öberg"}, {"Bo", "Lind"}, {"Cecilia", "Berg"}} {
		p := &org.Person{TenantID: f.tenant.ID, GivenName: n[0], FamilyName: n[1], Email: fmt.Sprintf("p%d@dorrby.example", i),
			UnitID: f.units[i%2].ID, Active: true}
		if err := orgSvc.SavePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
		f.people = append(f.people, p)
	}
	return f
}

// event adds an event with a capacity (0 for none).
func (f *checkinFixture) event(t *testing.T, tenantID int64, capacity int) *CheckinEvent {
	t.Helper()
	ctx := context.Background()
	now := db.Now()
	var id int64
	err := f.d.Writer().QueryRowContext(ctx, `INSERT INTO events (tenant_id, kind, title, place, starts_at, ends_at, capacity, created_at)
		VALUES ($1, 'visionsdag', 'Visionsdagen', 'Folkets hus', $2, $3, $4, $5) RETURNING id`,
		tenantID, now.Add(time.Hour), now.Add(8*time.Hour), capacity, now).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := f.svc.CheckinEvent(ctx, tenantID, id)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// invite adds an invitation with a code and an answer, keeping the event's yes_count; person is an
// index into f.people, or -1 for an external guest with the name.
func (f *checkinFixture) invite(t *testing.T, ev *CheckinEvent, person int, guest, code string, status Status) int64 {
	t.Helper()
	ctx := context.Background()
	var personID, unitID any
	if person >= 0 {
		personID, unitID = f.people[person].ID, f.people[person].UnitID
	}
	var id int64
	err := f.d.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO event_invitations (event_id, person_id, unit_id, guest_name, guest_organisation,
			token_hash, code, status, accessibility, diet, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			ev.ID, personID, unitID, guest, map[bool]string{true: "Företaget AB"}[guest != ""], rand.Text(), code, string(status),
			"Rullstol, behöver ramp", "Vegetarisk", db.Now()).Scan(&id); err != nil {
			return err
		}
		if status == StatusYes {
			_, err := tx.ExecContext(ctx, `UPDATE events SET yes_count = yes_count + 1 WHERE id = $1`, ev.ID)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *checkinFixture) count(t *testing.T, ev *CheckinEvent) CheckinCount {
	t.Helper()
	c, err := f.svc.CheckinCount(context.Background(), ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func scanAt(code, door string) DoorScan {
	return DoorScan{Code: code, ScanID: rand.Text(), Door: door, ScannedAt: time.Now()}
}

func mustCheckIn(t *testing.T, f *checkinFixture, ev *CheckinEvent, scan DoorScan, want CheckinOutcome) *CheckinResult {
	t.Helper()
	res, err := f.svc.CheckIn(context.Background(), ev, scan)
	if err != nil {
		t.Fatalf("check in %q: %v", scan.Code, err)
	}
	if res.Outcome != want {
		t.Fatalf("check in %q at %q: got %s (%s), want %s", scan.Code, scan.Door, res.Outcome, res.Message, want)
	}
	return res
}

func TestCheckInAtTwoDoorsCountsOnce(t *testing.T) {
	f := newCheckinFixture(t)
	ev := f.event(t, f.tenant.ID, 0)
	f.invite(t, ev, 0, "", "ANNA2345", StatusYes)
	f.invite(t, ev, 1, "", "ASA23456", StatusYes)

	first := mustCheckIn(t, f, ev, scanAt("anna 2345", "Entré A"), CheckinOK)
	if first.Arrival.GivenName != "Anna" || first.Arrival.Name != "Anna Ek" {
		t.Errorf("greeting: got %q / %q, want Anna / Anna Ek", first.Arrival.GivenName, first.Arrival.Name)
	}
	if first.Arrival.Accessibility != "Rullstol, behöver ramp" || first.Arrival.Diet != "Vegetarisk" {
		t.Errorf("needs: got %q and %q, want the accessibility need and the diet", first.Arrival.Accessibility, first.Arrival.Diet)
	}
	dup := mustCheckIn(t, f, ev, scanAt("ANNA-2345", "Entré B"), CheckinDuplicate)
	if dup.Arrival.CheckinDoor != "Entré A" || dup.Arrival.CheckinScanID != first.ScanID {
		t.Errorf("duplicate: got first door %q scan %q, want Entré A and the first scan", dup.Arrival.CheckinDoor, dup.Arrival.CheckinScanID)
	}
	if c := f.count(t, ev); c.Arrived != 1 || c.Expected != 2 {
		t.Errorf("count: got %d of %d, want 1 of 2", c.Arrived, c.Expected)
	}
}

func TestTheSameScanSentTwiceAnswersTheSame(t *testing.T) {
	f := newCheckinFixture(t)
	ev := f.event(t, f.tenant.ID, 0)
	f.invite(t, ev, 0, "", "ANNA2345", StatusYes)
	scan := scanAt("ANNA2345", "Entré A")
	mustCheckIn(t, f, ev, scan, CheckinOK)
	again := mustCheckIn(t, f, ev, scan, CheckinOK)
	if again.Arrival.Name != "Anna Ek" {
		t.Errorf("retry: got %q, want the same greeting", again.Arrival.Name)
	}
	// A batch flushed twice, as a door's queue may be after a lost answer.
	res, err := f.svc.CheckInBatch(context.Background(), ev, []DoorScan{scan, scan})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Outcome != CheckinOK {
			t.Errorf("batch retry: got %s, want ok", r.Outcome)
		}
	}
	if c := f.count(t, ev); c.Arrived != 1 {
		t.Errorf("got %d checked in, want 1", c.Arrived)
	}
	// A scan id reused for another invitee is refused rather than taken as theirs.
	f.invite(t, ev, 1, "", "ASA23456", StatusYes)
	other := scan
	other.Code = "ASA23456"
	mustCheckIn(t, f, ev, other, CheckinInvalid)
	mustCheckIn(t, f, ev, DoorScan{Code: "ASA23456"}, CheckinInvalid)
}

func TestOfflineScansAtTwoDoorsGiveOneOKAndOneDuplicate(t *testing.T) {
	f := newCheckinFixture(t)
	ev := f.event(t, f.tenant.ID, 0)
	f.invite(t, ev, 0, "", "ANNA2345", StatusYes)
	f.invite(t, ev, 1, "", "ASA23456", StatusYes)
	ctx := context.Background()
	early := time.Now().Add(-3 * time.Minute)
	doorA := []DoorScan{{Code: "ANNA2345", ScanID: rand.Text(), Door: "Entré A", ScannedAt: early}, scanAt("ASA23456", "Entré A")}
	doorB := []DoorScan{{Code: "anna2345", ScanID: rand.Text(), Door: "Entré B", ScannedAt: early.Add(time.Minute)}}
	resA, err := f.svc.CheckInBatch(ctx, ev, doorA)
	if err != nil {
		t.Fatal(err)
	}
	resB, err := f.svc.CheckInBatch(ctx, ev, doorB)
	if err != nil {
		t.Fatal(err)
	}
	if resA[0].Outcome != CheckinOK || resA[1].Outcome != CheckinOK || resB[0].Outcome != CheckinDuplicate {
		t.Fatalf("got %s, %s at A and %s at B; want ok, ok and duplicate", resA[0].Outcome, resA[1].Outcome, resB[0].Outcome)
	}
	// The door's own time of an offline scan is kept, so the duplicate tells when the first really was.
	if got := resB[0].Arrival.CheckinAt; !got.Equal(early.UTC().Truncate(time.Microsecond)) {
		t.Errorf("first check-in at %v, want the device's time %v", got, early)
	}
	if c := f.count(t, ev); c.Arrived != 2 {
		t.Errorf("got %d checked in, want 2", c.Arrived)
	}
}

func TestUnknownAndForeignCodes(t *testing.T) {
	f := newCheckinFixture(t)
	ev := f.event(t, f.tenant.ID, 0)
	other := f.event(t, f.tenant.ID, 0)
	f.invite(t, ev, 0, "", "ANNA2345", StatusYes)
	f.invite(t, other, 2, "", "BOBO2345", StatusYes)
	for _, tt := range []struct {
		name, code string
		want       CheckinOutcome
	}{
		{"a code nobody has", "ZZZZ9999", CheckinUnknown},
		{"a forged code of the right shape", "ANNA2346", CheckinUnknown},
		{"another event's code", "BOBO2345", CheckinUnknown},
		{"nothing", "   ", CheckinUnknown},
		{"a very long code", strings.Repeat("A", 300), CheckinUnknown},
		{"SQL in the code", "' OR 1=1 --", CheckinUnknown},
		{"the code in a link from the QR code", "https://vard.example/evenemang/kod/ANNA2345", CheckinOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mustCheckIn(t, f, ev, scanAt(tt.code, "Entré A"), tt.want)
		})
	}
	if c := f.count(t, other); c.Arrived != 0 {
		t.Errorf("the other event got %d check-ins, want 0", c.Arrived)
	}
}

func TestThoseWhoDidNotSayYes(t *testing.T) {
	f := newCheckinFixture(t)
	ctx := context.Background()
	ev := f.event(t, f.tenant.ID, 2)
	f.invite(t, ev, 0, "", "ANNA2345", StatusYes)
	no := f.invite(t, ev, 1, "", "NEJN2345", StatusNo)
	wait := f.invite(t, ev, 2, "", "VANT2345", StatusWaitlist)
	f.invite(t, ev, 3, "", "SVAR2345", StatusInvited)
	for _, code := range []string{"NEJN2345", "VANT2345", "SVAR2345"} {
		res := mustCheckIn(t, f, ev, scanAt(code, "Entré A"), CheckinNotExpected)
		if res.Arrival == nil || res.Arrival.Name == "" {
			t.Errorf("%s: the door must see who it is", code)
		}
	}
	// One place is free: the door checks in the one who said no, anyway.
	res, err := f.svc.CheckInInvitation(ctx, ev, no, scanAt("", "Entré A"), true)
	if err != nil || res.Outcome != CheckinOK {
		t.Fatalf("anyway with a free place: got %v, %v; want ok", res, err)
	}
	if c := f.count(t, ev); c.Arrived != 1 || c.Expected != 2 {
		t.Errorf("count: got %d of %d, want 1 of 2", c.Arrived, c.Expected)
	}
	// Now full: the waitlisted person cannot be let in over capacity.
	if _, err := f.svc.CheckInInvitation(ctx, ev, wait, scanAt("", "Entré A"), true); !errors.Is(err, errCheckinFull) {
		t.Errorf("anyway when full: got %v, want the event full", err)
	}
	var status string
	f.d.Read().QueryRowContext(ctx, `SELECT status FROM event_invitations WHERE id = $1`, wait).Scan(&status)
	if status != "waitlist" {
		t.Errorf("refused check-in changed the answer to %q", status)
	}
	// Without the second press, nobody is checked in.
	res, err = f.svc.CheckInInvitation(ctx, ev, wait, scanAt("", "Entré A"), false)
	if err != nil || res.Outcome != CheckinNotExpected {
		t.Errorf("without anyway: got %v, %v; want not expected", res, err)
	}
	// An invitation of another event is unknown here.
	otherEv := f.event(t, f.tenant.ID, 0)
	foreign := f.invite(t, otherEv, 0, "", "ANNA2345", StatusYes)
	res, err = f.svc.CheckInInvitation(ctx, ev, foreign, scanAt("", "Entré A"), true)
	if err != nil || res.Outcome != CheckinUnknown {
		t.Errorf("another event's invitation: got %v, %v; want unknown", res, err)
	}
}

func TestCancelledEventChecksNobodyIn(t *testing.T) {
	f := newCheckinFixture(t)
	ctx := context.Background()
	ev := f.event(t, f.tenant.ID, 0)
	f.invite(t, ev, 0, "", "ANNA2345", StatusYes)
	if _, err := f.d.Exec(ctx, `UPDATE events SET cancelled_at = $1 WHERE id = $2`, db.Now(), ev.ID); err != nil {
		t.Fatal(err)
	}
	ev, _ = f.svc.CheckinEvent(ctx, f.tenant.ID, ev.ID)
	mustCheckIn(t, f, ev, scanAt("ANNA2345", "Entré A"), CheckinCancelled)
	if _, err := f.svc.WalkIn(ctx, ev, WalkInInput{Name: "Gustav Gäst"}, scanAt("", "Entré A")); !errors.Is(err, errCheckinCancelled) {
		t.Errorf("walk-in at a cancelled event: got %v, want refused", err)
	}
	if c := f.count(t, ev); c.Arrived != 0 {
		t.Errorf("got %d checked in, want 0", c.Arrived)
	}
}

// TestManyDoorsAtOnceCountEachOnce: eight devices scan the same twenty codes at the same time; each
// code is checked in once, and every other scan of it is a duplicate.
func TestManyDoorsAtOnceCountEachOnce(t *testing.T) {
	f := newCheckinFixture(t)
	ev := f.event(t, f.tenant.ID, 0)
	const codes, doors = 20, 8
	for i := range codes {
		f.invite(t, ev, -1, fmt.Sprintf("Gäst %d", i), fmt.Sprintf("GAST%04d", i), StatusYes)
	}
	var mu sync.Mutex
	outcomes := map[CheckinOutcome]int{}
	var wg sync.WaitGroup
	for d := range doors {
		wg.Go(func() {
			for i := range codes {
				res, err := f.svc.CheckIn(context.Background(), ev, scanAt(fmt.Sprintf("GAST%04d", (i+d)%codes), fmt.Sprintf("Dörr %d", d)))
				mu.Lock()
				if err != nil {
					t.Error(err)
				} else {
					outcomes[res.Outcome]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if outcomes[CheckinOK] != codes || outcomes[CheckinDuplicate] != codes*(doors-1) {
		t.Errorf("got %v, want %d ok and %d duplicates", outcomes, codes, codes*(doors-1))
	}
	if c := f.count(t, ev); c.Arrived != codes {
		t.Errorf("got %d checked in, want %d", c.Arrived, codes)
	}
}

// TestWalkInsNeverOverbook: ten walk-ins at once for three free places.
func TestWalkInsNeverOverbook(t *testing.T) {
	f := newCheckinFixture(t)
	ev := f.event(t, f.tenant.ID, 4)
	f.invite(t, ev, 0, "", "ANNA2345", StatusYes)
	var mu sync.Mutex
	var ok, full int
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() {
			_, err := f.svc.WalkIn(context.Background(), ev, WalkInInput{Name: fmt.Sprintf("Oanmäld %d", i), UnitID: f.units[i%2].ID}, scanAt("", "Entré A"))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, errCheckinFull):
				full++
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if ok != 3 || full != 7 {
		t.Errorf("got %d added and %d refused, want 3 and 7", ok, full)
	}
	if c := f.count(t, ev); c.Arrived != 3 || c.Expected != 4 {
		t.Errorf("count: got %d of %d, want 3 of 4", c.Arrived, c.Expected)
	}
	var walkIns int
	f.d.Read().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM event_invitations WHERE event_id = $1 AND walk_in AND status = 'yes'`, ev.ID).Scan(&walkIns)
	if walkIns != 3 {
		t.Errorf("got %d walk-in invitations, want 3", walkIns)
	}
}

func TestWalkInInput(t *testing.T) {
	f := newCheckinFixture(t)
	ctx := context.Background()
	ev := f.event(t, f.tenant.ID, 0)
	other, err := f.svc.Org.CreateTenant(ctx, "annanby", "Annanby kommun", nil)
	if err != nil {
		t.Fatal(err)
	}
	foreignUnit, err := f.svc.Org.CreateUnit(ctx, other.ID, org.UnitInput{Kind: org.KindDepartment, Name: "Främmande"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		in    WalkInInput
		field string
	}{
		{"no name", WalkInInput{Name: "  "}, "name"},
		{"a name too long", WalkInInput{Name: strings.Repeat("Å", 121)}, "name"},
		{"an organisation too long", WalkInInput{Name: "Gustav", Organisation: strings.Repeat("x", 121)}, "organisation"},
		{"another kommun's förvaltning", WalkInInput{Name: "Gustav", UnitID: foreignUnit.ID}, "unit_id"},
		{"a förvaltning that does not exist", WalkInInput{Name: "Gustav", UnitID: -1}, "unit_id"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.WalkIn(ctx, ev, tt.in, scanAt("", "Entré A"))
			var e *web.Error
			if !errors.As(err, &e) || e.Fields[tt.field] == "" {
				t.Errorf("got %v, want a message for %s", err, tt.field)
			}
		})
	}
	// The walk-in form sent twice adds them once.
	scan := scanAt("", "Entré A")
	in := WalkInInput{Name: "Gustav  Gäst", Organisation: "Företaget AB"}
	a, err := f.svc.WalkIn(ctx, ev, in, scan)
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.svc.WalkIn(ctx, ev, in, scan)
	if err != nil {
		t.Fatal(err)
	}
	if a.Arrival.InvitationID != b.Arrival.InvitationID || a.Arrival.Name != "Gustav Gäst" || a.Arrival.GivenName != "Gustav" {
		t.Errorf("got %+v and %+v, want one walk-in Gustav Gäst", a.Arrival, b.Arrival)
	}
	if c := f.count(t, ev); c.Arrived != 1 || c.Expected != 1 {
		t.Errorf("count: got %d of %d, want 1 of 1", c.Arrived, c.Expected)
	}
}

func TestGreetingHasTheLatestMinglingGroup(t *testing.T) {
	f := newCheckinFixture(t)
	ctx := context.Background()
	ev := f.event(t, f.tenant.ID, 0)
	anna := f.invite(t, ev, 0, "", "ANNA2345", StatusYes)
	f.invite(t, ev, 1, "", "ASA23456", StatusYes)
	for _, g := range []struct{ round, number int }{{1, 5}, {2, 3}} {
		var gid int64
		if err := f.d.Writer().QueryRowContext(ctx, `INSERT INTO event_groups (event_id, round, number) VALUES ($1, $2, $3) RETURNING id`,
			ev.ID, g.round, g.number).Scan(&gid); err != nil {
			t.Fatal(err)
		}
		if _, err := f.d.Exec(ctx, `INSERT INTO event_group_members (group_id, invitation_id, person_id) VALUES ($1, $2, $3)`, gid, anna, f.people[0].ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.d.Exec(ctx, `UPDATE event_invitations SET host = TRUE WHERE id = $1`, anna); err != nil {
		t.Fatal(err)
	}
	ev, err := f.svc.CheckinEvent(ctx, f.tenant.ID, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	res := mustCheckIn(t, f, ev, scanAt("ANNA2345", "Entré A"), CheckinOK)
	if res.Arrival.GroupNumber != 3 || res.Arrival.GroupRound != 2 || !res.Arrival.Host {
		t.Errorf("got group %d round %d host %v, want group 3 of round 2 and a host", res.Arrival.GroupNumber, res.Arrival.GroupRound, res.Arrival.Host)
	}
	res = mustCheckIn(t, f, ev, scanAt("ASA23456", "Entré A"), CheckinOK)
	if res.Arrival.GroupNumber != 0 {
		t.Errorf("someone in no group got group %d", res.Arrival.GroupNumber)
	}
}

func TestSearchFindsEveryInviteeByName(t *testing.T) {
	f := newCheckinFixture(t)
	ctx := context.Background()
	ev := f.event(t, f.tenant.ID, 0)
	f.invite(t, ev, 0, "", "ANNA2345", StatusYes)
	f.invite(t, ev, 1, "", "ASA23456", StatusNo)
	f.invite(t, ev, -1, "Östen Ärlig", "OSTE2345", StatusWaitlist)
	other := f.event(t, f.tenant.ID, 0)
	f.invite(t, other, 2, "", "BOBO2345", StatusYes)
	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"åsa", []string{"Åsa Öberg"}},
		{"ÖSTEN", []string{"Östen Ärlig"}},
		{"företaget", []string{"Östen Ärlig"}},
		{"e", []string{"Anna Ek", "Åsa Öberg", "Östen Ärlig"}},
		{"bo", nil},
		{"100%_", nil},
	} {
		found, _, err := f.svc.SearchArrivals(ctx, ev.ID, tt.query)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range found {
			got = append(got, a.Name)
		}
		if strings.Join(got, ", ") != strings.Join(tt.want, ", ") {
			t.Errorf("%q: got %v, want %v", tt.query, got, tt.want)
		}
	}
}

// TestCheckinPagesAreTranslated: every text of the door's page and of its answers has an English entry.
func TestCheckinPagesAreTranslated(t *testing.T) {
	c := &web.Catalog{}
	c.Add(englishCheckin())
	for _, text := range webtest.TemplateTexts(t, templates, "templates/checkin_*.html") {
		if !c.Has(text) {
			t.Errorf("no English for %q", text)
		}
	}
	for _, text := range []string{errCheckinFull.Message, errCheckinCancelled.Message, errScanIDTaken, errScanIDMissing} {
		if !c.Has(text) {
			t.Errorf("no English for %q", text)
		}
	}
	// The answers are worded in Go: each must read differently in English.
	rd := &web.Renderer{Catalog: c}
	h := &Handlers{rd: rd}
	sv := httptest.NewRequest("GET", "/", nil)
	en := httptest.NewRequest("GET", "/", nil)
	en.AddCookie(&http.Cookie{Name: "lang", Value: "en"})
	arrival := func(s Status) *Arrival {
		return &Arrival{Name: "Anna Ek", GivenName: "Anna", Status: s, GroupNumber: 2, GroupRound: 2, Host: true, Accessibility: "ramp", Diet: "vego",
			CheckinDoor: "A", CheckinAt: time.Now()}
	}
	swedish := regexp.MustCompile(`[åäöÅÄÖ]|Välkommen|Redan|Okänd|Minglegrupp|Kost|Inte`)
	for _, res := range []*CheckinResult{
		{Outcome: CheckinOK, Arrival: arrival(StatusYes)},
		{Outcome: CheckinDuplicate, Arrival: arrival(StatusYes)},
		{Outcome: CheckinUnknown},
		{Outcome: CheckinNotExpected, Arrival: arrival(StatusNo)},
		{Outcome: CheckinNotExpected, Arrival: arrival(StatusWaitlist)},
		{Outcome: CheckinNotExpected, Arrival: arrival(StatusInvited)},
		{Outcome: CheckinCancelled},
		{Outcome: CheckinInvalid, Message: errScanIDTaken},
		{Outcome: CheckinInvalid, Message: errScanIDMissing},
	} {
		a, b := h.answer(sv, res), h.answer(en, res)
		english := b.Title + " " + b.Message + " " + strings.Join(b.Lines, " ")
		if a.Title == b.Title || swedish.MatchString(strings.ReplaceAll(english, "Anna Ek", "")) {
			t.Errorf("%s: the English answer %q still reads Swedish (Swedish %q)", res.Outcome, english, a.Title+" "+a.Message)
		}
	}
}
