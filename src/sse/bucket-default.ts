/**
 * A bucket's default encryption (PutBucketEncryption's document, stored as the bucket config
 * `encryption`) and what a write without SSE headers gets from it.
 *
 * Every bucket has one: CreateBucket stores SSE-S3 with the server's SSE-C blocking default
 * (`--default-block-ssec`, on unless turned off, as AWS blocks SSE-C on new buckets since April
 * 2026), so changing the server option later does not change existing buckets. A bucket without
 * a stored document (made by another path) and a bucket after DeleteBucketEncryption get the
 * same base setting.
 */
import type { ServerConfig } from '../server/config.js';
import type { MetadataStore } from '../store/types.js';

/** The bucket config name the document is stored under. */
export const BUCKET_ENCRYPTION_CONFIG = 'encryption';

export interface BucketEncryption {
    algorithm: 'AES256' | 'aws:kms';
    /** The key a `aws:kms` default names, as given (key id, ARN, alias); none: `aws/s3`. */
    kmsMasterKeyId?: string;
    bucketKeyEnabled: boolean;
    /** BlockedEncryptionTypes SSE-C: SSE-C writes are refused (existing objects stay readable). */
    blockSseC: boolean;
}

/** SSE-S3, no bucket key, SSE-C blocked unless the server is told otherwise. */
export function baseBucketEncryption(config: ServerConfig): BucketEncryption {
    return {
        algorithm: 'AES256',
        bucketKeyEnabled: false,
        blockSseC: config.defaultBlockSsec ?? true,
    };
}

/** The document CreateBucket stores with a new bucket. */
export function initialBucketEncryption(config: ServerConfig): [name: string, value: string] {
    return [BUCKET_ENCRYPTION_CONFIG, JSON.stringify(baseBucketEncryption(config))];
}

export async function readBucketEncryption(
    metadata: MetadataStore,
    config: ServerConfig,
    bucket: string,
): Promise<BucketEncryption> {
    const stored = await metadata.getBucketConfig(bucket, BUCKET_ENCRYPTION_CONFIG);
    // Written only by this module, always whole.
    return stored === undefined
        ? baseBucketEncryption(config)
        : (JSON.parse(stored) as BucketEncryption);
}

export async function writeBucketEncryption(
    metadata: MetadataStore,
    bucket: string,
    value: BucketEncryption,
): Promise<void> {
    await metadata.putBucketConfig(bucket, BUCKET_ENCRYPTION_CONFIG, JSON.stringify(value));
}
