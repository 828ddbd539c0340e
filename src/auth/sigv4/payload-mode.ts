/**
 * `x-amz-content-sha256`: either the hex SHA-256 of the body or one of the named modes that say
 * how the body is framed and signed.
 */
import { S3Error } from '../../s3/errors.js';
import type { PayloadMode } from './types.js';

/** The value a presigned URL signs when the client names no payload hash. */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

// Shared between requests, hence frozen.
const NAMED_MODES: ReadonlyMap<string, PayloadMode> = new Map<string, PayloadMode>([
    [UNSIGNED_PAYLOAD, Object.freeze({ kind: 'unsigned' })],
    [
        'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
        Object.freeze({ kind: 'streaming-signed', trailer: false }),
    ],
    [
        'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
        Object.freeze({ kind: 'streaming-signed', trailer: true }),
    ],
    ['STREAMING-UNSIGNED-PAYLOAD-TRAILER', Object.freeze({ kind: 'streaming-unsigned-trailer' })],
]);

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/** AWS's wording; it lists the SigV4a modes too, which Coffer does not accept. */
const INVALID_MESSAGE =
    'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, ' +
    'STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, ' +
    'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER ' +
    'or a valid sha256 value.';

/** Parses an `x-amz-content-sha256` value; anything unknown is a 400 InvalidArgument. */
export function parsePayloadMode(value: string): PayloadMode {
    const named = NAMED_MODES.get(value);
    if (named) return named;
    if (SHA256_HEX.test(value)) return { kind: 'signed', sha256Hex: value.toLowerCase() };
    throw new S3Error('InvalidArgument', INVALID_MESSAGE, {
        fields: { ArgumentName: 'x-amz-content-sha256', ArgumentValue: value },
    });
}
