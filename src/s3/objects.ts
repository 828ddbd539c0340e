/** Object operations: PutObject, GetObject, HeadObject, DeleteObject. */
import { checksumRequestOf, contentMd5Of } from '../pipeline/checksum-request.js';
import { INLINE_MAX_SIZE, ingest, type Ingested } from '../pipeline/ingest.js';
import {
    encryptionHeaders,
    etagOf,
    openObject,
    prepareWriteEncryption,
    readCustomerKeyOf,
    readPlaintext,
    sealParamsOf,
    type SealingKey,
} from '../sse/index.js';
import type { ObjectRecord, WriteCondition } from '../store/types.js';
import { quoteEtag, requireBucket } from './common.js';
import { enforceReadPreconditions } from './conditions.js';
import { S3Error } from './errors.js';
import { validateObjectKey, validateWriteAcl } from './object-rules.js';
import {
    checksumResponseHeaders,
    objectResponseHeaders,
    responseOverrides,
    storedHeadersOf,
    userMetadataOf,
} from './object-headers.js';
import { resolveRange } from './range.js';
import { parseTaggingHeader } from './tagging.js';
import { header, type ResponseHeaders, type S3Request, type S3Response } from './types.js';
import { commitObject } from './write.js';

export async function putObject(req: S3Request): Promise<S3Response> {
    const key = validateObjectKey(req.key!);
    await requireBucket(req);
    validateWriteAcl(req);
    const declaredSize = requireContentLength(req);
    const headers = storedHeadersOf(req);
    const userMetadata = userMetadataOf(req);
    const tags = parseTaggingHeader(header(req, 'x-amz-tagging'));
    const checksum = checksumRequestOf(req.headers);
    const condition = writeConditionOf(req);
    const sse = await prepareWriteEncryption(req, req.bucket!, key);

    const stored = await ingest(req.body(), req.services.blobs, {
        contentMd5: contentMd5Of(req.headers),
        checksum,
        defaultChecksum: 'CRC64NVME',
        trailers: req.trailers,
        seal: sealParamsOf(sse, 1),
        inline: declaredSize <= INLINE_MAX_SIZE,
    });
    const fields = { headers, userMetadata, tags };
    const record = objectRecordFrom(req.bucket!, key, stored, fields, sse);
    await commitObject(req, record, condition);
    return {
        headers: {
            etag: quoteEtag(record.etag),
            ...(checksum ? checksumResponseHeaders(record.checksum) : {}),
            ...encryptionHeaders(sse.encryption, {
                customerKeyMd5: sse.customerKeyMd5,
                withContext: true,
            }),
        },
    };
}

/** The record of a single-part object whose one blob `stored` was sealed with `sse`. */
export function objectRecordFrom(
    bucket: string,
    key: string,
    stored: Ingested,
    fields: Pick<ObjectRecord, 'headers' | 'userMetadata' | 'tags'>,
    sse: SealingKey,
): ObjectRecord {
    return {
        bucket,
        key,
        size: stored.size,
        etag: etagOf(sse, stored.md5),
        lastModified: Date.now(),
        ...fields,
        checksum: stored.checksum && {
            algorithm: stored.checksum.algorithm,
            type: 'FULL_OBJECT',
            value: stored.checksum.digest.toString('base64'),
        },
        segments: [
            stored.inline
                ? { blobId: stored.blobId, size: stored.size, partNumber: 1, inline: stored.inline }
                : { blobId: stored.blobId, size: stored.size, partNumber: 1 },
        ],
        encryption: sse.encryption,
    };
}

export async function getObject(req: S3Request): Promise<S3Response> {
    return readObject(req, true);
}

export async function headObject(req: S3Request): Promise<S3Response> {
    return readObject(req, false);
}

