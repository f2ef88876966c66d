-- migrate:up
-- Proposals (议题) and the four-step process: supports, comments, options, the vote
-- (frozen electorate, ballots with their history, anonymous secret choices, receipts),
-- evaluations and the timeline of stage changes. Every table carries street_id.

CREATE TABLE proposals (
    id                 text PRIMARY KEY,
    street_id          text NOT NULL REFERENCES streets (id),
    community_id       text NOT NULL REFERENCES communities (id),
    building_id        text NOT NULL REFERENCES buildings (id),
    author_id          text NOT NULL REFERENCES persons (id),
    title              text NOT NULL,
    description        text NOT NULL DEFAULT '',
    category           text NOT NULL DEFAULT 'other',
    stage              text NOT NULL DEFAULT 'collecting' CHECK (stage IN
                           ('collecting', 'deliberating', 'voting', 'implementing', 'evaluating', 'closed')),
    outcome            text CHECK (outcome IN ('adopted', 'rejected', 'no_quorum', 'insufficient_support',
                                               'withdrawn', 'dismissed', 'duplicate')),
    CHECK ((stage = 'closed') = (outcome IS NOT NULL)),
    reason             text,
    duplicate_of       text REFERENCES proposals (id),
    support_threshold  integer NOT NULL,
    support_count      integer NOT NULL DEFAULT 0,
    collect_until      timestamptz NOT NULL,
    -- the vote, set when it opens
    rule               text CHECK (rule IN ('simple_majority', 'two_thirds', 'civil_code_ordinary',
                                            'civil_code_major')),
    secret             boolean,
    max_choices        integer,
    opens_at           timestamptz,
    closes_at          timestamptz,
    -- the decision, set when the vote is tallied, and the full result (counts, receipts)
    decision           text CHECK (decision IN ('adopted', 'rejected', 'no_quorum')),
    winning_option_id  text,
    result             jsonb,
    evaluation_until   timestamptz,
    evaluation_count   integer NOT NULL DEFAULT 0,
    evaluation_sum     integer NOT NULL DEFAULT 0,
    -- business times of the transitions
    deliberating_at    timestamptz,
    voting_at          timestamptz,
    decided_at         timestamptz,
    implementing_at    timestamptz,
    evaluating_at      timestamptz,
    closed_at          timestamptz,
    created_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at         timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX proposals_building_page_idx ON proposals (building_id, created_at DESC, id DESC);
CREATE INDEX proposals_street_idx ON proposals (street_id, created_at DESC);

CREATE TABLE proposal_supports (
    street_id     text NOT NULL REFERENCES streets (id),
    proposal_id   text NOT NULL REFERENCES proposals (id),
    household_id  text NOT NULL REFERENCES households (id),
    person_id     text NOT NULL REFERENCES persons (id),
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (proposal_id, household_id)
);

CREATE TABLE proposal_comments (
    id            text PRIMARY KEY,
    street_id     text NOT NULL REFERENCES streets (id),
    proposal_id   text NOT NULL REFERENCES proposals (id),
    parent_id     text REFERENCES proposal_comments (id),
    author_id     text NOT NULL REFERENCES persons (id),
    body          text NOT NULL,
    hidden_at     timestamptz,
    hidden_reason text,
    hidden_by     text,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX proposal_comments_page_idx ON proposal_comments (proposal_id, created_at DESC, id DESC);

CREATE TABLE proposal_options (
    id           text PRIMARY KEY,
    street_id    text NOT NULL REFERENCES streets (id),
    proposal_id  text NOT NULL REFERENCES proposals (id),
    title        text NOT NULL,
    description  text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX proposal_options_page_idx ON proposal_options (proposal_id, created_at DESC, id DESC);

-- The electorate, frozen when the vote opens: households with votes = true and their area.
CREATE TABLE vote_electorate (
    street_id     text NOT NULL REFERENCES streets (id),
    proposal_id   text NOT NULL REFERENCES proposals (id),
    household_id  text NOT NULL REFERENCES households (id),
    area_m2       numeric(10, 2) NOT NULL,
    PRIMARY KEY (proposal_id, household_id)
);

-- One ballot per household and proposal. For an open vote it holds the choice; for a secret
-- vote it holds none: the choice lives in secret_choices, which names no household.
CREATE TABLE ballots (
    id             text PRIMARY KEY,
    street_id      text NOT NULL REFERENCES streets (id),
    proposal_id    text NOT NULL REFERENCES proposals (id),
    household_id   text NOT NULL REFERENCES households (id),
    cast_by        text NOT NULL REFERENCES persons (id),
    choice         text CHECK (choice IN ('yes', 'no', 'abstain')),
    option_ids     text[],
    receipt        text NOT NULL,
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (proposal_id, household_id)
);

-- Every ballot as cast, replaced ones included (no choice for secret votes).
CREATE TABLE ballot_history (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    street_id     text NOT NULL REFERENCES streets (id),
    proposal_id   text NOT NULL REFERENCES proposals (id),
    household_id  text NOT NULL REFERENCES households (id),
    cast_by       text NOT NULL REFERENCES persons (id),
    choice        text,
    option_ids    text[],
    receipt       text NOT NULL,
    version       integer NOT NULL,
    cast_at       timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX ballot_history_ballot_idx ON ballot_history (proposal_id, household_id);

-- Secret choices: the receipt, the choice and the weight (area) the rules need, no household.
CREATE TABLE secret_choices (
    street_id    text NOT NULL REFERENCES streets (id),
    proposal_id  text NOT NULL REFERENCES proposals (id),
    receipt      text NOT NULL,
    choice       text CHECK (choice IN ('yes', 'no', 'abstain')),
    option_ids   text[],
    area_m2      numeric(10, 2) NOT NULL,
    PRIMARY KEY (proposal_id, receipt)
);

CREATE TABLE proposal_evaluations (
    street_id     text NOT NULL REFERENCES streets (id),
    proposal_id   text NOT NULL REFERENCES proposals (id),
    household_id  text NOT NULL REFERENCES households (id),
    person_id     text NOT NULL REFERENCES persons (id),
    stars         integer NOT NULL CHECK (stars BETWEEN 1 AND 5),
    text          text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (proposal_id, household_id)
);

CREATE TABLE proposal_timeline (
    id           text PRIMARY KEY,
    street_id    text NOT NULL REFERENCES streets (id),
    proposal_id  text NOT NULL REFERENCES proposals (id),
    from_stage   text,
    to_stage     text NOT NULL,
    outcome      text,
    actor_type   text NOT NULL CHECK (actor_type IN ('person', 'client', 'system')),
    actor_id     text,
    reason       text,
    at           timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at   timestamptz NOT NULL DEFAULT clock_timestamp()  -- never changes; for the paging convention
);
CREATE INDEX proposal_timeline_idx ON proposal_timeline (proposal_id, created_at DESC, id DESC);

-- migrate:down
DROP TABLE proposal_timeline;
DROP TABLE proposal_evaluations;
DROP TABLE secret_choices;
DROP TABLE ballot_history;
DROP TABLE ballots;
DROP TABLE vote_electorate;
DROP TABLE proposal_options;
DROP TABLE proposal_comments;
DROP TABLE proposal_supports;
DROP TABLE proposals;
