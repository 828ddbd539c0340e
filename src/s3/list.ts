/**
 * Object listings: ListObjects (v1), ListObjectsV2 and ListObjectVersions.
 *
 * The three share one store query and differ in their cursors and echoes:
 * - v1 pages with `marker`, and names a NextMarker only when a delimiter was given (clients
 *   otherwise continue from the last Key), and always shows each object's Owner;
 * - v2 pages with an opaque continuation token, counts KeyCount, shows Owner on `fetch-owner`;
 * - versions pages with key-marker/version-id-marker; Coffer buckets are unversioned, so every
 *   object is its only version, `null`, and the latest.
 *
 * Element order follows what AWS sends (its sample responses), which is not the order of the API
 * reference's syntax block; every Contents precedes every CommonPrefixes, as on AWS.
 */
import type { ListObjectsPage, ListedObject } from '../store/types.js';
import { isoDate, ownerElement, quoteEtag, requireBucket } from './common.js';
import { S3Error } from './errors.js';
import {
    decodeContinuationToken,
    encodeContinuationToken,
    listingParams,
    prefixElements,
    refuseParam,
    type ListingParams,
} from './list-params.js';
import type { S3Request, S3Response } from './types.js';
import { xmlDocument, type XmlElement } from './xml.js';

export { listMultipartUploads } from './list-uploads.js';

const XML = { 'content-type': 'application/xml' };
/** Every object in an unversioned bucket has this version id. */
const NULL_VERSION = 'null';

/** ListObjects (v1): `GET /bucket`. */
export async function listObjects(req: S3Request): Promise<S3Response> {
    const bucket = await requireBucket(req);
    const v2Only = 'only supported in REST.GET.BUCKET with list-type=2';
    refuseParam(req, 'continuation-token', `continuation-token ${v2Only}`);
    refuseParam(req, 'start-after', `startAfter ${v2Only}`);
    const p = listingParams(req, 'max-keys');
    const marker = req.query.get('marker') ?? '';
    const page = await objectPage(req, bucket.name, p, marker);
    const owner = ownerElement(bucket.ownerAccountId);
    // Without a delimiter AWS names no NextMarker: clients continue from the last Key.
    const nextMarker = p.delimiter && page.isTruncated ? page.lastReturned : undefined;
    const body = xmlDocument('ListBucketResult', {
        Name: bucket.name,
        Prefix: p.encode(p.prefix),
        Marker: p.encode(marker),
        NextMarker: nextMarker === undefined ? undefined : p.encode(nextMarker),
        ...pageEchoes(p),
        IsTruncated: String(page.isTruncated),
        Contents: page.objects.map((o) => contentsElement(o, p.encode, owner)),
        CommonPrefixes: prefixElements(page.commonPrefixes, p.encode),
    });
    return { headers: XML, body };
}

/** ListObjectsV2: `GET /bucket?list-type=2`. */
export async function listObjectsV2(req: S3Request): Promise<S3Response> {
    const bucket = await requireBucket(req);
    refuseParam(req, 'marker', 'Marker unsupported with REST.GET.BUCKET in list-type=2');
    const p = listingParams(req, 'max-keys');
    const token = req.query.get('continuation-token');
    // A continuation token displaces start-after, its echo included.
    const startAfter = token === null ? req.query.get('start-after') : null;
    const after = token === null ? startAfter ?? '' : decodeContinuationToken(token);
    const page = await objectPage(req, bucket.name, p, after);
    const fetchOwner = req.query.get('fetch-owner')?.toLowerCase() === 'true';
    const owner = fetchOwner ? ownerElement(bucket.ownerAccountId) : undefined;
    const body = xmlDocument('ListBucketResult', {
        Name: bucket.name,
        Prefix: p.encode(p.prefix),
        StartAfter: startAfter === null ? undefined : p.encode(startAfter),
        ContinuationToken: token ?? undefined,
        NextContinuationToken: page.isTruncated
            ? encodeContinuationToken(page.lastReturned!)
            : undefined,
        KeyCount: page.objects.length + page.commonPrefixes.length,
        ...pageEchoes(p),
        IsTruncated: String(page.isTruncated),
        Contents: page.objects.map((o) => contentsElement(o, p.encode, owner)),
        CommonPrefixes: prefixElements(page.commonPrefixes, p.encode),
    });
    return { headers: XML, body };
}

