package org

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/vard-kommun/vard/internal/db"
)

// --- the queue of import jobs

// The states of an import job, as stored in import_jobs.status.
const (
	importQueued       = "queued"       // waiting for a worker to read the file
	importRunning      = "running"      // a worker is reading the file for the preview
	importNeedsMapping = "mapping"      // the columns were not recognised; a person chooses them
	importPreviewed    = "previewed"    // the preview is ready
	importApplyQueued  = "apply_queued" // a person asked for the import; waiting for a worker
	importApplying     = "applying"     // a worker is storing the file
	importDone         = "done"
	importFailed       = "failed"
	importCancelled    = "cancelled"
)

const (
	importPoll = 200 * time.Millisecond
	// importKeep is how long a preview nobody applies keeps its file, which holds personal data.
	importKeep = 7 * 24 * time.Hour
	// importStaleAfter is how long a job may go without a sign of life before another worker takes it
	// over: its worker's process has died. A live worker writes progress several times a second, except
	// an apply on SQLite, which holds the only write connection, so no other worker can claim anything.
	importStaleAfter = 2 * time.Minute
	// importMaxClaims stops a file that kills every worker that reads it from being retried for ever.
	importMaxClaims = 10
)

// importJob is one import as the pages show it.
type importJob struct {
	ID        int64
	TenantID  int64
	Filename  string
	Status    string
	Mapping   Mapping // nil until chosen or previewed
	Total     int
	Processed int
	Result    *ImportResult
	Message   string
	Attempt   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Working reports whether the job is waiting for or being handled by a worker.
func (j *importJob) Working() bool {
	switch j.Status {
	case importQueued, importRunning, importApplyQueued, importApplying:
		return true
	}
	return false
}

// Percent is the progress as a whole percentage, 0 while the total is unknown.
func (j *importJob) Percent() int {
	if j.Total <= 0 {
		return 0
	}
	return min(100, j.Processed*100/j.Total)
}

const importJobColumns = `id, tenant_id, filename, status, mapping, total, processed, result, message, attempt, created_at, updated_at`

func scanImportJob(row interface{ Scan(...any) error }) (*importJob, error) {
	j := &importJob{}
	var mapping, result string
	err := row.Scan(&j.ID, &j.TenantID, &j.Filename, &j.Status, &mapping, &j.Total, &j.Processed, &result, &j.Message,
		&j.Attempt, &j.CreatedAt, &j.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if mapping != "" {
		_ = json.Unmarshal([]byte(mapping), &j.Mapping) // unreadable means not chosen
	}
	if result != "" {
		res := &ImportResult{}
		if json.Unmarshal([]byte(result), res) == nil {
			j.Result = res
		}
	}
	return j, nil
}

// createJob stores an uploaded file as a job waiting for its preview.
func (im *Importer) createJob(ctx context.Context, tenantID int64, filename string, content []byte) (int64, error) {
	now := db.Now()
	var id int64
	err := im.db().Writer().QueryRowContext(ctx, `INSERT INTO import_jobs (tenant_id, filename, status, content, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, tenantID, filename, importQueued, content, now, now).Scan(&id)
	return id, err
}

// job returns one of the kommun's jobs, with the live progress when this process is running it.
func (im *Importer) job(ctx context.Context, tenantID, id int64) (*importJob, error) {
	j, err := scanImportJob(im.db().Read().QueryRowContext(ctx, `SELECT `+importJobColumns+` FROM import_jobs WHERE id = $1 AND tenant_id = $2`, id, tenantID))
	if err != nil {
		return nil, err
	}
	if j.Working() {
		im.mu.Lock()
		p, ok := im.live[j.ID]
		im.mu.Unlock()
		if ok {
			j.Processed, j.Total = p.Processed, p.Total
		}
	}
	return j, nil
}

// recentJobs lists the kommun's latest jobs, newest first.
func (im *Importer) recentJobs(ctx context.Context, tenantID int64, limit int) ([]*importJob, error) {
	rows, err := im.db().Read().QueryContext(ctx, `SELECT `+importJobColumns+` FROM import_jobs WHERE tenant_id = $1 ORDER BY id DESC LIMIT $2`, tenantID, limit)
	return db.Collect(rows, err, scanImportJob)
}

// queueApply asks a worker to apply a previewed job. It reports false when the job is not (or no
// longer) previewed, for instance when the button is pressed twice.
func (im *Importer) queueApply(ctx context.Context, tenantID, id int64) (bool, error) {
	res, err := im.db().Exec(ctx, `UPDATE import_jobs SET status = $1, processed = 0, message = '', updated_at = $2
		WHERE id = $3 AND tenant_id = $4 AND status = $5`, importApplyQueued, db.Now(), id, tenantID, importPreviewed)
	return affected(res, err)
}

// cancelJob discards a job that is not being applied, and its file. A preview being read when it is
// cancelled finds the job cancelled when it is done, and leaves it so.
func (im *Importer) cancelJob(ctx context.Context, tenantID, id int64) (bool, error) {
	res, err := im.db().Exec(ctx, `UPDATE import_jobs SET status = $1, content = $2, updated_at = $3
		WHERE id = $4 AND tenant_id = $5 AND status IN ($6, $7, $8, $9, $10, $11)`,
		importCancelled, []byte{}, db.Now(), id, tenantID,
		importQueued, importRunning, importNeedsMapping, importPreviewed, importApplyQueued, importFailed)
	return affected(res, err)
}

// chooseColumns saves a person's choice of columns as the kommun's mapping ("mapped once") and queues the
// job for a new preview with it.
func (im *Importer) chooseColumns(ctx context.Context, tenantID, id int64, header []string, m Mapping) (bool, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return false, err
	}
	ok := false
	err = im.db().Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE import_jobs SET status = $1, mapping = $2, result = '', message = '', total = 0, processed = 0, updated_at = $3
			WHERE id = $4 AND tenant_id = $5 AND status IN ($6, $7)`, importQueued, string(b), db.Now(), id, tenantID, importNeedsMapping, importPreviewed)
		if ok, err = affected(res, err); err != nil || !ok {
			return err
		}
		return saveMapping(ctx, tx, tenantID, header, m)
	})
	return ok, err
}

