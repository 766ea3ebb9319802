-- Stories: examples and quotes tagged with värdeord, moderated, published inside the kommun and, when the
-- author allows, on its public page. A quote about a named colleague waits for their consent.
CREATE TABLE stories (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    author_id    INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    unit_id      INTEGER REFERENCES units(id),
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL,
    public       BOOLEAN NOT NULL DEFAULT FALSE,
    credit       TEXT NOT NULL,
    byline       TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    moderated_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
    moderated_at TIMESTAMP,
    subject_id   INTEGER REFERENCES people(id) ON DELETE SET NULL,
    subject_name TEXT NOT NULL DEFAULT '',
    consent      TEXT NOT NULL DEFAULT 'none',
    consent_at   TIMESTAMP,
    image_key    TEXT NOT NULL DEFAULT '',
    image_type   TEXT NOT NULL DEFAULT '',
    image_alt    TEXT NOT NULL DEFAULT '',
    image_width  INTEGER NOT NULL DEFAULT 0,
    image_height INTEGER NOT NULL DEFAULT 0,
    search       TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    published_at TIMESTAMP,
    withdrawn_at TIMESTAMP
);
CREATE INDEX stories_tenant_status ON stories (tenant_id, status, published_at);
CREATE INDEX stories_author ON stories (author_id, id);
CREATE INDEX stories_subject ON stories (subject_id) WHERE subject_id IS NOT NULL;
CREATE UNIQUE INDEX stories_image ON stories (image_key) WHERE image_key <> '';
-- The värdeord a story is tagged with, by their stable key (values.Word.Key).
CREATE TABLE story_words (
    story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    word_key TEXT NOT NULL,
    PRIMARY KEY (story_id, word_key)
);
CREATE INDEX story_words_key ON story_words (word_key, story_id);
-- Per kommun: the intranet origins that may frame the embeddable snippet.
CREATE TABLE story_settings (
    tenant_id       INTEGER PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    frame_ancestors TEXT NOT NULL DEFAULT '',
    updated_at      TIMESTAMP NOT NULL
);
-- A person's own Atom feed of the kommun's internal stories; the token in its address is stored hashed.
CREATE TABLE story_feed_tokens (
    person_id  INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    tenant_id  INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);
-- Swedish full-text search: SQLite has no Swedish stemmer, so db.IndexText keeps stemmed words here
-- (rowid = stories.id); PostgreSQL uses an expression index on stories.search instead.
CREATE VIRTUAL TABLE stories_fts USING fts5(doc, tokenize = 'unicode61 remove_diacritics 0');
