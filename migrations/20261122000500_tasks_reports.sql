-- migrate:up
-- Task lists (任务清单) and reports (问题上报), resources.md §3.

-- A report of a problem by a resident of a building (一线预警).
CREATE TABLE reports (
    id                text PRIMARY KEY,
    street_id         text NOT NULL REFERENCES streets (id),
    community_id      text NOT NULL REFERENCES communities (id),
    building_id       text NOT NULL REFERENCES buildings (id),
    reporter_id       text NOT NULL REFERENCES persons (id),
    category          text NOT NULL CHECK (category IN ('safety', 'environment', 'facilities', 'parking', 'pets',
                                                        'neighbour_dispute', 'elderly_care', 'other')),
    description       text NOT NULL,
    location          text NOT NULL DEFAULT '',
    photo_urls        jsonb NOT NULL DEFAULT '[]',
    urgency           text NOT NULL CHECK (urgency IN ('normal', 'urgent')),
    status            text NOT NULL DEFAULT 'submitted'
                      CHECK (status IN ('submitted', 'acknowledged', 'in_progress', 'resolved', 'closed',
                                        'rejected', 'duplicate')),
    reason            text,
    duplicate_of      text REFERENCES reports (id),
    task_id           text,
    feedback_rating   integer CHECK (feedback_rating BETWEEN 1 AND 5),
    feedback_comment  text,
    feedback_at       timestamptz,
    acknowledged_at   timestamptz,
    in_progress_at    timestamptz,
    resolved_at       timestamptz,
    closed_at         timestamptz,
    created_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at        timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX reports_building_page_idx ON reports (building_id, created_at DESC, id DESC);

-- A task of a building's list. Dispatched tasks are one per building. Overdue and the two
-- escalation levels are stamped once each by due jobs.
CREATE TABLE tasks (
    id                      text PRIMARY KEY,
    street_id               text NOT NULL REFERENCES streets (id),
    community_id            text NOT NULL REFERENCES communities (id),
    building_id             text NOT NULL REFERENCES buildings (id),
    title                   text NOT NULL,
    description             text NOT NULL DEFAULT '',
    source                  text NOT NULL CHECK (source IN ('proposal', 'report', 'dispatch', 'manual')),
    source_id               text,
    reporter_id             text REFERENCES persons (id),
    assignee_type           text CHECK (assignee_type IN ('person', 'organization')),
    assignee_id             text,
    due_at                  timestamptz,
    priority                text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    checklist               jsonb NOT NULL DEFAULT '[]',
    points                  integer NOT NULL DEFAULT 0 CHECK (points BETWEEN 0 AND 10000),
    status                  text NOT NULL DEFAULT 'open'
                            CHECK (status IN ('open', 'in_progress', 'done', 'verified', 'cancelled')),
    reason                  text,
    created_by_type         text NOT NULL,
    created_by_id           text,
    overdue_at              timestamptz,
    escalated_community_at  timestamptz,
    escalated_street_at     timestamptz,
    in_progress_at          timestamptz,
    done_at                 timestamptz,
    verified_at             timestamptz,
    cancelled_at            timestamptz,
    created_at              timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at              timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK ((assignee_type IS NULL) = (assignee_id IS NULL))
);
CREATE INDEX tasks_building_page_idx ON tasks (building_id, created_at DESC, id DESC);
CREATE INDEX tasks_assignee_idx ON tasks (assignee_id, created_at DESC, id DESC);
CREATE INDEX tasks_source_idx ON tasks (source_id);

-- Progress notes on a task, with photo URLs.
CREATE TABLE task_updates (
    id           text PRIMARY KEY,
    street_id    text NOT NULL REFERENCES streets (id),
    task_id      text NOT NULL REFERENCES tasks (id),
    author_type  text NOT NULL,
    author_id    text,
    note         text NOT NULL,
    photo_urls   jsonb NOT NULL DEFAULT '[]',
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX task_updates_page_idx ON task_updates (task_id, created_at DESC, id DESC);

-- migrate:down
DROP TABLE task_updates;
DROP TABLE tasks;
DROP TABLE reports;
