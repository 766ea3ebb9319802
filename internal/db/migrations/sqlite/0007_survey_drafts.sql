-- Answers a respondent saved to continue later, against their personal link: the form's fields as JSON.
-- A draft is deleted in the transaction that stores the submission, so that a saved draft never outlives
-- the answer it became (the final answer is stored without the link).
CREATE TABLE survey_drafts (
    token_hash TEXT PRIMARY KEY REFERENCES survey_invitations(token_hash) ON DELETE CASCADE,
    answers    TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
