package events

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/web"
)

// Check-in at the door. A check-in is one row in event_checkins, and UNIQUE(invitation_id) is what
// makes it count once: every door, device and server inserts with ON CONFLICT DO NOTHING and then
// reads which scan won, so no lock is held for an ordinary scan and nothing is ever counted twice.
// UNIQUE(scan_id) makes a scan sent again (a retry after a dropped connection, a queue flushed twice)
// come back with the same answer instead of being reported as a duplicate.
//
// The rule for invitees who have not said yes (said no, on the waitlist, never answered): a scan does
// not check them in, since they did not take a place; the door sees who they are and their answer, and
// may check them in anyway with one more press when a place is free — which turns their answer into a
// yes under the same capacity rule as an answer by link. A cancelled event checks nobody in.

// CheckinOutcome is what became of one scan at the door.
type CheckinOutcome string

// The outcomes of a scan.
const (
	// CheckinOK: checked in now, or this very scan checked them in before (a retry).
	CheckinOK CheckinOutcome = "ok"
	// CheckinDuplicate: already checked in by another scan, perhaps at another door.
	CheckinDuplicate CheckinOutcome = "duplicate"
	// CheckinUnknown: no invitation to this event has the code.
	CheckinUnknown CheckinOutcome = "unknown"
	// CheckinNotExpected: the invitee said no, is waitlisted or never answered; not checked in.
	CheckinNotExpected CheckinOutcome = "not_expected"
	// CheckinCancelled: the event is cancelled; nobody is checked in.
	CheckinCancelled CheckinOutcome = "cancelled"
	// CheckinInvalid: the scan itself cannot be used (no scan id, or one another scan already used).
	CheckinInvalid CheckinOutcome = "invalid"
)

// Limits on what a door sends.
const (
	MaxDoor          = 60
	MaxCheckinCode   = 200
	MaxScanID        = 100
	MaxScansPerBatch = 500
	MaxWalkInName    = 120
	MaxWalkInOrg     = 120
)

// DoorScan is one scan at a door: the code read or typed, the id the device gave the scan, the door,
// and when the device made it (an offline scan is sent later).
type DoorScan struct {
	Code      string
	ScanID    string
	Door      string
	ScannedAt time.Time
}

// CheckinEvent is an event as the door page needs it.
type CheckinEvent struct {
	ID        int64
	TenantID  int64
	Title     string
	Place     string
	StartsAt  time.Time
	Capacity  int
	YesCount  int
	Cancelled bool
	// Round is the latest round of mingling groups; 0 when there are none.
	Round int
}

// CheckinCount is the live count at the door: arrived of expected (those who said yes).
type CheckinCount struct {
	Arrived  int `json:"arrived"`
	Expected int `json:"expected"`
}

// Arrival is an invitee as the host at the door needs to see them.
type Arrival struct {
	InvitationID  int64
	GivenName     string
	Name          string
	Unit          string
	Organisation  string
	Status        Status
	Guest         bool
	WalkIn        bool
	Host          bool
	Diet          string
	Accessibility string
	// GroupNumber is their mingling group in the event's latest round (0 when none); GroupRound is that
	// round.
	GroupNumber int
	GroupRound  int
	// CheckedIn is set when they are checked in: by which scan, at which door and when.
	CheckedIn     bool
	CheckinScanID string
	CheckinDoor   string
	CheckinAt     time.Time
}

// CheckinResult is the answer to one scan.
type CheckinResult struct {
	ScanID  string
	Outcome CheckinOutcome
	// Arrival is nil when the code is unknown.
	Arrival *Arrival
	// Message explains an invalid scan.
	Message string
	// Added is set when this very scan stored the check-in just now (not for a retry), so that a door
	// can move its count on without asking for it.
	Added bool
}

// WalkInInput is a person added at the door: a name, and their förvaltning or, for an external guest,
// their organisation.
type WalkInInput struct {
	Name         string
	UnitID       int64
	Organisation string
}

var (
	errCheckinFull      = &web.Error{Status: http.StatusConflict, Message: "Evenemanget är fullt. Det finns ingen ledig plats att checka in fler på."}
	errCheckinCancelled = &web.Error{Status: http.StatusConflict, Message: "Evenemanget är inställt. Ingen kan checkas in."}
	errScanIDTaken      = "Skanningens id används redan av en annan skanning."
	errScanIDMissing    = "Skanningen saknar id."
	errCheckinRetry     = errors.New("events: the invitation changed under the check-in")
)

