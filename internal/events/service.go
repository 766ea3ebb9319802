package events

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/mail"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/surveys"
	"github.com/vard-kommun/vard/internal/web"
)

// Service holds the events' rules.
type Service struct {
	Store *Store
	Org   *org.Service
	// Surveys sends the follow-up questions after an event (followup.go); app wiring sets it.
	Surveys *surveys.Service
	// BaseURL makes the links in mails absolute ("https://vard.kommun.se"); NewHandlers sets it.
	BaseURL string
	// BatchSize is how many invitations are sent per transaction.
	BatchSize int
	// ReminderDays is how long before the start those who said yes are reminded.
	ReminderDays int
	// Now is the clock; tests set a fixed one.
	Now func() time.Time

	kick chan struct{}
	// doors caches the event as the doors' scans see it, for a second (see DoorEvent).
	doors sync.Map
	// key is the installation's key for personal links, once read (links.go).
	keyMu sync.Mutex
	key   []byte
}

// NewService returns the service over a store.
func NewService(s *Store, orgSvc *org.Service) *Service {
	return &Service{Store: s, Org: orgSvc, BatchSize: 500, ReminderDays: 2, Now: db.Now, kick: make(chan struct{}, 1)}
}

// Kick makes a running Run do its work now rather than at the next tick, for the rest of a sending
// that a request started.
func (s *Service) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Errors that pages turn into their own answers.
var (
	// ErrCancelled: the event is cancelled; an invitee's link answers 410 Gone.
	ErrCancelled = errors.New("event cancelled")
	// ErrClosed: the deadline to answer has passed.
	ErrClosed = errors.New("answers closed")
)

// Stockholm is the time zone that event times are typed and shown in.
var Stockholm = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()

// EventInput is a new or changed event as typed.
type EventInput struct {
	Kind               Kind
	Title              string
	Description        string
	Place              string
	StartsAt, EndsAt   time.Time
	Capacity           int
	RSVPDeadline       *time.Time
	GroupSize          int
	GuestRetentionDays int
}

// checkText returns a Swedish message when s is missing (and required) or longer than max characters.
func checkText(s string, max int, required bool) string {
	switch {
	case required && strings.TrimSpace(s) == "":
		return "Fyll i fältet."
	case utf8.RuneCountInString(s) > max:
		return "Texten får vara högst " + strconv.Itoa(max) + " tecken."
	case !utf8.ValidString(s) || strings.ContainsRune(s, 0):
		return "Texten innehåller ogiltiga tecken."
	}
	return ""
}

// Validate checks the input, adding Swedish messages by form field to errs.
func (in *EventInput) Validate(errs map[string]string) {
	in.Title, in.Place = strings.TrimSpace(in.Title), strings.TrimSpace(in.Place)
	in.Description = strings.TrimSpace(strings.ReplaceAll(in.Description, "\r\n", "\n"))
	add := func(field, msg string) {
		if msg != "" && errs[field] == "" {
			errs[field] = msg
		}
	}
	if !in.Kind.Valid() {
		add("kind", "Välj typ av evenemang.")
	}
	add("title", checkText(in.Title, MaxTitle, true))
	add("description", checkText(in.Description, MaxDescription, false))
	add("place", checkText(in.Place, MaxPlace, false))
	if errs["starts_date"] == "" && errs["starts_time"] == "" && in.StartsAt.IsZero() {
		add("starts_date", "Ange när evenemanget börjar.")
	}
	if errs["ends_date"] == "" && errs["ends_time"] == "" && !in.StartsAt.IsZero() {
		if in.EndsAt.IsZero() {
			add("ends_date", "Ange när evenemanget slutar.")
		} else if !in.EndsAt.After(in.StartsAt) {
			add("ends_date", "Slutet måste komma efter starten.")
		} else if in.EndsAt.Sub(in.StartsAt) > 14*24*time.Hour {
			add("ends_date", "Ett evenemang kan vara högst 14 dagar.")
		}
	}
	if in.Capacity < 0 || in.Capacity > MaxCapacity {
		add("capacity", "Ange ett antal platser mellan 0 och "+strconv.Itoa(MaxCapacity)+", eller lämna fältet tomt för ingen gräns.")
	}
	if in.RSVPDeadline != nil && !in.StartsAt.IsZero() && in.RSVPDeadline.After(in.StartsAt) {
		add("deadline_date", "Sista svarsdag måste vara före starten.")
	}
	if in.GroupSize < MinGroupSize || in.GroupSize > MaxGroupSize {
		add("group_size", "Välj 3 eller 4 personer per grupp.")
	}
	if in.GuestRetentionDays < 0 || in.GuestRetentionDays > MaxRetentionDays {
		add("retention", "Ange ett antal dagar mellan 0 och "+strconv.Itoa(MaxRetentionDays)+".")
	}
}

