/** The embedded metadata store: buckets, objects and uploads in SQLite (better-sqlite3). */
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import type {
    BucketRecord,
    CompleteOutcome,
    ListObjectsPage,
    ListObjectsQuery,
    ListUploadsPage,
    ListUploadsQuery,
    MetadataStore,
    ObjectRecord,
    PartRecord,
    PutOutcome,
    Segment,
    UploadRecord,
    WriteCondition,
} from '../types.js';
import { DurableCommits } from './durable-commits.js';
import { SqliteListing } from './listing.js';
import {
    objectFromRow,
    objectToRow,
    parseSegments,
    partFromRow,
    uploadFromRow,
    uploadToRow,
    type ObjectRow,
    type PartRow,
    type UploadRow,
} from './rows.js';
import { SCHEMA, SCHEMA_VERSION } from './schema.js';

/**
 * Opens the embedded database: WAL journal with `synchronous = FULL`, so a committed
 * transaction survives a crash or power loss. The metadata, KMS and identity stores share it.
 *
 * The file is the owner's alone (mode 0600), like every other file of the data dir: it holds
 * sealed key material and secrets. SQLite gives its -wal and -shm files the database file's
 * mode, so setting it before SQLite opens the file covers them too.
 */
export function openSqliteDatabase(path: string): Database.Database {
    if (path !== ':memory:') makeOwnerOnly(path);
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    return db;
}

/** Creates the database file if need be; it and its WAL files (of an older run) become 0600. */
function makeOwnerOnly(path: string): void {
    closeSync(openSync(path, 'a', 0o600));
    for (const file of [path, `${path}-wal`, `${path}-shm`]) {
        if (existsSync(file)) chmodSync(file, 0o600);
    }
}

const OBJECT_COLUMNS =
    'bucket, key, size, etag, last_modified, headers, user_metadata, checksum, part_sizes, ' +
    'tags, segments, encryption';
const OBJECT_VALUES =
    '@bucket, @key, @size, @etag, @last_modified, @headers, @user_metadata, @checksum, ' +
    '@part_sizes, @tags, @segments, @encryption';

export class SqliteMetadataStore implements MetadataStore {
    private readonly db: Database.Database;
    private readonly stmt;
    private readonly listing: SqliteListing;
    private readonly durable: DurableCommits;
    /**
     * Buckets and their configuration documents, read on every request (authorization, the
     * default encryption): this store is their only writer (one server per data dir), so they
     * are kept from their first read until this store changes them. Only buckets that exist are
     * kept; a document's absence is kept too (most buckets have no policy).
     */
    private readonly buckets = new Map<string, CachedBucket>();
    /** Reads an inline segment's bytes; used while a row is read, inside its transaction. */
    private readonly inlineBytes = (blobId: string): Buffer => {
        const data = this.stmt.getInline.get(blobId) as Buffer | undefined;
        if (!data) throw new Error(`inline blob ${blobId} of a stored object is missing`);
        return data;
    };

    /**
     * Opens `path`, or shares an already open database (see `openSqliteDatabase`). A server
     * passes `checkpointFailure` to have WAL checkpoints run on a worker thread, off its event
     * loop (a short-lived command leaves them to SQLite).
     */
    constructor(
        pathOrDb: string | Database.Database,
        options: { checkpointFailure?: (err: unknown) => void } = {},
    ) {
        this.db = typeof pathOrDb === 'string' ? openSqliteDatabase(pathOrDb) : pathOrDb;
        migrate(this.db);
        this.stmt = this.prepareStatements();
        this.listing = new SqliteListing(this.db);
        this.durable = new DurableCommits(this.db);
        const { checkpointFailure } = options;
        if (checkpointFailure) this.durable.checkpointInBackground(checkpointFailure);
    }

