/**
 * What every multipart operation shares: S3's part limits, upload ids, finding the upload a
 * request names, the part-number parameter, and the checksum algorithm parts are hashed with.
 */
import { randomBytes } from 'node:crypto';
import { parseChecksumAlgorithm, type ChecksumAlgorithm } from '../checksum/index.js';
import type { UploadRecord } from '../store/types.js';
import { S3Error } from './errors.js';
import type { S3Request, S3Response } from './types.js';
import { xmlDocument, type XmlElement } from './xml.js';

export const MAX_PART_NUMBER = 10_000;
/** Every part but the last must be at least this large (S3's 5 MiB). */
export const MIN_PART_SIZE = 5 * 1024 ** 2;
export const MAX_PART_SIZE = 5 * 1024 ** 3;

/**
 * The base64url alphabet reordered into ASCII order, so that comparing two ids as strings (as
 * SQLite's BINARY collation does) compares the bytes they encode. Frozen: stored ids use it.
 */
const STANDARD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const SORTABLE_ALPHABET = '-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';

/**
 * A new upload id: 6 bytes of creation time (ms, big-endian) then 18 random bytes, encoded in 32
 * URL-safe characters after a letter, that sort by creation time. ListMultipartUploads orders
 * a key's uploads by id, which AWS orders by initiation time; the random tail keeps ids
 * unguessable.
 */
export function newUploadId(now: number = Date.now(), random: Buffer = randomBytes(18)): string {
    const raw = Buffer.alloc(24);
    raw.writeUIntBE(now, 0, 6);
    random.copy(raw, 6, 0, 18);
    // The constant letter in front keeps ids from starting with '-' (the time's top bits are 0),
    // which command-line clients would read as an option.
    return (
        UPLOAD_ID_PREFIX +
        [...raw.toString('base64url')]
            .map((char) => SORTABLE_ALPHABET[STANDARD_ALPHABET.indexOf(char)])
            .join('')
    );
}

const UPLOAD_ID_PREFIX = 'U';

export function noSuchUpload(uploadId: string): S3Error {
    return new S3Error('NoSuchUpload', undefined, { fields: { UploadId: uploadId } });
}

/**
 * The upload named by `?uploadId=`. An id that exists but belongs to another bucket or key is
 * answered exactly like an unknown one: NoSuchUpload, revealing nothing about other keys.
 */
export async function requireUpload(req: S3Request): Promise<UploadRecord> {
    const uploadId = req.query.get('uploadId') ?? '';
    const upload = uploadId ? await req.services.metadata.getUpload(uploadId) : undefined;
    if (!upload || upload.bucket !== req.bucket || upload.key !== req.key) {
        throw noSuchUpload(uploadId);
    }
    return upload;
}

/** The `partNumber` query parameter: an integer in 1..10000, else InvalidArgument. */
export function partNumberOf(req: S3Request): number {
    const raw = req.query.get('partNumber') ?? '';
    const value = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
    if (!(value >= 1 && value <= MAX_PART_NUMBER)) {
        throw new S3Error(
            'InvalidArgument',
            'Part number must be an integer between 1 and 10000, inclusive',
            { fields: { ArgumentName: 'partNumber', ArgumentValue: raw } },
        );
    }
    return value;
}

/** The algorithm the client chose at CreateMultipartUpload, if any. */
export function uploadAlgorithm(upload: UploadRecord): ChecksumAlgorithm | undefined {
    return upload.checksumAlgorithm ? parseChecksumAlgorithm(upload.checksumAlgorithm) : undefined;
}

/**
 * The algorithm every part of the upload is hashed with: the upload's own, or CRC64NVME when it
 * has none, so completion can still fold the parts into S3's default full-object CRC64NVME.
 */
export function partAlgorithm(upload: UploadRecord): ChecksumAlgorithm {
    return uploadAlgorithm(upload) ?? 'CRC64NVME';
}

/** AWS's answer to a part or request checksum of another algorithm than the upload's. */
export function checksumTypeMismatch(
    expected: ChecksumAlgorithm,
    actual: ChecksumAlgorithm | undefined,
): S3Error {
    return new S3Error(
        'InvalidRequest',
        `Checksum Type mismatch occurred, expected checksum Type: ${expected.toLowerCase()}, ` +
            `actual checksum Type: ${actual?.toLowerCase() ?? 'null'}`,
    );
}

/** The XML element that carries a checksum: `ChecksumCRC32`, `ChecksumSHA256`, ... */
export function checksumElement(alg: ChecksumAlgorithm): string {
    return `Checksum${alg}`;
}

/** A 200 with an S3 XML document. */
export function xmlResponse(root: string, body: XmlElement, headers = {}): S3Response {
    return {
        headers: { 'content-type': 'application/xml', ...headers },
        body: xmlDocument(root, body),
    };
}
