/**
 * What each S3 operation asks permission for: the IAM action(s) and the resource ARN(s), as the
 * "Permissions" section of each S3 API page and AWS's "Actions, resources, and condition keys
 * for Amazon S3" list them
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html).
 *
 * 1. One table row per operation; every supported operation has one (test/unit/access-actions).
 * 2. An operation may need several actions, all of which must be allowed: CopyObject and
 *    UploadPartCopy need `s3:PutObject` on the target and `s3:GetObject` on the source;
 *    PutObject, CopyObject and CreateMultipartUpload with `x-amz-tagging` also need
 *    `s3:PutObjectTagging` (PutObject API page, "Permissions").
 * 3. CreateMultipartUpload, UploadPart, UploadPartCopy and CompleteMultipartUpload are
 *    `s3:PutObject` (https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html).
 * 4. Two operations are authorized inside their handler, because the request body decides what
 *    is asked: DeleteObjects (`s3:DeleteObject` per key, a denied key is an `AccessDenied` entry
 *    of the result) and PutObjectTagging (its tag set fills `s3:RequestObjectTag/*`).
 * 5. An operation Coffer does not implement is authorized as `s3:<OperationName>` on its bucket
 *    or object before it is answered 501, so a refused caller learns nothing more than a 403.
 */
import { parseCopySource } from '../s3/copy-source.js';

/** Where an action's resource comes from. */
export type ResourceScope =
    /** No resource type (ListAllMyBuckets): the caller's own account decides. */
    | 'account'
    /** A bucket that may not exist yet (CreateBucket): the caller's account decides. */
    | 'new-bucket'
    | 'bucket'
    | 'object'
    /** The object named by `x-amz-copy-source`, in its own bucket. */
    | 'copy-source';

export interface ActionRule {
    action: string;
    scope: ResourceScope;
    /** The rule applies only when the request carries this header. */
    ifHeader?: string;
}

export interface OperationAccess {
    rules: readonly ActionRule[];
    /** Authorized by the handler once it has read the body (see the module comment, 4). */
    deferred?: 'per-key' | 'after-body';
}

/** One permission to check: an action on a resource, in a bucket (whose policy applies). */
export interface ActionCheck {
    action: string;
    resource: string;
    scope: ResourceScope;
    bucket?: string;
    key?: string;
}

const bucket = (action: string): ActionRule => ({ action, scope: 'bucket' });
const object = (action: string): ActionRule => ({ action, scope: 'object' });
const TAGGING_HEADER: ActionRule = {
    action: 's3:PutObjectTagging',
    scope: 'object',
    ifHeader: 'x-amz-tagging',
};
const COPY_SOURCE: ActionRule = { action: 's3:GetObject', scope: 'copy-source' };

/** Operation name to the permissions it needs. Covers the bucket-encryption operations too. */
export const OPERATION_ACCESS: Readonly<Record<string, OperationAccess>> = {
    ListBuckets: { rules: [{ action: 's3:ListAllMyBuckets', scope: 'account' }] },
    CreateBucket: { rules: [{ action: 's3:CreateBucket', scope: 'new-bucket' }] },
    HeadBucket: { rules: [bucket('s3:ListBucket')] },
    DeleteBucket: { rules: [bucket('s3:DeleteBucket')] },
    GetBucketLocation: { rules: [bucket('s3:GetBucketLocation')] },
    GetBucketAcl: { rules: [bucket('s3:GetBucketAcl')] },
    PutBucketAcl: { rules: [bucket('s3:PutBucketAcl')] },
    ListObjects: { rules: [bucket('s3:ListBucket')] },
    ListObjectsV2: { rules: [bucket('s3:ListBucket')] },
    ListObjectVersions: { rules: [bucket('s3:ListBucketVersions')] },
    ListMultipartUploads: { rules: [bucket('s3:ListBucketMultipartUploads')] },
    DeleteObjects: { rules: [object('s3:DeleteObject')], deferred: 'per-key' },
    PutObject: { rules: [object('s3:PutObject'), TAGGING_HEADER] },
    CopyObject: { rules: [object('s3:PutObject'), COPY_SOURCE, TAGGING_HEADER] },
    GetObject: { rules: [object('s3:GetObject')] },
    HeadObject: { rules: [object('s3:GetObject')] },
    DeleteObject: { rules: [object('s3:DeleteObject')] },
    GetObjectAcl: { rules: [object('s3:GetObjectAcl')] },
    PutObjectAcl: { rules: [object('s3:PutObjectAcl')] },
    GetObjectTagging: { rules: [object('s3:GetObjectTagging')] },
    PutObjectTagging: { rules: [object('s3:PutObjectTagging')], deferred: 'after-body' },
    DeleteObjectTagging: { rules: [object('s3:DeleteObjectTagging')] },
    CreateMultipartUpload: { rules: [object('s3:PutObject'), TAGGING_HEADER] },
    UploadPart: { rules: [object('s3:PutObject')] },
    UploadPartCopy: { rules: [object('s3:PutObject'), COPY_SOURCE] },
    CompleteMultipartUpload: { rules: [object('s3:PutObject')] },
    AbortMultipartUpload: { rules: [object('s3:AbortMultipartUpload')] },
    ListParts: { rules: [object('s3:ListMultipartUploadParts')] },
    GetBucketPolicy: { rules: [bucket('s3:GetBucketPolicy')] },
    PutBucketPolicy: { rules: [bucket('s3:PutBucketPolicy')] },
    DeleteBucketPolicy: { rules: [bucket('s3:DeleteBucketPolicy')] },
    GetBucketPolicyStatus: { rules: [bucket('s3:GetBucketPolicyStatus')] },
    GetPublicAccessBlock: { rules: [bucket('s3:GetBucketPublicAccessBlock')] },
    PutPublicAccessBlock: { rules: [bucket('s3:PutBucketPublicAccessBlock')] },
    // AWS has no separate delete permission: DeletePublicAccessBlock needs the put one.
    DeletePublicAccessBlock: { rules: [bucket('s3:PutBucketPublicAccessBlock')] },
    GetBucketEncryption: { rules: [bucket('s3:GetEncryptionConfiguration')] },
    PutBucketEncryption: { rules: [bucket('s3:PutEncryptionConfiguration')] },
    DeleteBucketEncryption: { rules: [bucket('s3:PutEncryptionConfiguration')] },
};

