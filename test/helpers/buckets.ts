/** Buckets as several tests need them. */
import { CreateBucketCommand, PutBucketEncryptionCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * Creates `bucket` with SSE-S3 as its default and SSE-C allowed: new buckets block SSE-C, as
 * on AWS, until PutBucketEncryption sets BlockedEncryptionTypes to NONE.
 */
export async function createBucketAllowingSsec(s3: S3Client, bucket: string): Promise<void> {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(
        new PutBucketEncryptionCommand({
            Bucket: bucket,
            ServerSideEncryptionConfiguration: {
                Rules: [
                    {
                        ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
                        BlockedEncryptionTypes: { EncryptionType: ['NONE'] },
                    },
                ],
            },
        }),
    );
}
