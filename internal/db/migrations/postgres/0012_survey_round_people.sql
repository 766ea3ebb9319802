-- A round can go to a list of people chosen one by one, such as those who attended an event: one target
-- row per person. ON DELETE CASCADE: a person removed from the register drops out of the list.
ALTER TABLE survey_round_targets ADD COLUMN person_id BIGINT REFERENCES people(id) ON DELETE CASCADE;
CREATE INDEX survey_round_targets_person ON survey_round_targets (person_id);
