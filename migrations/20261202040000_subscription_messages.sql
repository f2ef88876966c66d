-- migrate:up
-- WeChat subscription messages (订阅消息). A mini-program client maps notification kinds to its
-- templates; each `accept` a resident passes on adds one to (client, person, template); the
-- worker folds the event log into notifications, one row per (notification, person), and
-- sends each at most once: the row is claimed (status `sending`) and committed before the call.
CREATE TABLE message_templates (
    client_id          text PRIMARY KEY REFERENCES clients (id),
    street_id          text NOT NULL REFERENCES streets (id),
    miniprogram_state  text NOT NULL CHECK (miniprogram_state IN ('formal', 'trial', 'developer')),
    templates          jsonb NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at         timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE subscription_counts (
    client_id    text NOT NULL REFERENCES clients (id),
    person_id    text NOT NULL REFERENCES persons (id),
    template_id  text NOT NULL,
    remaining    integer NOT NULL CHECK (remaining >= 0),
    updated_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (client_id, person_id, template_id)
);

CREATE TABLE notifications (
    id            text PRIMARY KEY,
    street_id     text NOT NULL REFERENCES streets (id),
    person_id     text NOT NULL REFERENCES persons (id),
    kind          text NOT NULL,
    subject_type  text NOT NULL,
    subject_id    text NOT NULL,
    -- what made it: an event's id, or the occasion of a reminder (booking id and start)
    origin        text NOT NULL,
    facts         jsonb NOT NULL,  -- the values a template may name (cleared once final)
    timezone      text NOT NULL,
    due_at        timestamptz NOT NULL,
    status        text NOT NULL DEFAULT 'queued'
                  CHECK (status IN ('queued', 'sending', 'sent', 'unknown', 'failed', 'skipped')),
    outcome       text,
    errcode       integer,
    attempts      integer NOT NULL DEFAULT 0,
    client_id     text REFERENCES clients (id),
    template_id   text,
    sent_at       timestamptz,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (origin, kind, person_id)
);
CREATE INDEX notifications_due_idx ON notifications (due_at) WHERE status = 'queued';
CREATE INDEX notifications_person_idx ON notifications (person_id, created_at DESC, id DESC);

-- How far the worker has folded the event feed (its positions) into notifications.
CREATE TABLE notification_fold (
    singleton      boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    last_position  bigint NOT NULL
);
INSERT INTO notification_fold (last_position) SELECT coalesce(max(position), 0) FROM events;

-- migrate:down
DROP TABLE notification_fold;
DROP TABLE notifications;
DROP TABLE subscription_counts;
DROP TABLE message_templates;
