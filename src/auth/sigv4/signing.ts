/**
 * SigV4 primitives: the signing-key derivation, HMAC, SHA-256 and the constant-time signature
 * comparison. Recipe (AWS SigV4):
 *   1. kDate    = HMAC("AWS4" + secret, YYYYMMDD)
 *   2. kRegion  = HMAC(kDate, region)
 *   3. kService = HMAC(kRegion, service)
 *   4. kSigning = HMAC(kService, "aws4_request")
 *   5. signature = hex(HMAC(kSigning, stringToSign))
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The SigV4 algorithm name, frozen by the protocol. */
export const ALGORITHM = 'AWS4-HMAC-SHA256';
/** Last element of every credential scope, frozen by the protocol. */
export const SCOPE_TERMINATOR = 'aws4_request';
/** SHA-256 of the empty string, hex. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const SIGNATURE_HEX = /^[0-9a-fA-F]{64}$/;

export function sha256Hex(data: string | Uint8Array): string {
    return createHash('sha256').update(data).digest('hex');
}

export function hmac(key: Uint8Array | string, data: string): Buffer {
    return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** Derives the per-day, per-region, per-service signing key from a secret access key. */
export function deriveSigningKey(
    secret: string,
    shortDate: string,
    region: string,
    service: string,
): Buffer {
    const dateKey = hmac('AWS4' + secret, shortDate);
    const regionKey = hmac(dateKey, region);
    const serviceKey = hmac(regionKey, service);
    return hmac(serviceKey, SCOPE_TERMINATOR);
}

/** `YYYYMMDD/region/service/aws4_request`. */
export function credentialScope(shortDate: string, region: string, service: string): string {
    return `${shortDate}/${region}/${service}/${SCOPE_TERMINATOR}`;
}

/**
 * Compares a client-supplied hex signature with the expected digest in constant time. A value
 * that is not 64 hex digits never matches and is never compared as a string.
 */
export function signatureMatches(provided: string, expected: Buffer): boolean {
    if (!SIGNATURE_HEX.test(provided)) return false;
    const providedBytes = Buffer.from(provided, 'hex');
    if (providedBytes.length !== expected.length) return false;
    return timingSafeEqual(providedBytes, expected);
}
