/**
 * CompleteMultipartUpload: the chosen parts become one object, without copying a byte.
 *
 * 1. The part list is checked against the stored parts: ascending numbers, known parts with
 *    matching ETags and checksums, every part but the last at least 5 MiB.
 * 2. The ETag is S3's: hex(md5(concatenated binary part ETags)) + `-<part count>` (the part
 *    ETags are MD5s under SSE-S3, keyed digests under SSE-KMS and SSE-C).
 * 3. The checksum is built from the stored part digests: COMPOSITE hashes them, FULL_OBJECT folds
 *    the part CRCs into the CRC of the whole object. A whole-object value sent in a header must
 *    match it.
 * 4. The object's segments are the parts' blobs in order, each sealed with its part number under
 *    the upload's data key, and the object takes the upload's encryption; one metadata
 *    transaction replaces any existing object and removes the upload, then blobs nothing
 *    references are deleted.
 */
import { createHash } from 'node:crypto';
import {
    combineCrc,
    compositeChecksum,
    isCrcAlgorithm,
    type ChecksumAlgorithm,
} from '../checksum/index.js';
import { contentMd5Of } from '../pipeline/checksum-request.js';
import { completionHeaders, requireEncryption } from '../sse/index.js';
import type {
    ObjectRecord,
    PartRecord,
    StoredChecksum,
    StoredHeaders,
    UploadRecord,
} from '../store/types.js';
import { quoteEtag, requireBucket } from './common.js';
import { S3Error } from './errors.js';
import {
    readRequestedParts,
    requestedObjectChecksum,
    type RequestedObjectChecksum,
    type RequestedPart,
} from './multipart-complete-request.js';
import {
    MIN_PART_SIZE,
    checksumElement,
    checksumTypeMismatch,
    partAlgorithm,
    noSuchUpload,
    requireUpload,
    uploadAlgorithm,
    xmlResponse,
} from './multipart-common.js';
import { releaseBlobs, writeConditionOf } from './objects.js';
import { s3UrlEncode } from './url-encoding.js';
import type { S3Request, S3Response } from './types.js';
import { conditionFailure } from './write.js';
import type { XmlElement } from './xml.js';

export async function completeMultipartUpload(req: S3Request): Promise<S3Response> {
    await requireBucket(req);
    const upload = await requireUpload(req);
    const condition = writeConditionOf(req);
    const requestedChecksum = requestedObjectChecksum(req);
    const requested = await readRequestedParts(req.body(), contentMd5Of(req.headers));

    const stored = await req.services.metadata.listParts(upload.uploadId);
    const parts = chooseParts(upload, requested, stored);
    const checksum = objectChecksum(upload, parts);
    verifyRequestedChecksum(upload, checksum, requestedChecksum);
    const encryption = requireEncryption(req, upload);
    const record = { ...objectRecordOf(upload, parts, checksum), encryption };

    const result = await req.services.metadata.completeUpload(upload.uploadId, record, condition);
    if (result.outcome === 'no-upload') throw noSuchUpload(upload.uploadId);
    if (result.outcome === 'part-changed') throw new S3Error('InvalidPart');
    if (result.outcome !== 'written') throw conditionFailure(result.outcome, upload.key);
    await releaseBlobs(req, result.unreferenced);

    const body: XmlElement = {
        Location: locationOf(req),
        Bucket: upload.bucket,
        Key: upload.key,
        ETag: quoteEtag(record.etag),
    };
    if (checksum) {
        body[checksumElement(checksum.algorithm as ChecksumAlgorithm)] = checksum.value;
        body['ChecksumType'] = checksum.type;
    }
    return xmlResponse('CompleteMultipartUploadResult', body, completionHeaders(req, upload));
}

/** The stored parts the request names, in its (ascending) order, checked as AWS checks them. */
export function chooseParts(
    upload: UploadRecord,
    requested: RequestedPart[],
    stored: PartRecord[],
): PartRecord[] {
    const byNumber = new Map(stored.map((part) => [part.partNumber, part]));
    return requested.map((wanted, index) => {
        const part = byNumber.get(wanted.partNumber);
        if (!part || part.etag !== wanted.etag) throw invalidPart(upload, wanted);
        checkPartChecksums(upload, wanted, part);
        const isLast = index === requested.length - 1;
        if (!isLast && part.size < MIN_PART_SIZE) {
            throw new S3Error('EntityTooSmall', undefined, {
                fields: {
                    ProposedSize: part.size,
                    MinSizeAllowed: MIN_PART_SIZE,
                    PartNumber: part.partNumber,
                    ETag: part.etag,
                },
            });
        }
        return part;
    });
}

/**
 * Part checksums in the request must be the ones stored. A COMPOSITE upload needs every part's
 * checksum, since the object checksum is a checksum of them. An upload without an algorithm
 * stores CRC64NVME only; checksums of other algorithms were verified at UploadPart and pass.
 */
