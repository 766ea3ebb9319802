package surveys

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	netmail "net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/mail"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/web"
)

// Sending rounds: who a round goes to, the personal links by e-mail in batches that survive a crash,
// reminders to those who have not answered, closing, and the open link with its rate limit.

// stockholm is the kommun's time zone: a round opens at 00:00 of its first day and closes at 24:00 of
// its last, Swedish time.
var stockholm = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()

// dayStart parses a date ("2027-03-01") as the start of that day in Stockholm.
func dayStart(s string) (time.Time, bool) {
	t, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(s), stockholm)
	if err != nil || t.Year() < 2000 || t.Year() > 2200 {
		return time.Time{}, false
	}
	return t, true
}

// Day is the Stockholm date of t, as a date input shows it.
func Day(t time.Time) string { return t.In(stockholm).Format("2006-01-02") }

// LastDay is the last day a round is open: the day before it closes at 24:00.
func LastDay(r *Round) string { return Day(r.ClosesAt.Add(-time.Nanosecond)) }

// Targets are who a round of personal links goes to: the people in the units (and everything under
// them when Subtree), the people with the roles, or when both are given the people with one of the roles
// within the units. PersonIDs instead names the people one by one (those who attended an event, say);
// it is not combined with units or roles. Ids that are not active people of the kommun reach nobody.
type Targets struct {
	UnitIDs   []int64
	Subtree   bool
	Roles     []string
	PersonIDs []int64
}

// Empty reports whether nobody is chosen.
func (t Targets) Empty() bool {
	return len(t.UnitIDs) == 0 && len(t.Roles) == 0 && len(t.PersonIDs) == 0
}

// MaxTargetPeople is how many people a round chosen one by one can go to.
const MaxTargetPeople = 100000

// Recipient is a person a round's invitation or reminder goes to.
type Recipient struct {
	PersonID int64
	UnitID   int64
	Name     string
	UnitName string
	Email    string
}

// Audience is who the targets reach: the people with an e-mail address, and those without, who are
// counted and listed so that someone can reach them another way.
type Audience struct {
	Reachable   []Recipient
	Unreachable []Recipient
}

// ResolveAudience picks the active people of the targets, each once, in the order given.
func ResolveAudience(tree *org.Tree, people []*org.Person, t Targets) Audience {
	var a Audience
	if t.Empty() {
		return a
	}
	chosen := make(map[int64]bool, len(t.PersonIDs))
	for _, id := range t.PersonIDs {
		chosen[id] = true
	}
	units := map[int64]bool{}
	for _, id := range t.UnitIDs {
		if t.Subtree {
			for _, d := range tree.Descendants(id) {
				units[d] = true
			}
		} else if _, ok := tree.ByID[id]; ok {
			units[id] = true
		}
	}
	seen := map[int64]bool{}
	for _, p := range people {
		if !p.Active || seen[p.ID] {
			continue
		}
		if len(t.PersonIDs) > 0 && !chosen[p.ID] {
			continue
		}
		if len(t.UnitIDs) > 0 && !units[p.UnitID] {
			continue
		}
		if len(t.Roles) > 0 && !slices.ContainsFunc(t.Roles, p.HasRole) {
			continue
		}
		seen[p.ID] = true
		rc := Recipient{PersonID: p.ID, UnitID: p.UnitID, Name: p.Name(), UnitName: p.UnitName, Email: p.Email}
		if !mailable(p.Email) {
			a.Unreachable = append(a.Unreachable, rc)
		} else {
			a.Reachable = append(a.Reachable, rc)
		}
	}
	return a
}

// mailable reports whether an address can be mailed: a malformed one from an HR file would otherwise
// fail its whole batch when queued.
func mailable(addr string) bool {
	a, err := netmail.ParseAddress(addr)
	return err == nil && a.Address == strings.TrimSpace(addr)
}

// ActivePeople reads every active person of the kommun with their roles, a page at a time so that no
// statement gets more parameters than the databases take.
func ActivePeople(ctx context.Context, o *org.Service, tenantID int64) ([]*org.Person, error) {
	const page = 5000
	var all []*org.Person
	for offset := 0; ; offset += page {
		list, total, err := o.Store.People(ctx, tenantID, org.PeopleFilter{Limit: page, Offset: offset})
		if err != nil {
			return nil, fmt.Errorf("people: %w", err)
		}
		all = append(all, list...)
		if len(list) < page || offset+page >= total {
			return all, nil
		}
	}
}

