/**
 * The read half of the object pipeline: an object's bytes [start, end] as one stream, reading
 * only the segments (parts) that overlap the range. With `decrypt`, each segment is a sealed
 * blob and only the packages the range touches are read and authenticated (`openRange`); a
 * failed check ends the stream with an IntegrityError before any byte of that package is out.
 */
import { Readable } from 'node:stream';
import { openRange } from '../crypto/index.js';
import type { BlobStore, Segment } from '../store/types.js';

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
    // A range inside one segment (every single-PUT object) is that segment's own stream: each
    // stream layer's async iteration concatenates what it has buffered, a copy of every byte.
    if (touched.length === 1 && start <= end && end < touched[0].size) {
        try {
            return openOne(blobs, touched[0], start, end, decrypt);
        } catch {
            // A refused read (a bad blob id) then fails the stream below, as it always has.
        }
    }
    return Readable.from(readSegments(blobs, segments, start, end, decrypt), { objectMode: false });
}

async function* readSegments(
    blobs: BlobStore,
    segments: Segment[],
    start: number,
    end: number,
    decrypt: SegmentDecryption | undefined,
) {
    let offset = 0;
    for (const segment of segments) {
        const segmentEnd = offset + segment.size - 1;
        if (segment.size > 0 && segmentEnd >= start && offset <= end) {
            const from = Math.max(start, offset) - offset;
            const to = Math.min(end, segmentEnd) - offset;
            yield* openOne(blobs, segment, from, to, decrypt);
        }
        offset += segment.size;
        if (offset > end) return;
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
        readSealed: (offset, length) => readStored(blobs, segment, offset, offset + length - 1),
    });
}
