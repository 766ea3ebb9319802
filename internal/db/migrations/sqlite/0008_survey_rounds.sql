-- Building surveys and sending rounds. A survey is frozen (frozen_at) when its first round is created:
-- submissions and results rely on its questions never changing after that; a copy can be edited instead.
-- The UPDATE that freezes it and the UPDATE that guards each edit take the same row lock, so an edit and
-- a new round cannot both win.
ALTER TABLE surveys ADD COLUMN frozen_at TIMESTAMP;
-- In a values pulse, the key of the värdeord a statement is about (values.Word.Key), for results per
-- värdeord; NULL for other questions.
ALTER TABLE survey_questions ADD COLUMN value_word TEXT;
-- A round's name ("Våren 2027"); the open link's random slug; whether a citizen survey's results are
-- published; when every invitation was created and queued (NULL while sending is unfinished, so that it
-- can be resumed); and when reminders were last sent.
ALTER TABLE survey_rounds ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE survey_rounds ADD COLUMN link_token TEXT;
ALTER TABLE survey_rounds ADD COLUMN published BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE survey_rounds ADD COLUMN sent_at TIMESTAMP;
ALTER TABLE survey_rounds ADD COLUMN reminded_at TIMESTAMP;
CREATE UNIQUE INDEX survey_rounds_link_token ON survey_rounds (link_token);
-- Who a round of personal links was sent to, as chosen: units (with everything under them when
-- subtree) and roles. Units and roles together mean the people with one of the roles within the units.
CREATE TABLE survey_round_targets (
    id       INTEGER PRIMARY KEY,
    round_id INTEGER NOT NULL REFERENCES survey_rounds(id) ON DELETE CASCADE,
    unit_id  INTEGER REFERENCES units(id),
    role     TEXT,
    subtree  BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE INDEX survey_round_targets_round ON survey_round_targets (round_id);
-- When the person was last reminded, so that no one gets more than one reminder a day. (A round's
-- invitations are kept one per person by their token, which is derived from the round and the person:
-- the unique token_hash makes sending again after a crash add none twice.)
ALTER TABLE survey_invitations ADD COLUMN reminded_at TIMESTAMP;
-- Submissions through an open link, per round and client address (a hash of it), for rate limiting
-- across servers. Rows older than the window are deleted as new ones come.
CREATE TABLE survey_link_hits (
    round_id    INTEGER NOT NULL REFERENCES survey_rounds(id) ON DELETE CASCADE,
    client_hash TEXT NOT NULL,
    at          TIMESTAMP NOT NULL
);
CREATE INDEX survey_link_hits_client ON survey_link_hits (round_id, client_hash, at);
