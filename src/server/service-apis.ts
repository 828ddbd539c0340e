/**
 * The non-S3 APIs served at the same endpoint, as AWS clients address them when given one
 * `--endpoint-url`: the KMS JSON protocol (`X-Amz-Target: TrentService.*`, SigV4 service `kms`)
 * and the IAM Query protocol (form-encoded `POST /`, SigV4 service `iam`).
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { globalConditionKeys } from '../access/condition-keys.js';
import {
    addKmsConditionKeys,
    kmsAccessVerdict,
    logKmsDecision,
} from '../access/kms-permissions.js';
import { authenticate } from '../auth/index.js';
import { IAM_CONTENT_TYPE, IAM_XMLNS } from '../iam/index.js';
import { KMS_CONTENT_TYPE, KMS_TARGET_PREFIX } from '../kms/api/handler.js';
import { KmsError } from '../kms/errors.js';
import { S3Error, isS3Error } from '../s3/errors.js';
import type { S3Response } from '../s3/types.js';
import type { RequestContext } from './request-context.js';
import type { ServerServices } from './services.js';

export type ServiceName = 's3' | 'kms' | 'iam';

const MAX_API_BODY_BYTES = 1024 * 1024;

/**
 * Which API a request speaks, from the shape AWS's clients give it. A form-encoded `POST /` is
 * IAM's unless its signature says S3: on a virtual-host bucket, DeleteObjects is `POST /?delete`,
 * and the AWS SDK for Java v1 labels a body without a content type as a form.
 */
export function serviceOf(method: string, rawPath: string, headers: IncomingHttpHeaders) {
    const target = headers['x-amz-target'];
    if (typeof target === 'string' && target.startsWith(KMS_TARGET_PREFIX)) return 'kms';
    const type = headers['content-type'] ?? '';
    if (
        method === 'POST' &&
        rawPath === '/' &&
        type.startsWith('application/x-www-form-urlencoded')
    ) {
        return signedService(headers) === 's3' ? 's3' : 'iam';
    }
    return 's3';
}

/** The service of the Authorization header's credential scope (`KEY/date/region/SERVICE/...`). */
function signedService(headers: IncomingHttpHeaders): string | undefined {
    const scope = /\bCredential=[^/,\s]+\/\d{8}\/[^/,\s]+\/([^/,\s]+)\//.exec(
        headers.authorization ?? '',
    );
    return scope?.[1];
}

/** Serves a KMS or IAM request. */
export async function serveOtherApi(
    service: 'kms' | 'iam',
    services: ServerServices,
    ctx: RequestContext,
    req: IncomingMessage,
): Promise<S3Response> {
    if (service === 'kms') return serveKms(services, ctx, req);
    return serveIam(services, ctx, req);
}

/** Serves one IAM Query request; signature failures answer in IAM's XML error shape. */
async function serveIam(
    services: ServerServices,
    ctx: RequestContext,
    req: IncomingMessage,
): Promise<S3Response> {
    const body = await readApiBody(req);
    const params = new URLSearchParams(body.toString('utf8'));
    ctx.operation = `iam:${params.get('Action') ?? 'Unknown'}`;
    try {
        authenticateFor(services, ctx, req, 'iam', body);
    } catch (err) {
        return iamAuthError(err, ctx);
    }
    const response = await services.iamApi({
        params,
        caller: ctx.principal,
        requestId: ctx.requestId,
        conditionKeys: iamConditionKeys(ctx, req),
    });
    if (response.status >= 400) ctx.errorCode = /<Code>([^<]*)<\/Code>/.exec(response.body)?.[1];
    return response;
}

/**
 * The global condition keys of an IAM request, filled as for S3 requests (aws:CurrentTime,
 * aws:SourceIp, aws:UserAgent, the principal's keys...); the `s3:` keys are S3's alone.
 */
function iamConditionKeys(ctx: RequestContext, req: IncomingMessage) {
    const keys = requestConditionKeys(ctx, req);
    for (const key of keys.keys()) if (key.startsWith('s3:')) keys.delete(key);
    return keys;
}

function requestConditionKeys(ctx: RequestContext, req: IncomingMessage) {
    return globalConditionKeys({
        principal: ctx.principal,
        auth: ctx.auth,
        secureTransport: ctx.secureTransport,
        sourceIp: ctx.sourceIp,
        headers: req.headers,
        query: new URLSearchParams(),
        now: new Date(),
    });
}

