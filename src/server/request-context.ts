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
    return randomIdBytes(8).toString('hex').toUpperCase();
}

export function newHostId(): string {
    return randomIdBytes(32).toString('base64');
}

/**
 * Ids are cut from a pool of random bytes: a CSPRNG call costs about as much for 4 KiB as for
 * 8 bytes, and two per request showed in small-object profiles (2-3% of the server's time).
 */
const ID_POOL_SIZE = 4096;
let idPool = Buffer.alloc(0);
let idPoolOffset = 0;

function randomIdBytes(size: number): Buffer {
    if (idPoolOffset + size > idPool.length) {
        idPool = randomBytes(ID_POOL_SIZE);
        idPoolOffset = 0;
    }
    idPoolOffset += size;
    return idPool.subarray(idPoolOffset - size, idPoolOffset);
}
