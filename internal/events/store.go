package events

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/vard-kommun/vard/internal/db"
)

// Store is the events' SQL.
type Store struct {
	DB  *db.DB
	Now func() time.Time

	prepared *preparedCheckins // the door's statements, prepared on first use
}

// NewStore returns a store on the database.
func NewStore(d *db.DB) *Store { return &Store{DB: d, Now: db.Now, prepared: &preparedCheckins{}} }

// newToken returns a personal link's token: 32 random bytes, URL-safe. Only its hash is stored, so a
// leaked database opens no invitation, and a new token revokes the old one.
func newToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken is what is stored for a personal link's token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// codeAlphabet leaves out 0/O, 1/I/L and U/V, which are mistaken for each other when read aloud or typed
// from a crumpled printout.
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTWXYZ"

// CodeLength is the length of a check-in code: 29^8 ≈ 5·10^11 codes, so that guessing one is hopeless.
const CodeLength = 8

// NewCode returns a random check-in code.
func NewCode() string {
	b := make([]byte, CodeLength)
	rand.Read(b)
	for i := range b {
		// 256 is not a multiple of 29: the bias (at most 1 in 256) does not matter for a code that only
		// needs to be unique within an event and hard to guess.
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b)
}

// NormalizeCode makes a code typed at the door comparable: upper case, without spaces or dashes.
func NormalizeCode(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '-' || unicode.IsSpace(r):
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

const eventColumns = `id, tenant_id, kind, title, description, place, starts_at, ends_at, capacity, yes_count,
	rsvp_deadline, group_size, guest_retention_days, followup_round_id, sequence, send_requested_at, cancelled_at, created_at`

func scanEvent(r db.Row) (*Event, error) {
	e := &Event{}
	var kind string
	var deadline, sendReq, cancelled sql.NullTime
	var followup sql.NullInt64
	err := r.Scan(&e.ID, &e.TenantID, &kind, &e.Title, &e.Description, &e.Place, &e.StartsAt, &e.EndsAt,
		&e.Capacity, &e.YesCount, &deadline, &e.GroupSize, &e.GuestRetentionDays, &followup, &e.Sequence,
		&sendReq, &cancelled, &e.CreatedAt)
	if err != nil {
		return nil, err
	}
	e.Kind = Kind(kind)
	e.StartsAt, e.EndsAt, e.CreatedAt = e.StartsAt.UTC(), e.EndsAt.UTC(), e.CreatedAt.UTC()
	e.RSVPDeadline, e.SendRequestedAt, e.CancelledAt = timePtr(deadline), timePtr(sendReq), timePtr(cancelled)
	e.FollowupRoundID = followup.Int64
	return e, nil
}

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return db.ErrNotFound
	}
	return err
}

