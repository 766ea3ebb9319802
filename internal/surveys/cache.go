package surveys

import (
	"container/list"
	"context"
	"sync"
)

// surveyCacheSize bounds the surveys kept in memory: a kommun rarely has more than a handful of rounds
// open at once, and a survey with its questions is a few kilobytes.
const surveyCacheSize = 256

// surveyCache keeps surveys with their questions by id, least recently used first out, so that a
// submission does not read its survey again. A survey is frozen once it has a round, and the cache is
// filled only through a round (never from the builder), so an entry never goes stale: every server may
// keep its own without telling the others. The surveys it returns are shared and must not be changed.
type surveyCache struct {
	mu    sync.Mutex
	max   int
	order *list.List // of *Survey, most recently used first
	byID  map[int64]*list.Element
}

func newSurveyCache(max int) *surveyCache {
	return &surveyCache{max: max, order: list.New(), byID: map[int64]*list.Element{}}
}

func (c *surveyCache) get(id int64) *Survey {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byID[id]
	if !ok {
		return nil
	}
	c.order.MoveToFront(e)
	return e.Value.(*Survey)
}

func (c *surveyCache) put(sv *Survey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byID[sv.ID]; ok {
		c.order.MoveToFront(e)
		return
	}
	c.byID[sv.ID] = c.order.PushFront(sv)
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.byID, last.Value.(*Survey).ID)
	}
}

// roundSurvey returns the survey of a round: from the cache, or read and kept. Callers must have found
// the survey through one of its rounds (so that it is frozen) and must not change what they get.
func (s *Service) roundSurvey(ctx context.Context, tenantID, surveyID int64) (*Survey, error) {
	if s.cache == nil {
		return s.Store.Survey(ctx, tenantID, surveyID)
	}
	if sv := s.cache.get(surveyID); sv != nil && sv.TenantID == tenantID {
		return sv, nil
	}
	sv, err := s.Store.Survey(ctx, tenantID, surveyID)
	if err != nil {
		return nil, err
	}
	s.cache.put(sv)
	return sv, nil
}
