package auth

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/vard-kommun/vard/internal/web"
)

// BriefAge is how long a viewer read for a request that Service.Brief chose may serve later such
// requests with the same session.
const BriefAge = time.Second

// briefCache keeps viewers for BriefAge. It holds only sessions that were valid when read, so its size
// follows the devices in a rush (the doors of an event), not the requests.
type briefCache struct {
	mu      sync.Mutex
	entries map[string]briefEntry
	pruned  time.Time
}

type briefEntry struct {
	v    *web.Viewer
	read time.Time
}

// briefViewer returns the session's viewer from the cache when it is younger than BriefAge, else reads it.
func (s *Service) briefViewer(ctx context.Context, token string) (*web.Viewer, error) {
	c := &s.brief
	now := time.Now()
	c.mu.Lock()
	e, ok := c.entries[token]
	c.mu.Unlock()
	if ok && now.Sub(e.read) < BriefAge {
		return e.v, nil
	}
	v, err := s.Viewer(ctx, token)
	if err != nil || v == nil {
		return v, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]briefEntry{}
	}
	c.entries[token] = briefEntry{v: v, read: now}
	if now.Sub(c.pruned) > 10*BriefAge {
		for t, e := range c.entries {
			if now.Sub(e.read) >= BriefAge {
				delete(c.entries, t)
			}
		}
		c.pruned = now
	}
	return v, nil
}

// forget drops a session from the cache, as when it is signed out on this server.
func (c *briefCache) forget(token string) {
	c.mu.Lock()
	delete(c.entries, token)
	c.mu.Unlock()
}

// isBrief reports whether the request may use a viewer read up to BriefAge ago.
func (s *Service) isBrief(r *http.Request) bool { return s.Brief != nil && s.Brief(r) }
