package mail_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/db/dbtest"
	vmail "github.com/vard-kommun/vard/internal/mail"
	"github.com/vard-kommun/vard/internal/mail/mailtest"
)

// sink is the test SMTP server with what these tests ask of it.
type sink struct{ *mailtest.Sink }

func startSink(t *testing.T) sink { return sink{mailtest.Start(t)} }

// perRecipient counts deliveries by recipient address.
func (s sink) perRecipient() map[string]int {
	n := map[string]int{}
	for _, d := range s.Deliveries() {
		for _, to := range d.To {
			n[to]++
		}
	}
	return n
}

func (s sink) sender(t *testing.T) *vmail.SMTP {
	t.Helper()
	host, port := s.HostPort()
	p, _ := strconv.Atoi(port)
	smtp, err := vmail.NewSMTP(vmail.SMTPConfig{Host: host, Port: p, TLS: vmail.TLSNone, From: "noreply@vard.test", FromName: "Värd", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return smtp
}

// parts decodes a MIME message into its leaf parts' bodies by media type.
func parts(t *testing.T, raw []byte) (mail.Header, map[string]string) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("read delivered message: %v", err)
	}
	out := map[string]string{}
	var walk func(ct, cte string, body io.Reader)
	walk = func(ct, cte string, body io.Reader) {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatalf("content type %q: %v", ct, err)
		}
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextPart()
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Fatalf("multipart: %v", err)
				}
				walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p)
			}
		}
		if strings.EqualFold(cte, "base64") {
			body = base64.NewDecoder(base64.StdEncoding, body)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatalf("read %s part: %v", mt, err)
		}
		out[mt] = string(b)
	}
	walk(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body)
	return m.Header, out
}