// Event returns a kommun's event, or db.ErrNotFound (also when it belongs to another kommun).
func (s *Store) Event(ctx context.Context, tenantID, id int64) (*Event, error) {
	e, err := scanEvent(s.DB.Read().QueryRowContext(ctx, `SELECT `+eventColumns+` FROM events WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return nil, notFound(err)
	}
	return e, nil
}

// LockEvent reads the event inside tx and locks its row until tx ends, so that answers, check-ins and
// changes of capacity to the same event take turns: on PostgreSQL the no-op UPDATE takes the row lock
// (on several servers too); on SQLite the write transaction already holds the only write lock.
func (s *Store) LockEvent(ctx context.Context, tx *sql.Tx, tenantID, id int64) (*Event, error) {
	e, err := scanEvent(tx.QueryRowContext(ctx, `UPDATE events SET yes_count = yes_count WHERE tenant_id = $1 AND id = $2 RETURNING `+eventColumns, tenantID, id))
	if err != nil {
		return nil, notFound(err)
	}
	return e, nil
}

// Events lists a kommun's events: those not yet ended first, soonest first, then the past ones, latest
// first; and the number of events.
func (s *Store) Events(ctx context.Context, tenantID int64, now time.Time, offset, limit int) ([]*Event, int, error) {
	var total int
	if err := s.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE tenant_id = $1`, tenantID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count events: %w", err)
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+eventColumns+` FROM events WHERE tenant_id = $1
		ORDER BY CASE WHEN ends_at > $2 THEN 0 ELSE 1 END,
			CASE WHEN ends_at > $2 THEN starts_at END ASC, starts_at DESC, id DESC
		LIMIT $3 OFFSET $4`, tenantID, now, limit, offset)
	list, err := db.Collect(rows, err, scanEvent)
	if err != nil {
		return nil, 0, fmt.Errorf("events: %w", err)
	}
	return list, total, nil
}

func (s *Store) insertEvent(ctx context.Context, q db.Querier, e *Event) error {
	err := q.QueryRowContext(ctx, `INSERT INTO events (tenant_id, kind, title, description, place, starts_at, ends_at,
		capacity, rsvp_deadline, group_size, guest_retention_days, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		e.TenantID, string(e.Kind), e.Title, e.Description, e.Place, e.StartsAt.UTC(), e.EndsAt.UTC(),
		e.Capacity, nullTime(e.RSVPDeadline), e.GroupSize, e.GuestRetentionDays, e.CreatedAt).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("insert event: %w", err)
	}
	return nil
}

func (s *Store) updateEvent(ctx context.Context, q db.Querier, e *Event) error {
	_, err := q.ExecContext(ctx, `UPDATE events SET kind = $1, title = $2, description = $3, place = $4, starts_at = $5,
		ends_at = $6, capacity = $7, rsvp_deadline = $8, group_size = $9, guest_retention_days = $10, sequence = $11,
		yes_count = $12, cancelled_at = $13, send_requested_at = $14
		WHERE tenant_id = $15 AND id = $16`,
		string(e.Kind), e.Title, e.Description, e.Place, e.StartsAt.UTC(), e.EndsAt.UTC(), e.Capacity,
		nullTime(e.RSVPDeadline), e.GroupSize, e.GuestRetentionDays, e.Sequence, e.YesCount,
		nullTime(e.CancelledAt), nullTime(e.SendRequestedAt), e.TenantID, e.ID)
	if err != nil {
		return fmt.Errorf("update event: %w", err)
	}
	return nil
}

// --- agenda

func scanAgendaItem(r db.Row) (*AgendaItem, error) {
	a := &AgendaItem{}
	var at sql.NullTime
	var speaker sql.NullInt64
	var person string
	if err := r.Scan(&a.ID, &a.EventID, &a.Position, &at, &a.Title, &speaker, &a.SpeakerName, &person); err != nil {
		return nil, err
	}
	a.StartsAt, a.SpeakerPersonID = timePtr(at), speaker.Int64
	if person != "" {
		a.SpeakerName = person
	}
	return a, nil
}

const agendaSelect = `SELECT a.id, a.event_id, a.position, a.starts_at, a.title, a.speaker_person_id, a.speaker_name,
	COALESCE(p.given_name || ' ' || p.family_name, '')
	FROM event_agenda_items a LEFT JOIN people p ON p.id = a.speaker_person_id`

// Agenda returns an event's agenda in order.
func (s *Store) Agenda(ctx context.Context, eventID int64) ([]*AgendaItem, error) {
	rows, err := s.DB.Read().QueryContext(ctx, agendaSelect+` WHERE a.event_id = $1 ORDER BY a.position`, eventID)
	return db.Collect(rows, err, scanAgendaItem)
}

func (s *Store) agendaItem(ctx context.Context, q db.Querier, eventID, id int64) (*AgendaItem, error) {
	a, err := scanAgendaItem(q.QueryRowContext(ctx, agendaSelect+` WHERE a.event_id = $1 AND a.id = $2`, eventID, id))
	if err != nil {
		return nil, notFound(err)
	}
	return a, nil
}

func (s *Store) insertAgendaItem(ctx context.Context, tx *sql.Tx, a *AgendaItem) error {
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(position), 0) + 1 FROM event_agenda_items WHERE event_id = $1`, a.EventID).Scan(&a.Position); err != nil {
		return fmt.Errorf("agenda position: %w", err)
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO event_agenda_items (event_id, position, starts_at, title, speaker_person_id, speaker_name)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		a.EventID, a.Position, nullTime(a.StartsAt), a.Title, nullID(a.SpeakerPersonID), a.SpeakerName).Scan(&a.ID)
	if err != nil {
		return fmt.Errorf("insert agenda item: %w", err)
	}
	return nil
}

func (s *Store) updateAgendaItem(ctx context.Context, q db.Querier, a *AgendaItem) error {
	_, err := q.ExecContext(ctx, `UPDATE event_agenda_items SET starts_at = $1, title = $2, speaker_person_id = $3, speaker_name = $4
		WHERE event_id = $5 AND id = $6`, nullTime(a.StartsAt), a.Title, nullID(a.SpeakerPersonID), a.SpeakerName, a.EventID, a.ID)
	return err
}

func (s *Store) deleteAgendaItem(ctx context.Context, q db.Querier, eventID, id int64) error {
	_, err := q.ExecContext(ctx, `DELETE FROM event_agenda_items WHERE event_id = $1 AND id = $2`, eventID, id)
	return err
}

// swapAgendaItems exchanges two items' positions. UNIQUE (event_id, position) is checked per statement,
// so one item is parked at a free negative position first.
func (s *Store) swapAgendaItems(ctx context.Context, tx *sql.Tx, a, b *AgendaItem) error {
	for _, st := range []struct {
		pos int
		id  int64
	}{{-a.Position, a.ID}, {a.Position, b.ID}, {b.Position, a.ID}} {
		if _, err := tx.ExecContext(ctx, `UPDATE event_agenda_items SET position = $1 WHERE id = $2`, st.pos, st.id); err != nil {
			return fmt.Errorf("move agenda item: %w", err)
		}
	}
	return nil
}

// --- invitations

const invitationColumns = `i.id, i.event_id, i.person_id, i.unit_id, i.guest_name, i.guest_email, i.guest_organisation,
	i.code, i.status, i.diet, i.accessibility, i.answered_at, i.waitlisted_at, i.host, i.walk_in, i.sent_at,
	i.reminded_at, i.erased_at, i.created_at,
	COALESCE(p.given_name || ' ' || p.family_name, ''), COALESCE(p.email, ''), COALESCE(u.name, ''),
	EXISTS (SELECT 1 FROM event_checkins c WHERE c.invitation_id = i.id)`

const invitationFrom = ` FROM event_invitations i LEFT JOIN people p ON p.id = i.person_id LEFT JOIN units u ON u.id = i.unit_id`

func scanInvitation(r db.Row) (*Invitation, error) {
	inv := &Invitation{}
	var person, unit sql.NullInt64
	var status string
	var answered, waitlisted, sent, reminded, erased sql.NullTime
	err := r.Scan(&inv.ID, &inv.EventID, &person, &unit, &inv.GuestName, &inv.GuestEmail, &inv.GuestOrganisation,
		&inv.Code, &status, &inv.Diet, &inv.Accessibility, &answered, &waitlisted, &inv.Host, &inv.WalkIn, &sent,
		&reminded, &erased, &inv.CreatedAt, &inv.Name, &inv.Email, &inv.UnitName, &inv.CheckedIn)
	if err != nil {
		return nil, err
	}
	inv.PersonID, inv.UnitID, inv.Status = person.Int64, unit.Int64, Status(status)
	inv.AnsweredAt, inv.WaitlistedAt, inv.SentAt = timePtr(answered), timePtr(waitlisted), timePtr(sent)
	inv.RemindedAt, inv.ErasedAt = timePtr(reminded), timePtr(erased)
	inv.CreatedAt = inv.CreatedAt.UTC()
	if inv.PersonID == 0 {
		inv.Name, inv.Email, inv.UnitName = inv.GuestName, inv.GuestEmail, inv.GuestOrganisation
	}
	return inv, nil
}

// Invitation returns one invitation of an event, or db.ErrNotFound.
func (s *Store) Invitation(ctx context.Context, q db.Querier, eventID, id int64) (*Invitation, error) {
	inv, err := scanInvitation(q.QueryRowContext(ctx, `SELECT `+invitationColumns+invitationFrom+` WHERE i.event_id = $1 AND i.id = $2`, eventID, id))
	if err != nil {
		return nil, notFound(err)
	}
	return inv, nil
}

// InvitationByCode returns an event's invitation by its check-in code (normalised), or db.ErrNotFound.
func (s *Store) InvitationByCode(ctx context.Context, q db.Querier, eventID int64, code string) (*Invitation, error) {
	inv, err := scanInvitation(q.QueryRowContext(ctx, `SELECT `+invitationColumns+invitationFrom+` WHERE i.event_id = $1 AND i.code = $2`, eventID, NormalizeCode(code)))
	if err != nil {
		return nil, notFound(err)
	}
	return inv, nil
}

// invitationByToken finds the invitation of a personal link, and its event, in any kommun.
func (s *Store) invitationByToken(ctx context.Context, q db.Querier, token string) (*Invitation, int64, error) {
	var tenantID int64
	row := q.QueryRowContext(ctx, `SELECT `+invitationColumns+`, e.tenant_id`+invitationFrom+`
		JOIN events e ON e.id = i.event_id WHERE i.token_hash = $1`, HashToken(token))
	inv, err := scanInvitation(scanExtra{row, &tenantID})
	if err != nil {
		return nil, 0, notFound(err)
	}
	return inv, tenantID, nil
}

// scanExtra scans a row whose last columns follow those a scan function knows.
type scanExtra struct {
	r     db.Row
	extra any
}

func (x scanExtra) Scan(dest ...any) error { return x.r.Scan(append(dest, x.extra)...) }

// InvitationFilter narrows an event's invitation list.
type InvitationFilter struct {
	Status Status // "" for all
	Query  string // part of the name, e-mail or code
	Hosts  bool   // hosts only
	Offset int
	Limit  int // 0 for all
}

// Invitations lists an event's invitations by name, and how many match the filter.
func (s *Store) Invitations(ctx context.Context, eventID int64, f InvitationFilter) ([]*Invitation, int, error) {
	where := ` WHERE i.event_id = $1`
	args := []any{eventID}
	if f.Status != "" {
		args = append(args, string(f.Status))
		where += fmt.Sprintf(` AND i.status = $%d`, len(args))
	}
	if f.Hosts {
		where += ` AND i.host`
	}
	if q := strings.ToLower(strings.TrimSpace(f.Query)); q != "" {
		args = append(args, "%"+escapeLike(q)+"%", NormalizeCode(q))
		n := len(args)
		where += fmt.Sprintf(` AND (lower(COALESCE(p.given_name || ' ' || p.family_name, i.guest_name)) LIKE $%d ESCAPE '\'
			OR lower(COALESCE(p.email, i.guest_email)) LIKE $%d ESCAPE '\' OR i.code = $%d)`, n-1, n-1, n)
	}
	var total int
	if err := s.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*)`+invitationFrom+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count invitations: %w", err)
	}
	query := `SELECT ` + invitationColumns + invitationFrom + where + ` ORDER BY lower(COALESCE(p.family_name, i.guest_name)), lower(COALESCE(p.given_name, '')), i.id`
	if f.Limit > 0 {
		args = append(args, f.Limit, f.Offset)
		query += fmt.Sprintf(` LIMIT $%d OFFSET $%d`, len(args)-1, len(args))
	}
	rows, err := s.DB.Read().QueryContext(ctx, query, args...)
	list, err := db.Collect(rows, err, scanInvitation)
	if err != nil {
		return nil, 0, fmt.Errorf("invitations: %w", err)
	}
	return list, total, nil
}

// Counts counts an event's invitations by status.
func (s *Store) Counts(ctx context.Context, q db.Querier, eventID int64) (Counts, error) {
	var c Counts
	rows, err := q.QueryContext(ctx, `SELECT status, COUNT(*), COUNT(sent_at) FROM event_invitations WHERE event_id = $1 GROUP BY status`, eventID)
	type row struct {
		status      string
		n, sentRows int
	}
	list, err := db.Collect(rows, err, func(r db.Row) (row, error) {
		var x row
		return x, r.Scan(&x.status, &x.n, &x.sentRows)
	})
	if err != nil {
		return c, fmt.Errorf("count invitations: %w", err)
	}
	for _, x := range list {
		c.Invited += x.n
		c.Sent += x.sentRows
		switch Status(x.status) {
		case StatusYes:
			c.Yes = x.n
		case StatusNo:
			c.No = x.n
		case StatusWaitlist:
			c.Waitlist = x.n
		default:
			c.Pending += x.n
		}
	}
	return c, nil
}

// InsertInvitation stores a new invitation with a fresh check-in code (and a token that is never sent: the
// real one is made when the invitation is sent). It reports false, storing nothing, when the person or
// the guest's e-mail address is already invited to the event.
func (s *Store) InsertInvitation(ctx context.Context, tx *sql.Tx, inv *Invitation) (bool, error) {
	if inv.Status == "" {
		inv.Status = StatusInvited
	}
	inv.GuestEmail = strings.ToLower(strings.TrimSpace(inv.GuestEmail))
	if inv.CreatedAt.IsZero() {
		inv.CreatedAt = s.Now()
	}
	for range 10 {
		inv.Code = NewCode()
		// ON CONFLICT DO NOTHING rather than a unique violation, which would abort the whole transaction on
		// PostgreSQL. It covers the code, the person and the guest's address alike; which one it was is
		// asked afterwards.
		err := tx.QueryRowContext(ctx, `INSERT INTO event_invitations (event_id, person_id, unit_id, guest_name, guest_email,
			guest_organisation, token_hash, code, status, answered_at, host, walk_in, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING RETURNING id`,
			inv.EventID, nullID(inv.PersonID), nullID(inv.UnitID), inv.GuestName, inv.GuestEmail, inv.GuestOrganisation,
			HashToken(newToken()), inv.Code, string(inv.Status), nullTime(inv.AnsweredAt), inv.Host, inv.WalkIn,
			inv.CreatedAt).Scan(&inv.ID)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return false, fmt.Errorf("insert invitation: %w", err)
		}
		var dup int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM event_invitations WHERE event_id = $1
			AND (person_id = $2 OR (guest_email = $3 AND guest_email <> ''))`,
			inv.EventID, inv.PersonID, inv.GuestEmail).Scan(&dup); err != nil {
			return false, fmt.Errorf("insert invitation: %w", err)
		}
		if dup > 0 {
			return false, nil
		}
	}
	return false, errors.New("insert invitation: no free check-in code")
}

