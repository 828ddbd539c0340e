/**
 * Where the KMS root key comes from, in order:
 * 1. `--root-key-file <path>`: a file holding the 32 bytes, raw or base64 text.
 * 2. `COFFER_ROOT_KEY`: the 32 bytes in base64.
 * 3. Otherwise `<data-dir>/kms-root-key` (base64 text), generated with mode 0600 on first start.
 * Setting both 1 and 2 is an error: a silent choice between two root keys could seal new keys
 * under the wrong one. The key itself is never logged; the caller logs `source` and `path`.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT_KEY_SIZE = 32;
export const ROOT_KEY_ENV = 'COFFER_ROOT_KEY';
export const GENERATED_ROOT_KEY_FILE = 'kms-root-key';

export interface RootKeyOptions {
    rootKeyFile?: string;
    /** The environment to read COFFER_ROOT_KEY from (process.env in production). */
    env: Record<string, string | undefined>;
    dataDir: string;
}

export interface LoadedRootKey {
    key: Buffer;
    source: 'file' | 'env' | 'data-dir' | 'generated';
    /** The file it came from or was written to. */
    path?: string;
    /** Worth a log line: e.g. a key file that others can read. */
    warnings: string[];
}

export function loadRootKey(options: RootKeyOptions): LoadedRootKey {
    const fromEnv = options.env[ROOT_KEY_ENV];
    if (options.rootKeyFile !== undefined && fromEnv !== undefined && fromEnv !== '') {
        throw new Error(`set --root-key-file or ${ROOT_KEY_ENV}, not both`);
    }
    if (options.rootKeyFile !== undefined) return readKeyFile(options.rootKeyFile, 'file');
    if (fromEnv !== undefined && fromEnv !== '') {
        return { key: decodeKey(fromEnv, ROOT_KEY_ENV), source: 'env', warnings: [] };
    }
    const path = join(options.dataDir, GENERATED_ROOT_KEY_FILE);
    return generateKeyFile(path) ?? readKeyFile(path, 'data-dir');
}

/** Writes a fresh key with O_EXCL, so two processes starting at once cannot both write one. */
function generateKeyFile(path: string): LoadedRootKey | undefined {
    let fd: number;
    try {
        fd = openSync(path, 'wx', 0o600);
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
        throw error;
    }
    const key = randomBytes(ROOT_KEY_SIZE);
    try {
        writeSync(fd, `${key.toString('base64')}\n`);
        fsyncSync(fd);
    } finally {
        closeSync(fd);
    }
    return { key, source: 'generated', path, warnings: [] };
}

function readKeyFile(path: string, source: 'file' | 'data-dir'): LoadedRootKey {
    const content = readFileSync(path);
    const key =
        content.length === ROOT_KEY_SIZE
            ? Buffer.from(content)
            : decodeKey(content.toString('latin1'), path);
    content.fill(0);
    const warnings: string[] = [];
    if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) {
        warnings.push(`root key file ${path} is readable by other users; chmod 600 it`);
    }
    return { key, source, path, warnings };
}

/** Strict base64 (standard alphabet, padding optional) of exactly 32 bytes. */
function decodeKey(text: string, where: string): Buffer {
    const trimmed = text.trim();
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) {
        throw new Error(`${where}: the root key must be ${ROOT_KEY_SIZE} bytes in base64`);
    }
    const key = Buffer.from(trimmed, 'base64');
    if (key.length !== ROOT_KEY_SIZE) {
        throw new Error(`${where}: the root key must be ${ROOT_KEY_SIZE} bytes, got ${key.length}`);
    }
    return key;
}