// --- the database, the clock and the worker

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: db.Now()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newTenant(t *testing.T, d *db.DB) int64 {
	t.Helper()
	var id int64
	if err := d.Writer().QueryRowContext(context.Background(), `INSERT INTO tenants (slug, name, created_at) VALUES ($1, $2, $3) RETURNING id`,
		"test", "Testkommun", db.Now()).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func newWorker(d *db.DB, s vmail.Sender, c *clock) *vmail.Worker {
	w := vmail.NewWorker(d, s, slog.New(slog.DiscardHandler))
	w.Now = c.Now
	return w
}

func invitation(tenantID int64, i int) vmail.Message {
	return vmail.Message{
		TenantID:  tenantID,
		DedupeKey: fmt.Sprintf("event:1:person:%d", i),
		To:        fmt.Sprintf("person%d@vard.test", i),
		Subject:   "Inbjudan till ledarforum",
		Text:      "Välkommen!",
	}
}

func enqueue(t *testing.T, d *db.DB, msgs ...vmail.Message) {
	t.Helper()
	ctx := context.Background()
	if err := d.Tx(ctx, func(tx *sql.Tx) error { return vmail.EnqueueMany(ctx, tx, msgs) }); err != nil {
		t.Fatalf("enqueue: %v", err)
	}
}

func stats(t *testing.T, d *db.DB, tenantID int64, prefix string) vmail.Progress {
	t.Helper()
	p, err := vmail.Stats(context.Background(), d.Read(), tenantID, prefix)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func sendDue(t *testing.T, ctx context.Context, w *vmail.Worker) int {
	t.Helper()
	n, err := w.SendDue(ctx)
	if err != nil {
		t.Fatalf("send due: %v", err)
	}
	return n
}

// --- the scenarios

func TestInvitationArrivesWithCalendar(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	tenant := newTenant(t, d)
	s := startSink(t)
	ics := vmail.ICS(vmail.Event{UID: "event-1@vard.test", Summary: "Ledarforum", Start: time.Now(), End: time.Now().Add(time.Hour),
		OrganizerEmail: "hr@vard.test", Stamp: time.Now()})
	m := invitation(tenant, 1)
	m.Subject = "Inbjudan: ledarforum på Värdshuset"
	m.HTML = "<p>Välkommen!</p>"
	m.Attachments = []vmail.Attachment{{Name: "inbjudan.ics", ContentType: vmail.ICSContentType, Content: ics}}
	enqueue(t, d, m)

	if n := sendDue(t, ctx, newWorker(d, s.sender(t), newClock())); n != 1 {
		t.Fatalf("got %d sent, want 1", n)
	}
	got := s.Deliveries()
	if len(got) != 1 {
		t.Fatalf("got %d deliveries at the sink, want 1", len(got))
	}
	if got[0].From != "noreply@vard.test" || len(got[0].To) != 1 || got[0].To[0] != "person1@vard.test" {
		t.Errorf("got envelope from %q to %q, want noreply@vard.test to person1@vard.test", got[0].From, got[0].To)
	}
	h, body := parts(t, got[0].Data)
	if subj, _ := new(mime.WordDecoder).DecodeHeader(h.Get("Subject")); subj != m.Subject {
		t.Errorf("got subject %q, want %q", subj, m.Subject)
	}
	if strings.TrimSpace(body["text/plain"]) != "Välkommen!" || strings.TrimSpace(body["text/html"]) != m.HTML {
		t.Errorf("got text %q and html %q, want both bodies", body["text/plain"], body["text/html"])
	}
	if body["text/calendar"] != string(ics) {
		t.Errorf("got calendar part %q, want the .ics as enqueued", body["text/calendar"])
	}
	if p := stats(t, d, tenant, "event:1:"); p != (vmail.Progress{Sent: 1}) {
		t.Errorf("got %+v, want 1 sent", p)
	}
}

func TestEnqueueTwiceStoresOnce(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	tenant := newTenant(t, d)
	s := startSink(t)
	// A job that stopped after 2 of 3 invitations starts over with all 3; one is a duplicate within a batch.
	enqueue(t, d, invitation(tenant, 1), invitation(tenant, 2))
	enqueue(t, d, invitation(tenant, 1), invitation(tenant, 2), invitation(tenant, 3), invitation(tenant, 3))
	// A rolled-back transaction leaves nothing behind.
	boom := errors.New("boom")
	if err := d.Tx(ctx, func(tx *sql.Tx) error {
		if err := vmail.Enqueue(ctx, tx, invitation(tenant, 4)); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("got %v, want boom", err)
	}
	if p := stats(t, d, tenant, "event:1:"); p != (vmail.Progress{Queued: 3}) {
		t.Errorf("got %+v before sending, want 3 queued", p)
	}
	sendDue(t, ctx, newWorker(d, s.sender(t), newClock()))
	enqueue(t, d, invitation(tenant, 1)) // after sending, too
	sendDue(t, ctx, newWorker(d, s.sender(t), newClock()))
	got := s.perRecipient()
	if len(got) != 3 || got["person1@vard.test"] != 1 || got["person2@vard.test"] != 1 || got["person3@vard.test"] != 1 {
		t.Errorf("got deliveries %v, want one each to person1-3", got)
	}
	if p := stats(t, d, tenant, "event:1:"); p != (vmail.Progress{Sent: 3}) {
		t.Errorf("got %+v, want 3 sent", p)
	}
	if p := stats(t, d, tenant, "event:2:"); p.Total() != 0 {
		t.Errorf("got %+v for another prefix, want nothing", p)
	}
}

func TestEnqueueRejectsUnsendable(t *testing.T) {
	d := dbtest.Open(t)
	tenant := newTenant(t, d)
	for name, m := range map[string]vmail.Message{
		"bad address":        {TenantID: tenant, To: "inte en adress", Subject: "Hej"},
		"header in subject":  {TenantID: tenant, To: "a@vard.test", Subject: "Hej\r\nBcc: x@y.z"},
		"no tenant":          {To: "a@vard.test", Subject: "Hej"},
		"unnamed attachment": {TenantID: tenant, To: "a@vard.test", Attachments: []vmail.Attachment{{ContentType: "text/plain"}}},
	} {
		t.Run(name, func(t *testing.T) {
			if err := vmail.Enqueue(context.Background(), d.Writer(), m); !errors.Is(err, vmail.ErrInvalid) {
				t.Errorf("got %v, want ErrInvalid", err)
			}
		})
	}
}

// failing counts attempts and fails each one.
type failing struct {
	mu sync.Mutex
	n  int
}

func (f *failing) Send(ctx context.Context, m vmail.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	return fmt.Errorf("451 mailbox busy (attempt %d)", f.n)
}

func (f *failing) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}

func TestRetryWithBackoffThenFail(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	tenant := newTenant(t, d)
	enqueue(t, d, invitation(tenant, 1))
	c := newClock()
	f := &failing{}
	w := newWorker(d, f, c)
	sendDue(t, ctx, w)
	if f.calls() != 1 {
		t.Fatalf("got %d attempts, want 1", f.calls())
	}
	for i, wait := range []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour} {
		c.Advance(wait - time.Second)
		sendDue(t, ctx, w)
		if f.calls() != i+1 {
			t.Fatalf("got attempt %d a second before the %v backoff ended, want none", f.calls(), wait)
		}
		c.Advance(time.Second)
		sendDue(t, ctx, w)
		if f.calls() != i+2 {
			t.Fatalf("got %d attempts after the %v backoff, want %d", f.calls(), wait, i+2)
		}
	}
	if p := stats(t, d, tenant, ""); p != (vmail.Progress{Failed: 1}) {
		t.Errorf("got %+v after 5 attempts, want 1 failed", p)
	}
	var attempts int
	var lastErr string
	d.Read().QueryRowContext(ctx, `SELECT attempts, last_error FROM mail_messages`).Scan(&attempts, &lastErr)
	if attempts != 5 || !strings.Contains(lastErr, "attempt 5") {
		t.Errorf("got %d attempts with last error %q, want 5 and the fifth error", attempts, lastErr)
	}
	c.Advance(24 * time.Hour)
	sendDue(t, ctx, w)
	if f.calls() != 5 {
		t.Errorf("got %d attempts, want a failed message left alone after 5", f.calls())
	}
}

func TestTwoWorkersSendEachOnce(t *testing.T) {
	ctx := context.Background()
	// Two handles on one database stand for two server processes.
	dsn := dbtest.DSN(t)
	var handles [2]*db.DB
	for i := range handles {
		d, err := db.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		handles[i] = d
	}
	if err := handles[0].Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	tenant := newTenant(t, handles[0])
	const total = 60
	var msgs []vmail.Message
	for i := range total {
		msgs = append(msgs, invitation(tenant, i))
	}
	enqueue(t, handles[0], msgs...)
	s := startSink(t)
	c := newClock()
	var wg sync.WaitGroup
	sent := make([]int, 2)
	for i, d := range handles {
		w := newWorker(d, s.sender(t), c)
		w.Batch = 4
		wg.Go(func() {
			n, err := w.SendDue(ctx)
			if err != nil {
				t.Errorf("worker %d: %v", i, err)
			}
			sent[i] = n
		})
	}
	wg.Wait()
	if sent[0]+sent[1] != total {
		t.Errorf("got %d + %d sent, want %d", sent[0], sent[1], total)
	}
	got := s.perRecipient()
	for i := range total {
		if n := got[fmt.Sprintf("person%d@vard.test", i)]; n != 1 {
			t.Errorf("got %d deliveries to person%d, want 1", n, i)
		}
	}
	t.Logf("worker 0 sent %d, worker 1 sent %d", sent[0], sent[1])
}

func TestStuckMessageIsTakenOver(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	tenant := newTenant(t, d)
	enqueue(t, d, invitation(tenant, 1), invitation(tenant, 2))
	c := newClock()
	// person1's worker died ten minutes ago; person2's is alive and sending right now.
	for _, m := range []struct {
		to  string
		ago time.Duration
	}{{"person1@vard.test", 10 * time.Minute}, {"person2@vard.test", time.Minute}} {
		if _, err := d.Exec(ctx, `UPDATE mail_messages SET status = 'sending', attempts = 1, claimed_at = $1 WHERE to_address = $2`,
			c.Now().Add(-m.ago), m.to); err != nil {
			t.Fatal(err)
		}
	}
	s := startSink(t)
	sendDue(t, ctx, newWorker(d, s.sender(t), c))
	if got := s.perRecipient(); len(got) != 1 || got["person1@vard.test"] != 1 {
		t.Errorf("got deliveries %v, want only the stale person1", got)
	}
	if p := stats(t, d, tenant, ""); p != (vmail.Progress{Queued: 1, Sent: 1}) {
		t.Errorf("got %+v, want 1 sent and 1 still with its live worker", p)
	}
}

// crashing delivers through next and cancels the worker's context after the n-th delivery, as a
// shutdown in the middle of a batch would.
type crashing struct {
	next   vmail.Sender
	mu     sync.Mutex
	n      int
	cancel context.CancelFunc
}

func (c *crashing) Send(ctx context.Context, m vmail.Message) error {
	err := c.next.Send(ctx, m)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n--; c.n == 0 {
		c.cancel()
	}
	return err
}

func TestStopMidBatchThenRestartSendsEachOnce(t *testing.T) {
	d := dbtest.Open(t)
	tenant := newTenant(t, d)
	const total = 30
	var msgs []vmail.Message
	for i := range total {
		msgs = append(msgs, invitation(tenant, i))
	}
	enqueue(t, d, msgs...)
	s := startSink(t)
	c := newClock()

	ctx, cancel := context.WithCancel(context.Background())
	w := newWorker(d, &crashing{next: s.sender(t), n: 7, cancel: cancel}, c)
	w.Batch = 10
	w.Run(ctx) // returns once cancelled
	if got := len(s.Deliveries()); got != 7 {
		t.Fatalf("got %d deliveries before the stop, want 7", got)
	}
	if p := stats(t, d, tenant, "event:1:"); p != (vmail.Progress{Queued: total - 7, Sent: 7}) {
		t.Errorf("got %+v after the stop, want 7 sent and the rest queued", p)
	}

	// The restarted worker does not wait for the unsent claims to go stale: they were handed back.
	sendDue(t, context.Background(), newWorker(d, s.sender(t), c))
	got := s.perRecipient()
	for i := range total {
		if n := got[fmt.Sprintf("person%d@vard.test", i)]; n != 1 {
			t.Errorf("got %d deliveries to person%d, want 1", n, i)
		}
	}
	var maxAttempts int
	d.Read().QueryRowContext(context.Background(), `SELECT MAX(attempts) FROM mail_messages`).Scan(&maxAttempts)
	if maxAttempts != 1 {
		t.Errorf("got a message with %d attempts, want 1 each: a handed-back claim is not an attempt", maxAttempts)
	}
	if p := stats(t, d, tenant, "event:1:"); p != (vmail.Progress{Sent: total}) {
		t.Errorf("got %+v, want all %d sent", p, total)
	}
}
