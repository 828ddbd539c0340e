/**
 * Presigned URLs (query-string authentication): reading and checking the `X-Amz-*` parameters.
 */
import { S3Error } from '../../s3/errors.js';
import { malformed, QUERY_STYLE } from './credential.js';
import { ALGORITHM } from './signing.js';
import { MAX_PRESIGNED_EXPIRES_S, parseAmzDate } from './time.js';
import type { QueryParam } from './uri-encoding.js';

/** Query parameters whose presence means the request is presigned with SigV4. */
export const PRESIGN_MARKERS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature'];
/** SigV2 query authentication, refused. */
export const SIGV2_MARKERS = ['AWSAccessKeyId', 'Signature'];
export const SIGNATURE_PARAM = 'X-Amz-Signature';

/** The checked presign parameters. */
export interface PresignParams {
    credential: string;
    amzDate: string;
    signedAt: Date;
    expiresSeconds: number;
    signedHeaders: string;
    signature: string;
    /** `X-Amz-Content-Sha256`, present when the signer hoisted that header into the query. */
    contentSha256?: string;
}

const REQUIRED = [
    'X-Amz-Algorithm',
    'X-Amz-Credential',
    'X-Amz-Signature',
    'X-Amz-Date',
    'X-Amz-SignedHeaders',
    'X-Amz-Expires',
] as const;

const MISSING_MESSAGE =
    'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, ' +
    'X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.';

/** Reads the presign parameters; each must appear exactly once. */
export function readPresignParams(params: readonly QueryParam[]): PresignParams {
    const values = new Map<string, string>();
    for (const param of params) {
        const name = presignParamName(param.name);
        if (name === undefined) continue;
        if (values.has(name)) throw malformed(QUERY_STYLE, `${name} appears more than once.`);
        values.set(name, param.value);
    }
    if (!REQUIRED.every((name) => values.has(name))) throw malformed(QUERY_STYLE, MISSING_MESSAGE);
    const get = (name: string) => values.get(name) as string;
    if (get('X-Amz-Algorithm') !== ALGORITHM) {
        throw malformed(QUERY_STYLE, `X-Amz-Algorithm only supports "${ALGORITHM}"`);
    }
    const amzDate = get('X-Amz-Date');
    const signedAt = parseAmzDate(amzDate);
    if (!signedAt) {
        throw malformed(
            QUERY_STYLE,
            "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
        );
    }
    return {
        credential: get('X-Amz-Credential'),
        amzDate,
        signedAt,
        expiresSeconds: parseExpires(get('X-Amz-Expires')),
        signedHeaders: get('X-Amz-SignedHeaders'),
        signature: get('X-Amz-Signature'),
        contentSha256: values.get(CONTENT_SHA256_PARAM),
    };
}

const CONTENT_SHA256_PARAM = 'X-Amz-Content-Sha256';
const REQUIRED_NAMES: ReadonlySet<string> = new Set(REQUIRED);

/**
 * The presign parameter a query name stands for. The hoisted content hash is matched without
 * regard to case because signers hoist it under the header's own spelling.
 */
function presignParamName(name: string): string | undefined {
    if (REQUIRED_NAMES.has(name)) return name;
    return name.toLowerCase() === 'x-amz-content-sha256' ? CONTENT_SHA256_PARAM : undefined;
}

function parseExpires(text: string): number {
    if (/^-\d+$/.test(text)) throw malformed(QUERY_STYLE, 'X-Amz-Expires must be non-negative');
    if (!/^\d{1,15}$/.test(text)) throw malformed(QUERY_STYLE, 'X-Amz-Expires should be a number');
    const seconds = Number(text);
    if (seconds > MAX_PRESIGNED_EXPIRES_S) {
        throw malformed(
            QUERY_STYLE,
            'X-Amz-Expires must be less than a week (in seconds) that is ' +
                MAX_PRESIGNED_EXPIRES_S,
        );
    }
    return seconds;
}

/** True when any parameter in `names` is present. */
export function hasAnyParam(params: readonly QueryParam[], names: readonly string[]): boolean {
    return params.some((p) => names.includes(p.name));
}

/** AWS refuses a request that is both header-signed and presigned. */
export function bothAuthMechanisms(): S3Error {
    return new S3Error(
        'InvalidArgument',
        'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature ' +
            'query string parameter or the Authorization header should be specified',
        { fields: { ArgumentName: 'Authorization' } },
    );
}