// Event returns a kommun's event; another kommun's is web.NotFound.
func (s *Service) Event(ctx context.Context, tenantID, id int64) (*Event, error) {
	e, err := s.Store.Event(ctx, tenantID, id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, web.NotFound()
	}
	return e, err
}

// Events lists a kommun's events, upcoming first.
func (s *Service) Events(ctx context.Context, tenantID int64, offset, limit int) ([]*Event, int, error) {
	return s.Store.Events(ctx, tenantID, s.Now(), offset, limit)
}

// Create stores a new event.
func (s *Service) Create(ctx context.Context, tenantID int64, in EventInput) (*Event, error) {
	errs := map[string]string{}
	in.Validate(errs)
	if len(errs) > 0 {
		return nil, web.Invalid(errs)
	}
	e := &Event{TenantID: tenantID, CreatedAt: s.Now()}
	in.apply(e)
	if err := s.Store.insertEvent(ctx, s.Store.DB.Writer(), e); err != nil {
		return nil, err
	}
	return e, nil
}

func (in *EventInput) apply(e *Event) {
	e.Kind, e.Title, e.Description, e.Place = in.Kind, in.Title, in.Description, in.Place
	e.StartsAt, e.EndsAt, e.Capacity, e.RSVPDeadline = in.StartsAt.UTC(), in.EndsAt.UTC(), in.Capacity, in.RSVPDeadline
	e.GroupSize, e.GuestRetentionDays = in.GroupSize, in.GuestRetentionDays
	if e.RSVPDeadline != nil {
		t := e.RSVPDeadline.UTC()
		e.RSVPDeadline = &t
	}
}

// Update changes an event. A raised capacity moves people up from the waitlist in the same transaction;
// a lowered one takes no place from anyone who has it, but lets nobody else in until there is room.
func (s *Service) Update(ctx context.Context, tenantID, id int64, in EventInput) (*Event, error) {
	errs := map[string]string{}
	in.Validate(errs)
	if len(errs) > 0 {
		return nil, web.Invalid(errs)
	}
	var e *Event
	err := s.Store.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		e, err = s.Store.LockEvent(ctx, tx, tenantID, id)
		if err != nil {
			return err
		}
		if e.Cancelled() {
			return web.BadRequest("Evenemanget är inställt och kan inte ändras.")
		}
		moved := !in.StartsAt.Equal(e.StartsAt) || !in.EndsAt.Equal(e.EndsAt) || in.Place != e.Place || in.Title != e.Title
		in.apply(e)
		if moved {
			e.Sequence++
		}
		if err := s.Store.updateEvent(ctx, tx, e); err != nil {
			return err
		}
		return s.promote(ctx, tx, e)
	})
	if errors.Is(err, db.ErrNotFound) {
		return nil, web.NotFound()
	}
	return e, err
}