/** IAM's names for SigV4 failures, in its ErrorResponse XML. */
function iamAuthError(err: unknown, ctx: RequestContext): S3Response {
    if (!isS3Error(err)) throw err;
    const code =
        err.code === 'InvalidAccessKeyId'
            ? 'InvalidClientTokenId'
            : err.code === 'SignatureDoesNotMatch'
              ? 'SignatureDoesNotMatch'
              : err.code === 'RequestTimeTooSkewed'
                ? 'RequestExpired'
                : 'IncompleteSignature';
    ctx.errorCode = code;
    const body =
        '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<ErrorResponse xmlns="${IAM_XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code>` +
        `<Message>${escapeXml(err.message)}</Message></Error>` +
        `<RequestId>${ctx.requestId}</RequestId></ErrorResponse>`;
    return { status: 403, headers: { 'content-type': IAM_CONTENT_TYPE }, body };
}

function escapeXml(text: string): string {
    return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Serves one KMS request. Authentication failures answer in the KMS protocol's JSON. */
async function serveKms(
    services: ServerServices,
    ctx: RequestContext,
    req: IncomingMessage,
): Promise<S3Response> {
    const target = String(req.headers['x-amz-target']);
    ctx.operation = `kms:${target.slice(KMS_TARGET_PREFIX.length)}`;
    const body = await readApiBody(req);
    try {
        authenticateFor(services, ctx, req, 'kms', body);
    } catch (err) {
        return kmsAuthError(err);
    }
    if (ctx.principal.type === 'Anonymous') {
        return kmsError(400, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    }
    const principal = ctx.principal;
    const response = await services.kmsApi({
        target,
        body: body.toString('utf8'),
        callerArn: principal.arn,
        callerAccount: principal.accountId,
        authorize: async (checks) => {
            for (const check of checks) {
                const conditionKeys = addKmsConditionKeys(
                    requestConditionKeys(ctx, req),
                    principal,
                    check.encryptionContext,
                );
                const verdict = await kmsAccessVerdict(services, {
                    principal,
                    action: check.action,
                    resource: check.resource,
                    conditionKeys,
                });
                logKmsDecision(ctx, check, verdict.allowed);
                if (!verdict.allowed) throw new KmsError('AccessDeniedException', verdict.message);
            }
        },
    });
    if (response.status >= 400) ctx.errorCode = jsonErrorType(response.body);
    return response;
}

/** SigV4 for a small API request whose body was read first: its hash is in the signature. */
function authenticateFor(
    services: ServerServices,
    ctx: RequestContext,
    req: IncomingMessage,
    service: ServiceName,
    body: Buffer,
): void {
    ctx.auth = authenticate(
        { method: req.method ?? 'POST', rawUrl: req.url ?? '/', headers: req.headers },
        {
            lookupSecret: (id: string) => services.identities.lookup(id)?.secretAccessKey,
            now: new Date(),
            region: services.config.region,
            service,
            maxSkewMs: services.config.maxClockSkewMs,
            bodySha256: createHash('sha256').update(body).digest('hex'),
        },
    );
    if (ctx.auth) ctx.principal = services.identities.lookup(ctx.auth.accessKeyId)!.principal;
}

/** Reads a small API body, refusing one over the limit before it is all in memory. */
async function readApiBody(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_API_BODY_BYTES) throw new S3Error('EntityTooLarge');
        chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
}

/** AWS KMS answers signature problems with its own exception names, in JSON. */
function kmsAuthError(err: unknown): S3Response {
    if (!isS3Error(err)) throw err;
    switch (err.code) {
        case 'InvalidAccessKeyId':
            return kmsError(
                400,
                'UnrecognizedClientException',
                'The security token included ' + 'in the request is invalid.',
            );
        case 'SignatureDoesNotMatch':
            return kmsError(400, 'InvalidSignatureException', err.message);
        case 'RequestTimeTooSkewed':
            return kmsError(400, 'InvalidSignatureException', 'Signature expired.');
        default:
            return kmsError(400, 'IncompleteSignatureException', err.message);
    }
}

function kmsError(status: number, type: string, message: string): S3Response {
    return {
        status,
        headers: { 'content-type': KMS_CONTENT_TYPE },
        body: JSON.stringify({ __type: type, message }),
    };
}

function jsonErrorType(body: string): string | undefined {
    try {
        return (JSON.parse(body) as { __type?: string }).__type;
    } catch {
        return undefined;
    }
}
