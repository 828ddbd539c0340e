/**
 * Bucket policy operations: PutBucketPolicy, GetBucketPolicy, DeleteBucketPolicy and
 * GetBucketPolicyStatus. Authorization (and the owner's lock-out protection) happened before
 * the handler runs (src/access/); here is what AWS checks about the document itself.
 *
 * 1. PutBucketPolicy parses the body with the policy engine, which answers 400 MalformedPolicy
 *    with a message naming the fault. Principals must exist: the engine asks synchronously, so
 *    the principals are collected in a first pass, looked up, then the policy is parsed again.
 * 2. A public policy (src/access/policy-status.ts) is refused with 403 AccessDenied while the
 *    bucket's BlockPublicPolicy is on (https://github.com/torchbox/buckup/pull/18).
 * 3. Only a policy that passed is stored, as the exact text sent, so a refused policy leaves the
 *    previous one in force and GetBucketPolicy returns the document byte for byte.
 * 4. Success is 204 No Content for Put and Delete; Get and GetBucketPolicyStatus without a
 *    policy are 404 NoSuchBucketPolicy (AWS-SEMANTICS §8).
 * 5. Put also stores which user each user ARN names now, and Delete drops that binding; Get
 *    shows a bound user's unique id where that user is gone or was recreated
 *    (src/access/principal-binding.ts).
 */
import { isPublicPolicy } from '../access/policy-status.js';
import {
    bindUsers,
    readBinding,
    staleEntries,
    bindingEntry,
    withBoundIds,
    type PrincipalBinding,
} from '../access/principal-binding.js';
import { BUCKET_POLICY_CONFIG, readPublicAccessBlock } from '../access/public-access.js';
import { parseBucketPolicy, type ParsedPolicy } from '../policy/index.js';
import { requireBucket } from './common.js';
import { S3Error } from './errors.js';
import { readSmallBody } from './small-body.js';
import type { S3Request, S3Response } from './types.js';
import { xmlDocument } from './xml.js';

export async function putBucketPolicy(req: S3Request): Promise<S3Response> {
    const bucket = await requireBucket(req);
    const text = await readSmallBody(req);
    const { policy, binding } = await parseWithPrincipals(req, text, bucket.name);
    const block = await readPublicAccessBlock(req.services.metadata, bucket.name);
    if (block?.BlockPublicPolicy && isPublicPolicy(policy)) {
        req.ctx.log.info({ event: 'public-policy-blocked' }, 'public bucket policy refused');
        throw new S3Error('AccessDenied');
    }
    // The policy and the user ids it was written for commit together.
    await req.services.metadata.putBucketConfigs(bucket.name, [
        [BUCKET_POLICY_CONFIG, text],
        bindingEntry(binding),
    ]);
    return { status: 204 };
}

export async function getBucketPolicy(req: S3Request): Promise<S3Response> {
    const bucket = await requireBucket(req);
    const text = await storedPolicy(req, bucket.name);
    const binding = await readBinding(req.services.metadata, bucket.name);
    const stale = await staleEntries(req.services.identities, binding);
    return { headers: { 'content-type': 'application/json' }, body: withBoundIds(text, stale) };
}

export async function deleteBucketPolicy(req: S3Request): Promise<S3Response> {
    const bucket = await requireBucket(req);
    await req.services.metadata.putBucketConfigs(bucket.name, [
        [BUCKET_POLICY_CONFIG, undefined],
        bindingEntry(undefined),
    ]);
    return { status: 204 };
}

export async function getBucketPolicyStatus(req: S3Request): Promise<S3Response> {
    const bucket = await requireBucket(req);
    const text = await storedPolicy(req, bucket.name);
    const policy = parseBucketPolicy(text, { bucket: bucket.name, principalExists: () => true });
    const body = xmlDocument('PolicyStatus', { IsPublic: isPublicPolicy(policy) });
    return { headers: { 'content-type': 'application/xml' }, body };
}

async function storedPolicy(req: S3Request, bucket: string): Promise<string> {
    const text = await req.services.metadata.getBucketConfig(bucket, BUCKET_POLICY_CONFIG);
    if (text === undefined) {
        throw new S3Error('NoSuchBucketPolicy', undefined, { fields: { BucketName: bucket } });
    }
    return text;
}

/**
 * Parses as PutBucketPolicy does, with every referenced principal looked up in the identity
 * directory. The first pass records the ARNs the engine asks about (answering yes, so it goes
 * on); whatever error it meets later is met again by the second pass, after any principal
 * error that comes first, so the reported fault is the one a single pass would report.
 * The user ARNs among them are bound to their users' unique ids.
 */
async function parseWithPrincipals(
    req: S3Request,
    text: string,
    bucket: string,
): Promise<{ policy: ParsedPolicy; binding: PrincipalBinding }> {
    const asked = new Set<string>();
    const recordAndAccept = (arn: string) => {
        asked.add(arn);
        return true;
    };
    try {
        parseBucketPolicy(text, { bucket, principalExists: recordAndAccept });
    } catch {
        // Reported by the second pass.
    }
    const existing = new Set<string>();
    for (const arn of asked) {
        if (await req.services.identities.principalExists(arn)) existing.add(arn);
    }
    const policy = parseBucketPolicy(text, { bucket, principalExists: (arn) => existing.has(arn) });
    return { policy, binding: await bindUsers(req.services.identities, existing) };
}
