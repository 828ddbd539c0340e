/**
 * ACLs, as on a bucket with AWS's default Object Ownership (BucketOwnerEnforced): every bucket
 * and object is private to its owner, reads show that one grant, and writes of any other ACL
 * are refused with AWS's errors.
 */
import { canonicalUserId, displayName } from '../identity/principal.js';
import { requireBucket } from './common.js';
import { S3Error } from './errors.js';
import { requireObject } from './objects.js';
import { readSmallBody } from './small-body.js';
import { header, type S3Request, type S3Response } from './types.js';
import { xmlDocument } from './xml.js';

export async function getBucketAcl(req: S3Request): Promise<S3Response> {
    const bucket = await requireBucket(req);
    return ownerOnlyAcl(bucket.ownerAccountId);
}

export async function getObjectAcl(req: S3Request): Promise<S3Response> {
    const bucket = await requireBucket(req);
    await requireObject(req);
    return ownerOnlyAcl(bucket.ownerAccountId);
}

export async function putBucketAcl(req: S3Request): Promise<S3Response> {
    await requireBucket(req);
    await refuseNonPrivateAcl(req, 'InvalidBucketAclWithObjectOwnership');
    return {};
}

export async function putObjectAcl(req: S3Request): Promise<S3Response> {
    await requireBucket(req);
    await requireObject(req);
    await refuseNonPrivateAcl(req, 'AccessControlListNotSupported');
    return {};
}

async function refuseNonPrivateAcl(
    req: S3Request,
    code: 'InvalidBucketAclWithObjectOwnership' | 'AccessControlListNotSupported',
): Promise<void> {
    const acl = header(req, 'x-amz-acl');
    const body = await readSmallBody(req, 64 * 1024);
    if (acl === 'private' && body.trim() === '') return;
    throw new S3Error(code);
}

function ownerOnlyAcl(accountId: string): S3Response {
    const owner = { ID: canonicalUserId(accountId), DisplayName: displayName(accountId) };
    const body = xmlDocument('AccessControlPolicy', {
        Owner: owner,
        AccessControlList: {
            Grant: [
                {
                    Grantee: {
                        '@_xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
                        '@_xsi:type': 'CanonicalUser',
                        ...owner,
                    },
                    Permission: 'FULL_CONTROL',
                },
            ],
        },
    });
    return { headers: { 'content-type': 'application/xml' }, body };
}
