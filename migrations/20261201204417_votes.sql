-- migrate:up
-- Votes become their own aggregate: a vote has a subject ({type, id}: a proposal today; a
-- document amendment or a rating campaign next), its terms, its electorate frozen at opening
-- and, once tallied, its result document. The electorate, the frozen voters, the ballots,
-- their history and the secret choices belong to the vote, not to the proposal. Every vote
-- opened so far is carried over: one vote per proposal that reached voting, under a stable id
-- derived from the proposal's, and every row of those tables is moved onto its vote.
CREATE TABLE votes (
    id                 text PRIMARY KEY,
    street_id          text NOT NULL REFERENCES streets (id),
    community_id       text REFERENCES communities (id),
    building_id        text REFERENCES buildings (id),
    subject_type       text NOT NULL,
    subject_id         text NOT NULL,
    rule               text NOT NULL CHECK (rule IN ('simple_majority', 'two_thirds', 'civil_code_ordinary',
                                                     'civil_code_major')),
    secret             boolean NOT NULL,
    max_choices        integer NOT NULL,
    opens_at           timestamptz NOT NULL,
    closes_at          timestamptz NOT NULL,
    -- the tally: the full result (counts, receipts) and when it was made
    result             jsonb,
    tallied_at         timestamptz,
    created_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (subject_type, subject_id)
);

-- md5 hex digits are all in the id alphabet (lower-case Crockford base32).
INSERT INTO votes (id, street_id, community_id, building_id, subject_type, subject_id, rule, secret,
                   max_choices, opens_at, closes_at, result, tallied_at, created_at, updated_at)
SELECT 'vot_' || substr(md5(p.id), 1, 16), p.street_id, p.community_id, p.building_id, 'proposal', p.id,
       coalesce(p.rule, 'simple_majority'), coalesce(p.secret, false), coalesce(p.max_choices, 1),
       p.opens_at, p.closes_at, p.result, CASE WHEN p.result IS NOT NULL THEN p.decided_at END,
       coalesce(p.voting_at, p.opens_at), p.updated_at
  FROM proposals p WHERE p.opens_at IS NOT NULL;

ALTER TABLE vote_electorate ADD COLUMN vote_id text REFERENCES votes (id);
ALTER TABLE vote_voters ADD COLUMN vote_id text REFERENCES votes (id);
ALTER TABLE ballots ADD COLUMN vote_id text REFERENCES votes (id);
ALTER TABLE ballot_history ADD COLUMN vote_id text REFERENCES votes (id);
ALTER TABLE secret_choices ADD COLUMN vote_id text REFERENCES votes (id);

UPDATE vote_electorate t SET vote_id = v.id FROM votes v WHERE v.subject_type = 'proposal' AND v.subject_id = t.proposal_id;
UPDATE vote_voters t SET vote_id = v.id FROM votes v WHERE v.subject_type = 'proposal' AND v.subject_id = t.proposal_id;
UPDATE ballots t SET vote_id = v.id FROM votes v WHERE v.subject_type = 'proposal' AND v.subject_id = t.proposal_id;
UPDATE ballot_history t SET vote_id = v.id FROM votes v WHERE v.subject_type = 'proposal' AND v.subject_id = t.proposal_id;
UPDATE secret_choices t SET vote_id = v.id FROM votes v WHERE v.subject_type = 'proposal' AND v.subject_id = t.proposal_id;

-- Dropping proposal_id drops the keys and indexes built on it; they come back on vote_id.
ALTER TABLE vote_electorate ALTER COLUMN vote_id SET NOT NULL, DROP COLUMN proposal_id,
    ADD PRIMARY KEY (vote_id, household_id);
ALTER TABLE vote_voters ALTER COLUMN vote_id SET NOT NULL, DROP COLUMN proposal_id,
    ADD PRIMARY KEY (vote_id, household_id, person_id);
ALTER TABLE ballots ALTER COLUMN vote_id SET NOT NULL, DROP COLUMN proposal_id,
    ADD CONSTRAINT ballots_vote_household_key UNIQUE (vote_id, household_id);
ALTER TABLE ballot_history ALTER COLUMN vote_id SET NOT NULL, DROP COLUMN proposal_id;
CREATE INDEX ballot_history_vote_household_idx ON ballot_history (vote_id, household_id);
ALTER TABLE secret_choices ALTER COLUMN vote_id SET NOT NULL, DROP COLUMN proposal_id,
    ADD PRIMARY KEY (vote_id, receipt);

-- The vote's terms and result now live on the vote; the proposal keeps its decision.
ALTER TABLE proposals DROP COLUMN rule, DROP COLUMN secret, DROP COLUMN max_choices, DROP COLUMN opens_at,
    DROP COLUMN closes_at, DROP COLUMN result;

-- migrate:down
ALTER TABLE proposals ADD COLUMN rule text, ADD COLUMN secret boolean, ADD COLUMN max_choices integer,
    ADD COLUMN opens_at timestamptz, ADD COLUMN closes_at timestamptz, ADD COLUMN result jsonb;
UPDATE proposals p SET rule = v.rule, secret = v.secret, max_choices = v.max_choices, opens_at = v.opens_at,
       closes_at = v.closes_at, result = v.result
  FROM votes v WHERE v.subject_type = 'proposal' AND v.subject_id = p.id;
ALTER TABLE vote_electorate ADD COLUMN proposal_id text REFERENCES proposals (id);
ALTER TABLE vote_voters ADD COLUMN proposal_id text REFERENCES proposals (id);
ALTER TABLE ballots ADD COLUMN proposal_id text REFERENCES proposals (id);
ALTER TABLE ballot_history ADD COLUMN proposal_id text REFERENCES proposals (id);
ALTER TABLE secret_choices ADD COLUMN proposal_id text REFERENCES proposals (id);
UPDATE vote_electorate t SET proposal_id = v.subject_id FROM votes v WHERE v.id = t.vote_id;
UPDATE vote_voters t SET proposal_id = v.subject_id FROM votes v WHERE v.id = t.vote_id;
UPDATE ballots t SET proposal_id = v.subject_id FROM votes v WHERE v.id = t.vote_id;
UPDATE ballot_history t SET proposal_id = v.subject_id FROM votes v WHERE v.id = t.vote_id;
UPDATE secret_choices t SET proposal_id = v.subject_id FROM votes v WHERE v.id = t.vote_id;
ALTER TABLE vote_electorate DROP COLUMN vote_id, ALTER COLUMN proposal_id SET NOT NULL,
    ADD PRIMARY KEY (proposal_id, household_id);
ALTER TABLE vote_voters DROP COLUMN vote_id, ALTER COLUMN proposal_id SET NOT NULL,
    ADD PRIMARY KEY (proposal_id, household_id, person_id);
ALTER TABLE ballots DROP COLUMN vote_id, ALTER COLUMN proposal_id SET NOT NULL,
    ADD UNIQUE (proposal_id, household_id);
ALTER TABLE ballot_history DROP COLUMN vote_id, ALTER COLUMN proposal_id SET NOT NULL;
CREATE INDEX ballot_history_ballot_idx ON ballot_history (proposal_id, household_id);
ALTER TABLE secret_choices DROP COLUMN vote_id, ALTER COLUMN proposal_id SET NOT NULL,
    ADD PRIMARY KEY (proposal_id, receipt);
DROP TABLE votes;
