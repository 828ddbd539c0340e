/**
 * UploadPartCopy: a part made from (a byte range of) an existing object. The source bytes stream
 * through the same write pipeline as an uploaded part (decrypted with the source's key, sealed
 * with the upload's), so the part gets its ETag and the upload's checksum exactly as if the
 * client had sent those bytes.
 */
import { ingest } from '../pipeline/ingest.js';
import {
    copySourceCustomerKeyOf,
    encryptionHeaders,
    etagOf,
    openObject,
    readPlaintext,
    sealParamsOf,
    uploadPartKey,
} from '../sse/index.js';
import { isoDate, quoteEtag, requireBucket } from './common.js';
import { resolveCopySource } from './copy-source.js';
import { S3Error } from './errors.js';
import {
    MAX_PART_SIZE,
    checksumElement,
    partAlgorithm,
    partNumberOf,
    requireUpload,
    uploadAlgorithm,
    xmlResponse,
} from './multipart-common.js';
import { storePart } from './multipart-part.js';
import { header, type S3Request, type S3Response } from './types.js';
import type { XmlElement } from './xml.js';

/** An inclusive byte range; `end` is `start - 1` for an empty source copied whole. */
export interface CopyRange {
    start: number;
    end: number;
}

export async function uploadPartCopy(req: S3Request): Promise<S3Response> {
    await requireBucket(req);
    const partNumber = partNumberOf(req);
    const upload = await requireUpload(req);
    const sse = await uploadPartKey(req, upload);
    const source = await resolveCopySource(req);
    const sourceKey = copySourceCustomerKeyOf(req, source.record);
    const range = parseCopySourceRange(header(req, 'x-amz-copy-source-range'), source.record.size);
    if (range.end - range.start + 1 > MAX_PART_SIZE) {
        throw new S3Error(
            'InvalidRequest',
            'The specified copy source is larger than the maximum allowable size for a copy ' +
                `source: ${MAX_PART_SIZE}`,
        );
    }

    const algorithm = partAlgorithm(upload);
    const decryption = await openObject(req, source.record, sourceKey);
    const bytes = readPlaintext(req, source.record, decryption, range.start, range.end);
    const ingested = await ingest(bytes, req.services.blobs, {
        defaultChecksum: algorithm,
        trailers: () => new Map(),
        maxSize: MAX_PART_SIZE,
        seal: sealParamsOf(sse, partNumber),
    });
    const digest = ingested.checksum!.digest;
    const etag = etagOf(sse, ingested.md5);
    const part = await storePart(req, upload, partNumber, ingested, digest, etag);

    const result: XmlElement = {
        ETag: quoteEtag(part.etag),
        LastModified: isoDate(part.lastModified),
    };
    const declared = uploadAlgorithm(upload);
    if (declared) result[checksumElement(declared)] = digest.toString('base64');
    const headers = encryptionHeaders(sse.encryption, { customerKeyMd5: sse.customerKeyMd5 });
    return xmlResponse('CopyPartResult', result, headers);
}

/**
 * `x-amz-copy-source-range: bytes=first-last`, the only form S3 accepts here (no suffix or open
 * ranges), and wholly inside the source; absent means the whole source.
 */
export function parseCopySourceRange(value: string | undefined, sourceSize: number): CopyRange {
    if (value === undefined) return { start: 0, end: sourceSize - 1 };
    const match = /^bytes=(\d+)-(\d+)$/.exec(value.trim());
    const start = match ? Number(match[1]) : NaN;
    const end = match ? Number(match[2]) : NaN;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start > end) {
        throw new S3Error(
            'InvalidArgument',
            'The x-amz-copy-source-range value must be of the form bytes=first-last where first ' +
                'and last are the zero-based offsets of the first and last bytes to copy',
            { fields: { ArgumentName: 'x-amz-copy-source-range', ArgumentValue: value } },
        );
    }
    if (end >= sourceSize) {
        throw new S3Error(
            'InvalidArgument',
            `Range specified is not valid for source object of size: ${sourceSize}`,
            { fields: { ArgumentName: 'x-amz-copy-source-range', ArgumentValue: value } },
        );
    }
    return { start, end };
}
