/**
 * The identity store on SQLite (better-sqlite3). It takes an open `Database`, so it can share the
 * metadata store's file (tables `iam_*`), or `openFile` opens one for a short-lived process such
 * as `coffer admin` next to a running server (WAL: readers never block, writers wait briefly).
 *
 * Secret access keys are stored only sealed: `wrapKey` (HKDF-derived AES-256-GCM, see
 * crypto/key-wrap.ts) under the sealing key given to the constructor, with associated data naming
 * the purpose, the account, the owning user id (empty for the root) and the access key id, so a
 * sealed secret copied to another key row or owner fails to open.
 */
import Database from 'better-sqlite3';
import { unwrapKey, wrapAad, wrapKey } from '../../crypto/index.js';
import type {
    AccessKeyRecord,
    AccessKeyStatus,
    AccountRecord,
    ActiveAccessKey,
    DeleteUserOutcome,
    IdentityStore,
    InlinePolicyRecord,
    ManagedPolicyRecord,
    NewAccessKey,
    NewManagedPolicy,
    UserRecord,
} from '../identity-types.js';
import {
    accountFromRow,
    inlineFromRow,
    keyFromRow,
    policyFromRow,
    userFromRow,
    type AccountRow,
    type InlineRow,
    type KeyRow,
    type OwnerRow,
    type PolicyRow,
    type UserRow,
} from './sqlite-identity-rows.js';
import { IDENTITY_SCHEMA, prepareIdentityStatements } from './sqlite-identity-schema.js';

/** Frozen: part of every sealed secret's associated data. */
const SEAL_PURPOSE = 'coffer/iam/secret-access-key/v1';

export class SqliteIdentityStore implements IdentityStore {
    private readonly stmt;

    /** `sealingKey` (32 bytes) seals every secret access key; see the module comment. */
    constructor(
        private readonly db: Database.Database,
        private readonly sealingKey: Buffer,
    ) {
        if (sealingKey.length !== 32) throw new RangeError('sealingKey must be 32 bytes');
        db.exec(IDENTITY_SCHEMA);
        this.stmt = prepareIdentityStatements(db);
    }

    /** Opens the database file on its own connection (WAL, full sync, 5 s busy wait). */
    static openFile(path: string, sealingKey: Buffer): SqliteIdentityStore {
        const db = new Database(path, { timeout: 5000 });
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = FULL');
        return new SqliteIdentityStore(db, sealingKey);
    }

    close(): void {
        this.db.close();
    }

    async createAccount(account: AccountRecord): Promise<'created' | 'exists'> {
        const result = this.stmt.insertAccount.run(
            account.accountId,
            account.name,
            account.createdAt,
        );
        return result.changes === 1 ? 'created' : 'exists';
    }

    async getAccount(accountId: string): Promise<AccountRecord | undefined> {
        const row = this.stmt.getAccount.get(accountId) as AccountRow | undefined;
        return row && accountFromRow(row);
    }

    async listAccounts(): Promise<AccountRecord[]> {
        return (this.stmt.listAccounts.all() as AccountRow[]).map(accountFromRow);
    }

    async createUser(user: Omit<UserRecord, 'arn'>): Promise<'created' | 'exists' | 'no-account'> {
        return this.db.transaction(() => {
            if (!this.stmt.getAccount.get(user.accountId)) return 'no-account';
            const { userId, accountId, userName, path, createdAt } = user;
            const result = this.stmt.insertUser.run(userId, accountId, userName, path, createdAt);
            return result.changes === 1 ? 'created' : 'exists';
        })();
    }

    async getUser(accountId: string, userName: string): Promise<UserRecord | undefined> {
        const row = this.stmt.getUser.get(accountId, userName) as UserRow | undefined;
        return row && userFromRow(row);
    }

    async listUsers(accountId: string): Promise<UserRecord[]> {
        return (this.stmt.listUsers.all(accountId) as UserRow[]).map(userFromRow);
    }

