/**
 * What an operation handler receives and returns. Handlers never touch Node's request or
 * response: they read an `S3Request` and return an `S3Response` (or throw an `S3Error`), and
 * only `server/` writes bytes to the socket.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { RequestContext } from '../server/request-context.js';
import type { ServerServices } from '../server/services.js';

export interface S3Request {
    readonly ctx: RequestContext;
    readonly services: ServerServices;
    readonly method: string;
    readonly bucket?: string;
    readonly key?: string;
    readonly query: URLSearchParams;
    readonly headers: IncomingHttpHeaders;
    /** The decoded payload (aws-chunked framing removed, signatures verified as it streams). */
    body(): Readable;
    /** Trailing headers of a streamed payload, lowercase names; complete once `body()` ended. */
    trailers(): Map<string, string>;
}

export type ResponseHeaders = Record<string, string | number | undefined>;

export interface S3Response {
    status?: number;
    headers?: ResponseHeaders;
    body?: string | Buffer | Readable;
}

export type OperationHandler = (req: S3Request) => Promise<S3Response>;

/** A single header's value; repeated headers are joined as Node does. */
export function header(req: S3Request, name: string): string | undefined {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(',') : value;
}
