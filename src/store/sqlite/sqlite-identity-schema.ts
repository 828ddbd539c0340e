/**
 * The identity store's SQLite schema and statements (tables `iam_*`, created if missing, so they
 * can live in the metadata store's database file). Names of users and policies use NOCASE: IAM
 * names are ASCII and unique per account ignoring case.
 */
import type Database from 'better-sqlite3';

export const IDENTITY_SCHEMA = `
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

const KEY_SELECT =
    'SELECT k.*, u.user_name, u.path, u.created_at AS user_created_at FROM iam_access_keys k ' +
    'LEFT JOIN iam_users u ON u.user_id = k.user_id';
const POLICY_SELECT =
    'SELECT p.*, (SELECT COUNT(*) FROM iam_user_attachments a WHERE a.policy_id = p.policy_id) ' +
    'AS attachment_count FROM iam_policies p';

/** Every statement the store runs, prepared once per connection. */
export function prepareIdentityStatements(db: Database.Database) {
    return { ...accountStatements(db), ...keyStatements(db), ...policyStatements(db) };
}

function accountStatements(db: Database.Database) {
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
    };
}

function keyStatements(db: Database.Database) {
    return {
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
            `${KEY_SELECT} WHERE k.status = 'Active' ` +
                'AND (k.user_id IS NULL OR u.user_id IS NOT NULL)',
        ),
        setKeyStatus: db.prepare('UPDATE iam_access_keys SET status = ? WHERE access_key_id = ?'),
        deleteKey: db.prepare('DELETE FROM iam_access_keys WHERE access_key_id = ?'),
        keysVersion: db
            .prepare("SELECT value FROM iam_meta WHERE name = 'access_keys_version'")
            .pluck(),
        bumpKeysVersion: db.prepare(
            "UPDATE iam_meta SET value = value + 1 WHERE name = 'access_keys_version'",
        ),
    };
}

function policyStatements(db: Database.Database) {
    return {
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
