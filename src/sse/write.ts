/**
 * The write side as operations use it: which encryption a write gets (its headers, else the
 * bucket default), a fresh data key for it, how its blobs are sealed and what its ETag is.
 */
import { createHmac } from 'node:crypto';
import { authorizeKmsKeyUse } from '../access/authorize.js';
import type { SealParams } from '../crypto/index.js';
import { S3Error } from '../s3/errors.js';
import type { S3Request } from '../s3/types.js';
import type { ObjectEncryption } from '../store/types.js';
import { readBucketEncryption } from './bucket-default.js';
import { newDataKey, type EncryptionSpec, type KmsCaller, type SealingKey } from './data-keys.js';
import { withKmsErrors } from './kms-errors.js';
import { hasSseWriteHeaders, sseWriteHeadersOf } from './request-headers.js';

/**
 * The KMS caller of a request: its principal's ARN (anonymous callers never reach the KMS), and
 * the check of its own permission on the SSE-KMS key S3 uses for it.
 */
export function kmsCallerOf(req: S3Request): KmsCaller {
    const principal = req.ctx.principal;
    const caller = principal.type === 'Anonymous' ? 'anonymous' : principal.arn;
    return {
        services: req.services,
        caller,
        authorizeKeyUse: (use) => authorizeKmsKeyUse(req.ctx, req.services, use),
    };
}

/**
 * SSE-KMS needs a SigV4-signed request: AWS answers an anonymous one (a public bucket policy,
 * say) with this InvalidArgument, on writes and reads alike.
 */
export function refuseAnonymousKms(req: S3Request): void {
    if (req.ctx.principal.type !== 'Anonymous') return;
    throw new S3Error(
        'InvalidArgument',
        'Requests specifying Server Side Encryption with AWS KMS managed keys require AWS ' +
            'Signature Version 4.',
        { fields: { ArgumentName: 'Authorization', ArgumentValue: 'null' } },
    );
}

/**
 * The encryption a write asks for: its headers, else the bucket's default. Headers win over
 * the default; a KMS request without the bucket-key header takes the bucket's BucketKeyEnabled
 * (as AWS documents for bucket keys). SSE-C on a bucket that blocks it is AccessDenied.
 */
export async function writeSpecOf(req: S3Request, bucket: string): Promise<EncryptionSpec> {
    const requested = sseWriteHeadersOf(req);
    const config = req.services.config;
    const bucketDefault = await readBucketEncryption(req.services.metadata, config, bucket);
    const defaultBucketKey =
        bucketDefault.algorithm === 'aws:kms' && bucketDefault.bucketKeyEnabled;
    let spec: EncryptionSpec;
    switch (requested.mode) {
        case 'SSE-C':
            if (bucketDefault.blockSseC) {
                throw new S3Error(
                    'AccessDenied',
                    'This bucket does not allow requests that ' +
                        'specify Server Side Encryption with Customer provided keys (SSE-C).',
                );
            }
            return requested;
        case 'SSE-S3':
            return requested;
        case 'SSE-KMS':
            spec = {
                ...requested,
                bucketKeyEnabled: requested.bucketKeyEnabled ?? defaultBucketKey,
            };
            break;
        case 'default':
            if (bucketDefault.algorithm === 'AES256') return { mode: 'SSE-S3' };
            spec = {
                mode: 'SSE-KMS',
                keyId: bucketDefault.kmsMasterKeyId,
                context: {},
                bucketKeyEnabled: requested.bucketKeyEnabled ?? bucketDefault.bucketKeyEnabled,
            };
    }
    refuseAnonymousKms(req);
    return spec;
}

/** A fresh data key for a write to `bucket/key`, as its headers and bucket default decide. */
export async function prepareWriteEncryption(
    req: S3Request,
    bucket: string,
    key: string,
): Promise<SealingKey> {
    const spec = await writeSpecOf(req, bucket);
    return withKmsErrors(() => newDataKey(kmsCallerOf(req), bucket, key, spec));
}

/** What the sealer needs for part `partNumber` (1 for a single-part object). */
export function sealParamsOf(
    sealing: Pick<SealingKey, 'encryption' | 'dataKey'>,
    partNumber: number,
): SealParams {
    const objectId = Buffer.from(sealing.encryption.objectId, 'base64');
    return { dataKey: sealing.dataKey, objectId, partNumber };
}

/**
 * The ETag of a single-part object or of a part (AWS-SEMANTICS.md section 2): the plaintext MD5
 * for SSE-S3, as clients check; for SSE-KMS and SSE-C not the MD5 but a keyed digest of it,
 * hex(HMAC-SHA256(data key, md5)) cut to 32 digits: stable for the object, and unrelated to the
 * plaintext's MD5 for anyone without the key, so equal ETags do not reveal equal contents.
 */
export function etagOf(
    sealing: { encryption: Pick<ObjectEncryption, 'mode'>; dataKey: Buffer },
    md5: Buffer,
): string {
    if (sealing.encryption.mode === 'SSE-S3') return md5.toString('hex');
    return createHmac('sha256', sealing.dataKey).update(md5).digest('hex').slice(0, 32);
}

/**
 * Whether a copy onto itself changes the object's encryption: any SSE header counts (even the
 * same AES256, as on AWS), and so does an implicit change (a KMS object copied without headers
 * into a bucket whose default is SSE-S3 becomes SSE-S3).
 */
export function encryptionChanges(
    req: S3Request,
    source: ObjectEncryption | undefined,
    target: ObjectEncryption,
): boolean {
    if (hasSseWriteHeaders(req)) return true;
    return source?.mode !== target.mode || source.kmsKeyArn !== target.kmsKeyArn;
}
