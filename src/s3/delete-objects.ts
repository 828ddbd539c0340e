/** DeleteObjects: up to 1000 keys in one request, each deleted on its own. */
import { authorizeAction } from '../access/authorize.js';
import { s3Arn } from '../access/actions.js';
import { requireBucket } from './common.js';
import { S3Error, isS3Error } from './errors.js';
import { releaseBlobs } from './objects.js';
import { readSmallBody } from './small-body.js';
import type { S3Request, S3Response } from './types.js';
import { childElements, childText, parseXmlBody, xmlDocument, type XmlElement } from './xml.js';

const MAX_KEYS = 1000;

export async function deleteObjects(req: S3Request): Promise<S3Response> {
    await requireBucket(req);
    const text = await readSmallBody(req, undefined, { requireIntegrityHeader: true });
    const doc = parseXmlBody(text, 'Delete', ['Object']);
    const quiet = childText(doc, 'Quiet')?.trim().toLowerCase() === 'true';
    const objects = childElements(doc, 'Object');
    if (objects.length === 0 || objects.length > MAX_KEYS) throw new S3Error('MalformedXML');
    const keys = objects.map((object) => {
        const key = childText(object, 'Key');
        if (key === undefined) throw new S3Error('MalformedXML');
        return { key, versionId: childText(object, 'VersionId') };
    });

    const deleted: XmlElement[] = [];
    const errors: XmlElement[] = [];
    for (const { key, versionId } of keys) {
        try {
            if (versionId !== undefined && versionId !== 'null') {
                throw new S3Error('NoSuchVersion', 'The specified version does not exist.');
            }
            // Each key is its own s3:DeleteObject: a refused key is an AccessDenied entry.
            const resource = s3Arn(req.bucket!, key);
            await authorizeAction(req.ctx, req.services, 's3:DeleteObject', resource);
            const removed = await req.services.metadata.deleteObject(req.bucket!, key);
            await releaseBlobs(req, removed.map((segment) => segment.blobId));
            if (!quiet) deleted.push({ Key: key, VersionId: versionId });
        } catch (err) {
            if (!isS3Error(err)) throw err;
            errors.push({ Key: key, VersionId: versionId, Code: err.code, Message: err.message });
        }
    }
    const body = xmlDocument('DeleteResult', { Deleted: deleted, Error: errors });
    return { headers: { 'content-type': 'application/xml' }, body };
}
