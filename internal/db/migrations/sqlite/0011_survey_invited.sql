-- How many personal links a round sent per unit (0 for none), kept by triggers as invitations are added
-- or removed, so that response rates per unit cost O(units) rather than a count over every invitation.
CREATE TABLE survey_rollup_invited (
    round_id INTEGER NOT NULL REFERENCES survey_rounds(id) ON DELETE CASCADE,
    unit_id  INTEGER NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (round_id, unit_id)
);
INSERT INTO survey_rollup_invited (round_id, unit_id, n)
    SELECT round_id, COALESCE(unit_id, 0), COUNT(*) FROM survey_invitations GROUP BY round_id, COALESCE(unit_id, 0);
CREATE TRIGGER survey_invitations_counted AFTER INSERT ON survey_invitations BEGIN INSERT INTO survey_rollup_invited (round_id, unit_id, n) VALUES (NEW.round_id, COALESCE(NEW.unit_id, 0), 1) ON CONFLICT (round_id, unit_id) DO UPDATE SET n = survey_rollup_invited.n + 1; END;
CREATE TRIGGER survey_invitations_uncounted AFTER DELETE ON survey_invitations BEGIN UPDATE survey_rollup_invited SET n = n - 1 WHERE round_id = OLD.round_id AND unit_id = COALESCE(OLD.unit_id, 0); END;
