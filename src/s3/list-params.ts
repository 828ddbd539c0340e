/**
 * Query parameters the listing operations share, parsed and refused the way AWS refuses them.
 * A parameter sent twice is read as its first value (`URLSearchParams.get`), as AWS reads it.
 */
import { S3Error } from './errors.js';
import type { S3Request } from './types.js';
import { listingEncoder } from './url-encoding.js';
import type { XmlElement } from './xml.js';

/** AWS serves at most this many entries per page, whatever max-keys asks for. */
export const MAX_PAGE = 1000;
const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;

/** The parameters every listing takes: prefix, delimiter, a page size and the encoding. */
export interface ListingParams {
    prefix: string;
    /** Undefined when absent or empty: an empty delimiter groups nothing. */
    delimiter?: string;
    /** The page size as parsed, echoed as MaxKeys/MaxUploads. */
    requested: number;
    /** The page size served: `requested` capped at 1000. */
    pageSize: number;
    /** `encoding-type` as sent (AWS echoes `URL` as `URL`), undefined when absent. */
    encodingType?: string;
    encode: (value: string) => string;
}

/**
 * Reads prefix, delimiter, the page-size parameter (`max-keys` or `max-uploads`) and
 * encoding-type, judged in AWS's order: the size's syntax, the encoding, then the size's range.
 * AWS names `max-keys` `maxKeys` in its range message, and `max-uploads` as sent.
 */
export function listingParams(
    req: S3Request,
    sizeParam: 'max-keys' | 'max-uploads',
): ListingParams {
    const parsed = int32Param(req, sizeParam);
    const encodingType = encodingTypeParam(req);
    const requested = nonNegative(parsed, sizeParam === 'max-keys' ? 'maxKeys' : sizeParam);
    return {
        prefix: req.query.get('prefix') ?? '',
        delimiter: req.query.get('delimiter') || undefined,
        requested,
        pageSize: Math.min(requested, MAX_PAGE),
        encodingType,
        encode: listingEncoder(encodingType === undefined ? null : 'url'),
    };
}

/**
 * An integer parameter as AWS reads it: decimal digits with an optional `-`, leading zeros
 * ignored, within int32. Absent or empty means the default page size.
 */
function int32Param(req: S3Request, name: string): number {
    const raw = req.query.get(name);
    if (raw === null || raw === '') return MAX_PAGE;
    const value = /^-?\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(value) || value > INT32_MAX || value < INT32_MIN) {
        throw new S3Error(
            'InvalidArgument',
            `Provided ${name} not an integer or within integer range`,
            { fields: { ArgumentName: name, ArgumentValue: raw } },
        );
    }
    // `-0` parses as negative zero; the echo must read `0`.
    return value + 0;
}

/** Negative sizes get AWS's second message, naming the value as parsed (`-01` as `-1`). */
function nonNegative(value: number, rangeName: string): number {
    if (value >= 0) return value;
    throw new S3Error(
        'InvalidArgument',
        `Argument ${rangeName} must be an integer between 0 and ${INT32_MAX}`,
        { fields: { ArgumentName: rangeName, ArgumentValue: String(value) } },
    );
}

/** `url` in any case, or absent; anything else (the empty value included) is refused. */
function encodingTypeParam(req: S3Request): string | undefined {
    const value = req.query.get('encoding-type');
    if (value === null) return undefined;
    if (value.toLowerCase() === 'url') return value;
    throw new S3Error('InvalidArgument', 'Invalid Encoding Method specified in Request', {
        fields: { ArgumentName: 'encoding-type', ArgumentValue: value },
    });
}

/** Refuses a parameter that belongs to the other ListObjects version, as AWS does. */
export function refuseParam(req: S3Request, name: string, message: string): void {
    if (!req.query.has(name)) return;
    throw new S3Error('InvalidArgument', message, { fields: { ArgumentName: name } });
}

/**
 * ListObjectsV2 continuation tokens: opaque to clients, here the base64url of a small JSON
 * document naming the last key or common prefix returned. Version 1 of the format.
 */
export function encodeContinuationToken(lastReturned: string): string {
    return Buffer.from(JSON.stringify({ v: 1, after: lastReturned }), 'utf8').toString('base64url');
}

/** The key or prefix a token continues after; InvalidArgument for anything we did not issue. */
export function decodeContinuationToken(token: string): string {
    const after = tryDecode(token);
    if (after === undefined) {
        throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect', {
            fields: { ArgumentName: 'continuation-token' },
        });
    }
    return after;
}

function tryDecode(token: string): string | undefined {
    // Node's base64url decoder skips characters outside the alphabet; insist on the exact form.
    if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
    const bytes = Buffer.from(token, 'base64url');
    if (bytes.toString('base64url') !== token) return undefined;
    try {
        // JSON.parse at a parse boundary: the shape is checked right below.
        const doc = JSON.parse(bytes.toString('utf8')) as { v?: unknown; after?: unknown };
        if (doc?.v !== 1 || typeof doc.after !== 'string' || doc.after === '') return undefined;
        return encodeContinuationToken(doc.after) === token ? doc.after : undefined;
    } catch {
        return undefined;
    }
}

/** `<CommonPrefixes><Prefix>p</Prefix></CommonPrefixes>`, one element per prefix. */
export function prefixElements(
    prefixes: string[],
    encode: (value: string) => string,
): XmlElement[] {
    return prefixes.map((prefix) => ({ Prefix: encode(prefix) }));
}
