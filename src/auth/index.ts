/**
 * Request authentication: SigV4 (Authorization header and presigned URLs) and the request body
 * checks a signature implies (payload hash, aws-chunked signatures, trailers).
 */
export { authenticate } from './sigv4/authenticate.js';
export { openPayload, type OpenedPayload } from './payload.js';
export { DEFAULT_MAX_SKEW_MS, MAX_PRESIGNED_EXPIRES_S } from './sigv4/time.js';
export type {
    AuthenticateOptions,
    ChunkSigning,
    PayloadMode,
    SecretLookup,
    SignedRequest,
    VerifiedRequest,
} from './sigv4/types.js';
