package events

import (
	"strings"
	"time"
)

// Kind is what sort of event it is.
type Kind string

// The kinds: a ledarforum gathers the managers; a visionsdag everyone, often with external guests.
const (
	KindLedarforum Kind = "ledarforum"
	KindVisionsdag Kind = "visionsdag"
	KindOther      Kind = "other"
)

// Kinds lists the kinds in display order.
var Kinds = []Kind{KindLedarforum, KindVisionsdag, KindOther}

// Label is the kind's Swedish name.
func (k Kind) Label() string {
	switch k {
	case KindLedarforum:
		return "Ledarforum"
	case KindVisionsdag:
		return "Visionsdag"
	case KindOther:
		return "Annat"
	}
	return string(k)
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == KindLedarforum || k == KindVisionsdag || k == KindOther }

// Status is an invitee's answer.
type Status string

// The statuses. An invitee who says yes to a full event is put on the waitlist, in the order of
// waitlisted_at, and moves up to yes when a place frees.
const (
	StatusInvited  Status = "invited" // not answered
	StatusYes      Status = "yes"
	StatusNo       Status = "no"
	StatusWaitlist Status = "waitlist"
)

// Statuses lists the statuses in display order.
var Statuses = []Status{StatusInvited, StatusYes, StatusNo, StatusWaitlist}

// Label is the status's Swedish name.
func (s Status) Label() string {
	switch s {
	case StatusInvited:
		return "Ej svarat"
	case StatusYes:
		return "Ja"
	case StatusNo:
		return "Nej"
	case StatusWaitlist:
		return "Väntelista"
	}
	return string(s)
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	return s == StatusInvited || s == StatusYes || s == StatusNo || s == StatusWaitlist
}

// Limits on what people type, in characters.
const (
	MaxTitle         = 150
	MaxDescription   = 4000
	MaxPlace         = 200
	MaxAgendaTitle   = 200
	MaxSpeakerName   = 120
	MaxGuestName     = 120
	MaxOrganisation  = 150
	MaxDiet          = 500
	MaxAccessibility = 500
	MaxCapacity      = 100000
	MaxRetentionDays = 3650
	MinGroupSize     = 3
	MaxGroupSize     = 4
	DefaultGroupSize = 4
	DefaultRetention = 30
)

// Event is a ledarforum, a visionsdag or another event of a kommun.
type Event struct {
	ID          int64
	TenantID    int64
	Kind        Kind
	Title       string
	Description string
	Place       string
	StartsAt    time.Time
	EndsAt      time.Time
	// Capacity is the number of places; 0 for no limit. YesCount is the number of invitees with yes,
	// kept in the event row so that every answer locks it and none overbooks.
	Capacity int
	YesCount int
	// RSVPDeadline is the last moment to answer or change an answer; nil for none (the start then).
	RSVPDeadline *time.Time
	// GroupSize is the mingling groups' size, 3 or 4.
	GroupSize int
	// GuestRetentionDays is how many days after the end external guests' personal data is kept.
	GuestRetentionDays int
	// FollowupRoundID is the surveys round sent to those who attended; 0 until sent.
	FollowupRoundID int64
	// Sequence is raised on each change the invitees' calendars must pick up (the .ics SEQUENCE).
	Sequence int
	// SendRequestedAt is when "Skicka inbjudningar" was last pressed; invitations made before it are
	// sent by the periodic job too, so that a restart midway only delays the rest.
	SendRequestedAt *time.Time
	CancelledAt     *time.Time
	CreatedAt       time.Time
}

// Cancelled reports whether the event is cancelled.
func (e *Event) Cancelled() bool { return e.CancelledAt != nil }

// Past reports whether the event has ended at now.
func (e *Event) Past(now time.Time) bool { return !e.EndsAt.After(now) }

// Deadline is the last moment to answer: the deadline if set, else the start.
func (e *Event) Deadline() time.Time {
	if e.RSVPDeadline != nil {
		return *e.RSVPDeadline
	}
	return e.StartsAt
}

// Open reports whether invitees may still answer or change their answer at now.
func (e *Event) Open(now time.Time) bool { return !e.Cancelled() && now.Before(e.Deadline()) }

// Full reports whether every place is taken.
func (e *Event) Full() bool { return e.Capacity > 0 && e.YesCount >= e.Capacity }

// AgendaItem is one item of an event's agenda.
type AgendaItem struct {
	ID       int64
	EventID  int64
	Position int
	StartsAt *time.Time // optional
	Title    string
	// SpeakerPersonID is a person of the kommun; 0 when the speaker is given by name only.
	SpeakerPersonID int64
	SpeakerName     string
}

// Speaker is the speaker's name as shown: the person's name, else the name typed.
func (a *AgendaItem) Speaker() string { return a.SpeakerName }

// Invitation is one invitee of an event: a person of the kommun or an external guest.
type Invitation struct {
	ID      int64
	EventID int64
	// PersonID is the invited person; 0 for an external guest.
	PersonID int64
	// UnitID is the person's unit when invited (0 for a guest), for attendance per förvaltning.
	UnitID            int64
	GuestName         string
	GuestEmail        string
	GuestOrganisation string
	// Code is the short check-in code, unique within the event, shown as a QR code.
	Code          string
	Status        Status
	Diet          string
	Accessibility string
	AnsweredAt    *time.Time
	WaitlistedAt  *time.Time
	// Host hosts a mingling group. WalkIn was added at the door.
	Host       bool
	WalkIn     bool
	SentAt     *time.Time // when the invitation mail was queued; nil until "Skicka inbjudningar"
	RemindedAt *time.Time
	ErasedAt   *time.Time
	CreatedAt  time.Time

	// Filled when listed, from the person (for a guest: the guest fields).
	Name       string // "Anna Ek" or the guest's name
	Email      string
	UnitName   string // the person's unit, or the guest's organisation
	Department string // the förvaltning (top-level unit) of UnitID; "" for a guest
	CheckedIn  bool
}

// Guest reports whether the invitee is an external guest rather than a person of the kommun.
func (inv *Invitation) Guest() bool { return inv.PersonID == 0 }

// DisplayName is the name to show; never empty.
func (inv *Invitation) DisplayName() string {
	if n := strings.TrimSpace(inv.Name); n != "" {
		return n
	}
	if inv.GuestName != "" {
		return inv.GuestName
	}
	if inv.ErasedAt != nil {
		return "Raderad gäst"
	}
	return inv.Email
}

// Counts are an event's invitations by status.
type Counts struct {
	Invited  int // every invitation
	Yes      int
	No       int
	Waitlist int
	Pending  int // not answered
	Sent     int // invitation mail queued
}

// Unsent is how many invitations have not been sent yet.
func (c Counts) Unsent() int { return c.Invited - c.Sent }

// Attendance is one förvaltning's row in the year's attendance.
type Attendance struct {
	DepartmentID int64 // 0 for guests and people without a unit
	Department   string
	Invited      int
	Yes          int
	CheckedIn    int
}