    private prepareStatements() {
        const db = this.db;
        return {
            getSetting: db.prepare('SELECT value FROM settings WHERE name = ?').pluck(),
            setSetting: db.prepare(
                'INSERT INTO settings (name, value) VALUES (?, ?) ' +
                    'ON CONFLICT (name) DO UPDATE SET value = excluded.value',
            ),
            insertBucket: db.prepare(
                'INSERT OR IGNORE INTO buckets (name, owner_account_id, region, created_at) ' +
                    'VALUES (?, ?, ?, ?)',
            ),
            getBucket: db.prepare('SELECT * FROM buckets WHERE name = ?'),
            listBuckets: db.prepare(
                'SELECT * FROM buckets WHERE owner_account_id = ? ORDER BY name',
            ),
            anyObject: db.prepare('SELECT 1 FROM objects WHERE bucket = ? LIMIT 1').pluck(),
            anyUpload: db.prepare('SELECT 1 FROM uploads WHERE bucket = ? LIMIT 1').pluck(),
            deleteBucket: db.prepare('DELETE FROM buckets WHERE name = ?'),
            deleteBucketConfigs: db.prepare('DELETE FROM bucket_configs WHERE bucket = ?'),
            getBucketConfig: db
                .prepare('SELECT value FROM bucket_configs WHERE bucket = ? AND name = ?')
                .pluck(),
            putBucketConfig: db.prepare(
                'INSERT INTO bucket_configs (bucket, name, value) VALUES (?, ?, ?) ' +
                    'ON CONFLICT (bucket, name) DO UPDATE SET value = excluded.value',
            ),
            deleteBucketConfig: db.prepare(
                'DELETE FROM bucket_configs WHERE bucket = ? AND name = ?',
            ),
            getObject: db.prepare('SELECT * FROM objects WHERE bucket = ? AND key = ?'),
            getSegments: db
                .prepare('SELECT segments FROM objects WHERE bucket = ? AND key = ?')
                .pluck(),
            upsertObject: db.prepare(
                `INSERT OR REPLACE INTO objects (${OBJECT_COLUMNS}) VALUES (${OBJECT_VALUES})`,
            ),
            getEtag: db.prepare('SELECT etag FROM objects WHERE bucket = ? AND key = ?').pluck(),
            deleteObject: db.prepare('DELETE FROM objects WHERE bucket = ? AND key = ?'),
            setTags: db.prepare('UPDATE objects SET tags = ? WHERE bucket = ? AND key = ?'),
            insertUpload: db.prepare(
                'INSERT INTO uploads (upload_id, bucket, key, initiated_at, headers, ' +
                    'user_metadata, tags, checksum_algorithm, checksum_type, owner_account_id, ' +
                    'encryption) VALUES (@upload_id, @bucket, @key, @initiated_at, @headers, ' +
                    '@user_metadata, @tags, @checksum_algorithm, @checksum_type, ' +
                    '@owner_account_id, @encryption)',
            ),
            getUpload: db.prepare('SELECT * FROM uploads WHERE upload_id = ?'),
            deleteUpload: db.prepare('DELETE FROM uploads WHERE upload_id = ?'),
            getPartBlob: db
                .prepare('SELECT blob_id FROM parts WHERE upload_id = ? AND part_number = ?')
                .pluck(),
            upsertPart: db.prepare(
                'INSERT OR REPLACE INTO parts (upload_id, part_number, size, etag, ' +
                    'last_modified, checksum, blob_id) VALUES (@uploadId, @partNumber, ' +
                    '@size, @etag, @lastModified, @checksum, @blobId)',
            ),
            listParts: db.prepare('SELECT * FROM parts WHERE upload_id = ? ORDER BY part_number'),
            partBlobs: db.prepare('SELECT blob_id FROM parts WHERE upload_id = ?').pluck(),
            deleteParts: db.prepare('DELETE FROM parts WHERE upload_id = ?'),
            allSegments: db.prepare('SELECT segments FROM objects').pluck(),
            getInline: db.prepare('SELECT data FROM inline_blobs WHERE blob_id = ?').pluck(),
            // A blob id's bytes never change: a record naming a stored one adds nothing.
            insertInline: db.prepare(
                'INSERT OR IGNORE INTO inline_blobs (blob_id, data) VALUES (?, ?)',
            ),
            deleteInline: db.prepare('DELETE FROM inline_blobs WHERE blob_id = ?'),
            allPartBlobs: db.prepare('SELECT blob_id FROM parts').pluck(),
        };
    }

    async getSetting(name: string): Promise<string | undefined> {
        return this.stmt.getSetting.get(name) as string | undefined;
    }

    async setSetting(name: string, value: string): Promise<void> {
        this.stmt.setSetting.run(name, value);
    }

    async createBucket(
        b: BucketRecord,
        configs: Array<[name: string, value: string]> = [],
    ): Promise<'created' | 'exists'> {
        return this.db.transaction(() => {
            const info = this.stmt.insertBucket.run(
                b.name,
                b.ownerAccountId,
                b.region,
                b.createdAt,
            );
            if (info.changes !== 1) return 'exists';
            this.buckets.delete(b.name);
            for (const [name, value] of configs) this.stmt.putBucketConfig.run(b.name, name, value);
            return 'created';
        })();
    }

    async getBucket(name: string): Promise<BucketRecord | undefined> {
        return this.cachedBucket(name)?.record;
    }

