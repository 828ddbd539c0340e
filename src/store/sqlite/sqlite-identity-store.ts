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
import {
    policyArn,
    userArn,
    type AccessKeyRecord,
    type AccessKeyStatus,
    type AccountRecord,
    type ActiveAccessKey,
    type DeleteUserOutcome,
    type IdentityStore,
    type InlinePolicyRecord,
    type ManagedPolicyRecord,
    type NewAccessKey,
    type NewManagedPolicy,
    type UserRecord,
} from '../identity-types.js';

const IDENTITY_SCHEMA = `
CREATE TABLE IF NOT EXISTS iam_accounts (
    account_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS iam_users (
    user_id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    user_name TEXT NOT NULL COLLATE NOCASE,
    path TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, user_name)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS iam_access_keys (
    access_key_id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    user_id TEXT,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    sealed_secret BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS iam_access_keys_by_owner ON iam_access_keys (account_id, user_id);

CREATE TABLE IF NOT EXISTS iam_user_policies (
    user_id TEXT NOT NULL,
    policy_name TEXT NOT NULL COLLATE NOCASE,
    document TEXT NOT NULL,
    PRIMARY KEY (user_id, policy_name)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS iam_policies (
    policy_id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    policy_name TEXT NOT NULL COLLATE NOCASE,
    path TEXT NOT NULL,
    description TEXT NOT NULL,
    document TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (account_id, policy_name)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS iam_user_attachments (
    user_id TEXT NOT NULL,
    policy_id TEXT NOT NULL,
    PRIMARY KEY (user_id, policy_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS iam_attachments_by_policy ON iam_user_attachments (policy_id);

CREATE TABLE IF NOT EXISTS iam_meta (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO iam_meta (name, value) VALUES ('access_keys_version', 0);
`;

/** Frozen: part of every sealed secret's associated data. */
const SEAL_PURPOSE = 'coffer/iam/secret-access-key/v1';

interface UserRow {
    user_id: string;
    account_id: string;
    user_name: string;
    path: string;
    created_at: number;
}

/** A key row joined with its owner (the user columns are null for a root key). */
interface KeyRow {
    access_key_id: string;
    account_id: string;
    user_id: string | null;
    status: AccessKeyStatus;
    created_at: number;
    sealed_secret: Buffer;
    user_name: string | null;
    path: string | null;
    user_created_at: number | null;
}

interface PolicyRow {
    policy_id: string;
    account_id: string;
    policy_name: string;
    path: string;
    description: string;
    document: string;
    created_at: number;
    updated_at: number;
    attachment_count: number;
}

const KEY_SELECT =
    'SELECT k.*, u.user_name, u.path, u.created_at AS user_created_at FROM iam_access_keys k ' +
    'LEFT JOIN iam_users u ON u.user_id = k.user_id';
const POLICY_SELECT =
    'SELECT p.*, (SELECT COUNT(*) FROM iam_user_attachments a WHERE a.policy_id = p.policy_id) ' +
    'AS attachment_count FROM iam_policies p';

export class SqliteIdentityStore implements IdentityStore {
    private readonly stmt;

