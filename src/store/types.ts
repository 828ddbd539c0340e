/**
 * The storage interfaces. Everything outside `store/` sees only these: no SQL, no file paths.
 * The embedded default implements them with SQLite and the local filesystem; a scaled-out
 * deployment implements the same interfaces on existing engines.
 */
import type { Readable, Writable } from 'node:stream';

/** A stored run of object bytes: one segment for a single-part object, one per part otherwise. */
export interface Segment {
    blobId: string;
    /** Plaintext size; the blob holds it sealed (docs/encrypted-object-format.md). */
    size: number;
    /**
     * The part number the blob was sealed with: 1 for a single-part object, the upload's part
     * number for a multipart part (part numbers may be sparse, so the position does not tell).
     */
    partNumber: number;
    /**
     * The sealed bytes themselves, when the metadata store keeps them with the object instead
     * of in a blob file (small single-part objects: see `INLINE_MAX_SIZE`). No file `blobId`
     * exists then; the id names the bytes inside the metadata store only.
     */
    inline?: Buffer;
}

/**
 * How an object's (or multipart upload's) data key is kept. The data key itself is never
 * stored: only `wrappedKey`, whose wrapping depends on the mode (src/sse/index.ts).
 */
export interface ObjectEncryption {
    mode: 'SSE-S3' | 'SSE-KMS' | 'SSE-C';
    /** base64 of the 16 random bytes every blob of the object is bound to. */
    objectId: string;
    /** base64: a KMS ciphertext blob, or a `wrapKey` output (bucket key, SSE-C). */
    wrappedKey: string;
    /** SSE-KMS: the KMS key's ARN. */
    kmsKeyArn?: string;
    /** SSE-S3 and SSE-KMS: canonical JSON of the full KMS encryption context. */
    context?: string;
    /** SSE-KMS: the data key is wrapped by the bucket key of `kmsKeyArn`, not by the KMS. */
    bucketKeyEnabled?: boolean;
    /** SSE-C: base64 of the salt the customer key's derived keys are made with. */
    customerKeySalt?: string;
    /** SSE-C: base64 of the MAC that proves a later request holds the same customer key. */
    customerKeyMac?: string;
}

export type ChecksumType = 'FULL_OBJECT' | 'COMPOSITE';

export interface StoredChecksum {
    algorithm: string;
    type: ChecksumType;
    /** base64 digest; composite checksums carry their `-N` suffix. */
    value: string;
}

/** Headers stored with an object and returned on GET/HEAD, keyed by lowercase header name. */
export type StoredHeaders = Record<string, string>;

export interface ObjectRecord {
    bucket: string;
    key: string;
    size: number;
    /** Unquoted ETag: an MD5 hex, or `<hex>-<N>` for multipart objects. */
    etag: string;
    lastModified: number;
    /** content-type, cache-control, content-disposition, -encoding, -language, expires. */
    headers: StoredHeaders;
    /** x-amz-meta-* values keyed by the lowercase name without the prefix. */
    userMetadata: Record<string, string>;
    checksum?: StoredChecksum;
    /** Sizes of a multipart object's parts, in part order (for GET and HEAD ?partNumber). */
    partSizes?: number[];
    tags: Array<[string, string]>;
    segments: Segment[];
    /**
     * Set by every write path. Optional in the type only so that metadata-only fixtures stay
     * valid; a read of a record without it is refused (500), never served as raw bytes.
     */
    encryption?: ObjectEncryption;
}

/** A conditional write: `If-None-Match: *` or `If-Match: <etag>` on the key being written. */
export type WriteCondition = { kind: 'if-absent' } | { kind: 'if-match'; etag: string };

export type PutOutcome =
    | { outcome: 'written'; replaced: Segment[] }
    | { outcome: 'exists' }
    | { outcome: 'missing' }
    | { outcome: 'etag-mismatch' };

/**
 * A completion also fails when the upload was aborted or completed meanwhile ('no-upload'), or
 * when a chosen part was replaced after it was read ('part-changed').
 */
export type CompleteOutcome =
    | { outcome: 'written'; unreferenced: string[] }
    | Exclude<PutOutcome, { outcome: 'written' }>
    | { outcome: 'no-upload' }
    | { outcome: 'part-changed' };

export interface BucketRecord {
    name: string;
    ownerAccountId: string;
    region: string;
    createdAt: number;
}

export interface UploadRecord {
    uploadId: string;
    bucket: string;
    key: string;
    initiatedAt: number;
    headers: StoredHeaders;
    userMetadata: Record<string, string>;
    tags: Array<[string, string]>;
    checksumAlgorithm?: string;
    checksumType?: ChecksumType;
    ownerAccountId: string;
    /** Chosen at CreateMultipartUpload; every part is sealed under this data key. */
    encryption?: ObjectEncryption;
}

export interface PartRecord {
    uploadId: string;
    partNumber: number;
    size: number;
    etag: string;
    lastModified: number;
    /** base64 digest of the part in the upload's checksum algorithm, when it has one. */
    checksum?: string;
    blobId: string;
}

export interface ListObjectsQuery {
    bucket: string;
    prefix: string;
    delimiter?: string;
    /** List keys strictly after this one. */
    after?: string;
    maxKeys: number;
}

/** A listed object: its record without the segments (a listing never reads object bytes). */
export type ListedObject = Omit<ObjectRecord, 'segments'>;

export interface ListObjectsPage {
    objects: ListedObject[];
    commonPrefixes: string[];
    isTruncated: boolean;
    /** The last key or common prefix returned, to continue from when truncated. */
    lastReturned?: string;
}

