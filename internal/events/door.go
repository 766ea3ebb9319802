package events

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/web"
)

// Door staff: at a visionsdag the doors are staffed by colleagues from HR, reception or communication
// who are seldom kommunadmins. A kommunadmin names them per event; they may then run that event's
// check-in, and nothing else of the event. Anyone else is told the event does not exist, as for another
// kommun's.

// DoorPerson is one person who staffs an event's door.
type DoorPerson struct {
	PersonID  int64
	Name      string
	Email     string
	CreatedAt time.Time
}

// Messages of the door staff form.
const (
	msgDoorEmailMissing = "Skriv personens e-postadress."
	msgDoorNoPerson     = "Ingen aktiv person i kommunen har den e-postadressen."
	msgDoorAlready      = "Personen är redan satt att checka in vid evenemanget."
)

// DoorStaff lists the people who staff the event's door, by name.
func (s *Service) DoorStaff(ctx context.Context, e *Event) ([]*DoorPerson, error) {
	rows, err := s.Store.DB.Read().QueryContext(ctx, `SELECT p.id, p.given_name, p.family_name, p.email, d.created_at
		FROM event_door_staff d JOIN people p ON p.id = d.person_id
		WHERE d.event_id = $1 AND p.tenant_id = $2
		ORDER BY p.sort_key, p.id`, e.ID, e.TenantID)
	return db.Collect(rows, err, func(r db.Row) (*DoorPerson, error) {
		d := &DoorPerson{}
		var given, family string
		if err := r.Scan(&d.PersonID, &given, &family, &d.Email, &d.CreatedAt); err != nil {
			return nil, err
		}
		d.Name = strings.TrimSpace(given + " " + family)
		return d, nil
	})
}

// AddDoorStaff lets the active person of the event's kommun with the e-mail address run the event's
// check-in. The errors are 422s on the field "door_email".
func (s *Service) AddDoorStaff(ctx context.Context, e *Event, email string) (*DoorPerson, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return nil, web.Invalid(map[string]string{"door_email": msgDoorEmailMissing})
	}
	p, err := s.Org.Store.PersonByEmail(ctx, e.TenantID, email)
	if errors.Is(err, db.ErrNotFound) || errors.Is(err, sql.ErrNoRows) || (err == nil && (!p.Active || p.TenantID != e.TenantID)) {
		return nil, web.Invalid(map[string]string{"door_email": msgDoorNoPerson})
	}
	if err != nil {
		return nil, err
	}
	now := s.Store.Now()
	r, err := s.Store.DB.Writer().ExecContext(ctx, `INSERT INTO event_door_staff (event_id, person_id, created_at)
		VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, e.ID, p.ID, now)
	if err != nil {
		return nil, err
	}
	if n, err := r.RowsAffected(); err != nil {
		return nil, err
	} else if n == 0 {
		return nil, web.Invalid(map[string]string{"door_email": msgDoorAlready})
	}
	return &DoorPerson{PersonID: p.ID, Name: p.Name(), Email: p.Email, CreatedAt: now}, nil
}

// DoorStaffMember returns one person who staffs the event's door, or db.ErrNotFound.
func (s *Service) DoorStaffMember(ctx context.Context, e *Event, personID int64) (*DoorPerson, error) {
	list, err := s.DoorStaff(ctx, e)
	if err != nil {
		return nil, err
	}
	for _, d := range list {
		if d.PersonID == personID {
			return d, nil
		}
	}
	return nil, db.ErrNotFound
}

// RemoveDoorStaff takes the person off the event's door; db.ErrNotFound when they were not on it.
func (s *Service) RemoveDoorStaff(ctx context.Context, e *Event, personID int64) error {
	r, err := s.Store.DB.Writer().ExecContext(ctx, `DELETE FROM event_door_staff WHERE event_id = $1 AND person_id = $2`, e.ID, personID)
	if err != nil {
		return err
	}
	if n, err := r.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return db.ErrNotFound
	}
	return nil
}

// StaffsDoor reports whether the person staffs the event's door: one lookup on the primary key, with a
// statement prepared once, made on each of a door person's requests (a kommunadmin never needs it).
func (s *Service) StaffsDoor(ctx context.Context, eventID, personID int64) (bool, error) {
	if personID == 0 {
		return false, nil
	}
	st, err := s.checkinStatements(ctx)
	if err != nil {
		return false, err
	}
	var one int
	err = st.doorStaff.QueryRowContext(ctx, eventID, personID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// MaxDoorEvents is how many events /incheckning lists; nobody staffs more doors than that at once.
const MaxDoorEvents = 100

// DoorEvents lists the kommun's events, today's and upcoming ones and not cancelled, whose door the
// person staffs, soonest first. "Today" is the Swedish day, so an event that started this morning is
// still listed in the evening.
func (s *Service) DoorEvents(ctx context.Context, tenantID, personID int64) ([]*Event, error) {
	now := s.Now().In(Stockholm)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, Stockholm).UTC()
	rows, err := s.Store.DB.Read().QueryContext(ctx, `SELECT `+prefixed("e.", eventColumns)+`
		FROM events e JOIN event_door_staff d ON d.event_id = e.id
		WHERE d.person_id = $1 AND e.tenant_id = $2 AND e.cancelled_at IS NULL AND e.ends_at >= $3
		ORDER BY e.starts_at, e.id LIMIT $4`, personID, tenantID, today, MaxDoorEvents)
	return db.Collect(rows, err, scanEvent)
}

// prefixed qualifies each column of a list with the table's alias.
func prefixed(alias, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}