// CheckinEvent returns the kommun's event for the door, or db.ErrNotFound (also for another kommun's).
func (s *Service) CheckinEvent(ctx context.Context, tenantID, eventID int64) (*CheckinEvent, error) {
	st, err := s.checkinStatements(ctx)
	if err != nil {
		return nil, err
	}
	ev := &CheckinEvent{}
	var cancelled sql.NullTime
	err = st.event.QueryRowContext(ctx, eventID, tenantID).
		Scan(&ev.ID, &ev.TenantID, &ev.Title, &ev.Place, &ev.StartsAt, &ev.Capacity, &ev.YesCount, &cancelled, &ev.Round)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	ev.Cancelled = cancelled.Valid
	return ev, err
}

// doorEvent is an event as DoorEvent last read it.
type doorEvent struct {
	ev   CheckinEvent
	read time.Time
}

// doorEventAge is how old DoorEvent's event may be.
const doorEventAge = time.Second

// DoorEvent is CheckinEvent for the doors' scans in a rush: it reads the event at most once a second
// per server, which saves one of a scan's three round trips. A cancellation or a new round of groups
// thus reaches the doors within a second; who is checked in is still decided by the database on every
// scan, and the capacity of walk-ins under the event row's lock.
func (s *Service) DoorEvent(ctx context.Context, tenantID, eventID int64) (*CheckinEvent, error) {
	if c, ok := s.doors.Load(eventID); ok {
		d := c.(*doorEvent)
		if d.ev.TenantID == tenantID && time.Since(d.read) < doorEventAge {
			ev := d.ev
			return &ev, nil
		}
	}
	ev, err := s.CheckinEvent(ctx, tenantID, eventID)
	if err != nil {
		return nil, err
	}
	s.doors.Store(eventID, &doorEvent{ev: *ev, read: time.Now()})
	return ev, nil
}

// CheckinCount counts those checked in and those expected (who said yes) at the event.
func (s *Service) CheckinCount(ctx context.Context, eventID int64) (CheckinCount, error) {
	var c CheckinCount
	st, err := s.checkinStatements(ctx)
	if err != nil {
		return c, err
	}
	err = st.count.QueryRowContext(ctx, eventID).Scan(&c.Arrived, &c.Expected)
	return c, err
}

// doorCode turns what a door typed or scanned into the code as stored: a QR code may carry a whole
// link ending in the code, and a person types lower case, spaces and dashes.
func doorCode(s string) string {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		s = strings.TrimRight(s, "/")
		s = s[strings.LastIndexAny(s, "/=")+1:]
	}
	return NormalizeCode(s)
}

// CheckIn checks in the invitee whose code the door scanned or typed.
func (s *Service) CheckIn(ctx context.Context, ev *CheckinEvent, scan DoorScan) (*CheckinResult, error) {
	res := &CheckinResult{ScanID: scan.ScanID}
	if msg := checkScan(&scan, s.Store.Now()); msg != "" {
		res.Outcome, res.Message = CheckinInvalid, msg
		return res, nil
	}
	code := doorCode(scan.Code)
	if code == "" || len(scan.Code) > MaxCheckinCode {
		res.Outcome = CheckinUnknown
		return res, nil
	}
	if s.Store.DB.Dialect == db.Postgres && !ev.Cancelled {
		return s.checkInByCodeAtOnce(ctx, ev, code, scan)
	}
	a, err := s.arrivalByCode(ctx, ev, code)
	if errors.Is(err, db.ErrNotFound) {
		res.Outcome = CheckinUnknown
		return res, nil
	}
	if err != nil {
		return nil, err
	}
	return s.checkInArrival(ctx, ev, a, scan)
}