function checkPartChecksums(upload: UploadRecord, wanted: RequestedPart, part: PartRecord): void {
    const declared = uploadAlgorithm(upload);
    const algorithm = partAlgorithm(upload);
    for (const [alg, value] of wanted.checksums) {
        if (alg !== algorithm && !declared) continue;
        if (alg !== algorithm || value !== part.checksum) throw invalidPart(upload, wanted);
    }
    if (declared && upload.checksumType === 'COMPOSITE' && !wanted.checksums.has(declared)) {
        throw new S3Error(
            'InvalidRequest',
            `The upload was created using a ${declared.toLowerCase()} checksum. The complete ` +
                'request must include the checksum for each part. It was missing for part ' +
                `${wanted.partNumber} in the request.`,
        );
    }
}

function invalidPart(upload: UploadRecord, wanted: RequestedPart): S3Error {
    return new S3Error('InvalidPart', undefined, {
        fields: { UploadId: upload.uploadId, PartNumber: wanted.partNumber, ETag: wanted.etag },
    });
}

/**
 * The object checksum from the parts' stored digests: the upload's algorithm and type, or S3's
 * default CRC64NVME FULL_OBJECT for an upload that declared none.
 */
export function objectChecksum(
    upload: UploadRecord,
    parts: PartRecord[],
): StoredChecksum | undefined {
    const algorithm = partAlgorithm(upload);
    const type = upload.checksumType ?? 'FULL_OBJECT';
    if (parts.some((part) => part.checksum === undefined)) return undefined;
    const digests = parts.map((part) => Buffer.from(part.checksum!, 'base64'));
    if (type === 'COMPOSITE') {
        return { algorithm, type, value: compositeChecksum(algorithm, digests) };
    }
    if (!isCrcAlgorithm(algorithm)) return undefined;
    let crc: Buffer = digests[0]!;
    for (let i = 1; i < parts.length; i++) {
        crc = combineCrc(algorithm, crc, digests[i]!, parts[i]!.size);
    }
    return { algorithm, type, value: crc.toString('base64') };
}

/**
 * A whole-object checksum sent with the request must name the upload's type and algorithm and
 * match what the parts give; a COMPOSITE value may come with or without its `-N` suffix.
 */
function verifyRequestedChecksum(
    upload: UploadRecord,
    actual: StoredChecksum | undefined,
    requested: RequestedObjectChecksum,
): void {
    const type = upload.checksumType ?? 'FULL_OBJECT';
    if (requested.type !== undefined && requested.type !== type) {
        throw new S3Error(
            'InvalidRequest',
            `The upload was created using the ${type} checksum mode. The complete request must ` +
                'use the same checksum mode.',
        );
    }
    if (!requested.algorithm || !actual) return;
    const algorithm = partAlgorithm(upload);
    if (requested.algorithm !== algorithm) {
        throw checksumTypeMismatch(algorithm, requested.algorithm);
    }
    const bare = actual.value.replace(/-\d+$/, '');
    if (requested.value !== actual.value && requested.value !== bare) {
        throw new S3Error(
            'BadDigest',
            `The ${algorithm} you specified did not match the calculated checksum.`,
        );
    }
}

function objectRecordOf(
    upload: UploadRecord,
    parts: PartRecord[],
    checksum: StoredChecksum | undefined,
): ObjectRecord {
    return {
        bucket: upload.bucket,
        key: upload.key,
        size: parts.reduce((sum, part) => sum + part.size, 0),
        etag: multipartEtag(parts.map((part) => part.etag)),
        lastModified: Date.now(),
        headers: withoutSseHeaders(upload.headers),
        userMetadata: upload.userMetadata,
        checksum,
        partSizes: parts.map((part) => part.size),
        tags: upload.tags,
        segments: parts.map((part) => ({
            blobId: part.blobId,
            size: part.size,
            partNumber: part.partNumber,
        })),
    };
}

/**
 * The upload keeps its SSE request headers for the parts' policy checks; the object's
 * encryption is its `encryption`, so they are not stored as object headers (GET answers the
 * object's real encryption, with the key's ARN rather than an alias a request named).
 */
function withoutSseHeaders(headers: StoredHeaders): StoredHeaders {
    const kept = Object.entries(headers).filter(
        ([name]) => !name.startsWith('x-amz-server-side-encryption'),
    );
    return Object.fromEntries(kept);
}

/** S3's multipart ETag from the parts' hex ETags. */
export function multipartEtag(partEtags: string[]): string {
    const md5 = createHash('md5');
    for (const etag of partEtags) md5.update(Buffer.from(etag, 'hex'));
    return `${md5.digest('hex')}-${partEtags.length}`;
}

/** The object's URL as the client addressed the bucket (virtual-host or path style). */
function locationOf(req: S3Request): string {
    const scheme = req.ctx.secureTransport ? 'https' : 'http';
    const host = req.headers.host ?? '';
    const key = s3UrlEncode(req.key!);
    if (host.startsWith(`${req.bucket}.`)) return `${scheme}://${host}/${key}`;
    return `${scheme}://${host}/${req.bucket}/${key}`;
}