    async deleteUser(accountId: string, userName: string): Promise<DeleteUserOutcome> {
        return this.db.transaction((): DeleteUserOutcome => {
            const row = this.stmt.getUser.get(accountId, userName) as UserRow | undefined;
            if (!row) return 'missing';
            if (this.stmt.anyUserKey.get(row.user_id)) return 'has-access-keys';
            if (this.stmt.anyUserPolicy.get(row.user_id)) return 'has-inline-policies';
            if (this.stmt.anyAttachment.get(row.user_id)) return 'has-attached-policies';
            this.stmt.deleteUser.run(row.user_id);
            return 'deleted';
        })();
    }

    async createAccessKey(key: NewAccessKey, maxPerOwner: number) {
        return this.db.transaction((): 'created' | 'exists' | 'limit' => {
            if (this.stmt.getKeyOwner.get(key.accessKeyId)) return 'exists';
            if (this.ownerKeyCount(key) >= maxPerOwner) return 'limit';
            this.insertKey(key);
            return 'created';
        })();
    }

    async setAccessKey(key: NewAccessKey, maxPerOwner: number) {
        return this.db.transaction((): 'created' | 'updated' | 'other-owner' | 'limit' => {
            const owner = this.stmt.getKeyOwner.get(key.accessKeyId) as OwnerRow | undefined;
            if (owner) {
                if (owner.account_id !== key.accountId || owner.user_id !== (key.userId ?? null)) {
                    return 'other-owner';
                }
                this.stmt.replaceSecret.run(key.status, this.seal(key), key.accessKeyId);
                this.bumpKeysVersion();
                return 'updated';
            }
            if (this.ownerKeyCount(key) >= maxPerOwner) return 'limit';
            this.insertKey(key);
            return 'created';
        })();
    }

