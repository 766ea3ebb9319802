package mail

import (
	"context"
	"log/slog"
	"time"

	"github.com/vard-kommun/vard/internal/db"
)

// Worker sends the queued mail. Any number of processes may run one against the same PostgreSQL database:
// each message is claimed by one of them. Delivery is at least once: a process killed between the SMTP
// server's acceptance and the write that records it sends that message again after takeover.
type Worker struct {
	db     *db.DB
	sender Sender
	log    *slog.Logger

	// Now is the clock; tests replace it.
	Now func() time.Time
	// Batch is how many messages one claim takes.
	Batch int
	// Poll is how long Run waits when nothing is due.
	Poll time.Duration
	// Backoff is the wait after each failed attempt; the last entry repeats. A message fails for good
	// after MaxAttempts attempts.
	Backoff     []time.Duration
	MaxAttempts int
	// SendTimeout bounds one delivery. It must stay well under StaleAfter, after which another worker
	// presumes this one dead and takes its claims over.
	SendTimeout time.Duration
	StaleAfter  time.Duration
}

// NewWorker returns a worker with the defaults: batches of 20, retries after 1 min, 5 min, 30 min and
// 2 h, failure after the fifth attempt, takeover of claims older than 5 min.
func NewWorker(d *db.DB, s Sender, log *slog.Logger) *Worker {
	return &Worker{
		db: d, sender: s, log: log,
		Now:         db.Now,
		Batch:       20,
		Poll:        2 * time.Second,
		Backoff:     []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour},
		MaxAttempts: 5,
		SendTimeout: 30 * time.Second,
		StaleAfter:  5 * time.Minute,
	}
}

// Run sends due mail until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		if _, err := w.SendDue(ctx); err != nil && ctx.Err() == nil {
			w.log.Error("send mail", "err", err)
		}
		timer.Reset(w.Poll)
	}
}

// SendDue claims and sends due messages, batch after batch, until none is due or ctx ends, and returns
// how many it delivered. A failed delivery is not an error: it is recorded on the message and retried.
func (w *Worker) SendDue(ctx context.Context) (int, error) {
	sent := 0
	for ctx.Err() == nil {
		now := w.Now()
		batch, err := claim(ctx, w.db, now, now.Add(-w.StaleAfter), w.Batch)
		if err != nil || len(batch) == 0 {
			return sent, err
		}
		n, err := w.sendBatch(ctx, batch)
		sent += n
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}

func (w *Worker) sendBatch(ctx context.Context, batch []claimed) (int, error) {
	// A message already handed to the SMTP server when ctx ends is finished and recorded, not abandoned:
	// abandoned, it would be sent again after a restart.
	keep := context.WithoutCancel(ctx)
	sent := 0
	for i := range batch {
		c := &batch[i]
		if ctx.Err() != nil {
			for j := i; j < len(batch); j++ {
				if err := handBack(keep, w.db.Writer(), &batch[j]); err != nil {
					w.log.Warn("hand back mail", "id", batch[j].id, "err", err)
				}
			}
			return sent, nil
		}
		ours, err := touch(keep, w.db.Writer(), c, w.Now())
		if err != nil {
			return sent, err // the rest of the batch goes stale and is taken over
		}
		if !ours {
			continue
		}
		sendCtx, cancel := context.WithTimeout(keep, w.SendTimeout)
		sendErr := w.sender.Send(sendCtx, c.msg)
		cancel()
		if sendErr == nil {
			sent++
			err = markSent(keep, w.db.Writer(), c, w.Now())
		} else {
			var next time.Time
			if c.attempts < w.MaxAttempts {
				next = w.Now().Add(w.backoff(c.attempts))
			}
			w.log.Warn("mail not delivered", "id", c.id, "attempt", c.attempts, "final", next.IsZero(), "err", sendErr)
			err = markFailed(keep, w.db.Writer(), c, sendErr.Error(), next)
		}
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// backoff is the wait after the given failed attempt (1 for the first).
func (w *Worker) backoff(attempt int) time.Duration {
	if len(w.Backoff) == 0 {
		return time.Minute
	}
	return w.Backoff[min(attempt, len(w.Backoff))-1]
}
