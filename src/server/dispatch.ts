/**
 * The path of one request: context, authentication, routing, authorization, `100 Continue`,
 * the operation, and the response or the S3 error. Every step before the operation works from
 * headers alone, so a refused upload is answered before any body byte is read.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate, openPayload } from '../auth/index.js';
import { authorize, concealMissingObject } from '../access/authorize.js';
import { tlsVersionOf } from '../access/condition-keys.js';
import { ANONYMOUS } from '../identity/principal.js';
import { S3Error } from '../s3/errors.js';
import { OPERATION_HANDLERS } from '../s3/handlers.js';
import type { S3Request } from '../s3/types.js';
import { logAccess } from './access-log.js';
import { errorResponse, toS3Error } from './error-response.js';
import { newHostId, newRequestId, type RequestContext } from './request-context.js';
import { writeResponse } from './response-writer.js';
import { resolveAddress, routeRequest } from './router.js';
import { serveOtherApi, serviceOf } from './service-apis.js';
import type { ServerServices } from './services.js';
import { NO_TRUSTED_PROXIES, resolveTransport } from './trusted-proxy.js';

export interface ListenerOptions {
    secure: boolean;
}

/** Handles one request end to end; never throws. */
export async function dispatch(
    services: ServerServices,
    options: ListenerOptions,
    req: IncomingMessage,
    res: ServerResponse,
    expectContinue: boolean,
): Promise<void> {
    const ctx = createContext(services, options, req);
    res.setHeader('x-amz-request-id', ctx.requestId);
    res.setHeader('x-amz-id-2', ctx.hostId);
    res.setHeader('server', 'Coffer');
    const bytesReadAtStart = req.socket.bytesRead;
    res.once('close', () => {
        ctx.bytesIn = req.socket.bytesRead - bytesReadAtStart;
        logAccess(ctx, res);
    });

    const rawUrl = req.url ?? '/';
    const [rawPath = '/', rawQuery = ''] = splitUrl(rawUrl);
    try {
        const service = serviceOf(req.method ?? 'GET', rawPath, req.headers);
        if (service !== 's3') {
            if (expectContinue) res.writeContinue();
            const response = await serveOtherApi(service, services, ctx, req);
            await writeResponse(res, ctx, response, false);
            return;
        }
        const request = await prepareRequest(services, ctx, req, rawUrl, rawPath, rawQuery);
        if (expectContinue) res.writeContinue();
        const handler = OPERATION_HANDLERS[ctx.operation as keyof typeof OPERATION_HANDLERS];
        const response = await handler(request);
        await writeResponse(res, ctx, response, req.method === 'HEAD');
    } catch (err) {
        const answered = await concealMissingObject(ctx, services, err);
        await answerError(res, ctx, req, answered, rawPath);
    }
}

/** Everything decided from headers: address, operation, identity, permission. */
async function prepareRequest(
    services: ServerServices,
    ctx: RequestContext,
    req: IncomingMessage,
    rawUrl: string,
    rawPath: string,
    rawQuery: string,
): Promise<S3Request> {
    const method = req.method ?? 'GET';
    const query = new URLSearchParams(rawQuery);
    const address = resolveAddress(rawPath, req.headers.host, services.config.domain);
    ctx.bucket = address.bucket;
    ctx.key = address.key;
    const route = routeRequest(method, address.bucket, address.key, query, req.headers);
    ctx.operation = route.operation;

    ctx.auth = authenticate(
        { method, rawUrl, headers: req.headers },
        {
            lookupSecret: (id) => services.identities.lookup(id)?.secretAccessKey,
            now: new Date(),
            region: services.config.region,
            service: 's3',
            maxSkewMs: services.config.maxClockSkewMs,
        },
    );
    if (ctx.auth) ctx.principal = services.identities.lookup(ctx.auth.accessKeyId)!.principal;
    const tlsVersion = tlsVersionOf(req.socket);
    await authorize(ctx, services, { headers: req.headers, query, tlsVersion });
    if (route.kind === 'unsupported') {
        throw new S3Error('NotImplemented', `${route.operation} is not implemented by Coffer.`);
    }

    let payload: ReturnType<typeof openPayload> | undefined;
    const open = () => (payload ??= openPayload(req, ctx.auth, req.headers));
    return {
        ctx,
        services,
        method,
        bucket: address.bucket,
        key: address.key,
        query,
        headers: req.headers,
        body: () => open().body,
        trailers: () => open().trailers(),
    };
}

async function answerError(
    res: ServerResponse,
    ctx: RequestContext,
    req: IncomingMessage,
    err: unknown,
    rawPath: string,
): Promise<void> {
    const error = toS3Error(err);
    ctx.errorCode = error.code;
    if (error.status >= 500) {
        ctx.log.error({ err: error.cause ?? error, code: error.code }, 'request failed');
    }
    if (res.headersSent) {
        // The status line is gone: the only honest signal left is a broken connection.
        res.destroy(error);
        return;
    }
    // A body the client is still sending (or holding back for 100 Continue) would be read as
    // the next request on this connection: close it instead.
    if (!req.complete) res.setHeader('connection', 'close');
    let resource = rawPath;
    try {
        resource = decodeURIComponent(rawPath);
    } catch {
        // The raw path stays: it is what the client sent.
    }
    await writeResponse(res, ctx, errorResponse(error, ctx, resource), req.method === 'HEAD');
}

function createContext(
    services: ServerServices,
    options: ListenerOptions,
    req: IncomingMessage,
): RequestContext {
    const requestId = newRequestId();
    const transport = resolveTransport(
        services.config.trustedProxies ?? NO_TRUSTED_PROXIES,
        options.secure,
        req.socket.remoteAddress ?? '',
        req.headers,
    );
    return {
        requestId,
        hostId: newHostId(),
        startedAt: process.hrtime.bigint(),
        secureTransport: transport.secureTransport,
        sourceIp: transport.sourceIp,
        log: services.log.child({ requestId }),
        principal: ANONYMOUS,
        auth: null,
        bytesIn: 0,
        bytesOut: 0,
    };
}

function splitUrl(rawUrl: string): [string, string] {
    const at = rawUrl.indexOf('?');
    return at < 0 ? [rawUrl, ''] : [rawUrl.slice(0, at), rawUrl.slice(at + 1)];
}