async function readObject(req: S3Request, withBody: boolean): Promise<S3Response> {
    await requireBucket(req);
    const record = await requireObject(req);
    const customerKey = readCustomerKeyOf(req, record);
    enforceReadPreconditions(
        {
            ifMatch: header(req, 'if-match'),
            ifNoneMatch: header(req, 'if-none-match'),
            ifModifiedSince: header(req, 'if-modified-since'),
            ifUnmodifiedSince: header(req, 'if-unmodified-since'),
        },
        record,
    );
    const range = partRange(req, record) ?? resolveRange(header(req, 'range'), record.size);
    const headers: ResponseHeaders = {
        ...objectResponseHeaders(record, req, range !== undefined),
        ...encryptionHeaders(record.encryption!, { customerKeyMd5: customerKey?.keyMd5 }),
        ...responseOverrides(req),
    };
    if (range) headers['content-range'] = `bytes ${range.start}-${range.end}/${record.size}`;
    const start = range?.start ?? 0;
    const end = range?.end ?? record.size - 1;
    headers['content-length'] = end - start + 1;
    // HEAD needs no data key (nor does AWS ask the KMS); every GET opens it, an empty one too,
    // so the KMS key's state is enforced on each read.
    let body;
    if (withBody) {
        const decryption = await openObject(req, record, customerKey);
        if (end >= start) body = readPlaintext(req, record, decryption, start, end);
    }
    return { status: range ? 206 : 200, headers, body };
}

/** GET ?partNumber=N: the bytes of one part of a multipart object (the whole object is part 1). */
function partRange(req: S3Request, record: ObjectRecord) {
    const raw = req.query.get('partNumber');
    if (raw === null) return undefined;
    const partNumber = Number(raw);
    const sizes = record.partSizes ?? [record.size];
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10000) {
        throw new S3Error(
            'InvalidArgument',
            'Part number must be an integer between 1 and ' + '10000, inclusive',
            { fields: { ArgumentName: 'partNumber', ArgumentValue: raw } },
        );
    }
    if (partNumber > sizes.length) throw new S3Error('InvalidPartNumber');
    const start = sizes.slice(0, partNumber - 1).reduce((sum, size) => sum + size, 0);
    return { start, end: start + sizes[partNumber - 1]! - 1 };
}

export async function deleteObject(req: S3Request): Promise<S3Response> {
    await requireBucket(req);
    requireNullVersion(req);
    const removed = await req.services.metadata.deleteObject(req.bucket!, req.key!);
    await releaseBlobs(
        req,
        removed.map((segment) => segment.blobId),
    );
    return { status: 204 };
}

/**
 * Buckets are unversioned: an object's only version is `null`. Any other `versionId` names
 * nothing, and must never reach the current object (a DELETE of it would destroy the object).
 */
function requireNullVersion(req: S3Request): void {
    const versionId = req.query.get('versionId');
    if (versionId === null || versionId === 'null') return;
    throw new S3Error('NoSuchVersion', undefined, {
        fields: { Key: req.key!, VersionId: versionId },
    });
}

/** The object (and version) named by the request, or NoSuchKey / NoSuchVersion. */
export async function requireObject(req: S3Request): Promise<ObjectRecord> {
    requireNullVersion(req);
    const record = await req.services.metadata.getObject(req.bucket!, req.key!);
    if (!record) throw new S3Error('NoSuchKey', undefined, { fields: { Key: req.key! } });
    return record;
}

/** Deletes blobs no metadata references any more; a failure only leaves an orphan to collect. */
export async function releaseBlobs(req: S3Request, blobIds: string[]): Promise<void> {
    for (const blobId of blobIds) {
        try {
            await req.services.blobs.delete(blobId);
        } catch (err) {
            req.ctx.log.warn(
                { err, blobId },
                'unreferenced blob not deleted; collected at restart',
            );
        }
    }
}

/** If-None-Match: * and If-Match on a write. */
export function writeConditionOf(req: S3Request): WriteCondition | undefined {
    const ifNoneMatch = header(req, 'if-none-match');
    if (ifNoneMatch !== undefined) {
        if (ifNoneMatch.trim() !== '*') {
            throw new S3Error('NotImplemented', 'Only If-None-Match: * is supported on writes.');
        }
        return { kind: 'if-absent' };
    }
    const ifMatch = header(req, 'if-match');
    if (ifMatch !== undefined) return { kind: 'if-match', etag: ifMatch.trim().replace(/"/g, '') };
    return undefined;
}

/**
 * PutObject needs a length: Content-Length, or x-amz-decoded-content-length for aws-chunked.
 * Returns it as declared (NaN when not a number: the payload decoder judges the header).
 */
function requireContentLength(req: S3Request): number {
    const length = header(req, 'x-amz-decoded-content-length') ?? header(req, 'content-length');
    if (length === undefined) throw new S3Error('MissingContentLength');
    return Number(length);
}
