/**
 * Block Public Access on a bucket: PutPublicAccessBlock, GetPublicAccessBlock,
 * DeletePublicAccessBlock, and the settings a new bucket starts with. What the settings do is
 * in src/access/public-access.ts; this file is the API.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutPublicAccessBlock.html
 *
 * - Put takes a `PublicAccessBlockConfiguration` document; an element left out is false, as on
 *   AWS (each Put replaces the whole configuration). Values are XML booleans.
 * - Get answers the four elements, or 404 NoSuchPublicAccessBlockConfiguration when the bucket
 *   has none (after a Delete).
 * - New buckets get all four settings on, as AWS does for every bucket created since April 2023
 *   (https://aws.amazon.com/about-aws/whats-new/2022/12/amazon-s3-automatically-enable-block-public-access-disable-access-control-lists-buckets-april-2023/).
 */
import {
    ALL_BLOCKED,
    PUBLIC_ACCESS_BLOCK_CONFIG,
    PUBLIC_ACCESS_BLOCK_FIELDS,
    readPublicAccessBlock,
    serializePublicAccessBlock,
    type PublicAccessBlock,
} from '../access/public-access.js';
import { requireBucket } from './common.js';
import { S3Error } from './errors.js';
import { readSmallBody } from './small-body.js';
import type { S3Request, S3Response } from './types.js';
import { childText, parseXmlBody, xmlBoolean, xmlDocument } from './xml.js';

/** The configuration documents CreateBucket stores with a new bucket: name and value. */
export function defaultBucketConfigs(): Array<[name: string, value: string]> {
    return [[PUBLIC_ACCESS_BLOCK_CONFIG, serializePublicAccessBlock(ALL_BLOCKED)]];
}

export async function putPublicAccessBlock(req: S3Request): Promise<S3Response> {
    const bucket = await requireBucket(req);
    const document = parseXmlBody(await readSmallBody(req, 64 * 1024), ROOT);
    const block = { ...ALL_BLOCKED };
    for (const field of PUBLIC_ACCESS_BLOCK_FIELDS) {
        block[field] = xmlBoolean(childText(document, field));
    }
    const value = serializePublicAccessBlock(block);
    await req.services.metadata.putBucketConfig(bucket.name, PUBLIC_ACCESS_BLOCK_CONFIG, value);
    return {};
}

export async function getPublicAccessBlock(req: S3Request): Promise<S3Response> {
    const bucket = await requireBucket(req);
    const block = await readPublicAccessBlock(req.services.metadata, bucket.name);
    if (block === undefined) {
        throw new S3Error('NoSuchPublicAccessBlockConfiguration', undefined, {
            fields: { BucketName: bucket.name },
        });
    }
    const body = xmlDocument(ROOT, elementsOf(block));
    return { headers: { 'content-type': 'application/xml' }, body };
}

export async function deletePublicAccessBlock(req: S3Request): Promise<S3Response> {
    const bucket = await requireBucket(req);
    await req.services.metadata.putBucketConfig(bucket.name, PUBLIC_ACCESS_BLOCK_CONFIG, undefined);
    return { status: 204 };
}

const ROOT = 'PublicAccessBlockConfiguration';

function elementsOf(block: PublicAccessBlock): Record<string, boolean> {
    return Object.fromEntries(PUBLIC_ACCESS_BLOCK_FIELDS.map((field) => [field, block[field]]));
}