    async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
        const row = this.stmt.getKey.get(accessKeyId) as KeyRow | undefined;
        return row && keyFromRow(row);
    }

    async listAccessKeys(accountId: string, userId: string | undefined) {
        const rows = this.stmt.listOwnerKeys.all(accountId, userId ?? null) as KeyRow[];
        return rows.map(keyFromRow);
    }

    async listAccountAccessKeys(accountId: string): Promise<AccessKeyRecord[]> {
        return (this.stmt.listAccountKeys.all(accountId) as KeyRow[]).map(keyFromRow);
    }

    async setAccessKeyStatus(accessKeyId: string, status: AccessKeyStatus): Promise<boolean> {
        return this.db.transaction(() => {
            const changed = this.stmt.setKeyStatus.run(status, accessKeyId).changes === 1;
            if (changed) this.bumpKeysVersion();
            return changed;
        })();
    }

    async deleteAccessKey(accessKeyId: string): Promise<boolean> {
        return this.db.transaction(() => {
            const deleted = this.stmt.deleteKey.run(accessKeyId).changes === 1;
            if (deleted) this.bumpKeysVersion();
            return deleted;
        })();
    }

    async activeAccessKeys(
        onUnreadable?: (accessKeyId: string, error: unknown) => void,
    ): Promise<ActiveAccessKey[]> {
        const keys: ActiveAccessKey[] = [];
        for (const row of this.stmt.activeKeys.all() as KeyRow[]) {
            try {
                keys.push({ ...keyFromRow(row), secretAccessKey: this.unseal(row) });
            } catch (error) {
                onUnreadable?.(row.access_key_id, error);
            }
        }
        return keys;
    }

    async accessKeysVersion(): Promise<number> {
        return this.stmt.keysVersion.get() as number;
    }

    async putUserPolicy(policy: InlinePolicyRecord): Promise<void> {
        this.stmt.putUserPolicy.run(policy.userId, policy.policyName, policy.document);
    }

    async getUserPolicy(userId: string, policyName: string) {
        const row = this.stmt.getUserPolicy.get(userId, policyName) as InlineRow | undefined;
        return row && inlineFromRow(row);
    }

    async listUserPolicies(userId: string): Promise<InlinePolicyRecord[]> {
        return (this.stmt.listUserPolicies.all(userId) as InlineRow[]).map(inlineFromRow);
    }

    async deleteUserPolicy(userId: string, policyName: string): Promise<boolean> {
        return this.stmt.deleteUserPolicy.run(userId, policyName).changes === 1;
    }

    async createPolicy(policy: NewManagedPolicy): Promise<'created' | 'exists'> {
        const result = this.stmt.insertPolicy.run(
            policy.policyId,
            policy.accountId,
            policy.policyName,
            policy.path,
            policy.description,
            policy.document,
            policy.createdAt,
            policy.updatedAt,
        );
        return result.changes === 1 ? 'created' : 'exists';
    }

    async getPolicy(accountId: string, policyName: string) {
        const row = this.stmt.getPolicy.get(accountId, policyName) as PolicyRow | undefined;
        return row && policyFromRow(row);
    }

    async listPolicies(accountId: string): Promise<ManagedPolicyRecord[]> {
        return (this.stmt.listPolicies.all(accountId) as PolicyRow[]).map(policyFromRow);
    }

    async deletePolicy(policyId: string): Promise<'deleted' | 'missing' | 'attached'> {
        return this.db.transaction((): 'deleted' | 'missing' | 'attached' => {
            if (this.stmt.anyPolicyAttachment.get(policyId)) return 'attached';
            return this.stmt.deletePolicy.run(policyId).changes === 1 ? 'deleted' : 'missing';
        })();
    }

    async attachUserPolicy(userId: string, policyId: string, maxPerUser: number) {
        return this.db.transaction((): 'attached' | 'already' | 'limit' => {
            if (this.stmt.isAttached.get(userId, policyId)) return 'already';
            if ((this.stmt.attachmentCount.get(userId) as number) >= maxPerUser) return 'limit';
            this.stmt.attach.run(userId, policyId);
            return 'attached';
        })();
    }

    async detachUserPolicy(userId: string, policyId: string): Promise<boolean> {
        return this.stmt.detach.run(userId, policyId).changes === 1;
    }

    async listAttachedPolicies(userId: string): Promise<ManagedPolicyRecord[]> {
        return (this.stmt.attachedPolicies.all(userId) as PolicyRow[]).map(policyFromRow);
    }

    private ownerKeyCount(key: NewAccessKey): number {
        return this.stmt.ownerKeyCount.get(key.accountId, key.userId ?? null) as number;
    }

    private insertKey(key: NewAccessKey): void {
        const { accessKeyId, accountId, userId, status, createdAt } = key;
        const sealed = this.seal(key);
        this.stmt.insertKey.run(accessKeyId, accountId, userId ?? null, status, createdAt, sealed);
        this.bumpKeysVersion();
    }

    private bumpKeysVersion(): void {
        this.stmt.bumpKeysVersion.run();
    }

    private seal(key: NewAccessKey): Buffer {
        const secret = Buffer.from(key.secretAccessKey, 'utf8');
        try {
            return wrapKey(
                this.sealingKey,
                secret,
                sealAad(key.accountId, key.userId, key.accessKeyId),
            );
        } finally {
            secret.fill(0);
        }
    }

    private unseal(row: KeyRow): string {
        const aad = sealAad(row.account_id, row.user_id ?? undefined, row.access_key_id);
        const secret = unwrapKey(this.sealingKey, row.sealed_secret, aad);
        const text = secret.toString('utf8');
        secret.fill(0);
        return text;
    }
}

/** Account ids are 12 digits, so `:` cannot be ambiguous between account and user id. */
function sealAad(accountId: string, userId: string | undefined, accessKeyId: string): Buffer {
    return wrapAad(SEAL_PURPOSE, `${accountId}:${userId ?? ''}`, accessKeyId);
}
