import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { IntegrityError } from '../../src/crypto/index.js';
import { deriveCredentialSealingKey } from '../../src/identity/sealing-key.js';
import { SqliteIdentityStore } from '../../src/store/sqlite/sqlite-identity-store.js';
import {
    ACCOUNT,
    ROOT_KEY_ID,
    openIdentities,
    rejectsWith,
    type IdentityHarness,
} from './identity-harness.js';

const ALLOW_ALL_S3 = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
});

/** Every byte the database has on disk: the main file, its WAL and shared memory. */
function databaseBytes(h: IdentityHarness): Buffer {
    const files = readdirSync(h.dir).filter((name) => name.startsWith('metadata.sqlite'));
    return Buffer.concat(files.map((name) => readFileSync(join(h.dir, name))));
}

describe('identity store and directory: accounts, users, keys', () => {
    let h: IdentityHarness;
    before(async () => {
        h = await openIdentities();
    });
    after(() => h.close());

    it('records the default account and resolves the server root credentials', async () => {
        const account = await h.store.getAccount(ACCOUNT);
        assert.equal(account?.name, 'default');
        const record = h.directory.lookup(ROOT_KEY_ID);
        assert.equal(record?.principal.type, 'Root');
        assert.equal(record?.secretAccessKey, h.root.secretAccessKey);
        assert.equal(await h.directory.principalExists(`arn:aws:iam::${ACCOUNT}:root`), true);
        assert.equal(await h.directory.principalExists('arn:aws:iam::999988887777:root'), false);
    });

    it('creates users with AWS ids and ARNs, unique ignoring case', async () => {
        const user = await h.directory.admin.createUser(ACCOUNT, 'Alice', '/eng/');
        assert.match(user.userId, /^AIDA[A-Z0-9]{17}$/);
        assert.equal(user.arn, `arn:aws:iam::${ACCOUNT}:user/eng/Alice`);
        assert.equal((await h.directory.admin.getUser(ACCOUNT, 'alice')).userId, user.userId);
        await rejectsWith(
            h.directory.admin.createUser(ACCOUNT, 'ALICE'),
            'EntityAlreadyExists',
            /User with name ALICE already exists/,
        );
        await rejectsWith(h.directory.admin.createUser(ACCOUNT, 'a b'), 'ValidationError');
        await rejectsWith(h.directory.admin.createUser(ACCOUNT, 'x', 'eng'), 'ValidationError');
        await rejectsWith(h.directory.admin.createUser('999988887777', 'x'), 'NoSuchEntity');
        assert.equal(await h.directory.principalExists(user.arn), true);
        assert.equal(
            await h.directory.principalExists(`arn:aws:iam::${ACCOUNT}:user/Alice`),
            false,
            'a user ARN must carry the real path',
        );
    });

    it('creates key pairs that resolve at once to the user principal', async () => {
        const { key, secretAccessKey } = await h.directory.admin.createAccessKey({
            accountId: ACCOUNT,
            userName: 'alice',
        });
        assert.match(key.accessKeyId, /^AKIA[A-Z0-9]{16}$/);
        assert.match(secretAccessKey, /^[A-Za-z0-9+/]{40}$/);
        assert.equal(key.status, 'Active');
        const record = h.directory.lookup(key.accessKeyId);
        assert.equal(record?.secretAccessKey, secretAccessKey);
        assert.deepEqual(record?.principal, {
            type: 'User',
            accountId: ACCOUNT,
            userName: 'Alice',
            userId: key.user?.userId,
            arn: `arn:aws:iam::${ACCOUNT}:user/eng/Alice`,
            accessKeyId: key.accessKeyId,
        });
    });

    it('stores secrets only sealed: the secret is nowhere in the database files', async () => {
        const { key, secretAccessKey } = await h.directory.admin.createAccessKey({
            accountId: ACCOUNT,
        });
        assert.equal(h.directory.lookup(key.accessKeyId)?.principal.type, 'Root');
        const before = databaseBytes(h);
        assert.ok(before.includes(Buffer.from(key.accessKeyId)), 'the key id itself is stored');
        assert.equal(before.includes(Buffer.from(secretAccessKey)), false);
        h.db.pragma('wal_checkpoint(TRUNCATE)');
        assert.equal(databaseBytes(h).includes(Buffer.from(secretAccessKey)), false);
        await h.directory.admin.deleteAccessKey({ accountId: ACCOUNT }, key.accessKeyId);
        assert.equal(h.directory.lookup(key.accessKeyId), undefined);
    });

    it('inactive keys do not resolve; reactivated ones do', async () => {
        const owner = { accountId: ACCOUNT, userName: 'Alice' };
        const [key] = await h.directory.admin.listAccessKeys(owner);
        await h.directory.admin.updateAccessKey(owner, key.accessKeyId, 'Inactive');
        assert.equal(h.directory.lookup(key.accessKeyId), undefined);
        assert.equal((await h.store.getAccessKey(key.accessKeyId))?.status, 'Inactive');
        await h.directory.admin.updateAccessKey(owner, key.accessKeyId, 'Active');
        assert.equal(h.directory.lookup(key.accessKeyId)?.accessKeyId, key.accessKeyId);
    });

    it('allows two keys per owner (LimitExceeded beyond) and hides others’ keys', async () => {
        const owner = { accountId: ACCOUNT, userName: 'Alice' };
        await h.directory.admin.createAccessKey(owner);
        await rejectsWith(
            h.directory.admin.createAccessKey(owner),
            'LimitExceeded',
            /AccessKeysPerUser: 2/,
        );
        const keys = await h.directory.admin.listAccessKeys(owner);
        assert.equal(keys.length, 2);
        await h.directory.admin.createUser(ACCOUNT, 'bob');
        await rejectsWith(
            h.directory.admin.deleteAccessKey(
                { accountId: ACCOUNT, userName: 'bob' },
                keys[0].accessKeyId,
            ),
            'NoSuchEntity',
            /The Access Key with id \w+ cannot be found/,
        );
    });

    it('sets chosen key pairs, replaces their secret, refuses ids of other owners', async () => {
        const bob = { accountId: ACCOUNT, userName: 'bob' };
        const id = 'AKIACHOSENBOBKEY0001';
        await h.directory.admin.setAccessKey(bob, id, 'first-secret-1234');
        assert.equal(h.directory.lookup(id)?.secretAccessKey, 'first-secret-1234');
        await h.directory.admin.updateAccessKey(bob, id, 'Inactive');
        await h.directory.admin.setAccessKey(bob, id, 'second-secret-5678');
        assert.equal(h.directory.lookup(id)?.secretAccessKey, 'second-secret-5678');
        await rejectsWith(
            h.directory.admin.setAccessKey({ accountId: ACCOUNT }, id, 'third-secret-9012'),
            'EntityAlreadyExists',
        );
        await rejectsWith(
            h.directory.admin.setAccessKey(bob, 'short', 'x'.repeat(20)),
            'ValidationError',
        );
        await rejectsWith(h.directory.admin.setAccessKey(bob, id, 'short'), 'ValidationError');
    });

    it('refuses to delete users with keys or policies (DeleteConflict), as IAM', async () => {
        const admin = h.directory.admin;
        const carol = await admin.createUser(ACCOUNT, 'carol');
        const { key } = await admin.createAccessKey({ accountId: ACCOUNT, userName: 'carol' });
        await rejectsWith(admin.deleteUser(ACCOUNT, 'carol'), 'DeleteConflict', /access keys/);
        await admin.deleteAccessKey({ accountId: ACCOUNT, userName: 'carol' }, key.accessKeyId);
        await h.directory.policies.putUserPolicy(ACCOUNT, 'carol', 'inline', ALLOW_ALL_S3);
        await rejectsWith(admin.deleteUser(ACCOUNT, 'carol'), 'DeleteConflict', /delete policies/);
        await h.directory.policies.deleteUserPolicy(ACCOUNT, 'carol', 'inline');
        const policy = await h.directory.policies.createPolicy(ACCOUNT, {
            policyName: 'S3All',
            document: ALLOW_ALL_S3,
        });
        await h.directory.policies.attachUserPolicy(ACCOUNT, 'carol', policy.arn);
        await rejectsWith(admin.deleteUser(ACCOUNT, 'carol'), 'DeleteConflict', /detach/);
        await h.directory.policies.detachUserPolicy(ACCOUNT, 'carol', policy.arn);
        await admin.deleteUser(ACCOUNT, 'carol');
        await rejectsWith(admin.getUser(ACCOUNT, 'carol'), 'NoSuchEntity');
        assert.equal(await h.directory.principalExists(carol.arn), false);
        await rejectsWith(admin.deleteUser(ACCOUNT, 'carol'), 'NoSuchEntity');
    });

    it('gives a user its inline and attached documents as identity policies', async () => {
        const policies = h.directory.policies;
        await policies.putUserPolicy(ACCOUNT, 'bob', 'own', ALLOW_ALL_S3);
        const managed = await policies.getPolicy(ACCOUNT, `arn:aws:iam::${ACCOUNT}:policy/S3All`);
        await policies.attachUserPolicy(ACCOUNT, 'bob', managed.arn);
        const bobKey = h.directory.lookup('AKIACHOSENBOBKEY0001');
        assert.ok(bobKey);
        const documents = await h.directory.policiesOf(bobKey.principal);
        assert.deepEqual(
            documents.map((d) => d.name),
            ['own', managed.arn],
        );
        assert.ok(documents.every((d) => d.document === ALLOW_ALL_S3));
        assert.deepEqual(await h.directory.policiesOf(h.root.principal), []);
    });
});

