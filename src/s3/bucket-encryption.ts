/**
 * Default bucket encryption: PutBucketEncryption, GetBucketEncryption, DeleteBucketEncryption
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketEncryption.html). What the
 * setting does to writes is src/sse/write.ts; this file is the API.
 *
 * - Put takes a `ServerSideEncryptionConfiguration` with exactly one `Rule` (none or two:
 *   MalformedXML): `ApplyServerSideEncryptionByDefault` (`SSEAlgorithm` AES256 or aws:kms, a
 *   `KMSMasterKeyID` only with aws:kms), `BucketKeyEnabled`, and `BlockedEncryptionTypes`
 *   (`EncryptionType` SSE-C or NONE). A rule that leaves `BlockedEncryptionTypes` out keeps the
 *   bucket's current SSE-C setting, so changing the default algorithm never unblocks SSE-C by
 *   accident. As on AWS, the KMS key is not checked here, only when a write uses it.
 * - Get answers the bucket's setting: every bucket has one (SSE-S3 with BucketKeyEnabled false
 *   for a new bucket), with `BlockedEncryptionTypes` SSE-C while SSE-C writes are blocked.
 * - Delete returns the bucket to that base setting (SSE-S3, and the server's SSE-C default).
 */
import {
    baseBucketEncryption,
    readBucketEncryption,
    writeBucketEncryption,
    type BucketEncryption,
} from '../sse/index.js';
import { requireBucket } from './common.js';
import { S3Error } from './errors.js';
import { readSmallBody } from './small-body.js';
import type { S3Request, S3Response } from './types.js';
import {
    childElements,
    childText,
    parseXmlBody,
    xmlBoolean,
    xmlDocument,
    type XmlElement,
} from './xml.js';

const ROOT = 'ServerSideEncryptionConfiguration';

export async function putBucketEncryption(req: S3Request): Promise<S3Response> {
    const bucket = await requireBucket(req);
    const text = await readSmallBody(req, 64 * 1024);
    const document = parseXmlBody(text, ROOT, ['Rule', 'EncryptionType']);
    const rules = childElements(document, 'Rule');
    if (rules.length !== 1) throw new S3Error('MalformedXML');
    const { metadata, config } = req.services;
    const current = await readBucketEncryption(metadata, config, bucket.name);
    await writeBucketEncryption(metadata, bucket.name, parseRule(rules[0]!, current.blockSseC));
    return {};
}

export async function getBucketEncryption(req: S3Request): Promise<S3Response> {
    const bucket = await requireBucket(req);
    const setting = await readBucketEncryption(
        req.services.metadata,
        req.services.config,
        bucket.name,
    );
    const body = xmlDocument(ROOT, { Rule: ruleElement(setting) });
    return { headers: { 'content-type': 'application/xml' }, body };
}

export async function deleteBucketEncryption(req: S3Request): Promise<S3Response> {
    const bucket = await requireBucket(req);
    const base = baseBucketEncryption(req.services.config);
    await writeBucketEncryption(req.services.metadata, bucket.name, base);
    return { status: 204 };
}

function parseRule(rule: XmlElement, blockSseC: boolean): BucketEncryption {
    const byDefault = childElement(rule, 'ApplyServerSideEncryptionByDefault');
    const algorithm = byDefault ? childText(byDefault, 'SSEAlgorithm') : 'AES256';
    const kmsMasterKeyId = byDefault ? childText(byDefault, 'KMSMasterKeyID') : undefined;
    if (algorithm === 'aws:kms:dsse') {
        throw new S3Error(
            'NotImplemented',
            'DSSE-KMS (aws:kms:dsse) is not implemented by Coffer.',
        );
    }
    if (algorithm !== 'AES256' && algorithm !== 'aws:kms') throw new S3Error('MalformedXML');
    if (algorithm === 'AES256' && kmsMasterKeyId !== undefined) {
        throw new S3Error(
            'InvalidArgument',
            'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or ' +
                'aws:kms:dsse',
            { fields: { ArgumentName: 'ApplyServerSideEncryptionByDefault' } },
        );
    }
    const setting: BucketEncryption = {
        algorithm,
        bucketKeyEnabled: xmlBoolean(childText(rule, 'BucketKeyEnabled')),
        blockSseC: blockedSseC(rule, blockSseC),
    };
    if (kmsMasterKeyId !== undefined && kmsMasterKeyId.trim() !== '') {
        setting.kmsMasterKeyId = kmsMasterKeyId.trim();
    }
    return setting;
}

/** `BlockedEncryptionTypes`: SSE-C blocks, NONE (or an empty list) unblocks, absent keeps. */
function blockedSseC(rule: XmlElement, current: boolean): boolean {
    if (rule['BlockedEncryptionTypes'] === undefined) return current;
    const blocked = childElement(rule, 'BlockedEncryptionTypes') ?? {};
    const types = blocked['EncryptionType'] ?? [];
    if (!Array.isArray(types) || types.some((type) => type !== 'SSE-C' && type !== 'NONE')) {
        throw new S3Error('MalformedXML');
    }
    if (types.includes('SSE-C') && types.includes('NONE')) throw new S3Error('MalformedXML');
    return types.includes('SSE-C');
}

function ruleElement(setting: BucketEncryption): XmlElement {
    const byDefault: XmlElement = { SSEAlgorithm: setting.algorithm };
    if (setting.kmsMasterKeyId !== undefined) byDefault['KMSMasterKeyID'] = setting.kmsMasterKeyId;
    const rule: XmlElement = {
        ApplyServerSideEncryptionByDefault: byDefault,
        BucketKeyEnabled: setting.bucketKeyEnabled,
    };
    if (setting.blockSseC) rule['BlockedEncryptionTypes'] = { EncryptionType: 'SSE-C' };
    return rule;
}

/** A child element that must be an element (or empty), not text. */
function childElement(element: XmlElement, name: string): XmlElement | undefined {
    const value = element[name];
    if (value === undefined) return undefined;
    if (value === '') return {};
    if (typeof value !== 'object' || Array.isArray(value)) throw new S3Error('MalformedXML');
    return value;
}