func affected(res sql.Result, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Run processes queued import jobs until ctx ends. Any number of processes may run it against one
// PostgreSQL database: each job is claimed by one of them.
func (im *Importer) Run(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	var expired time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		if time.Since(expired) > time.Hour {
			if err := im.expire(ctx); err != nil && ctx.Err() == nil {
				im.log.Error("expire import jobs", "err", err)
			}
			expired = time.Now()
		}
		im.runPending(ctx)
		timer.Reset(importPoll)
	}
}

// expire cancels previews that nobody applied or cancelled within importKeep, and drops their files.
func (im *Importer) expire(ctx context.Context) error {
	_, err := im.db().Exec(ctx, `UPDATE import_jobs SET status = $1, content = $2, message = $3, updated_at = $4
		WHERE status IN ($5, $6) AND updated_at < $7`,
		importCancelled, []byte{}, "Förhandsgranskningen avbröts efter en vecka utan att importen genomfördes. Ladda upp filen igen.",
		db.Now(), importNeedsMapping, importPreviewed, db.Now().Add(-importKeep))
	return err
}

// runPending processes jobs until none is waiting, and returns how many it processed.
func (im *Importer) runPending(ctx context.Context) int {
	n := 0
	for ctx.Err() == nil {
		job, err := im.claim(ctx)
		if err != nil {
			if ctx.Err() == nil {
				im.log.Error("claim import job", "err", err)
			}
			return n
		}
		if job == nil {
			return n
		}
		im.process(ctx, job)
		n++
	}
	return n
}