// Cancel cancels the event and mails those who said yes (or wait for a place) that it is cancelled.
func (s *Service) Cancel(ctx context.Context, tenantID, id int64) error {
	err := s.Store.DB.Tx(ctx, func(tx *sql.Tx) error {
		e, err := s.Store.LockEvent(ctx, tx, tenantID, id)
		if err != nil {
			return err
		}
		if e.Cancelled() {
			return nil
		}
		now := s.Now()
		e.CancelledAt = &now
		e.Sequence++
		if err := s.Store.updateEvent(ctx, tx, e); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+invitationColumns+invitationFrom+`
			WHERE i.event_id = $1 AND i.status IN ($2, $3) AND i.sent_at IS NOT NULL ORDER BY i.id`,
			e.ID, string(StatusYes), string(StatusWaitlist))
		list, err := db.Collect(rows, err, scanInvitation)
		if err != nil {
			return fmt.Errorf("cancel: %w", err)
		}
		for _, inv := range list {
			if m, ok := s.cancelMail(e, inv); ok {
				if err := mail.Enqueue(ctx, tx, m); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound()
	}
	return err
}

// --- agenda

// AgendaInput is a new or changed agenda item as typed.
type AgendaInput struct {
	StartsAt        *time.Time
	Title           string
	SpeakerPersonID int64
	SpeakerName     string
}

func (s *Service) checkAgenda(ctx context.Context, tenantID int64, in *AgendaInput, errs map[string]string) {
	in.Title, in.SpeakerName = strings.TrimSpace(in.Title), strings.TrimSpace(in.SpeakerName)
	if msg := checkText(in.Title, MaxAgendaTitle, true); msg != "" {
		errs["item_title"] = msg
	}
	if msg := checkText(in.SpeakerName, MaxSpeakerName, false); msg != "" {
		errs["speaker_name"] = msg
	}
	if in.SpeakerPersonID != 0 {
		if _, err := s.Org.Store.Person(ctx, tenantID, in.SpeakerPersonID); err != nil {
			errs["speaker"] = "Välj en person i kommunen, eller skriv ett namn."
			in.SpeakerPersonID = 0
		} else {
			in.SpeakerName = ""
		}
	}
}

// Agenda returns the event's agenda in order.
func (s *Service) Agenda(ctx context.Context, e *Event) ([]*AgendaItem, error) {
	return s.Store.Agenda(ctx, e.ID)
}

// AgendaItem returns one item of the event's agenda, or web.NotFound.
func (s *Service) AgendaItem(ctx context.Context, e *Event, id int64) (*AgendaItem, error) {
	a, err := s.Store.agendaItem(ctx, s.Store.DB.Read(), e.ID, id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, web.NotFound()
	}
	return a, err
}

// AddAgendaItem adds an item at the end of the agenda.
func (s *Service) AddAgendaItem(ctx context.Context, e *Event, in AgendaInput) (*AgendaItem, error) {
	errs := map[string]string{}
	s.checkAgenda(ctx, e.TenantID, &in, errs)
	if len(errs) > 0 {
		return nil, web.Invalid(errs)
	}
	a := &AgendaItem{EventID: e.ID, StartsAt: in.StartsAt, Title: in.Title, SpeakerPersonID: in.SpeakerPersonID, SpeakerName: in.SpeakerName}
	err := s.Store.DB.Tx(ctx, func(tx *sql.Tx) error { return s.Store.insertAgendaItem(ctx, tx, a) })
	return a, err
}

// UpdateAgendaItem changes an item.
func (s *Service) UpdateAgendaItem(ctx context.Context, e *Event, id int64, in AgendaInput) error {
	a, err := s.AgendaItem(ctx, e, id)
	if err != nil {
		return err
	}
	errs := map[string]string{}
	s.checkAgenda(ctx, e.TenantID, &in, errs)
	if len(errs) > 0 {
		return web.Invalid(errs)
	}
	a.StartsAt, a.Title, a.SpeakerPersonID, a.SpeakerName = in.StartsAt, in.Title, in.SpeakerPersonID, in.SpeakerName
	return s.Store.updateAgendaItem(ctx, s.Store.DB.Writer(), a)
}

// DeleteAgendaItem removes an item.
func (s *Service) DeleteAgendaItem(ctx context.Context, e *Event, id int64) error {
	if _, err := s.AgendaItem(ctx, e, id); err != nil {
		return err
	}
	return s.Store.deleteAgendaItem(ctx, s.Store.DB.Writer(), e.ID, id)
}

// MoveAgendaItem moves an item one step up (by < 0) or down.
func (s *Service) MoveAgendaItem(ctx context.Context, e *Event, id int64, by int) error {
	return s.Store.DB.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, agendaSelect+` WHERE a.event_id = $1 ORDER BY a.position`, e.ID)
		items, err := db.Collect(rows, err, scanAgendaItem)
		if err != nil {
			return err
		}
		for i, a := range items {
			if a.ID != id {
				continue
			}
			j := i + 1
			if by < 0 {
				j = i - 1
			}
			if j < 0 || j >= len(items) {
				return nil
			}
			return s.Store.swapAgendaItems(ctx, tx, a, items[j])
		}
		return web.NotFound()
	})
}

// Counts counts the event's invitations by status.
func (s *Service) Counts(ctx context.Context, e *Event) (Counts, error) {
	return s.Store.Counts(ctx, s.Store.DB.Read(), e.ID)
}
