/**
 * Opening a data directory: the stores, the account and its root credentials, and the
 * collection of whatever a crash left behind.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { CredentialRecord } from '../identity/credentials.js';
import { StoreBackedDirectory } from '../identity/directory.js';
import { deriveCredentialSealingKey } from '../identity/sealing-key.js';
import { createIamApi } from '../iam/index.js';
import { SqliteIdentityStore } from '../store/sqlite/sqlite-identity-store.js';
import { lockDataDir } from '../store/fs/data-dir-lock.js';
import { FsBlobStore } from '../store/fs/fs-blob-store.js';
import { createKmsApi } from '../kms/api/handler.js';
import { Kms } from '../kms/kms.js';
import { loadRootKey } from '../kms/root-key.js';
import { SqliteKmsStore } from '../store/sqlite/sqlite-kms-store.js';
import { SqliteMetadataStore, openSqliteDatabase } from '../store/sqlite/sqlite-metadata-store.js';
import type { ServerConfig } from './config.js';
import type { ServerServices } from './services.js';

export const ROOT_CREDENTIALS_FILE = 'root-credentials.json';

export interface RootKeys {
    accessKeyId: string;
    secretAccessKey: string;
}

export async function openServices(config: ServerConfig, log: Logger): Promise<ServerServices> {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    const unlock = lockDataDir(config.dataDir);
    const database = openSqliteDatabase(join(config.dataDir, 'metadata.sqlite'));
    const metadata = new SqliteMetadataStore(database, {
        checkpointFailure: (err) => log.error({ err }, 'WAL checkpoint failed'),
    });
    const blobs = new FsBlobStore(config.dataDir);
    const accountId = await accountIdOf(metadata);
    const rootKey = loadRootKeyLogged(config, log);
    const kms = await openKms(config, database, rootKey, accountId, log);
    const identities = await openIdentities(config, database, rootKey, accountId, log);
    const referenced = await metadata.referencedBlobIds();
    const collected = await blobs.collectOrphans((id) => referenced.has(id));
    if (collected > 0)
        log.info({ event: 'orphans-collected', count: collected }, 'orphans collected');
    return {
        config,
        metadata,
        blobs,
        identities,
        iamApi: createIamApi({
            directory: identities,
            onInternalError: (err, requestId) =>
                log.error({ err, requestId }, 'IAM internal error'),
        }),
        kms,
        kmsApi: createKmsApi(kms, {
            onInternalError: (err) => log.error({ err }, 'KMS internal error'),
        }),
        accountId,
        log,
        close() {
            identities.close();
            metadata.close();
            unlock();
        },
    };
}

/** The root key seals KMS key material and stored access-key secrets. */
function loadRootKeyLogged(config: ServerConfig, log: Logger): Buffer {
    const root = loadRootKey({
        rootKeyFile: config.rootKeyFile,
        env: process.env,
        dataDir: config.dataDir,
    });
    for (const warning of root.warnings) log.warn({ event: 'root-key-warning' }, warning);
    log.info({ event: 'root-key', source: root.source, path: root.path }, 'root key loaded');
    return root.key;
}

/** Accounts, IAM users and their keys; the default account's root keys are the server's. */
async function openIdentities(
    config: ServerConfig,
    database: ReturnType<typeof openSqliteDatabase>,
    rootKey: Buffer,
    accountId: string,
    log: Logger,
): Promise<StoreBackedDirectory> {
    const keys = rootKeys(config.dataDir, log);
    const defaultRoot: CredentialRecord = {
        ...keys,
        principal: {
            type: 'Root',
            accountId,
            arn: `arn:aws:iam::${accountId}:root`,
            accessKeyId: keys.accessKeyId,
        },
    };
    return StoreBackedDirectory.open({
        store: new SqliteIdentityStore(database, deriveCredentialSealingKey(rootKey)),
        defaultRoot,
        onRefreshError: (err) => log.error({ err }, 'identity refresh failed'),
        onUnreadableKey: (accessKeyId) =>
            log.warn({ event: 'unreadable-access-key', accessKeyId }, 'stored key does not open'),
    });
}

/** The built-in KMS, its key material sealed under the root key, swept for expired keys. */
async function openKms(
    config: ServerConfig,
    database: ReturnType<typeof openSqliteDatabase>,
    rootKey: Buffer,
    accountId: string,
    log: Logger,
): Promise<Kms> {
    const kms = new Kms({
        store: new SqliteKmsStore(database),
        rootKey,
        region: config.region,
        accountId,
        audit: (event) => log.info({ event: 'kms-audit', ...event }, 'kms key used'),
    });
    await kms.verifyRootKey();
    const maintain = async () => {
        const destroyed = await kms.sweepExpiredKeys();
        if (destroyed.length > 0)
            log.info({ event: 'kms-keys-destroyed', keys: destroyed }, 'keys destroyed');
        await kms.rotateDueKeys();
    };
    await maintain();
    setInterval(
        () => void maintain().catch((err) => log.error({ err }, 'KMS maintenance failed')),
        60_000,
    ).unref();
    return kms;
}

/** The embedded default's one account, with a 12-digit id fixed on first start. */
async function accountIdOf(metadata: SqliteMetadataStore): Promise<string> {
    const existing = await metadata.getSetting('account_id');
    if (existing) return existing;
    const accountId = String(randomInt(100000, 999999)) + String(randomInt(100000, 999999));
    await metadata.setSetting('account_id', accountId);
    return accountId;
}

/**
 * Root keys come from COFFER_ROOT_ACCESS_KEY / COFFER_ROOT_SECRET_KEY; when unset, from the
 * data dir, generated (mode 0600) and printed once on first start.
 */
function rootKeys(dataDir: string, log: Logger): RootKeys {
    const accessKeyId = process.env['COFFER_ROOT_ACCESS_KEY'];
    const secretAccessKey = process.env['COFFER_ROOT_SECRET_KEY'];
    if (accessKeyId && secretAccessKey) return { accessKeyId, secretAccessKey };
    if (accessKeyId || secretAccessKey) {
        throw new Error('set both COFFER_ROOT_ACCESS_KEY and COFFER_ROOT_SECRET_KEY, or neither');
    }
    const file = join(dataDir, ROOT_CREDENTIALS_FILE);
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as RootKeys;
    const generated: RootKeys = {
        accessKeyId: 'AKIA' + randomBytes(10).toString('hex').toUpperCase().slice(0, 16),
        secretAccessKey: randomBytes(30).toString('base64').replace(/[+/]/g, 'x').slice(0, 40),
    };
    writeFileSync(file, JSON.stringify(generated, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    log.info({ event: 'root-credentials-generated', file }, 'root credentials generated');
    // Printed once, to the terminal only: the log never carries a secret.
    process.stderr.write(
        `\nCoffer generated root credentials (stored in ${file}, mode 0600):\n` +
            `  AWS_ACCESS_KEY_ID=${generated.accessKeyId}\n` +
            `  AWS_SECRET_ACCESS_KEY=${generated.secretAccessKey}\n\n`,
    );
    return generated;
}
