/** ListParts and AbortMultipartUpload. */
import type { ChecksumAlgorithm } from '../checksum/index.js';
import type { PartRecord } from '../store/types.js';
import { intParam, isoDate, ownerElement, quoteEtag, requireBucket } from './common.js';
import {
    checksumElement,
    noSuchUpload,
    requireUpload,
    uploadAlgorithm,
    xmlResponse,
} from './multipart-common.js';
import { releaseBlobs } from './objects.js';
import type { S3Request, S3Response } from './types.js';
import type { XmlElement } from './xml.js';

const MAX_PARTS = 1000;

export async function listParts(req: S3Request): Promise<S3Response> {
    await requireBucket(req);
    const upload = await requireUpload(req);
    const maxParts = intParam(req, 'max-parts', MAX_PARTS, 0, MAX_PARTS);
    const marker = intParam(req, 'part-number-marker', 0, 0, Number.MAX_SAFE_INTEGER);

    const after = (await req.services.metadata.listParts(upload.uploadId)).filter(
        (part) => part.partNumber > marker,
    );
    const page = after.slice(0, maxParts);
    const isTruncated = after.length > page.length;
    // Parts of an upload without an algorithm carry an internal CRC64NVME, not shown (as AWS).
    const algorithm = uploadAlgorithm(upload);
    const owner = ownerElement(upload.ownerAccountId);

    const body: XmlElement = {
        Bucket: upload.bucket,
        Key: upload.key,
        UploadId: upload.uploadId,
        PartNumberMarker: marker,
        NextPartNumberMarker: page.at(-1)?.partNumber ?? marker,
        MaxParts: maxParts,
        IsTruncated: String(isTruncated),
        Part: page.map((part) => partElement(part, algorithm)),
        Initiator: owner,
        Owner: owner,
        StorageClass: 'STANDARD',
    };
    if (algorithm) {
        body['ChecksumAlgorithm'] = algorithm;
        body['ChecksumType'] = upload.checksumType;
    }
    return xmlResponse('ListPartsResult', body);
}

function partElement(part: PartRecord, algorithm: ChecksumAlgorithm | undefined): XmlElement {
    const element: XmlElement = {
        PartNumber: part.partNumber,
        LastModified: isoDate(part.lastModified),
        ETag: quoteEtag(part.etag),
        Size: part.size,
    };
    if (algorithm && part.checksum) element[checksumElement(algorithm)] = part.checksum;
    return element;
}

export async function abortMultipartUpload(req: S3Request): Promise<S3Response> {
    await requireBucket(req);
    const upload = await requireUpload(req);
    const blobs = await req.services.metadata.abortUpload(upload.uploadId);
    // Completed or aborted by a concurrent request since it was looked up.
    if (blobs === undefined) throw noSuchUpload(upload.uploadId);
    await releaseBlobs(req, blobs);
    return { status: 204 };
}
