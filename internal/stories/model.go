// Package stories is the examples and quotes that make the värdegrund live: submitted by anyone,
// moderated, published to an internal feed and, when allowed, to the kommun's public page, an Atom feed
// and an embeddable snippet for the intranet.
package stories

import (
	"slices"
	"time"
)

// Kind is what sort of story it is.
type Kind string

// The kinds: an example of the värdegrund in practice (new pupils welcomed on a red carpet), or a quote.
const (
	KindExample Kind = "example"
	KindQuote   Kind = "quote"
)

// Kinds lists the kinds in display order.
var Kinds = []Kind{KindExample, KindQuote}

// Label is the kind's Swedish name.
func (k Kind) Label() string {
	switch k {
	case KindExample:
		return "Exempel"
	case KindQuote:
		return "Citat"
	}
	return string(k)
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == KindExample || k == KindQuote }

// Status is where a story is in moderation.
type Status string

// The statuses. A new or edited story is pending; a moderator approves it, rejects it with a reason or
// asks for a change with a note; the author can withdraw it at any time, which is final.
const (
	StatusPending          Status = "pending"
	StatusChangesRequested Status = "changes_requested"
	StatusApproved         Status = "approved"
	StatusRejected         Status = "rejected"
	StatusWithdrawn        Status = "withdrawn"
)

// Label is the status's Swedish name.
func (s Status) Label() string {
	switch s {
	case StatusPending:
		return "Väntar på granskning"
	case StatusChangesRequested:
		return "Ändring begärd"
	case StatusApproved:
		return "Godkänd"
	case StatusRejected:
		return "Avvisad"
	case StatusWithdrawn:
		return "Tillbakadragen"
	}
	return string(s)
}

// Consent is the named colleague's answer to a story about them.
type Consent string

// The consent states. A story that names no colleague needs none; one that does is published only once
// they have given it, and never while they refuse.
const (
	ConsentNone    Consent = "none"
	ConsentPending Consent = "pending"
	ConsentGiven   Consent = "given"
	ConsentRefused Consent = "refused"
)

// Label is the consent state's Swedish name.
func (c Consent) Label() string {
	switch c {
	case ConsentPending:
		return "Väntar på samtycke"
	case ConsentGiven:
		return "Samtycke givet"
	case ConsentRefused:
		return "Samtycke nekat"
	}
	return "Inget samtycke behövs"
}

// Credit is how the author is named where the story is published.
type Credit string

// The ways to be credited.
const (
	CreditName      Credit = "name"      // name, title and unit
	CreditRole      Credit = "role"      // title and unit only
	CreditAnonymous Credit = "anonymous" // nothing about the author
)

// Credits lists the credits in display order.
var Credits = []Credit{CreditName, CreditRole, CreditAnonymous}

// Label is the credit's Swedish description.
func (c Credit) Label() string {
	switch c {
	case CreditName:
		return "Med mitt namn, min befattning och enhet"
	case CreditRole:
		return "Med min befattning och enhet, utan namn"
	case CreditAnonymous:
		return "Anonymt"
	}
	return string(c)
}

// Valid reports whether c is a known credit.
func (c Credit) Valid() bool { return c == CreditName || c == CreditRole || c == CreditAnonymous }

// Limits on what a person types, in characters.
const (
	MaxTitle = 120
	MaxBody  = 4000
	MaxAlt   = 300
	MaxNote  = 1000
)

// Story is an example or a quote.
type Story struct {
	ID       int64
	TenantID int64
	AuthorID int64
	// UnitID is the unit the story comes from; 0 for none.
	UnitID int64
	Kind   Kind
	Title  string
	Body   string
	// Words are the keys of the värdeord the story is tagged with.
	Words  []string
	Public bool
	Credit Credit
	// Byline is the credit as written when the story was last saved ("Anna Ek, undersköterska,
	// Hemtjänst Norra"); empty for an anonymous story.
	Byline string
	Status Status
	// Note is the moderator's reason for a rejection, or what to change.
	Note        string
	ModeratedBy int64
	ModeratedAt *time.Time
	// SubjectID is the named colleague the story is about; 0 for none.
	SubjectID   int64
	SubjectName string
	Consent     Consent
	ConsentAt   *time.Time
	Image       Image
	CreatedAt   time.Time
	UpdatedAt   time.Time
	PublishedAt *time.Time
	WithdrawnAt *time.Time
}

