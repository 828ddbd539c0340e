/**
 * The KMS key store interface: what the built-in KMS keeps (keys, their sealed key material
 * versions, aliases) and nothing about how. `src/kms/` sees only this; the embedded default is
 * `sqlite/sqlite-kms-store.ts`.
 *
 * The store never sees a root key or unsealed key material: `sealedMaterial` is already sealed
 * by `src/kms/material.ts`. Timestamps are milliseconds since the epoch.
 */

export type KmsKeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';
export type KmsKeyManager = 'AWS' | 'CUSTOMER';
/** How a key material version came to be, as ListKeyRotations reports it. */
export type KmsRotationType = 'INITIAL' | 'AUTOMATIC' | 'ON_DEMAND';

export interface KmsKeyRecord {
    /** A UUID. */
    keyId: string;
    createdAt: number;
    description: string;
    keyManager: KmsKeyManager;
    /**
     * Set for Coffer's own internal keys (the SSE-S3 service key), which ListKeys does not list
     * and the public API cannot name; undefined for every key a user can see.
     */
    internalPurpose?: string;
    state: KmsKeyState;
    /** When a key pending deletion is destroyed. */
    deletionDate?: number;
    /** Automatic rotation period; undefined while automatic rotation is off. */
    rotationPeriodDays?: number;
    /** When automatic rotation next adds a version; set exactly when rotationPeriodDays is. */
    nextRotationAt?: number;
    /** The version that new ciphertexts use: the highest one. */
    currentVersion: number;
    /** RotateKeyOnDemand calls so far (AWS caps them per key). */
    onDemandRotations: number;
    /** Tags in the order they were first set. */
    tags: Array<[string, string]>;
}

/** One version of a key's material, sealed under the root key. */
export interface KmsKeyVersionRecord {
    keyId: string;
    /** 1 for the material made with the key, +1 per rotation. */
    version: number;
    sealedMaterial: Buffer;
    createdAt: number;
    rotationType: KmsRotationType;
}

export interface KmsAliasRecord {
    /** `alias/<name>`. */
    aliasName: string;
    targetKeyId: string;
    createdAt: number;
    updatedAt: number;
}

/**
 * A change to a key's mutable fields: a field left undefined stays as it is; `null` clears an
 * optional field.
 */
export interface KmsKeyChange {
    description?: string;
    state?: KmsKeyState;
    deletionDate?: number | null;
    rotationPeriodDays?: number | null;
    nextRotationAt?: number | null;
    onDemandRotations?: number;
    tags?: Array<[string, string]>;
}

export interface KmsAliasQuery {
    /** Only aliases of this key. */
    targetKeyId?: string;
    /** Aliases whose name sorts strictly after this one. */
    after?: string;
    limit: number;
}

/** Every method is atomic on its own. */
export interface KmsKeyStore {
    /**
     * Creates a key with its first material version and, when given, an alias, all or nothing.
     * 'alias-exists' or 'purpose-exists' (another internal key has this purpose) change nothing.
     */
    createKey(
        key: KmsKeyRecord,
        first: KmsKeyVersionRecord,
        alias?: KmsAliasRecord,
    ): Promise<'created' | 'alias-exists' | 'purpose-exists'>;
    getKey(keyId: string): Promise<KmsKeyRecord | undefined>;
    /** The internal key with this purpose, if one was made. */
    findInternalKey(purpose: string): Promise<KmsKeyRecord | undefined>;
    /** Keys a user can see (no internal ones), ordered by key id, after `after`. */
    listKeys(after: string | undefined, limit: number): Promise<KmsKeyRecord[]>;
    /** Applies `change`; false when the key does not exist. */
    updateKey(keyId: string, change: KmsKeyChange): Promise<boolean>;
    /**
     * Adds the next material version and makes it current, applying `change` in the same
     * transaction. 'conflict' when `version.version` is not current + 1 (a concurrent rotation).
     */
    addVersion(
        version: KmsKeyVersionRecord,
        change: KmsKeyChange,
    ): Promise<'added' | 'conflict' | 'missing'>;
    getVersion(keyId: string, version: number): Promise<KmsKeyVersionRecord | undefined>;
    /** All versions of a key, oldest first. */
    listVersions(keyId: string): Promise<KmsKeyVersionRecord[]>;
    /**
     * Crypto-shredding: removes the key, every sealed material version (overwritten before the
     * rows are deleted) and its aliases. False when there was no such key.
     */
    destroyKey(keyId: string): Promise<boolean>;
    /** Keys pending deletion whose deletion date is at or before `now`. */
    keysDueForDeletion(now: number): Promise<string[]>;
    /** Enabled keys whose automatic rotation is due at or before `now`. */
    keysDueForRotation(now: number): Promise<string[]>;

    createAlias(alias: KmsAliasRecord): Promise<'created' | 'exists'>;
    getAlias(aliasName: string): Promise<KmsAliasRecord | undefined>;
    /** Points an existing alias at another key; false when the alias does not exist. */
    retargetAlias(aliasName: string, targetKeyId: string, updatedAt: number): Promise<boolean>;
    deleteAlias(aliasName: string): Promise<boolean>;
    /** Aliases ordered by name. */
    listAliases(query: KmsAliasQuery): Promise<KmsAliasRecord[]>;

    /** A KMS-wide value (the root-key check); undefined when never set. */
    getMeta(name: string): Promise<Buffer | undefined>;
    /** Sets a value only if it is absent; false when one was already there. */
    putMetaIfAbsent(name: string, value: Buffer): Promise<boolean>;
}
