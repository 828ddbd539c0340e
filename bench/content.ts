/**
 * Deterministic object content, so the client never holds an object in memory and can check
 * every byte of a GET without hashing: object `seed` of `size` bytes is a run of 64 KiB blocks,
 * each a view into one random pool at an offset derived from (seed, block index). Writing a
 * block costs no copy; checking one is a memcmp against the same view.
 */
import { randomBytes } from 'node:crypto';

const BLOCK = 64 * 1024;
const POOL_SPAN = 1024 * 1024;
/** The pool is one block longer than the span of offsets, so every view is a full block. */
const pool = randomBytes(POOL_SPAN + BLOCK);

/** A 32-bit mix of two integers (splitmix-style), so neighbouring blocks land far apart. */
function mix(a: number, b: number): number {
    let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35);
    h ^= h >>> 16;
    h = Math.imul(h, 0x7feb352d);
    h ^= h >>> 15;
    return h >>> 0;
}

function blockStart(seed: number, block: number): number {
    return mix(seed, block) % POOL_SPAN;
}

/** A seed for one object of one round, distinct for each (round, name). */
export function seedFor(round: number, name: string): number {
    let h = round + 1;
    for (let i = 0; i < name.length; i++) h = mix(h, name.charCodeAt(i));
    return h;
}

/** Yields the object's bytes as views into the pool (no allocation of object data). */
export function* objectChunks(seed: number, size: number): Generator<Buffer> {
    for (let pos = 0, block = 0; pos < size; pos += BLOCK, block++) {
        const start = blockStart(seed, block);
        yield pool.subarray(start, start + Math.min(BLOCK, size - pos));
    }
}

/**
 * Checks received bytes against the object's content as they stream in. `accept` returns
 * false at the first differing chunk; `complete` says whether exactly `size` bytes matched.
 */
export class ContentVerifier {
    private position = 0;
    private mismatch = false;

    constructor(
        private readonly seed: number,
        private readonly size: number,
    ) {}

    accept(chunk: Buffer): boolean {
        if (this.mismatch) return false;
        let offset = 0;
        while (offset < chunk.length) {
            const pos = this.position + offset;
            if (pos >= this.size) return this.fail();
            const block = Math.floor(pos / BLOCK);
            const within = pos - block * BLOCK;
            const blockLength = Math.min(BLOCK, this.size - block * BLOCK);
            const take = Math.min(blockLength - within, chunk.length - offset);
            const start = blockStart(this.seed, block) + within;
            if (!chunk.subarray(offset, offset + take).equals(pool.subarray(start, start + take))) {
                return this.fail();
            }
            offset += take;
        }
        this.position += chunk.length;
        return true;
    }

    complete(): boolean {
        return !this.mismatch && this.position === this.size;
    }

    private fail(): false {
        this.mismatch = true;
        return false;
    }
}
