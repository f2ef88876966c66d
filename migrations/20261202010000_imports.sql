-- migrate:up
-- Bulk registry imports (批量导入). The uploaded file is kept in the database, in chunks:
-- the API and the worker may run on different machines and either may restart, and the
-- database is the one store both reach that survives both (a local directory would not).
-- The worker stages the file's rows with COPY (import_rows), then applies them in batches,
-- each batch committing with the job's progress (rows_done), so a worker killed mid-file
-- resumes at the next unapplied batch and never applies a row twice.
CREATE TABLE imports (
    id              text PRIMARY KEY,
    street_id       text NOT NULL REFERENCES streets (id),
    kind            text NOT NULL CHECK (kind IN ('communities', 'buildings', 'households')),
    mode            text NOT NULL DEFAULT 'upsert' CHECK (mode IN ('upsert')),
    status          text NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    format          text NOT NULL CHECK (format IN ('csv', 'jsonl')),
    encoding        text NOT NULL,
    columns         text[] NOT NULL,      -- each header's column, '' for one ignored
    file_bytes      bigint NOT NULL,
    file_sha256     text NOT NULL,
    rows_total      integer,
    rows_done       integer NOT NULL DEFAULT 0,
    created         integer NOT NULL DEFAULT 0,
    updated         integer NOT NULL DEFAULT 0,
    unchanged       integer NOT NULL DEFAULT 0,
    failed          integer NOT NULL DEFAULT 0,
    created_by_type text NOT NULL,
    created_by_id   text,
    finished_at     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX imports_page_idx ON imports (street_id, created_at DESC, id DESC);

-- The file, in order (1 MiB a chunk): never held whole in memory by either process.
CREATE TABLE import_chunks (
    import_id  text NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    seq        integer NOT NULL,
    data       bytea NOT NULL,
    PRIMARY KEY (import_id, seq)
);

-- The staging table: one row per data row (row_no 1-based, header excluded), the cells in
-- the kind's column order; cells NULL for a row that already failed (its error is stored).
CREATE TABLE import_rows (
    import_id    text NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    row_no       integer NOT NULL,
    external_id  text,
    cells        text[],
    PRIMARY KEY (import_id, row_no)
);

-- Per-row errors; id is the row number, zero-padded, and the column, so that paging by
-- (created_at, id) lists them by row.
CREATE TABLE import_errors (
    import_id   text NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    id          text NOT NULL,
    row_no      integer NOT NULL,
    column_name text,
    code        text NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (import_id, id)
);

-- migrate:down
DROP TABLE import_errors;
DROP TABLE import_rows;
DROP TABLE import_chunks;
DROP TABLE imports;
