-- migrate:up
-- The tables the statistics follow, listed once (stats_sources), so that a feature whose rows
-- are acts or counts joins the rollups with its fact function `stats_facts_<table>(row)` and
-- one call: SELECT stats_follow_table('<table>') — which registers it and creates its
-- statement-level triggers — instead of a copy of the rebuild and the trigger loop.
CREATE TABLE stats_sources (
    table_name       text PRIMARY KEY,
    follows_changes  boolean NOT NULL DEFAULT true  -- false: rows never change (only inserts count)
);
INSERT INTO stats_sources (table_name, follows_changes) VALUES
    ('reports', true), ('tasks', true), ('proposals', true), ('proposal_supports', true), ('ballots', true),
    ('proposal_evaluations', true), ('proposal_comments', true), ('bookings', true), ('households', true),
    ('refresh_tokens', false);

CREATE FUNCTION stats_follow_table(source text, follows_changes boolean DEFAULT true) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_sources (table_name, follows_changes) VALUES (source, follows_changes);
    EXECUTE format('CREATE TRIGGER stats_follow_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION stats_follow()', source);
    IF follows_changes THEN
        EXECUTE format('CREATE TRIGGER stats_follow_update AFTER UPDATE ON %I
                        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION stats_follow()', source);
        EXECUTE format('CREATE TRIGGER stats_follow_delete AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION stats_follow()', source);
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION stats_rebuild() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    source text;
BEGIN
    TRUNCATE stats_daily, stats_activity, stats_durations, stats_month_households, stats_month_persons;
    CREATE TEMPORARY TABLE stats_all_facts OF stats_fact ON COMMIT DROP;
    FOR source IN SELECT table_name FROM stats_sources ORDER BY table_name LOOP
        EXECUTE format('INSERT INTO stats_all_facts SELECT f.* FROM %I r, %I(r) f', source, 'stats_facts_' || source);
    END LOOP;
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


-- migrate:down
CREATE OR REPLACE FUNCTION stats_rebuild() RETURNS void LANGUAGE plpgsql AS $$
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

DROP FUNCTION stats_follow_table(text, boolean);
DROP TABLE stats_sources;
