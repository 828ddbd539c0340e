/**
 * The per-request context: who is asking, over what transport, from where, and what the access
 * log will say about it. Created by the listener, filled in as the request moves through
 * authentication, routing and the operation; never a bag of casts.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { VerifiedRequest } from '../auth/index.js';
import type { Principal } from '../identity/principal.js';

export interface RequestContext {
    /** AWS-shaped: 16 upper-case hex characters. */
    readonly requestId: string;
    /** AWS's x-amz-id-2: an opaque base64 token naming the host that served the request. */
    readonly hostId: string;
    readonly startedAt: bigint;
    /** True when the request arrived over TLS (or through a trusted proxy that says so). */
    readonly secureTransport: boolean;
    readonly sourceIp: string;
    readonly log: Logger;
    principal: Principal;
    auth: VerifiedRequest | null;
    operation?: string;
    bucket?: string;
    key?: string;
    bytesIn: number;
    bytesOut: number;
    errorCode?: string;
}

export function newRequestId(): string {
    return randomBytes(8).toString('hex').toUpperCase();
}

export function newHostId(): string {
    return randomBytes(32).toString('base64');
}