// invitedPeople returns which of the people are already invited to the event.
func (s *Store) invitedPeople(ctx context.Context, q db.Querier, eventID int64) (map[int64]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT person_id FROM event_invitations WHERE event_id = $1 AND person_id IS NOT NULL`, eventID)
	ids, err := db.Collect(rows, err, func(r db.Row) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	m := make(map[int64]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m, err
}

func (s *Store) invitedGuests(ctx context.Context, q db.Querier, eventID int64) (map[string]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT guest_email FROM event_invitations WHERE event_id = $1 AND guest_email <> ''`, eventID)
	list, err := db.Collect(rows, err, func(r db.Row) (string, error) {
		var s string
		return s, r.Scan(&s)
	})
	m := make(map[string]bool, len(list))
	for _, e := range list {
		m[e] = true
	}
	return m, err
}

// candidate is a person who may be invited.
type candidate struct {
	id, unitID int64
}

// activePeople returns the kommun's active people, optionally only those in units or with a role.
func (s *Store) activePeople(ctx context.Context, tenantID int64, personIDs, unitIDs []int64, roles []string) ([]candidate, error) {
	var conds []string
	args := []any{tenantID}
	in := func(col string, n int, add func()) {
		marks := make([]string, 0, n)
		for range n {
			add()
			marks = append(marks, fmt.Sprintf("$%d", len(args)))
		}
		conds = append(conds, col+` IN (`+strings.Join(marks, ", ")+`)`)
	}
	if len(personIDs) > 0 {
		i := 0
		in("p.id", len(personIDs), func() { args = append(args, personIDs[i]); i++ })
	}
	if len(unitIDs) > 0 {
		i := 0
		in("p.unit_id", len(unitIDs), func() { args = append(args, unitIDs[i]); i++ })
	}
	if len(roles) > 0 {
		i := 0
		marks := make([]string, 0, len(roles))
		for range roles {
			args = append(args, roles[i])
			i++
			marks = append(marks, fmt.Sprintf("$%d", len(args)))
		}
		conds = append(conds, `EXISTS (SELECT 1 FROM person_roles r WHERE r.person_id = p.id AND r.role IN (`+strings.Join(marks, ", ")+`))`)
	}
	if len(conds) == 0 {
		return nil, nil
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT p.id, COALESCE(p.unit_id, 0) FROM people p
		WHERE p.tenant_id = $1 AND p.active AND (`+strings.Join(conds, " OR ")+`) ORDER BY p.id`, args...)
	return db.Collect(rows, err, func(r db.Row) (candidate, error) {
		var c candidate
		return c, r.Scan(&c.id, &c.unitID)
	})
}

func (s *Store) deleteInvitation(ctx context.Context, tx *sql.Tx, eventID, id int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM event_invitations WHERE event_id = $1 AND id = $2`, eventID, id)
	return err
}

