package demo_test

import (
	"context"
	"testing"

	"github.com/vard-kommun/vard/internal/demo"
	"github.com/vard-kommun/vard/internal/stories"
	"github.com/vard-kommun/vard/internal/values"
)

// TestGenerateTellsStories: the demo kommun has about thirty stories tagged with its current värdeord,
// most published, some public, some waiting for moderation and one for the demo medarbetare's consent;
// generating again adds none.
func TestGenerateTellsStories(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	tenantID := e.generate(t, demo.Options{})
	words := values.NewService(e.db, e.org)
	svc := stories.NewService(e.db, e.org, words, nil)
	all, total, err := svc.Store.List(ctx, stories.Filter{TenantID: tenantID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if total < 25 || total > 40 {
		t.Errorf("got %d stories, want about thirty", total)
	}
	current, _ := words.Words(ctx, tenantID)
	keys := map[string]bool{}
	for _, w := range current {
		keys[w.Key] = true
	}
	count := map[string]int{}
	authors := map[int64]bool{}
	employee, _ := e.org.Store.PersonByEmail(ctx, tenantID, "medarbetare@exempelby.example")
	for _, st := range all {
		authors[st.AuthorID] = true
		switch {
		case st.Published() && st.Public:
			count["public"]++
		case st.Published():
			count["internal"]++
		case st.Status == stories.StatusPending:
			count["pending"]++
		case st.Consent == stories.ConsentPending && st.SubjectID == employee.ID && st.AuthorID != employee.ID:
			count["consent"]++
		case st.Status == stories.StatusChangesRequested && st.Note != "":
			count["change"]++
		}
		if len(st.Words) == 0 {
			t.Errorf("story %q has no värdeord", st.Title)
		}
		for _, k := range st.Words {
			if !keys[k] {
				t.Errorf("story %q is tagged %q, not a current värdeord", st.Title, k)
			}
		}
	}
	if count["public"] < 5 || count["internal"] < 5 || count["pending"] < 1 || count["consent"] != 1 || count["change"] != 1 {
		t.Errorf("got %v, want public and internal stories, pending ones, one waiting for consent and one sent back", count)
	}
	if len(authors) < 15 {
		t.Errorf("got %d authors, want stories from many people", len(authors))
	}
	e.generate(t, demo.Options{})
	if _, again, _ := svc.Store.List(ctx, stories.Filter{TenantID: tenantID, Limit: 1}); again != total {
		t.Errorf("after generating again: %d stories, want %d", again, total)
	}
}
