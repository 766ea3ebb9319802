package stories

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/values"
)

// demoStory is one story of the demo kommun. Unit names an enhet of the demo tree; the author is drawn
// from the people there. Words are indexes into the kommun's current värdeord.
type demoStory struct {
	unit   string
	kind   Kind
	title  string
	body   string
	words  []int
	credit Credit
	public bool
	status Status
	note   string
	// author "medarbetare" makes the demo employee the author; subject "medarbetare" names them.
	author, subject string
	daysAgo         int
}

// Demo gives the demo kommun about thirty stories and quotes from various units and authors, tagged
// with its current värdeord (untagged when it has none): most approved, some public, two waiting for
// moderation, one sent back for a change and one waiting for the demo medarbetare's consent. It writes
// them in one transaction and does nothing when the kommun has stories, so `vard demo` can be
// restarted. It stores no images.
func Demo(ctx context.Context, svc *Service, tenantID int64) error {
	if n, err := svc.Store.CountStories(ctx, tenantID); err != nil || n > 0 {
		return err
	}
	tenant, err := svc.Org.Store.Tenant(ctx, tenantID)
	if err != nil {
		return err
	}
	tree, err := svc.Org.Tree(ctx, tenantID)
	if err != nil {
		return err
	}
	words, err := svc.Words(ctx, tenantID)
	if err != nil {
		return err
	}
	domain := "@" + tenant.Slug + ".example"
	account := func(local string) (*org.Person, error) {
		return svc.Org.Store.PersonByEmail(ctx, tenantID, local+domain)
	}
	moderator, err := account("admin")
	if err != nil {
		return fmt.Errorf("demo kommunadmin: %w", err)
	}
	employee, err := account("medarbetare")
	if err != nil {
		return fmt.Errorf("demo medarbetare: %w", err)
	}
	units := map[string]*org.Unit{}
	for _, u := range tree.ByID {
		units[u.Name] = u
	}
	now := svc.Store.Now()
	return svc.Store.DB.Tx(ctx, func(tx *sql.Tx) error {
		for i, d := range demoStories {
			u, ok := units[d.unit]
			if !ok {
				return fmt.Errorf("demo story %q: no unit %s", d.title, d.unit)
			}
			author := employee
			if d.author == "" {
				people, _, err := svc.Org.Store.People(ctx, tenantID, org.PeopleFilter{UnitIDs: tree.Descendants(u.ID), Limit: 40})
				if err != nil {
					return err
				}
				if len(people) == 0 {
					return fmt.Errorf("demo story %q: nobody in %s", d.title, d.unit)
				}
				author = people[(i*7)%len(people)]
				if d.subject == "medarbetare" && author.ID == employee.ID {
					author = people[(i*7+1)%len(people)]
				}
			}
			st := demoRecord(d, tenantID, author, u.ID, words, moderator.ID, now.Add(-time.Duration(d.daysAgo)*24*time.Hour-time.Duration(i)*time.Hour))
			if d.subject == "medarbetare" {
				st.SubjectID, st.SubjectName, st.Consent = employee.ID, employee.Name(), ConsentPending
			}
			if err := svc.Store.Insert(ctx, tx, st); err != nil {
				return fmt.Errorf("demo story %q: %w", d.title, err)
			}
		}
		return nil
	})
}

// demoRecord turns a demo story into the story as stored.
func demoRecord(d demoStory, tenantID int64, author *org.Person, unitID int64, words []values.Word, moderatorID int64, at time.Time) *Story {
	st := &Story{TenantID: tenantID, AuthorID: author.ID, UnitID: unitID, Kind: d.kind, Title: d.title, Body: d.body,
		Public: d.public, Credit: d.credit, Byline: byline(author, d.credit), Status: d.status, Note: d.note,
		Consent: ConsentNone, CreatedAt: at}
	if st.Kind == "" {
		st.Kind = KindExample
	}
	if st.Status == "" {
		st.Status = StatusApproved
	}
	for _, w := range d.words {
		if len(words) > 0 && !slices.Contains(st.Words, words[w%len(words)].Key) {
			st.Words = append(st.Words, words[w%len(words)].Key)
		}
	}
	if st.Status != StatusPending {
		moderated := at.Add(20 * time.Hour)
		st.ModeratedBy, st.ModeratedAt = moderatorID, &moderated
		if st.Status == StatusApproved {
			st.PublishedAt = &moderated
		}
	}
	return st
}
