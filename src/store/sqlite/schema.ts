/**
 * The SQLite schema of the embedded metadata store. Keys are TEXT compared with SQLite's BINARY
 * collation, which orders UTF-8 byte-wise: exactly S3's listing order.
 */
/**
 * Version 2 added `inline_blobs`. Every change so far only adds tables, so opening an older
 * data dir is creating what is missing (the statements below are all IF NOT EXISTS) and then
 * recording the new version; a data dir of a newer version is refused.
 */
export const SCHEMA_VERSION = 2;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS buckets (
    name TEXT PRIMARY KEY,
    owner_account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS bucket_configs (
    bucket TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (bucket, name)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS objects (
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    size INTEGER NOT NULL,
    etag TEXT NOT NULL,
    last_modified INTEGER NOT NULL,
    headers TEXT NOT NULL,
    user_metadata TEXT NOT NULL,
    checksum TEXT,
    part_sizes TEXT,
    tags TEXT NOT NULL,
    segments TEXT NOT NULL,
    encryption TEXT,
    PRIMARY KEY (bucket, key)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS uploads (
    upload_id TEXT PRIMARY KEY,
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    initiated_at INTEGER NOT NULL,
    headers TEXT NOT NULL,
    user_metadata TEXT NOT NULL,
    tags TEXT NOT NULL,
    checksum_algorithm TEXT,
    checksum_type TEXT,
    owner_account_id TEXT NOT NULL,
    encryption TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS uploads_by_key ON uploads (bucket, key, upload_id);

CREATE TABLE IF NOT EXISTS parts (
    upload_id TEXT NOT NULL,
    part_number INTEGER NOT NULL,
    size INTEGER NOT NULL,
    etag TEXT NOT NULL,
    last_modified INTEGER NOT NULL,
    checksum TEXT,
    blob_id TEXT NOT NULL,
    PRIMARY KEY (upload_id, part_number)
) WITHOUT ROWID;

-- The sealed bytes of small objects, kept here instead of in blob files (see INLINE_MAX_SIZE).
-- A rowid table: SQLite keeps rows of several KiB better there than in a WITHOUT ROWID tree.
CREATE TABLE IF NOT EXISTS inline_blobs (
    blob_id TEXT PRIMARY KEY,
    data BLOB NOT NULL
);
`;
