-- migrate:up
-- Community life in the statistics. An activity sign-up is an act of the participation rate and
-- of the active residents (the spec's integrations part §A): the act of the household its person
-- lives in, in the activity's community (the first by id; none for a person living elsewhere,
-- as for a question). Counters: activities held (finished, on the day they end), attendances
-- (sign-ups checked in, on the day of the check-in), needs met (on the day a project met them).
CREATE FUNCTION stats_facts_activity_signups(s activity_signups) RETURNS SETOF stats_fact
LANGUAGE sql STABLE STRICT AS $$
    SELECT f.* FROM (SELECT min(m.household_id) AS household_id FROM memberships m
                      WHERE m.person_id = s.person_id AND m.community_id = s.community_id AND m.left_at IS NULL) h,
           stats_household_act(h.household_id, s.person_id, s.created_at, s.id) f
     WHERE h.household_id IS NOT NULL AND s.person_id IS NOT NULL
    UNION ALL
    SELECT * FROM stats_facts_of(s.street_id, s.community_id, s.building_id, s.id, ARRAY['count'],
                                 ARRAY[s.attended_at], ARRAY['activity_attendances'], ARRAY[1::double precision],
                                 ARRAY[NULL::text], ARRAY[NULL::text])
$$;

CREATE FUNCTION stats_facts_activities(a activities) RETURNS SETOF stats_fact LANGUAGE sql STABLE STRICT AS $$
    SELECT * FROM stats_facts_of(a.street_id, a.community_id, a.building_id, a.id, ARRAY['count'],
                                 ARRAY[CASE WHEN a.status = 'finished' THEN a.ends_at END], ARRAY['activities_held'],
                                 ARRAY[1::double precision], ARRAY[NULL::text], ARRAY[NULL::text])
$$;

CREATE FUNCTION stats_facts_needs(n needs) RETURNS SETOF stats_fact LANGUAGE sql STABLE STRICT AS $$
    SELECT * FROM stats_facts_of(n.street_id, n.community_id, n.building_id, n.id, ARRAY['count'],
                                 ARRAY[CASE WHEN n.status = 'met' THEN n.met_at END], ARRAY['needs_met'],
                                 ARRAY[1::double precision], ARRAY[NULL::text], ARRAY[NULL::text])
$$;

SELECT stats_follow_table('activity_signups');
SELECT stats_follow_table('activities');
SELECT stats_follow_table('needs');
SELECT stats_rebuild();

-- migrate:down
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['activity_signups', 'activities', 'needs'] LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS stats_follow_insert ON %I', t);
        EXECUTE format('DROP TRIGGER IF EXISTS stats_follow_update ON %I', t);
        EXECUTE format('DROP TRIGGER IF EXISTS stats_follow_delete ON %I', t);
    END LOOP;
END
$$;
DELETE FROM stats_sources WHERE table_name IN ('activity_signups', 'activities', 'needs');
DROP FUNCTION stats_facts_needs(needs);
DROP FUNCTION stats_facts_activities(activities);
DROP FUNCTION stats_facts_activity_signups(activity_signups);
SELECT stats_rebuild();
