/**
 * Multipart uploads (AWS-SEMANTICS.md section 3.4): CreateMultipartUpload chooses the
 * encryption and the data key, and every part is sealed under that one key with its own part
 * number. Parts may not repeat the SSE-S3/SSE-KMS choice; an SSE-C upload needs the same
 * customer key on every UploadPart and UploadPartCopy, and only such an upload accepts one.
 */
import { S3Error } from '../s3/errors.js';
import type { ResponseHeaders, S3Request } from '../s3/types.js';
import type { UploadRecord } from '../store/types.js';
import { customerKeyMatches, customerKeyOf } from './customer-key.js';
import type { SealingKey } from './data-keys.js';
import { openRecordKey, requireEncryption } from './read.js';
import { refuseSseChoiceHeaders } from './request-headers.js';
import { encryptionHeaders } from './response-headers.js';

const PART_NEEDS_KEY =
    'The multipart upload initiate requested encryption. Subsequent part requests must include ' +
    'the appropriate encryption parameters.';
const PART_KEY_DIFFERS =
    'The provided encryption parameters did not match the ones used originally.';

/** UploadPart and UploadPartCopy: the upload's data key, once the part's headers fit it. */
export async function uploadPartKey(req: S3Request, upload: UploadRecord): Promise<SealingKey> {
    refuseSseChoiceHeaders(req);
    const encryption = requireEncryption(req, upload);
    const customerKey = customerKeyOf(req, 'target', 'write');
    if ((encryption.mode === 'SSE-C') !== (customerKey !== undefined)) {
        throw new S3Error('InvalidRequest', PART_NEEDS_KEY);
    }
    if (customerKey && !customerKeyMatches(encryption, customerKey)) {
        throw new S3Error('InvalidRequest', PART_KEY_DIFFERS);
    }
    const dataKey = await openRecordKey(req, upload, encryption, customerKey);
    return { encryption, dataKey, customerKeyMd5: customerKey?.keyMd5 };
}

/** CompleteMultipartUpload reports SSE-S3 and SSE-KMS, but not SSE-C (as AWS recorded). */
export function completionHeaders(req: S3Request, upload: UploadRecord): ResponseHeaders {
    const encryption = requireEncryption(req, upload);
    return encryption.mode === 'SSE-C' ? {} : encryptionHeaders(encryption);
}
