-- migrate:up
-- The voters of each household, frozen with the electorate when a vote opens: the members
-- the household had then, with their role and headship. A person who joins a household later
-- (or whose role grows later) cannot cast or change that household's ballot in that vote.
CREATE TABLE vote_voters (
    street_id     text NOT NULL REFERENCES streets (id),
    proposal_id   text NOT NULL REFERENCES proposals (id),
    household_id  text NOT NULL REFERENCES households (id),
    person_id     text NOT NULL REFERENCES persons (id),
    role          text NOT NULL,
    head          boolean NOT NULL,
    PRIMARY KEY (proposal_id, household_id, person_id)
);

-- Votes opened before this table existed: their voters are the live members who had joined
-- by the time the proposal entered voting (the timeline's real-clock created_at).
INSERT INTO vote_voters (street_id, proposal_id, household_id, person_id, role, head)
SELECT e.street_id, e.proposal_id, e.household_id, m.person_id, m.role, m.head
  FROM vote_electorate e
  JOIN memberships m ON m.household_id = e.household_id AND m.left_at IS NULL
 WHERE m.joined_at <= COALESCE((SELECT max(t.created_at) FROM proposal_timeline t
                                 WHERE t.proposal_id = e.proposal_id AND t.to_stage = 'voting'), m.joined_at)
ON CONFLICT DO NOTHING;

-- migrate:down
DROP TABLE vote_voters;
