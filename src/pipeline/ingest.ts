/**
 * The write half of the object pipeline: a payload stream becomes one durable blob.
 *
 * 1. Bytes stream from the decoded payload through the hashers (MD5 for the ETag, the client's
 *    checksum, or CRC64NVME when it sent none, as S3 computes one for every object). Hashes,
 *    checksums and sizes are always of the plaintext.
 * 2. With `seal`, the sealer encrypts them (docs/encrypted-object-format.md) and only sealed
 *    bytes reach the store. They land in a temp blob; any stream failure (client gone, bad
 *    chunk signature, too large) discards it.
 * 3. Content-MD5 and the additional checksum are verified; a mismatch discards the blob.
 * 4. Only then is the blob made durable (fsync, rename). The caller commits the metadata next,
 *    so an acknowledged write is never lost and a refused one leaves nothing behind.
 */
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { MultiHasher, type ChecksumAlgorithm } from '../checksum/index.js';
import { createSealer, sealedSize, type SealParams } from '../crypto/index.js';
import { S3Error, isS3Error } from '../s3/errors.js';
import type { BlobStore } from '../store/types.js';
import type { ChecksumRequest } from './checksum-request.js';

/** S3's single-PUT limit. */
export const MAX_OBJECT_SIZE = 5 * 1024 ** 3;

/**
 * Objects up to this many plaintext bytes are kept inline: their sealed bytes go into the
 * metadata store in the object's own commit, not into a blob file. A small PUT then pays one
 * (shared) WAL fsync instead of a file fsync, a rename, a directory fsync and the commit, and
 * a small GET no file open and close. 64 KiB is one package of the object format, so an inline
 * blob is always a single package; beyond it the fixed cost of a file is small next to the
 * bytes, and SQLite rows (and the memory a write holds before committing) stay small.
 */
export const INLINE_MAX_SIZE = 64 * 1024;

export interface IngestOptions {
    contentMd5?: Buffer;
    checksum?: ChecksumRequest;
    /** Computed when the client sent no checksum (CRC64NVME for objects, as S3 does). */
    defaultChecksum?: ChecksumAlgorithm;
    /** Trailing headers of the payload, complete once the stream ended. */
    trailers: () => Map<string, string>;
    maxSize?: number;
    /** Seals the blob under this data key, object id and part number. */
    seal?: SealParams;
    /**
     * The object is expected to fit INLINE_MAX_SIZE: keep its (sealed) bytes in memory for the
     * metadata store, unless they turn out larger.
     */
    inline?: boolean;
}

export interface Ingested {
    blobId: string;
    size: number;
    md5: Buffer;
    checksum?: { algorithm: ChecksumAlgorithm; digest: Buffer };
    /** The stored bytes, when they were kept for the metadata store instead of a blob file. */
    inline?: Buffer;
}

export async function ingest(
    source: Readable,
    blobs: BlobStore,
    options: IngestOptions,
): Promise<Ingested> {
    const algorithm = options.checksum?.algorithm ?? options.defaultChecksum;
    const hasher = new HashingCounter(algorithm, options.maxSize ?? MAX_OBJECT_SIZE);
    const inlineUpTo = options.seal ? sealedSize(INLINE_MAX_SIZE) : INLINE_MAX_SIZE;
    const writer = blobs.createWriter(options.inline ? { inlineUpTo } : {});
    try {
        if (options.seal) await pipeline(source, hasher, createSealer(options.seal), writer.stream);
        else await pipeline(source, hasher, writer.stream);
        const digests = hasher.hasher.digests();
        const md5 = digests.get('MD5')!;
        verifyMd5(options.contentMd5, md5);
        const checksum = algorithm && { algorithm, digest: digests.get(algorithm)! };
        if (options.checksum) verifyChecksum(options.checksum, checksum!.digest, options.trailers);
        await writer.commit();
        return { blobId: writer.blobId, size: hasher.size, md5, checksum, inline: writer.inline };
    } catch (err) {
        await writer.abort();
        throw asUploadError(err);
    }
}

function verifyMd5(expected: Buffer | undefined, actual: Buffer): void {
    if (expected && !expected.equals(actual)) throw new S3Error('BadDigest');
}

function verifyChecksum(
    request: ChecksumRequest,
    actual: Buffer,
    trailers: () => Map<string, string>,
): void {
    // x-amz-sdk-checksum-algorithm alone names what to compute, with nothing to compare.
    if (!request.trailerName && request.expected === undefined) return;
    const expected = request.trailerName ? trailers().get(request.trailerName) : request.expected;
    if (expected === undefined) {
        throw new S3Error('InvalidRequest', `The ${request.trailerName} trailer was not sent.`);
    }
    if (Buffer.from(expected, 'base64').equals(actual)) return;
    throw new S3Error(
        'BadDigest',
        `The ${request.algorithm} you specified did not match the calculated checksum.`,
    );
}

/** A client that vanished mid-body, or any stream failure that is not already an S3 error. */
function asUploadError(err: unknown): unknown {
    if (isS3Error(err)) return err;
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'aborted') {
        return new S3Error('IncompleteBody', undefined, { cause: err });
    }
    return err;
}

/** Hashes and counts the bytes flowing through, refusing more than `maxSize`. */
class HashingCounter extends Transform {
    readonly hasher: MultiHasher;
    size = 0;

    constructor(
        algorithm: ChecksumAlgorithm | undefined,
        private readonly maxSize: number,
    ) {
        super();
        this.hasher = new MultiHasher(algorithm ? ['MD5', algorithm] : ['MD5']);
    }

    override _transform(chunk: Buffer, _encoding: string, done: TransformCallback): void {
        this.size += chunk.length;
        if (this.size > this.maxSize) {
            done(new S3Error('EntityTooLarge', undefined, {
                fields: { MaxSizeAllowed: this.maxSize },
            }));
            return;
        }
        this.hasher.update(chunk);
        done(null, chunk);
    }
}
