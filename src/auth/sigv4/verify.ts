/**
 * The part of SigV4 verification shared by header-signed and presigned requests: look up the
 * secret, rebuild the canonical request, compare signatures, and insist that every `x-amz-*`
 * header the request carries was signed.
 */
import type { IncomingHttpHeaders } from 'node:http';

import { S3Error } from '../../s3/errors.js';
import { buildCanonicalRequest, buildStringToSign } from './canonical-request.js';
import type { Credential } from './credential.js';
import { deriveSigningKey, hmac, signatureMatches } from './signing.js';
import type { AuthenticateOptions, PayloadMode, SignedRequest, VerifiedRequest } from './types.js';
import { parseQuery, type QueryParam, type RequestTarget } from './uri-encoding.js';

/** Everything parsed from one request that the signature check needs. */
export interface SignatureClaim {
    authType: VerifiedRequest['authType'];
    credential: Credential;
    signedHeaders: readonly string[];
    signature: string;
    amzDate: string;
    signedAt: Date;
    payloadHash: string;
    payload: PayloadMode;
    target: RequestTarget;
    excludeParam?: string;
    /** Headers that must be among the signed ones (the time source, when it is `date`). */
    mustSign: readonly string[];
}

const UNSIGNED_MESSAGE = 'There were headers present in the request which were not signed';

/** Verifies the claimed signature; throws the S3Error AWS would answer when it does not hold. */
export function verifyClaim(
    req: SignedRequest,
    claim: SignatureClaim,
    opts: AuthenticateOptions,
): VerifiedRequest {
    checkRequiredSigned(claim.signedHeaders, ['host', ...claim.mustSign]);
    const { credential } = claim;
    const secret = opts.lookupSecret(credential.accessKeyId);
    if (secret === undefined) {
        throw new S3Error('InvalidAccessKeyId', undefined, {
            fields: { AWSAccessKeyId: credential.accessKeyId },
        });
    }
    const { region, service, shortDate, scope } = credential;
    const signingKey = deriveSigningKey(secret, shortDate, region, service);
    const expected = checkSignature(req, claim, signingKey);
    checkAmzHeadersSigned(req.headers, claim.signedHeaders);
    return {
        accessKeyId: credential.accessKeyId,
        authType: claim.authType,
        signatureAgeMs: Math.max(0, opts.now.getTime() - claim.signedAt.getTime()),
        region,
        service,
        payload: claim.payload,
        chunkSigning: {
            signingKey,
            seedSignature: expected,
            amzDate: claim.amzDate,
            scope,
        },
    };
}

/**
 * Recomputes the signature and compares it; returns it (hex) when it matches. A query holding
 * `+` is tried a second time with `+` read as a space: S3 accepts signatures made either way.
 */
function checkSignature(req: SignedRequest, claim: SignatureClaim, signingKey: Buffer): string {
    const first = computeSignature(req, claim, signingKey, claim.target.params);
    if (signatureMatches(claim.signature, first.digest)) return first.digest.toString('hex');
    if (claim.target.query.includes('+')) {
        const params = parseQuery(claim.target.query, true);
        const second = computeSignature(req, claim, signingKey, params);
        if (signatureMatches(claim.signature, second.digest)) return second.digest.toString('hex');
    }
    // AWS returns these so a client can see where its canonicalisation differs; they are
    // derived from the request alone and hold no secret.
    throw new S3Error('SignatureDoesNotMatch', undefined, {
        fields: {
            AWSAccessKeyId: claim.credential.accessKeyId,
            StringToSign: first.stringToSign,
            CanonicalRequest: first.canonicalRequest,
        },
    });
}

function computeSignature(
    req: SignedRequest,
    claim: SignatureClaim,
    signingKey: Buffer,
    query: readonly QueryParam[],
) {
    const canonicalRequest = buildCanonicalRequest({
        method: req.method,
        rawPath: claim.target.path,
        query,
        excludeParam: claim.excludeParam,
        headers: req.headers,
        signedHeaders: claim.signedHeaders,
        payloadHash: claim.payloadHash,
    });
    const stringToSign = buildStringToSign(claim.amzDate, claim.credential.scope, canonicalRequest);
    return { canonicalRequest, stringToSign, digest: hmac(signingKey, stringToSign) };
}

function checkRequiredSigned(signedHeaders: readonly string[], required: readonly string[]) {
    const missing = required.filter((name) => !signedHeaders.includes(name));
    if (missing.length > 0) {
        throw new S3Error('AccessDenied', UNSIGNED_MESSAGE, {
            fields: { HeadersNotSigned: missing.join(', ') },
        });
    }
}

/**
 * S3 refuses `x-amz-*` headers that were sent but not signed: they change what a request does
 * (ACL, copy source, SSE), so a signature must cover them. `x-amz-content-sha256` is exempt
 * because its value is already the last line of the canonical request.
 */
function checkAmzHeadersSigned(headers: IncomingHttpHeaders, signedHeaders: readonly string[]) {
    const unsigned = Object.keys(headers).filter((name) => {
        return (
            name.startsWith('x-amz-') &&
            name !== 'x-amz-content-sha256' &&
            !signedHeaders.includes(name)
        );
    });
    if (unsigned.length > 0) {
        throw new S3Error('AccessDenied', UNSIGNED_MESSAGE, {
            fields: { HeadersNotSigned: unsigned.join(', ') },
        });
    }
}