/** The bucket-policy APIs AWS shields from lock-out (see authorize.ts). */
export const BUCKET_POLICY_ACTIONS: ReadonlySet<string> = new Set([
    's3:GetBucketPolicy',
    's3:PutBucketPolicy',
    's3:DeleteBucketPolicy',
]);

/** `arn:aws:s3:::bucket` or `arn:aws:s3:::bucket/key` (keys are not encoded in ARNs). */
export function s3Arn(bucketName: string, key?: string): string {
    return key === undefined ? `arn:aws:s3:::${bucketName}` : `arn:aws:s3:::${bucketName}/${key}`;
}

/** The resource of account-level actions; matches both `*` and `arn:aws:s3:::*` in policies. */
export const ACCOUNT_RESOURCE = 'arn:aws:s3:::*';

/** The table row of an operation; an operation without one is `s3:<name>` (module comment, 5). */
export function operationAccess(operation: string, hasKey: boolean): OperationAccess {
    const known = OPERATION_ACCESS[operation];
    if (known !== undefined) return known;
    return { rules: [{ action: `s3:${operation}`, scope: hasKey ? 'object' : 'bucket' }] };
}

/** The checks one request needs, in order; every one must be allowed. */
export function actionChecks(
    rules: readonly ActionRule[],
    address: { bucket?: string; key?: string },
    headers: Record<string, string | string[] | undefined>,
): ActionCheck[] {
    return rules
        .filter((rule) => rule.ifHeader === undefined || headers[rule.ifHeader] !== undefined)
        .map((rule) => checkOf(rule, address, headers));
}

function checkOf(
    rule: ActionRule,
    address: { bucket?: string; key?: string },
    headers: Record<string, string | string[] | undefined>,
): ActionCheck {
    const { action, scope } = rule;
    switch (scope) {
        case 'account':
            return { action, scope, resource: ACCOUNT_RESOURCE };
        case 'new-bucket':
        case 'bucket':
            return { action, scope, bucket: address.bucket, resource: s3Arn(address.bucket!) };
        case 'object': {
            const { bucket: name, key } = address;
            return { action, scope, bucket: name, key, resource: s3Arn(name!, key ?? '') };
        }
        case 'copy-source': {
            const raw = headers['x-amz-copy-source'];
            const source = parseCopySource(Array.isArray(raw) ? raw.join(',') : (raw ?? ''));
            return { action, scope, ...source, resource: s3Arn(source.bucket, source.key) };
        }
    }
}

/** The check behind an ARN a handler names (`authorizeAction`): bucket and key read back. */
export function checkFromArn(action: string, resource: string): ActionCheck {
    const match = /^arn:aws:s3:::([^/]+)(?:\/(.*))?$/s.exec(resource);
    if (match === null) return { action, resource, scope: 'account' };
    const [, name, key] = match;
    return key === undefined
        ? { action, resource, scope: 'bucket', bucket: name }
        : { action, resource, scope: 'object', bucket: name, key };
}
