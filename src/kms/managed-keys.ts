/**
 * Keys the KMS makes for itself rather than for a CreateKey call.
 *
 * - The AWS managed key `alias/aws/s3` (KeyManager AWS), created on first use: by SSE-KMS
 *   without a key id, or by DescribeKey on the alias, as AWS does ("If you call DescribeKey on a
 *   predefined AWS alias ... KMS creates an AWS managed key", API_DescribeKey.html). Users can
 *   describe and list it but not use or change it directly (its key policy allows only S3).
 * - The SSE-S3 service key: an internal key (KeyManager AWS, `internalPurpose` 'sse-s3') that
 *   ListKeys does not list and the public API cannot name, because on AWS the key behind SSE-S3
 *   belongs to S3, not to the customer's KMS. It rotates yearly, like AWS's SSE-S3 root keys.
 */
import type { KmsKeyRecord } from '../store/kms-types.js';
import { KmsError } from './errors.js';
import type { AuditScope, KmsCore, ResolveOptions } from './core.js';
import { aliasArn, parseKeyRef } from './key-ref.js';

export const S3_MANAGED_ALIAS = 'alias/aws/s3';
const S3_MANAGED_DESCRIPTION =
    'Default key that protects my S3 objects when no other key is defined';
const SERVICE_KEY_PURPOSE = 'sse-s3';
const SERVICE_KEY_DESCRIPTION = 'Coffer SSE-S3 service key';
/** AWS rotates AWS managed keys every year (API_EnableKeyRotation.html). */
export const MANAGED_ROTATION_DAYS = 365;

/** The AWS managed key behind `aliasName`, created now if it does not exist yet. */
export async function ensureAwsManagedKey(core: KmsCore, aliasName: string): Promise<KmsKeyRecord> {
    if (aliasName !== S3_MANAGED_ALIAS) {
        throw new KmsError(
            'NotFoundException',
            `Alias ${aliasArn(core.location, aliasName)} is not found.`,
        );
    }
    for (let attempt = 0; attempt < 3; attempt++) {
        const alias = await core.store.getAlias(aliasName);
        if (alias) {
            const key = await core.liveKey(alias.targetKeyId);
            if (key) return key;
        }
        const created = await core.createKey(
            {
                description: S3_MANAGED_DESCRIPTION,
                keyManager: 'AWS',
                tags: [],
                rotationPeriodDays: MANAGED_ROTATION_DAYS,
            },
            aliasName,
        );
        if (created !== 'exists') return created;
        // Another call created it between our read and our write: read theirs.
    }
    throw new KmsError(
        'KMSInternalException',
        `Could not create the AWS managed key ${aliasName}.`,
    );
}

/** The internal SSE-S3 service key, created on first use. */
export async function ensureServiceKey(core: KmsCore): Promise<KmsKeyRecord> {
    for (let attempt = 0; attempt < 3; attempt++) {
        const existing = await core.store.findInternalKey(SERVICE_KEY_PURPOSE);
        if (existing) return existing;
        const created = await core.createKey({
            description: SERVICE_KEY_DESCRIPTION,
            keyManager: 'AWS',
            tags: [],
            internalPurpose: SERVICE_KEY_PURPOSE,
            rotationPeriodDays: MANAGED_ROTATION_DAYS,
        });
        if (created !== 'exists') return created;
    }
    throw new KmsError('KMSInternalException', 'Could not create the SSE-S3 service key.');
}

/**
 * `core.resolve`, except that naming `alias/aws/s3` (by name or ARN) before it exists creates
 * it, as on AWS.
 */
export async function resolveCreatingManaged(
    core: KmsCore,
    ref: string,
    scope: AuditScope,
    options: ResolveOptions,
): Promise<KmsKeyRecord> {
    const parsed = parseKeyRef(ref, core.location, options.forms);
    if (parsed.kind === 'alias' && parsed.aliasName === S3_MANAGED_ALIAS) {
        await ensureAwsManagedKey(core, S3_MANAGED_ALIAS);
    }
    return core.resolve(ref, scope, options);
}
