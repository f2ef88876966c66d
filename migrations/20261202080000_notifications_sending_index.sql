-- migrate:up
-- The worker looks for rows left `sending` by a worker killed during the WeChat call (to record
-- them as `unknown`) a few times a second; only the few rows in flight are indexed.
CREATE INDEX notifications_sending_idx ON notifications (updated_at) WHERE status = 'sending';

-- migrate:down
DROP INDEX notifications_sending_idx;
