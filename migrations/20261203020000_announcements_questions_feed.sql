-- migrate:up
-- 看 / 问 and my feed (the community part §10): announcements of a building, a community or the
-- street with their frozen audience and acknowledgements (我已知晓); questions to the community
-- and their answers; and each person's feed, filled from the outbox in the writing transaction.

CREATE TABLE announcements (
    id                        text PRIMARY KEY,
    street_id                 text NOT NULL REFERENCES streets (id),
    community_id              text REFERENCES communities (id),
    building_id               text REFERENCES buildings (id),
    scope                     text NOT NULL CHECK (scope IN ('street', 'community', 'building')),
    author_type               text NOT NULL CHECK (author_type IN ('person', 'client')),
    author_id                 text NOT NULL,
    title                     text NOT NULL,
    body                      text NOT NULL,
    pinned                    boolean NOT NULL DEFAULT false,
    requires_acknowledgement  boolean NOT NULL DEFAULT false,
    status                    text NOT NULL CHECK (status IN ('scheduled', 'published', 'expired', 'withdrawn')),
    publish_at                timestamptz NOT NULL,
    expires_at                timestamptz,
    published_at              timestamptz,
    expired_at                timestamptz,
    withdrawn_at              timestamptz,
    households                integer NOT NULL DEFAULT 0 CHECK (households >= 0),   -- frozen at publishing
    created_at                timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at                timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (expires_at IS NULL OR expires_at > publish_at),
    CHECK ((scope = 'street' AND community_id IS NULL AND building_id IS NULL)
        OR (scope = 'community' AND community_id IS NOT NULL AND building_id IS NULL)
        OR (scope = 'building' AND community_id IS NOT NULL AND building_id IS NOT NULL))
);
CREATE INDEX announcements_street_idx ON announcements (street_id, scope, pinned DESC, created_at DESC, id DESC);
CREATE INDEX announcements_community_idx ON announcements (community_id, pinned DESC, created_at DESC, id DESC)
    WHERE scope = 'community';
CREATE INDEX announcements_building_idx ON announcements (building_id, pinned DESC, created_at DESC, id DESC);
CREATE INDEX announcements_sync_idx ON announcements (street_id, updated_at, id);
CREATE INDEX announcements_awareness_idx ON announcements (street_id, published_at) WHERE requires_acknowledgement;

-- The households in an announcement's scope when it was published (frozen then), and the
-- same counted per building (the acknowledgements report and the awareness rate read these).
CREATE TABLE announcement_households (
    announcement_id  text NOT NULL REFERENCES announcements (id),
    household_id     text NOT NULL REFERENCES households (id),
    building_id      text NOT NULL REFERENCES buildings (id),
    PRIMARY KEY (announcement_id, household_id)
);
CREATE INDEX announcement_households_building_idx ON announcement_households (announcement_id, building_id);

CREATE TABLE announcement_buildings (
    announcement_id  text NOT NULL REFERENCES announcements (id),
    building_id      text NOT NULL REFERENCES buildings (id),
    community_id     text NOT NULL REFERENCES communities (id),
    households       integer NOT NULL CHECK (households >= 0),
    acknowledged     integer NOT NULL DEFAULT 0 CHECK (acknowledged >= 0),
    PRIMARY KEY (announcement_id, building_id),
    CHECK (acknowledged <= households)
);
CREATE INDEX announcement_buildings_building_idx ON announcement_buildings (building_id);
CREATE INDEX announcement_buildings_community_idx ON announcement_buildings (community_id);

-- 我已知晓: once per household (the primary key; written with INSERT … ON CONFLICT DO NOTHING).
-- `in_audience`: the household was in the frozen audience (only those count). The person is
-- anonymised on erasure; the household's acknowledgement stays.
CREATE TABLE announcement_acknowledgements (
    announcement_id  text NOT NULL REFERENCES announcements (id),
    household_id     text NOT NULL REFERENCES households (id),
    building_id      text NOT NULL REFERENCES buildings (id),
    person_id        text REFERENCES persons (id),
    in_audience      boolean NOT NULL,
    created_at       timestamptz NOT NULL,
    PRIMARY KEY (announcement_id, household_id)
);
CREATE INDEX announcement_acknowledgements_person_idx ON announcement_acknowledgements (person_id);