export interface ListUploadsQuery {
    bucket: string;
    prefix: string;
    delimiter?: string;
    keyMarker?: string;
    uploadIdMarker?: string;
    maxUploads: number;
}

export interface ListUploadsPage {
    uploads: UploadRecord[];
    commonPrefixes: string[];
    isTruncated: boolean;
}

/** Metadata: buckets, objects, multipart uploads, settings. Every method is atomic on its own. */
export interface MetadataStore {
    getSetting(name: string): Promise<string | undefined>;
    setSetting(name: string, value: string): Promise<void>;

    /** Creates a bucket with its initial configuration documents, atomically. */
    createBucket(
        bucket: BucketRecord,
        configs?: Array<[name: string, value: string]>,
    ): Promise<'created' | 'exists'>;
    getBucket(name: string): Promise<BucketRecord | undefined>;
    listBuckets(ownerAccountId: string): Promise<BucketRecord[]>;
    /**
     * A bucket's configuration documents (policy, public access block, encryption...) by name,
     * stored as opaque text. Removed with the bucket.
     */
    getBucketConfig(bucket: string, name: string): Promise<string | undefined>;
    /** Sets (or, with undefined, removes) a configuration document. */
    putBucketConfig(bucket: string, name: string, value: string | undefined): Promise<void>;
    /** Sets or removes several configuration documents in one transaction. */
    putBucketConfigs(
        bucket: string,
        entries: Array<[name: string, value: string | undefined]>,
    ): Promise<void>;
    /** Deletes an empty bucket; 'not-empty' when it holds objects or uploads. */
    deleteBucket(name: string): Promise<'deleted' | 'not-empty' | 'missing'>;

    /** The object with its inline segments' bytes, read in the same transaction as its row. */
    getObject(bucket: string, key: string): Promise<ObjectRecord | undefined>;
    /**
     * Inserts or replaces an object, atomically checking `condition` first; inline segments
     * are stored in the same transaction. On success returns the blob-file segments of the
     * replaced object, now unreferenced (inline ones are gone with it).
     */
    putObject(record: ObjectRecord, condition?: WriteCondition): Promise<PutOutcome>;
    /** Removes an object; returns its blob-file segments (inline ones are gone with it). */
    deleteObject(bucket: string, key: string): Promise<Segment[]>;
    setObjectTags(bucket: string, key: string, tags: Array<[string, string]>): Promise<boolean>;
    listObjects(query: ListObjectsQuery): Promise<ListObjectsPage>;

    createUpload(upload: UploadRecord): Promise<void>;
    getUpload(uploadId: string): Promise<UploadRecord | undefined>;
    /** Records a part; returns the blob of the part it replaced, if any. */
    putPart(part: PartRecord): Promise<string | undefined>;
    listParts(uploadId: string): Promise<PartRecord[]>;
    listUploads(query: ListUploadsQuery): Promise<ListUploadsPage>;
    /**
     * Completes an upload atomically: the object replaces any existing one and the upload is
     * removed. Returns blobs no longer referenced (replaced object, parts left out).
     */
    completeUpload(
        uploadId: string,
        record: ObjectRecord,
        condition?: WriteCondition,
    ): Promise<CompleteOutcome>;
    /** Removes an upload; returns its part blobs, or undefined when it does not exist. */
    abortUpload(uploadId: string): Promise<string[] | undefined>;

    /** The blob files referenced by an object or a part (used to collect orphans). */
    referencedBlobIds(): Promise<Set<string>>;
    close(): void;
}

/** A blob being written: bytes go to `stream`, `commit` makes them durable, `abort` drops them. */
export interface BlobWriter {
    readonly blobId: string;
    readonly stream: Writable;
    /**
     * Flushes to stable storage and moves the blob into place. Call after `stream` finished.
     * A writer created with `inlineUpTo` whose bytes stayed within it writes no file: `commit`
     * sets `inline` instead, and the bytes are durable once the metadata store has them.
     */
    commit(): Promise<void>;
    abort(): Promise<void>;
    /** After `commit`: the blob's bytes when they were kept in memory, not in a file. */
    readonly inline?: Buffer;
}

export interface BlobWriterOptions {
    /**
     * Keep up to this many bytes in memory instead of a file (for the metadata store to keep
     * inline); a blob that grows past it goes to a file after all.
     */
    inlineUpTo?: number;
}

/** One blob opened for positional reads (the large-object GET path reads into its own buffers). */
export interface BlobFile {
    /**
     * Reads up to `length` bytes at `position` into `buffer` from its start; resolves with the
     * count, 0 at the blob's end.
     */
    read(buffer: Buffer, length: number, position: number): Promise<number>;
    close(): Promise<void>;
}

/** Immutable byte blobs, written once then read by range. */
export interface BlobStore {
    createWriter(options?: BlobWriterOptions): BlobWriter;
    /** Reads bytes [start, end] inclusive (end defaults to the blob's end). */
    read(blobId: string, start?: number, end?: number): Readable;
    /** Opens a blob for positional reads; the caller closes it. */
    open(blobId: string): Promise<BlobFile>;
    delete(blobId: string): Promise<void>;
    /** Deletes temp files and blobs that `isReferenced` rejects; returns how many it removed. */
    collectOrphans(isReferenced: (blobId: string) => boolean): Promise<number>;
}

/**
 * A metadata commit that is in the database (other requests may already see it) but whose sync
 * to disk failed: whether it survives a crash is unknown. Callers keep the blobs it references;
 * one that turns out unreferenced after a restart is collected then.
 */
export class CommitNotDurableError extends Error {
    constructor(options?: ErrorOptions) {
        super('the metadata commit could not be made durable', options);
        this.name = 'CommitNotDurableError';
    }
}