// LoadAudience resolves targets against the kommun's organisation as it is now.
func LoadAudience(ctx context.Context, o *org.Service, tenantID int64, t Targets) (Audience, *org.Tree, error) {
	tree, err := o.Tree(ctx, tenantID)
	if err != nil {
		return Audience{}, nil, err
	}
	people, err := ActivePeople(ctx, o, tenantID)
	if err != nil {
		return Audience{}, nil, err
	}
	return ResolveAudience(tree, people, t), tree, nil
}

// RoundSpec is the new-round form.
type RoundSpec struct {
	Name string
	// FirstDay and LastDay are dates ("2027-03-01"), Stockholm time: the round opens at 00:00 of the
	// first and closes at 24:00 of the last.
	FirstDay, LastDay string
	OpenLink          bool
	// UnitID is, for an open link, the unit its answers count under, or 0 for none.
	UnitID  int64
	Targets Targets
}

// CreateRound validates and stores a round of a kommun's survey with its targets, and freezes the
// survey. Sending the invitations is Send's work.
func (s *Service) CreateRound(ctx context.Context, tenantID, surveyID int64, in RoundSpec, tree *org.Tree) (*Round, error) {
	r, err := s.checkRound(ctx, tenantID, surveyID, &in, tree)
	if err != nil {
		return nil, err
	}
	if err := s.insertRound(ctx, r, in.Name, in.Targets); err != nil {
		return nil, err
	}
	return r, nil
}

// CreateRoundTx is CreateRound within the caller's transaction, for an area that must record the
// round together with its own row in one commit: an event keeps the one follow-up round it sent.
func (s *Service) CreateRoundTx(ctx context.Context, tx *sql.Tx, tenantID, surveyID int64, in RoundSpec, tree *org.Tree) (*Round, error) {
	r, err := s.checkRound(ctx, tenantID, surveyID, &in, tree)
	if err != nil {
		return nil, err
	}
	if err := s.insertRoundTx(ctx, tx, r, in.Name, in.Targets); err != nil {
		return nil, err
	}
	return r, nil
}

// CheckPeriod returns the Swedish messages, by form field (first_day, last_day), for a round's first
// and last day that cannot be used; none when both can. A caller that must make something before the
// round checks the days first, so that a typing error leaves nothing behind.
func (s *Service) CheckPeriod(firstDay, lastDay string) map[string]string {
	errs := map[string]string{}
	checkPeriod(firstDay, lastDay, s.Store.Now(), errs)
	return errs
}

// checkPeriod adds the messages for the days to errs, and returns when the round opens and closes.
func checkPeriod(firstDay, lastDay string, now time.Time, errs map[string]string) (opens, closes time.Time) {
	opens, okOpens := dayStart(firstDay)
	last, okLast := dayStart(lastDay)
	closes = last.AddDate(0, 0, 1)
	switch {
	case !okOpens:
		errs["first_day"] = "Ange första dagen som ett datum, till exempel 2027-03-01."
	}
	switch {
	case !okLast:
		errs["last_day"] = "Ange sista dagen som ett datum, till exempel 2027-03-14."
	case okOpens && last.Before(opens):
		errs["last_day"] = "Sista dagen kan inte komma före första dagen."
	case !closes.After(now):
		errs["last_day"] = "Sista dagen har redan passerat."
	}
	return opens, closes
}