// SetHost marks or unmarks an invitee as the host of a mingling group.
func (s *Store) SetHost(ctx context.Context, eventID, id int64, host bool) error {
	res, err := s.DB.Exec(ctx, `UPDATE event_invitations SET host = $1 WHERE event_id = $2 AND id = $3`, host, eventID, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.ErrNotFound
	}
	return nil
}

// setAnswer writes an invitee's answer.
func (s *Store) setAnswer(ctx context.Context, tx *sql.Tx, inv *Invitation) error {
	_, err := tx.ExecContext(ctx, `UPDATE event_invitations SET status = $1, diet = $2, accessibility = $3, answered_at = $4,
		waitlisted_at = $5 WHERE id = $6`, string(inv.Status), inv.Diet, inv.Accessibility, nullTime(inv.AnsweredAt),
		nullTime(inv.WaitlistedAt), inv.ID)
	return err
}

// firstWaitlisted returns the invitation longest on the event's waitlist, or db.ErrNotFound.
func (s *Store) firstWaitlisted(ctx context.Context, tx *sql.Tx, eventID int64) (*Invitation, error) {
	inv, err := scanInvitation(tx.QueryRowContext(ctx, `SELECT `+invitationColumns+invitationFrom+`
		WHERE i.event_id = $1 AND i.status = $2 ORDER BY i.waitlisted_at, i.id LIMIT 1`, eventID, string(StatusWaitlist)))
	if err != nil {
		return nil, notFound(err)
	}
	return inv, nil
}

// waitlistPlace is the invitation's place in line on the waitlist, from 1.
func (s *Store) waitlistPlace(ctx context.Context, q db.Querier, inv *Invitation) (int, error) {
	if inv.Status != StatusWaitlist || inv.WaitlistedAt == nil {
		return 0, nil
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM event_invitations WHERE event_id = $1 AND status = $2
		AND (waitlisted_at < $3 OR (waitlisted_at = $3 AND id < $4))`,
		inv.EventID, string(StatusWaitlist), inv.WaitlistedAt.UTC(), inv.ID).Scan(&n)
	return n + 1, err
}
