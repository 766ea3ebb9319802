package events

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/surveys"
	"github.com/vard-kommun/vard/internal/web"
)

// Follow-up questions: after the event, a round of a survey goes to those who were there, through the
// surveys area (its rounds, personal links and mail queue); the event keeps which round it was.

// Errors of the follow-up questions, in Swedish for the page.
var (
	// ErrNotEnded: the questions are about the event, so they wait until it is over.
	ErrNotEnded = &web.Error{Status: http.StatusConflict, Message: "Uppföljningsfrågorna kan skickas först när evenemanget är slut."}
	// ErrFollowupCancelled: a cancelled event had nobody there to ask.
	ErrFollowupCancelled = &web.Error{Status: http.StatusConflict, Message: "Evenemanget är inställt. Det finns inga deltagare att skicka frågor till."}
	// ErrNobodyToAsk: nobody who was there (or said yes) can be reached by e-mail.
	ErrNobodyToAsk = &web.Error{Status: http.StatusConflict, Message: "Ingen av deltagarna kan nås med e-post, så det finns ingen att skicka frågorna till."}
)

// FollowupAudience is who the follow-up questions go to: the people of the kommun who checked in at
// the door, or, when nobody at all was checked in, those who said yes.
type FollowupAudience struct {
	// ByCheckin is true when chosen by check-in; false when nobody was checked in and the yes answers
	// were used instead.
	ByCheckin bool
	// Reachable get the questions by e-mail; NoEmail are chosen but have no usable address.
	Reachable []surveys.Recipient
	NoEmail   []surveys.Recipient
	// Gone is how many of those chosen are no longer active in the kommun's register.
	Gone int
	// Guests is how many external guests are left out: a round's personal links go to people of the
	// kommun only (surveys.Recipient needs a person).
	Guests int
}

// PersonIDs are the people the round is stored as going to: every active person chosen, with or
// without an e-mail address.
func (a *FollowupAudience) PersonIDs() []int64 {
	ids := make([]int64, 0, len(a.Reachable)+len(a.NoEmail))
	for _, r := range a.Reachable {
		ids = append(ids, r.PersonID)
	}
	for _, r := range a.NoEmail {
		ids = append(ids, r.PersonID)
	}
	return ids
}

// FollowupAudience works out who the follow-up questions of an event would go to.
func (s *Service) FollowupAudience(ctx context.Context, e *Event) (*FollowupAudience, error) {
	rows, err := s.Store.DB.Read().QueryContext(ctx, `SELECT COALESCE(i.person_id, 0), c.id IS NOT NULL
		FROM event_invitations i LEFT JOIN event_checkins c ON c.invitation_id = i.id
		WHERE i.event_id = $1 AND (c.id IS NOT NULL OR i.status = $2) ORDER BY i.id`, e.ID, string(StatusYes))
	type attendee struct {
		person  int64
		checked bool
	}
	list, err := db.Collect(rows, err, func(r db.Row) (attendee, error) {
		var a attendee
		return a, r.Scan(&a.person, &a.checked)
	})
	if err != nil {
		return nil, fmt.Errorf("follow-up audience: %w", err)
	}
	a := &FollowupAudience{}
	for _, x := range list {
		if x.checked {
			a.ByCheckin = true
			break
		}
	}
	var ids []int64
	for _, x := range list {
		if a.ByCheckin && !x.checked {
			continue
		}
		if x.person == 0 {
			a.Guests++
			continue
		}
		ids = append(ids, x.person)
	}
	if len(ids) == 0 {
		return a, nil
	}
	resolved, _, err := surveys.LoadAudience(ctx, s.Org, e.TenantID, surveys.Targets{PersonIDs: ids})
	if err != nil {
		return nil, err
	}
	a.Reachable, a.NoEmail = resolved.Reachable, resolved.Unreachable
	a.Gone = len(ids) - len(a.Reachable) - len(a.NoEmail)
	return a, nil
}

// FollowupInput is the follow-up form: an existing survey of the kommun, or (SurveyID 0) a new one from
// the ledarforum template with Title; and the round's first and last day ("2027-03-01").
type FollowupInput struct {
	SurveyID          int64
	Title             string
	FirstDay, LastDay string
}

// FollowupResult is what sending the follow-up questions did.
type FollowupResult struct {
	RoundID int64
	// Invited is how many personal links were made and queued now.
	Invited int
	// Again: the event had its round already; nothing new was created, and only links that were
	// missing (after a crash midway) were sent.
	Again bool
}

// FollowupTitle is the title a new follow-up survey gets by default.
func FollowupTitle(e *Event) string { return "Uppföljning: " + e.Title }

// MaxSurveyTitle is how long a survey's title may be (surveys' rule, checked here too so that the form
// shows every message at once).
const MaxSurveyTitle = 200

