// Package values is a kommun's värdegrund: versioned documents with a vision, värdeord (with meaning and
// behaviours), a värdskapskod and servicedeklaration promises, adopted by the council; and the värdeord
// as the tags that the other areas use.
package values

import (
	"strconv"
	"strings"
	"time"
)

// Word is a värdeord as other areas use it: a stable key that survives new versions of the värdegrund,
// and its name and meaning in the current version.
type Word struct {
	Key     string
	Name    string
	Meaning string
}

// Status is where a version of the värdegrund is in its life: a draft that the kommunadmin writes, the
// adopted version that applies, or an earlier adopted version that a newer one replaced.
type Status string

// The statuses. Only a draft can change; adopted and replaced versions are the council's decisions.
const (
	StatusDraft    Status = "draft"
	StatusAdopted  Status = "adopted"
	StatusReplaced Status = "replaced"
)

// Label is the status's Swedish name.
func (s Status) Label() string {
	switch s {
	case StatusDraft:
		return "Utkast"
	case StatusAdopted:
		return "Gällande"
	case StatusReplaced:
		return "Ersatt"
	}
	return string(s)
}

// Version is one version of a kommun's värdegrund.
type Version struct {
	ID       int64
	TenantID int64
	// Number counts the kommun's versions from 1, in the order they were started.
	Number int
	Status Status
	Vision string
	// Code is the värdskapskod.
	Code     string
	Words    []VersionWord
	Promises []Promise
	Adoption Adoption
	// BasedOnID is the version the draft was copied from; 0 for one started blank.
	BasedOnID     int64
	CreatedByName string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	// ReplacedAt is when a newer version was adopted in its place.
	ReplacedAt *time.Time
}

// Editable reports whether the version may still change: only a draft may.
func (v *Version) Editable() bool { return v.Status == StatusDraft }

// Empty reports whether the version says nothing yet.
func (v *Version) Empty() bool {
	return v.Vision == "" && v.Code == "" && len(v.Words) == 0 && len(v.Promises) == 0
}

// Adoption is the council's decision that made a version apply: the date of the decision, the body that
// took it and its diarienummer. It is empty for a draft.
type Adoption struct {
	// Date is the day of the decision, "2006-01-02".
	Date string
	// Body is who decided, e.g. "Kommunfullmäktige".
	Body string
	// RegistrationNumber is the decision's diarienummer, e.g. "KS 2023/145"; it may be empty.
	RegistrationNumber string
	RecordedByName     string
	RecordedAt         *time.Time
}

// VersionWord is a värdeord as one version holds it, with the concrete behaviours that show it
// ("så här gör vi").
type VersionWord struct {
	Word
	Behaviours []string
}

// Promise is one promise of the servicedeklaration, with an optional target that the scorecard measures.
type Promise struct {
	// Key is stable across versions, like a värdeord's, so that the scorecard can follow the promise.
	Key    string
	Text   string
	Target *Target
}

// Target is a promise's measurable target: e.g. 1 working day for "e-post besvaras inom en arbetsdag",
// or 90 percent of visitors satisfied.
type Target struct {
	Value float64
	Unit  Unit
	// Measure says how the target is measured, e.g. "andel e-post besvarad inom en arbetsdag".
	Measure string
}

// Unit is the unit of a target's value.
type Unit string

// The units of a target.
const (
	UnitWorkingDays Unit = "working_days"
	UnitDays        Unit = "days"
	UnitHours       Unit = "hours"
	UnitMinutes     Unit = "minutes"
	UnitPercent     Unit = "percent"
)

// Units lists the units in the order a form offers them.
var Units = []Unit{UnitWorkingDays, UnitDays, UnitHours, UnitMinutes, UnitPercent}

// Valid reports whether u is a known unit.
func (u Unit) Valid() bool {
	for _, x := range Units {
		if x == u {
			return true
		}
	}
	return false
}

// Label is the unit's Swedish name in the plural, as a form lists it.
func (u Unit) Label() string {
	switch u {
	case UnitWorkingDays:
		return "arbetsdagar"
	case UnitDays:
		return "dagar"
	case UnitHours:
		return "timmar"
	case UnitMinutes:
		return "minuter"
	case UnitPercent:
		return "procent"
	}
	return string(u)
}

// labelFor is the unit's Swedish name after a value: singular for one ("1 arbetsdag").
func (u Unit) labelFor(v float64) string {
	if v != 1 {
		if u == UnitPercent {
			return "%"
		}
		return u.Label()
	}
	switch u {
	case UnitWorkingDays:
		return "arbetsdag"
	case UnitDays:
		return "dag"
	case UnitHours:
		return "timme"
	case UnitMinutes:
		return "minut"
	}
	return "%"
}

// formatNumber writes a target value the Swedish way: no needless decimals, a decimal comma.
func formatNumber(v float64) string {
	return strings.Replace(strconv.FormatFloat(v, 'f', -1, 64), ".", ",", 1)
}

// Limits of a version, so that a poster and a start page stay readable and a form stays bounded.
const (
	MaxWords      = 12
	MaxPromises   = 30
	MaxBehaviours = 15

	maxVisionLen    = 1000
	maxWordNameLen  = 40
	maxMeaningLen   = 1000
	maxBehaviourLen = 300
	maxCodeLen      = 5000
	maxPromiseLen   = 300
	maxMeasureLen   = 300
	maxBodyLen      = 120
	maxRegNumberLen = 60
	maxTargetValue  = 1_000_000
)

// Change says how something differs between two versions.
type Change string

// The changes.
const (
	Same    Change = "same"
	Added   Change = "added"
	Removed Change = "removed"
	Changed Change = "changed"
)

// Label is the change's Swedish name.
func (c Change) Label() string {
	switch c {
	case Added:
		return "Ny"
	case Removed:
		return "Borttagen"
	case Changed:
		return "Ändrad"
	}
	return "Oförändrad"
}

// Diff is what changed from one version to another, field by field.
type Diff struct {
	From, To      *Version
	VisionChanged bool
	CodeChanged   bool
	Words         []WordChange
	Promises      []PromiseChange
}

// Changed reports whether the two versions differ in content at all.
func (d *Diff) Changed() bool {
	if d.VisionChanged || d.CodeChanged {
		return true
	}
	for _, w := range d.Words {
		if w.Change != Same {
			return true
		}
	}
	for _, p := range d.Promises {
		if p.Change != Same {
			return true
		}
	}
	return false
}

// WordChange is one värdeord in a comparison: matched by its key, so a renamed word is changed, not
// removed and added.
type WordChange struct {
	Change         Change
	Before, After  *VersionWord
	NameChanged    bool
	MeaningChanged bool
	// Behaviours lists the behaviours of both versions in order, each kept, added or removed.
	Behaviours []LineChange
}

// LineChange is one line of a list in a comparison.
type LineChange struct {
	Change Change
	Text   string
}

// PromiseChange is one promise of the servicedeklaration in a comparison.
type PromiseChange struct {
	Change        Change
	Before, After *Promise
	TextChanged   bool
	TargetChanged bool
}
