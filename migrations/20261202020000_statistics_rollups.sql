-- migrate:up
-- Street statistics (integrations.md §A): rollups kept current by triggers on the source rows
-- (statement-level, with transition tables),
-- so that GET /v1/stats reads a few rows per (building, local day) of its scope and never the
-- street's raw rows. Triggers (rather than the worker folding the event log) because they run
-- in the writing transaction: a figure reflects every committed act at once, no write path
-- (including the single-statement ones) can forget to count, and a changed row is counted by
-- what it is now — a trigger takes back the old row's facts and adds the new row's.
--
-- A row's facts are a pure function of the row (stats_facts_<table>), so that
--   rollup = Σ over rows of facts(row),
-- a trigger applies facts(NEW) − facts(OLD), and stats_rebuild() recomputes everything from the
-- raw rows set-based. Days are local dates in the street's time zone (streets.timezone).
-- Community-level things (a community's space) have building_id '' and count for the community
-- and street, not for any building.

-- Counters by (place, local day, metric), kept at two levels: the building's row and its
-- community's row (building_id '*'), so that a street or community reads one row per community
-- and day rather than one per building. The months' distinct counts (metrics month_*, dated
-- on the 1st) live here too: households at the building and community rows, persons at the
-- building, community and street (community_id '*') rows.
CREATE TABLE stats_daily (
    street_id     text NOT NULL,
    community_id  text NOT NULL,
    building_id   text NOT NULL DEFAULT '',
    day           date NOT NULL,
    metric        text NOT NULL,
    n             double precision NOT NULL DEFAULT 0,
    PRIMARY KEY (street_id, day, community_id, building_id, metric)
);
-- Covering, so that a request reads the index alone (a past day's rows no longer change, so
-- their pages stay all-visible).
CREATE INDEX stats_daily_street_level_idx ON stats_daily (street_id, building_id, day) INCLUDE (community_id, metric, n);
CREATE INDEX stats_daily_community_idx ON stats_daily (community_id, building_id, day) INCLUDE (metric, n);
CREATE INDEX stats_daily_building_idx ON stats_daily (building_id, day) INCLUDE (metric, n);

-- Who acted (kind 'act') or signed in (kind 'signin') where and on which local day, for the
-- distinct counts (households with an act, active persons); n counts the rows behind it.
CREATE TABLE stats_activity (
    street_id     text NOT NULL,
    community_id  text NOT NULL,
    building_id   text NOT NULL DEFAULT '',
    day           date NOT NULL,
    household_id  text NOT NULL DEFAULT '',
    person_id     text NOT NULL DEFAULT '',
    kind          text NOT NULL CHECK (kind IN ('act', 'signin')),
    n             bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (street_id, day, community_id, building_id, household_id, person_id, kind)
);
CREATE INDEX stats_activity_community_idx ON stats_activity (community_id, day);
CREATE INDEX stats_activity_building_idx ON stats_activity (building_id, day);

-- Who acted in a month, for the distinct counts of a calendar month (the default period and
-- the monthly report) without a scan: a household's first act of the month at its building,
-- and a person's at each level (building, community, street), counts one in stats_daily;
-- its last act taken back (n back to 0) takes the one back.
CREATE TABLE stats_month_households (
    street_id     text NOT NULL,
    community_id  text NOT NULL,
    building_id   text NOT NULL,
    month         date NOT NULL,
    household_id  text NOT NULL,
    n             bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (household_id, month)
);
CREATE TABLE stats_month_persons (
    place_id   text NOT NULL,  -- a building, a community or the street
    month      date NOT NULL,
    person_id  text NOT NULL,
    n          bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (place_id, month, person_id)
);

-- Durations, one per (metric, source row), for the medians (percentile_cont over a period).
CREATE TABLE stats_durations (
    metric        text NOT NULL,
    source_id     text NOT NULL,
    street_id     text NOT NULL,
    community_id  text NOT NULL,
    building_id   text NOT NULL DEFAULT '',
    day           date NOT NULL,
    value         double precision NOT NULL,
    PRIMARY KEY (metric, source_id)
);
CREATE INDEX stats_durations_street_idx ON stats_durations (street_id, day) INCLUDE (metric, value);
CREATE INDEX stats_durations_community_idx ON stats_durations (community_id, day) INCLUDE (metric, value);
CREATE INDEX stats_durations_building_idx ON stats_durations (building_id, day) INCLUDE (metric, value);

