-- migrate:up
-- Photos uploaded by residents and leaders (POST /v1/media): re-encoded without EXIF and kept
-- in the object store (or the local directory) under storage_key. A report or a progress note
-- names them in media_ids; attaching marks them attached_at. What is never attached is
-- removed by the worker a day after its upload (the partial index serves that sweep).
CREATE TABLE media (
    id            text PRIMARY KEY,
    street_id     text NOT NULL REFERENCES streets (id),
    owner_id      text NOT NULL REFERENCES persons (id),
    storage_key   text NOT NULL UNIQUE,
    content_type  text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    bytes         integer NOT NULL CHECK (bytes > 0),
    width         integer NOT NULL CHECK (width > 0),
    height        integer NOT NULL CHECK (height > 0),
    sha256        text NOT NULL,
    attached_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX media_orphans_idx ON media (created_at) WHERE attached_at IS NULL;
CREATE INDEX media_owner_idx ON media (owner_id, created_at);

ALTER TABLE reports ADD COLUMN media_ids text[] NOT NULL DEFAULT '{}';
ALTER TABLE task_updates ADD COLUMN media_ids text[] NOT NULL DEFAULT '{}';

-- migrate:down
ALTER TABLE task_updates DROP COLUMN media_ids;
ALTER TABLE reports DROP COLUMN media_ids;
DROP TABLE media;
