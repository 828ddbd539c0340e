/**
 * The request body as the signature promised it: `openPayload` wraps the raw body in the check
 * its payload mode calls for.
 *
 *   signed                      bytes pass through while hashed; a different SHA-256 fails the
 *                               stream at its end with XAmzContentSHA256Mismatch
 *   unsigned (and anonymous)    the raw stream itself, untouched
 *   streaming-signed            aws-chunked decoded, every chunk and the trailer signature checked
 *   streaming-unsigned-trailer  aws-chunked decoded, trailers collected
 *
 * A failed check destroys the returned body with an S3Error. The raw request is then only
 * unpiped, never destroyed (destroying it would close the socket before the server can answer
 * with the error); draining or closing it is the server's decision.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Transform, type Readable, type TransformCallback } from 'node:stream';

import { S3Error } from '../s3/errors.js';
import { AwsChunkedDecoder } from './chunked/aws-chunked-decoder.js';
import { headerValue } from './sigv4/canonical-request.js';
import { parsePayloadMode } from './sigv4/payload-mode.js';
import type { PayloadMode, VerifiedRequest } from './sigv4/types.js';

/** The decoded body and, once it has ended, its trailing headers by lower-case name. */
export interface OpenedPayload {
    body: Readable;
    trailers: () => Map<string, string>;
}

const NO_TRAILERS = (): Map<string, string> => new Map();

/** Wraps the raw request body: the decoded payload stream and, after it ends, its trailers. */
export function openPayload(
    raw: Readable,
    verified: VerifiedRequest | null,
    headers: IncomingHttpHeaders,
): OpenedPayload {
    const mode = verified ? verified.payload : anonymousMode(headers);
    switch (mode.kind) {
        case 'unsigned':
            return { body: raw, trailers: NO_TRAILERS };
        case 'signed':
            return { body: wrap(raw, new Sha256Check(mode.sha256Hex)), trailers: NO_TRAILERS };
        case 'streaming-signed':
        case 'streaming-unsigned-trailer': {
            const decoder = new AwsChunkedDecoder({
                signing: mode.kind === 'streaming-signed' ? signingOf(verified) : undefined,
                trailer: mode.kind === 'streaming-unsigned-trailer' || mode.trailer,
                decodedLength: decodedLength(headers),
            });
            return { body: wrap(raw, decoder), trailers: () => new Map(decoder.trailers) };
        }
    }
}

/** An anonymous request's body mode comes from its (unsigned) x-amz-content-sha256, if any. */
function anonymousMode(headers: IncomingHttpHeaders): PayloadMode {
    const value = headerValue(headers, 'x-amz-content-sha256')?.trim();
    return value === undefined ? { kind: 'unsigned' } : parsePayloadMode(value);
}

function signingOf(verified: VerifiedRequest | null) {
    if (verified === null) {
        // Chunk signatures chain to a request signature; an anonymous request has none.
        throw new S3Error(
            'InvalidRequest',
            'A signed streaming payload requires a signed request.',
        );
    }
    return verified.chunkSigning;
}

function decodedLength(headers: IncomingHttpHeaders): number | undefined {
    const value = headerValue(headers, 'x-amz-decoded-content-length')?.trim();
    if (value === undefined) return undefined;
    if (!/^\d{1,15}$/.test(value)) {
        throw new S3Error('InvalidArgument', 'Invalid x-amz-decoded-content-length', {
            fields: { ArgumentName: 'x-amz-decoded-content-length', ArgumentValue: value },
        });
    }
    return Number(value);
}

function wrap(raw: Readable, check: Transform): Readable {
    // pipe() unpipes by itself when `check` errors or closes; raw errors are forwarded.
    raw.on('error', (err) => check.destroy(err));
    return raw.pipe(check);
}

/** Passes bytes through unchanged while hashing them; compares with the signed hash at end. */
class Sha256Check extends Transform {
    private readonly hash = createHash('sha256');

    constructor(private readonly expectedHex: string) {
        super();
    }

    override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
        this.hash.update(chunk);
        done(null, chunk);
    }

    override _flush(done: TransformCallback) {
        const actual = this.hash.digest('hex');
        if (actual === this.expectedHex) return done();
        done(
            new S3Error('XAmzContentSHA256Mismatch', undefined, {
                fields: {
                    ClientComputedContentSHA256: this.expectedHex,
                    S3ComputedContentSHA256: actual,
                },
            }),
        );
    }
}
