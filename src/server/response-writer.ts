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
    // One error listener for the whole response: the body may fail between the two phases.
    const failed = new Promise<never>((_, reject) => body.once('error', reject));
    failed.catch(() => {});
    try {
        const first = await Promise.race([firstChunk(body), failed]);
        writeHead(res, response);
        if (isHead) {
            res.end();
            return;
        }
        if (first !== undefined) {
            ctx.bytesOut += first.length;
            res.write(first);
        }
        await Promise.race([pump(body, res, ctx), failed]);
        res.end();
    } finally {
        body.destroy();
    }
}

/**
 * The body's first chunk (undefined when it is empty), leaving the body paused. Read through
 * 'data' rather than an async iterator: the iterator's read() concatenates every chunk buffered
 * so far into one new Buffer, a copy of each byte of a large GET.
 */
function firstChunk(body: Readable): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
        const onData = (chunk: Buffer) => {
            body.pause();
            body.off('end', onEnd);
            resolve(chunk);
        };
        const onEnd = () => {
            body.off('data', onData);
            resolve(undefined);
        };
        body.once('data', onData);
        body.once('end', onEnd);
    });
}

/**
 * Writes the rest of the body, pausing it while the socket is full. The chunks one body read
 * yields (the pieces of a decrypted store read) are corked together: one writev, not a write
 * per piece.
 */
function pump(body: Readable, res: ServerResponse, ctx: RequestContext): Promise<void> {
    return new Promise((resolve, reject) => {
        let corked = false;
        const uncork = () => {
            if (!corked) return;
            corked = false;
            res.uncork();
        };
        const onData = (chunk: Buffer) => {
            ctx.bytesOut += chunk.length;
            if (!corked) {
                corked = true;
                res.cork();
                process.nextTick(uncork);
            }
            if (!res.write(chunk)) body.pause();
        };
        const onDrain = () => body.resume();
        const settle = () => {
            body.off('data', onData);
            body.off('end', onEnd);
            res.off('drain', onDrain);
            res.off('close', onClose);
            uncork();
        };
        const onEnd = () => {
            settle();
            resolve();
        };
        const onClose = () => {
            settle();
            reject(new Error(CLIENT_GONE));
        };
        body.on('data', onData);
        body.once('end', onEnd);
        res.on('drain', onDrain);
        res.once('close', onClose);
        if (res.destroyed) onClose();
        else body.resume();
    });
}

const CLIENT_GONE = 'client went away while the response was streamed';

function writeHead(res: ServerResponse, response: S3Response): void {
    res.statusCode = response.status ?? 200;
    for (const [name, value] of Object.entries(response.headers ?? {})) {
        if (value !== undefined) res.setHeader(name, value);
    }
}