// SendFollowup sends the follow-up questions of an ended event: it creates one surveys round whose
// invitees are exactly the people chosen by FollowupAudience, records it as the event's round in the
// same transaction that locks the event row, and sends the personal links through surveys' Send (the
// mail queue, with its dedupe keys). Called again, it creates no second round: it sends what the first
// one is missing and says so.
func (s *Service) SendFollowup(ctx context.Context, e *Event, in FollowupInput, l surveys.Letter) (*FollowupResult, error) {
	if s.Surveys == nil {
		return nil, errors.New("events: no surveys service for the follow-up questions")
	}
	e, err := s.Event(ctx, e.TenantID, e.ID)
	if err != nil {
		return nil, err
	}
	if e.Cancelled() {
		return nil, ErrFollowupCancelled
	}
	if !e.Past(s.Now()) {
		return nil, ErrNotEnded
	}
	if e.FollowupRoundID != 0 {
		return s.resendFollowup(ctx, e, e.FollowupRoundID, l)
	}

	// Everything that can be typed wrong is checked before a new survey is made, so that a mistyped
	// day leaves no survey behind.
	errs := s.Surveys.CheckPeriod(in.FirstDay, in.LastDay)
	in.Title = strings.TrimSpace(in.Title)
	if in.SurveyID == 0 {
		if in.Title == "" || utf8.RuneCountInString(in.Title) > MaxSurveyTitle || strings.IndexFunc(in.Title, unicode.IsControl) >= 0 {
			errs["title"] = "Ange en rubrik på högst 200 tecken."
		}
	} else {
		sv, err := s.Surveys.Store.Survey(ctx, e.TenantID, in.SurveyID)
		switch {
		case errors.Is(err, db.ErrNotFound):
			errs["survey"] = "Välj en av kommunens enkäter."
		case err != nil:
			return nil, err
		case len(sv.Questions) == 0:
			errs["survey"] = "Enkäten har inga frågor ännu. Välj en annan eller skapa en ny från mallen."
		}
	}
	if len(errs) > 0 {
		return nil, web.Invalid(errs)
	}
	audience, err := s.FollowupAudience(ctx, e)
	if err != nil {
		return nil, err
	}
	if len(audience.Reachable) == 0 {
		return nil, ErrNobodyToAsk
	}
	tree, err := s.Org.Tree(ctx, e.TenantID)
	if err != nil {
		return nil, err
	}
	surveyID := in.SurveyID
	if surveyID == 0 {
		sv, err := s.Surveys.NewSurvey(ctx, e.TenantID, surveys.NewSurveyInput{Start: surveys.StartLedarforum, Title: in.Title}, nil)
		if err != nil {
			return nil, err
		}
		surveyID = sv.ID
	}
	var roundID, existing int64
	err = s.Store.DB.Tx(ctx, func(tx *sql.Tx) error {
		locked, err := s.Store.LockEvent(ctx, tx, e.TenantID, e.ID)
		if err != nil {
			return err
		}
		// A second click, or a second server, got here first: its round stands.
		if locked.FollowupRoundID != 0 {
			existing = locked.FollowupRoundID
			return nil
		}
		r, err := s.Surveys.CreateRoundTx(ctx, tx, e.TenantID, surveyID, surveys.RoundSpec{Name: roundName(e.Title),
			FirstDay: in.FirstDay, LastDay: in.LastDay, Targets: surveys.Targets{PersonIDs: audience.PersonIDs()}}, tree)
		if err != nil {
			return err
		}
		roundID = r.ID
		_, err = tx.ExecContext(ctx, `UPDATE events SET followup_round_id = $1 WHERE tenant_id = $2 AND id = $3`, r.ID, e.TenantID, e.ID)
		return err
	})
	if errors.Is(err, db.ErrNotFound) {
		return nil, web.NotFound()
	}
	if err != nil {
		return nil, err
	}
	if existing != 0 {
		// The survey made above for the lost race stays as an unsent draft in the survey list.
		return s.resendFollowup(ctx, e, existing, l)
	}
	n, err := s.Surveys.Send(ctx, e.TenantID, roundID, audience.Reachable, l)
	if err != nil {
		// The round stands and is recorded; sending again, here or on the round's page, sends the rest.
		return &FollowupResult{RoundID: roundID, Invited: n}, err
	}
	return &FollowupResult{RoundID: roundID, Invited: n}, nil
}

// resendFollowup sends the links the event's round still lacks, to the people stored with the round.
func (s *Service) resendFollowup(ctx context.Context, e *Event, roundID int64, l surveys.Letter) (*FollowupResult, error) {
	res := &FollowupResult{RoundID: roundID, Again: true}
	ri, err := s.Surveys.RoundInfo(ctx, e.TenantID, roundID)
	if err != nil {
		return nil, err
	}
	if ri.SentAt != nil {
		return res, nil
	}
	a, _, err := surveys.LoadAudience(ctx, s.Org, e.TenantID, ri.Targets)
	if err != nil {
		return nil, err
	}
	n, err := s.Surveys.Send(ctx, e.TenantID, roundID, a.Reachable, l)
	if errors.Is(err, surveys.ErrRoundOver) {
		return res, nil
	}
	res.Invited = n
	return res, err
}

