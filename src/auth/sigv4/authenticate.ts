/**
 * SigV4 request authentication, the entry point the server calls for every request.
 *
 * Recipe:
 *   1. Decide the mechanism: `Authorization` header, presigned query, both (refused), SigV2
 *      (refused), or none (anonymous, `null`).
 *   2. Parse the signing parameters and the credential scope; the scope must name this
 *      server's region and service and the day of the request timestamp.
 *   3. Check freshness: 15 minutes of clock skew for headers, the X-Amz-Expires window for
 *      presigned URLs.
 *   4. Read the payload mode from `x-amz-content-sha256` (presigned: `UNSIGNED-PAYLOAD` unless
 *      named), then look up the secret and compare signatures in constant time (verify.ts).
 */
import { S3Error } from '../../s3/errors.js';
import {
    headerRequestTime,
    parseAuthorizationHeader,
    sigV2Unsupported,
} from './authorization-header.js';
import { headerValue } from './canonical-request.js';
import {
    checkCredentialDate,
    HEADER_STYLE,
    parseCredential,
    parseSignedHeaders,
    QUERY_STYLE,
} from './credential.js';
import { parsePayloadMode, UNSIGNED_PAYLOAD } from './payload-mode.js';
import {
    bothAuthMechanisms,
    hasAnyParam,
    PRESIGN_MARKERS,
    readPresignParams,
    SIGNATURE_PARAM,
    SIGV2_MARKERS,
} from './presigned.js';
import { checkPresignedWindow, checkSkew, DEFAULT_MAX_SKEW_MS } from './time.js';
import type { AuthenticateOptions, SignedRequest, VerifiedRequest } from './types.js';
import { parseTarget, type RequestTarget } from './uri-encoding.js';
import { verifyClaim } from './verify.js';

/**
 * Verifies a request's SigV4 signature. Returns `null` for a request that carries no
 * credentials at all (anonymous); throws an `S3Error` for every other failure.
 */
export function authenticate(
    req: SignedRequest,
    opts: AuthenticateOptions,
): VerifiedRequest | null {
    const target = parseTarget(req.rawUrl);
    const authorization = headerValue(req.headers, 'authorization')?.trim() || undefined;
    const presigned = hasAnyParam(target.params, PRESIGN_MARKERS);
    const sigV2Query = hasAnyParam(target.params, SIGV2_MARKERS);
    if (authorization !== undefined) {
        if (presigned || sigV2Query) throw bothAuthMechanisms();
        return verifyHeaderSigned(req, authorization, target, opts);
    }
    if (presigned) return verifyPresigned(req, target, opts);
    if (sigV2Query) throw sigV2Unsupported();
    return null;
}

function verifyHeaderSigned(
    req: SignedRequest,
    authorization: string,
    target: RequestTarget,
    opts: AuthenticateOptions,
): VerifiedRequest {
    const parts = parseAuthorizationHeader(authorization);
    const credential = parseCredential(parts.credential, HEADER_STYLE, opts);
    const signedHeaders = parseSignedHeaders(parts.signedHeaders, HEADER_STYLE);
    const payloadHash =
        headerValue(req.headers, 'x-amz-content-sha256')?.trim() ?? opts.bodySha256;
    if (payloadHash === undefined) {
        throw new S3Error(
            'InvalidRequest',
            'Missing required header for this request: x-amz-content-sha256',
        );
    }
    const payload = parsePayloadMode(payloadHash);
    const time = headerRequestTime(req.headers);
    checkCredentialDate(credential, time.amzDate, HEADER_STYLE);
    checkSkew(time.time, time.raw, opts.now, opts.maxSkewMs ?? DEFAULT_MAX_SKEW_MS);
    return verifyClaim(
        req,
        {
            authType: 'REST-HEADER',
            credential,
            signedHeaders,
            signature: parts.signature,
            amzDate: time.amzDate,
            signedAt: time.time,
            payloadHash,
            payload,
            target,
            mustSign: time.header === 'date' ? ['date'] : [],
        },
        opts,
    );
}

function verifyPresigned(
    req: SignedRequest,
    target: RequestTarget,
    opts: AuthenticateOptions,
): VerifiedRequest {
    const presign = readPresignParams(target.params);
    const credential = parseCredential(presign.credential, QUERY_STYLE, opts);
    const signedHeaders = parseSignedHeaders(presign.signedHeaders, QUERY_STYLE);
    checkCredentialDate(credential, presign.amzDate, QUERY_STYLE);
    const maxSkewMs = opts.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
    checkPresignedWindow(presign.signedAt, presign.expiresSeconds, opts.now, maxSkewMs);
    const payloadHash =
        headerValue(req.headers, 'x-amz-content-sha256')?.trim() ??
        presign.contentSha256 ??
        UNSIGNED_PAYLOAD;
    return verifyClaim(
        req,
        {
            authType: 'REST-QUERY-STRING',
            credential,
            signedHeaders,
            signature: presign.signature,
            amzDate: presign.amzDate,
            signedAt: presign.signedAt,
            payloadHash,
            payload: parsePayloadMode(payloadHash),
            target,
            excludeParam: SIGNATURE_PARAM,
            mustSign: [],
        },
        opts,
    );
}
