-- Door staff: people who may run an event's check-in without being kommunadmins (HR, reception,
-- communicators at a visionsdag). The primary key is the lookup each of their scans makes.
CREATE TABLE event_door_staff (
    event_id   INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    person_id  INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (event_id, person_id)
);
-- The page /incheckning lists a person's events.
CREATE INDEX event_door_staff_person ON event_door_staff (person_id);
