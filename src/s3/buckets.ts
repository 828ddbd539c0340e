/** Bucket operations: ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation. */
import { S3Error } from './errors.js';
import { isoDate, ownerElement, requireBucket } from './common.js';
import { initialBucketEncryption } from '../sse/index.js';
import { defaultBucketConfigs } from './public-access-block.js';
import { readSmallBody } from './small-body.js';
import { header, type S3Request, type S3Response } from './types.js';
import { childText, parseXmlBody, xmlDocument } from './xml.js';

const XML = { 'content-type': 'application/xml' };

export async function listBuckets(req: S3Request): Promise<S3Response> {
    const accountId = accountOf(req);
    const prefix = req.query.get('prefix') ?? '';
    const buckets = (await req.services.metadata.listBuckets(accountId)).filter((b) =>
        b.name.startsWith(prefix),
    );
    const body = xmlDocument('ListAllMyBucketsResult', {
        Owner: ownerElement(accountId),
        Buckets: {
            Bucket: buckets.map((b) => ({
                Name: b.name,
                CreationDate: isoDate(b.createdAt),
                BucketRegion: b.region,
            })),
        },
        Prefix: req.query.has('prefix') ? prefix : undefined,
    });
    return { headers: XML, body };
}

export async function createBucket(req: S3Request): Promise<S3Response> {
    const name = validateBucketName(req.bucket!);
    const acl = header(req, 'x-amz-acl');
    const grants = Object.keys(req.headers).some((h) => h.startsWith('x-amz-grant-'));
    if ((acl !== undefined && acl !== 'private') || grants) {
        throw new S3Error('InvalidBucketAclWithObjectOwnership');
    }
    await checkLocationConstraint(req);
    const existing = await req.services.metadata.getBucket(name);
    if (existing) throw alreadyExists(req, existing.ownerAccountId);
    // The bucket and its defaults (Block Public Access, encryption) commit together, so no
    // crash can leave a bucket without them.
    const outcome = await req.services.metadata.createBucket(
        {
            name,
            ownerAccountId: accountOf(req),
            region: req.services.config.region,
            createdAt: Date.now(),
        },
        [...defaultBucketConfigs(), initialBucketEncryption(req.services.config)],
    );
    if (outcome === 'exists') throw alreadyExists(req, accountOf(req));
    return { headers: { location: `/${name}` } };
}

function alreadyExists(req: S3Request, ownerAccountId: string): S3Error {
    const fields = { BucketName: req.bucket! };
    return ownerAccountId === accountOf(req)
        ? new S3Error('BucketAlreadyOwnedByYou', undefined, { fields })
        : new S3Error('BucketAlreadyExists', undefined, { fields });
}

/** A CreateBucketConfiguration may only name the server's own region. */
async function checkLocationConstraint(req: S3Request): Promise<void> {
    const text = await readSmallBody(req, 64 * 1024);
    if (text.trim() === '') return;
    const config = parseXmlBody(text, 'CreateBucketConfiguration');
    const constraint = childText(config, 'LocationConstraint');
    const region = req.services.config.region;
    if (constraint === undefined || constraint === region) return;
    throw new S3Error(
        'IllegalLocationConstraintException',
        `The ${constraint} location constraint is incompatible for the region specific ` +
            'endpoint this request was sent to.',
    );
}

export async function headBucket(req: S3Request): Promise<S3Response> {
    const bucket = await requireBucket(req);
    return { headers: { 'x-amz-bucket-region': bucket.region } };
}

export async function deleteBucket(req: S3Request): Promise<S3Response> {
    const outcome = await req.services.metadata.deleteBucket(req.bucket!);
    const fields = { BucketName: req.bucket! };
    if (outcome === 'missing') throw new S3Error('NoSuchBucket', undefined, { fields });
    if (outcome === 'not-empty') throw new S3Error('BucketNotEmpty', undefined, { fields });
    return { status: 204 };
}

export async function getBucketLocation(req: S3Request): Promise<S3Response> {
    const bucket = await requireBucket(req);
    // us-east-1 is the empty LocationConstraint, for historical reasons AWS keeps.
    const region = bucket.region === 'us-east-1' ? '' : bucket.region;
    return { headers: XML, body: xmlDocument('LocationConstraint', { '#text': region }) };
}

function accountOf(req: S3Request): string {
    const principal = req.ctx.principal;
    if (principal.type === 'Anonymous') throw new S3Error('AccessDenied');
    return principal.accountId;
}

/**
 * S3's bucket naming rules for general purpose buckets:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
export function validateBucketName(name: string): string {
    const valid =
        /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
        !name.includes('..') &&
        !/^\d+\.\d+\.\d+\.\d+$/.test(name) &&
        !/^(xn--|sthree-|amzn-s3-demo-)/.test(name) &&
        !/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name);
    if (!valid) {
        throw new S3Error('InvalidBucketName', undefined, { fields: { BucketName: name } });
    }
    return name;
}
