/** `x-amz-copy-source` and its conditions, shared by CopyObject and UploadPartCopy. */
import type { ObjectRecord } from '../store/types.js';
import { enforceCopySourcePreconditions } from './conditions.js';
import { S3Error } from './errors.js';
import { header, type S3Request } from './types.js';

export interface CopySource {
    bucket: string;
    key: string;
    record: ObjectRecord;
}

/**
 * Reads `x-amz-copy-source: [/]bucket/key[?versionId=v]` (URL-encoded), finds the source object
 * and enforces the `x-amz-copy-source-if-*` conditions.
 */
export async function resolveCopySource(req: S3Request): Promise<CopySource> {
    const { bucket, key } = parseCopySource(header(req, 'x-amz-copy-source') ?? '');
    if (!(await req.services.metadata.getBucket(bucket))) {
        throw new S3Error('NoSuchBucket', undefined, { fields: { BucketName: bucket } });
    }
    const record = await req.services.metadata.getObject(bucket, key);
    if (!record) throw new S3Error('NoSuchKey', undefined, { fields: { Key: key } });
    enforceCopySourcePreconditions(
        {
            ifMatch: header(req, 'x-amz-copy-source-if-match'),
            ifNoneMatch: header(req, 'x-amz-copy-source-if-none-match'),
            ifModifiedSince: header(req, 'x-amz-copy-source-if-modified-since'),
            ifUnmodifiedSince: header(req, 'x-amz-copy-source-if-unmodified-since'),
        },
        record,
    );
    return { bucket, key, record };
}

export function parseCopySource(value: string): { bucket: string; key: string } {
    const [path = '', query = ''] = value.split('?', 2);
    const versionId = new URLSearchParams(query).get('versionId');
    if (versionId !== null && versionId !== 'null') {
        throw new S3Error('NoSuchVersion', 'The specified version does not exist.');
    }
    let decoded: string;
    try {
        decoded = decodeURIComponent(path.replace(/^\//, ''));
    } catch (cause) {
        throw invalidCopySource(cause);
    }
    const slash = decoded.indexOf('/');
    if (slash <= 0 || slash === decoded.length - 1) throw invalidCopySource();
    return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
}

function invalidCopySource(cause?: unknown): S3Error {
    return new S3Error('InvalidArgument', 'Invalid copy source object key', {
        fields: { ArgumentName: 'x-amz-copy-source' },
        cause,
    });
}
