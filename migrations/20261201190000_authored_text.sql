-- migrate:up
-- Who wrote the free text that had no author column, so that erasure (DELETE /v1/me) finds
-- every text a person wrote: a proposal's options, and the reason typed with the last status
-- change of a task or a report (NULL: the service's own code, or written before this column).
ALTER TABLE proposal_options ADD COLUMN created_by text REFERENCES persons (id);
ALTER TABLE tasks ADD COLUMN reason_by text REFERENCES persons (id);
ALTER TABLE reports ADD COLUMN reason_by text REFERENCES persons (id);

-- migrate:down
ALTER TABLE reports DROP COLUMN reason_by;
ALTER TABLE tasks DROP COLUMN reason_by;
ALTER TABLE proposal_options DROP COLUMN created_by;
