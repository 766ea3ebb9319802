-- Events: ledarforum, visionsdag and others, with their agenda, invitations (people of the kommun and
-- external guests), answers with capacity and a waitlist, check-in at the door and mingling groups.
CREATE TABLE events (
    id                   INTEGER PRIMARY KEY,
    tenant_id            INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    kind                 TEXT NOT NULL,
    title                TEXT NOT NULL,
    description          TEXT NOT NULL DEFAULT '',
    place                TEXT NOT NULL DEFAULT '',
    starts_at            TIMESTAMP NOT NULL,
    ends_at              TIMESTAMP NOT NULL,
    -- 0: no limit. yes_count is kept in the row that every answer locks, so that two answers on two
    -- servers cannot both take the last place.
    capacity             INTEGER NOT NULL DEFAULT 0,
    yes_count            INTEGER NOT NULL DEFAULT 0,
    rsvp_deadline        TIMESTAMP,
    group_size           INTEGER NOT NULL DEFAULT 4,
    guest_retention_days INTEGER NOT NULL DEFAULT 30,
    -- the surveys round sent to those who attended, once sent
    followup_round_id    INTEGER,
    cancelled_at         TIMESTAMP,
    -- raised on each change that the invitees' calendars must pick up (the .ics SEQUENCE)
    sequence             INTEGER NOT NULL DEFAULT 0,
    -- when "Skicka inbjudningar" was last pressed: the invitations made before it are sent, in batches,
    -- by whichever server gets there first, also after a restart midway
    send_requested_at    TIMESTAMP,
    created_at           TIMESTAMP NOT NULL
);
CREATE INDEX events_tenant ON events (tenant_id, starts_at);
-- The agenda: items in order, with an optional speaker (a person of the kommun or a name).
CREATE TABLE event_agenda_items (
    id                INTEGER PRIMARY KEY,
    event_id          INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    position          INTEGER NOT NULL,
    starts_at         TIMESTAMP,
    title             TEXT NOT NULL,
    speaker_person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
    speaker_name      TEXT NOT NULL DEFAULT '',
    UNIQUE (event_id, position)
);
-- One invitation per invitee: a person of the kommun (person_id) or an external guest (guest_*; erased
-- guest_retention_days after the event, when erased_at is set). Only the SHA-256 of the personal link's
-- token is kept; code is the short check-in code printed as a QR code and typed at the door.
-- status: invited, yes, no, waitlist. waitlisted_at orders the waitlist. unit_id is the person's unit
-- when invited, for attendance per förvaltning. host: hosts a mingling group. walk_in: added at the door.
CREATE TABLE event_invitations (
    id                 INTEGER PRIMARY KEY,
    event_id           INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    person_id          INTEGER REFERENCES people(id) ON DELETE SET NULL,
    unit_id            INTEGER REFERENCES units(id) ON DELETE SET NULL,
    guest_name         TEXT NOT NULL DEFAULT '',
    guest_email        TEXT NOT NULL DEFAULT '',
    guest_organisation TEXT NOT NULL DEFAULT '',
    token_hash         TEXT NOT NULL UNIQUE,
    code               TEXT NOT NULL,
    status             TEXT NOT NULL DEFAULT 'invited',
    diet               TEXT NOT NULL DEFAULT '',
    accessibility      TEXT NOT NULL DEFAULT '',
    answered_at        TIMESTAMP,
    waitlisted_at      TIMESTAMP,
    host               BOOLEAN NOT NULL DEFAULT FALSE,
    walk_in            BOOLEAN NOT NULL DEFAULT FALSE,
    -- when the invitation mail was queued; NULL until sent, which makes sending resumable
    sent_at            TIMESTAMP,
    reminded_at        TIMESTAMP,
    erased_at          TIMESTAMP,
    created_at         TIMESTAMP NOT NULL,
    UNIQUE (event_id, code)
);
CREATE UNIQUE INDEX event_invitations_person ON event_invitations (event_id, person_id) WHERE person_id IS NOT NULL;
CREATE INDEX event_invitations_status ON event_invitations (event_id, status, waitlisted_at);
CREATE INDEX event_invitations_unsent ON event_invitations (event_id, id) WHERE sent_at IS NULL;
-- an external guest is invited once per event; guest_email is stored in lower case and emptied on erasure
CREATE UNIQUE INDEX event_invitations_guest ON event_invitations (event_id, guest_email) WHERE guest_email <> '';
-- A check-in: at most one per invitation, whichever door and device scans first. scan_id is made by the
-- device per scan, so that a scan sent again after a dropped connection is recognised as the same scan.
CREATE TABLE event_checkins (
    id            INTEGER PRIMARY KEY,
    event_id      INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    invitation_id INTEGER NOT NULL UNIQUE REFERENCES event_invitations(id) ON DELETE CASCADE,
    scan_id       TEXT NOT NULL UNIQUE,
    door          TEXT NOT NULL DEFAULT '',
    scanned_at    TIMESTAMP NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX event_checkins_event ON event_checkins (event_id);
-- Mingling groups: an event may have several rounds the same day; each group has its members, one per
-- invitation. person_id is copied so that later events can avoid pairs who have met.
CREATE TABLE event_groups (
    id       INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    round    INTEGER NOT NULL,
    number   INTEGER NOT NULL,
    UNIQUE (event_id, round, number)
);
CREATE TABLE event_group_members (
    group_id      INTEGER NOT NULL REFERENCES event_groups(id) ON DELETE CASCADE,
    invitation_id INTEGER NOT NULL REFERENCES event_invitations(id) ON DELETE CASCADE,
    person_id     INTEGER REFERENCES people(id) ON DELETE SET NULL,
    PRIMARY KEY (group_id, invitation_id)
);
CREATE INDEX event_group_members_person ON event_group_members (person_id);
