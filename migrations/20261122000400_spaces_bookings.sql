-- migrate:up
-- Shared spaces and their bookings (resources.md §4).

-- A space belongs to a building (building_id set) or to a community (building_id NULL).
-- Opening hours, closures and rules are small documents read whole with the space.
-- The calendar feed's secret is kept only as a SHA-256 digest.
CREATE TABLE spaces (
    id                     text PRIMARY KEY,
    street_id              text NOT NULL REFERENCES streets (id),
    community_id           text NOT NULL REFERENCES communities (id),
    building_id            text REFERENCES buildings (id),
    name                   text NOT NULL,
    kind                   text NOT NULL CHECK (kind IN ('meeting_room', 'lounge', 'corridor',
                                                         'reading_corner', 'kitchen', 'yard', 'other')),
    capacity               integer NOT NULL CHECK (capacity BETWEEN 1 AND 10000),
    timezone               text NOT NULL DEFAULT 'Asia/Shanghai',
    opening_hours          jsonb NOT NULL DEFAULT '{}',
    closures               jsonb NOT NULL DEFAULT '[]',
    rules                  jsonb NOT NULL DEFAULT '{}',
    calendar_token_digest  bytea,
    created_at             timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at             timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX spaces_page_idx ON spaces (street_id, created_at DESC, id DESC);
CREATE INDEX spaces_building_page_idx ON spaces (building_id, created_at DESC, id DESC);
CREATE INDEX spaces_community_page_idx ON spaces (community_id, created_at DESC, id DESC);

-- No double booking, ever: two active bookings of one space never overlap. Inserts of one
-- space are serialised by a lock on the space row, so this constraint is the last word, not
-- a source of deadlocks.
CREATE TABLE bookings (
    id               text PRIMARY KEY,
    street_id        text NOT NULL REFERENCES streets (id),
    space_id         text NOT NULL REFERENCES spaces (id),
    community_id     text NOT NULL REFERENCES communities (id),
    building_id      text REFERENCES buildings (id),
    household_id     text REFERENCES households (id),
    organization_id  text REFERENCES organizations (id),
    person_id        text REFERENCES persons (id),
    series_id        text,
    start_at         timestamptz NOT NULL,
    end_at           timestamptz NOT NULL,
    purpose          text NOT NULL DEFAULT '',
    attendees        integer NOT NULL CHECK (attendees >= 1),
    status           text NOT NULL CHECK (status IN ('pending', 'confirmed', 'checked_in', 'completed',
                                                     'rejected', 'cancelled', 'no_show')),
    confirmed_at     timestamptz,
    checked_in_at    timestamptz,
    completed_at     timestamptz,
    rejected_at      timestamptz,
    cancelled_at     timestamptz,
    no_show_at       timestamptz,
    created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (end_at > start_at),
    CONSTRAINT bookings_no_overlap EXCLUDE USING gist (
        space_id WITH =, tstzrange(start_at, end_at, '[)') WITH &&
    ) WHERE (status IN ('pending', 'confirmed', 'checked_in'))
);
CREATE INDEX bookings_space_page_idx ON bookings (space_id, created_at DESC, id DESC);
CREATE INDEX bookings_person_page_idx ON bookings (person_id, created_at DESC, id DESC);
CREATE INDEX bookings_household_idx ON bookings (household_id, start_at);
CREATE INDEX bookings_space_time_idx ON bookings (space_id, start_at);

-- A household's booking right, suspended after repeated no-shows; ends by itself at ends_at.
CREATE TABLE booking_suspensions (
    id            text PRIMARY KEY,
    street_id     text NOT NULL REFERENCES streets (id),
    household_id  text NOT NULL REFERENCES households (id),
    starts_at     timestamptz NOT NULL,
    ends_at       timestamptz NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX booking_suspensions_household_idx ON booking_suspensions (household_id, ends_at);

-- migrate:down
DROP TABLE booking_suspensions;
DROP TABLE bookings;
DROP TABLE spaces;
