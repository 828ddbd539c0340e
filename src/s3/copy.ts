/** CopyObject: a server-side copy through the same pipeline as an upload. */
import { parseChecksumAlgorithm, type ChecksumAlgorithm } from '../checksum/index.js';
import { INLINE_MAX_SIZE, ingest } from '../pipeline/ingest.js';
import {
    copySourceCustomerKeyOf,
    encryptionChanges,
    encryptionHeaders,
    openObject,
    prepareWriteEncryption,
    readPlaintext,
    sealParamsOf,
} from '../sse/index.js';
import type { ObjectEncryption, ObjectRecord } from '../store/types.js';
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
    const sourceKey = copySourceCustomerKeyOf(req, source.record);
    // The target's encryption is the request's or the target bucket's default, never the source's.
    const sse = await prepareWriteEncryption(req, req.bucket!, key);
    refuseUnchangedSelfCopy(req, source, metadataDirective, sse.encryption);

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
    const decryption = await openObject(req, from, sourceKey);
    const stored = await ingest(
        readPlaintext(req, from, decryption, 0, from.size - 1),
        req.services.blobs,
        {
            defaultChecksum: copyChecksumAlgorithm(req, from),
            trailers: () => new Map(),
            seal: sealParamsOf(sse, 1),
            inline: from.size <= INLINE_MAX_SIZE,
        },
    );
    const record = objectRecordFrom(req.bucket!, key, stored, fields, sse);
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
    const encryption = encryptionHeaders(sse.encryption, {
        customerKeyMd5: sse.customerKeyMd5,
        withContext: true,
    });
    return { headers: { 'content-type': 'application/xml', ...encryption }, body };
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

/** AWS refuses a copy onto itself that changes nothing, its encryption included. */
function refuseUnchangedSelfCopy(
    req: S3Request,
    source: CopySource,
    metadataDirective: 'COPY' | 'REPLACE',
    target: ObjectEncryption,
): void {
    const sameObject = source.bucket === req.bucket && source.key === req.key;
    if (!sameObject || metadataDirective === 'REPLACE') return;
    const changesSomething =
        header(req, 'x-amz-storage-class') !== undefined ||
        header(req, 'x-amz-website-redirect-location') !== undefined ||
        encryptionChanges(req, source.record.encryption, target);
    if (changesSomething) return;
    throw new S3Error(
        'InvalidRequest',
        'This copy request is illegal because it is trying to copy an object to itself ' +
            'without changing the object\'s metadata, storage class, website redirect ' +
            'location or encryption attributes.',
    );
}
