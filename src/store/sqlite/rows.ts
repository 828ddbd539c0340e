/** Conversions between SQLite rows and the store's records. */
import type {
    ListedObject,
    ObjectEncryption,
    ObjectRecord,
    PartRecord,
    Segment,
    UploadRecord,
} from '../types.js';

export interface ObjectRow {
    bucket: string;
    key: string;
    size: number;
    etag: string;
    last_modified: number;
    headers: string;
    user_metadata: string;
    checksum: string | null;
    part_sizes: string | null;
    tags: string;
    segments: string;
    encryption: string | null;
}

/** A segment as the `segments` column keeps it: an inline one is flagged, its bytes elsewhere. */
export interface StoredSegment {
    blobId: string;
    size: number;
    partNumber: number;
    inline?: true;
}

/** An object row with its segments; `inlineBytes` returns the bytes of an inline segment. */
export function objectFromRow(
    row: ObjectRow,
    inlineBytes: (blobId: string) => Buffer,
): ObjectRecord {
    const segments = parseSegments(row.segments).map(({ blobId, size, partNumber, inline }) =>
        inline
            ? { blobId, size, partNumber, inline: inlineBytes(blobId) }
            : { blobId, size, partNumber },
    );
    return { ...listedFromRow(row), segments };
}

export function parseSegments(column: string): StoredSegment[] {
    return JSON.parse(column) as StoredSegment[];
}

/** An object row as a listing returns it: everything but its segments. */
export function listedFromRow(row: ObjectRow): ListedObject {
    return {
        bucket: row.bucket,
        key: row.key,
        size: row.size,
        etag: row.etag,
        lastModified: row.last_modified,
        headers: JSON.parse(row.headers),
        userMetadata: JSON.parse(row.user_metadata),
        checksum: row.checksum ? JSON.parse(row.checksum) : undefined,
        partSizes: row.part_sizes ? JSON.parse(row.part_sizes) : undefined,
        tags: JSON.parse(row.tags),
        encryption: encryptionFromColumn(row.encryption),
    };
}

export function objectToRow(record: ObjectRecord): ObjectRow {
    return {
        bucket: record.bucket,
        key: record.key,
        size: record.size,
        etag: record.etag,
        last_modified: record.lastModified,
        headers: JSON.stringify(record.headers),
        user_metadata: JSON.stringify(record.userMetadata),
        checksum: record.checksum ? JSON.stringify(record.checksum) : null,
        part_sizes: record.partSizes ? JSON.stringify(record.partSizes) : null,
        tags: JSON.stringify(record.tags),
        segments: JSON.stringify(record.segments.map(storedSegment)),
        encryption: encryptionToColumn(record.encryption),
    };
}

function storedSegment({ blobId, size, partNumber, inline }: Segment): StoredSegment {
    return inline ? { blobId, size, partNumber, inline: true } : { blobId, size, partNumber };
}

export interface UploadRow {
    upload_id: string;
    bucket: string;
    key: string;
    initiated_at: number;
    headers: string;
    user_metadata: string;
    tags: string;
    checksum_algorithm: string | null;
    checksum_type: string | null;
    owner_account_id: string;
    encryption: string | null;
}

export function uploadFromRow(row: UploadRow): UploadRecord {
    return {
        uploadId: row.upload_id,
        bucket: row.bucket,
        key: row.key,
        initiatedAt: row.initiated_at,
        headers: JSON.parse(row.headers),
        userMetadata: JSON.parse(row.user_metadata),
        tags: JSON.parse(row.tags),
        checksumAlgorithm: row.checksum_algorithm ?? undefined,
        checksumType: (row.checksum_type as UploadRecord['checksumType']) ?? undefined,
        ownerAccountId: row.owner_account_id,
        encryption: encryptionFromColumn(row.encryption),
    };
}

export function uploadToRow(upload: UploadRecord): UploadRow {
    return {
        upload_id: upload.uploadId,
        bucket: upload.bucket,
        key: upload.key,
        initiated_at: upload.initiatedAt,
        headers: JSON.stringify(upload.headers),
        user_metadata: JSON.stringify(upload.userMetadata),
        tags: JSON.stringify(upload.tags),
        checksum_algorithm: upload.checksumAlgorithm ?? null,
        checksum_type: upload.checksumType ?? null,
        owner_account_id: upload.ownerAccountId,
        encryption: encryptionToColumn(upload.encryption),
    };
}

export interface PartRow {
    upload_id: string;
    part_number: number;
    size: number;
    etag: string;
    last_modified: number;
    checksum: string | null;
    blob_id: string;
}

export function partFromRow(row: PartRow): PartRecord {
    return {
        uploadId: row.upload_id,
        partNumber: row.part_number,
        size: row.size,
        etag: row.etag,
        lastModified: row.last_modified,
        checksum: row.checksum ?? undefined,
        blobId: row.blob_id,
    };
}

function encryptionFromColumn(value: string | null): ObjectEncryption | undefined {
    return value ? (JSON.parse(value) as ObjectEncryption) : undefined;
}

function encryptionToColumn(encryption: ObjectEncryption | undefined): string | null {
    return encryption ? JSON.stringify(encryption) : null;
}
