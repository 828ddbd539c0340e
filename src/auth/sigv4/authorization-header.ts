/**
 * Header-signed requests: parsing
 * `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`
 * and finding the request timestamp (`x-amz-date`, else `Date`).
 */
import type { IncomingHttpHeaders } from 'node:http';

import { S3Error } from '../../s3/errors.js';
import { headerValue } from './canonical-request.js';
import { HEADER_STYLE, malformed } from './credential.js';
import { ALGORITHM } from './signing.js';
import { formatAmzDate, parseAmzDate, parseHttpDate } from './time.js';

/** The three components of a SigV4 Authorization header, still unparsed. */
export interface AuthorizationComponents {
    credential: string;
    signedHeaders: string;
    signature: string;
}

/** AWS's answer to SigV2 (`AWS AKID:signature`, `AWSAccessKeyId=` query). */
export function sigV2Unsupported(): S3Error {
    return new S3Error(
        'InvalidRequest',
        'The authorization mechanism you have provided is not supported. ' +
            'Please use AWS4-HMAC-SHA256.',
    );
}

const COMPONENT_NAMES: Record<string, keyof AuthorizationComponents> = {
    Credential: 'credential',
    SignedHeaders: 'signedHeaders',
    Signature: 'signature',
};

/** Splits an Authorization header into its components, refusing other schemes. */
export function parseAuthorizationHeader(value: string): AuthorizationComponents {
    const scheme = /^\S+/.exec(value)?.[0] ?? '';
    if (scheme === 'AWS') throw sigV2Unsupported();
    if (scheme !== ALGORITHM) {
        // The header may carry someone's bearer token: it is not echoed back.
        throw new S3Error('InvalidArgument', 'Unsupported Authorization Type', {
            fields: { ArgumentName: 'Authorization' },
        });
    }
    const found: Partial<AuthorizationComponents> = {};
    for (const part of value.slice(scheme.length).split(',')) {
        const eq = part.indexOf('=');
        const field = COMPONENT_NAMES[part.slice(0, Math.max(eq, 0)).trim()];
        if (field === undefined || found[field] !== undefined) throw missingComponents();
        found[field] = part.slice(eq + 1).trim();
    }
    const { credential, signedHeaders, signature } = found;
    if (credential === undefined || signedHeaders === undefined || signature === undefined) {
        throw missingComponents();
    }
    return { credential, signedHeaders, signature };
}

function missingComponents(): S3Error {
    return malformed(
        HEADER_STYLE,
        'the authorization header requires three components: ' +
            'Credential, SignedHeaders, and Signature.',
    );
}

/** The timestamp a header-signed request was signed with. */
export interface RequestTime {
    /** As it goes into the string to sign: ISO 8601 basic. */
    amzDate: string;
    time: Date;
    /** The header the time came from, and its raw value (for RequestTimeTooSkewed). */
    header: 'x-amz-date' | 'date';
    raw: string;
}

/** `x-amz-date` wins over `Date`; one of them must hold a valid time. */
export function headerRequestTime(headers: IncomingHttpHeaders): RequestTime {
    const amz = headerValue(headers, 'x-amz-date');
    if (amz !== undefined) {
        const time = parseAmzDate(amz.trim());
        if (time) return { amzDate: amz.trim(), time, header: 'x-amz-date', raw: amz };
    } else {
        const http = headerValue(headers, 'date');
        const time = http === undefined ? undefined : parseHttpDate(http.trim());
        if (http !== undefined && time) {
            return { amzDate: formatAmzDate(time), time, header: 'date', raw: http };
        }
    }
    throw new S3Error(
        'AccessDenied',
        'AWS authentication requires a valid Date or x-amz-date header',
    );
}