// checkInByCodeAtOnce is CheckIn's usual case on PostgreSQL in one round trip instead of two: find the
// invitee by code and, if they said yes and are not checked in, insert the check-in in the same statement
// (a data-modifying WITH, which SQLite lacks). Every other case goes on from the invitee as read.
func (s *Service) checkInByCodeAtOnce(ctx context.Context, ev *CheckinEvent, code string, scan DoorScan) (*CheckinResult, error) {
	st, err := s.checkinStatements(ctx)
	if err != nil {
		return nil, err
	}
	var inserted sql.NullInt64
	a, err := scanArrivalAnd(st.arriveAtOnce.QueryRowContext(ctx, ev.ID, code, scan.ScanID, scan.Door, scan.ScannedAt, s.Store.Now()), &inserted)
	if errors.Is(err, db.ErrNotFound) {
		return &CheckinResult{ScanID: scan.ScanID, Outcome: CheckinUnknown}, nil
	}
	if err != nil {
		return nil, err
	}
	if err := s.findGroup(ctx, ev, a); err != nil {
		return nil, err
	}
	if inserted.Valid {
		a.CheckedIn, a.CheckinScanID, a.CheckinDoor, a.CheckinAt = true, scan.ScanID, scan.Door, scan.ScannedAt
		return &CheckinResult{ScanID: scan.ScanID, Outcome: CheckinOK, Arrival: a, Added: true}, nil
	}
	return s.checkInArrival(ctx, ev, a, scan)
}

// CheckInInvitation checks in an invitee chosen from the name search. anyway is the door's second
// press for someone who has not said yes: it gives them a place if one is free.
func (s *Service) CheckInInvitation(ctx context.Context, ev *CheckinEvent, invitationID int64, scan DoorScan, anyway bool) (*CheckinResult, error) {
	res := &CheckinResult{ScanID: scan.ScanID}
	if msg := checkScan(&scan, s.Store.Now()); msg != "" {
		res.Outcome, res.Message = CheckinInvalid, msg
		return res, nil
	}
	a, err := s.arrival(ctx, ev, invitationID)
	if errors.Is(err, db.ErrNotFound) {
		res.Outcome = CheckinUnknown
		return res, nil
	}
	if err != nil {
		return nil, err
	}
	if anyway && !ev.Cancelled && !a.CheckedIn && a.Status != StatusYes {
		err := s.promoteAndCheckIn(ctx, ev, a, scan)
		switch {
		case errors.Is(err, errCheckinRetry):
			// The answer or the check-in changed meanwhile: answer from what is stored now.
			if a, err = s.arrival(ctx, ev, invitationID); err != nil {
				return nil, err
			}
		case err != nil:
			return nil, err
		default:
			a.Status = StatusYes
			a.CheckedIn, a.CheckinScanID, a.CheckinDoor, a.CheckinAt = true, scan.ScanID, scan.Door, scan.ScannedAt
			res.Outcome, res.Arrival, res.Added = CheckinOK, a, true
			return res, nil
		}
	}
	return s.checkInArrival(ctx, ev, a, scan)
}

// CheckInBatch checks in a door's scans in the order the device made them, such as those kept while
// the connection was down.
func (s *Service) CheckInBatch(ctx context.Context, ev *CheckinEvent, scans []DoorScan) ([]*CheckinResult, error) {
	out := make([]*CheckinResult, 0, len(scans))
	for _, sc := range scans {
		res, err := s.CheckIn(ctx, ev, sc)
		if err != nil {
			return nil, err
		}
		out = append(out, res)
	}
	return out, nil
}

// checkScan validates a scan's own fields and fills in the door's time when the device's cannot be
// trusted (missing, or a clock far off).
func checkScan(scan *DoorScan, now time.Time) string {
	scan.ScanID = strings.TrimSpace(scan.ScanID)
	scan.Door = strings.TrimSpace(scan.Door)
	if scan.ScanID == "" || len(scan.ScanID) > MaxScanID {
		return errScanIDMissing
	}
	if utf8.RuneCountInString(scan.Door) > MaxDoor {
		scan.Door = string([]rune(scan.Door)[:MaxDoor])
	}
	if scan.ScannedAt.IsZero() || scan.ScannedAt.After(now.Add(5*time.Minute)) || scan.ScannedAt.Before(now.Add(-48*time.Hour)) {
		scan.ScannedAt = now
	}
	scan.ScannedAt = scan.ScannedAt.UTC().Truncate(time.Microsecond)
	return ""
}

