/** Object tagging: GetObjectTagging, PutObjectTagging, DeleteObjectTagging. */
import { s3Arn } from '../access/actions.js';
import { authorizeAction } from '../access/authorize.js';
import { requestTagKeys } from '../access/condition-keys.js';
import { requireBucket } from './common.js';
import { S3Error } from './errors.js';
import { requireObject } from './objects.js';
import { readSmallBody } from './small-body.js';
import { parseTaggingXml, taggingXmlBody, type TagSet } from './tagging.js';
import type { S3Request, S3Response } from './types.js';
import { xmlDocument } from './xml.js';

export async function getObjectTagging(req: S3Request): Promise<S3Response> {
    await requireBucket(req);
    const record = await requireObject(req);
    const body = xmlDocument('Tagging', taggingXmlBody(record.tags));
    return { headers: { 'content-type': 'application/xml' }, body };
}

export async function putObjectTagging(req: S3Request): Promise<S3Response> {
    await requireBucket(req);
    // Authorized here, not in dispatch: s3:RequestObjectTag/* come from this body. The check
    // precedes the key lookup, so a refused caller cannot learn whether the key exists.
    const tags = parseTaggingXml(await readSmallBody(req, 64 * 1024));
    const resource = s3Arn(req.bucket!, req.key!);
    const keys = requestTagKeys(tags);
    await authorizeAction(req.ctx, req.services, 's3:PutObjectTagging', resource, keys);
    await requireObject(req);
    await setTags(req, tags);
    return {};
}

export async function deleteObjectTagging(req: S3Request): Promise<S3Response> {
    await requireBucket(req);
    await requireObject(req);
    await setTags(req, []);
    return { status: 204 };
}

async function setTags(req: S3Request, tags: TagSet): Promise<void> {
    const updated = await req.services.metadata.setObjectTags(req.bucket!, req.key!, tags);
    if (!updated) throw new S3Error('NoSuchKey', undefined, { fields: { Key: req.key! } });
}
