/**
 * Making and opening an object's data key, per SSE mode (the recipe is in ./index.ts).
 *
 * KmsErrors pass through (the caller maps them to `KMS.*`); a wrapped key or context that does
 * not open or does not name this object is an IntegrityError: damaged or moved metadata.
 */
import { randomBytes } from 'node:crypto';
import type { KmsKeyUse } from '../access/authorize.js';
import { IntegrityError, unwrapKey, wrapAad, wrapKey } from '../crypto/index.js';
import { KmsError, isKmsError } from '../kms/errors.js';
import type { Kms } from '../kms/kms.js';
import type { EncryptionContext, KeyMetadata } from '../kms/types.js';
import type { ServerServices } from '../server/services.js';
import type { ObjectEncryption } from '../store/types.js';
import { bucketKeyContext, bucketKeyFor } from './bucket-keys.js';
import { openWithCustomerKey, sealWithCustomerKey, type CustomerKey } from './customer-key.js';

/** The encryption a write will use, decided from its headers and the bucket's default. */
export type EncryptionSpec =
    | { mode: 'SSE-S3' }
    | { mode: 'SSE-KMS'; keyId?: string; context: EncryptionContext; bucketKeyEnabled: boolean }
    | { mode: 'SSE-C'; customerKey: CustomerKey };

/** What a write seals with: the stored description and the plaintext data key. */
export interface SealingKey {
    encryption: ObjectEncryption;
    dataKey: Buffer;
    /** SSE-C: the key MD5 responses echo. */
    customerKeyMd5?: string;
}

/** Who is asking the KMS: the requester's ARN for SSE-KMS, S3 itself for SSE-S3. */
export interface KmsCaller {
    services: ServerServices;
    caller: string;
    /** Throws AccessDenied unless the requester may have S3 make this use of an SSE-KMS key. */
    authorizeKeyUse(use: KmsKeyUse): Promise<void>;
}

const S3_CALLER = 'coffer:s3';
const BUCKET_KEY_PURPOSE = 'sse-kms-bucket-key';
const DATA_KEY_SIZE = 32;

export function objectArn(bucket: string, key: string): string {
    return `arn:aws:s3:::${bucket}/${key}`;
}

/** A fresh data key for `bucket/key`, wrapped as `spec` says. */
export async function newDataKey(
    who: KmsCaller,
    bucket: string,
    key: string,
    spec: EncryptionSpec,
): Promise<SealingKey> {
    const objectId = randomBytes(16).toString('base64');
    const { kms } = who.services;
    const objectContext = { 'aws:s3:arn': objectArn(bucket, key) };
    switch (spec.mode) {
        case 'SSE-C': {
            const dataKey = randomBytes(DATA_KEY_SIZE);
            const sealed = sealWithCustomerKey(spec.customerKey, dataKey, bucket, key);
            const encryption: ObjectEncryption = { mode: 'SSE-C', objectId, ...sealed };
            return { encryption, dataKey, customerKeyMd5: spec.customerKey.keyMd5 };
        }
        case 'SSE-S3': {
            const service = await kms.serviceKey();
            const base = { mode: 'SSE-S3', objectId } as const;
            return generatedByKms(kms, service.Arn, objectContext, S3_CALLER, base);
        }
        case 'SSE-KMS': {
            const context = spec.bucketKeyEnabled
                ? { ...spec.context, ...bucketKeyContext(bucket) }
                : { ...spec.context, ...objectContext };
            const kmsKey = await keyForUse(who, 'kms:GenerateDataKey', spec.keyId, context);
            if (spec.bucketKeyEnabled)
                return newBucketKeyed(who, bucket, key, spec, kmsKey, objectId);
            const base = { mode: 'SSE-KMS', objectId } as const;
            return generatedByKms(kms, kmsKey.Arn, context, who.caller, base);
        }
    }
}

/** A data key the KMS generates under `keyArn`, bound to `context`; its blob is what is kept. */
async function generatedByKms(
    kms: Kms,
    keyArn: string,
    context: EncryptionContext,
    caller: string,
    base: Pick<ObjectEncryption, 'mode' | 'objectId'>,
): Promise<SealingKey> {
    const made = await kms.generateDataKeyFor(keyArn, context, caller);
    const encryption: ObjectEncryption = {
        ...base,
        wrappedKey: made.ciphertextBlob.toString('base64'),
        context: canonicalContext(context),
    };
    if (base.mode === 'SSE-KMS') encryption.kmsKeyArn = made.keyArn;
    return { encryption, dataKey: made.plaintext };
}

