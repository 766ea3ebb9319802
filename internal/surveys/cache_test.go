package surveys

import (
	"errors"
	"testing"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/db/dbtest"
)

func TestSurveyCacheKeepsTheRecentlyUsed(t *testing.T) {
	c := newSurveyCache(2)
	c.put(&Survey{ID: 1})
	c.put(&Survey{ID: 2})
	if c.get(1) == nil {
		t.Fatal("survey 1 is not kept")
	}
	c.put(&Survey{ID: 3}) // 2 is now the least recently used
	if c.get(2) != nil {
		t.Error("survey 2 is kept beyond the cache's size")
	}
	if c.get(1) == nil || c.get(3) == nil {
		t.Error("surveys 1 and 3 are not kept")
	}
	if len(c.byID) != 2 || c.order.Len() != 2 {
		t.Errorf("the cache holds %d and %d entries, want 2", len(c.byID), c.order.Len())
	}
}

func TestRoundSurveyIsTheKommunsOwn(t *testing.T) {
	s := &Service{cache: newSurveyCache(2), Store: NewStore(dbtest.Open(t))}
	s.cache.put(&Survey{ID: 1, TenantID: 7})
	if sv, err := s.roundSurvey(t.Context(), 7, 1); err != nil || sv.ID != 1 {
		t.Fatalf("got %v, %v, want the cached survey", sv, err)
	}
	// Another kommun's id goes past the cache to the database, which has no such survey.
	if sv, err := s.roundSurvey(t.Context(), 8, 1); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("another kommun: got %v, %v, want db.ErrNotFound", sv, err)
	}
}
