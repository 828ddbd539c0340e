/**
 * What every KMS operation shares: resolving a key reference to a stored key (and destroying it
 * on the spot if its deletion date has passed), the key-state rules of
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html, unsealing material,
 * rotation, and the one audit event per call.
 */
import { randomUUID } from 'node:crypto';
import type { KmsAliasRecord, KmsKeyRecord, KmsKeyStore } from '../store/kms-types.js';
import { KmsError } from './errors.js';
import { keyArn, parseKeyRef, type KmsLocation, type RefForms } from './key-ref.js';
import {
    ROOT_CHECK_META,
    keyMaterialId,
    newMaterial,
    rootCheckOpens,
    sealMaterial,
    sealRootCheck,
    unsealMaterial,
} from './material.js';
import type { EncryptionContext, KeyMetadata, KmsAudit, KmsOptions } from './types.js';

/** What an audit event says about the key; filled in as the operation learns it. */
export interface AuditScope {
    keyArn?: string;
    destinationKeyArn?: string;
    keyRef?: string;
    encryptionContext?: EncryptionContext;
}

export interface ResolveOptions {
    forms: RefForms;
    /** Internal callers may name Coffer's internal keys; the public API may not. */
    internal?: boolean;
}

/** Fields of a key being created; the rest start at their defaults. */
export type NewKey = Pick<KmsKeyRecord, 'description' | 'keyManager' | 'tags'> &
    Partial<Pick<KmsKeyRecord, 'internalPurpose' | 'rotationPeriodDays'>>;

const DAY_MS = 86_400_000;

export class KmsCore {
    readonly store: KmsKeyStore;
    readonly location: KmsLocation;
    private readonly rootKey: Buffer;
    private readonly clock: () => Date;
    private readonly audit: KmsAudit;

    constructor(options: KmsOptions) {
        if (!Buffer.isBuffer(options.rootKey) || options.rootKey.length !== 32) {
            throw new RangeError('rootKey must be a 32-byte Buffer');
        }
        this.store = options.store;
        this.rootKey = Buffer.from(options.rootKey);
        this.location = { region: options.region, accountId: options.accountId };
        this.clock = options.now ?? (() => new Date());
        this.audit = options.audit;
    }

    now(): number {
        return this.clock().getTime();
    }

    arn(keyId: string): string {
        return keyArn(this.location, keyId);
    }

    /** Runs one operation and emits exactly one audit event for it, success or error code. */
    async audited<T>(
        operation: string,
        caller: string,
        run: (scope: AuditScope) => Promise<T>,
    ): Promise<T> {
        const scope: AuditScope = {};
        try {
            const result = await run(scope);
            this.audit({ operation, caller, ...scope, result: 'success' });
            return result;
        } catch (error) {
            const kmsError = asKmsError(error);
            this.audit({ operation, caller, ...scope, result: kmsError.code });
            throw kmsError;
        }
    }

    /**
     * Finds the key `ref` names. Unknown keys and aliases, internal keys named from outside, and
     * keys whose deletion date has passed (destroyed here) are all NotFoundException.
     */
    async resolve(ref: string, scope: AuditScope, options: ResolveOptions): Promise<KmsKeyRecord> {
        scope.keyRef = ref;
        const parsed = parseKeyRef(ref, this.location, options.forms);
        let keyId: string;
        if (parsed.kind === 'alias') {
            const alias = await this.store.getAlias(parsed.aliasName);
            if (!alias) throw aliasNotFound(this.location, parsed.aliasName);
            keyId = alias.targetKeyId;
        } else {
            keyId = parsed.keyId;
        }
        if (ref === this.arn(keyId)) delete scope.keyRef;
        const key = await this.liveKey(keyId);
        if (!key || (key.internalPurpose !== undefined && !options.internal)) {
            throw new KmsError('NotFoundException', `Key '${this.arn(keyId)}' does not exist`);
        }
        scope.keyArn = this.arn(keyId);
        return key;
    }

    /** The stored key, unless its deletion date has passed: then it is destroyed first. */
    async liveKey(keyId: string): Promise<KmsKeyRecord | undefined> {
        const key = await this.store.getKey(keyId);
        if (key?.state === 'PendingDeletion' && (key.deletionDate ?? Infinity) <= this.now()) {
            await this.destroy(keyId);
            return undefined;
        }
        return key;
    }

    /** Crypto-shredding of one key, audited as the KMS's own `DestroyKey`. */
    async destroy(keyId: string): Promise<boolean> {
        return this.audited('DestroyKey', 'coffer:kms', async (scope) => {
            scope.keyArn = this.arn(keyId);
            return this.store.destroyKey(keyId);
        });
    }

    /** Encrypt, Decrypt, GenerateDataKey*, ReEncrypt need an Enabled key. */
    requireEnabled(key: KmsKeyRecord): void {
        if (key.state === 'Disabled') {
            throw new KmsError('DisabledException', `${this.arn(key.keyId)} is disabled.`);
        }
        this.requireNotPendingDeletion(key);
    }

    requireNotPendingDeletion(key: KmsKeyRecord): void {
        if (key.state === 'PendingDeletion') {
            throw new KmsError(
                'KMSInvalidStateException',
                `${this.arn(key.keyId)} is pending deletion.`,
            );
        }
    }

    /**
     * AWS managed keys (and Coffer's internal ones) have a key policy that lets users describe
     * and list them, and lets only the owning service use or change them. AWS answers any other
     * call with AccessDeniedException naming the missing permission.
     */
    requireCustomerManaged(key: KmsKeyRecord, action: string, caller: string): void {
        if (key.keyManager === 'CUSTOMER') return;
        throw new KmsError(
            'AccessDeniedException',
            `User: ${caller} is not authorized to perform: kms:${action} on resource: ` +
                `${this.arn(key.keyId)} because no resource-based policy allows the ` +
                `kms:${action} action`,
        );
    }

