-- migrate:up
-- Disabling a mini-program client revokes its live refresh tokens at once; find them by client.
CREATE INDEX refresh_tokens_client_idx ON refresh_tokens (client_id) WHERE revoked_at IS NULL;
-- The street's clients, newest first, for GET /v1/clients.
CREATE INDEX clients_page_idx ON clients (street_id, created_at DESC, id DESC);

-- migrate:down
DROP INDEX clients_page_idx;
DROP INDEX refresh_tokens_client_idx;
