-- migrate:up
-- 最美楼栋 rating campaigns (the community spec §12): a campaign of a community (or of the
-- street), its nominated buildings with their self-assessments and issues, its named raters,
-- their score sheets (one per rater and building, changeable until rate_until) and, once
-- published, the results. Who gave what is kept for recomputation only and never shown.
CREATE TABLE campaigns (
    id              text PRIMARY KEY,
    street_id       text NOT NULL REFERENCES streets (id),
    community_id    text REFERENCES communities (id),   -- NULL: a campaign of the whole street
    title           text NOT NULL,
    criteria        jsonb NOT NULL,                     -- [{key, label, weight}]
    nominate_until  date NOT NULL,
    assess_until    date NOT NULL,
    rate_until      date NOT NULL,
    winners         integer NOT NULL CHECK (winners >= 1),
    prize_points    integer CHECK (prize_points IS NULL OR prize_points >= 1),
    status          text NOT NULL DEFAULT 'nominating'
                    CHECK (status IN ('nominating', 'assessing', 'rating', 'published')),
    created_by_type text NOT NULL,
    created_by_id   text,
    assessing_at    timestamptz,
    rating_at       timestamptz,
    published_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (nominate_until < assess_until AND assess_until < rate_until)
);
CREATE INDEX campaigns_by_place ON campaigns (street_id, community_id, created_at DESC, id DESC);

CREATE TABLE campaign_nominations (
    id            text PRIMARY KEY,
    street_id     text NOT NULL REFERENCES streets (id),
    community_id  text REFERENCES communities (id),     -- the building's community
    campaign_id   text NOT NULL REFERENCES campaigns (id),
    building_id   text NOT NULL REFERENCES buildings (id),
    nominated_by  text,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (campaign_id, building_id)
);
CREATE INDEX campaign_nominations_page ON campaign_nominations (campaign_id, created_at DESC, id DESC);

CREATE TABLE campaign_assessments (
    campaign_id    text NOT NULL,
    building_id    text NOT NULL,
    criterion_key  text NOT NULL,
    text           text NOT NULL DEFAULT '',
    media_ids      text[] NOT NULL DEFAULT '{}',
    author_id      text REFERENCES persons (id),
    created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (campaign_id, building_id, criterion_key),
    FOREIGN KEY (campaign_id, building_id) REFERENCES campaign_nominations (campaign_id, building_id)
);

CREATE TABLE campaign_issues (
    id             text PRIMARY KEY,
    campaign_id    text NOT NULL,
    building_id    text NOT NULL,
    criterion_key  text NOT NULL,
    text           text NOT NULL,
    author_id      text REFERENCES persons (id),
    task_id        text UNIQUE REFERENCES tasks (id),  -- the rectification task, once made
    created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    FOREIGN KEY (campaign_id, building_id) REFERENCES campaign_nominations (campaign_id, building_id)
);
CREATE INDEX campaign_issues_of ON campaign_issues (campaign_id, building_id, created_at, id);

CREATE TABLE campaign_raters (
    id           text PRIMARY KEY,
    campaign_id  text NOT NULL REFERENCES campaigns (id),
    person_id    text NOT NULL REFERENCES persons (id),
    kind         text NOT NULL CHECK (kind IN ('staff', 'organization', 'resident')),
    added_by     text,
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (campaign_id, person_id)
);
CREATE INDEX campaign_raters_page ON campaign_raters (campaign_id, created_at DESC, id DESC);

-- One sheet per rater and building: a score 1–10 for each criterion (checked by the rules
-- against the campaign's criteria; the CHECK keeps every value in range whatever writes it).
CREATE TABLE campaign_scores (
    id           text PRIMARY KEY,
    campaign_id  text NOT NULL,
    building_id  text NOT NULL,
    person_id    text NOT NULL,
    scores       jsonb NOT NULL CHECK (jsonb_typeof(scores) = 'object' AND NOT jsonb_path_exists(
                     scores, '$.* ? (@.type() != "number" || @ < 1 || @ > 10 || @ != @.floor())')),
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (campaign_id, building_id, person_id),
    FOREIGN KEY (campaign_id, building_id) REFERENCES campaign_nominations (campaign_id, building_id),
    FOREIGN KEY (campaign_id, person_id) REFERENCES campaign_raters (campaign_id, person_id)
);
CREATE INDEX campaign_scores_of_rater ON campaign_scores (campaign_id, person_id, created_at DESC, id DESC);

CREATE TABLE campaign_results (
    campaign_id  text NOT NULL REFERENCES campaigns (id),
    building_id  text NOT NULL REFERENCES buildings (id),
    score        text,                 -- the exact score as a decimal string, 2 places half-up
    rank         integer,
    raters       integer NOT NULL,
    means        jsonb NOT NULL,       -- {criterion key: decimal string}
    winner       boolean NOT NULL,
    PRIMARY KEY (campaign_id, building_id)
);

-- migrate:down
DROP TABLE campaign_results;
DROP TABLE campaign_scores;
DROP TABLE campaign_raters;
DROP TABLE campaign_issues;
DROP TABLE campaign_assessments;
DROP TABLE campaign_nominations;
DROP TABLE campaigns;
