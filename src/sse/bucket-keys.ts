/**
 * S3 Bucket Keys for SSE-KMS
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html).
 *
 * 1. A bucket key is a 256-bit key the KMS generates under the SSE-KMS key, with the encryption
 *    context `{"aws:s3:arn": "arn:aws:s3:::<bucket>"}`. Its KMS ciphertext blob is stored as the
 *    bucket config `bucket-key:<key ARN>`; one per bucket and KMS key, made on first use.
 * 2. Objects' data keys are wrapped locally under it (`wrapKey`, AAD
 *    `wrapAad('sse-kms-bucket-key', bucket, key)`), so most writes and reads make no KMS call.
 * 3. Its plaintext is cached in memory for 5 minutes, at most 256 entries. Key state is still
 *    enforced on every use by the callers (`keyForUse`): a metadata lookup, no crypto.
 *
 * The cache belongs to one server: it is kept per `ServerServices` object (a WeakMap, so it
 * goes with the services and is never shared between two servers in one process).
 */
import { IntegrityError } from '../crypto/index.js';
import type { EncryptionContext } from '../kms/types.js';
import type { ServerServices } from '../server/services.js';

const TTL_MS = 5 * 60_000;
const MAX_ENTRIES = 256;

interface CachedKey {
    /** The stored value the key was opened from: a changed document is never served stale. */
    stored: string;
    key: Buffer;
    expiresAt: number;
}

interface BucketKeyState {
    cache: Map<string, CachedKey>;
    /** Creations in flight, so two first writes do not each store a different bucket key. */
    creating: Map<string, Promise<Buffer>>;
}

const states = new WeakMap<ServerServices, BucketKeyState>();

function stateOf(services: ServerServices): BucketKeyState {
    let state = states.get(services);
    if (!state) {
        state = { cache: new Map(), creating: new Map() };
        states.set(services, state);
    }
    return state;
}

/** The encryption context every bucket key is bound to. */
export function bucketKeyContext(bucket: string): EncryptionContext {
    return { 'aws:s3:arn': `arn:aws:s3:::${bucket}` };
}

function configName(keyArn: string): string {
    return `bucket-key:${keyArn}`;
}

/**
 * The bucket key of `bucket` under the KMS key `keyArn`. With `create`, one is made when the
 * bucket has none yet; without (a read), a missing one means damaged metadata. KmsErrors pass
 * through for the caller to map.
 */
export async function bucketKeyFor(
    services: ServerServices,
    bucket: string,
    keyArn: string,
    caller: string,
    create: boolean,
): Promise<Buffer> {
    const state = stateOf(services);
    const id = `${bucket}\0${keyArn}`;
    const stored = await services.metadata.getBucketConfig(bucket, configName(keyArn));
    if (stored === undefined) {
        if (!create) throw new IntegrityError(`bucket key for ${keyArn} is missing`);
        return createOnce(state, id, () => createBucketKey(services, bucket, keyArn, caller));
    }
    const now = Date.now();
    const cached = state.cache.get(id);
    if (cached && cached.stored === stored && cached.expiresAt > now) return cached.key;
    const blob = Buffer.from((JSON.parse(stored) as StoredBucketKey).ciphertextBlob, 'base64');
    const { plaintext } = await services.kms.decryptFor(blob, bucketKeyContext(bucket), caller);
    remember(state, id, stored, plaintext);
    return plaintext;
}

interface StoredBucketKey {
    ciphertextBlob: string;
    createdAt: number;
}

async function createBucketKey(
    services: ServerServices,
    bucket: string,
    keyArn: string,
    caller: string,
): Promise<Buffer> {
    // Another request may have stored one while this one waited its turn.
    const existing = await services.metadata.getBucketConfig(bucket, configName(keyArn));
    if (existing !== undefined) return bucketKeyFor(services, bucket, keyArn, caller, false);
    const generated = await services.kms.generateDataKeyFor(
        keyArn,
        bucketKeyContext(bucket),
        caller,
    );
    const document: StoredBucketKey = {
        ciphertextBlob: generated.ciphertextBlob.toString('base64'),
        createdAt: Date.now(),
    };
    const stored = JSON.stringify(document);
    await services.metadata.putBucketConfig(bucket, configName(keyArn), stored);
    remember(stateOf(services), `${bucket}\0${keyArn}`, stored, generated.plaintext);
    return generated.plaintext;
}

/** Runs `make` once per id at a time; concurrent callers share its result. */
async function createOnce(
    state: BucketKeyState,
    id: string,
    make: () => Promise<Buffer>,
): Promise<Buffer> {
    const pending = state.creating.get(id);
    if (pending) return pending;
    const created = make().finally(() => state.creating.delete(id));
    state.creating.set(id, created);
    return created;
}

function remember(state: BucketKeyState, id: string, stored: string, key: Buffer): void {
    state.cache.delete(id);
    if (state.cache.size >= MAX_ENTRIES) {
        // Maps iterate in insertion order: the first entry is the oldest.
        const oldest = state.cache.keys().next().value;
        if (oldest !== undefined) state.cache.delete(oldest);
    }
    state.cache.set(id, { stored, key, expiresAt: Date.now() + TTL_MS });
}