// checkInArrival applies the rule to a known invitee: a scan already stored answers as before, anyone
// checked in is a duplicate, only a yes is checked in.
func (s *Service) checkInArrival(ctx context.Context, ev *CheckinEvent, a *Arrival, scan DoorScan) (*CheckinResult, error) {
	res := &CheckinResult{ScanID: scan.ScanID, Arrival: a}
	switch {
	case a.CheckedIn && a.CheckinScanID == scan.ScanID:
		res.Outcome = CheckinOK
		return res, nil
	case a.CheckedIn:
		res.Outcome = CheckinDuplicate
		return res, nil
	case ev.Cancelled:
		res.Outcome = CheckinCancelled
		return res, nil
	case a.Status != StatusYes:
		res.Outcome = CheckinNotExpected
		return res, nil
	}
	st, err := s.checkinStatements(ctx)
	if err != nil {
		return nil, err
	}
	var id int64
	err = st.insert.QueryRowContext(ctx, ev.ID, a.InvitationID, scan.ScanID, scan.Door, scan.ScannedAt, s.Store.Now()).Scan(&id)
	if err == nil {
		a.CheckedIn, a.CheckinScanID, a.CheckinDoor, a.CheckinAt = true, scan.ScanID, scan.Door, scan.ScannedAt
		res.Outcome, res.Added = CheckinOK, true
		return res, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	// Another door won, or this scan was sent twice at once: read who holds the check-in.
	if err := s.Store.DB.Read().QueryRowContext(ctx, `SELECT scan_id, door, scanned_at FROM event_checkins WHERE invitation_id = $1`, a.InvitationID).
		Scan(&a.CheckinScanID, &a.CheckinDoor, &a.CheckinAt); errors.Is(err, sql.ErrNoRows) {
		// Nobody holds it, so the scan id itself clashed with another invitee's check-in.
		res.Outcome, res.Message = CheckinInvalid, errScanIDTaken
		return res, nil
	} else if err != nil {
		return nil, err
	}
	a.CheckedIn = true
	res.Outcome = CheckinDuplicate
	if a.CheckinScanID == scan.ScanID {
		res.Outcome = CheckinOK
	}
	return res, nil
}

// promoteAndCheckIn gives someone who had not said yes a place, if one is free, and checks them in, in
// one transaction, taking the event row first as an answer by link does.
func (s *Service) promoteAndCheckIn(ctx context.Context, ev *CheckinEvent, a *Arrival, scan DoorScan) error {
	now := s.Store.Now()
	return s.Store.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.takePlace(ctx, tx, ev); err != nil {
			return err
		}
		r, err := tx.ExecContext(ctx, `UPDATE event_invitations SET status = 'yes', answered_at = COALESCE(answered_at, $1), waitlisted_at = NULL
			WHERE id = $2 AND event_id = $3 AND status <> 'yes'`, now, a.InvitationID, ev.ID)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return errCheckinRetry
		}
		var id int64
		err = tx.QueryRowContext(ctx, `INSERT INTO event_checkins (event_id, invitation_id, scan_id, door, scanned_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id`,
			ev.ID, a.InvitationID, scan.ScanID, scan.Door, scan.ScannedAt, now).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return errCheckinRetry
		}
		return err
	})
}

// takePlace counts one more yes on the event when a place is free, with the event row locked as an
// answer by link locks it, so that two doors or servers cannot both take the last place.
func (s *Service) takePlace(ctx context.Context, tx *sql.Tx, ev *CheckinEvent) error {
	e, err := s.Store.LockEvent(ctx, tx, ev.TenantID, ev.ID)
	if err != nil {
		return err
	}
	switch {
	case e.Cancelled():
		return errCheckinCancelled
	case e.Full():
		return errCheckinFull
	}
	_, err = tx.ExecContext(ctx, `UPDATE events SET yes_count = yes_count + 1 WHERE id = $1`, ev.ID)
	return err
}

