/** Object tagging: GetObjectTagging, PutObjectTagging, DeleteObjectTagging. */
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
    await requireObject(req);
    const tags = parseTaggingXml(await readSmallBody(req, 64 * 1024));
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
