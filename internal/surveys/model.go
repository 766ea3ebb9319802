package surveys

import "time"

// Kind is what a survey is for; HME's questions come from SKR's template, the others from the kommun.
type Kind string

// The kinds of survey.
const (
	KindCustom      Kind = "custom"
	KindHME         Kind = "hme"
	KindValuesPulse Kind = "values_pulse"
	KindLedarforum  Kind = "ledarforum"
	KindCitizen     Kind = "citizen"
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	switch k {
	case KindCustom, KindHME, KindValuesPulse, KindLedarforum, KindCitizen:
		return true
	}
	return false
}

// QuestionType is how a question is answered.
type QuestionType string

// The question types and the values an answer to each may hold.
const (
	Likert5  QuestionType = "likert5"  // one value 1–5
	Scale10  QuestionType = "scale10"  // one value 0–10
	Single   QuestionType = "single"   // one option index
	Multiple QuestionType = "multiple" // one or more distinct option indices
	Text     QuestionType = "text"     // free text, no value
)

// Valid reports whether t is a known question type.
func (t QuestionType) Valid() bool {
	switch t {
	case Likert5, Scale10, Single, Multiple, Text:
		return true
	}
	return false
}

// values is the number of distinct values an answer to q may hold (0 … values−1, or 1 … 5 for Likert5),
// and so the length of a distribution.
func (q *Question) values() int {
	switch q.Type {
	case Likert5:
		return 6
	case Scale10:
		return 11
	case Single, Multiple:
		return len(q.Options)
	}
	return 1 // free text: value 0 counts the answers
}

// MaxTextLength is the longest free-text answer in characters.
const MaxTextLength = 4000

// Survey is a questionnaire of a kommun. Unless Named, its answers are stored with no link to a person.
type Survey struct {
	ID        int64
	TenantID  int64
	Title     string
	Kind      Kind
	Named     bool
	K         int // the anonymity threshold chosen, normalised by NormalizeK
	CreatedAt time.Time
	Questions []*Question
}

// Question is one question of a survey.
type Question struct {
	ID       int64
	SurveyID int64
	Position int
	Type     QuestionType
	Text     string
	Options  []string // the labels of Single and Multiple
	Required bool
	HMEIndex int // the statement's index in HMEAnswers for an HME survey, or -1
	// WordKey is, in a values pulse, the key of the värdeord the statement is about (values.Word.Key),
	// so that results can be shown per värdeord; else "".
	WordKey string
}

// Round is one sending of a survey, open from OpensAt until (not including) ClosesAt.
type Round struct {
	ID        int64
	TenantID  int64
	SurveyID  int64
	OpensAt   time.Time
	ClosesAt  time.Time
	OpenLink  bool  // one open link for everyone rather than personal invitations
	UnitID    int64 // for an open link, the unit its answers are counted under, or 0 for none
	CreatedAt time.Time
}

// Open reports whether the round takes answers at t.
func (r *Round) Open(t time.Time) bool { return !t.Before(r.OpensAt) && t.Before(r.ClosesAt) }

// Invitee is a person to invite to a round, and the unit their answer is counted under.
type Invitee struct {
	PersonID int64
	UnitID   int64
}

// Answer is the answer to one question: Values holds the one scale value or option index (Likert5,
// Scale10, Single) or the chosen option indices (Multiple); Text holds free text. A question left out of a
// submission is unanswered, which for HME is the same as vet ej.
type Answer struct {
	QuestionID int64
	Values     []int
	Text       string
}

// Submission is what a respondent sends: the round, their personal token ("" for an open link), a key
// the client makes once per filled-in form so that a retried submission is stored once, and the answers.
type Submission struct {
	RoundID        int64
	Token          string
	IdempotencyKey string
	Answers        []Answer
}

// Receipt is what a stored submission returns; a retry with the same idempotency key returns the same.
type Receipt struct {
	ResponseID int64
	// SubmittedOn is the day the response was stored; the time of day is not kept.
	SubmittedOn time.Time
}

// Results is a round's results per unit of the org tree, with the anonymity rule applied.
type Results struct {
	Survey *Survey
	Round  *Round
	K      int
	// Kommun is the whole round: every response, whatever its unit.
	Kommun UnitResults
	// Units are the units of the tree in order from the top, depth first, then the responses under no
	// unit of the tree (UnitID 0) when there are any.
	Units []UnitResults
}

// UnitResults are the figures of one unit and everything under it. When Visible is false, N, Questions
// and HME are empty: a hidden group carries no figures at all.
type UnitResults struct {
	UnitID    int64
	Name      string
	Depth     int
	Visible   bool
	N         int
	Questions []QuestionResults
	HME       *HMEScore // HME surveys only
}

// QuestionResults is one question's distribution in a group: Counts[v] answered v (a scale value or an
// option index; for free text Counts[0] is the number of texts), N answered at all, and for Likert5 and
// Scale10 the mean over those who answered.
type QuestionResults struct {
	QuestionID int64
	N          int
	Counts     []int
	Mean       float64
}
