/**
 * What the tests of the object format and its readers share: sealing a plaintext, a sealed blob
 * served from memory as `openRange` reads it, draining a stream however it ends, and a seeded
 * PRNG so a failing random case can be replayed.
 */
import { Readable } from 'node:stream';
import { createSealer, type SealedBlobFile, type SealParams } from '../../src/crypto/index.js';

/** Deterministic PRNG (mulberry32): a failing case can be replayed from its seed. */
export function prng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    };
}

/** The sealed blob of `plain`, fed to the sealer in one chunk. */
export async function seal(p: SealParams, plain: Buffer, salt?: Buffer): Promise<Buffer> {
    const sealer = createSealer(p, { salt });
    Readable.from([plain]).pipe(sealer);
    return Buffer.concat(await sealer.toArray());
}

/**
 * Everything a stream emitted before it ended or failed, and how it failed. Listens to 'data'
 * (flowing mode, as a pipe to a socket would), so it sees every byte the moment it is pushed;
 * an async iterator would drop buffered bytes on error and hide an early emission.
 */
export function drain(stream: Readable): Promise<{ data: Buffer; error: unknown }> {
    const chunks: Buffer[] = [];
    return new Promise((resolve) => {
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => resolve({ data: Buffer.concat(chunks), error: undefined }));
        stream.on('error', (error) => resolve({ data: Buffer.concat(chunks), error }));
    });
}

/**
 * An in-memory sealed blob as `openRange` reads it: positional reads that may come back short
 * (at most `maxRead` bytes, or a random length), so headers, packages and tags straddle reads.
 */

export interface MemoryFileOptions {
    /** The most bytes one read returns. */
    maxRead?: number;
    /** When given, about half the reads return a random shorter length. */
    random?: () => number;
}

export interface MemoryFile extends SealedBlobFile {
    closed: boolean;
    /** Every read: position, length asked, bytes returned. */
    reads: Array<{ position: number; length: number; bytes: number }>;
}

export function memoryFile(blob: Buffer, options: MemoryFileOptions = {}): MemoryFile {
    const { maxRead = Infinity, random } = options;
    const file: MemoryFile = {
        closed: false,
        reads: [],
        async read(buffer, length, position) {
            if (file.closed) throw new Error('read after close');
            let bytes = Math.max(0, Math.min(length, maxRead, blob.length - position));
            if (random && bytes > 1 && random() < 0.5) bytes = 1 + Math.floor(random() * bytes);
            blob.copy(buffer, 0, position, position + bytes);
            file.reads.push({ position, length, bytes });
            return bytes;
        },
        async close() {
            file.closed = true;
        },
    };
    return file;
}