    /** `sealingKey` (32 bytes) seals every secret access key; see the module comment. */
    constructor(
        private readonly db: Database.Database,
        private readonly sealingKey: Buffer,
    ) {
        if (sealingKey.length !== 32) throw new RangeError('sealingKey must be 32 bytes');
        db.exec(IDENTITY_SCHEMA);
        this.stmt = prepare(db);
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

    async activeAccessKeys(): Promise<ActiveAccessKey[]> {
        const rows = this.stmt.activeKeys.all() as KeyRow[];
        return rows.map((row) => ({ ...keyFromRow(row), secretAccessKey: this.unseal(row) }));
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
            return wrapKey(this.sealingKey, secret, sealAad(key.accountId, key.userId, key.accessKeyId));
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

interface AccountRow {
    account_id: string;
    name: string;
    created_at: number;
}

interface OwnerRow {
    account_id: string;
    user_id: string | null;
}

interface InlineRow {
    user_id: string;
    policy_name: string;
    document: string;
}

function prepare(db: Database.Database) {
    const byName = 'ORDER BY user_name COLLATE NOCASE';
    return {
        insertAccount: db.prepare(
            'INSERT OR IGNORE INTO iam_accounts (account_id, name, created_at) VALUES (?, ?, ?)',
        ),
        getAccount: db.prepare('SELECT * FROM iam_accounts WHERE account_id = ?'),
        listAccounts: db.prepare('SELECT * FROM iam_accounts ORDER BY account_id'),
        insertUser: db.prepare(
            'INSERT OR IGNORE INTO iam_users (user_id, account_id, user_name, path, created_at) ' +
                'VALUES (?, ?, ?, ?, ?)',
        ),
        getUser: db.prepare('SELECT * FROM iam_users WHERE account_id = ? AND user_name = ?'),
        listUsers: db.prepare(`SELECT * FROM iam_users WHERE account_id = ? ${byName}`),
        deleteUser: db.prepare('DELETE FROM iam_users WHERE user_id = ?'),
        anyUserKey: db.prepare('SELECT 1 FROM iam_access_keys WHERE user_id = ? LIMIT 1').pluck(),
        anyUserPolicy: db
            .prepare('SELECT 1 FROM iam_user_policies WHERE user_id = ? LIMIT 1')
            .pluck(),
        anyAttachment: db
            .prepare('SELECT 1 FROM iam_user_attachments WHERE user_id = ? LIMIT 1')
            .pluck(),
        getKeyOwner: db.prepare(
            'SELECT account_id, user_id FROM iam_access_keys WHERE access_key_id = ?',
        ),
        ownerKeyCount: db
            .prepare('SELECT COUNT(*) FROM iam_access_keys WHERE account_id = ? AND user_id IS ?')
            .pluck(),
        insertKey: db.prepare(
            'INSERT INTO iam_access_keys (access_key_id, account_id, user_id, status, ' +
                'created_at, sealed_secret) VALUES (?, ?, ?, ?, ?, ?)',
        ),
        replaceSecret: db.prepare(
            'UPDATE iam_access_keys SET status = ?, sealed_secret = ? WHERE access_key_id = ?',
        ),
        getKey: db.prepare(`${KEY_SELECT} WHERE k.access_key_id = ?`),
        listOwnerKeys: db.prepare(
            `${KEY_SELECT} WHERE k.account_id = ? AND k.user_id IS ? ORDER BY k.access_key_id`,
        ),
        listAccountKeys: db.prepare(
            `${KEY_SELECT} WHERE k.account_id = ? ORDER BY k.access_key_id`,
        ),
        // A user key whose user row is missing must never load as a root key.
        activeKeys: db.prepare(
            `${KEY_SELECT} WHERE k.status = 'Active' AND (k.user_id IS NULL OR u.user_id IS NOT NULL)`,
        ),
        setKeyStatus: db.prepare('UPDATE iam_access_keys SET status = ? WHERE access_key_id = ?'),
        deleteKey: db.prepare('DELETE FROM iam_access_keys WHERE access_key_id = ?'),
        keysVersion: db
            .prepare("SELECT value FROM iam_meta WHERE name = 'access_keys_version'")
            .pluck(),
        bumpKeysVersion: db.prepare(
            "UPDATE iam_meta SET value = value + 1 WHERE name = 'access_keys_version'",
        ),
        putUserPolicy: db.prepare(
            'INSERT INTO iam_user_policies (user_id, policy_name, document) VALUES (?, ?, ?) ' +
                'ON CONFLICT (user_id, policy_name) DO UPDATE SET document = excluded.document',
        ),
        getUserPolicy: db.prepare(
            'SELECT * FROM iam_user_policies WHERE user_id = ? AND policy_name = ?',
        ),
        listUserPolicies: db.prepare(
            'SELECT * FROM iam_user_policies WHERE user_id = ? ORDER BY policy_name COLLATE NOCASE',
        ),
        deleteUserPolicy: db.prepare(
            'DELETE FROM iam_user_policies WHERE user_id = ? AND policy_name = ?',
        ),
        insertPolicy: db.prepare(
            'INSERT OR IGNORE INTO iam_policies (policy_id, account_id, policy_name, path, ' +
                'description, document, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        ),
        getPolicy: db.prepare(`${POLICY_SELECT} WHERE p.account_id = ? AND p.policy_name = ?`),
        listPolicies: db.prepare(
            `${POLICY_SELECT} WHERE p.account_id = ? ORDER BY p.policy_name COLLATE NOCASE`,
        ),
        deletePolicy: db.prepare('DELETE FROM iam_policies WHERE policy_id = ?'),
        anyPolicyAttachment: db
            .prepare('SELECT 1 FROM iam_user_attachments WHERE policy_id = ? LIMIT 1')
            .pluck(),
        isAttached: db
            .prepare('SELECT 1 FROM iam_user_attachments WHERE user_id = ? AND policy_id = ?')
            .pluck(),
        attachmentCount: db
            .prepare('SELECT COUNT(*) FROM iam_user_attachments WHERE user_id = ?')
            .pluck(),
        attach: db.prepare('INSERT INTO iam_user_attachments (user_id, policy_id) VALUES (?, ?)'),
        detach: db.prepare('DELETE FROM iam_user_attachments WHERE user_id = ? AND policy_id = ?'),
        attachedPolicies: db.prepare(
            `${POLICY_SELECT} JOIN iam_user_attachments ua ON ua.policy_id = p.policy_id ` +
                'WHERE ua.user_id = ? ORDER BY p.policy_name COLLATE NOCASE',
        ),
    };
}

function accountFromRow(row: AccountRow): AccountRecord {
    return { accountId: row.account_id, name: row.name, createdAt: row.created_at };
}

function userFromRow(row: UserRow): UserRecord {
    return {
        accountId: row.account_id,
        userName: row.user_name,
        path: row.path,
        userId: row.user_id,
        arn: userArn(row.account_id, row.path, row.user_name),
        createdAt: row.created_at,
    };
}

function keyFromRow(row: KeyRow): AccessKeyRecord {
    const record: AccessKeyRecord = {
        accessKeyId: row.access_key_id,
        accountId: row.account_id,
        status: row.status,
        createdAt: row.created_at,
    };
    if (row.user_id !== null) {
        if (row.user_name === null || row.path === null) {
            throw new Error(`access key ${row.access_key_id} belongs to a missing user`);
        }
        record.user = userFromRow({
            user_id: row.user_id,
            account_id: row.account_id,
            user_name: row.user_name,
            path: row.path,
            created_at: row.user_created_at ?? 0,
        });
    }
    return record;
}

function inlineFromRow(row: InlineRow): InlinePolicyRecord {
    return { userId: row.user_id, policyName: row.policy_name, document: row.document };
}

function policyFromRow(row: PolicyRow): ManagedPolicyRecord {
    return {
        accountId: row.account_id,
        policyName: row.policy_name,
        path: row.path,
        policyId: row.policy_id,
        arn: policyArn(row.account_id, row.path, row.policy_name),
        description: row.description,
        document: row.document,
        defaultVersionId: 'v1',
        createdAt: row.created_at,
        updatedAt: row.updated_at,
        attachmentCount: row.attachment_count,
    };
}
