/**
 * Server-side encryption: every object is sealed at rest (docs/encrypted-object-format.md),
 * under its own random 256-bit data key; the SSE modes differ only in how that data key is kept.
 *
 * Recipe:
 * 1. A write's encryption comes from its headers, else from the bucket's default (SSE-S3 unless
 *    PutBucketEncryption chose aws:kms). A fresh data key and a random 16-byte object id are
 *    chosen per object, or per multipart upload at CreateMultipartUpload.
 * 2. SSE-S3: the KMS generates the data key under its internal service key, with the context
 *    {"aws:s3:arn": "arn:aws:s3:::bucket/key"}; the ciphertext blob is stored.
 * 3. SSE-KMS: the same under the requested key (or `alias/aws/s3`), with the request's context
 *    plus `aws:s3:arn`. With a bucket key, the KMS makes one key per bucket and KMS key and the
 *    data key is wrapped locally under it (`bucket-keys.ts`); key state is checked on every use.
 * 4. SSE-C: the data key is wrapped under a key derived from the customer's, with a salted MAC
 *    kept to recognise that key again (`customer-key.ts`); the customer's key is never stored.
 * 5. Reads unwrap the data key (the KMS enforces the key's state, the context names the object)
 *    and open only the packages a range touches; any failed check is a 500 whose log line names
 *    the bucket and key, and no unauthenticated byte is sent.
 * 6. ETags: the plaintext MD5 for SSE-S3; a keyed digest of it for SSE-KMS and SSE-C; `-N`
 *    multipart ETags as always, from the parts' ETags.
 */
export { bucketKeyContext } from './bucket-keys.js';
export {
    BUCKET_ENCRYPTION_CONFIG,
    baseBucketEncryption,
    initialBucketEncryption,
    readBucketEncryption,
    writeBucketEncryption,
    type BucketEncryption,
} from './bucket-default.js';
export { type SealingKey } from './data-keys.js';
export { completionHeaders, uploadPartKey } from './multipart.js';
export {
    copySourceCustomerKeyOf,
    openObject,
    readCustomerKeyOf,
    readPlaintext,
    requireEncryption,
} from './read.js';
export { encryptionHeaders } from './response-headers.js';
export { encryptionChanges, etagOf, prepareWriteEncryption, sealParamsOf } from './write.js';