    /** Creates a key with fresh material (and the alias, if given) in one store transaction. */
    async createKey(fields: NewKey, aliasName?: string): Promise<KmsKeyRecord | 'exists'> {
        const now = this.now();
        const key: KmsKeyRecord = {
            keyId: randomUUID(),
            createdAt: now,
            state: 'Enabled',
            currentVersion: 1,
            onDemandRotations: 0,
            ...fields,
            nextRotationAt:
                fields.rotationPeriodDays === undefined
                    ? undefined
                    : now + fields.rotationPeriodDays * DAY_MS,
        };
        const material = newMaterial();
        const sealed = sealMaterial(this.rootKey, key.keyId, 1, material);
        material.fill(0);
        const first = { keyId: key.keyId, version: 1, sealedMaterial: sealed, createdAt: now };
        const alias: KmsAliasRecord | undefined =
            aliasName === undefined
                ? undefined
                : { aliasName, targetKeyId: key.keyId, createdAt: now, updatedAt: now };
        const outcome = await this.store.createKey(
            key,
            { ...first, rotationType: 'INITIAL' },
            alias,
        );
        return outcome === 'created' ? key : 'exists';
    }

    /** Unsealed material of one version; the caller zeroes it after use. */
    async material(keyId: string, version: number): Promise<Buffer> {
        const stored = await this.store.getVersion(keyId, version);
        // A header naming a version that never existed was not made by this KMS.
        if (!stored) throw new KmsError('InvalidCiphertextException');
        return unsealMaterial(this.rootKey, keyId, version, stored.sealedMaterial);
    }

    /**
     * The version new ciphertexts use, after applying an automatic rotation that has come due
     * (so a rotation date in the past takes effect even between sweeps).
     */
    async currentVersion(key: KmsKeyRecord): Promise<number> {
        if (key.nextRotationAt !== undefined && key.nextRotationAt <= this.now()) {
            return (await this.rotate(key, 'AUTOMATIC')).currentVersion;
        }
        return key.currentVersion;
    }

    /**
     * Adds a material version. An automatic rotation also moves the next rotation date past
     * now; an on-demand one counts against the per-key quota. Returns the key as stored after.
     */
    async rotate(key: KmsKeyRecord, type: 'AUTOMATIC' | 'ON_DEMAND'): Promise<KmsKeyRecord> {
        const now = this.now();
        const version = key.currentVersion + 1;
        const material = newMaterial();
        const sealed = sealMaterial(this.rootKey, key.keyId, version, material);
        material.fill(0);
        const change =
            type === 'ON_DEMAND'
                ? { onDemandRotations: key.onDemandRotations + 1 }
                : { nextRotationAt: nextRotation(key, now) };
        const record = { keyId: key.keyId, version, sealedMaterial: sealed, createdAt: now };
        await this.store.addVersion({ ...record, rotationType: type }, change);
        // 'conflict' means a concurrent rotation already added this version: theirs stands.
        const after = await this.store.getKey(key.keyId);
        if (!after)
            throw new KmsError('NotFoundException', `Key '${this.arn(key.keyId)}' does not exist`);
        return after;
    }

    /** DescribeKey's view of a stored key. */
    metadata(key: KmsKeyRecord): KeyMetadata {
        const metadata: KeyMetadata = {
            AWSAccountId: this.location.accountId,
            KeyId: key.keyId,
            Arn: this.arn(key.keyId),
            CreationDate: new Date(key.createdAt),
            Enabled: key.state === 'Enabled',
            Description: key.description,
            KeyUsage: 'ENCRYPT_DECRYPT',
            KeyState: key.state,
            Origin: 'AWS_KMS',
            KeyManager: key.keyManager,
            CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
            KeySpec: 'SYMMETRIC_DEFAULT',
            EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
            MultiRegion: false,
            CurrentKeyMaterialId: keyMaterialId(key.keyId, key.currentVersion),
        };
        if (key.deletionDate !== undefined) metadata.DeletionDate = new Date(key.deletionDate);
        return metadata;
    }

    /**
     * Checks the root key against the store's check value, writing one on first start. A root
     * key that does not open it is refused at once (KMSInternalException) rather than on the
     * first Decrypt.
     */
    async verifyRootKey(): Promise<'created' | 'verified'> {
        const stored = await this.store.getMeta(ROOT_CHECK_META);
        if (stored) {
            if (rootCheckOpens(this.rootKey, stored)) return 'verified';
            throw new KmsError(
                'KMSInternalException',
                'The root key does not match the one this KMS key store was sealed with.',
            );
        }
        if (await this.store.putMetaIfAbsent(ROOT_CHECK_META, sealRootCheck(this.rootKey))) {
            return 'created';
        }
        return this.verifyRootKey();
    }
}

function nextRotation(key: KmsKeyRecord, now: number): number | undefined {
    if (key.rotationPeriodDays === undefined || key.nextRotationAt === undefined) return undefined;
    const period = key.rotationPeriodDays * DAY_MS;
    let next = key.nextRotationAt + period;
    // A server that was down for several periods rotates once, not once per missed period.
    if (next <= now) next = now + period;
    return next;
}

export function aliasNotFound(location: KmsLocation, aliasName: string): KmsError {
    return new KmsError(
        'NotFoundException',
        `Alias arn:aws:kms:${location.region}:${location.accountId}:${aliasName} is not found.`,
    );
}

/** Anything that is not a KmsError is a bug or a store failure: KMSInternalException. */
function asKmsError(error: unknown): KmsError {
    if (error instanceof KmsError) return error;
    return new KmsError('KMSInternalException', undefined, { cause: error });
}