// claim takes the oldest waiting job, or one whose worker has died, and marks it as this worker's. On
// PostgreSQL, FOR UPDATE SKIP LOCKED lets several servers claim at once without taking the same job; on
// SQLite the single writer makes the claim one at a time.
func (im *Importer) claim(ctx context.Context) (*importJob, error) {
	stale := db.Now().Add(-importStaleAfter)
	const waiting = `(status IN ('queued', 'apply_queued') OR (status IN ('running', 'applying') AND updated_at < $1))`
	// A look on the read side first, so that an idle server does not take the write lock five times a second.
	var id int64
	err := im.db().Read().QueryRowContext(ctx, `SELECT id FROM import_jobs WHERE `+waiting+` LIMIT 1`, stale).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var job *importJob
	err = im.db().Tx(ctx, func(tx *sql.Tx) error {
		j := &importJob{}
		var mapping string
		err := tx.QueryRowContext(ctx, `SELECT id, tenant_id, filename, status, mapping, total, attempt FROM import_jobs
			WHERE `+waiting+` ORDER BY id LIMIT 1`+im.db().SkipLocked(), stale).
			Scan(&j.ID, &j.TenantID, &j.Filename, &j.Status, &mapping, &j.Total, &j.Attempt)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		now := db.Now()
		if j.Attempt >= importMaxClaims {
			_, err := tx.ExecContext(ctx, `UPDATE import_jobs SET status = $1, message = $2, content = $3, updated_at = $4 WHERE id = $5`,
				importFailed, "Filen kunde inte läsas färdigt. Ingenting har ändrats. Kontrollera filen och ladda upp den igen.", []byte{}, now, j.ID)
			return err
		}
		next := importRunning
		if j.Status == importApplyQueued || j.Status == importApplying {
			next = importApplying
		}
		if _, err := tx.ExecContext(ctx, `UPDATE import_jobs SET status = $1, attempt = attempt + 1, processed = 0, updated_at = $2 WHERE id = $3`,
			next, now, j.ID); err != nil {
			return err
		}
		if mapping != "" {
			_ = json.Unmarshal([]byte(mapping), &j.Mapping)
		}
		j.Status, j.Attempt = next, j.Attempt+1
		job = j
		return nil
	})
	return job, err
}

// errLostJob means the job was cancelled or taken over while this worker applied it; the work is rolled back.
var errLostJob = errors.New("import job no longer ours")

// process previews or applies a claimed job and records the outcome.
func (im *Importer) process(ctx context.Context, job *importJob) {
	defer func() {
		im.mu.Lock()
		delete(im.live, job.ID)
		im.mu.Unlock()
	}()
	defer func() {
		// The file readers already recover from their parsers' panics; this is the last line, so
		// that no file can take the server down.
		if p := recover(); p != nil {
			im.log.Error("import job panicked", "job", job.ID, "panic", p, "stack", string(debug.Stack()))
			im.settleJob(context.WithoutCancel(ctx), im.db().Writer(), job, importFailed, nil,
				"Importen avbröts av ett oväntat fel. Ingenting har ändrats.")
		}
	}()
	var content []byte
	if err := im.db().Read().QueryRowContext(ctx, `SELECT content FROM import_jobs WHERE id = $1`, job.ID).Scan(&content); err != nil {
		if ctx.Err() != nil {
			im.handBack(job)
			return
		}
		im.log.Error("read import file", "job", job.ID, "err", err)
		return // the job goes stale and is claimed again
	}
	// An apply on SQLite holds the only write connection, so its progress stays in memory (see live).
	toDB := job.Status == importRunning || im.db().Dialect != db.SQLite
	report := throttle(func(p importProgress) {
		im.mu.Lock()
		im.live[job.ID] = p
		im.mu.Unlock()
		if toDB {
			// The write also tells other workers that this one is alive.
			if _, err := im.db().Exec(ctx, `UPDATE import_jobs SET processed = $1, total = $2, updated_at = $3 WHERE id = $4 AND attempt = $5`,
				p.Processed, p.Total, db.Now(), job.ID, job.Attempt); err != nil && ctx.Err() == nil {
				im.log.Warn("import progress", "job", job.ID, "err", err)
			}
		}
	})
	if job.Status == importRunning {
		im.previewJob(ctx, job, content, report)
	} else {
		im.applyJob(ctx, job, content, report)
	}
}

func (im *Importer) previewJob(ctx context.Context, job *importJob, content []byte, report func(done, total int)) {
	res, err := im.importContent(ctx, job.TenantID, content, importOptions{filename: job.Filename, mapping: job.Mapping, progress: report})
	status, msg := importPreviewed, ""
	var ie *ImportError
	switch {
	case errors.As(err, &ie) && ie.NeedsMapping:
		status, msg = importNeedsMapping, ie.Message
	case errors.As(err, &ie):
		status, msg = importFailed, ie.Message
	case err != nil && ctx.Err() != nil:
		im.handBack(job)
		return
	case err != nil:
		im.log.Error("import preview", "job", job.ID, "err", err)
		status, msg = importFailed, "Filen kunde inte förhandsgranskas på grund av ett tekniskt fel. Ladda upp den igen om en stund."
	}
	if _, err := im.settleJob(ctx, im.db().Writer(), job, status, res, msg); err != nil && ctx.Err() == nil {
		im.log.Error("record import preview", "job", job.ID, "err", err)
	}
}

