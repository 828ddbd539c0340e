/**
 * An in-memory sealed blob as `openRange` reads it: positional reads that may come back short
 * (at most `maxRead` bytes, or a random length), so headers, packages and tags straddle reads.
 */
import type { SealedBlobFile } from '../../src/crypto/index.js';

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
