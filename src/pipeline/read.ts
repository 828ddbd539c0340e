/**
 * The read half of the object pipeline: an object's bytes [start, end] as one stream, reading
 * only the segments (parts) that overlap the range. With `decrypt`, each segment is a sealed
 * blob and only the packages the range touches are read and authenticated (`openRange`); a
 * failed check ends the stream with an IntegrityError before any byte of that package is out.
 */
import { Readable } from 'node:stream';
import { openRange } from '../crypto/index.js';
import type { BlobFile, BlobStore, Segment } from '../store/types.js';

/** What opens an object's sealed segments: its data key and its object id. */
export interface SegmentDecryption {
    dataKey: Buffer;
    objectId: Buffer;
}

export function readObjectRange(
    blobs: BlobStore,
    segments: Segment[],
    start: number,
    end: number,
    decrypt?: SegmentDecryption,
): Readable {
    const touched = segments.filter((segment) => segment.size > 0);
    // A range inside one segment (every single-PUT object) is that segment's own stream.
    if (touched.length === 1 && start <= end && end < touched[0].size) {
        try {
            return openOne(blobs, touched[0], start, end, decrypt);
        } catch {
            // A refused read (a bad blob id) then fails the stream below, as it always has.
        }
    }
    return new SegmentChain(rangeParts(segments, start, end), (part) =>
        openOne(blobs, part.segment, part.from, part.to, decrypt),
    );
}

/** The part of one segment a range covers, in segment-relative bytes [from, to]. */
interface SegmentPart {
    segment: Segment;
    from: number;
    to: number;
}

function rangeParts(segments: Segment[], start: number, end: number): SegmentPart[] {
    const parts: SegmentPart[] = [];
    let offset = 0;
    for (const segment of segments) {
        const segmentEnd = offset + segment.size - 1;
        if (segment.size > 0 && segmentEnd >= start && offset <= end) {
            const from = Math.max(start, offset) - offset;
            const to = Math.min(end, segmentEnd) - offset;
            parts.push({ segment, from, to });
        }
        offset += segment.size;
        if (offset > end) break;
    }
    return parts;
}

/**
 * The segments' streams one after another, each opened when the previous has ended. Chunks are
 * passed on from 'data' events as they come: an async iterator over each stream (or
 * Readable.from over a generator) would concatenate what is buffered, copying every byte.
 */
class SegmentChain extends Readable {
    readonly #parts: SegmentPart[];
    readonly #open: (part: SegmentPart) => Readable;
    #next = 0;
    #current: Readable | undefined;

    constructor(parts: SegmentPart[], open: (part: SegmentPart) => Readable) {
        super();
        this.#parts = parts;
        this.#open = open;
    }

    override _read(): void {
        if (this.#current) this.#current.resume();
        else this.#openNext();
    }

    override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
        this.#current?.destroy();
        done(err);
    }

    #openNext(): void {
        const part = this.#parts[this.#next];
        if (part === undefined) {
            this.push(null);
            return;
        }
        this.#next += 1;
        let source: Readable;
        try {
            source = this.#open(part);
        } catch (err) {
            this.destroy(err as Error);
            return;
        }
        this.#current = source;
        source.on('data', (chunk: Buffer) => {
            if (!this.push(chunk)) source.pause();
        });
        source.once('error', (err) => this.destroy(err));
        source.once('end', () => {
            this.#current = undefined;
            if (!this.destroyed) this.#openNext();
        });
    }
}

function openOne(
    blobs: BlobStore,
    segment: Segment,
    from: number,
    to: number,
    decrypt: SegmentDecryption | undefined,
): Readable {
    return decrypt
        ? openSegment(blobs, segment, from, to, decrypt)
        : readStored(blobs, segment, from, to);
}

/** Stored bytes [from, to] of a segment: from its inline bytes, or its blob file. */
function readStored(blobs: BlobStore, segment: Segment, from: number, to: number): Readable {
    if (!segment.inline) return blobs.read(segment.blobId, from, to);
    // Like a file read: a range past the end yields what exists (openRange's one-byte probe).
    const bytes = segment.inline.subarray(from, to + 1);
    return new Readable({
        read() {
            this.push(bytes);
            this.push(null);
        },
    });
}

/** A segment's stored bytes for positional reads: its inline bytes, or its blob file. */
function openStored(blobs: BlobStore, segment: Segment): Promise<BlobFile> {
    const inline = segment.inline;
    if (!inline) return blobs.open(segment.blobId);
    return Promise.resolve({
        async read(buffer: Buffer, length: number, position: number): Promise<number> {
            if (position >= inline.length) return 0;
            return inline.copy(buffer, 0, position, Math.min(inline.length, position + length));
        },
        async close(): Promise<void> {},
    });
}

function openSegment(
    blobs: BlobStore,
    segment: Segment,
    start: number,
    end: number,
    decrypt: SegmentDecryption,
): Readable {
    return openRange({
        dataKey: decrypt.dataKey,
        objectId: decrypt.objectId,
        partNumber: segment.partNumber,
        plainSize: segment.size,
        start,
        end,
        openSealed: () => openStored(blobs, segment),
    });
}
