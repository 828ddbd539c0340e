/**
 * Routing: a request's method, address and sub-resource become one named S3 operation.
 * Pure and table-tested. Requests S3 knows but Coffer does not implement route to a named
 * unsupported operation, answered 501 NotImplemented, so the access log still names them.
 */
import { S3Error } from '../s3/errors.js';

export const SUPPORTED_OPERATIONS = [
    'ListBuckets',
    'CreateBucket',
    'HeadBucket',
    'DeleteBucket',
    'GetBucketLocation',
    'GetBucketAcl',
    'PutBucketAcl',
    'ListObjects',
    'ListObjectsV2',
    'ListObjectVersions',
    'ListMultipartUploads',
    'DeleteObjects',
    'PutObject',
    'CopyObject',
    'GetObject',
    'HeadObject',
    'DeleteObject',
    'GetObjectAcl',
    'PutObjectAcl',
    'GetObjectTagging',
    'PutObjectTagging',
    'DeleteObjectTagging',
    'CreateMultipartUpload',
    'UploadPart',
    'UploadPartCopy',
    'CompleteMultipartUpload',
    'AbortMultipartUpload',
    'ListParts',
    'GetBucketPolicy',
    'PutBucketPolicy',
    'DeleteBucketPolicy',
    'GetBucketPolicyStatus',
    'GetPublicAccessBlock',
    'PutPublicAccessBlock',
    'DeletePublicAccessBlock',
    'GetBucketEncryption',
    'PutBucketEncryption',
    'DeleteBucketEncryption',
] as const;

export type OperationName = (typeof SUPPORTED_OPERATIONS)[number];

export type Route =
    | { kind: 'supported'; operation: OperationName }
    | { kind: 'unsupported'; operation: string };

/** Bucket sub-resources S3 has and Coffer does not implement, with AWS's operation name stem. */
export const UNSUPPORTED_BUCKET_SUBRESOURCES: Record<string, string> = {
    accelerate: 'BucketAccelerateConfiguration',
    analytics: 'BucketAnalyticsConfiguration',
    cors: 'BucketCors',
    'intelligent-tiering': 'BucketIntelligentTieringConfiguration',
    inventory: 'BucketInventoryConfiguration',
    lifecycle: 'BucketLifecycleConfiguration',
    logging: 'BucketLogging',
    metadataTable: 'BucketMetadataTableConfiguration',
    metrics: 'BucketMetricsConfiguration',
    notification: 'BucketNotificationConfiguration',
    'object-lock': 'ObjectLockConfiguration',
    ownershipControls: 'BucketOwnershipControls',
    replication: 'BucketReplication',
    requestPayment: 'BucketRequestPayment',
    tagging: 'BucketTagging',
    versioning: 'BucketVersioning',
    website: 'BucketWebsite',
};

/** Bucket configuration sub-resources Coffer implements: method to operation (HEAD as GET). */
const BUCKET_CONFIG_OPERATIONS: Record<string, Partial<Record<string, OperationName>>> = {
    policy: { GET: 'GetBucketPolicy', PUT: 'PutBucketPolicy', DELETE: 'DeleteBucketPolicy' },
    policyStatus: { GET: 'GetBucketPolicyStatus' },
    publicAccessBlock: {
        GET: 'GetPublicAccessBlock',
        PUT: 'PutPublicAccessBlock',
        DELETE: 'DeletePublicAccessBlock',
    },
    encryption: {
        GET: 'GetBucketEncryption',
        PUT: 'PutBucketEncryption',
        DELETE: 'DeleteBucketEncryption',
    },
};

/** Object sub-resources S3 has and Coffer does not implement. */
export const UNSUPPORTED_OBJECT_SUBRESOURCES: Record<string, string> = {
    attributes: 'ObjectAttributes',
    'legal-hold': 'ObjectLegalHold',
    restore: 'RestoreObject',
    retention: 'ObjectRetention',
    select: 'SelectObjectContent',
    torrent: 'ObjectTorrent',
};

const VERB: Record<string, string> = { GET: 'Get', PUT: 'Put', DELETE: 'Delete', HEAD: 'Get' };

const supported = (operation: OperationName): Route => ({ kind: 'supported', operation });
const unsupported = (operation: string): Route => ({ kind: 'unsupported', operation });

