/**
 * Request timestamps: SigV4's ISO 8601 basic form (`20130524T000000Z`), the HTTP `Date` header
 * it may fall back on, and the freshness rules (clock skew for header-signed requests, expiry
 * for presigned URLs).
 */
import { S3Error } from '../../s3/errors.js';

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** AWS's limit on clock difference for header-signed requests. */
export const DEFAULT_MAX_SKEW_MS = 15 * 60 * 1000;
/** Longest validity of a presigned URL: seven days, in seconds. */
export const MAX_PRESIGNED_EXPIRES_S = 604800;

/** Parses `YYYYMMDDTHHMMSSZ`; impossible dates (month 13, 31 April) are refused. */
export function parseAmzDate(text: string): Date | undefined {
    const m = AMZ_DATE.exec(text);
    if (!m) return undefined;
    const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
        number,
        number,
        number,
        number,
        number,
        number,
    ];
    const ms = Date.UTC(year, month - 1, day, hour, minute, second);
    const date = new Date(ms);
    // Date.UTC rolls over out-of-range fields; a round trip catches them.
    return formatAmzDate(date) === text ? date : undefined;
}

/** Formats a time as `YYYYMMDDTHHMMSSZ`. */
export function formatAmzDate(date: Date): string {
    return date
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d{3}Z$/, 'Z');
}

// IMF-fixdate, `Fri, 24 May 2013 00:00:00 GMT`: Date.parse alone would also take zone-less
// forms and read them in the server's local time.
const IMF_FIXDATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** Parses an HTTP `Date` header in IMF-fixdate form. */
export function parseHttpDate(text: string): Date | undefined {
    if (!IMF_FIXDATE.test(text)) return undefined;
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** Header-signed requests must be within `maxSkewMs` of the server clock, either way. */
export function checkSkew(requestTime: Date, rawValue: string, now: Date, maxSkewMs: number) {
    if (Math.abs(now.getTime() - requestTime.getTime()) <= maxSkewMs) return;
    throw new S3Error('RequestTimeTooSkewed', undefined, {
        fields: {
            RequestTime: rawValue,
            ServerTime: now.toISOString(),
            MaxAllowedSkewMilliseconds: maxSkewMs,
        },
    });
}

/** A presigned URL is valid from its X-Amz-Date (give or take the skew) until it expires. */
export function checkPresignedWindow(
    signedAt: Date,
    expiresSeconds: number,
    now: Date,
    maxSkewMs: number,
) {
    if (signedAt.getTime() - now.getTime() > maxSkewMs) {
        throw new S3Error('AccessDenied', 'Request is not valid yet');
    }
    const expiresAt = new Date(signedAt.getTime() + expiresSeconds * 1000);
    if (now.getTime() > expiresAt.getTime()) {
        throw new S3Error('AccessDenied', 'Request has expired', {
            fields: {
                'X-Amz-Expires': expiresSeconds,
                Expires: expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
                ServerTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
            },
        });
    }
}
