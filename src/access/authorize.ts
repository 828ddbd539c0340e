/**
 * Authorization of every S3 request, as AWS evaluates it: identity policies, the bucket policy,
 * Block Public Access and the request's condition keys.
 *
 * 1. `authorize` runs in dispatch, after authentication and before any body byte is read (and
 *    before `100 Continue`): it records the request's facts, then checks every action the
 *    operation needs (actions.ts). DeleteObjects and PutObjectTagging are checked by their
 *    handlers with `authorizeAction`, once their body says what is asked.
 * 2. Multipart parts and completion are checked with the SSE headers their upload recorded at
 *    CreateMultipartUpload (condition-keys.ts, 4).
 * 3. `concealMissingObject` turns GetObject/HeadObject's NoSuchKey into AccessDenied for a caller
 *    without s3:ListBucket on the bucket, so that such a caller cannot probe which keys exist
 *    (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, "Permissions").
 * 4. Every decision logs one line: `{event: 'authorization', operation, action, resource,
 *    principal, decision, statement}` (principal ARNs only; never keys or signatures).
 * 5. SSE-KMS: S3's use of a customer managed key on the caller's behalf is checked as the
 *    caller's own kms:GenerateDataKey / kms:Decrypt (`authorizeKmsKeyUse`, kms-permissions.ts).
 * 6. A refusal is 403 AccessDenied. Callers of the bucket owner's account get AWS's extended
 *    message naming the action and the kind of policy; others get "Access Denied"
 *    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { BUCKET_POLICY_NAME } from '../policy/index.js';
import { S3Error, isS3Error } from '../s3/errors.js';
import type { KeyMetadata } from '../kms/types.js';
import type { RequestContext } from '../server/request-context.js';
import type { ServerServices } from '../server/services.js';
import { actionChecks, checkFromArn, operationAccess, s3Arn, type ActionCheck } from './actions.js';
import {
    SSE_CONDITION_HEADERS,
    globalConditionKeys,
    type ConditionKeys,
    type RequestFacts,
} from './condition-keys.js';
import { addKmsConditionKeys, kmsAccessVerdict, logKmsDecision } from './kms-permissions.js';
import { evaluateCheck, type CheckInputs, type Verdict } from './decision.js';

/** What dispatch knows about the request beyond its context. */
export interface AuthorizeInput {
    headers: IncomingHttpHeaders;
    query: URLSearchParams;
    /** The negotiated TLS version (`1.3`), when the request came over TLS. */
    tlsVersion?: string;
}

/** Operations whose SSE condition keys come from the upload (module comment, 2). */
const INHERITS_UPLOAD_SSE = new Set(['UploadPart', 'UploadPartCopy', 'CompleteMultipartUpload']);

/** Operations whose missing key is hidden from callers who may not list (module comment, 3). */
const CONCEALS_MISSING_KEY = new Set(['GetObject', 'HeadObject']);

// The facts dispatch saw, for the handler-level checks of the same request. Keyed by the
// request's own context, so they live exactly as long as the request.
const requestFacts = new WeakMap<RequestContext, RequestFacts>();

/** Authorizes the operation routed into `ctx`; throws AccessDenied (or NoSuchBucket...). */
export async function authorize(
    ctx: RequestContext,
    services: ServerServices,
    input: AuthorizeInput,
): Promise<void> {
    const facts = factsOf(ctx, input);
    requestFacts.set(ctx, facts);
    const operation = ctx.operation ?? 'Unknown';
    const access = operationAccess(operation, ctx.key !== undefined);
    if (access.deferred !== undefined) return;
    const checks = actionChecks(access.rules, { bucket: ctx.bucket, key: ctx.key }, input.headers);
    const uploadSse = INHERITS_UPLOAD_SSE.has(operation)
        ? await uploadSseOf(services, ctx, input.query)
        : undefined;
    for (const check of checks) await enforce(ctx, services, check, { uploadSse });
}

/**
 * Authorizes one action on one resource for the request in `ctx`, from inside a handler
 * (DeleteObjects per key, PutObjectTagging with its body's tags as `extraKeys`).
 */
export async function authorizeAction(
    ctx: RequestContext,
    services: ServerServices,
    action: string,
    resource: string,
    extraKeys?: ConditionKeys,
): Promise<void> {
    await enforce(ctx, services, checkFromArn(action, resource), { extraKeys });
}

/**
 * S3's use of a KMS key for this request (SSE-KMS): `kms:GenerateDataKey` to write under it,
 * `kms:Decrypt` to read. The caller needs the permission itself, as on AWS, with kms:ViaService
 * naming S3; an AWS managed key (`aws/s3`) is usable by anyone S3 let this far
 * (kms-permissions.ts). A refusal is 403 AccessDenied with the KMS wording. It names the key an
 * alias points to only to the key's own account; another account, always refused, is told only
 * what it named, so it learns neither an alias's key nor whether the key exists.
 */