// checkRound validates a new round, trimming its name, and returns it ready to be stored.
func (s *Service) checkRound(ctx context.Context, tenantID, surveyID int64, in *RoundSpec, tree *org.Tree) (*Round, error) {
	sv, err := s.Store.Survey(ctx, tenantID, surveyID)
	if err != nil {
		return nil, err
	}
	errs := map[string]string{}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 100 || strings.IndexFunc(in.Name, unicode.IsControl) >= 0 {
		errs["name"] = "Ange ett namn på högst 100 tecken, till exempel Våren 2027."
	}
	now := s.Store.Now()
	opens, closes := checkPeriod(in.FirstDay, in.LastDay, now, errs)
	if len(sv.Questions) == 0 {
		errs["survey"] = "Enkäten behöver minst en fråga innan den kan skickas."
	}
	if in.OpenLink {
		if in.UnitID != 0 {
			if u, ok := tree.ByID[in.UnitID]; !ok || u.Closed() {
				errs["unit_id"] = "Välj en enhet i kommunens organisation."
			}
		}
	} else {
		for _, id := range in.Targets.UnitIDs {
			if _, ok := tree.ByID[id]; !ok {
				errs["units"] = "Välj enheter i kommunens organisation."
			}
		}
		for _, r := range in.Targets.Roles {
			if !org.ValidRole(r) {
				errs["roles"] = "Välj bland rollerna."
			}
		}
		if len(in.Targets.PersonIDs) > 0 {
			if len(in.Targets.UnitIDs) > 0 || len(in.Targets.Roles) > 0 {
				errs["units"] = "Välj antingen personer eller enheter och roller."
			}
			if len(in.Targets.PersonIDs) > MaxTargetPeople {
				errs["people"] = "Välj högst 100 000 personer."
			}
			seen := make(map[int64]bool, len(in.Targets.PersonIDs))
			for _, id := range in.Targets.PersonIDs {
				if id <= 0 || seen[id] {
					errs["people"] = "Välj varje person en gång."
				}
				seen[id] = true
			}
		}
		if in.Targets.Empty() {
			errs["units"] = "Välj minst en enhet eller en roll."
		}
	}
	if len(errs) > 0 {
		return nil, web.Invalid(errs)
	}
	r := &Round{TenantID: tenantID, SurveyID: surveyID, OpensAt: opens.UTC(), ClosesAt: closes.UTC(), OpenLink: in.OpenLink,
		UnitID: in.UnitID, CreatedAt: now}
	if !in.OpenLink {
		r.UnitID = 0
	}
	return r, nil
}

// insertRound freezes the survey and stores the round with its targets in one transaction. An open link
// gets its random slug here.
func (s *Service) insertRound(ctx context.Context, r *Round, name string, t Targets) error {
	return s.Store.DB.Tx(ctx, func(tx *sql.Tx) error { return s.insertRoundTx(ctx, tx, r, name, t) })
}

func (s *Service) insertRoundTx(ctx context.Context, tx *sql.Tx, r *Round, name string, t Targets) error {
	target, link := "invitations", any(nil)
	if r.OpenLink {
		target, link = "link", rand.Text()
	}
	res, err := tx.ExecContext(ctx, `UPDATE surveys SET frozen_at = COALESCE(frozen_at, $1) WHERE tenant_id = $2 AND id = $3`,
		r.CreatedAt, r.TenantID, r.SurveyID)
	if ok, err := affected(res, err); err != nil {
		return fmt.Errorf("freeze survey: %w", err)
	} else if !ok {
		return db.ErrNotFound
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO survey_rounds (tenant_id, survey_id, opens_at, closes_at, target, unit_id, created_at, name, link_token)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		r.TenantID, r.SurveyID, r.OpensAt, r.ClosesAt, target, nullID(r.UnitID), r.CreatedAt, name, link).Scan(&r.ID)
	if err != nil {
		return fmt.Errorf("insert round: %w", err)
	}
	for _, id := range t.UnitIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO survey_round_targets (round_id, unit_id, subtree) VALUES ($1, $2, $3)`, r.ID, id, t.Subtree); err != nil {
			return fmt.Errorf("insert target: %w", err)
		}
	}
	for _, role := range t.Roles {
		if _, err := tx.ExecContext(ctx, `INSERT INTO survey_round_targets (round_id, role, subtree) VALUES ($1, $2, $3)`, r.ID, role, t.Subtree); err != nil {
			return fmt.Errorf("insert target: %w", err)
		}
	}
	// Many rows per statement: a visionsdag's attendees are some thousand people.
	for batch := range slices.Chunk(t.PersonIDs, SendBatch) {
		args := []any{r.ID}
		marks := make([]string, len(batch))
		for i, id := range batch {
			args = append(args, id)
			marks[i] = "($1, $" + strconv.Itoa(len(args)) + ", FALSE)"
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO survey_round_targets (round_id, person_id, subtree) VALUES `+strings.Join(marks, ", "), args...); err != nil {
			return fmt.Errorf("insert target: %w", err)
		}
	}
	return nil
}

// RoundInfo is a round as the admin pages show it.
type RoundInfo struct {
	Round
	Name       string
	LinkToken  string
	Published  bool
	SentAt     *time.Time // when every invitation was created and queued; nil while unfinished
	RemindedAt *time.Time
	Targets    Targets
	Invited    int // personal links created
	Answered   int // responses stored
	Reminded   int // invitations reminded at least once
}