/** ListObjectVersions: `GET /bucket?versions`, on a bucket that has never been versioned. */
export async function listObjectVersions(req: S3Request): Promise<S3Response> {
    const bucket = await requireBucket(req);
    const p = listingParams(req, 'max-keys');
    const keyMarker = req.query.get('key-marker') ?? '';
    const versionIdMarker = versionIdMarkerParam(req, keyMarker);
    // The only version of the marker key is `null`, so listing resumes after that key.
    const page = await objectPage(req, bucket.name, p, keyMarker);
    const owner = ownerElement(bucket.ownerAccountId);
    const next = page.isTruncated ? page.lastReturned : undefined;
    const nextIsKey = next !== undefined && page.commonPrefixes.at(-1) !== next;
    const body = xmlDocument('ListVersionsResult', {
        Name: bucket.name,
        Prefix: p.encode(p.prefix),
        KeyMarker: p.encode(keyMarker),
        VersionIdMarker: versionIdMarker ?? '',
        NextKeyMarker: next === undefined ? undefined : p.encode(next),
        NextVersionIdMarker: nextIsKey ? NULL_VERSION : undefined,
        ...pageEchoes(p),
        IsTruncated: String(page.isTruncated),
        Version: page.objects.map((o) => versionElement(o, p.encode, owner)),
        CommonPrefixes: prefixElements(page.commonPrefixes, p.encode),
    });
    return { headers: XML, body };
}

/** One page from the store; max-keys=0 is an empty page that is not truncated, as on AWS. */
function objectPage(
    req: S3Request,
    bucket: string,
    p: ListingParams,
    after: string,
): Promise<ListObjectsPage> {
    if (p.pageSize === 0) {
        return Promise.resolve({ objects: [], commonPrefixes: [], isTruncated: false });
    }
    return req.services.metadata.listObjects({
        bucket,
        prefix: p.prefix,
        delimiter: p.delimiter,
        after: after === '' ? undefined : after,
        maxKeys: p.pageSize,
    });
}

/** MaxKeys, Delimiter and EncodingType, which sit together before IsTruncated. */
function pageEchoes(p: ListingParams): XmlElement {
    return {
        MaxKeys: p.requested,
        Delimiter: p.delimiter === undefined ? undefined : p.encode(p.delimiter),
        EncodingType: p.encodingType,
    };
}

function contentsElement(
    o: ListedObject,
    encode: (value: string) => string,
    owner: XmlElement | undefined,
): XmlElement {
    return {
        Key: encode(o.key),
        LastModified: isoDate(o.lastModified),
        ETag: quoteEtag(o.etag),
        ChecksumAlgorithm: o.checksum?.algorithm,
        ChecksumType: o.checksum?.type,
        Size: o.size,
        Owner: owner,
        StorageClass: 'STANDARD',
    };
}

function versionElement(
    o: ListedObject,
    encode: (value: string) => string,
    owner: XmlElement,
): XmlElement {
    return {
        Key: encode(o.key),
        VersionId: NULL_VERSION,
        IsLatest: 'true',
        LastModified: isoDate(o.lastModified),
        ETag: quoteEtag(o.etag),
        ChecksumAlgorithm: o.checksum?.algorithm,
        ChecksumType: o.checksum?.type,
        Size: o.size,
        StorageClass: 'STANDARD',
        Owner: owner,
    };
}

/**
 * version-id-marker needs a key-marker beside it, and in an unversioned bucket the only
 * version id there is to continue from is `null`.
 */
function versionIdMarkerParam(req: S3Request, keyMarker: string): string | undefined {
    const value = req.query.get('version-id-marker');
    if (value === null) return undefined;
    const refuse = (message: string) =>
        new S3Error('InvalidArgument', message, {
            fields: { ArgumentName: 'version-id-marker', ArgumentValue: value },
        });
    if (value === '') throw refuse('A version-id marker cannot be empty.');
    if (keyMarker === '') {
        throw refuse('A version-id marker cannot be specified without a key marker.');
    }
    if (value !== NULL_VERSION) throw refuse('Invalid version id specified');
    return value;
}
