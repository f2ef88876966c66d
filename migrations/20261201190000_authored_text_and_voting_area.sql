-- migrate:up
-- Who wrote the free text that had no author column, so that erasure (DELETE /v1/me) finds
-- every text a person wrote: a proposal's options, and the reason typed with the last status
-- change of a task or a report (NULL: the service's own code, or written before this column).
ALTER TABLE proposal_options ADD COLUMN created_by text REFERENCES persons (id);
ALTER TABLE tasks ADD COLUMN reason_by text REFERENCES persons (id);
ALTER TABLE reports ADD COLUMN reason_by text REFERENCES persons (id);

-- A household that votes has an area above zero (the Civil Code rules weigh ballots by area;
-- the API answers 422 area_required_to_vote first). NOT VALID: rows written before stay as they
-- were until corrected; every new or changed row is checked.
ALTER TABLE households ADD CONSTRAINT households_voting_area_check CHECK (NOT votes OR area_m2 > 0) NOT VALID;

-- migrate:down
ALTER TABLE households DROP CONSTRAINT households_voting_area_check;
ALTER TABLE reports DROP COLUMN reason_by;
ALTER TABLE tasks DROP COLUMN reason_by;
ALTER TABLE proposal_options DROP COLUMN created_by;