// State is kommande, öppen or stängd at t, in Swedish.
func (r *Round) State(t time.Time) string {
	switch {
	case t.Before(r.OpensAt):
		return "Kommande"
	case r.Open(t):
		return "Öppen"
	}
	return "Stängd"
}

const roundColumns = `r.id, r.tenant_id, r.survey_id, r.opens_at, r.closes_at, r.target, r.unit_id, r.created_at, r.name,
	COALESCE(r.link_token, ''), r.published, r.sent_at, r.reminded_at,
	(SELECT COUNT(*) FROM survey_invitations i WHERE i.round_id = r.id),
	(SELECT COUNT(*) FROM survey_responses p WHERE p.round_id = r.id),
	(SELECT COUNT(*) FROM survey_invitations i WHERE i.round_id = r.id AND i.reminded_at IS NOT NULL)`

func scanRoundInfo(row db.Row) (*RoundInfo, error) {
	ri := &RoundInfo{}
	var target string
	var unit sql.NullInt64
	var sent, reminded sql.NullTime
	err := row.Scan(&ri.ID, &ri.TenantID, &ri.SurveyID, &ri.OpensAt, &ri.ClosesAt, &target, &unit, &ri.CreatedAt, &ri.Name,
		&ri.LinkToken, &ri.Published, &sent, &reminded, &ri.Invited, &ri.Answered, &ri.Reminded)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("round: %w", err)
	}
	ri.OpenLink, ri.UnitID = target == "link", unit.Int64
	ri.OpensAt, ri.ClosesAt = ri.OpensAt.UTC(), ri.ClosesAt.UTC()
	if sent.Valid {
		ri.SentAt = &sent.Time
	}
	if reminded.Valid {
		ri.RemindedAt = &reminded.Time
	}
	return ri, nil
}

// RoundInfo returns a kommun's round with its name, targets and counts, or db.ErrNotFound.
func (s *Service) RoundInfo(ctx context.Context, tenantID, roundID int64) (*RoundInfo, error) {
	ri, err := scanRoundInfo(s.Store.DB.Read().QueryRowContext(ctx, `SELECT `+roundColumns+` FROM survey_rounds r
		WHERE r.tenant_id = $1 AND r.id = $2`, tenantID, roundID))
	if err != nil {
		return nil, err
	}
	rows, err := s.Store.DB.Read().QueryContext(ctx, `SELECT COALESCE(unit_id, 0), COALESCE(role, ''), COALESCE(person_id, 0), subtree
		FROM survey_round_targets WHERE round_id = $1 ORDER BY id`, ri.ID)
	_, err = db.Collect(rows, err, func(r db.Row) (struct{}, error) {
		var unit, person int64
		var role string
		var subtree bool
		if err := r.Scan(&unit, &role, &person, &subtree); err != nil {
			return struct{}{}, err
		}
		if unit != 0 {
			ri.Targets.UnitIDs = append(ri.Targets.UnitIDs, unit)
		}
		if role != "" {
			ri.Targets.Roles = append(ri.Targets.Roles, role)
		}
		if person != 0 {
			ri.Targets.PersonIDs = append(ri.Targets.PersonIDs, person)
			return struct{}{}, nil
		}
		ri.Targets.Subtree = subtree
		return struct{}{}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("round targets: %w", err)
	}
	return ri, nil
}

// Rounds lists the rounds of a kommun's survey, newest first.
func (s *Service) Rounds(ctx context.Context, tenantID, surveyID int64) ([]*RoundInfo, error) {
	rows, err := s.Store.DB.Read().QueryContext(ctx, `SELECT `+roundColumns+` FROM survey_rounds r
		WHERE r.tenant_id = $1 AND r.survey_id = $2 ORDER BY r.opens_at DESC, r.id DESC`, tenantID, surveyID)
	return db.Collect(rows, err, scanRoundInfo)
}

// --- personal links by e-mail

// Letter is what the mails of a round say about where they come from.
type Letter struct {
	Kommun  string // the kommun's name
	BaseURL string // makes the links absolute
}

// SendBatch is how many invitations one transaction creates and queues. Each batch commits its
// invitations together with their mails, so a crash loses or doubles none: sending again creates the
// invitations that are missing and queues exactly their mails.
const SendBatch = 500

// linkKeySetting names the installation's key for personal links in the settings table.
const linkKeySetting = "surveys.link_key"

// linkKey returns the installation's secret key for deriving personal links.
func (s *Store) linkKey(ctx context.Context) ([]byte, error) {
	return db.SecretKey(ctx, s.DB.Writer(), linkKeySetting)
}

// personalToken is the token of a person's link to a round: signed with the installation's key, so that
// a reminder can carry the same link again while the database keeps only its hash, as for any link.
func personalToken(key []byte, roundID, personID int64) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "survey-round:%d:person:%d", roundID, personID)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// mailPrefix is the start of the dedupe keys of a round's invitation mails, for mail.Stats.
func mailPrefix(roundID int64) string {
	return "survey-round:" + strconv.FormatInt(roundID, 10) + ":inv:"
}