export async function authorizeKmsKeyUse(
    ctx: RequestContext,
    services: ServerServices,
    use: KmsKeyUse,
): Promise<void> {
    if (use.key?.KeyManager === 'AWS') return;
    const facts =
        requestFacts.get(ctx) ?? factsOf(ctx, { headers: {}, query: new URLSearchParams() });
    const conditionKeys = addKmsConditionKeys(
        globalConditionKeys(facts),
        facts.principal,
        use.encryptionContext,
    );
    conditionKeys.set('kms:viaservice', [`s3.${services.config.region}.amazonaws.com`]);
    const principal = ctx.principal;
    const sameAccount =
        principal.type !== 'Anonymous' && principal.accountId === services.kms.accountId;
    const named = services.kms.referenceArn(use.keyRef) ?? use.keyRef;
    const resource = sameAccount && use.key !== undefined ? use.key.Arn : named;
    const check = { principal, action: use.action, resource };
    const verdict = await kmsAccessVerdict(services, { ...check, conditionKeys });
    logKmsDecision(ctx, check, verdict.allowed);
    if (!verdict.allowed) throw new S3Error('AccessDenied', verdict.message);
}

/** One use S3 makes of a KMS key on a caller's behalf. */
export interface KmsKeyUse {
    action: 'kms:GenerateDataKey' | 'kms:Decrypt';
    /** The key as the request (or the object's metadata) names it, in any KeyId form. */
    keyRef: string;
    /** The key it names, undefined when it names none. */
    key: KeyMetadata | undefined;
    encryptionContext: Readonly<Record<string, string>>;
}

/**
 * The error to answer for a failed GetObject/HeadObject: NoSuchKey stays only for a caller
 * allowed s3:ListBucket on the bucket, anyone else gets AccessDenied. Never throws.
 */
export async function concealMissingObject(
    ctx: RequestContext,
    services: ServerServices,
    err: unknown,
): Promise<unknown> {
    const operation = ctx.operation ?? '';
    if (!isS3Error(err) || err.code !== 'NoSuchKey' || !CONCEALS_MISSING_KEY.has(operation)) {
        return err;
    }
    const bucket = ctx.bucket!;
    const check: ActionCheck = {
        action: 's3:ListBucket',
        scope: 'bucket',
        bucket,
        resource: s3Arn(bucket),
    };
    try {
        const verdict = await evaluateAndLog(ctx, services, check, {});
        return verdict.decision === 'allow' ? err : new S3Error('AccessDenied');
    } catch (cause) {
        ctx.log.warn({ err: cause }, 'could not decide whether to reveal a missing key');
        return new S3Error('AccessDenied');
    }
}

async function enforce(
    ctx: RequestContext,
    services: ServerServices,
    check: ActionCheck,
    inputs: CheckInputs,
): Promise<void> {
    const verdict = await evaluateAndLog(ctx, services, check, inputs);
    if (verdict.decision === 'allow') return;
    if (verdict.refusal !== undefined) throw new S3Error(verdict.refusal);
    throw accessDenied(ctx, check, verdict);
}

async function evaluateAndLog(
    ctx: RequestContext,
    services: ServerServices,
    check: ActionCheck,
    inputs: CheckInputs,
): Promise<Verdict> {
    const facts =
        requestFacts.get(ctx) ?? factsOf(ctx, { headers: {}, query: new URLSearchParams() });
    const verdict = await evaluateCheck(services, facts, check, inputs);
    const principal = ctx.principal;
    ctx.log.info(
        {
            event: 'authorization',
            operation: ctx.operation,
            action: check.action,
            resource: check.resource,
            principal: principal.type === 'Anonymous' ? 'anonymous' : principal.arn,
            decision: verdict.decision,
            statement: verdict.statement,
            reason: verdict.reason,
        },
        'authorization',
    );
    return verdict;
}

function factsOf(ctx: RequestContext, input: AuthorizeInput): RequestFacts {
    return {
        principal: ctx.principal,
        auth: ctx.auth,
        secureTransport: ctx.secureTransport,
        sourceIp: ctx.sourceIp,
        headers: input.headers,
        query: input.query,
        tlsVersion: input.tlsVersion,
        now: new Date(),
    };
}

/**
 * The SSE headers recorded by the upload the request names. An unknown upload (or one of
 * another key) has none: the request is still decided, so a refused caller cannot tell real
 * upload ids from made-up ones; an allowed one then gets NoSuchUpload from the handler.
 */
async function uploadSseOf(
    services: ServerServices,
    ctx: RequestContext,
    query: URLSearchParams,
): Promise<Record<string, string>> {
    const uploadId = query.get('uploadId');
    const upload = uploadId ? await services.metadata.getUpload(uploadId) : undefined;
    if (!upload || upload.bucket !== ctx.bucket || upload.key !== ctx.key) return {};
    const recorded: Record<string, string> = {};
    for (const name of SSE_CONDITION_HEADERS) {
        const value = upload.headers[name];
        if (value !== undefined) recorded[name] = value;
    }
    return recorded;
}

function accessDenied(ctx: RequestContext, check: ActionCheck, verdict: Verdict): S3Error {
    const principal = ctx.principal;
    if (principal.type === 'Anonymous' || !verdict.sameAccount || verdict.reason) {
        return new S3Error('AccessDenied');
    }
    const who =
        `User: ${principal.arn} is not authorized to perform: ${check.action} ` +
        `on resource: "${check.resource}" `;
    if (verdict.decision === 'explicit deny') {
        const kind =
            verdict.statement?.policy === BUCKET_POLICY_NAME ? 'a resource' : 'an identity';
        return new S3Error('AccessDenied', `${who}with an explicit deny in ${kind}-based policy`);
    }
    return new S3Error(
        'AccessDenied',
        `${who}because no identity-based policy allows the ${check.action} action`,
    );
}
