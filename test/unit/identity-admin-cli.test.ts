import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { StoreBackedDirectory } from '../../src/identity/directory.js';
import { deriveCredentialSealingKey } from '../../src/identity/sealing-key.js';
import { loadRootKey } from '../../src/kms/root-key.js';
import { SqliteIdentityStore } from '../../src/store/sqlite/sqlite-identity-store.js';
import { SqliteMetadataStore } from '../../src/store/sqlite/sqlite-metadata-store.js';

const run = promisify(execFile);
/** From source (tsx, a quick run of this file) or compiled (dist/test/unit, `npm test`). */
const SOURCE_CLI = join(import.meta.dirname, '../../src/cli/main.ts');
const CLI_ARGS = existsSync(SOURCE_CLI)
    ? ['--import', 'tsx', SOURCE_CLI]
    : [join(import.meta.dirname, '../../src/cli/main.js')];
const ACCOUNT = '210987654321';

interface CliResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs `coffer admin ...` as a user would, in its own process. */
async function admin(dataDir: string, ...args: string[]): Promise<CliResult> {
    const argv = [...CLI_ARGS, 'admin', ...args, '--data-dir', dataDir];
    const env = { ...process.env, COFFER_ROOT_KEY: '', COFFER_ROOT_ACCESS_KEY: '' };
    try {
        const { stdout, stderr } = await run(process.execPath, argv, { env });
        return { code: 0, stdout, stderr };
    } catch (error) {
        const failed = error as { code: number; stdout: string; stderr: string };
        return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
}

function openStore(dataDir: string): SqliteIdentityStore {
    const rootKey = loadRootKey({ dataDir, env: {} });
    return SqliteIdentityStore.openFile(
        join(dataDir, 'metadata.sqlite'),
        deriveCredentialSealingKey(rootKey.key),
    );
}

describe('coffer admin', () => {
    let dataDir: string;
    before(() => {
        dataDir = mkdtempSync(join(tmpdir(), 'coffer-admin-'));
    });
    after(() => rmSync(dataDir, { recursive: true, force: true }));

    it('account create makes an account and prints its root key pair once', async () => {
        const created = await admin(
            dataDir,
            'account',
            'create',
            '--name',
            'acme',
            '--id',
            ACCOUNT,
        );
        assert.equal(created.code, 0, created.stderr);
        assert.match(created.stdout, new RegExp(`Created account ${ACCOUNT} \\(acme\\)`));
        const id = /AWS_ACCESS_KEY_ID=(AKIA[A-Z0-9]{16})/.exec(created.stdout)?.[1];
        const secret = /AWS_SECRET_ACCESS_KEY=(\S{40})/.exec(created.stdout)?.[1];
        assert.ok(id && secret, created.stdout);
        const store = openStore(dataDir);
        try {
            const [key] = await store.activeAccessKeys();
            assert.equal(key.accessKeyId, id);
            assert.equal(key.secretAccessKey, secret);
            assert.equal(key.user, undefined, 'a root key');
        } finally {
            store.close();
        }
        const bytes = readFileSync(join(dataDir, 'metadata.sqlite'));
        assert.equal(bytes.includes(Buffer.from(secret)), false);
        const again = await admin(dataDir, 'account', 'create', '--name', 'twin', '--id', ACCOUNT);
        assert.equal(again.code, 1);
        assert.match(again.stderr, /EntityAlreadyExists: Account 210987654321 already exists/);
    });

    it('user create, then key set reaches a running directory without a restart', async () => {
        const user = await admin(dataDir, 'user', 'create', '--account', ACCOUNT, '--name', 'bob');
        assert.equal(user.code, 0, user.stderr);
        assert.match(
            user.stdout,
            new RegExp(`arn:aws:iam::${ACCOUNT}:user/bob \\(AIDA[A-Z0-9]{17}\\)`),
        );
        const store = openStore(dataDir);
        const directory = await StoreBackedDirectory.open({
            store,
            defaultRoot: {
                accessKeyId: 'AKIATESTSERVERROOT01',
                secretAccessKey: 'server-root-secret',
                principal: {
                    type: 'Root',
                    accountId: ACCOUNT,
                    arn: `arn:aws:iam::${ACCOUNT}:root`,
                    accessKeyId: 'AKIATESTSERVERROOT01',
                },
            },
            refreshIntervalMs: 50,
        });
        try {
            const id = 'AKIABOBFIXEDKEY00001';
            const set = await admin(
                dataDir,
                ...['key', 'set', '--account', ACCOUNT, '--user', 'bob'],
                ...['--access-key', id, '--secret-key', 'bob-fixed-secret'],
            );
            assert.equal(set.code, 0, set.stderr);
            assert.equal(
                set.stdout.includes('bob-fixed-secret'),
                false,
                'a chosen secret is not echoed',
            );
            const deadline = Date.now() + 5000;
            while (directory.lookup(id) === undefined && Date.now() < deadline) {
                await new Promise((resolve) => setTimeout(resolve, 20));
            }
            const record = directory.lookup(id);
            assert.equal(record?.secretAccessKey, 'bob-fixed-secret');
            assert.equal(record?.principal.type === 'User' && record.principal.userName, 'bob');
        } finally {
            directory.close();
            store.close();
        }
    });

    it('key list shows every key of the account and no secret', async () => {
        const listed = await admin(dataDir, 'key', 'list', '--account', ACCOUNT);
        assert.equal(listed.code, 0, listed.stderr);
        const lines = listed.stdout.trim().split('\n');
        assert.match(lines[0], /^ACCESS KEY ID\s+OWNER\s+STATUS\s+CREATED$/);
        assert.equal(lines.length, 3);
        assert.ok(lines.some((l) => l.includes('AKIABOBFIXEDKEY00001') && l.includes(':user/bob')));
        assert.ok(lines.some((l) => l.includes(`arn:aws:iam::${ACCOUNT}:root`)));
        assert.equal(listed.stdout.includes('bob-fixed-secret'), false);
    });

    it('refuses unknown users and bad input with IAM’s codes and exit status 1', async () => {
        const unknown = await admin(
            dataDir,
            ...['key', 'set', '--account', ACCOUNT, '--user', 'nobody'],
            ...['--access-key', 'AKIANOBODYKEY0000001', '--secret-key', 'some-secret-1'],
        );
        assert.equal(unknown.code, 1);
        assert.match(unknown.stderr, /NoSuchEntity: The user with name nobody cannot be found/);
        const short = await admin(
            dataDir,
            ...['key', 'set', '--account', ACCOUNT],
            ...['--access-key', 'AKIAROOTFIXEDKEY0001', '--secret-key', 'short'],
        );
        assert.equal(short.code, 1);
        assert.match(short.stderr, /ValidationError/);
        assert.equal(short.stderr.includes('short'), false, 'the secret is not echoed');
    });

    it('refuses a root key other than the one the stored keys were sealed with', async () => {
        const otherKey = join(dataDir, 'other.key');
        writeFileSync(otherKey, randomBytes(32), { mode: 0o600 });
        const listed = await admin(dataDir, 'account', 'list', '--root-key-file', otherKey);
        assert.equal(listed.code, 1);
        assert.match(listed.stderr, /do not open under this root key/);
    });

    it('lists the server’s default account once the server has recorded it', async () => {
        const metadata = new SqliteMetadataStore(join(dataDir, 'metadata.sqlite'));
        await metadata.setSetting('account_id', '123412341234');
        metadata.close();
        const listed = await admin(dataDir, 'account', 'list');
        assert.equal(listed.code, 0, listed.stderr);
        assert.match(listed.stdout, /^123412341234\s+default\s/m);
        assert.match(listed.stdout, new RegExp(`^${ACCOUNT}\\s+acme\\s`, 'm'));
    });
});