describe('identity store: sealing', () => {
    let h: IdentityHarness;
    before(async () => {
        h = await openIdentities();
    });
    after(() => h.close());

    it('opens secrets under its sealing key and nothing under another', async () => {
        const { secretAccessKey } = await h.directory.admin.createAccessKey({ accountId: ACCOUNT });
        const opened = await h.store.activeAccessKeys();
        assert.ok(opened.some((key) => key.secretAccessKey === secretAccessKey));
        const other = new SqliteIdentityStore(
            new Database(h.dbPath),
            deriveCredentialSealingKey(randomBytes(32)),
        );
        try {
            const unreadable: unknown[] = [];
            const keys = await other.activeAccessKeys((id, error) => unreadable.push([id, error]));
            assert.deepEqual(keys, []);
            assert.equal(unreadable.length, opened.length);
            assert.ok(
                unreadable.every((entry) => (entry as unknown[])[1] instanceof IntegrityError),
            );
        } finally {
            other.close();
        }
    });

    it('binds each sealed secret to its key id and owner', async () => {
        const admin = h.directory.admin;
        const [a] = await admin.listAccessKeys({ accountId: ACCOUNT });
        await admin.createUser(ACCOUNT, 'erin');
        const b = await admin.createAccessKey({ accountId: ACCOUNT, userName: 'erin' });
        // Move a's sealed secret into b's row, as someone with write access to the file could.
        h.db
            .prepare(
                'UPDATE iam_access_keys SET sealed_secret = (SELECT sealed_secret FROM ' +
                    'iam_access_keys WHERE access_key_id = ?) WHERE access_key_id = ?',
            )
            .run(a.accessKeyId, b.key.accessKeyId);
        const unreadable: string[] = [];
        const keys = await h.store.activeAccessKeys((id, error) => {
            assert.ok(error instanceof IntegrityError);
            unreadable.push(id);
        });
        assert.deepEqual(unreadable, [b.key.accessKeyId]);
        assert.ok(
            keys.some((key) => key.accessKeyId === a.accessKeyId),
            'the others still open',
        );
        // The directory leaves the tampered key out instead of failing every key.
        await h.directory.refresh();
        assert.equal(h.directory.lookup(b.key.accessKeyId), undefined);
        assert.equal(h.directory.lookup(a.accessKeyId)?.accessKeyId, a.accessKeyId);
        // Reassigning a key to another owner breaks it too: the owner is bound as well.
        h.db
            .prepare('UPDATE iam_access_keys SET user_id = ? WHERE access_key_id = ?')
            .run(b.key.user?.userId, a.accessKeyId);
        const reassigned: string[] = [];
        await h.store.activeAccessKeys((id) => reassigned.push(id));
        assert.ok(reassigned.includes(a.accessKeyId));
    });

    it('derives the sealing key with HKDF-SHA256 (checked against RFC 5869 by hand)', () => {
        const rootKey = Buffer.alloc(32, 7);
        // RFC 5869: PRK = HMAC(salt = zeros(32), IKM); OKM = HMAC(PRK, info || 0x01), one block.
        const prk = createHmac('sha256', Buffer.alloc(32)).update(rootKey).digest();
        const okm = createHmac('sha256', prk)
            .update(Buffer.concat([Buffer.from('coffer credential sealing v1'), Buffer.from([1])]))
            .digest();
        assert.deepEqual(deriveCredentialSealingKey(rootKey), okm);
        assert.notDeepEqual(deriveCredentialSealingKey(Buffer.alloc(32, 8)), okm);
        assert.throws(() => deriveCredentialSealingKey(Buffer.alloc(16)), RangeError);
    });
});

