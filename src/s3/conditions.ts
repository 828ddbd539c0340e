/**
 * Conditional requests, evaluated as S3 does (RFC 7232 precedence): If-Match beats
 * If-Unmodified-Since, If-None-Match beats If-Modified-Since.
 */
import type { ObjectRecord } from '../store/types.js';
import { etagMatches, httpDate, quoteEtag } from './common.js';
import { S3Error } from './errors.js';

export interface Preconditions {
    ifMatch?: string;
    ifNoneMatch?: string;
    ifModifiedSince?: string;
    ifUnmodifiedSince?: string;
}

/** The outcome for a read: proceed, 304 Not Modified, or 412 Precondition Failed. */
export function evaluatePreconditions(
    conditions: Preconditions,
    record: ObjectRecord,
): 'proceed' | 'not-modified' | 'failed' {
    const modifiedSeconds = Math.floor(record.lastModified / 1000);
    const ifMatch = conditions.ifMatch;
    if (ifMatch !== undefined && !etagMatches(ifMatch, record.etag)) return 'failed';
    if (ifMatch === undefined && conditions.ifUnmodifiedSince !== undefined) {
        const since = parseHttpDate(conditions.ifUnmodifiedSince);
        if (since !== undefined && modifiedSeconds > since) return 'failed';
    }
    const ifNoneMatch = conditions.ifNoneMatch;
    if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, record.etag)) return 'not-modified';
    if (ifNoneMatch === undefined && conditions.ifModifiedSince !== undefined) {
        const since = parseHttpDate(conditions.ifModifiedSince);
        if (since !== undefined && modifiedSeconds <= since) return 'not-modified';
    }
    return 'proceed';
}

/** Throws what GET/HEAD answer when a precondition does not hold. */
export function enforceReadPreconditions(conditions: Preconditions, record: ObjectRecord): void {
    const outcome = evaluatePreconditions(conditions, record);
    if (outcome === 'failed') {
        throw new S3Error('PreconditionFailed', undefined, {
            fields: { Condition: conditions.ifMatch ? 'If-Match' : 'If-Unmodified-Since' },
        });
    }
    if (outcome === 'not-modified') {
        // A 304 stands in for the 200 a cache already holds: it must name the validators.
        const validators = {
            etag: quoteEtag(record.etag),
            'last-modified': httpDate(record.lastModified),
        };
        throw new S3Error('NotModified', undefined, { headers: validators });
    }
}

/** CopyObject's x-amz-copy-source-if-* conditions: any failure is 412. */
export function enforceCopySourcePreconditions(conditions: Preconditions, source: ObjectRecord) {
    if (evaluatePreconditions(conditions, source) !== 'proceed') {
        throw new S3Error('PreconditionFailed', undefined, {
            fields: { Condition: 'x-amz-copy-source-If-*' },
        });
    }
}

/** Seconds since the epoch, or undefined for an unparseable date (which S3 ignores). */
function parseHttpDate(value: string): number | undefined {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}
