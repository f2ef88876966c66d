-- migrate:up
-- Rectification tasks of a 最美楼栋 campaign and the work of a three-lists project are tasks
-- like a dispatch's: their source names where they came from.
ALTER TABLE tasks DROP CONSTRAINT tasks_source_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_source_check
    CHECK (source IN ('proposal', 'report', 'dispatch', 'manual', 'campaign', 'project'));

-- migrate:down
ALTER TABLE tasks DROP CONSTRAINT tasks_source_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_source_check
    CHECK (source IN ('proposal', 'report', 'dispatch', 'manual'));
