/**
 * Coffer's built-in KMS: AWS KMS semantics for symmetric keys, on a `KmsKeyStore`.
 *
 * Recipe (details in docs/kms.md):
 * 1. The root key (32 bytes, `root-key.ts`) seals every key material version; it is never
 *    stored in the key store (material.ts).
 * 2. A KMS key is a UUID, a state (Enabled, Disabled, PendingDeletion) and one or more material
 *    versions of 32 random bytes. Rotation adds a version; old versions keep decrypting.
 * 3. A ciphertext blob names its key and version and is sealed under that version's material,
 *    bound to the encryption context (ciphertext.ts). Data keys are such blobs.
 * 4. When a key's deletion date passes, its material rows are overwritten and deleted
 *    (crypto-shredding): on the next access to the key or at the next sweep, whichever first.
 *    After that the key is NotFoundException and its ciphertexts can never be opened again.
 * 5. Every call is one audit event: operation, key ARN, caller, result.
 *
 * Public methods take AWS request shapes and the caller's ARN (for the audit and for
 * AccessDenied messages); the JSON protocol lives in `api/`. The `...For` methods are the
 * in-process interface for SSE-S3 and SSE-KMS.
 */
import { readCiphertextHeader } from './ciphertext.js';
import { KmsCore } from './core.js';
import { KmsError } from './errors.js';
import { aliasArn, parseKeyRef } from './key-ref.js';
import {
    ensureAwsManagedKey,
    ensureServiceKey,
    resolveCreatingManaged,
    S3_MANAGED_ALIAS,
} from './managed-keys.js';
import * as aliases from './ops/aliases.js';
import * as crypto from './ops/crypto.js';
import * as keys from './ops/keys.js';
import { reEncrypt } from './ops/re-encrypt.js';
import * as rotation from './ops/rotation.js';
import * as tags from './ops/tags.js';
import type {
    CreateKeyRequest,
    DecryptRequest,
    EncryptionContext,
    EncryptRequest,
    GenerateDataKeyRequest,
    KeyIdRequest,
    KeyMetadata,
    KmsOptions,
    ListRequest,
    ReEncryptRequest,
    Tag,
} from './types.js';

export class Kms {
    private readonly core: KmsCore;

    constructor(options: KmsOptions) {
        this.core = new KmsCore(options);
    }

    /** The account whose keys this KMS holds. */
    get accountId(): string {
        return this.core.location.accountId;
    }

    /**
     * The ARN of the key `keyRef` names (key id, key ARN, alias name or alias ARN), or undefined
     * when it names none. A lookup for authorization: no key is created, nothing is audited.
     */
    async keyArnOf(keyRef: string): Promise<string | undefined> {
        let parsed;
        try {
            parsed = parseKeyRef(keyRef, this.core.location, 'key-or-alias');
        } catch {
            return undefined;
        }
        if (parsed.kind === 'key') return this.core.arn(parsed.keyId);
        const alias = await this.core.store.getAlias(parsed.aliasName);
        return alias && this.core.arn(alias.targetKeyId);
    }

    /**
     * The ARN `keyRef` names as written, without looking anything up: a key id or key ARN its key
     * ARN, an alias name or alias ARN its alias ARN; undefined when it is malformed or of another
     * account or region.
     */
    referenceArn(keyRef: string): string | undefined {
        let parsed;
        try {
            parsed = parseKeyRef(keyRef, this.core.location, 'key-or-alias');
        } catch {
            return undefined;
        }
        return parsed.kind === 'key'
            ? this.core.arn(parsed.keyId)
            : aliasArn(this.core.location, parsed.aliasName);
    }

    /** The ARN of the key a ciphertext blob names, or undefined for bytes this KMS did not make. */
    ciphertextKeyArn(blob: Buffer): string | undefined {
        try {
            return this.core.arn(readCiphertextHeader(blob).keyId);
        } catch {
            return undefined;
        }
    }

    /** The ARN of an alias of this KMS's account. */
    aliasArnOf(aliasName: string): string {
        return aliasArn(this.core.location, aliasName);
    }

    /** Call once at startup: refuses a root key that is not the one the store was sealed with. */
    verifyRootKey(): Promise<'created' | 'verified'> {
        return this.core.verifyRootKey();
    }

    createKey(request: CreateKeyRequest, caller: string) {
        return keys.createKey(this.core, request, caller);
    }
    describeKey(request: KeyIdRequest, caller: string) {
        return keys.describeKey(this.core, request, caller);
    }
    listKeys(request: ListRequest, caller: string) {
        return keys.listKeys(this.core, request, caller);
    }
    enableKey(request: KeyIdRequest, caller: string) {
        return keys.enableKey(this.core, request, caller);
    }
    disableKey(request: KeyIdRequest, caller: string) {
        return keys.disableKey(this.core, request, caller);
    }
    updateKeyDescription(request: KeyIdRequest & { Description: string }, caller: string) {
        return keys.updateKeyDescription(this.core, request, caller);
    }
    scheduleKeyDeletion(request: KeyIdRequest & { PendingWindowInDays?: number }, caller: string) {
        return keys.scheduleKeyDeletion(this.core, request, caller);
    }
    cancelKeyDeletion(request: KeyIdRequest, caller: string) {
        return keys.cancelKeyDeletion(this.core, request, caller);
    }

