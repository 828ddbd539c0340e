/** CopyObject: a server-side copy through the same pipeline as an upload. */
import { parseChecksumAlgorithm, type ChecksumAlgorithm } from '../checksum/index.js';
import { ingest } from '../pipeline/ingest.js';
import { readObjectRange } from '../pipeline/read.js';
import type { ObjectRecord } from '../store/types.js';
import { isoDate, quoteEtag, requireBucket } from './common.js';
import { resolveCopySource, type CopySource } from './copy-source.js';
import { S3Error } from './errors.js';
import { storedHeadersOf, userMetadataOf } from './object-headers.js';
import { validateObjectKey, validateWriteAcl } from './object-rules.js';
import { objectRecordFrom, writeConditionOf } from './objects.js';
import { parseTaggingHeader } from './tagging.js';
import { header, type S3Request, type S3Response } from './types.js';
import { commitObject } from './write.js';
import { xmlDocument } from './xml.js';

export async function copyObject(req: S3Request): Promise<S3Response> {
    const key = validateObjectKey(req.key!);
    await requireBucket(req);
    validateWriteAcl(req);
    const metadataDirective = directive(req, 'x-amz-metadata-directive');
    const taggingDirective = directive(req, 'x-amz-tagging-directive');
    const source = await resolveCopySource(req);
    refuseUnchangedSelfCopy(req, source, metadataDirective);

    const fields = {
        headers: metadataDirective === 'REPLACE' ? storedHeadersOf(req) : source.record.headers,
        userMetadata:
            metadataDirective === 'REPLACE' ? userMetadataOf(req) : source.record.userMetadata,
        tags:
            taggingDirective === 'REPLACE'
                ? parseTaggingHeader(header(req, 'x-amz-tagging'))
                : source.record.tags,
    };
    const { record: from } = source;
    const stored = await ingest(
        readObjectRange(req.services.blobs, from.segments, 0, from.size - 1),
        req.services.blobs,
        { defaultChecksum: copyChecksumAlgorithm(req, from), trailers: () => new Map() },
    );
    const record = objectRecordFrom(req.bucket!, key, stored, fields);
    await commitObject(req, record, writeConditionOf(req));

    const checksumElement = record.checksum && {
        [`Checksum${record.checksum.algorithm}`]: record.checksum.value,
        ChecksumType: record.checksum.type,
    };
    const body = xmlDocument('CopyObjectResult', {
        LastModified: isoDate(record.lastModified),
        ETag: quoteEtag(record.etag),
        ...checksumElement,
    });
    return { headers: { 'content-type': 'application/xml' }, body };
}

function directive(req: S3Request, name: string): 'COPY' | 'REPLACE' {
    const value = header(req, name) ?? 'COPY';
    if (value === 'COPY' || value === 'REPLACE') return value;
    const what = name === 'x-amz-metadata-directive' ? 'metadata' : 'tagging';
    throw new S3Error('InvalidArgument', `Unknown ${what} directive.`, {
        fields: { ArgumentName: name, ArgumentValue: value },
    });
}

/** The copy keeps the source's checksum algorithm unless the request names another. */
function copyChecksumAlgorithm(req: S3Request, source: ObjectRecord): ChecksumAlgorithm {
    const requested = header(req, 'x-amz-checksum-algorithm');
    if (requested !== undefined) {
        const algorithm = parseChecksumAlgorithm(requested);
        if (!algorithm) {
            throw new S3Error('InvalidRequest', 'Checksum algorithm provided is unsupported.');
        }
        return algorithm;
    }
    const kept = source.checksum && parseChecksumAlgorithm(source.checksum.algorithm);
    return kept && source.checksum?.type === 'FULL_OBJECT' ? kept : 'CRC64NVME';
}

/** AWS refuses a copy onto itself that changes nothing. */
function refuseUnchangedSelfCopy(
    req: S3Request,
    source: CopySource,
    metadataDirective: 'COPY' | 'REPLACE',
): void {
    const sameObject = source.bucket === req.bucket && source.key === req.key;
    if (!sameObject || metadataDirective === 'REPLACE') return;
    const changesSomething =
        header(req, 'x-amz-storage-class') !== undefined ||
        header(req, 'x-amz-website-redirect-location') !== undefined ||
        header(req, 'x-amz-server-side-encryption') !== undefined ||
        header(req, 'x-amz-server-side-encryption-customer-algorithm') !== undefined;
    if (changesSomething) return;
    throw new S3Error(
        'InvalidRequest',
        'This copy request is illegal because it is trying to copy an object to itself ' +
            'without changing the object\'s metadata, storage class, website redirect ' +
            'location or encryption attributes.',
    );
}
