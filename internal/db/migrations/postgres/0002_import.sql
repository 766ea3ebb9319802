-- The import queue: each claim of a job counts an attempt, and a worker's writes name the attempt they
-- belong to, so a worker that was presumed dead and lost its job cannot overwrite the new claimant's work.
ALTER TABLE import_jobs ADD COLUMN attempt BIGINT NOT NULL DEFAULT 0;
-- The import page lists a kommun's recent jobs.
CREATE INDEX import_jobs_tenant ON import_jobs (tenant_id, id);
