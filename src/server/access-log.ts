/**
 * The access log: one structured line per request, with the fields of S3's server access log.
 * Fields are listed explicitly, so no header (Authorization, SSE-C keys, signatures) can slip in.
 */
import type { ServerResponse } from 'node:http';
import type { RequestContext } from './request-context.js';

export function logAccess(ctx: RequestContext, res: ServerResponse): void {
    const status = res.writableFinished ? res.statusCode : 499;
    const entry = {
        event: 'request',
        operation: ctx.operation ?? 'Unknown',
        bucket: ctx.bucket,
        key: ctx.key,
        status,
        errorCode: ctx.errorCode,
        bytesIn: ctx.bytesIn,
        bytesOut: ctx.bytesOut,
        durationMs: Number(process.hrtime.bigint() - ctx.startedAt) / 1e6,
        principal: ctx.principal.type === 'Anonymous' ? 'anonymous' : ctx.principal.arn,
        authType: ctx.auth?.authType,
        secureTransport: ctx.secureTransport,
        sourceIp: ctx.sourceIp,
    };
    if (status >= 500) ctx.log.error(entry, 'request');
    else ctx.log.info(entry, 'request');
}