// roundName is the follow-up round's name: the event's title on one line, within surveys' 100
// characters.
func roundName(title string) string {
	name := strings.Join(strings.FieldsFunc(title, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	if r := []rune(name); len(r) > 100 {
		name = strings.TrimSpace(string(r[:100]))
	}
	if name == "" {
		name = "Uppföljning"
	}
	return name
}

// FollowupRound returns the event's follow-up round, or nil when none has been sent.
func (s *Service) FollowupRound(ctx context.Context, e *Event) (*surveys.RoundInfo, error) {
	if e.FollowupRoundID == 0 || s.Surveys == nil {
		return nil, nil
	}
	ri, err := s.Surveys.RoundInfo(ctx, e.TenantID, e.FollowupRoundID)
	if errors.Is(err, db.ErrNotFound) {
		return nil, nil
	}
	return ri, err
}

// FollowupSurveys lists the kommun's surveys that can be sent: those with questions, newest first, at
// most limit of them.
func (s *Service) FollowupSurveys(ctx context.Context, tenantID int64, limit int) ([]surveys.SurveySummary, error) {
	if s.Surveys == nil {
		return nil, nil
	}
	list, _, err := s.Surveys.Surveys(ctx, tenantID, limit, 0)
	if err != nil {
		return nil, err
	}
	out := list[:0]
	for _, sv := range list {
		if sv.Questions > 0 {
			out = append(out, sv)
		}
	}
	return out, nil
}

// --- the page

type followupForm struct {
	SurveyID                 int64
	Title, FirstDay, LastDay string
}

type followupData struct {
	Event *Event
	// Round is the follow-up round once sent; the page then links to it instead of showing the form.
	Round    *surveys.RoundInfo
	Ended    bool
	Audience *FollowupAudience
	Surveys  []surveys.SurveySummary
	Template string // the name of the ledarforum template
	Form     followupForm
}

// followupSurveyChoices is how many of the kommun's surveys the page offers.
const followupSurveyChoices = 200

func (h *Handlers) renderFollowup(w http.ResponseWriter, r *http.Request, e *Event, f followupForm, status int, v web.View) error {
	ctx := r.Context()
	d := &followupData{Event: e, Ended: e.Past(h.svc.Now()), Form: f, Template: surveys.StartLedarforum.Label()}
	var err error
	if d.Round, err = h.svc.FollowupRound(ctx, e); err != nil {
		return err
	}
	if d.Round == nil && d.Ended && !e.Cancelled() {
		if d.Audience, err = h.svc.FollowupAudience(ctx, e); err != nil {
			return err
		}
		if d.Surveys, err = h.svc.FollowupSurveys(ctx, e.TenantID, followupSurveyChoices); err != nil {
			return err
		}
	}
	v.Data = d
	return h.rd.PageStatus(w, r, h.pages["followup.html"], status, v)
}

func (h *Handlers) followupPage(w http.ResponseWriter, r *http.Request) error {
	e, err := h.event(r)
	if err != nil {
		return err
	}
	now := h.svc.Now()
	f := followupForm{Title: FollowupTitle(e), FirstDay: surveys.Day(now), LastDay: surveys.Day(now.AddDate(0, 0, 14))}
	return h.renderFollowup(w, r, e, f, http.StatusOK, web.View{})
}

func (h *Handlers) followupSend(w http.ResponseWriter, r *http.Request) error {
	e, err := h.event(r)
	if err != nil {
		return err
	}
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	f := followupForm{Title: r.PostFormValue("title"), FirstDay: strings.TrimSpace(r.PostFormValue("first_day")),
		LastDay: strings.TrimSpace(r.PostFormValue("last_day"))}
	errs := map[string]string{}
	if v := strings.TrimSpace(r.PostFormValue("survey")); v != "" && v != "0" {
		id, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil || id <= 0 {
			errs["survey"] = "Välj en av kommunens enkäter."
		}
		f.SurveyID = id
	}
	var res *FollowupResult
	if len(errs) > 0 {
		err = web.Invalid(errs)
	} else {
		l := surveys.Letter{Kommun: web.ViewerFrom(r.Context()).TenantName, BaseURL: h.baseURL}
		res, err = h.svc.SendFollowup(r.Context(), e, FollowupInput(f), l)
	}
	if fe := fieldErrors(err); fe != nil {
		return h.renderFollowup(w, r, e, f, fe.Status, web.View{Errors: fe.Fields, Message: "Kontrollera uppgifterna i formuläret."})
	}
	if err != nil && res != nil {
		// The round is created and recorded; its page offers to send the links that are missing.
		h.rd.Log.ErrorContext(r.Context(), "send follow-up round", "event", e.ID, "round", res.RoundID, "err", err)
		return web.Redirect(w, r, "/enkater/omgangar/"+strconv.FormatInt(res.RoundID, 10), "Omgången är skapad, men alla inbjudningar kunde inte läggas i kön. Skicka dem som saknas.")
	}
	if err != nil {
		return err
	}
	msg := "Uppföljningsfrågorna är skickade."
	if res.Again {
		msg = "Uppföljningsfrågorna var redan skickade. Ingen ny omgång har skapats."
	}
	return web.Redirect(w, r, eventURL(e.ID)+"#uppfoljning", msg)
}
