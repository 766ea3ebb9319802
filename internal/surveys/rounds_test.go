package surveys_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/surveys"
)

// people adds a person to the kommun, with roles, and returns them.
func (f *fixture) person(t testing.TB, tenantID int64, given, email string, unit int64, active bool, roles ...string) *org.Person {
	t.Helper()
	p := &org.Person{TenantID: tenantID, GivenName: given, FamilyName: "Testsson", Email: email, UnitID: unit, Active: true, Roles: roles}
	if err := f.org.SavePerson(context.Background(), p); err != nil {
		t.Fatalf("save %s: %v", given, err)
	}
	if !active {
		if err := f.org.SetActive(context.Background(), tenantID, p.ID, false); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func names(rs []surveys.Recipient) string {
	var out []string
	for _, r := range rs {
		out = append(out, strings.Fields(r.Name)[0])
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

func TestTargetsResolveToTheRightPeople(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	social := f.unit(t, 0, org.KindDepartment, "Socialförvaltningen")
	home := f.unit(t, social.ID, org.KindUnit, "Hemtjänst")
	team := f.unit(t, home.ID, org.KindTeam, "Team Öst")
	care := f.unit(t, social.ID, org.KindUnit, "Biståndsenheten")
	school := f.unit(t, 0, org.KindDepartment, "Skolförvaltningen")
	id := f.tenant.ID
	f.person(t, id, "Siv", "siv@a.se", social.ID, true, org.RoleManager)
	f.person(t, id, "Hans", "hans@a.se", home.ID, true, org.RoleManager, org.RoleUnionRep)
	f.person(t, id, "Tea", "tea@a.se", team.ID, true)
	f.person(t, id, "Tor", "", team.ID, true)            // no e-mail
	f.person(t, id, "Ivar", "ivar@a.se", team.ID, false) // inactive
	f.person(t, id, "Bo", "bo@a.se", care.ID, true, org.RoleUnionRep)
	f.person(t, id, "Sara", "sara@a.se", school.ID, true, org.RoleManager)
	f.person(t, id, "Nils", "nils@a.se", 0, true, org.RoleUnionRep) // placed in no unit
	other, err := f.org.CreateTenant(ctx, "annanby", "Annanby kommun", nil)
	if err != nil {
		t.Fatal(err)
	}
	otherUnit, err := f.org.CreateUnit(ctx, other.ID, org.UnitInput{Kind: org.KindDepartment, Name: "Annat"})
	if err != nil {
		t.Fatal(err)
	}
	f.person(t, other.ID, "Olle", "olle@b.se", otherUnit.ID, true, org.RoleManager)

	for _, c := range []struct {
		name                   string
		targets                surveys.Targets
		reachable, unreachable string
	}{
		{"a unit and everything under it", surveys.Targets{UnitIDs: []int64{home.ID}, Subtree: true}, "Hans,Tea", "Tor"},
		{"a unit alone", surveys.Targets{UnitIDs: []int64{home.ID}}, "Hans", ""},
		{"a department", surveys.Targets{UnitIDs: []int64{social.ID}, Subtree: true}, "Bo,Hans,Siv,Tea", "Tor"},
		{"overlapping choices count each person once", surveys.Targets{UnitIDs: []int64{social.ID, home.ID, team.ID, social.ID}, Subtree: true}, "Bo,Hans,Siv,Tea", "Tor"},
		{"a role across the kommun", surveys.Targets{Roles: []string{org.RoleManager}}, "Hans,Sara,Siv", ""},
		{"two roles, a person with both once", surveys.Targets{Roles: []string{org.RoleManager, org.RoleUnionRep}}, "Bo,Hans,Nils,Sara,Siv", ""},
		{"a role within a department", surveys.Targets{UnitIDs: []int64{social.ID}, Subtree: true, Roles: []string{org.RoleUnionRep}}, "Bo,Hans", ""},
		{"another kommun's unit reaches no one", surveys.Targets{UnitIDs: []int64{otherUnit.ID}, Subtree: true}, "", ""},
		{"nothing chosen reaches no one", surveys.Targets{}, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, _, err := surveys.LoadAudience(ctx, f.org, id, c.targets)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(a.Reachable); got != c.reachable {
				t.Errorf("reachable: got %s, want %s", got, c.reachable)
			}
			if got := names(a.Unreachable); got != c.unreachable {
				t.Errorf("unreachable: got %s, want %s", got, c.unreachable)
			}
		})
	}
}

// roundSetup is a survey with a round of personal links open now, to a team of n people with e-mail.
func (f *fixture) roundSetup(t *testing.T, n int) (*surveys.Round, []surveys.Recipient) {
	t.Helper()
	ctx := context.Background()
	team := f.unit(t, 0, org.KindDepartment, "Kultur")
	for i := range n {
		f.person(t, f.tenant.ID, fmt.Sprintf("P%03d", i), fmt.Sprintf("p%03d@exempelby.se", i), team.ID, true)
	}
	sv, err := f.svc.NewSurvey(ctx, f.tenant.ID, surveys.NewSurveyInput{Start: surveys.StartCitizen, Title: "Bemötande"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	targets := surveys.Targets{UnitIDs: []int64{team.ID}, Subtree: true}
	a, tree, err := surveys.LoadAudience(ctx, f.org, f.tenant.ID, targets)
	if err != nil {
		t.Fatal(err)
	}
	today := surveys.Day(time.Now())
	r, err := f.svc.CreateRound(ctx, f.tenant.ID, sv.ID, surveys.RoundSpec{Name: "Hösten", FirstDay: today,
		LastDay: surveys.Day(time.Now().AddDate(0, 0, 7)), Targets: targets}, tree)
	if err != nil {
		t.Fatal(err)
	}
	return r, a.Reachable
}

type queued struct {
	key, to, subject, text string
}

func (f *fixture) mails(t *testing.T, prefix string) []queued {
	t.Helper()
	rows, err := f.db.Read().QueryContext(context.Background(), `SELECT dedupe_key, to_address, subject, text_body FROM mail_messages
		WHERE tenant_id = $1 ORDER BY id`, f.tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []queued
	for rows.Next() {
		var q queued
		if err := rows.Scan(&q.key, &q.to, &q.subject, &q.text); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(q.key, prefix) {
			out = append(out, q)
		}
	}
	return out
}

func (f *fixture) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := f.db.Read().QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var linkPattern = regexp.MustCompile(`https://vard\.test/enkater/svar/([A-Za-z0-9_-]+)`)

var letter = surveys.Letter{Kommun: "Exempelby kommun", BaseURL: "https://vard.test"}

func TestSendingQueuesOneMailPerInviteeOnce(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	const n = 7
	r, to := f.roundSetup(t, n)
	prefix := fmt.Sprintf("survey-round:%d:inv:", r.ID)

	// A crash after the first batches committed leaves part of the invitations with their mails, and the
	// round not marked sent. Sending the first part stands in for that.
	created, err := f.svc.Send(ctx, f.tenant.ID, r.ID, to[:3], letter)
	if err != nil || created != 3 {
		t.Fatalf("first part: created %d (%v), want 3", created, err)
	}
	created, err = f.svc.Send(ctx, f.tenant.ID, r.ID, to, letter)
	if err != nil || created != n-3 {
		t.Fatalf("after the crash: created %d (%v), want %d", created, err, n-3)
	}
	// Two servers sending the whole round again at once add nothing.
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if c, err := f.svc.Send(ctx, f.tenant.ID, r.ID, to, letter); err != nil || c != 0 {
				t.Errorf("sending again: created %d (%v), want 0", c, err)
			}
		})
	}
	wg.Wait()

	if got := f.count(t, `SELECT COUNT(*) FROM survey_invitations WHERE round_id = $1`, r.ID); got != n {
		t.Errorf("got %d invitations, want %d", got, n)
	}
	if got := f.count(t, `SELECT COUNT(DISTINCT person_id) FROM survey_invitations WHERE round_id = $1`, r.ID); got != n {
		t.Errorf("got %d people invited, want %d", got, n)
	}
	mails := f.mails(t, prefix)
	perAddress := map[string]int{}
	for _, m := range mails {
		perAddress[m.to]++
	}
	if len(mails) != n || len(perAddress) != n {
		t.Fatalf("got %d mails to %d addresses, want %d to %d", len(mails), len(perAddress), n, n)
	}
	p, err := f.svc.SendingProgress(ctx, f.tenant.ID, r.ID)
	if err != nil || p.Queued != n {
		t.Errorf("progress %+v (%v), want %d queued", p, err, n)
	}
	ri, err := f.svc.RoundInfo(ctx, f.tenant.ID, r.ID)
	if err != nil || ri.SentAt == nil || ri.Invited != n {
		t.Errorf("round info %+v (%v), want sent with %d invited", ri, err, n)
	}

	// The mail carries the link in full; the database holds only its hash.
	m := mails[0]
	match := linkPattern.FindStringSubmatch(m.text)
	if match == nil {
		t.Fatalf("the mail has no link:\n%s", m.text)
	}
	if !strings.Contains(m.text, "Exempelby kommun") || !strings.Contains(m.subject, "Bemötande") || !strings.Contains(m.text, "anonyma") {
		t.Errorf("the mail lacks the kommun, the title or the anonymity note:\n%s\n%s", m.subject, m.text)
	}
	if got := f.count(t, `SELECT COUNT(*) FROM survey_invitations WHERE token_hash = $1`, match[1]); got != 0 {
		t.Error("a token is stored in clear")
	}
	rs, err := f.svc.Respondent(ctx, match[1])
	if err != nil || rs.Round.ID != r.ID {
		t.Errorf("the link leads to %v (%v), want round %d", rs, err, r.ID)
	}
}

func TestSendingIsRefusedWhereItMakesNoSense(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	r, to := f.roundSetup(t, 2)
	if err := f.svc.CloseRound(ctx, f.tenant.ID, r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Send(ctx, f.tenant.ID, r.ID, to, letter); !errors.Is(err, surveys.ErrRoundOver) {
		t.Errorf("sending a closed round: got %v, want ErrRoundOver", err)
	}
	other, err := f.org.CreateTenant(ctx, "annanby", "Annanby kommun", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Send(ctx, other.ID, r.ID, to, letter); err == nil {
		t.Error("another kommun sent the round")
	}
}

func TestRemindersGoOnlyToThoseWhoHaveNotAnswered(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	r, to := f.roundSetup(t, 3)
	if _, err := f.svc.Send(ctx, f.tenant.ID, r.ID, to, letter); err != nil {
		t.Fatal(err)
	}
	// The first person answers through the link in their mail.
	first := f.mails(t, fmt.Sprintf("survey-round:%d:inv:", r.ID))[0]
	token := linkPattern.FindStringSubmatch(first.text)[1]
	sv, err := f.svc.Store.Survey(ctx, f.tenant.ID, r.SurveyID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Submit(ctx, f.tenant.ID, surveys.Submission{RoundID: r.ID, Token: token, IdempotencyKey: "k1",
		Answers: []surveys.Answer{{QuestionID: sv.Questions[0].ID, Values: []int{4}}}}); err != nil {
		t.Fatal(err)
	}
	people, err := surveys.ActivePeople(ctx, f.org, f.tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	contacts := surveys.Contacts(people)
	now := time.Now()
	f.svc.Store.Now = func() time.Time { return now }

	n, err := f.svc.Remind(ctx, f.tenant.ID, r.ID, contacts, letter)
	if err != nil || n != 2 {
		t.Fatalf("reminded %d (%v), want the 2 who have not answered", n, err)
	}
	reminders := f.mails(t, fmt.Sprintf("survey-round:%d:rem:", r.ID))
	for _, m := range reminders {
		if m.to == first.to {
			t.Errorf("%s answered and was reminded", m.to)
		}
		if !strings.HasPrefix(m.subject, "Påminnelse") || linkPattern.FindString(m.text) == "" {
			t.Errorf("reminder %q lacks its subject or link:\n%s", m.subject, m.text)
		}
	}
	// Each reminder carries the person's own link: the one their invitation had.
	for _, m := range reminders {
		for _, inv := range f.mails(t, fmt.Sprintf("survey-round:%d:inv:", r.ID)) {
			if inv.to == m.to && linkPattern.FindString(inv.text) != linkPattern.FindString(m.text) {
				t.Errorf("%s got another link in the reminder", m.to)
			}
		}
	}
	t.Run("a double click the same day sends nothing more", func(t *testing.T) {
		if n, err := f.svc.Remind(ctx, f.tenant.ID, r.ID, contacts, letter); err != nil || n != 0 {
			t.Errorf("reminded %d (%v), want 0", n, err)
		}
		if got := len(f.mails(t, fmt.Sprintf("survey-round:%d:rem:", r.ID))); got != 2 {
			t.Errorf("got %d reminders queued, want 2", got)
		}
	})
	t.Run("the next day they may be reminded again", func(t *testing.T) {
		f.svc.Store.Now = func() time.Time { return now.Add(24 * time.Hour) }
		if n, err := f.svc.Remind(ctx, f.tenant.ID, r.ID, contacts, letter); err != nil || n != 2 {
			t.Errorf("reminded %d (%v), want 2", n, err)
		}
	})
	t.Run("no reminders once the round has closed", func(t *testing.T) {
		f.svc.Store.Now = func() time.Time { return now.Add(30 * 24 * time.Hour) }
		if _, err := f.svc.Remind(ctx, f.tenant.ID, r.ID, contacts, letter); err == nil {
			t.Error("a closed round was reminded")
		}
	})
}

func TestRoundValidationAndDates(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	team := f.unit(t, 0, org.KindDepartment, "Kultur")
	sv, err := f.svc.NewSurvey(ctx, f.tenant.ID, surveys.NewSurveyInput{Start: surveys.StartHME, Title: "HME"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	empty, err := f.svc.NewSurvey(ctx, f.tenant.ID, surveys.NewSurveyInput{Start: surveys.StartEmpty, Title: "Tom"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := f.org.Tree(ctx, f.tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	today := surveys.Day(time.Now())
	yesterday := surveys.Day(time.Now().AddDate(0, 0, -1))
	ok := surveys.RoundSpec{Name: "Våren", FirstDay: today, LastDay: today, Targets: surveys.Targets{UnitIDs: []int64{team.ID}}}
	change := func(fn func(s *surveys.RoundSpec)) surveys.RoundSpec { s := ok; fn(&s); return s }
	for _, c := range []struct {
		name   string
		survey int64
		spec   surveys.RoundSpec
		field  string
	}{
		{"no name", sv.ID, change(func(s *surveys.RoundSpec) { s.Name = " " }), "name"},
		{"no first day", sv.ID, change(func(s *surveys.RoundSpec) { s.FirstDay = "i morgon" }), "first_day"},
		{"a last day before the first", sv.ID, change(func(s *surveys.RoundSpec) { s.FirstDay = today; s.LastDay = yesterday }), "last_day"},
		{"a last day passed", sv.ID, change(func(s *surveys.RoundSpec) { s.FirstDay = yesterday; s.LastDay = yesterday }), "last_day"},
		{"nobody chosen", sv.ID, change(func(s *surveys.RoundSpec) { s.Targets = surveys.Targets{} }), "units"},
		{"an unknown unit", sv.ID, change(func(s *surveys.RoundSpec) { s.Targets.UnitIDs = []int64{999999} }), "units"},
		{"an unknown role", sv.ID, change(func(s *surveys.RoundSpec) { s.Targets.Roles = []string{"kung"} }), "roles"},
		{"an open link under an unknown unit", sv.ID, change(func(s *surveys.RoundSpec) { s.OpenLink = true; s.UnitID = 999999 }), "unit_id"},
		{"a survey without questions", empty.ID, ok, "survey"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.CreateRound(ctx, f.tenant.ID, c.survey, c.spec, tree)
			if fields := fieldErrors(t, err); fields[c.field] == "" {
				t.Errorf("got %v, want a message on %s", fields, c.field)
			}
		})
	}
	if frozen, _ := f.svc.Frozen(ctx, f.tenant.ID, sv.ID); frozen {
		t.Error("a refused round froze the survey")
	}

	r, err := f.svc.CreateRound(ctx, f.tenant.ID, sv.ID, change(func(s *surveys.RoundSpec) { s.FirstDay = "2099-03-01"; s.LastDay = "2099-03-14" }), tree)
	if err != nil {
		t.Fatal(err)
	}
	stockholm, _ := time.LoadLocation("Europe/Stockholm")
	if want := time.Date(2099, 3, 1, 0, 0, 0, 0, stockholm); !r.OpensAt.Equal(want) {
		t.Errorf("opens %v, want %v (00:00 Stockholm)", r.OpensAt, want)
	}
	if want := time.Date(2099, 3, 15, 0, 0, 0, 0, stockholm); !r.ClosesAt.Equal(want) {
		t.Errorf("closes %v, want %v (24:00 of the last day)", r.ClosesAt, want)
	}
	if got := surveys.LastDay(r); got != "2099-03-14" {
		t.Errorf("last day %s, want 2099-03-14", got)
	}
	if err := f.svc.SetLastDay(ctx, f.tenant.ID, r.ID, "2099-02-01"); err == nil {
		t.Error("the last day moved before the first")
	}
	if err := f.svc.SetLastDay(ctx, f.tenant.ID, r.ID, "2099-03-31"); err != nil {
		t.Fatal(err)
	}
	if ri, _ := f.svc.RoundInfo(ctx, f.tenant.ID, r.ID); surveys.LastDay(&ri.Round) != "2099-03-31" || ri.State(time.Now()) != "Kommande" {
		t.Errorf("last day %s, state %s; want 2099-03-31, Kommande", surveys.LastDay(&ri.Round), ri.State(time.Now()))
	}
	if err := f.svc.CloseRound(ctx, f.tenant.ID, r.ID); err != nil {
		t.Fatal(err)
	}
	ri, err := f.svc.RoundInfo(ctx, f.tenant.ID, r.ID)
	if err != nil || ri.State(time.Now().Add(time.Second)) != "Stängd" || ri.Open(time.Now()) {
		t.Errorf("after closing: state %s (%v)", ri.State(time.Now()), err)
	}
	if err := f.svc.SetLastDay(ctx, f.tenant.ID, r.ID, "2099-04-30"); !errors.Is(err, surveys.ErrRoundOver) {
		t.Errorf("moving the date of a closed round: got %v, want ErrRoundOver", err)
	}
}

func TestOpenLinkRateLimit(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	sv, err := f.svc.NewSurvey(ctx, f.tenant.ID, surveys.NewSurveyInput{Start: surveys.StartCitizen, Title: "Bemötande"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tree, _ := f.org.Tree(ctx, f.tenant.ID)
	today := surveys.Day(time.Now())
	r, err := f.svc.CreateRound(ctx, f.tenant.ID, sv.ID, surveys.RoundSpec{Name: "Receptionen", FirstDay: today, LastDay: today, OpenLink: true}, tree)
	if err != nil {
		t.Fatal(err)
	}
	ri, err := f.svc.RoundInfo(ctx, f.tenant.ID, r.ID)
	if err != nil || len(ri.LinkToken) < 20 {
		t.Fatalf("link token %q (%v), want a random slug", ri.LinkToken, err)
	}
	rs, err := f.svc.OpenLinkRespondent(ctx, ri.LinkToken)
	if err != nil || rs.Round.ID != r.ID || !rs.Round.OpenLink {
		t.Fatalf("the open link leads to %+v (%v)", rs, err)
	}
	if _, err := f.svc.OpenLinkRespondent(ctx, "okand"); !errors.Is(err, surveys.ErrBadLink) {
		t.Errorf("an unknown open link: got %v, want ErrBadLink", err)
	}

	now := time.Now()
	f.svc.Store.Now = func() time.Time { return now }
	for i := range surveys.LinkLimit {
		if wait, err := f.svc.LinkHit(ctx, r.ID, "192.0.2.1"); err != nil || wait != 0 {
			t.Fatalf("submission %d: wait %v (%v), want none", i+1, wait, err)
		}
	}
	wait, err := f.svc.LinkHit(ctx, r.ID, "192.0.2.1")
	if err != nil || wait <= 0 || wait > surveys.LinkWindow {
		t.Errorf("one over the limit: wait %v (%v), want a wait within the window", wait, err)
	}
	if wait, _ := f.svc.LinkHit(ctx, r.ID, "192.0.2.2"); wait != 0 {
		t.Errorf("another address waits %v, want none", wait)
	}
	f.svc.Store.Now = func() time.Time { return now.Add(surveys.LinkWindow + time.Second) }
	if wait, _ := f.svc.LinkHit(ctx, r.ID, "192.0.2.1"); wait != 0 {
		t.Errorf("after the window: wait %v, want none", wait)
	}
	if got := f.count(t, `SELECT COUNT(*) FROM survey_link_hits WHERE client_hash = '192.0.2.1'`); got != 0 {
		t.Error("a client address is stored in clear")
	}
}
