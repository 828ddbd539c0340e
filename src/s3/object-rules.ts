/** S3's rules for object keys and for the ACL headers a write may carry. */
import { S3Error } from './errors.js';
import { header, type S3Request } from './types.js';

export const MAX_KEY_BYTES = 1024;

/**
 * Canned ACLs that keep an object private to its owner. Buckets behave as AWS's default since
 * 2023 (Object Ownership: BucketOwnerEnforced), where any other ACL is refused.
 */
const OWNER_ONLY_ACLS = new Set(['private', 'bucket-owner-full-control']);

export function validateObjectKey(key: string): string {
    if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
        throw new S3Error('KeyTooLongError', undefined, {
            fields: { MaxSizeAllowed: MAX_KEY_BYTES, Size: Buffer.byteLength(key) },
        });
    }
    return key;
}

/** Refuses an ACL other than the private default, as a BucketOwnerEnforced bucket does. */
export function validateWriteAcl(req: S3Request): void {
    const acl = header(req, 'x-amz-acl');
    const grants = Object.keys(req.headers).some((name) => name.startsWith('x-amz-grant-'));
    if ((acl !== undefined && !OWNER_ONLY_ACLS.has(acl)) || grants) {
        throw new S3Error('AccessControlListNotSupported');
    }
}