describe('identity directory: keys changed by another process', () => {
    let h: IdentityHarness;
    before(async () => {
        h = await openIdentities(50);
    });
    after(() => h.close());

    it('picks up a key set through another connection without a restart', async () => {
        const other = new SqliteIdentityStore(new Database(h.dbPath), h.sealingKey);
        try {
            const { IdentityAdmin } = await import('../../src/identity/admin.js');
            const admin = new IdentityAdmin({ store: other });
            await admin.createUser(ACCOUNT, 'dave');
            const id = 'AKIAOTHERPROCESS0001';
            await admin.setAccessKey(
                { accountId: ACCOUNT, userName: 'dave' },
                id,
                'dave-secret-0001',
            );
            assert.equal(h.directory.lookup(id), undefined, 'not yet polled');
            const deadline = Date.now() + 2000;
            while (h.directory.lookup(id) === undefined && Date.now() < deadline) {
                await new Promise((resolve) => setTimeout(resolve, 20));
            }
            assert.equal(h.directory.lookup(id)?.secretAccessKey, 'dave-secret-0001');
            await admin.updateAccessKey({ accountId: ACCOUNT, userName: 'dave' }, id, 'Inactive');
            const gone = Date.now() + 2000;
            while (h.directory.lookup(id) !== undefined && Date.now() < gone) {
                await new Promise((resolve) => setTimeout(resolve, 20));
            }
            assert.equal(h.directory.lookup(id), undefined);
        } finally {
            other.close();
        }
    });
});