/** Names the S3 operation a request asks for. Throws MethodNotAllowed for impossible pairs. */
export function routeRequest(
    method: string,
    bucket: string | undefined,
    key: string | undefined,
    query: URLSearchParams,
    headers: Record<string, string | string[] | undefined>,
): Route {
    if (bucket === undefined) {
        if (method === 'GET' || method === 'HEAD') return supported('ListBuckets');
        throw new S3Error('MethodNotAllowed');
    }
    if (key === undefined) return routeBucket(method, query);
    return routeObject(method, query, headers);
}

function routeBucket(method: string, query: URLSearchParams): Route {
    for (const [subresource, operations] of Object.entries(BUCKET_CONFIG_OPERATIONS)) {
        if (!query.has(subresource)) continue;
        const operation = operations[method === 'HEAD' ? 'GET' : method];
        if (operation === undefined) throw new S3Error('MethodNotAllowed');
        return supported(operation);
    }
    for (const [subresource, stem] of Object.entries(UNSUPPORTED_BUCKET_SUBRESOURCES)) {
        if (query.has(subresource)) return unsupported(`${VERB[method] ?? method}${stem}`);
    }
    switch (method) {
        case 'GET':
            if (query.has('location')) return supported('GetBucketLocation');
            if (query.has('acl')) return supported('GetBucketAcl');
            if (query.has('uploads')) return supported('ListMultipartUploads');
            if (query.has('versions')) return supported('ListObjectVersions');
            if (query.get('list-type') === '2') return supported('ListObjectsV2');
            return supported('ListObjects');
        case 'PUT':
            return supported(query.has('acl') ? 'PutBucketAcl' : 'CreateBucket');
        case 'HEAD':
            return supported('HeadBucket');
        case 'DELETE':
            return supported('DeleteBucket');
        case 'POST':
            if (query.has('delete')) return supported('DeleteObjects');
            return unsupported('PostObject');
    }
    throw new S3Error('MethodNotAllowed');
}

function routeObject(
    method: string,
    query: URLSearchParams,
    headers: Record<string, string | string[] | undefined>,
): Route {
    for (const [subresource, stem] of Object.entries(UNSUPPORTED_OBJECT_SUBRESOURCES)) {
        if (query.has(subresource)) return unsupported(`${VERB[method] ?? ''}${stem}`);
    }
    const uploadId = query.has('uploadId');
    switch (method) {
        case 'GET':
            if (uploadId) return supported('ListParts');
            if (query.has('tagging')) return supported('GetObjectTagging');
            if (query.has('acl')) return supported('GetObjectAcl');
            return supported('GetObject');
        case 'HEAD':
            return supported('HeadObject');
        case 'PUT':
            if (query.has('tagging')) return supported('PutObjectTagging');
            if (query.has('acl')) return supported('PutObjectAcl');
            if (uploadId || query.has('partNumber')) {
                return supported(headers['x-amz-copy-source'] ? 'UploadPartCopy' : 'UploadPart');
            }
            return supported(headers['x-amz-copy-source'] ? 'CopyObject' : 'PutObject');
        case 'DELETE':
            if (uploadId) return supported('AbortMultipartUpload');
            if (query.has('tagging')) return supported('DeleteObjectTagging');
            return supported('DeleteObject');
        case 'POST':
            if (query.has('uploads')) return supported('CreateMultipartUpload');
            if (uploadId) return supported('CompleteMultipartUpload');
            return unsupported('PostObject');
    }
    throw new S3Error('MethodNotAllowed');
}

export interface Address {
    bucket?: string;
    key?: string;
}

/**
 * Finds bucket and key: virtual-host style when the Host is `<bucket>.<domain>`, path-style
 * otherwise. The raw path is percent-decoded once; a key may contain any character, `/` too.
 */
export function resolveAddress(rawPath: string, host: string | undefined, domain?: string) {
    const hostname = (host ?? '').replace(/:\d+$/, '').toLowerCase();
    const path = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
    if (domain && hostname.endsWith(`.${domain}`)) {
        const bucket = hostname.slice(0, -domain.length - 1);
        return { bucket, key: path === '' ? undefined : decodePath(path) } satisfies Address;
    }
    if (path === '') return {} satisfies Address;
    const slash = path.indexOf('/');
    if (slash < 0) return { bucket: decodePath(path) } satisfies Address;
    const key = path.slice(slash + 1);
    return {
        bucket: decodePath(path.slice(0, slash)),
        key: key === '' ? undefined : decodePath(key),
    } satisfies Address;
}

function decodePath(raw: string): string {
    try {
        return decodeURIComponent(raw);
    } catch (cause) {
        throw new S3Error('InvalidURI', 'Couldn\'t parse the specified URI.', { cause });
    }
}
