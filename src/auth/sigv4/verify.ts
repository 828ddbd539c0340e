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
import type { QueryParam } from './uri-encoding.js';

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
    rawPath: string;
    query: readonly QueryParam[];
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
    const signingKey = deriveSigningKey(
        secret,
        credential.shortDate,
        credential.region,
        credential.service,
    );
    const canonicalRequest = buildCanonicalRequest({
        method: req.method,
        rawPath: claim.rawPath,
        query: claim.query,
        excludeParam: claim.excludeParam,
        headers: req.headers,
        signedHeaders: claim.signedHeaders,
        payloadHash: claim.payloadHash,
    });
    const stringToSign = buildStringToSign(claim.amzDate, credential.scope, canonicalRequest);
    const expected = hmac(signingKey, stringToSign);
    if (!signatureMatches(claim.signature, expected)) {
        // AWS returns these so a client can see where its canonicalisation differs; they are
        // derived from the request alone and hold no secret.
        throw new S3Error('SignatureDoesNotMatch', undefined, {
            fields: {
                AWSAccessKeyId: credential.accessKeyId,
                StringToSign: stringToSign,
                CanonicalRequest: canonicalRequest,
            },
        });
    }
    checkAmzHeadersSigned(req.headers, claim.signedHeaders);
    return {
        accessKeyId: credential.accessKeyId,
        authType: claim.authType,
        signatureAgeMs: Math.max(0, opts.now.getTime() - claim.signedAt.getTime()),
        region: credential.region,
        service: credential.service,
        payload: claim.payload,
        chunkSigning: {
            signingKey,
            seedSignature: expected.toString('hex'),
            amzDate: claim.amzDate,
            scope: credential.scope,
        },
    };
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