    private cachedBucket(name: string): CachedBucket | undefined {
        const cached = this.buckets.get(name);
        if (cached) return cached;
        const row = this.stmt.getBucket.get(name) as BucketRow | undefined;
        if (!row) return undefined;
        const loaded = { record: Object.freeze(bucketFromRow(row)), configs: new Map() };
        this.buckets.set(name, loaded);
        return loaded;
    }

    async listBuckets(ownerAccountId: string): Promise<BucketRecord[]> {
        return (this.stmt.listBuckets.all(ownerAccountId) as BucketRow[]).map(bucketFromRow);
    }

    async getBucketConfig(bucket: string, name: string): Promise<string | undefined> {
        const cached = this.cachedBucket(bucket);
        if (cached?.configs.has(name)) return cached.configs.get(name);
        const value = this.stmt.getBucketConfig.get(bucket, name) as string | undefined;
        cached?.configs.set(name, value);
        return value;
    }

    async putBucketConfig(bucket: string, name: string, value: string | undefined) {
        await this.putBucketConfigs(bucket, [[name, value]]);
    }

    async putBucketConfigs(bucket: string, entries: Array<[string, string | undefined]>) {
        // Forgotten first: should the transaction fail, the next read goes to the database.
        this.buckets.delete(bucket);
        this.db.transaction(() => {
            for (const [name, value] of entries) {
                if (value === undefined) this.stmt.deleteBucketConfig.run(bucket, name);
                else this.stmt.putBucketConfig.run(bucket, name, value);
            }
        })();
    }

    async deleteBucket(name: string): Promise<'deleted' | 'not-empty' | 'missing'> {
        this.buckets.delete(name);
        return this.db.transaction(() => {
            if (this.stmt.anyObject.get(name) || this.stmt.anyUpload.get(name)) return 'not-empty';
            this.stmt.deleteBucketConfigs.run(name);
            return this.stmt.deleteBucket.run(name).changes === 1 ? 'deleted' : 'missing';
        })();
    }

    async getObject(bucket: string, key: string): Promise<ObjectRecord | undefined> {
        // One synchronous run: no write of this connection can come between row and bytes.
        const row = this.stmt.getObject.get(bucket, key) as ObjectRow | undefined;
        return row && objectFromRow(row, this.inlineBytes);
    }

    async putObject(record: ObjectRecord, condition?: WriteCondition): Promise<PutOutcome> {
        return this.durable.commit((): PutOutcome => {
            const failed = this.checkCondition(record.bucket, record.key, condition);
            if (failed) return failed;
            const replaced = this.removeSegmentsOf(record.bucket, record.key);
            this.upsertObject(record);
            return { outcome: 'written', replaced };
        });
    }

    /** Writes an object's row and its inline segments' bytes. */
    private upsertObject(record: ObjectRecord): void {
        for (const segment of record.segments) {
            if (segment.inline) this.stmt.insertInline.run(segment.blobId, segment.inline);
        }
        this.stmt.upsertObject.run(objectToRow(record));
    }

    private checkCondition(bucket: string, key: string, condition?: WriteCondition) {
        if (!condition) return undefined;
        const etag = this.stmt.getEtag.get(bucket, key) as string | undefined;
        if (condition.kind === 'if-absent') {
            return etag === undefined ? undefined : ({ outcome: 'exists' } as const);
        }
        if (etag === undefined) return { outcome: 'missing' } as const;
        return etag === condition.etag ? undefined : ({ outcome: 'etag-mismatch' } as const);
    }

    async deleteObject(bucket: string, key: string): Promise<Segment[]> {
        return this.durable.commit(() => {
            const removed = this.removeSegmentsOf(bucket, key);
            this.stmt.deleteObject.run(bucket, key);
            return removed;
        });
    }

    async setObjectTags(bucket: string, key: string, tags: Array<[string, string]>) {
        return this.durable.commit(
            () => this.stmt.setTags.run(JSON.stringify(tags), bucket, key).changes === 1,
        );
    }

    async listObjects(query: ListObjectsQuery): Promise<ListObjectsPage> {
        return this.listing.objects(query);
    }

    async createUpload(upload: UploadRecord): Promise<void> {
        await this.durable.commit(() => this.stmt.insertUpload.run(uploadToRow(upload)));
    }

    async getUpload(uploadId: string): Promise<UploadRecord | undefined> {
        const row = this.stmt.getUpload.get(uploadId) as UploadRow | undefined;
        return row && uploadFromRow(row);
    }

