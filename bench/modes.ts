/**
 * Coffer's storage modes, one entry each. A mode is measured only when a probe shows the server
 * applies it; otherwise it is reported as "not available" with the reason (a 501, a refusal, or
 * a 2xx that does not confirm the encryption), never dropped silently. Adding a mode is adding
 * an entry here.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { BenchClient, Outcome } from './client.js';

export interface Mode {
    name: string;
    /** Headers for PUT (the encryption request). */
    putHeaders: Record<string, string>;
    /** Headers for GET and HEAD (SSE-C must send its key again). */
    readHeaders: Record<string, string>;
    /** Whether a PUT response shows the mode was applied. */
    confirms(headers: IncomingHttpHeaders): boolean;
    /** Whether the server must run AES-GCM over the data (for the primitive limits). */
    encrypted: boolean;
}

export interface ModeProbe {
    mode: Mode;
    available: boolean;
    reason: string;
    /**
     * Whether the failure is the server's fault rather than a missing feature: plaintext
     * failing at all, any mode failing with a 5xx or no answer, or a GET failing after its
     * PUT succeeded. The run counts these as errors.
     */
    broken: boolean;
}

function unconfirmed(mode: Mode, headers: IncomingHttpHeaders): string {
    const applied = headers['x-amz-server-side-encryption'];
    if (!mode.encrypted && applied)
        return `the server encrypts every object (it applied ${applied})`;
    return 'PUT accepted but the response does not confirm it';
}

/** A refused PUT means "not built" (501, or a 4xx for a mode), unless plaintext or a crash. */
function broke(mode: Mode, put: Outcome): boolean {
    return !mode.encrypted || put.status === 0 || (put.status >= 500 && put.status !== 501);
}

/** A fixed SSE-C key: the bench's own, never a secret worth protecting. */
const SSE_C_KEY = createHash('sha256').update('coffer-bench-sse-c-key').digest();
const SSE_C_HEADERS = {
    'x-amz-server-side-encryption-customer-algorithm': 'AES256',
    'x-amz-server-side-encryption-customer-key': SSE_C_KEY.toString('base64'),
    'x-amz-server-side-encryption-customer-key-md5': createHash('md5')
        .update(SSE_C_KEY)
        .digest('base64'),
};

function sseHeaderIs(value: string) {
    return (headers: IncomingHttpHeaders) => headers['x-amz-server-side-encryption'] === value;
}

export const MODES: readonly Mode[] = [
    {
        // No encryption headers; unavailable on a server that encrypts every object anyway
        // (as AWS has since 2023), whose answer then names the encryption it applied.
        name: 'plaintext',
        putHeaders: {},
        readHeaders: {},
        confirms: (h) => h['x-amz-server-side-encryption'] === undefined,
        encrypted: false,
    },
    {
        name: 'SSE-S3',
        putHeaders: { 'x-amz-server-side-encryption': 'AES256' },
        readHeaders: {},
        confirms: sseHeaderIs('AES256'),
        encrypted: true,
    },
    {
        name: 'SSE-KMS',
        putHeaders: { 'x-amz-server-side-encryption': 'aws:kms' },
        readHeaders: {},
        confirms: sseHeaderIs('aws:kms'),
        encrypted: true,
    },
    {
        name: 'SSE-C',
        putHeaders: SSE_C_HEADERS,
        readHeaders: SSE_C_HEADERS,
        confirms: (h) => h['x-amz-server-side-encryption-customer-algorithm'] === 'AES256',
        encrypted: true,
    },
];

/** PUTs, GETs and deletes one small object in the mode to see whether the server applies it. */
export async function probeMode(
    client: BenchClient,
    bucket: string,
    mode: Mode,
): Promise<ModeProbe> {
    const spec = { key: `probe-${mode.name}`, seed: 7, size: 4096 };
    const put = await client.putObject(bucket, spec, mode.putHeaders);
    if (!put.ok) {
        const reason = `PUT answered ${put.detail}`;
        return { mode, available: false, reason, broken: broke(mode, put) };
    }
    if (!mode.confirms(put.headers)) {
        await client.deleteObject(bucket, spec.key);
        return { mode, available: false, reason: unconfirmed(mode, put.headers), broken: false };
    }
    const get = await client.getObject(bucket, spec, mode.readHeaders);
    await client.deleteObject(bucket, spec.key);
    if (!get.ok) {
        return { mode, available: false, reason: `GET answered ${get.detail}`, broken: true };
    }
    return { mode, available: true, reason: 'applied', broken: false };
}