func (im *Importer) applyJob(ctx context.Context, job *importJob, content []byte, report func(done, total int)) {
	res, err := im.importContent(ctx, job.TenantID, content, importOptions{filename: job.Filename, mapping: job.Mapping,
		apply: true, rowsHint: job.Total, progress: report,
		finish: func(tx *sql.Tx, res *ImportResult) error {
			ok, err := im.settleJob(ctx, tx, job, importDone, res, "")
			if err == nil && !ok {
				err = errLostJob
			}
			return err
		}})
	// Whatever stopped the apply, nothing was stored: the job goes back to its preview, with a new
	// result when the rows now have errors, and can be tried again.
	var ie *ImportError
	msg := ""
	switch {
	case err == nil && res.Applied:
		return // settled in the transaction
	case errors.Is(err, errLostJob):
		im.log.Info("import job taken over or cancelled while applying; rolled back", "job", job.ID)
		return
	case errors.As(err, &ie):
		msg, res = ie.Message, nil
	case err != nil && ctx.Err() != nil:
		im.handBack(job) // rolled back; the next worker starts over
		return
	case err != nil:
		im.log.Error("import apply", "job", job.ID, "err", err)
		msg, res = "Importen kunde inte genomföras på grund av ett tekniskt fel. Ingenting har ändrats. Försök igen om en stund.", nil
	default:
		msg = "Importen genomfördes inte: organisationen har ändrats sedan förhandsgranskningen, och nu har filen fel. Ingenting har ändrats. Rätta filen och ladda upp den igen."
	}
	if _, err := im.settleJob(ctx, im.db().Writer(), job, importPreviewed, res, msg); err != nil && ctx.Err() == nil {
		im.log.Error("record import apply", "job", job.ID, "err", err)
	}
}

// handBack returns a job this worker was stopped in the middle of to the queue, so that the next worker
// (after a restart, say) takes it at once instead of waiting for it to go stale.
func (im *Importer) handBack(job *importJob) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	back := importQueued
	if job.Status == importApplying {
		back = importApplyQueued
	}
	if _, err := im.db().Exec(ctx, `UPDATE import_jobs SET status = $1, updated_at = $2 WHERE id = $3 AND attempt = $4 AND status = $5`,
		back, db.Now(), job.ID, job.Attempt, job.Status); err != nil {
		im.log.Warn("hand back import job", "job", job.ID, "err", err)
	}
}

// settleJob records a job's outcome, if the job is still this worker's: one cancelled meanwhile, or
// claimed by another worker, is left as it is (and false returned). A nil res keeps the earlier result.
func (im *Importer) settleJob(ctx context.Context, q db.Querier, job *importJob, status string, res *ImportResult, message string) (bool, error) {
	sets := []string{"status = $1", "message = $2", "updated_at = $3"}
	args := []any{status, message, db.Now()}
	set := func(col string, v any) {
		args = append(args, v)
		sets = append(sets, fmt.Sprintf("%s = $%d", col, len(args)))
	}
	if res != nil {
		b, err := json.Marshal(res)
		if err != nil {
			return false, err
		}
		set("result", string(b))
		set("total", res.Rows)
		set("processed", res.Rows)
		if status == importPreviewed && res.Mapping != nil {
			// The apply reads the file with exactly the mapping the preview showed.
			m, err := json.Marshal(res.Mapping)
			if err != nil {
				return false, err
			}
			set("mapping", string(m))
		}
	}
	if status == importDone || status == importFailed {
		set("content", []byte{}) // the file is not needed any more; personal data is not kept longer than that
	}
	args = append(args, job.ID, job.Attempt, job.Status)
	n := len(args)
	r, err := q.ExecContext(ctx, `UPDATE import_jobs SET `+strings.Join(sets, ", ")+
		fmt.Sprintf(` WHERE id = $%d AND attempt = $%d AND status = $%d`, n-2, n-1, n), args...)
	return affected(r, err)
}