    createAlias(request: aliases.AliasRequest, caller: string) {
        return aliases.createAlias(this.core, request, caller);
    }
    updateAlias(request: aliases.AliasRequest, caller: string) {
        return aliases.updateAlias(this.core, request, caller);
    }
    deleteAlias(request: { AliasName: string }, caller: string) {
        return aliases.deleteAlias(this.core, request, caller);
    }
    listAliases(request: ListRequest & { KeyId?: string }, caller: string) {
        return aliases.listAliases(this.core, request, caller);
    }

    enableKeyRotation(request: KeyIdRequest & { RotationPeriodInDays?: number }, caller: string) {
        return rotation.enableKeyRotation(this.core, request, caller);
    }
    disableKeyRotation(request: KeyIdRequest, caller: string) {
        return rotation.disableKeyRotation(this.core, request, caller);
    }
    getKeyRotationStatus(request: KeyIdRequest, caller: string) {
        return rotation.getKeyRotationStatus(this.core, request, caller);
    }
    rotateKeyOnDemand(request: KeyIdRequest, caller: string) {
        return rotation.rotateKeyOnDemand(this.core, request, caller);
    }
    listKeyRotations(request: KeyIdRequest & ListRequest, caller: string) {
        return rotation.listKeyRotations(this.core, request, caller);
    }

    tagResource(request: KeyIdRequest & { Tags: Tag[] }, caller: string) {
        return tags.tagResource(this.core, request, caller);
    }
    untagResource(request: KeyIdRequest & { TagKeys: string[] }, caller: string) {
        return tags.untagResource(this.core, request, caller);
    }
    listResourceTags(request: KeyIdRequest & ListRequest, caller: string) {
        return tags.listResourceTags(this.core, request, caller);
    }

    generateDataKey(request: GenerateDataKeyRequest, caller: string) {
        const who = { caller, internal: false };
        return crypto.generateDataKey(this.core, request, who, 'GenerateDataKey');
    }
    async generateDataKeyWithoutPlaintext(request: GenerateDataKeyRequest, caller: string) {
        const who = { caller, internal: false };
        const operation = 'GenerateDataKeyWithoutPlaintext';
        const { Plaintext, ...result } = await crypto.generateDataKey(
            this.core,
            request,
            who,
            operation,
        );
        Plaintext.fill(0);
        return result;
    }
    encrypt(request: EncryptRequest, caller: string) {
        return crypto.encrypt(this.core, request, { caller, internal: false });
    }
    decrypt(request: DecryptRequest, caller: string) {
        return crypto.decrypt(this.core, request, { caller, internal: false });
    }
    reEncrypt(request: ReEncryptRequest, caller: string) {
        return reEncrypt(this.core, request, { caller, internal: false });
    }
    generateRandom(request: { NumberOfBytes?: number }, caller: string) {
        return crypto.generateRandom(this.core, request, caller);
    }

    /**
     * SSE write path: a fresh 256-bit data key under `keyRef` (any KeyId form, including
     * `alias/aws/s3`, created on first use, and the service key's ARN), bound to `context`.
     * `caller` is the requester's ARN or the component (`coffer:s3`); it goes to the audit log.
     */
    async generateDataKeyFor(
        keyRef: string,
        context: EncryptionContext,
        caller: string,
    ): Promise<{ keyArn: string; plaintext: Buffer; ciphertextBlob: Buffer }> {
        const request = { KeyId: keyRef, KeySpec: 'AES_256', EncryptionContext: context };
        const who = { caller, internal: true };
        const result = await crypto.generateDataKey(this.core, request, who, 'GenerateDataKey');
        return {
            keyArn: result.KeyId,
            plaintext: result.Plaintext,
            ciphertextBlob: result.CiphertextBlob,
        };
    }

    /** SSE read path: opens a data key blob made by `generateDataKeyFor`, with the same context. */
    async decryptFor(
        ciphertextBlob: Buffer,
        context: EncryptionContext,
        caller: string,
    ): Promise<{ keyArn: string; plaintext: Buffer }> {
        const request = { CiphertextBlob: ciphertextBlob, EncryptionContext: context };
        const result = await crypto.decrypt(this.core, request, { caller, internal: true });
        return { keyArn: result.KeyId, plaintext: result.Plaintext };
    }

    /**
     * The key a user-supplied SSE-KMS key id names (any KeyId form), in any state; throws
     * KmsError (NotFoundException, ...) as DescribeKey would. Not audited: naming is not use.
     */
    async resolveKey(keyRef: string): Promise<KeyMetadata> {
        const key = await resolveCreatingManaged(this.core, keyRef, {}, { forms: 'key-or-alias' });
        return this.core.metadata(key);
    }

    /** The AWS managed key for S3, created on first use. */
    async awsManagedKey(alias: typeof S3_MANAGED_ALIAS): Promise<KeyMetadata> {
        if (alias !== S3_MANAGED_ALIAS)
            throw new KmsError('NotFoundException', `Alias ${alias} is not found.`);
        return this.core.metadata(await ensureAwsManagedKey(this.core, alias));
    }

    /** The internal SSE-S3 service key (not listed, not nameable by the API), made on first use. */
    async serviceKey(): Promise<KeyMetadata> {
        return this.core.metadata(await ensureServiceKey(this.core));
    }

    /** Destroys keys whose deletion date has passed; the server calls this periodically. */
    sweepExpiredKeys(): Promise<string[]> {
        return keys.sweepExpiredKeys(this.core);
    }

    /** Applies automatic rotations that have come due; the server calls this periodically. */
    rotateDueKeys(): Promise<string[]> {
        return rotation.rotateDueKeys(this.core);
    }
}
