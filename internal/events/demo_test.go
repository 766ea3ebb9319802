package events_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/auth"
	"github.com/vard-kommun/vard/internal/db/dbtest"
	"github.com/vard-kommun/vard/internal/demo"
	"github.com/vard-kommun/vard/internal/events"
	"github.com/vard-kommun/vard/internal/org"
)

// TestDemo: the demo kommun has a past ledarforum for its chefs, most of whom came, and an upcoming
// visionsdag for everyone; making them takes under two seconds, and a second run adds nothing.
func TestDemo(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	o := org.NewService(org.NewStore(d))
	tenantID, err := demo.Generate(ctx, d, o, auth.NewService(d, slog.New(slog.DiscardHandler), false), demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc := events.NewService(events.NewStore(d), o)
	// again, alone and timed, on a kommun without events
	if _, err := d.Exec(ctx, `DELETE FROM events WHERE tenant_id = $1`, tenantID); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := events.Demo(ctx, svc, tenantID); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	t.Logf("events.Demo took %v", took)
	if took > 2*time.Second {
		t.Errorf("events.Demo took %v, want under 2 s", took)
	}
	if err := events.Demo(ctx, svc, tenantID); err != nil {
		t.Fatal(err)
	}
	list, total, err := svc.Events(ctx, tenantID, 0, 10)
	if err != nil || total != 2 {
		t.Fatalf("%d events, %v; want 2", total, err)
	}
	vision, forum := list[0], list[1]
	if vision.Kind != events.KindVisionsdag || forum.Kind != events.KindLedarforum || !forum.Past(svc.Now()) || vision.Past(svc.Now()) {
		t.Fatalf("got %+v and %+v", vision, forum)
	}
	c, err := svc.Counts(ctx, forum)
	if err != nil {
		t.Fatal(err)
	}
	checkedIn := count(t, d, `SELECT COUNT(*) FROM event_checkins WHERE event_id = $1`, forum.ID)
	if c.Invited < 20 || c.Yes*2 < c.Invited || checkedIn*2 < c.Yes || checkedIn > c.Yes || forum.YesCount != c.Yes {
		t.Errorf("ledarforum: %+v, %d checked in, yes_count %d", c, checkedIn, forum.YesCount)
	}
	c, err = svc.Counts(ctx, vision)
	if err != nil {
		t.Fatal(err)
	}
	guests := count(t, d, `SELECT COUNT(*) FROM event_invitations WHERE event_id = $1 AND person_id IS NULL`, vision.ID)
	if c.Invited < 1400 || guests == 0 || vision.YesCount != c.Yes {
		t.Errorf("visionsdag: %+v, %d guests", c, guests)
	}
	agenda, err := svc.Agenda(ctx, vision)
	if err != nil || len(agenda) == 0 {
		t.Errorf("visionsdag agenda %v, %v", agenda, err)
	}

	// Sending the visionsdag's 1,400 invitations: three batches, each invitee one mail with its .ics.
	svc.BaseURL = "https://vard.example"
	if err := svc.RequestSend(ctx, vision); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	sent, err := svc.SendAll(ctx, tenantID, vision.ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("sent %d invitations in %v", sent, time.Since(start))
	if mails := count(t, d, `SELECT COUNT(*) FROM mail_messages WHERE dedupe_key LIKE $1`, events.InvitationPrefix(vision.ID)+"%"); sent != c.Invited || mails != sent {
		t.Errorf("sent %d, %d mails, want %d", sent, mails, c.Invited)
	}
}