// ErrNotPersonal refuses sending or reminding for a round with an open link.
var ErrNotPersonal = &web.Error{Status: http.StatusConflict, Message: "Omgången har en öppen länk och inga personliga inbjudningar."}

// ErrRoundOver refuses sending or reminding for a round that has closed.
var ErrRoundOver = &web.Error{Status: http.StatusConflict, Message: "Omgången är stängd."}

// Send creates a personal link for each recipient who has none in the round yet, and queues one mail
// per new link, batch by batch, each batch in one transaction; then marks the round sent. It returns how
// many invitations it created. Run again after a crash, it picks up where the last committed batch ended.
func (s *Service) Send(ctx context.Context, tenantID, roundID int64, to []Recipient, l Letter) (int, error) {
	ri, err := s.RoundInfo(ctx, tenantID, roundID)
	if err != nil {
		return 0, err
	}
	if ri.OpenLink {
		return 0, ErrNotPersonal
	}
	now := s.Store.Now()
	if !now.Before(ri.ClosesAt) {
		return 0, ErrRoundOver
	}
	sv, err := s.Store.Survey(ctx, tenantID, ri.SurveyID)
	if err != nil {
		return 0, err
	}
	key, err := s.Store.linkKey(ctx)
	if err != nil {
		return 0, err
	}
	byPerson := map[int64]Recipient{}
	var ids []int64
	for _, rc := range to {
		if _, ok := byPerson[rc.PersonID]; ok || rc.PersonID == 0 || !mailable(rc.Email) {
			continue
		}
		byPerson[rc.PersonID] = rc
		ids = append(ids, rc.PersonID)
	}
	slices.Sort(ids)
	created := 0
	for batch := range slices.Chunk(ids, SendBatch) {
		err := s.Store.DB.Tx(ctx, func(tx *sql.Tx) error {
			fresh, err := s.Store.insertPersonalInvitations(ctx, tx, ri.ID, batch, byPerson, key, now)
			if err != nil {
				return err
			}
			for _, inv := range fresh {
				rc := byPerson[inv.personID]
				m := invitationMail(sv, &ri.Round, rc, l, l.BaseURL+"/enkater/svar/"+personalToken(key, ri.ID, rc.PersonID))
				m.TenantID, m.DedupeKey = tenantID, mailPrefix(ri.ID)+strconv.FormatInt(inv.id, 10)
				if err := mail.Enqueue(ctx, tx, m); err != nil {
					return err
				}
			}
			created += len(fresh)
			return nil
		})
		if err != nil {
			return created, fmt.Errorf("send round %d: %w", ri.ID, err)
		}
	}
	if _, err := s.Store.DB.Writer().ExecContext(ctx, `UPDATE survey_rounds SET sent_at = $1 WHERE id = $2 AND sent_at IS NULL`, now, ri.ID); err != nil {
		return created, fmt.Errorf("mark round sent: %w", err)
	}
	return created, nil
}

type newInvitation struct{ id, personID int64 }