CREATE TABLE questions (
    id                  text PRIMARY KEY,
    street_id           text NOT NULL REFERENCES streets (id),
    community_id        text NOT NULL REFERENCES communities (id),
    asker_id            text NOT NULL REFERENCES persons (id),
    title               text NOT NULL,
    body                text NOT NULL,
    public              boolean NOT NULL DEFAULT true,
    status              text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'closed')),
    accepted_answer_id  text,
    answers             integer NOT NULL DEFAULT 0 CHECK (answers >= 0),
    first_answered_at   timestamptz,
    closed_at           timestamptz,
    created_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at          timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX questions_community_idx ON questions (community_id, created_at DESC, id DESC);
CREATE INDEX questions_asker_idx ON questions (asker_id);
CREATE INDEX questions_sync_idx ON questions (street_id, updated_at, id);
CREATE INDEX questions_answered_idx ON questions (street_id, first_answered_at) WHERE first_answered_at IS NOT NULL;
CREATE INDEX questions_street_created_idx ON questions (street_id, created_at);

CREATE TABLE question_answers (
    id            text PRIMARY KEY,
    question_id   text NOT NULL REFERENCES questions (id),
    street_id     text NOT NULL REFERENCES streets (id),
    community_id  text NOT NULL REFERENCES communities (id),
    author_type   text NOT NULL CHECK (author_type IN ('person', 'client')),
    author_id     text NOT NULL,
    body          text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX question_answers_question_idx ON question_answers (question_id, created_at DESC, id DESC);
CREATE INDEX question_answers_author_idx ON question_answers (author_id);
ALTER TABLE questions ADD CONSTRAINT questions_accepted_answer_fkey
    FOREIGN KEY (accepted_answer_id) REFERENCES question_answers (id);

-- My feed: one row per (person, event) that concerns them, written by a trigger on the outbox
-- in the transaction of the change itself (so no request scans the events; a page is an index
-- range on (person, street, created_at, event_id)). The event's envelope is copied: the feed
-- outlives the outbox's retention.
CREATE TABLE person_feed (
    person_id     text NOT NULL REFERENCES persons (id),
    event_id      text NOT NULL,
    street_id     text NOT NULL REFERENCES streets (id),
    kind          text NOT NULL,
    type          text NOT NULL,
    occurred_at   timestamptz NOT NULL,
    community_id  text,
    building_id   text,
    subject_type  text NOT NULL,
    subject_id    text NOT NULL,
    data          jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (person_id, event_id)
);
CREATE INDEX person_feed_page_idx ON person_feed (person_id, street_id, created_at DESC, event_id DESC);

CREATE FUNCTION person_feed_fill() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    feed_kind text;
BEGIN
    IF NEW.type = 'announcement.published' THEN
        IF NOT coalesce((NEW.data->>'requires_acknowledgement')::boolean, false) THEN
            RETURN NULL;
        END IF;
        feed_kind := 'announcement_to_acknowledge';
        INSERT INTO person_feed (person_id, event_id, street_id, kind, type, occurred_at, community_id, building_id,
                                 subject_type, subject_id, data)
        SELECT DISTINCT m.person_id, NEW.id, NEW.street_id, feed_kind, NEW.type, NEW.occurred_at, NEW.community_id,
               NEW.building_id, NEW.subject_type, NEW.subject_id, NEW.data
          FROM announcement_households ah
          JOIN memberships m ON m.household_id = ah.household_id AND m.left_at IS NULL
         WHERE ah.announcement_id = NEW.subject_id
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    ELSIF NEW.type = 'proposal.stage_changed' THEN
        IF NEW.data->>'to' IS DISTINCT FROM 'voting' THEN
            RETURN NULL;
        END IF;
        INSERT INTO person_feed (person_id, event_id, street_id, kind, type, occurred_at, community_id, building_id,
                                 subject_type, subject_id, data)
        SELECT DISTINCT m.person_id, NEW.id, NEW.street_id, 'vote_opened', NEW.type, NEW.occurred_at,
               NEW.community_id, NEW.building_id, NEW.subject_type, NEW.subject_id, NEW.data
          FROM memberships m
         WHERE m.left_at IS NULL AND m.street_id = NEW.street_id
           AND (CASE WHEN NEW.building_id IS NOT NULL THEN m.building_id = NEW.building_id
                     ELSE m.community_id = NEW.community_id END)
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    ELSIF NEW.type = 'report.status_changed' THEN
        INSERT INTO person_feed (person_id, event_id, street_id, kind, type, occurred_at, community_id, building_id,
                                 subject_type, subject_id, data)
        SELECT r.reporter_id, NEW.id, NEW.street_id, 'report_changed', NEW.type, NEW.occurred_at, NEW.community_id,
               NEW.building_id, NEW.subject_type, NEW.subject_id, NEW.data
          FROM reports r WHERE r.id = NEW.subject_id
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    ELSIF NEW.type = 'booking.status_changed' THEN
        INSERT INTO person_feed (person_id, event_id, street_id, kind, type, occurred_at, community_id, building_id,
                                 subject_type, subject_id, data)
        SELECT b.person_id, NEW.id, NEW.street_id, 'booking_changed', NEW.type, NEW.occurred_at, NEW.community_id,
               NEW.building_id, NEW.subject_type, NEW.subject_id, NEW.data
          FROM bookings b WHERE b.id = NEW.subject_id AND b.person_id IS NOT NULL
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    ELSIF NEW.type = 'question.answered' THEN
        INSERT INTO person_feed (person_id, event_id, street_id, kind, type, occurred_at, community_id, building_id,
                                 subject_type, subject_id, data)
        SELECT q.asker_id, NEW.id, NEW.street_id, 'question_answered', NEW.type, NEW.occurred_at, NEW.community_id,
               NEW.building_id, NEW.subject_type, NEW.subject_id, NEW.data
          FROM questions q WHERE q.id = NEW.subject_id
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER person_feed_fill AFTER INSERT ON events FOR EACH ROW
    WHEN (NEW.type IN ('announcement.published', 'proposal.stage_changed', 'report.status_changed',
                       'booking.status_changed', 'question.answered'))
    EXECUTE FUNCTION person_feed_fill();

-- Statistics: an acknowledgement and a question are acts of the participation rate and of the
-- active residents (the spec's integrations part §A). An acknowledgement is its household's;
-- a question is the act of the household its asker lives in, in the question's community (if
-- several, the first by id; none if the asker lives elsewhere). Followed like every other
-- source (stats_follow_table: the rollups' one trigger function, and the rebuild).
CREATE FUNCTION stats_facts_announcement_acknowledgements(k announcement_acknowledgements)
RETURNS SETOF stats_fact LANGUAGE sql STABLE STRICT AS $$
    SELECT * FROM stats_household_act(k.household_id, k.person_id, k.created_at, k.announcement_id)
$$;

CREATE FUNCTION stats_facts_questions(q questions) RETURNS SETOF stats_fact LANGUAGE sql STABLE STRICT AS $$
    SELECT f.* FROM (SELECT min(m.household_id) AS household_id FROM memberships m
                      WHERE m.person_id = q.asker_id AND m.community_id = q.community_id AND m.left_at IS NULL) h,
           stats_household_act(h.household_id, q.asker_id, q.created_at, q.id) f
     WHERE h.household_id IS NOT NULL
$$;

SELECT stats_follow_table('announcement_acknowledgements');
SELECT stats_follow_table('questions');

-- migrate:down
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['announcement_acknowledgements', 'questions'] LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS stats_follow_insert ON %I', t);
        EXECUTE format('DROP TRIGGER IF EXISTS stats_follow_update ON %I', t);
        EXECUTE format('DROP TRIGGER IF EXISTS stats_follow_delete ON %I', t);
    END LOOP;
END
$$;
DELETE FROM stats_sources WHERE table_name IN ('announcement_acknowledgements', 'questions');
DROP FUNCTION stats_facts_questions(questions);
DROP FUNCTION stats_facts_announcement_acknowledgements(announcement_acknowledgements);
DROP TRIGGER person_feed_fill ON events;
DROP FUNCTION person_feed_fill();
DROP TABLE person_feed;
ALTER TABLE questions DROP CONSTRAINT questions_accepted_answer_fkey;
DROP TABLE question_answers;
DROP TABLE questions;
DROP TABLE announcement_acknowledgements;
DROP TABLE announcement_buildings;
DROP TABLE announcement_households;
DROP TABLE announcements;
