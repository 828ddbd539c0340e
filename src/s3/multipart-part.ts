/**
 * UploadPart, and recording a part, which UploadPartCopy shares.
 *
 * Every part is hashed with the upload's checksum algorithm (CRC64NVME when it has none) whether
 * or not the client sent a checksum, and that digest is stored with the part: completion builds
 * the object's checksum from the stored part digests without re-reading any bytes.
 */
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import {
    checksumHeader,
    createHasher,
    type ChecksumAlgorithm,
    type Hasher,
} from '../checksum/index.js';
import {
    checksumRequestOf,
    contentMd5Of,
    type ChecksumRequest,
} from '../pipeline/checksum-request.js';
import { ingest, type Ingested } from '../pipeline/ingest.js';
import { encryptionHeaders, etagOf, sealParamsOf, uploadPartKey } from '../sse/index.js';
import { CommitNotDurableError, type PartRecord, type UploadRecord } from '../store/types.js';
import { quoteEtag, requireBucket } from './common.js';
import { S3Error } from './errors.js';
import {
    MAX_PART_SIZE,
    checksumTypeMismatch,
    noSuchUpload,
    partAlgorithm,
    partNumberOf,
    requireUpload,
    uploadAlgorithm,
} from './multipart-common.js';
import { releaseBlobs } from './objects.js';
import { header, type ResponseHeaders, type S3Request, type S3Response } from './types.js';

/** How one UploadPart's checksums are handled. */
interface PartChecksumPlan {
    /** The checksum the client sent (header or trailer), verified against the bytes. */
    verify?: ChecksumRequest;
    /** The algorithm stored with the part. */
    stored: ChecksumAlgorithm;
    /** The algorithm whose value the response carries, if any. */
    echo?: ChecksumAlgorithm;
}

export async function uploadPart(req: S3Request): Promise<S3Response> {
    await requireBucket(req);
    const partNumber = partNumberOf(req);
    const upload = await requireUpload(req);
    requirePartLength(req);
    const plan = planPartChecksum(upload, checksumRequestOf(req.headers));
    const contentMd5 = contentMd5Of(req.headers);
    const sse = await uploadPartKey(req, upload);

    // Ingest computes one checksum besides MD5. When the client's differs from the one the
    // part must store (an upload without an algorithm), a tap computes the stored one.
    const needsTap = plan.verify !== undefined && plan.verify.algorithm !== plan.stored;
    const tap = needsTap ? new DigestTap(plan.stored) : undefined;
    const source = tap ? tapped(req.body(), tap) : req.body();
    const ingested = await ingest(source, req.services.blobs, {
        contentMd5,
        checksum: plan.verify,
        defaultChecksum: plan.stored,
        trailers: req.trailers,
        maxSize: MAX_PART_SIZE,
        seal: sealParamsOf(sse, partNumber),
    });
    const storedDigest = tap ? tap.digest() : ingested.checksum!.digest;
    const etag = etagOf(sse, ingested.md5);
    const part = await storePart(req, upload, partNumber, ingested, storedDigest, etag);

    const headers: ResponseHeaders = {
        etag: quoteEtag(part.etag),
        ...encryptionHeaders(sse.encryption, { customerKeyMd5: sse.customerKeyMd5 }),
    };
    if (plan.echo) {
        const digest = plan.echo === plan.stored ? storedDigest : ingested.checksum!.digest;
        headers[checksumHeader(plan.echo)] = digest.toString('base64');
    }
    return { headers };
}

/**
 * Decides, from the upload and the checksum the part announces, what to verify, store and echo.
 * An upload with an algorithm accepts only that algorithm on its parts, and a COMPOSITE one
 * requires it (the object checksum is built from checksums the client vouched for), with the
 * messages AWS sends; a FULL_OBJECT upload computes it when the client sent none.
 */
export function planPartChecksum(
    upload: UploadRecord,
    request: ChecksumRequest | undefined,
): PartChecksumPlan {
    const expected = uploadAlgorithm(upload);
    // `x-amz-sdk-checksum-algorithm` alone names an algorithm but carries no value to verify.
    const verify = request?.expected !== undefined || request?.trailerName ? request : undefined;
    if (!expected) return { verify, stored: partAlgorithm(upload), echo: verify?.algorithm };
    if (request ? request.algorithm !== expected : upload.checksumType === 'COMPOSITE') {
        throw checksumTypeMismatch(expected, request?.algorithm);
    }
    return { verify, stored: expected, echo: expected };
}

/**
 * Records a durable part blob with its ETag (`etagOf`: the MD5 only under SSE-S3). A part
 * replacing one with the same number frees the old blob; an upload aborted or completed
 * meanwhile frees the new one and answers NoSuchUpload.
 */
export async function storePart(
    req: S3Request,
    upload: UploadRecord,
    partNumber: number,
    ingested: Ingested,
    digest: Buffer,
    etag: string,
): Promise<PartRecord> {
    const part: PartRecord = {
        uploadId: upload.uploadId,
        partNumber,
        size: ingested.size,
        etag,
        lastModified: Date.now(),
        checksum: digest.toString('base64'),
        blobId: ingested.blobId,
    };
    let replaced: string | undefined;
    try {
        replaced = await req.services.metadata.putPart(part);
    } catch (err) {
        // A commit that happened but may not be durable still references its blob.
        if (err instanceof CommitNotDurableError) throw err;
        await releaseBlobs(req, [part.blobId]);
        if (!(await req.services.metadata.getUpload(upload.uploadId))) {
            throw noSuchUpload(upload.uploadId);
        }
        throw err;
    }
    if (replaced !== undefined && replaced !== part.blobId) await releaseBlobs(req, [replaced]);
    return part;
}

/** UploadPart needs a length: Content-Length, or x-amz-decoded-content-length for aws-chunked. */
function requirePartLength(req: S3Request): void {
    const length = header(req, 'x-amz-decoded-content-length') ?? header(req, 'content-length');
    if (length === undefined) throw new S3Error('MissingContentLength');
}

/** Passes bytes through unchanged while hashing them. */
class DigestTap extends Transform {
    private readonly hasher: Hasher;

    constructor(algorithm: ChecksumAlgorithm) {
        super();
        this.hasher = createHasher(algorithm);
    }

    override _transform(chunk: Buffer, _encoding: string, done: TransformCallback): void {
        this.hasher.update(chunk);
        done(null, chunk);
    }

    /** The digest of everything that passed; call once, after the stream ended. */
    digest(): Buffer {
        return this.hasher.digest();
    }
}

/** `source` piped through `tap`, with the source's failure carried to the tap's readers. */
function tapped(source: Readable, tap: DigestTap): Readable {
    source.once('error', (err) => tap.destroy(err));
    return source.pipe(tap);
}