// insertPersonalInvitations stores the invitations of the people in the batch who have none in the
// round, and returns those it stored. Two servers sending the same round at once derive the same token
// for a person: the second insert meets the unique token_hash and stores nothing, so queues no mail.
func (s *Store) insertPersonalInvitations(ctx context.Context, tx *sql.Tx, roundID int64, batch []int64, byPerson map[int64]Recipient, key []byte, now time.Time) ([]newInvitation, error) {
	args := []any{roundID}
	marks := make([]string, len(batch))
	for i, id := range batch {
		args = append(args, id)
		marks[i] = "$" + strconv.Itoa(len(args))
	}
	rows, err := tx.QueryContext(ctx, `SELECT person_id FROM survey_invitations WHERE round_id = $1 AND person_id IN (`+strings.Join(marks, ",")+`)`, args...)
	have, err := db.Collect(rows, err, func(r db.Row) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	if err != nil {
		return nil, fmt.Errorf("invitations sent: %w", err)
	}
	var b strings.Builder
	args = []any{roundID, now}
	for _, id := range batch {
		if slices.Contains(have, id) {
			continue
		}
		if len(args) > 2 {
			b.WriteString(", ")
		}
		rc := byPerson[id]
		n := len(args)
		fmt.Fprintf(&b, "($1, $%d, $%d, $%d, $2)", n+1, n+2, n+3)
		args = append(args, hashToken(personalToken(key, roundID, id)), id, nullID(rc.UnitID))
	}
	if len(args) == 2 {
		return nil, nil
	}
	rows, err = tx.QueryContext(ctx, `INSERT INTO survey_invitations (round_id, token_hash, person_id, unit_id, created_at) VALUES `+
		b.String()+` ON CONFLICT (token_hash) DO NOTHING RETURNING id, person_id`, args...)
	return db.Collect(rows, err, func(r db.Row) (newInvitation, error) {
		var inv newInvitation
		return inv, r.Scan(&inv.id, &inv.personID)
	})
}

func invitationMail(sv *Survey, r *Round, rc Recipient, l Letter, link string) mail.Message {
	var b strings.Builder
	fmt.Fprintf(&b, "Hej %s!\n\n", rc.Name)
	fmt.Fprintf(&b, "%s vill veta vad du tycker. Svara på enkäten ”%s” här:\n\n%s\n\n", kommunName(l), sv.Title, link)
	writeMailFooter(&b, sv, r)
	return mail.Message{To: rc.Email, Subject: "Enkät: " + oneLine(sv.Title), Text: b.String()}
}

func reminderMail(sv *Survey, r *Round, rc Recipient, l Letter, link string) mail.Message {
	var b strings.Builder
	fmt.Fprintf(&b, "Hej %s!\n\n", rc.Name)
	fmt.Fprintf(&b, "En påminnelse: du har inte svarat på enkäten ”%s” från %s ännu. Den är öppen till och med %s. Svara här:\n\n%s\n\n",
		sv.Title, kommunName(l), LastDay(r), link)
	writeMailFooter(&b, sv, r)
	return mail.Message{To: rc.Email, Subject: "Påminnelse: " + oneLine(sv.Title), Text: b.String()}
}

func writeMailFooter(b *strings.Builder, sv *Survey, r *Round) {
	fmt.Fprintf(b, "Enkäten är öppen %s – %s. Länken är personlig och kan användas för ett svar; skicka den inte vidare.\n", Day(r.OpensAt), LastDay(r))
	if sv.Named {
		b.WriteString("Enkäten är inte anonym: dina svar sparas med ditt namn.\n")
	} else {
		b.WriteString("Dina svar är anonyma: de sparas utan koppling till dig, och resultat visas bara för grupper med tillräckligt många svar.\n")
	}
}

func kommunName(l Letter) string {
	if l.Kommun == "" {
		return "Kommunen"
	}
	return l.Kommun
}

// oneLine keeps a subject on one line: a line break in a header is refused by the mail queue.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// SendingProgress is how far a round's invitation mails have come.
func (s *Service) SendingProgress(ctx context.Context, tenantID, roundID int64) (mail.Progress, error) {
	return mail.Stats(ctx, s.Store.DB.Read(), tenantID, mailPrefix(roundID))
}

// Remind queues one reminder to each invited person who has not answered and has not been reminded
// today (Stockholm time), with the same personal link, and returns how many. contacts gives each
// person's name and current e-mail address. A double click sends once: the second finds everyone
// reminded today, and the mails' dedupe keys name the day.
func (s *Service) Remind(ctx context.Context, tenantID, roundID int64, contacts map[int64]Recipient, l Letter) (int, error) {
	ri, err := s.RoundInfo(ctx, tenantID, roundID)
	if err != nil {
		return 0, err
	}
	if ri.OpenLink {
		return 0, ErrNotPersonal
	}
	now := s.Store.Now()
	if !ri.Open(now) {
		return 0, &web.Error{Status: http.StatusConflict, Message: "Påminnelser kan bara skickas medan omgången är öppen."}
	}
	sv, err := s.Store.Survey(ctx, tenantID, ri.SurveyID)
	if err != nil {
		return 0, err
	}
	key, err := s.Store.linkKey(ctx)
	if err != nil {
		return 0, err
	}
	today, _ := dayStart(Day(now))
	rows, err := s.Store.DB.Read().QueryContext(ctx, `SELECT id, person_id, token_hash FROM survey_invitations
		WHERE round_id = $1 AND used_at IS NULL AND person_id IS NOT NULL AND (reminded_at IS NULL OR reminded_at < $2) ORDER BY id`, ri.ID, today.UTC())
	type pending struct {
		id, personID int64
		hash         string
	}
	list, err := db.Collect(rows, err, func(r db.Row) (pending, error) {
		var p pending
		return p, r.Scan(&p.id, &p.personID, &p.hash)
	})
	if err != nil {
		return 0, fmt.Errorf("invitations to remind: %w", err)
	}
	// Only links this package derived can be sent again; one made by Invite is known to its holder only.
	var due []pending
	for _, p := range list {
		if rc, ok := contacts[p.personID]; ok && mailable(rc.Email) && p.hash == hashToken(personalToken(key, ri.ID, p.personID)) {
			due = append(due, p)
		}
	}
	dayKey := Day(now)
	reminded := 0
	for batch := range slices.Chunk(due, SendBatch) {
		err := s.Store.DB.Tx(ctx, func(tx *sql.Tx) error {
			for _, p := range batch {
				// The condition again, in the transaction: a concurrent reminder or an answer since the
				// list was read leaves the row alone and sends nothing.
				res, err := tx.ExecContext(ctx, `UPDATE survey_invitations SET reminded_at = $1
					WHERE id = $2 AND used_at IS NULL AND (reminded_at IS NULL OR reminded_at < $3)`, now, p.id, today.UTC())
				if ok, err := affected(res, err); err != nil {
					return err
				} else if !ok {
					continue
				}
				rc := contacts[p.personID]
				m := reminderMail(sv, &ri.Round, rc, l, l.BaseURL+"/enkater/svar/"+personalToken(key, ri.ID, p.personID))
				m.TenantID = tenantID
				m.DedupeKey = "survey-round:" + strconv.FormatInt(ri.ID, 10) + ":rem:" + dayKey + ":" + strconv.FormatInt(p.id, 10)
				if err := mail.Enqueue(ctx, tx, m); err != nil {
					return err
				}
				reminded++
			}
			return nil
		})
		if err != nil {
			return reminded, fmt.Errorf("remind round %d: %w", ri.ID, err)
		}
	}
	if _, err := s.Store.DB.Writer().ExecContext(ctx, `UPDATE survey_rounds SET reminded_at = $1 WHERE id = $2`, now, ri.ID); err != nil {
		return reminded, err
	}
	return reminded, nil
}

// Contacts maps the kommun's active people to recipients, for reminders.
func Contacts(people []*org.Person) map[int64]Recipient {
	m := make(map[int64]Recipient, len(people))
	for _, p := range people {
		if p.Active {
			m[p.ID] = Recipient{PersonID: p.ID, UnitID: p.UnitID, Name: p.Name(), UnitName: p.UnitName, Email: p.Email}
		}
	}
	return m
}

// CloseRound closes a kommun's round now; a round that has not opened yet closes without opening.
func (s *Service) CloseRound(ctx context.Context, tenantID, roundID int64) error {
	ri, err := s.RoundInfo(ctx, tenantID, roundID)
	if err != nil {
		return err
	}
	now := s.Store.Now()
	if !now.Before(ri.ClosesAt) {
		return ErrRoundOver
	}
	_, err = s.Store.DB.Writer().ExecContext(ctx, `UPDATE survey_rounds SET closes_at = $1,
		opens_at = CASE WHEN opens_at > $1 THEN $1 ELSE opens_at END WHERE tenant_id = $2 AND id = $3 AND closes_at > $1`, now, tenantID, roundID)
	return err
}

// SetLastDay moves the last day of a kommun's round that has not closed; it must stay on or after the
// first day and not in the past. A round closed early stays closed: moving its date does not reopen it.
func (s *Service) SetLastDay(ctx context.Context, tenantID, roundID int64, lastDay string) error {
	ri, err := s.RoundInfo(ctx, tenantID, roundID)
	if err != nil {
		return err
	}
	now := s.Store.Now()
	if !now.Before(ri.ClosesAt) {
		return ErrRoundOver
	}
	last, ok := dayStart(lastDay)
	closes := last.AddDate(0, 0, 1)
	switch {
	case !ok:
		return web.Invalid(map[string]string{"last_day": "Ange sista dagen som ett datum, till exempel 2027-03-14."})
	case !closes.After(ri.OpensAt):
		return web.Invalid(map[string]string{"last_day": "Sista dagen kan inte komma före första dagen."})
	case !closes.After(now):
		return web.Invalid(map[string]string{"last_day": "Sista dagen har redan passerat. Stäng omgången i stället."})
	}
	_, err = s.Store.DB.Writer().ExecContext(ctx, `UPDATE survey_rounds SET closes_at = $1 WHERE tenant_id = $2 AND id = $3 AND closes_at > $4`,
		closes.UTC(), tenantID, roundID, now)
	return err
}

// --- the open link

// The open link's rate limit: at most LinkLimit submissions per client address and round in
// LinkWindow, counted in the database so that it holds across servers.
const (
	LinkLimit  = 20
	LinkWindow = 10 * time.Minute
)

// maxLinkToken bounds an open link's slug read from a URL; real ones are 26 characters.
const maxLinkToken = 64

// OpenLinkRespondent returns what an open link leads to: its round and survey, or ErrBadLink.
func (s *Service) OpenLinkRespondent(ctx context.Context, linkToken string) (*Respondent, error) {
	if linkToken == "" || len(linkToken) > maxLinkToken {
		return nil, ErrBadLink
	}
	r := &Round{}
	var unit sql.NullInt64
	err := s.Store.DB.Read().QueryRowContext(ctx, `SELECT id, tenant_id, survey_id, opens_at, closes_at, unit_id, created_at
		FROM survey_rounds WHERE link_token = $1 AND target = 'link'`, linkToken).
		Scan(&r.ID, &r.TenantID, &r.SurveyID, &r.OpensAt, &r.ClosesAt, &unit, &r.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrBadLink
	}
	if err != nil {
		return nil, fmt.Errorf("open link: %w", err)
	}
	r.OpenLink, r.UnitID = true, unit.Int64
	sv, err := s.Store.Survey(ctx, r.TenantID, r.SurveyID)
	if err != nil {
		return nil, err
	}
	return &Respondent{Round: r, Survey: sv}, nil
}

// ErrTooMany is the answer to a client that has sent too many answers through an open link.
var ErrTooMany = &web.Error{Status: http.StatusTooManyRequests, Message: "Många svar har skickats från den här uppkopplingen. Vänta en stund och försök igen."}

// LinkHit counts a submission through a round's open link from a client address, and returns how long
// the client must wait when it is over the limit (0 when the submission may go ahead). Only a hash of the
// address is stored, and only for the window.
func (s *Service) LinkHit(ctx context.Context, roundID int64, client string) (time.Duration, error) {
	sum := sha256.Sum256([]byte("survey-link\x00" + client))
	h := hex.EncodeToString(sum[:16])
	now := s.Store.Now()
	since := now.Add(-LinkWindow)
	var wait time.Duration
	err := s.Store.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM survey_link_hits WHERE round_id = $1 AND client_hash = $2 AND at <= $3`, roundID, h, since); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM survey_link_hits WHERE round_id = $1 AND client_hash = $2`, roundID, h).Scan(&n); err != nil {
			return err
		}
		if n >= LinkLimit {
			// Not MIN(at): SQLite returns an aggregate of a timestamp as text.
			var oldest time.Time
			if err := tx.QueryRowContext(ctx, `SELECT at FROM survey_link_hits WHERE round_id = $1 AND client_hash = $2 ORDER BY at LIMIT 1`, roundID, h).Scan(&oldest); err != nil {
				return err
			}
			wait = max(oldest.Add(LinkWindow).Sub(now), time.Second)
			return nil
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO survey_link_hits (round_id, client_hash, at) VALUES ($1, $2, $3)`, roundID, h, now)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("open link rate limit: %w", err)
	}
	return wait, nil
}
