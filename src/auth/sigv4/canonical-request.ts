/**
 * The canonical request and string to sign (AWS SigV4):
 *
 *   <method>\n<canonical URI>\n<canonical query>\n<canonical headers>\n\n<signed headers>\n<hash>
 *
 * Canonical headers are `name:value` for each signed header, in the order the client listed
 * them in SignedHeaders (the client built its own canonical request from that very list), with
 * values trimmed and inner whitespace runs collapsed to one space.
 */
import type { IncomingHttpHeaders } from 'node:http';

import { ALGORITHM, sha256Hex } from './signing.js';
import { canonicalPath, canonicalQuery, type QueryParam } from './uri-encoding.js';

/**
 * A header's value as one string. Node already joins most repeated headers with `, `; the rare
 * array-valued ones are joined with `,` as SigV4 prescribes.
 */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
    const value = headers[name];
    if (value === undefined) return undefined;
    return Array.isArray(value) ? value.join(',') : value;
}

function canonicalValue(value: string): string {
    return value.trim().replace(/\s+/g, ' ');
}

/** Inputs of a canonical request; `signedHeaders` are lower-case names. */
export interface CanonicalRequestInput {
    method: string;
    rawPath: string;
    query: readonly QueryParam[];
    /** A query parameter left out of the canonical query (`X-Amz-Signature` when presigned). */
    excludeParam?: string;
    headers: IncomingHttpHeaders;
    signedHeaders: readonly string[];
    payloadHash: string;
}

export function buildCanonicalRequest(input: CanonicalRequestInput): string {
    const headerLines = input.signedHeaders.map((name) => {
        // A signed header the request lacks is signed with an empty value, as AWS does.
        return `${name}:${canonicalValue(headerValue(input.headers, name) ?? '')}\n`;
    });
    return [
        input.method,
        canonicalPath(input.rawPath),
        canonicalQuery(input.query, input.excludeParam),
        headerLines.join(''),
        input.signedHeaders.join(';'),
        input.payloadHash,
    ].join('\n');
}

export function buildStringToSign(
    amzDate: string,
    scope: string,
    canonicalRequest: string,
): string {
    return `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
}
