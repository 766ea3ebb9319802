package events

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/db"
)

// The doors' cached event is only a second old at most, and never another kommun's.
func TestDoorEventIsShortLivedAndKeepsToItsKommun(t *testing.T) {
	f := newCheckinFixture(t)
	ctx := context.Background()
	ev := f.event(t, f.tenant.ID, 0)
	if got, err := f.svc.DoorEvent(ctx, f.tenant.ID, ev.ID); err != nil || got.Cancelled {
		t.Fatalf("first read: %+v, %v", got, err)
	}
	if _, err := f.svc.DoorEvent(ctx, f.tenant.ID+1000, ev.ID); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("another kommun through the cache: got %v, want not found", err)
	}
	if _, err := f.d.Exec(ctx, `UPDATE events SET cancelled_at = $1 WHERE id = $2`, db.Now(), ev.ID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(doorEventAge + 50*time.Millisecond)
	got, err := f.svc.DoorEvent(ctx, f.tenant.ID, ev.ID)
	if err != nil || !got.Cancelled {
		t.Errorf("after %v the doors still see the event as it was: %+v, %v", doorEventAge, got, err)
	}
	// What a caller does to its copy does not reach the cache.
	got.Cancelled = false
	if again, _ := f.svc.DoorEvent(ctx, f.tenant.ID, ev.ID); !again.Cancelled {
		t.Error("a caller's change reached the cached event")
	}
}