// WalkIn adds someone who came without an invitation and checks them in at once, when a place is
// free. The scan id makes a form sent twice add them once.
func (s *Service) WalkIn(ctx context.Context, ev *CheckinEvent, in WalkInInput, scan DoorScan) (*CheckinResult, error) {
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	in.Organisation = strings.Join(strings.Fields(in.Organisation), " ")
	errs := map[string]string{}
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		errs["name"] = "Skriv personens namn."
	case n > MaxWalkInName:
		errs["name"] = "Namnet får vara högst 120 tecken."
	}
	if utf8.RuneCountInString(in.Organisation) > MaxWalkInOrg {
		errs["organisation"] = "Organisationen får vara högst 120 tecken."
	}
	if in.UnitID < 0 {
		errs["unit_id"] = "Välj en förvaltning i listan."
	} else if in.UnitID > 0 {
		if _, err := s.Org.Store.Unit(ctx, ev.TenantID, in.UnitID); errors.Is(err, db.ErrNotFound) {
			errs["unit_id"] = "Välj en förvaltning i listan."
		} else if err != nil {
			return nil, err
		}
	}
	if msg := checkScan(&scan, s.Store.Now()); msg != "" {
		errs["name"] = msg
	}
	if len(errs) > 0 {
		return nil, web.Invalid(errs)
	}
	if ev.Cancelled {
		return nil, errCheckinCancelled
	}
	if res, err := s.checkinByScanID(ctx, ev, scan.ScanID); res != nil || err != nil {
		return res, err
	}
	now := s.Store.Now()
	inv := &Invitation{EventID: ev.ID, UnitID: in.UnitID, GuestName: in.Name, GuestOrganisation: in.Organisation,
		Status: StatusYes, AnsweredAt: &now, WalkIn: true, CreatedAt: now}
	err := s.Store.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.takePlace(ctx, tx, ev); err != nil {
			return err
		}
		if ok, err := s.Store.InsertInvitation(ctx, tx, inv); err != nil || !ok {
			return cmp.Or(err, errors.New("events: a walk-in clashed with an invitation"))
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO event_checkins (event_id, invitation_id, scan_id, door, scanned_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, ev.ID, inv.ID, scan.ScanID, scan.Door, scan.ScannedAt, now)
		return err
	})
	if db.IsUniqueViolation(err) {
		// The same form, sent twice at once: the other one added them.
		if res, err := s.checkinByScanID(ctx, ev, scan.ScanID); res != nil || err != nil {
			return res, err
		}
	}
	if err != nil {
		return nil, err
	}
	a, err := s.arrival(ctx, ev, inv.ID)
	if err != nil {
		return nil, err
	}
	return &CheckinResult{ScanID: scan.ScanID, Outcome: CheckinOK, Arrival: a}, nil
}

