/** The Range header: one byte range, open-ended or a suffix, as S3 supports it. */
import { S3Error } from './errors.js';

export interface ByteRange {
    start: number;
    end: number;
}

/**
 * Resolves `bytes=a-b`, `bytes=a-` and `bytes=-n` against an object's size. Returns undefined
 * when there is no usable Range (absent, malformed or several ranges: S3 then sends the whole
 * object) and throws InvalidRange (416) when the range cannot be satisfied.
 */
export function resolveRange(header: string | undefined, size: number): ByteRange | undefined {
    if (header === undefined) return undefined;
    const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
    if (!match || (match[1] === '' && match[2] === '')) return undefined;
    const [, first, last] = match;
    if (first === '') {
        const suffix = Number(last);
        if (suffix === 0 || size === 0) throw invalidRange(header, size);
        return { start: Math.max(0, size - suffix), end: size - 1 };
    }
    const start = Number(first);
    const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
    if (last !== '' && Number(last) < start) return undefined;
    if (start >= size) throw invalidRange(header, size);
    return { start, end };
}

export function invalidRange(requested: string, size: number): S3Error {
    return new S3Error('InvalidRange', undefined, {
        fields: { RangeRequested: requested, ActualObjectSize: size },
        headers: { 'content-range': `bytes */${size}` },
    });
}
