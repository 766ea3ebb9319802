-- Surveys: questionnaires sent in rounds. Answers carry no link to a person unless the survey is named;
-- an invitation records only that it was used. Results read the roll-up tables only, which each
-- submission updates in its own transaction for the respondent's own unit (unit_id 0: no unit, such as an
-- open citizen link without a fixed unit); sums through the org tree are made at read time.
CREATE TABLE surveys (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    title      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    named      BOOLEAN NOT NULL DEFAULT FALSE,
    k          INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX surveys_tenant ON surveys (tenant_id, created_at);
-- A question; options is a JSON array of labels for single and multiple choice, hme_index the statement's
-- place (0–8) in HMEAnswers for the HME template, else NULL.
CREATE TABLE survey_questions (
    id        INTEGER PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    type      TEXT NOT NULL,
    text      TEXT NOT NULL,
    options   TEXT NOT NULL DEFAULT '[]',
    required  BOOLEAN NOT NULL DEFAULT FALSE,
    hme_index INTEGER,
    UNIQUE (survey_id, position)
);
-- A round: target is 'invitations' (personal links) or 'link' (one open link, for example a QR code at a
-- reception desk, whose answers go to unit_id or to no unit).
CREATE TABLE survey_rounds (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    survey_id  INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    opens_at   TIMESTAMP NOT NULL,
    closes_at  TIMESTAMP NOT NULL,
    target     TEXT NOT NULL,
    unit_id    INTEGER REFERENCES units(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX survey_rounds_survey ON survey_rounds (survey_id, opens_at);
-- A personal link. Only the SHA-256 of its token is kept; person_id is for reminders, unit_id is the
-- person's unit when the round was sent, which the answer is counted under. used_at is kept to the day.
CREATE TABLE survey_invitations (
    id         INTEGER PRIMARY KEY,
    round_id   INTEGER NOT NULL REFERENCES survey_rounds(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    person_id  INTEGER REFERENCES people(id) ON DELETE SET NULL,
    unit_id    INTEGER REFERENCES units(id),
    used_at    TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX survey_invitations_round ON survey_invitations (round_id, used_at);
-- A submitted questionnaire. id is random, not sequential, and submitted_at is kept to the day, so that
-- neither can be lined up with the order in which invitations were used. person_id only for named surveys.
CREATE TABLE survey_responses (
    id              INTEGER PRIMARY KEY,
    round_id        INTEGER NOT NULL REFERENCES survey_rounds(id) ON DELETE CASCADE,
    unit_id         INTEGER REFERENCES units(id),
    person_id       INTEGER REFERENCES people(id) ON DELETE SET NULL,
    idempotency_key TEXT NOT NULL,
    submitted_at    TIMESTAMP NOT NULL,
    UNIQUE (round_id, idempotency_key)
);
-- One row per answered question, and per chosen option of a multiple-choice question. value is the scale
-- value or the option's index; text only for free text.
CREATE TABLE survey_answers (
    response_id INTEGER NOT NULL REFERENCES survey_responses(id) ON DELETE CASCADE,
    question_id INTEGER NOT NULL REFERENCES survey_questions(id) ON DELETE CASCADE,
    value       INTEGER NOT NULL DEFAULT 0,
    text        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (response_id, question_id, value)
);
CREATE INDEX survey_answers_question ON survey_answers (question_id);
-- Roll-ups, per round and the respondent's own unit (0 for none).
CREATE TABLE survey_rollup_responses (
    round_id INTEGER NOT NULL REFERENCES survey_rounds(id) ON DELETE CASCADE,
    unit_id  INTEGER NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (round_id, unit_id)
);
-- How many answered value (a scale value, an option index, or 0 for a free text) to a question.
CREATE TABLE survey_rollup_counts (
    round_id    INTEGER NOT NULL REFERENCES survey_rounds(id) ON DELETE CASCADE,
    unit_id     INTEGER NOT NULL,
    question_id INTEGER NOT NULL,
    value       INTEGER NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (round_id, unit_id, question_id, value)
);
-- The additive index part of HMETally; the statement distributions are in survey_rollup_counts.
CREATE TABLE survey_rollup_hme (
    round_id          INTEGER NOT NULL REFERENCES survey_rounds(id) ON DELETE CASCADE,
    unit_id           INTEGER NOT NULL,
    motivation_points INTEGER NOT NULL,
    motivation_n      INTEGER NOT NULL,
    ledarskap_points  INTEGER NOT NULL,
    ledarskap_n       INTEGER NOT NULL,
    styrning_points   INTEGER NOT NULL,
    styrning_n        INTEGER NOT NULL,
    total_points      INTEGER NOT NULL,
    total_n           INTEGER NOT NULL,
    PRIMARY KEY (round_id, unit_id)
);