// checkinByScanID returns the answer to a scan already stored, or nil.
func (s *Service) checkinByScanID(ctx context.Context, ev *CheckinEvent, scanID string) (*CheckinResult, error) {
	var invitationID int64
	err := s.Store.DB.Read().QueryRowContext(ctx, `SELECT invitation_id FROM event_checkins WHERE scan_id = $1 AND event_id = $2`, scanID, ev.ID).Scan(&invitationID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	a, err := s.arrival(ctx, ev, invitationID)
	if err != nil {
		return nil, err
	}
	return &CheckinResult{ScanID: scanID, Outcome: CheckinOK, Arrival: a}, nil
}

// --- reading invitees

// arrivalColumns reads an invitee with their name, unit, needs and check-in. People's names come from the org tables by their id, as stored.
const arrivalColumns = `SELECT i.id, i.status, i.person_id IS NULL, COALESCE(p.given_name, ''), COALESCE(p.family_name, ''),
	i.guest_name, i.guest_organisation, COALESCE(u.name, ''), i.diet, i.accessibility, i.host, i.walk_in,
	c.scan_id, c.door, c.scanned_at
	FROM event_invitations i
	LEFT JOIN people p ON p.id = i.person_id
	LEFT JOIN units u ON u.id = i.unit_id
	LEFT JOIN event_checkins c ON c.invitation_id = i.id`

func scanArrival(row db.Row) (*Arrival, error) { return scanArrivalAnd(row) }

// scanArrivalAnd scans arrivalColumns and then the columns in more.
func scanArrivalAnd(row db.Row, more ...any) (*Arrival, error) {
	a := &Arrival{}
	var given, family, guestName, status string
	var scanID, door sql.NullString
	var at sql.NullTime
	err := row.Scan(append([]any{&a.InvitationID, &status, &a.Guest, &given, &family, &guestName, &a.Organisation, &a.Unit,
		&a.Diet, &a.Accessibility, &a.Host, &a.WalkIn, &scanID, &door, &at}, more...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	a.Status = Status(status)
	if a.Guest {
		a.Name = guestName
		a.GivenName, _, _ = strings.Cut(guestName, " ")
	} else {
		a.Name = strings.TrimSpace(given + " " + family)
		a.GivenName = given
	}
	if scanID.Valid {
		a.CheckedIn, a.CheckinScanID, a.CheckinDoor, a.CheckinAt = true, scanID.String, door.String, at.Time
	}
	return a, nil
}

// arrivalByCode finds the invitee of the event with the code. An erased
// guest's invitation no longer identifies anyone.
func (s *Service) arrivalByCode(ctx context.Context, ev *CheckinEvent, code string) (*Arrival, error) {
	st, err := s.checkinStatements(ctx)
	if err != nil {
		return nil, err
	}
	a, err := scanArrival(st.arrival.QueryRowContext(ctx, ev.ID, code))
	if err != nil {
		return nil, err
	}
	return a, s.findGroup(ctx, ev, a)
}

// arrival finds an invitee of the event by the invitation's id.
func (s *Service) arrival(ctx context.Context, ev *CheckinEvent, invitationID int64) (*Arrival, error) {
	a, err := scanArrival(s.Store.DB.Read().QueryRowContext(ctx, arrivalColumns+`
		WHERE i.event_id = $1 AND i.id = $2 AND i.erased_at IS NULL`, ev.ID, invitationID))
	if err != nil {
		return nil, err
	}
	return a, s.findGroup(ctx, ev, a)
}

// findGroup finds the invitee's mingling group in the event's latest round, the one the host at the
// door sends them to.
func (s *Service) findGroup(ctx context.Context, ev *CheckinEvent, a *Arrival) error {
	if ev.Round == 0 {
		return nil
	}
	err := s.Store.DB.Read().QueryRowContext(ctx, `SELECT g.number FROM event_group_members m JOIN event_groups g ON g.id = m.group_id
		WHERE m.invitation_id = $1 AND g.event_id = $2 AND g.round = $3`, a.InvitationID, ev.ID, ev.Round).Scan(&a.GroupNumber)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	a.GroupRound = ev.Round
	return err
}

// checkinStatements are the door's hot statements, prepared once per store: in a rush of check-ins
// SQLite would otherwise spend much of its time parsing the same SQL again (its driver keeps no
// statement cache; pgx does, and gains nothing here but loses nothing either).
type checkinStatements struct {
	event, arrival, insert, count *sql.Stmt
	doorStaff                     *sql.Stmt // is this person on the event's door (door.go)
	arriveAtOnce                  *sql.Stmt // PostgreSQL only
}

// preparedCheckins holds a store's check-in statements once prepared: read without a lock on every
// scan; the mutex makes the first rush of scans prepare them once, not once per door.
type preparedCheckins struct {
	ready atomic.Pointer[checkinStatements]
	mu    sync.Mutex
}

type preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

func (s *Service) checkinStatements(ctx context.Context) (*checkinStatements, error) {
	pc := s.Store.prepared
	if pc == nil {
		return nil, errors.New("events: the store was not made by NewStore")
	}
	if st := pc.ready.Load(); st != nil {
		return st, nil
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if st := pc.ready.Load(); st != nil {
		return st, nil
	}
	read, rok := s.Store.DB.Read().(preparer)
	write, wok := s.Store.DB.Writer().(preparer)
	if !rok || !wok {
		return nil, errors.New("events: the database pools cannot prepare statements")
	}
	st := &checkinStatements{}
	var err error
	prepare := func(p preparer, dst **sql.Stmt, query string) {
		if err == nil {
			*dst, err = p.PrepareContext(context.WithoutCancel(ctx), query)
		}
	}
	prepare(read, &st.event, `SELECT id, tenant_id, title, place, starts_at, capacity, yes_count, cancelled_at,
		COALESCE((SELECT MAX(round) FROM event_groups WHERE event_id = events.id), 0)
		FROM events WHERE id = $1 AND tenant_id = $2`)
	prepare(read, &st.arrival, arrivalColumns+` WHERE i.event_id = $1 AND i.code = $2 AND i.erased_at IS NULL`)
	prepare(write, &st.insert, `INSERT INTO event_checkins (event_id, invitation_id, scan_id, door, scanned_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id`)
	prepare(read, &st.count, `SELECT (SELECT COUNT(*) FROM event_checkins WHERE event_id = $1), yes_count FROM events WHERE id = $1`)
	prepare(read, &st.doorStaff, `SELECT 1 FROM event_door_staff WHERE event_id = $1 AND person_id = $2`)
	if s.Store.DB.Dialect == db.Postgres {
		// The invitee as before the insert (so not yet checked in), and the new check-in's id when the
		// insert took place: a yes without a check-in. A conflict (another door just won) inserts
		// nothing, and checkInArrival then reads who holds the check-in.
		prepare(write, &st.arriveAtOnce, `WITH a AS (`+arrivalColumns+` WHERE i.event_id = $1 AND i.code = $2 AND i.erased_at IS NULL),
			ins AS (INSERT INTO event_checkins (event_id, invitation_id, scan_id, door, scanned_at, created_at)
				SELECT $1, a.id, $3::text, $4::text, $5::timestamptz, $6::timestamptz FROM a WHERE a.status = 'yes' AND a.scan_id IS NULL
				ON CONFLICT DO NOTHING RETURNING id)
			SELECT a.*, (SELECT id FROM ins) FROM a`)
	}
	if err != nil {
		for _, x := range []*sql.Stmt{st.event, st.arrival, st.insert, st.count, st.doorStaff, st.arriveAtOnce} {
			if x != nil {
				x.Close()
			}
		}
		return nil, fmt.Errorf("prepare the check-in statements: %w", err)
	}
	pc.ready.Store(st)
	return st, nil
}

// MaxCheckinMatches is how many invitees a name search at the door shows.
const MaxCheckinMatches = 25

// SearchArrivals finds the event's invitees by name, whatever their answer, in Swedish alphabetical
// order, at most MaxCheckinMatches of them, and says whether there were more.
func (s *Service) SearchArrivals(ctx context.Context, eventID int64, query string) ([]*Arrival, bool, error) {
	words := strings.Fields(strings.ToLower(query))
	if len(words) == 0 {
		return nil, false, nil
	}
	// People are matched in SQL on their stored lower-case search text; guests' names are few and
	// matched here, since SQLite's LOWER folds only ASCII and would miss "Åsa".
	args := []any{eventID}
	var cond []string
	for _, w := range words {
		args = append(args, "%"+escapeLike(w)+"%")
		cond = append(cond, `p.search LIKE $`+strconv.Itoa(len(args))+` ESCAPE '\'`)
	}
	rows, err := s.Store.DB.Read().QueryContext(ctx, arrivalColumns+`
		WHERE i.event_id = $1 AND i.erased_at IS NULL AND (i.person_id IS NULL OR (`+strings.Join(cond, " AND ")+`))`, args...)
	all, err := db.Collect(rows, err, scanArrival)
	if err != nil {
		return nil, false, err
	}
	type match struct {
		a   *Arrival
		key string
	}
	var found []match
	for _, a := range all {
		if a.Guest {
			hay := strings.ToLower(a.Name + " " + a.Organisation)
			if !containsAll(hay, words) {
				continue
			}
		}
		family, given := a.Name, ""
		if !a.Guest {
			given = a.GivenName
			family = strings.TrimSpace(strings.TrimPrefix(a.Name, a.GivenName))
		}
		found = append(found, match{a, string(org.SortKey(family, given))})
	}
	slices.SortFunc(found, func(x, y match) int {
		if c := strings.Compare(x.key, y.key); c != 0 {
			return c
		}
		return int(x.a.InvitationID - y.a.InvitationID)
	})
	more := len(found) > MaxCheckinMatches
	if more {
		found = found[:MaxCheckinMatches]
	}
	out := make([]*Arrival, len(found))
	for i, m := range found {
		out[i] = m.a
	}
	return out, more, nil
}

func containsAll(hay string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

// CheckinUnits lists the kommun's förvaltningar for the walk-in form.
func (s *Service) CheckinUnits(ctx context.Context, tenantID int64) ([]*org.Unit, error) {
	tree, err := s.Org.Tree(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	var out []*org.Unit
	for _, u := range tree.Roots {
		if u.ClosedAt == nil {
			out = append(out, u)
		}
	}
	return out, nil
}