// Image is a story's picture, stored in the FileStore under a random key.
type Image struct {
	Key    string
	Type   string // image/jpeg or image/png
	Alt    string
	Width  int
	Height int
}

// Present reports whether the story has an image.
func (im Image) Present() bool { return im.Key != "" }

// Ext is the file extension for the image's type.
func (im Image) Ext() string {
	if im.Type == "image/png" {
		return ".png"
	}
	return ".jpg"
}

// Version is a short, changing part of the image key for image addresses, so that a replaced image is
// not served from a browser's cache.
func (im Image) Version() string {
	if len(im.Key) > 8 {
		return im.Key[:8]
	}
	return im.Key
}

// Published reports whether the story shows in the kommun's feeds: approved, and consented to by a
// named colleague.
func (s *Story) Published() bool {
	return s.Status == StatusApproved && (s.Consent == ConsentNone || s.Consent == ConsentGiven)
}

// PublicNow reports whether the story shows on the kommun's public page.
func (s *Story) PublicNow() bool { return s.Published() && s.Public }

// Editable reports whether the author may change the story: while it waits for moderation or a
// moderator has asked for a change.
func (s *Story) Editable() bool {
	return s.Status == StatusPending || s.Status == StatusChangesRequested
}

// The statuses a moderator's action may start from.
var (
	approveFrom       = []Status{StatusPending, StatusChangesRequested, StatusRejected}
	rejectFrom        = []Status{StatusPending, StatusChangesRequested, StatusApproved}
	requestChangeFrom = []Status{StatusPending, StatusApproved}
)

// CanApprove reports whether a moderator may approve the story now.
func (s *Story) CanApprove() bool { return slices.Contains(approveFrom, s.Status) }

// CanReject reports whether a moderator may reject the story (or take it down) now.
func (s *Story) CanReject() bool { return slices.Contains(rejectFrom, s.Status) }

// CanRequestChange reports whether a moderator may send the story back to its author now.
func (s *Story) CanRequestChange() bool { return slices.Contains(requestChangeFrom, s.Status) }

// When is the story's date as its readers see it: when it was published, or last changed before that.
func (s *Story) When() time.Time {
	if s.PublishedAt != nil {
		return *s.PublishedAt
	}
	return s.UpdatedAt
}

// State is the story's status in words for its author and moderators, with consent taken into account.
func (s *Story) State() string {
	switch {
	case s.Status == StatusApproved && s.Consent == ConsentPending:
		return "Godkänd – väntar på samtycke"
	case s.Status == StatusApproved && s.Consent == ConsentRefused:
		return "Godkänd men inte publicerad – samtycke nekat"
	case s.Status == StatusApproved && s.Public:
		return "Publicerad, även publikt"
	case s.Status == StatusApproved:
		return "Publicerad internt"
	}
	return s.Status.Label()
}

// Filter narrows a list of stories.
type Filter struct {
	TenantID int64
	// Published limits the list to stories in the feeds; PublicOnly further to public ones.
	Published  bool
	PublicOnly bool
	// Statuses limits the list to these statuses; nil means any.
	Statuses []Status
	AuthorID int64
	// SubjectID limits the list to stories about this colleague.
	SubjectID int64
	// Consent limits the list to this consent state; "" means any.
	Consent Consent
	Word    string
	// UnitIDs limits the list to stories from these units (a förvaltning and everything below it); nil
	// means any unit, an empty list none.
	UnitIDs []int64
	Kind    Kind
	Query   string
	// Oldest lists the oldest first (a moderation queue); otherwise newest first.
	Oldest bool
	Limit  int
	Offset int
}
