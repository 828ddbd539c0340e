/** Small pieces every operation family shares: bucket lookup, owners, dates, ETags. */
import { canonicalUserId, displayName } from '../identity/principal.js';
import type { BucketRecord } from '../store/types.js';
import { S3Error } from './errors.js';
import type { S3Request } from './types.js';
import type { XmlElement } from './xml.js';

/** The request's bucket, or NoSuchBucket. */
export async function requireBucket(req: S3Request): Promise<BucketRecord> {
    const name = req.bucket!;
    const bucket = await req.services.metadata.getBucket(name);
    if (!bucket) throw new S3Error('NoSuchBucket', undefined, { fields: { BucketName: name } });
    return bucket;
}

/** The `<Owner>` element AWS shows for an account. */
export function ownerElement(accountId: string): XmlElement {
    return { ID: canonicalUserId(accountId), DisplayName: displayName(accountId) };
}

/** ISO 8601 with milliseconds, as in listing XML: 2026-01-02T03:04:05.000Z. */
export function isoDate(ms: number): string {
    return new Date(ms).toISOString();
}

/** RFC 7231 date, as in Last-Modified: Fri, 02 Jan 2026 03:04:05 GMT. */
export function httpDate(ms: number): string {
    return new Date(ms).toUTCString();
}

export function quoteEtag(etag: string): string {
    return `"${etag}"`;
}

/** Compares an ETag a client sent (quoted or not, or `*`) with a stored one. */
export function etagMatches(sent: string, stored: string): boolean {
    return sent
        .split(',')
        .map((candidate) => candidate.trim().replace(/^W\//, '').replace(/^"|"$/g, ''))
        .some((candidate) => candidate === '*' || candidate === stored);
}

/** Parses an integer query parameter within bounds, or throws InvalidArgument. */
export function intParam(
    req: S3Request,
    name: string,
    fallback: number,
    min: number,
    max: number,
): number {
    const raw = req.query.get(name);
    if (raw === null || raw === '') return fallback;
    if (!/^-?\d+$/.test(raw)) {
        throw new S3Error('InvalidArgument', `Provided ${name} not an integer or within ` +
            'integer range', { fields: { ArgumentName: name, ArgumentValue: raw } });
    }
    const value = Number(raw);
    if (value < min) {
        throw new S3Error('InvalidArgument', `Argument ${name} must be an integer between ` +
            `${min} and ${max}`, { fields: { ArgumentName: name, ArgumentValue: raw } });
    }
    return Math.min(value, max);
}
