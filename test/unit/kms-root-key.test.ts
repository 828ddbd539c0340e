import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GENERATED_ROOT_KEY_FILE, loadRootKey } from '../../src/kms/root-key.js';

describe('kms root key configuration', () => {
    let dir: string;
    before(() => {
        dir = mkdtempSync(join(tmpdir(), 'coffer-root-key-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('generates a key with mode 0600 on first start, then reads the same key', () => {
        const dataDir = mkdtempSync(join(dir, 'data-'));
        const first = loadRootKey({ env: {}, dataDir });
        assert.equal(first.source, 'generated');
        assert.equal(first.path, join(dataDir, GENERATED_ROOT_KEY_FILE));
        assert.equal(first.key.length, 32);
        assert.equal(statSync(first.path).mode & 0o777, 0o600);
        assert.equal(readFileSync(first.path, 'utf8').trim(), first.key.toString('base64'));
        const second = loadRootKey({ env: {}, dataDir });
        assert.equal(second.source, 'data-dir');
        assert.deepEqual(second.key, first.key);
        assert.deepEqual(second.warnings, []);
    });

    it('reads COFFER_ROOT_KEY as base64 of 32 bytes', () => {
        const key = randomBytes(32);
        const loaded = loadRootKey({
            env: { COFFER_ROOT_KEY: key.toString('base64') },
            dataDir: dir,
        });
        assert.equal(loaded.source, 'env');
        assert.deepEqual(loaded.key, key);
        assert.throws(
            () =>
                loadRootKey({
                    env: { COFFER_ROOT_KEY: randomBytes(16).toString('base64') },
                    dataDir: dir,
                }),
            /32 bytes/,
        );
        assert.throws(
            () => loadRootKey({ env: { COFFER_ROOT_KEY: 'not base64 at all!' }, dataDir: dir }),
            /base64/,
        );
    });

    it('reads --root-key-file as base64 text or 32 raw bytes, warning when others can read it', () => {
        const key = randomBytes(32);
        const textFile = join(dir, 'root.b64');
        writeFileSync(textFile, `${key.toString('base64')}\n`, { mode: 0o600 });
        const fromText = loadRootKey({ rootKeyFile: textFile, env: {}, dataDir: dir });
        assert.equal(fromText.source, 'file');
        assert.deepEqual(fromText.key, key);
        assert.deepEqual(fromText.warnings, []);
        const rawFile = join(dir, 'root.bin');
        writeFileSync(rawFile, key, { mode: 0o600 });
        assert.deepEqual(loadRootKey({ rootKeyFile: rawFile, env: {}, dataDir: dir }).key, key);
        chmodSync(rawFile, 0o644);
        assert.match(
            loadRootKey({ rootKeyFile: rawFile, env: {}, dataDir: dir }).warnings[0] ?? '',
            /chmod 600/,
        );
    });

    it('refuses both a file and the environment variable', () => {
        const file = join(dir, 'both.b64');
        writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
        const env = { COFFER_ROOT_KEY: randomBytes(32).toString('base64') };
        assert.throws(() => loadRootKey({ rootKeyFile: file, env, dataDir: dir }), /not both/);
    });
});