    async putPart(part: PartRecord): Promise<string | undefined> {
        return this.durable.commit(() => {
            if (!this.stmt.getUpload.get(part.uploadId)) {
                throw new Error('upload vanished while its part was written');
            }
            const old = this.stmt.getPartBlob.get(part.uploadId, part.partNumber) as
                string | undefined;
            this.stmt.upsertPart.run({ ...part, checksum: part.checksum ?? null });
            return old;
        });
    }

    async listParts(uploadId: string): Promise<PartRecord[]> {
        return (this.stmt.listParts.all(uploadId) as PartRow[]).map(partFromRow);
    }

    async listUploads(query: ListUploadsQuery): Promise<ListUploadsPage> {
        return this.listing.uploads(query);
    }

    async completeUpload(
        uploadId: string,
        record: ObjectRecord,
        condition?: WriteCondition,
    ): Promise<CompleteOutcome> {
        return this.durable.commit((): CompleteOutcome => {
            if (!this.stmt.getUpload.get(uploadId)) return { outcome: 'no-upload' };
            const partBlobs = new Set(this.stmt.partBlobs.all(uploadId) as string[]);
            const used = new Set(record.segments.map((s) => s.blobId));
            // The handler chose parts before this transaction: one re-sent since then is gone.
            for (const blobId of used)
                if (!partBlobs.has(blobId)) return { outcome: 'part-changed' };
            const failed = this.checkCondition(record.bucket, record.key, condition);
            if (failed) return failed;
            const unused = [...partBlobs].filter((id) => !used.has(id));
            const replaced = this.removeSegmentsOf(record.bucket, record.key).map((s) => s.blobId);
            this.stmt.deleteParts.run(uploadId);
            this.stmt.deleteUpload.run(uploadId);
            this.upsertObject(record);
            return { outcome: 'written' as const, unreferenced: [...unused, ...replaced] };
        });
    }

    async abortUpload(uploadId: string): Promise<string[] | undefined> {
        return this.durable.commit(() => {
            if (!this.stmt.getUpload.get(uploadId)) return undefined;
            const blobs = this.stmt.partBlobs.all(uploadId) as string[];
            this.stmt.deleteParts.run(uploadId);
            this.stmt.deleteUpload.run(uploadId);
            return blobs;
        });
    }

    async referencedBlobIds(): Promise<Set<string>> {
        const ids = new Set<string>(this.stmt.allPartBlobs.all() as string[]);
        for (const json of this.stmt.allSegments.iterate() as Iterable<string>) {
            for (const segment of parseSegments(json)) {
                if (!segment.inline) ids.add(segment.blobId);
            }
        }
        return ids;
    }

    close(): void {
        this.durable.close();
        this.db.close();
    }

    /**
     * Deletes the inline bytes of the object at bucket/key (inside the caller's transaction)
     * and returns its segments that are blob files, for the caller to delete after the commit.
     */
    private removeSegmentsOf(bucket: string, key: string): Segment[] {
        const json = this.stmt.getSegments.get(bucket, key) as string | undefined;
        if (!json) return [];
        const files: Segment[] = [];
        for (const { blobId, size, partNumber, inline } of parseSegments(json)) {
            if (inline) this.stmt.deleteInline.run(blobId);
            else files.push({ blobId, size, partNumber });
        }
        return files;
    }
}

/**
 * Creates what is missing and records the schema version. Every version so far only added
 * tables (see SCHEMA_VERSION), so an older data dir is upgraded by the IF NOT EXISTS statements.
 */
function migrate(db: Database.Database): void {
    db.transaction(() => {
        db.exec(SCHEMA);
        const stored = db.prepare('SELECT value FROM settings WHERE name = ?').pluck();
        const version = Number((stored.get('schema_version') as string | undefined) ?? 0);
        if (version > SCHEMA_VERSION) {
            throw new Error(
                `the data dir's metadata has schema version ${version}; this Coffer knows ` +
                    `${SCHEMA_VERSION} and older: run a newer Coffer`,
            );
        }
        if (version === SCHEMA_VERSION) return;
        db.prepare(
            'INSERT INTO settings (name, value) VALUES (?, ?) ' +
                'ON CONFLICT (name) DO UPDATE SET value = excluded.value',
        ).run('schema_version', String(SCHEMA_VERSION));
    })();
}

interface CachedBucket {
    record: BucketRecord;
    /** Configuration documents by name; undefined: known to be absent. */
    configs: Map<string, string | undefined>;
}

interface BucketRow {
    name: string;
    owner_account_id: string;
    region: string;
    created_at: number;
}

function bucketFromRow(row: BucketRow): BucketRecord {
    return {
        name: row.name,
        ownerAccountId: row.owner_account_id,
        region: row.region,
        createdAt: row.created_at,
    };
}
