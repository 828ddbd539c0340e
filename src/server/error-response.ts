/** Turns any failure into AWS's XML error response. Unknown failures never leak their cause. */
import { S3Error, isS3Error } from '../s3/errors.js';
import type { S3Response } from '../s3/types.js';
import { xmlDocument } from '../s3/xml.js';
import type { RequestContext } from './request-context.js';

export function toS3Error(err: unknown): S3Error {
    if (isS3Error(err)) return err;
    return new S3Error('InternalError', undefined, { cause: err });
}

/** The error document: Code, Message, the extra fields, Resource, RequestId and HostId. */
export function errorResponse(err: S3Error, ctx: RequestContext, resource: string): S3Response {
    // 304 is not an error to HTTP: it has no body, only the validators.
    if (err.status === 304) return { status: 304, headers: err.headers };
    const body = xmlDocument(
        'Error',
        {
            Code: err.code,
            Message: err.message,
            ...err.fields,
            Resource: resource,
            RequestId: ctx.requestId,
            HostId: ctx.hostId,
        },
        '',
    );
    return {
        status: err.status,
        headers: { ...err.headers, 'content-type': 'application/xml' },
        body,
    };
}
