/**
 * ListMultipartUploads: `GET /bucket?uploads`. Uploads in key order, uploads of one key in the
 * order they were initiated; the same prefix/delimiter rollup as object listings.
 *
 * AWS always sends the two markers and the two next-markers (empty when there is nothing to
 * name), and echoes Prefix and Delimiter only when they are non-empty; MaxUploads is echoed
 * capped at 1000. Element order follows AWS's responses.
 */
import type { ListUploadsPage, UploadRecord } from '../store/types.js';
import { isoDate, ownerElement, requireBucket } from './common.js';
import { S3Error } from './errors.js';
import { listingParams, prefixElements, type ListingParams } from './list-params.js';
import type { S3Request, S3Response } from './types.js';
import { xmlDocument, type XmlElement } from './xml.js';

const XML = { 'content-type': 'application/xml' };

export async function listMultipartUploads(req: S3Request): Promise<S3Response> {
    const bucket = await requireBucket(req);
    const p = listingParams(req, 'max-uploads');
    const keyMarker = req.query.get('key-marker') ?? '';
    // Without a key-marker, AWS ignores upload-id-marker.
    const uploadIdMarker = keyMarker === '' ? '' : (req.query.get('upload-id-marker') ?? '');
    if (uploadIdMarker !== '') await checkUploadIdMarker(req, keyMarker, uploadIdMarker);
    const page = await uploadPage(req, p, keyMarker, uploadIdMarker);
    const next = nextMarkers(page);
    const body = xmlDocument('ListMultipartUploadsResult', {
        Bucket: bucket.name,
        KeyMarker: p.encode(keyMarker),
        UploadIdMarker: uploadIdMarker,
        NextKeyMarker: p.encode(next.key),
        NextUploadIdMarker: next.uploadId,
        Delimiter: p.delimiter === undefined ? undefined : p.encode(p.delimiter),
        Prefix: p.prefix === '' ? undefined : p.encode(p.prefix),
        MaxUploads: p.pageSize,
        EncodingType: p.encodingType,
        IsTruncated: String(page.isTruncated),
        Upload: page.uploads.map((u) => uploadElement(u, p.encode)),
        CommonPrefixes: prefixElements(page.commonPrefixes, p.encode),
    });
    return { headers: XML, body };
}

function uploadPage(
    req: S3Request,
    p: ListingParams,
    keyMarker: string,
    uploadIdMarker: string,
): Promise<ListUploadsPage> {
    if (p.pageSize === 0) {
        return Promise.resolve({ uploads: [], commonPrefixes: [], isTruncated: false });
    }
    return req.services.metadata.listUploads({
        bucket: req.bucket!,
        prefix: p.prefix,
        delimiter: p.delimiter,
        keyMarker: keyMarker || undefined,
        uploadIdMarker: uploadIdMarker || undefined,
        maxUploads: p.pageSize,
    });
}

/** An upload-id-marker must name an upload of the marker key: its place in the order. */
async function checkUploadIdMarker(req: S3Request, keyMarker: string, uploadId: string) {
    const upload = await req.services.metadata.getUpload(uploadId);
    if (upload && upload.bucket === req.bucket && upload.key === keyMarker) return;
    throw new S3Error('InvalidArgument', 'Invalid uploadId marker', {
        fields: { ArgumentName: 'upload-id-marker', ArgumentValue: uploadId },
    });
}

/** The last entry of the page in key order: an upload, or a common prefix after it. */
function nextMarkers(page: ListUploadsPage): { key: string; uploadId: string } {
    const upload = page.uploads.at(-1);
    const prefix = page.commonPrefixes.at(-1);
    if (prefix !== undefined && (upload === undefined || compareUtf8(prefix, upload.key) > 0)) {
        return { key: prefix, uploadId: '' };
    }
    return upload ? { key: upload.key, uploadId: upload.uploadId } : { key: '', uploadId: '' };
}

function uploadElement(u: UploadRecord, encode: (value: string) => string): XmlElement {
    const owner = ownerElement(u.ownerAccountId);
    return {
        Key: encode(u.key),
        UploadId: u.uploadId,
        Initiator: owner,
        Owner: owner,
        StorageClass: 'STANDARD',
        Initiated: isoDate(u.initiatedAt),
        ChecksumAlgorithm: u.checksumAlgorithm,
        ChecksumType: u.checksumType,
    };
}

/** UTF-8 byte order, the order S3 lists in (JS `<` compares UTF-16 code units). */
function compareUtf8(a: string, b: string): number {
    return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