CREATE TYPE stats_fact AS (
    kind          text,              -- count, act, signin, duration
    street_id     text,
    community_id  text,
    building_id   text,
    day           date,
    metric        text,
    household_id  text,
    person_id     text,
    n             double precision,  -- a count's amount, or a duration's value
    source_id     text
);

-- (The per-table fact functions are STRICT, which also keeps the planner from inlining them:
-- inlined into one big UNION they trip a PostgreSQL 15 planner error.)

-- One fact about a row: v(kind, at, metric, n, household, person) placed and dated.
CREATE FUNCTION stats_facts_of(street text, community text, building text, source text,
                               v_kind text[], v_at timestamptz[], v_metric text[], v_n double precision[],
                               v_household text[], v_person text[])
RETURNS SETOF stats_fact LANGUAGE sql STABLE AS $$
    SELECT ROW(v_kind[i], street, community, coalesce(building, ''),
               (v_at[i] AT TIME ZONE z.timezone)::date, v_metric[i], coalesce(v_household[i], ''),
               coalesce(v_person[i], ''), v_n[i], source)::stats_fact
      FROM generate_subscripts(v_kind, 1) i, (SELECT timezone FROM streets WHERE id = street) z
     WHERE v_at[i] IS NOT NULL
$$;

-- The household a person acts for in a building (reports and comments name no household).
CREATE FUNCTION stats_household_of(person text, building text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT min(household_id) FROM memberships
     WHERE person_id = person AND building_id = building AND left_at IS NULL
$$;

CREATE FUNCTION stats_facts_reports(r reports) RETURNS SETOF stats_fact LANGUAGE sql STABLE STRICT AS $$
    SELECT * FROM stats_facts_of(r.street_id, r.community_id, r.building_id, r.id,
        ARRAY['count', 'count', 'count', 'count', 'duration', 'count', 'count', 'count', 'act'],
        ARRAY[r.created_at, CASE WHEN r.urgency = 'urgent' THEN r.created_at END,
              CASE WHEN r.resolved_at IS NOT NULL THEN r.created_at END, r.resolved_at, r.resolved_at,
              CASE WHEN r.feedback_rating IS NOT NULL THEN r.feedback_at END,
              CASE WHEN r.feedback_rating >= 4 THEN r.feedback_at END,
              CASE WHEN r.feedback_rating IS NOT NULL THEN r.feedback_at END, r.created_at]::timestamptz[],
        ARRAY['reports_received', 'reports_urgent', 'reports_received_resolved', 'reports_resolved',
              'report_resolution_hours', 'ratings', 'ratings_satisfied', 'ratings_sum', ''],
        ARRAY[1, 1, 1, 1, extract(epoch FROM r.resolved_at - r.created_at) / 3600, 1, 1,
              coalesce(r.feedback_rating, 0), 1]::double precision[],
        ARRAY[NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
              stats_household_of(r.reporter_id, r.building_id)]::text[],
        ARRAY[NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, r.reporter_id]::text[])
$$;

CREATE FUNCTION stats_facts_tasks(t tasks) RETURNS SETOF stats_fact LANGUAGE sql STABLE STRICT AS $$
    SELECT * FROM stats_facts_of(t.street_id, t.community_id, t.building_id, t.id,
        ARRAY['count', 'count', 'count', 'count', 'count', 'count', 'count'],
        ARRAY[t.created_at, CASE WHEN t.status IN ('open', 'in_progress') THEN t.created_at END, t.done_at,
              CASE WHEN t.due_at IS NULL OR t.done_at <= t.due_at THEN t.done_at END, t.overdue_at,
              t.escalated_community_at, t.escalated_street_at]::timestamptz[],
        ARRAY['tasks_created', 'tasks_open', 'tasks_done', 'tasks_done_on_time', 'tasks_overdue',
              'tasks_escalated_community', 'tasks_escalated_street'],
        ARRAY[1, 1, 1, 1, 1, 1, 1]::double precision[],
        ARRAY[NULL, NULL, NULL, NULL, NULL, NULL, NULL]::text[],
        ARRAY[NULL, NULL, NULL, NULL, NULL, NULL, NULL]::text[])
$$;

-- Proposals: created (by current stage), closed (by outcome), votes decided (and adopted),
-- and the days spent in each stage, dated when the stage ended.
CREATE FUNCTION stats_facts_proposals(p proposals) RETURNS SETOF stats_fact LANGUAGE sql STABLE STRICT AS $$
    SELECT * FROM stats_facts_of(p.street_id, p.community_id, p.building_id, p.id,
        ARRAY['count', 'count', 'count', 'count', 'count'],
        ARRAY[p.created_at, p.created_at, CASE WHEN p.outcome IS NOT NULL THEN p.closed_at END,
              CASE WHEN p.decision IS NOT NULL THEN p.decided_at END,
              CASE WHEN p.decision = 'adopted' THEN p.decided_at END]::timestamptz[],
        ARRAY['proposals_created', 'proposals_stage:' || p.stage, 'proposals_outcome:' || coalesce(p.outcome, ''),
              'votes_decided', 'votes_adopted'],
        ARRAY[1, 1, 1, 1, 1]::double precision[],
        ARRAY[NULL, NULL, NULL, NULL, NULL]::text[], ARRAY[NULL, NULL, NULL, NULL, NULL]::text[])
    UNION ALL
    SELECT 'duration', p.street_id, p.community_id, p.building_id,
           (e.ended AT TIME ZONE z.timezone)::date, 'stage_days:' || s.names[i], '', '',
           extract(epoch FROM e.ended - s.entered[i]) / 86400, p.id
      FROM (SELECT ARRAY[p.created_at, p.deliberating_at, p.voting_at, p.implementing_at, p.evaluating_at,
                         p.closed_at] AS entered,
                   ARRAY['collecting', 'deliberating', 'voting', 'implementing', 'evaluating'] AS names) s,
           generate_series(1, 5) i,
           LATERAL (SELECT s.entered[j] AS ended FROM generate_series(i + 1, 6) j
                     WHERE s.entered[j] IS NOT NULL ORDER BY j LIMIT 1) e,
           (SELECT timezone FROM streets WHERE id = p.street_id) z
     WHERE s.entered[i] IS NOT NULL
$$;

-- Acts of a household, placed in the household's building.
CREATE FUNCTION stats_household_act(household text, person text, at timestamptz, source text)
RETURNS SETOF stats_fact LANGUAGE sql STABLE AS $$
    SELECT f.* FROM households h,
           stats_facts_of(h.street_id, h.community_id, h.building_id, source, ARRAY['act'], ARRAY[at],
                          ARRAY[''], ARRAY[1::double precision], ARRAY[household], ARRAY[person]) f
     WHERE h.id = household
$$;

CREATE FUNCTION stats_facts_proposal_supports(s proposal_supports) RETURNS SETOF stats_fact LANGUAGE sql STABLE STRICT AS $$
    SELECT * FROM stats_household_act(s.household_id, s.person_id, s.created_at, s.proposal_id)
$$;

CREATE FUNCTION stats_facts_ballots(b ballots) RETURNS SETOF stats_fact LANGUAGE sql STABLE STRICT AS $$
    SELECT * FROM stats_household_act(b.household_id, b.cast_by, b.created_at, b.id)
$$;

CREATE FUNCTION stats_facts_proposal_evaluations(e proposal_evaluations) RETURNS SETOF stats_fact
LANGUAGE sql STABLE STRICT AS $$
    SELECT * FROM stats_household_act(e.household_id, e.person_id, e.created_at, e.proposal_id)
    UNION ALL
    SELECT f.* FROM households h, stats_facts_of(h.street_id, h.community_id, h.building_id, e.proposal_id,
        ARRAY['count', 'count', 'count'],
        ARRAY[e.created_at, CASE WHEN e.stars >= 4 THEN e.created_at END, e.created_at]::timestamptz[],
        ARRAY['ratings', 'ratings_satisfied', 'ratings_sum'], ARRAY[1, 1, e.stars]::double precision[],
        ARRAY[NULL, NULL, NULL]::text[], ARRAY[NULL, NULL, NULL]::text[]) f
     WHERE h.id = e.household_id
$$;

CREATE FUNCTION stats_facts_proposal_comments(c proposal_comments) RETURNS SETOF stats_fact
LANGUAGE sql STABLE STRICT AS $$
    SELECT f.* FROM proposals p, stats_facts_of(p.street_id, p.community_id, p.building_id, c.id,
        ARRAY['act'], ARRAY[c.created_at], ARRAY[''], ARRAY[1::double precision],
        ARRAY[stats_household_of(c.author_id, p.building_id)], ARRAY[c.author_id]) f
     WHERE p.id = c.proposal_id
$$;

-- Bookings count on the day they start; the act of booking on the day it was made, for the
-- booking household (else the booking's place).
CREATE FUNCTION stats_facts_bookings(b bookings) RETURNS SETOF stats_fact LANGUAGE sql STABLE STRICT AS $$
    SELECT * FROM stats_facts_of(b.street_id, b.community_id, b.building_id, b.id,
        ARRAY['count', 'count', 'count', 'count'],
        ARRAY[CASE WHEN b.status IN ('confirmed', 'checked_in', 'completed', 'no_show') THEN b.start_at END,
              CASE WHEN b.status IN ('checked_in', 'completed', 'no_show') THEN b.start_at END,
              CASE WHEN b.status = 'no_show' THEN b.start_at END,
              CASE WHEN b.status IN ('confirmed', 'checked_in', 'completed', 'no_show') THEN b.start_at END
             ]::timestamptz[],
        ARRAY['bookings', 'bookings_settled', 'bookings_no_show', 'booked_minutes'],
        ARRAY[1, 1, 1, extract(epoch FROM b.end_at - b.start_at) / 60]::double precision[],
        ARRAY[NULL, NULL, NULL, NULL]::text[], ARRAY[NULL, NULL, NULL, NULL]::text[])
    UNION ALL
    SELECT * FROM stats_household_act(b.household_id, b.person_id, b.created_at, b.id)  -- none without one
    UNION ALL
    SELECT * FROM stats_facts_of(b.street_id, b.community_id, b.building_id, b.id, ARRAY['act'],
                                 ARRAY[CASE WHEN b.household_id IS NULL AND b.person_id IS NOT NULL
                                            THEN b.created_at END], ARRAY[''], ARRAY[1::double precision],
                                 ARRAY[NULL::text], ARRAY[b.person_id])
$$;

CREATE FUNCTION stats_facts_households(h households) RETURNS SETOF stats_fact LANGUAGE sql STABLE STRICT AS $$
    SELECT * FROM stats_facts_of(h.street_id, h.community_id, h.building_id, h.id, ARRAY['count'],
                                 ARRAY[h.created_at], ARRAY['households'], ARRAY[1::double precision],
                                 ARRAY[NULL::text], ARRAY[NULL::text])
$$;

-- A sign-in (or a refresh: any access token issued to a person) makes the person active in
-- each building where they live at that moment. The tokens stay (revoked or expired, never
-- deleted), so a rebuild finds them again; only the memberships are taken as they are then.
CREATE FUNCTION stats_facts_refresh_tokens(t refresh_tokens) RETURNS SETOF stats_fact LANGUAGE sql STABLE STRICT AS $$
    SELECT f.* FROM memberships m,
           stats_facts_of(m.street_id, m.community_id, m.building_id, t.id, ARRAY['signin'], ARRAY[t.created_at],
                          ARRAY[''], ARRAY[1::double precision], ARRAY[m.household_id], ARRAY[t.person_id]) f
     WHERE m.person_id = t.person_id AND m.street_id = t.street_id AND m.left_at IS NULL
$$;

-- The building level's place in stats_month_persons; a community's own things (no building)
-- under the community's name, apart from the community level.
CREATE FUNCTION stats_building_place(community text, building text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN building = '' THEN community || ':' ELSE building END
$$;

-- A fact taken back (sign -1) or added (+1).
CREATE TYPE stats_change AS (
    kind text, street_id text, community_id text, building_id text, day date, metric text,
    household_id text, person_id text, n double precision, source_id text, sign integer
);

-- Fold a statement's changes into the rollups, set-based: netted per key (an update that
-- changes no fact writes nothing), each rollup row written once per statement — so that a
-- bulk statement (an import's 100,000 households) costs one pass, not a row-by-row update of
-- the same counters. A month's distinct count moves when an entry goes from 0 to more, or back.
CREATE FUNCTION stats_fold(changes stats_change[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    done integer;
BEGIN
    WITH c AS MATERIALIZED (SELECT * FROM unnest(changes)),
    counted AS (
        INSERT INTO stats_daily AS d (street_id, community_id, building_id, day, metric, n)
        SELECT c.street_id, c.community_id, l.level, c.day, c.metric, sum(c.sign * c.n)
          FROM c, LATERAL (VALUES (c.building_id), ('*')) l(level)
         WHERE c.kind = 'count' GROUP BY 1, 2, 3, 4, 5 HAVING sum(c.sign * c.n) <> 0
        ON CONFLICT (street_id, day, community_id, building_id, metric) DO UPDATE SET n = d.n + EXCLUDED.n
        RETURNING 1),
    acted AS (
        INSERT INTO stats_activity AS a (street_id, community_id, building_id, day, household_id, person_id, kind, n)
        SELECT c.street_id, c.community_id, c.building_id, c.day, c.household_id, c.person_id, c.kind, sum(c.sign)
          FROM c WHERE c.kind IN ('act', 'signin') GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(c.sign) <> 0
        ON CONFLICT (street_id, day, community_id, building_id, household_id, person_id, kind)
        DO UPDATE SET n = a.n + EXCLUDED.n
        RETURNING 1),
    household_delta AS (
        SELECT c.street_id, c.community_id, c.building_id, date_trunc('month', c.day)::date AS month,
               c.household_id, sum(c.sign) AS delta
          FROM c WHERE c.kind = 'act' AND c.household_id <> '' GROUP BY 1, 2, 3, 4, 5 HAVING sum(c.sign) <> 0),
    household_month AS (
        INSERT INTO stats_month_households AS m (street_id, community_id, building_id, month, household_id, n)
        SELECT street_id, community_id, building_id, month, household_id, delta FROM household_delta
        ON CONFLICT (household_id, month) DO UPDATE SET n = m.n + EXCLUDED.n
        RETURNING m.household_id, m.month, m.n AS after),
    person_delta AS (
        SELECT l.place, l.community, l.building, c.street_id, date_trunc('month', c.day)::date AS month,
               c.person_id, sum(c.sign) AS delta
          FROM c, LATERAL (VALUES (stats_building_place(c.community_id, c.building_id), c.community_id, c.building_id),
                                  (c.community_id, c.community_id, '*'), (c.street_id, '*', '*')) l(place, community, building)
         WHERE c.kind IN ('act', 'signin') AND c.person_id <> '' GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(c.sign) <> 0),
    person_month AS (
        INSERT INTO stats_month_persons AS m (place_id, month, person_id, n)
        SELECT place, month, person_id, delta FROM person_delta
        ON CONFLICT (place_id, month, person_id) DO UPDATE SET n = m.n + EXCLUDED.n
        RETURNING m.place_id, m.month, m.person_id, m.n AS after),
    moves AS (
        SELECT d.street_id, d.community_id, l.level AS building_id, d.month, 'month_acting_households' AS metric,
               CASE WHEN h.after > 0 AND h.after - d.delta <= 0 THEN 1
                    WHEN h.after <= 0 AND h.after - d.delta > 0 THEN -1 ELSE 0 END AS move
          FROM household_month h JOIN household_delta d ON d.household_id = h.household_id AND d.month = h.month,
               LATERAL (VALUES (d.building_id), ('*')) l(level)
        UNION ALL
        SELECT d.street_id, d.community, d.building, d.month, 'month_active_persons',
               CASE WHEN p.after > 0 AND p.after - d.delta <= 0 THEN 1
                    WHEN p.after <= 0 AND p.after - d.delta > 0 THEN -1 ELSE 0 END
          FROM person_month p JOIN person_delta d
            ON d.place = p.place_id AND d.month = p.month AND d.person_id = p.person_id),
    moved AS (
        INSERT INTO stats_daily AS d (street_id, community_id, building_id, day, metric, n)
        SELECT street_id, community_id, building_id, month, metric, sum(move) FROM moves
         GROUP BY 1, 2, 3, 4, 5 HAVING sum(move) <> 0
        ON CONFLICT (street_id, day, community_id, building_id, metric) DO UPDATE SET n = d.n + EXCLUDED.n
        RETURNING 1),
    new_durations AS (
        SELECT DISTINCT ON (c.metric, c.source_id) * FROM c WHERE c.kind = 'duration' AND c.sign > 0
         ORDER BY c.metric, c.source_id),
    dropped AS (
        DELETE FROM stats_durations s USING c
         WHERE c.kind = 'duration' AND c.sign < 0 AND s.metric = c.metric AND s.source_id = c.source_id
           AND NOT EXISTS (SELECT 1 FROM new_durations n WHERE n.metric = c.metric AND n.source_id = c.source_id)
        RETURNING 1),
    kept AS (
        INSERT INTO stats_durations AS s (metric, source_id, street_id, community_id, building_id, day, value)
        SELECT metric, source_id, street_id, community_id, building_id, day, n FROM new_durations
        ON CONFLICT (metric, source_id) DO UPDATE
           SET street_id = EXCLUDED.street_id, community_id = EXCLUDED.community_id,
               building_id = EXCLUDED.building_id, day = EXCLUDED.day, value = EXCLUDED.value
        RETURNING 1)
    SELECT 1 INTO done FROM (SELECT count(*) FROM counted) a, (SELECT count(*) FROM acted) b, (SELECT count(*) FROM moved) m,
                (SELECT count(*) FROM dropped) x, (SELECT count(*) FROM kept) k;
END
$$;

-- The one trigger function, run once per statement with its transition tables: the old rows'
-- facts taken back, the new rows' added.
CREATE FUNCTION stats_follow() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    facts text := 'SELECT coalesce(array_agg(ROW(f.*, %s)::stats_change), ''{}'') FROM %s r, %I(r) f';
    taken stats_change[] := '{}';
    added stats_change[] := '{}';
BEGIN
    IF TG_TABLE_NAME = 'households' THEN
        -- stats_facts_households written out: the bulk table (imports), where a function call
        -- per row would cost more than the insert itself.
        facts := 'SELECT coalesce(array_agg(ROW(''count'', r.street_id, r.community_id, r.building_id,
                         (r.created_at AT TIME ZONE z.timezone)::date, ''households'', '''', '''', 1, r.id, %s
                         )::stats_change), ''{}'') FROM %s r JOIN streets z ON z.id = r.street_id -- %s';
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        EXECUTE format(facts, -1, 'old_rows', 'stats_facts_' || TG_TABLE_NAME) INTO taken;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        EXECUTE format(facts, 1, 'new_rows', 'stats_facts_' || TG_TABLE_NAME) INTO added;
    END IF;
    IF cardinality(taken) + cardinality(added) > 0 THEN
        PERFORM stats_fold(taken || added);
    END IF;
    RETURN NULL;
END
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['reports', 'tasks', 'proposals', 'proposal_supports', 'ballots', 'proposal_evaluations',
                             'proposal_comments', 'bookings', 'households', 'refresh_tokens'] LOOP
        EXECUTE format('CREATE TRIGGER stats_follow_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION stats_follow()', t);
        CONTINUE WHEN t = 'refresh_tokens';  -- a token's facts never change
        EXECUTE format('CREATE TRIGGER stats_follow_update AFTER UPDATE ON %I
                        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION stats_follow()', t);
        EXECUTE format('CREATE TRIGGER stats_follow_delete AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION stats_follow()', t);
    END LOOP;
END
$$;

-- Every rollup again from the raw rows, set-based (after bulk loads; the brute-force check).
CREATE FUNCTION stats_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE stats_daily, stats_activity, stats_durations, stats_month_households, stats_month_persons;
    CREATE TEMPORARY TABLE stats_all_facts ON COMMIT DROP AS
        SELECT f.* FROM reports r, stats_facts_reports(r) f
        UNION ALL SELECT f.* FROM tasks t, stats_facts_tasks(t) f
        UNION ALL SELECT f.* FROM proposals p, stats_facts_proposals(p) f
        UNION ALL SELECT f.* FROM proposal_supports s, stats_facts_proposal_supports(s) f
        UNION ALL SELECT f.* FROM ballots b, stats_facts_ballots(b) f
        UNION ALL SELECT f.* FROM proposal_evaluations e, stats_facts_proposal_evaluations(e) f
        UNION ALL SELECT f.* FROM proposal_comments c, stats_facts_proposal_comments(c) f
        UNION ALL SELECT f.* FROM bookings b, stats_facts_bookings(b) f
        UNION ALL SELECT f.* FROM households h, stats_facts_households(h) f
        UNION ALL SELECT f.* FROM refresh_tokens t, stats_facts_refresh_tokens(t) f;
    INSERT INTO stats_daily (street_id, community_id, building_id, day, metric, n)
    SELECT street_id, community_id, level, day, metric, sum(n)
      FROM stats_all_facts, LATERAL (VALUES (building_id), ('*')) l(level)
     WHERE kind = 'count' GROUP BY 1, 2, 3, 4, 5;
    INSERT INTO stats_activity (street_id, community_id, building_id, day, household_id, person_id, kind, n)
    SELECT street_id, community_id, building_id, day, household_id, person_id, kind, count(*) FROM stats_all_facts
     WHERE kind IN ('act', 'signin') GROUP BY 1, 2, 3, 4, 5, 6, 7;
    INSERT INTO stats_durations (metric, source_id, street_id, community_id, building_id, day, value)
    SELECT metric, source_id, street_id, community_id, building_id, day, value FROM (
        SELECT f.*, f.n AS value FROM stats_all_facts f WHERE kind = 'duration') d;
    INSERT INTO stats_month_households (street_id, community_id, building_id, month, household_id, n)
    SELECT street_id, community_id, building_id, date_trunc('month', day)::date, household_id, sum(n)
      FROM stats_activity WHERE kind = 'act' AND household_id <> '' GROUP BY 1, 2, 3, 4, 5;
    INSERT INTO stats_month_persons (place_id, month, person_id, n)
    SELECT place, date_trunc('month', day)::date, person_id, sum(n)
      FROM stats_activity,
           LATERAL (VALUES (stats_building_place(community_id, building_id)), (community_id), (street_id)) l(place)
     WHERE person_id <> '' GROUP BY 1, 2, 3;
    INSERT INTO stats_daily (street_id, community_id, building_id, day, metric, n)
    SELECT street_id, community_id, level, month, 'month_acting_households', count(*)
      FROM stats_month_households, LATERAL (VALUES (building_id), ('*')) l(level)
     WHERE n > 0 GROUP BY 1, 2, 3, 4;
    INSERT INTO stats_daily (street_id, community_id, building_id, day, metric, n)
    SELECT street_id, community, building, month, 'month_active_persons', count(DISTINCT person_id)
      FROM stats_activity a, LATERAL (VALUES (community_id, building_id), (community_id, '*'), ('*', '*')) l(community, building),
           LATERAL (SELECT date_trunc('month', a.day)::date AS month) m
     WHERE person_id <> '' AND n > 0 GROUP BY 1, 2, 3, 4;
    DROP TABLE stats_all_facts;
END
$$;

SELECT stats_rebuild();

-- migrate:down
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['reports', 'tasks', 'proposals', 'proposal_supports', 'ballots', 'proposal_evaluations',
                             'proposal_comments', 'bookings', 'households', 'refresh_tokens'] LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS stats_follow_insert ON %I', t);
        EXECUTE format('DROP TRIGGER IF EXISTS stats_follow_update ON %I', t);
        EXECUTE format('DROP TRIGGER IF EXISTS stats_follow_delete ON %I', t);
    END LOOP;
END
$$;
DROP FUNCTION stats_rebuild();
DROP FUNCTION stats_follow();
DROP FUNCTION stats_fold(stats_change[]);
DROP TYPE stats_change;
DROP FUNCTION stats_facts_refresh_tokens(refresh_tokens);
DROP FUNCTION stats_facts_households(households);
DROP FUNCTION stats_facts_bookings(bookings);
DROP FUNCTION stats_facts_proposal_comments(proposal_comments);
DROP FUNCTION stats_facts_proposal_evaluations(proposal_evaluations);
DROP FUNCTION stats_facts_ballots(ballots);
DROP FUNCTION stats_facts_proposal_supports(proposal_supports);
DROP FUNCTION stats_household_act(text, text, timestamptz, text);
DROP FUNCTION stats_facts_proposals(proposals);
DROP FUNCTION stats_facts_tasks(tasks);
DROP FUNCTION stats_facts_reports(reports);
DROP FUNCTION stats_household_of(text, text);
DROP FUNCTION stats_facts_of(text, text, text, text, text[], timestamptz[], text[], double precision[], text[], text[]);
DROP TYPE stats_fact;
DROP FUNCTION stats_building_place(text, text);
DROP TABLE stats_durations;
DROP TABLE stats_month_persons;
DROP TABLE stats_month_households;
DROP TABLE stats_activity;
DROP TABLE stats_daily;
