/**
 * The SSE response headers (AWS-SEMANTICS.md section 1.2): `AES256` for SSE-S3; `aws:kms`, the
 * key's ARN and the bucket-key flag for SSE-KMS; the algorithm and the request's key MD5 for
 * SSE-C, which has no `x-amz-server-side-encryption` header.
 */
import type { ResponseHeaders } from '../s3/types.js';
import type { ObjectEncryption } from '../store/types.js';

export interface EncryptionHeaderOptions {
    /** SSE-C: the MD5 of the key the request sent. */
    customerKeyMd5?: string;
    /** PutObject, CopyObject, CreateMultipartUpload also echo the SSE-KMS encryption context. */
    withContext?: boolean;
}

export function encryptionHeaders(
    encryption: ObjectEncryption,
    options: EncryptionHeaderOptions = {},
): ResponseHeaders {
    switch (encryption.mode) {
        case 'SSE-S3':
            return { 'x-amz-server-side-encryption': 'AES256' };
        case 'SSE-C':
            return {
                'x-amz-server-side-encryption-customer-algorithm': 'AES256',
                'x-amz-server-side-encryption-customer-key-md5': options.customerKeyMd5,
            };
        case 'SSE-KMS': {
            const headers: ResponseHeaders = {
                'x-amz-server-side-encryption': 'aws:kms',
                'x-amz-server-side-encryption-aws-kms-key-id': encryption.kmsKeyArn,
            };
            if (encryption.bucketKeyEnabled) {
                headers['x-amz-server-side-encryption-bucket-key-enabled'] = 'true';
            }
            if (options.withContext && encryption.context) {
                headers['x-amz-server-side-encryption-context'] = Buffer.from(
                    encryption.context,
                    'utf8',
                ).toString('base64');
            }
            return headers;
        }
    }
}
