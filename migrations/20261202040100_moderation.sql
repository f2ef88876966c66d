-- migrate:up
-- Content safety (msgSecCheck v2). Proposals, reports and comments say how their text fared:
-- none (not checked), passed, pending (WeChat asked for a review or gave no verdict), approved
-- or rejected (a leader decided). Pending text waits in moderation_checks: with who wrote it
-- under which mini-program client (WeChat checks against the author's openid), so the worker
-- can check text WeChat gave no verdict on again.
ALTER TABLE proposals ADD COLUMN moderation text NOT NULL DEFAULT 'none'
    CHECK (moderation IN ('none', 'passed', 'pending', 'approved', 'rejected'));
ALTER TABLE reports ADD COLUMN moderation text NOT NULL DEFAULT 'none'
    CHECK (moderation IN ('none', 'passed', 'pending', 'approved', 'rejected'));
ALTER TABLE proposal_comments ADD COLUMN moderation text NOT NULL DEFAULT 'none'
    CHECK (moderation IN ('none', 'passed', 'pending', 'approved', 'rejected'));

CREATE TABLE moderation_checks (
    subject_type   text NOT NULL CHECK (subject_type IN ('proposal', 'report', 'comment')),
    subject_id     text NOT NULL,
    street_id      text NOT NULL REFERENCES streets (id),
    client_id      text NOT NULL REFERENCES clients (id),
    person_id      text NOT NULL REFERENCES persons (id),
    scene          integer NOT NULL,
    -- review: WeChat asked a person to look (waits for a leader); no_verdict: checked again
    reason         text NOT NULL CHECK (reason IN ('review', 'no_verdict')),
    label          integer,
    next_check_at  timestamptz NOT NULL,
    attempts       integer NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (subject_type, subject_id)
);
CREATE INDEX moderation_checks_due_idx ON moderation_checks (next_check_at) WHERE reason = 'no_verdict';

-- migrate:down
DROP TABLE moderation_checks;
ALTER TABLE proposal_comments DROP COLUMN moderation;
ALTER TABLE reports DROP COLUMN moderation;
ALTER TABLE proposals DROP COLUMN moderation;
