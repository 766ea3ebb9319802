-- The värdegrund: versions (a draft, the adopted one, the replaced ones), with their värdeord and the
-- servicedeklaration's promises. Keys of värdeord and promises stay the same from version to version, so
-- that tags and scorecard measurements survive a new version.
CREATE TABLE value_versions (
    id                  INTEGER PRIMARY KEY,
    tenant_id           INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    number              INTEGER NOT NULL,
    status              TEXT NOT NULL,
    vision              TEXT NOT NULL DEFAULT '',
    code                TEXT NOT NULL DEFAULT '',
    based_on_id         INTEGER REFERENCES value_versions(id) ON DELETE SET NULL,
    created_by          INTEGER REFERENCES people(id) ON DELETE SET NULL,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    adopted_on          TEXT NOT NULL DEFAULT '',
    adopted_body        TEXT NOT NULL DEFAULT '',
    registration_number TEXT NOT NULL DEFAULT '',
    recorded_by         INTEGER REFERENCES people(id) ON DELETE SET NULL,
    recorded_at         TIMESTAMP,
    replaced_at         TIMESTAMP
);
CREATE UNIQUE INDEX value_versions_number ON value_versions (tenant_id, number);
-- One draft at a time, and one version in force, per kommun.
CREATE UNIQUE INDEX value_versions_one_draft ON value_versions (tenant_id) WHERE status = 'draft';
CREATE UNIQUE INDEX value_versions_one_adopted ON value_versions (tenant_id) WHERE status = 'adopted';
CREATE TABLE value_words (
    id         INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES value_versions(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    word_key   TEXT NOT NULL,
    name       TEXT NOT NULL,
    meaning    TEXT NOT NULL DEFAULT '',
    behaviours TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX value_words_key ON value_words (version_id, word_key);
CREATE INDEX value_words_version ON value_words (version_id, position);
CREATE TABLE value_promises (
    id           INTEGER PRIMARY KEY,
    version_id   INTEGER NOT NULL REFERENCES value_versions(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    promise_key  TEXT NOT NULL,
    text         TEXT NOT NULL,
    target_value REAL,
    target_unit  TEXT NOT NULL DEFAULT '',
    measure      TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX value_promises_key ON value_promises (version_id, promise_key);
CREATE INDEX value_promises_version ON value_promises (version_id, position);
