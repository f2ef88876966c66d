-- migrate:up
-- Activities and their sign-ups (the community spec §8); the talent pool and invitations (§9).

CREATE TABLE activities (
    id                     text PRIMARY KEY,
    street_id              text NOT NULL REFERENCES streets (id),
    community_id           text NOT NULL REFERENCES communities (id),
    building_id            text REFERENCES buildings (id),          -- NULL: the community's activity
    title                  text NOT NULL,
    description            text NOT NULL DEFAULT '',
    category               text NOT NULL CHECK (category IN ('culture', 'sports', 'volunteering', 'elderly_care',
                                                             'children', 'festival', 'safety', 'other')),
    starts_at              timestamptz NOT NULL,
    ends_at                timestamptz NOT NULL,
    location               text NOT NULL DEFAULT '',
    space_id               text REFERENCES spaces (id),
    booking_id             text REFERENCES bookings (id),
    capacity               integer CHECK (capacity >= 1),          -- NULL: unlimited
    seats_taken            integer NOT NULL DEFAULT 0,             -- seats of the confirmed sign-ups
    signup_opens_at        timestamptz,
    signup_closes_at       timestamptz,
    cancel_before_minutes  integer NOT NULL DEFAULT 0 CHECK (cancel_before_minutes >= 0),
    points_per_attendee    integer NOT NULL DEFAULT 0 CHECK (points_per_attendee >= 0),
    organizer_type         text NOT NULL CHECK (organizer_type IN ('person', 'organization')),
    organizer_id           text NOT NULL,
    status                 text NOT NULL DEFAULT 'draft'
                           CHECK (status IN ('draft', 'published', 'finished', 'cancelled')),
    cancel_reason          text,
    published_at           timestamptz,
    finished_at            timestamptz,
    cancelled_at           timestamptz,
    created_by             text REFERENCES persons (id),
    created_at             timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at             timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (ends_at > starts_at),
    -- Never more seats confirmed than there are (the sign-ups' row lock serialises the count).
    CHECK (seats_taken >= 0 AND (capacity IS NULL OR seats_taken <= capacity))
);
CREATE INDEX activities_building_page_idx ON activities (building_id, created_at DESC, id DESC);
CREATE INDEX activities_community_page_idx ON activities (community_id, created_at DESC, id DESC);
CREATE INDEX activities_street_starts_idx ON activities (street_id, starts_at);

CREATE TABLE activity_signups (
    id            text PRIMARY KEY,
    street_id     text NOT NULL REFERENCES streets (id),
    community_id  text NOT NULL REFERENCES communities (id),
    building_id   text REFERENCES buildings (id),
    activity_id   text NOT NULL REFERENCES activities (id),
    person_id     text REFERENCES persons (id),                    -- NULL once the person is erased
    companions    integer NOT NULL CHECK (companions BETWEEN 0 AND 4),
    seats         integer GENERATED ALWAYS AS (1 + companions) STORED,
    status        text NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled')),
    seq           bigint GENERATED ALWAYS AS IDENTITY,             -- the order of the waiting list
    confirmed_at  timestamptz,
    promoted_at   timestamptz,
    cancelled_at  timestamptz,
    attended_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- One live sign-up per person and activity (a cancelled one may be followed by a new one).
CREATE UNIQUE INDEX activity_signups_one_per_person ON activity_signups (activity_id, person_id)
    WHERE status <> 'cancelled';
CREATE INDEX activity_signups_waitlist_idx ON activity_signups (activity_id, seq) WHERE status = 'waitlisted';
CREATE INDEX activity_signups_page_idx ON activity_signups (activity_id, created_at DESC, id DESC);
CREATE INDEX activity_signups_person_idx ON activity_signups (person_id, created_at DESC, id DESC);

-- The talent pool: one profile per person and street; shown to neighbours only with consent.
CREATE TABLE talent_profiles (
    street_id             text NOT NULL REFERENCES streets (id),
    person_id             text NOT NULL REFERENCES persons (id),
    talents               jsonb NOT NULL DEFAULT '[]',             -- [{tag, description}]
    tags                  text[] NOT NULL DEFAULT '{}',            -- the tags of talents, for ?tag=
    available_for         text[] NOT NULL DEFAULT '{}',
    visible               boolean NOT NULL DEFAULT false,
    consent_version       text,
    consent_given_at      timestamptz,
    consent_withdrawn_at  timestamptz,
    created_at            timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at            timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (street_id, person_id)
);
CREATE INDEX talent_profiles_tags_idx ON talent_profiles USING gin (tags) WHERE visible;

CREATE TABLE talent_invitations (
    id            text PRIMARY KEY,
    street_id     text NOT NULL REFERENCES streets (id),
    community_id  text NOT NULL REFERENCES communities (id),
    building_id   text REFERENCES buildings (id),
    person_id     text NOT NULL REFERENCES persons (id),           -- the invited talent
    invited_by    text REFERENCES persons (id),
    task_id       text REFERENCES tasks (id),
    activity_id   text REFERENCES activities (id),
    message       text NOT NULL DEFAULT '',
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'declined')),
    accepted_at   timestamptz,
    declined_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK ((task_id IS NULL) <> (activity_id IS NULL))
);
CREATE INDEX talent_invitations_person_idx ON talent_invitations (person_id, created_at DESC, id DESC);

-- migrate:down
DROP TABLE talent_invitations;
DROP TABLE talent_profiles;
DROP TABLE activity_signups;
DROP TABLE activities;
