/**
 * Decodes an aws-chunked body into the object's bytes, verifying chunk signatures on the way.
 *
 *   <hex size>[;chunk-signature=<sig>]\r\n<size bytes>\r\n   ... repeated
 *   0[;chunk-signature=<sig>]\r\n                              the final, empty chunk
 *   \r\n                                                       (no trailers), or
 *   name:value\r\n ... [x-amz-trailer-signature:<sig>\r\n] \r\n (trailers)
 *
 * Memory: unsigned chunks pass through as they arrive. A signed chunk is held (as slices of
 * the incoming buffers, not copies) until its signature is checked, so every byte this stream
 * emits is authenticated; that is why a signed chunk may not exceed `maxSignedChunkBytes`.
 *
 * Errors: truncation is `IncompleteBody`, a bad signature `SignatureDoesNotMatch`, and framing
 * that is not aws-chunked `InvalidRequest` (AWS documents no code for it).
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

import { S3Error } from '../../s3/errors.js';
import { EMPTY_SHA256 } from '../sigv4/signing.js';
import type { ChunkSigning } from '../sigv4/types.js';
import { ChunkSignatureChain } from './chunk-signature.js';
import { LineReader } from './line-reader.js';
import { TrailerSection } from './trailer-section.js';

/** How a body is framed and what the decoder must check. */
export interface AwsChunkedOptions {
    /** Present for STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]: every chunk must be signed. */
    signing?: ChunkSigning;
    /** Whether trailer lines follow the final chunk. */
    trailer: boolean;
    /** `x-amz-decoded-content-length`, when the client sent it. */
    decodedLength?: number;
    /** Largest signed chunk accepted (held in memory until verified). Default 16 MiB. */
    maxSignedChunkBytes?: number;
}

const DEFAULT_MAX_SIGNED_CHUNK = 16 * 1024 * 1024;
/** A chunk header is ~100 bytes; this leaves room for extensions and refuses garbage early. */
const MAX_LINE = 4096;
const SIGNED_HEADER = /^([0-9a-fA-F]{1,13});chunk-signature=([0-9a-fA-F]{64})$/;
const UNSIGNED_HEADER = /^([0-9a-fA-F]{1,13})(?:;.*)?$/;

type Phase = 'header' | 'data' | 'data-end' | 'trailers' | 'done';

export class AwsChunkedDecoder extends Transform {
    private phase: Phase = 'header';
    private readonly lines = new LineReader(MAX_LINE, () => malformed('line too long'));
    private readonly chain: ChunkSignatureChain | undefined;
    private readonly trailerSection: TrailerSection;
    private readonly maxSignedChunk: number;
    private chunkRemaining = 0;
    private chunkSignature = '';
    private chunkHash: Hash | null = null;
    private held: Buffer[] = [];
    private finalChunk = false;
    private crlfSeen = 0;
    private decodedBytes = 0;

    constructor(private readonly options: AwsChunkedOptions) {
        super();
        this.chain = options.signing && new ChunkSignatureChain(options.signing);
        const trailerChain = options.trailer ? this.chain : undefined;
        this.trailerSection = new TrailerSection(trailerChain, malformed);
        this.maxSignedChunk = options.maxSignedChunkBytes ?? DEFAULT_MAX_SIGNED_CHUNK;
    }

    /** Trailer values by lower-case name; complete once the stream has ended. */
    get trailers(): ReadonlyMap<string, string> {
        return this.trailerSection.values;
    }

    override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
        try {
            this.consume(chunk);
            done();
        } catch (err) {
            done(err as Error);
        }
    }

    override _flush(done: TransformCallback) {
        const complete =
            !this.lines.holdsPartialLine &&
            (this.phase === 'done' ||
                (this.phase === 'trailers' && this.trailerSection.canEndHere()));
        done(complete ? null : new S3Error('IncompleteBody'));
    }

    private consume(buf: Buffer): void {
        let pos = 0;
        while (pos < buf.length) {
            switch (this.phase) {
                case 'header':
                case 'trailers': {
                    const line = this.lines.read(buf, pos);
                    if (line === undefined) return;
                    pos = line.next;
                    if (this.phase === 'header') this.startChunk(line.bytes.toString('latin1'));
                    else this.takeTrailerLine(line.bytes.toString('utf8'));
                    break;
                }
                case 'data':
                    pos = this.takeData(buf, pos);
                    break;
                case 'data-end':
                    pos = this.takeDataEnd(buf, pos);
                    break;
                case 'done':
                    throw malformed('data after the end of the aws-chunked body');
            }
        }
    }

    private startChunk(header: string): void {
        const match = (this.chain ? SIGNED_HEADER : UNSIGNED_HEADER).exec(header);
        if (!match) throw malformed('invalid chunk header');
        const size = parseInt(match[1]!, 16);
        this.checkDecodedLength(size);
        if (this.chain && size > this.maxSignedChunk) {
            throw malformed(`chunk of ${size} bytes exceeds ${this.maxSignedChunk}`);
        }
        this.chunkSignature = match[2] ?? '';
        this.chunkRemaining = size;
        if (size > 0) {
            this.chunkHash = this.chain ? createHash('sha256') : null;
            this.phase = 'data';
            return;
        }
        this.finalChunk = true;
        this.endChunk();
        // Without trailers the empty chunk's (empty) data is followed by CRLF like any other.
        this.phase = this.options.trailer ? 'trailers' : 'data-end';
        this.crlfSeen = 0;
    }

    private checkDecodedLength(size: number): void {
        const expected = this.options.decodedLength;
        if (expected === undefined) return;
        if (this.decodedBytes + size > expected) {
            throw malformed('the chunks hold more data than x-amz-decoded-content-length');
        }
        if (size === 0 && this.decodedBytes < expected) throw new S3Error('IncompleteBody');
    }

    private takeData(buf: Buffer, pos: number): number {
        const take = Math.min(this.chunkRemaining, buf.length - pos);
        const slice = buf.subarray(pos, pos + take);
        if (this.chunkHash) {
            this.chunkHash.update(slice);
            this.held.push(slice);
        } else {
            this.push(slice);
        }
        this.chunkRemaining -= take;
        this.decodedBytes += take;
        if (this.chunkRemaining === 0) {
            this.endChunk();
            this.phase = 'data-end';
            this.crlfSeen = 0;
        }
        return pos + take;
    }

    /** Verifies the finished chunk's signature, then releases its data. */
    private endChunk(): void {
        if (this.chain) {
            const digest = this.chunkHash ? this.chunkHash.digest('hex') : undefined;
            this.chain.verifyChunk(digest ?? EMPTY_SHA256, this.chunkSignature);
            this.chunkHash = null;
        }
        for (const slice of this.held) this.push(slice);
        this.held = [];
    }

    private takeDataEnd(buf: Buffer, pos: number): number {
        while (this.crlfSeen < 2 && pos < buf.length) {
            const expected = this.crlfSeen === 0 ? 0x0d : 0x0a;
            if (buf[pos] !== expected) throw malformed('chunk data not followed by CRLF');
            this.crlfSeen++;
            pos++;
        }
        if (this.crlfSeen === 2) this.phase = this.finalChunk ? 'done' : 'header';
        return pos;
    }

    private takeTrailerLine(line: string): void {
        if (this.trailerSection.takeLine(line)) this.phase = 'done';
    }
}

function malformed(detail: string): S3Error {
    return new S3Error('InvalidRequest', `Malformed aws-chunked body: ${detail}.`);
}