async function newBucketKeyed(
    who: KmsCaller,
    bucket: string,
    key: string,
    spec: Extract<EncryptionSpec, { mode: 'SSE-KMS' }>,
    kmsKey: KeyMetadata,
    objectId: string,
): Promise<SealingKey> {
    const bucketKey = await bucketKeyFor(who.services, bucket, kmsKey.Arn, who.caller, true);
    const dataKey = randomBytes(DATA_KEY_SIZE);
    const wrapped = wrapKey(bucketKey, dataKey, wrapAad(BUCKET_KEY_PURPOSE, bucket, key));
    const encryption: ObjectEncryption = {
        mode: 'SSE-KMS',
        objectId,
        wrappedKey: wrapped.toString('base64'),
        kmsKeyArn: kmsKey.Arn,
        bucketKeyEnabled: true,
        context: canonicalContext({ ...spec.context, ...bucketKeyContext(bucket) }),
    };
    return { encryption, dataKey };
}

/**
 * The data key of the object `bucket/key`. SSE-C needs the request's customer key, already
 * checked against the stored MAC by the caller.
 */
export async function openDataKey(
    who: KmsCaller,
    bucket: string,
    key: string,
    encryption: ObjectEncryption,
    customerKey?: CustomerKey,
): Promise<Buffer> {
    const wrapped = Buffer.from(encryption.wrappedKey, 'base64');
    const { kms } = who.services;
    switch (encryption.mode) {
        case 'SSE-C':
            if (!customerKey)
                throw new IntegrityError('SSE-C object opened without a customer key');
            return openWithCustomerKey(encryption, customerKey, bucket, key);
        case 'SSE-S3': {
            const context = boundContext(encryption, objectArn(bucket, key));
            return (await kms.decryptFor(wrapped, context, S3_CALLER)).plaintext;
        }
        case 'SSE-KMS': {
            const arn = encryption.kmsKeyArn ?? '';
            if (encryption.bucketKeyEnabled) {
                const context = boundContext(encryption, `arn:aws:s3:::${bucket}`);
                await keyForUse(who, 'kms:Decrypt', arn, context);
                const bucketKey = await bucketKeyFor(who.services, bucket, arn, who.caller, false);
                return unwrapKey(bucketKey, wrapped, wrapAad(BUCKET_KEY_PURPOSE, bucket, key));
            }
            const context = boundContext(encryption, objectArn(bucket, key));
            await keyForUse(who, 'kms:Decrypt', arn, context);
            const opened = await kms.decryptFor(wrapped, context, who.caller);
            if (opened.keyArn !== arn)
                throw new IntegrityError('data key is under another KMS key');
            return opened.plaintext;
        }
    }
}

/**
 * The KMS key `keyRef` names (`alias/aws/s3` when none, created on first use) for S3 to use on
 * the requester's behalf, once the requester may have it used for `action`, and then only if it
 * exists and is Enabled. The permission comes first, as in the KMS API, so a refusal tells
 * nothing of the key's state, nor (to another account) whether it exists.
 */
async function keyForUse(
    who: KmsCaller,
    action: KmsKeyUse['action'],
    keyRef: string | undefined,
    encryptionContext: EncryptionContext,
): Promise<KeyMetadata> {
    const { kms } = who.services;
    if (keyRef === undefined) return requireEnabledKey(await kms.awsManagedKey('alias/aws/s3'));
    let key: KeyMetadata | undefined;
    let notFound: KmsError | undefined;
    try {
        key = await kms.resolveKey(keyRef);
    } catch (err) {
        if (!isKmsError(err, 'NotFoundException')) throw err;
        notFound = err;
    }
    await who.authorizeKeyUse({ action, keyRef, key, encryptionContext });
    if (key === undefined) throw notFound!;
    return requireEnabledKey(key);
}

/**
 * AWS's exception unless the key is Enabled. A metadata lookup only: this is what enforces key
 * state where no KMS crypto call happens (bucket keys).
 */
function requireEnabledKey(key: KeyMetadata): KeyMetadata {
    if (key.KeyState === 'Disabled') {
        throw new KmsError('DisabledException', `${key.Arn} is disabled.`);
    }
    if (key.KeyState === 'PendingDeletion') {
        throw new KmsError('KMSInvalidStateException', `${key.Arn} is pending deletion.`);
    }
    return key;
}

/** JSON with sorted keys: one text per context, whatever order it was built in. */
export function canonicalContext(context: EncryptionContext): string {
    const sorted = Object.keys(context)
        .sort()
        .map((name) => [name, context[name]!]);
    return JSON.stringify(Object.fromEntries(sorted));
}

/** The stored context, which must name `arn`: a record moved to another key does not open. */
function boundContext(encryption: ObjectEncryption, arn: string): EncryptionContext {
    const context = JSON.parse(encryption.context ?? '{}') as EncryptionContext;
    if (context['aws:s3:arn'] !== arn) {
        throw new IntegrityError('the encryption context names another object');
    }
    return context;
}
