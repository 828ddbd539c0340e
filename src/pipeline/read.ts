/**
 * The read half of the object pipeline: an object's bytes [start, end] as one stream, reading
 * only the segments (parts) that overlap the range.
 */
import { Readable } from 'node:stream';
import type { BlobStore, Segment } from '../store/types.js';

export function readObjectRange(
    blobs: BlobStore,
    segments: Segment[],
    start: number,
    end: number,
): Readable {
    return Readable.from(readSegments(blobs, segments, start, end), { objectMode: false });
}

async function* readSegments(blobs: BlobStore, segments: Segment[], start: number, end: number) {
    let offset = 0;
    for (const segment of segments) {
        const segmentEnd = offset + segment.size - 1;
        if (segment.size > 0 && segmentEnd >= start && offset <= end) {
            const from = Math.max(start, offset) - offset;
            const to = Math.min(end, segmentEnd) - offset;
            yield* blobs.read(segment.blobId, from, to);
        }
        offset += segment.size;
        if (offset > end) return;
    }
}
