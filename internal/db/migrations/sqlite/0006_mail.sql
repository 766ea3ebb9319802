-- Outgoing mail: a durable queue, so that mail written in the same transaction as the thing it announces
-- (a survey round, an event's invitations) is sent even if the server restarts midway. dedupe_key is the
-- caller's name for the logical message: enqueueing it again after a crash stores nothing new.
-- attempts counts claims by a worker; next_attempt_at is when a queued message is next due (backoff), and
-- claimed_at when a worker took it, so another can take it over when that worker has died.
CREATE TABLE mail_messages (
    id              INTEGER PRIMARY KEY,
    tenant_id       INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    dedupe_key      TEXT NOT NULL,
    to_address      TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'queued',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_at      TIMESTAMP,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    sent_at         TIMESTAMP,
    UNIQUE (tenant_id, dedupe_key)
);
-- Workers look for due queued messages and for stale claims.
CREATE INDEX mail_messages_due ON mail_messages (status, next_attempt_at);
-- Files sent with a message, such as the .ics of an invitation.
CREATE TABLE mail_attachments (
    id           INTEGER PRIMARY KEY,
    message_id   INTEGER NOT NULL REFERENCES mail_messages(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    content      BLOB NOT NULL
);
CREATE INDEX mail_attachments_message ON mail_attachments (message_id);
