/**
 * Shapes shared by SigV4 verification and the payload decoders. The server builds a
 * `SignedRequest` from node's request, calls `authenticate`, and hands the `VerifiedRequest`
 * to `openPayload` so the body is checked against what the signature promised.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** What `x-amz-content-sha256` (or its presigned default) says about the body. */
export type PayloadMode =
    /** The header is the hex SHA-256 of the whole body. */
    | { kind: 'signed'; sha256Hex: string }
    /** `UNSIGNED-PAYLOAD`, also the default for presigned URLs. */
    | { kind: 'unsigned' }
    /** `STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`: aws-chunked, every chunk signed. */
    | { kind: 'streaming-signed'; trailer: boolean }
    /** `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: aws-chunked without chunk signatures. */
    | { kind: 'streaming-unsigned-trailer' };

/** The parts of an HTTP request that a SigV4 signature covers. */
export interface SignedRequest {
    method: string;
    /** `req.url` exactly as received: path and query, still percent-encoded. */
    rawUrl: string;
    headers: IncomingHttpHeaders;
}

/** Key material the chunk-signature chain needs; never logged. */
export interface ChunkSigning {
    signingKey: Buffer;
    /** The request's own signature (lowercase hex): the chain's first "previous signature". */
    seedSignature: string;
    /** The request timestamp, ISO 8601 basic (`20130524T000000Z`). */
    amzDate: string;
    /** `YYYYMMDD/region/service/aws4_request`. */
    scope: string;
}

/** A request whose signature checked out. */
export interface VerifiedRequest {
    accessKeyId: string;
    /** Values of the `s3:authType` condition key. */
    authType: 'REST-HEADER' | 'REST-QUERY-STRING';
    /** `now - X-Amz-Date` in milliseconds, never negative (for `s3:signatureAge`). */
    signatureAgeMs: number;
    region: string;
    service: string;
    payload: PayloadMode;
    /** What chunk-signature verification needs; never logged. */
    chunkSigning: ChunkSigning;
}

/** Returns the secret access key for an access key id, or undefined when there is none. */
export type SecretLookup = (accessKeyId: string) => string | undefined;

/** Options for `authenticate`. */
export interface AuthenticateOptions {
    lookupSecret: SecretLookup;
    now: Date;
    /** The region this server answers for; a scope naming another region is refused. */
    region: string;
    /** The signing service name, `s3` for the S3 API. */
    service: string;
    /** Allowed clock difference for header-signed requests; AWS uses 15 minutes. */
    maxSkewMs?: number;
    /**
     * The hex SHA-256 of a body the caller already read. Services other than S3 (KMS, IAM) do
     * not send `x-amz-content-sha256`: their signature covers the body's hash directly.
     */
    bodySha256?: string;
}
