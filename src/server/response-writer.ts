/**
 * Writes an operation's response. A streamed body is started before the status line is sent,
 * so a failure on its first bytes (a tampered package, a vanished blob) still becomes a proper
 * error response; a failure later can only break the connection.
 */
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { S3Response } from '../s3/types.js';
import type { RequestContext } from './request-context.js';

export async function writeResponse(
    res: ServerResponse,
    ctx: RequestContext,
    response: S3Response,
    isHead: boolean,
): Promise<void> {
    const { body } = response;
    if (body instanceof Readable) {
        await writeStream(res, ctx, response, body, isHead);
        return;
    }
    const bytes = body === undefined ? undefined : Buffer.from(body);
    writeHead(res, response);
    if (!response.headers?.['content-length'] && !isHead && response.status !== 304) {
        res.setHeader('content-length', bytes?.length ?? 0);
    }
    if (isHead || !bytes) {
        res.end();
        return;
    }
    ctx.bytesOut += bytes.length;
    res.end(bytes);
}

async function writeStream(
    res: ServerResponse,
    ctx: RequestContext,
    response: S3Response,
    body: Readable,
    isHead: boolean,
): Promise<void> {
    const chunks = body[Symbol.asyncIterator]();
    try {
        const first = await chunks.next();
        writeHead(res, response);
        if (isHead) {
            res.end();
            return;
        }
        for (let next = first; !next.done; next = await chunks.next()) {
            const chunk = next.value as Buffer;
            ctx.bytesOut += chunk.length;
            if (!res.write(chunk)) await waitForDrain(res);
        }
        res.end();
    } finally {
        body.destroy();
    }
}

/** Waits until the socket takes more, or fails when the client has gone. */
function waitForDrain(res: ServerResponse): Promise<void> {
    if (res.destroyed) return Promise.reject(new Error(CLIENT_GONE));
    return new Promise((resolve, reject) => {
        // Both listeners go when either fires: a long download waits for drain many times.
        const drained = () => {
            res.off('close', closed);
            resolve();
        };
        const closed = () => {
            res.off('drain', drained);
            reject(new Error(CLIENT_GONE));
        };
        res.once('drain', drained);
        res.once('close', closed);
    });
}

const CLIENT_GONE = 'client went away while the response was streamed';

function writeHead(res: ServerResponse, response: S3Response): void {
    res.statusCode = response.status ?? 200;
    for (const [name, value] of Object.entries(response.headers ?? {})) {
        if (value !== undefined) res.setHeader(name, value);
    }
}
