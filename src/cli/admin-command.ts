/**
 * `coffer admin`: accounts, IAM users and access keys, written straight into a data directory's
 * `metadata.sqlite` (tables `iam_*`). Safe next to a running server: each command is a few short
 * WAL transactions, and a running server notices key changes within about a second (it polls the
 * key version), so `admin key set` needs no restart. Other changes (accounts, users) are read
 * from the database whenever the server needs them.
 *
 *   coffer admin account create --name N [--id 123456789012] [--access-key K --secret-key S]
 *   coffer admin account list
 *   coffer admin user create --account ID --name N [--path /p/]
 *   coffer admin key set --account ID [--user NAME] --access-key K --secret-key S
 *   coffer admin key list --account ID
 *
 * Secret access keys are sealed under a key derived from the root key (`--root-key-file`, else
 * `COFFER_ROOT_KEY`, else `<data-dir>/kms-root-key`, generated if missing: the same rule the
 * server follows, src/kms/root-key.ts). A generated secret is printed once, to stdout.
 * Exit status: 0 done, 1 refused (the message says why, with IAM's error code).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { IdentityAdmin, type KeyOwner } from '../identity/admin.js';
import { IamError, isIamError } from '../identity/errors.js';
import { deriveCredentialSealingKey } from '../identity/sealing-key.js';
import { loadRootKey } from '../kms/root-key.js';
import { ROOT_CREDENTIALS_FILE } from '../server/bootstrap.js';
import type { AccessKeyRecord } from '../store/identity-types.js';
import { SqliteIdentityStore } from '../store/sqlite/sqlite-identity-store.js';
import { SqliteMetadataStore } from '../store/sqlite/sqlite-metadata-store.js';

interface DataDirOptions {
    dataDir: string;
    rootKeyFile?: string;
}

/** The `admin` command tree, for `program.addCommand(adminCommand())`. */
export function adminCommand(): Command {
    const admin = new Command('admin').description(
        'Manage accounts, IAM users and access keys in a data directory ' +
            '(the server may be running).',
    );
    const account = admin.command('account').description('Accounts and their root keys.');
    withDataDir(account.command('create'))
        .description('Create an account with a root access key pair (generated unless given).')
        .requiredOption('--name <name>', 'the account name')
        .option('--id <id>', '12-digit account id (default: random)')
        .option('--access-key <id>', 'the root access key id to use')
        .option('--secret-key <secret>', 'the root secret access key to use')
        .action(run(createAccount));
    withDataDir(account.command('list')).description('List accounts.').action(run(listAccounts));

    const user = admin.command('user').description('IAM users.');
    withDataDir(user.command('create'))
        .description('Create an IAM user.')
        .requiredOption('--account <id>', 'the account id')
        .requiredOption('--name <name>', 'the user name')
        .option('--path <path>', 'the user path', '/')
        .action(run(createUser));

    const key = admin.command('key').description('Access keys.');
    withDataDir(key.command('set'))
        .description("Give an account's root user (or --user) a chosen access key pair.")
        .requiredOption('--account <id>', 'the account id')
        .option('--user <name>', 'an IAM user of the account (default: the root user)')
        .requiredOption('--access-key <id>', 'access key id (16-128 letters, digits or _)')
        .requiredOption('--secret-key <secret>', 'secret access key (8-128 visible ASCII)')
        .action(run(setKey));
    withDataDir(key.command('list'))
        .description("List an account's access keys (never their secrets).")
        .requiredOption('--account <id>', 'the account id')
        .action(run(listKeys));
    return admin;
}

function withDataDir(command: Command): Command {
    return command
        .option('--data-dir <dir>', 'the data directory', './data')
        .option('--root-key-file <path>', 'root key file (32 bytes, raw or base64)');
}

/** Runs an action with an open admin, turning refusals into a message and exit status 1. */
function run<T extends DataDirOptions>(
    action: (admin: IdentityAdmin, options: T) => Promise<void>,
) {
    return async (options: T): Promise<void> => {
        try {
            await withAdmin(options, (admin) => action(admin, options));
        } catch (error) {
            if (!isIamError(error) && !(error instanceof Error)) throw error;
            const prefix = isIamError(error) ? `${error.code}: ` : '';
            process.stderr.write(`coffer admin: ${prefix}${error.message}\n`);
            process.exitCode = 1;
        }
    };
}

async function withAdmin(
    options: DataDirOptions,
    action: (admin: IdentityAdmin) => Promise<void>,
): Promise<void> {
    const dataDir = resolve(options.dataDir);
    // Run from the wrong directory, `./data` would quietly become a second, empty store (with
    // a new root key) that the real server never sees. An existing directory is taken as meant.
    if (!existsSync(dataDir)) {
        throw new Error(
            `no data dir at ${dataDir}: pass --data-dir (the server's), or create the ` +
                'directory to set up a new one',
        );
    }
    const rootKey = loadRootKey({ rootKeyFile: options.rootKeyFile, env: process.env, dataDir });
    for (const warning of rootKey.warnings) process.stderr.write(`coffer admin: ${warning}\n`);
    const sealingKey = deriveCredentialSealingKey(rootKey.key);
    rootKey.key.fill(0);
    const databasePath = join(dataDir, 'metadata.sqlite');
    const defaultAccountId = await readDefaultAccountId(databasePath);
    const store = SqliteIdentityStore.openFile(databasePath, sealingKey);
    try {
        await checkRootKey(store);
        const admin = new IdentityAdmin({ store });
        // The server records its default account on start; do it here too, so it can be
        // named before the server has run with identities.
        if (defaultAccountId !== undefined) await admin.ensureAccount(defaultAccountId, 'default');
        await action(admin);
    } finally {
        store.close();
        sealingKey.fill(0);
    }
}

/**
 * Keys sealed here under another root key than the server's would never authenticate: refuse
 * when stored keys exist and none opens.
 */
async function checkRootKey(store: SqliteIdentityStore): Promise<void> {
    let unreadable = 0;
    const readable = await store.activeAccessKeys(() => unreadable++);
    if (unreadable > 0 && readable.length === 0) {
        throw new Error(
            'the stored access keys do not open under this root key; use the root key the ' +
                'server uses (--root-key-file or COFFER_ROOT_KEY)',
        );
    }
}

/** The embedded default's account id (settings `account_id`), once a server has started. */
async function readDefaultAccountId(databasePath: string): Promise<string | undefined> {
    if (!existsSync(databasePath)) return undefined;
    const metadata = new SqliteMetadataStore(databasePath);
    try {
        return await metadata.getSetting('account_id');
    } finally {
        metadata.close();
    }
}

interface AccountCreateOptions extends DataDirOptions {
    name: string;
    id?: string;
    accessKey?: string;
    secretKey?: string;
}

async function createAccount(admin: IdentityAdmin, options: AccountCreateOptions) {
    if ((options.accessKey === undefined) !== (options.secretKey === undefined)) {
        throw new Error('give both --access-key and --secret-key, or neither');
    }
    if (options.accessKey !== undefined) refuseServerRootKey(options.dataDir, options.accessKey);
    const account = await admin.createAccount({ name: options.name, accountId: options.id });
    const owner: KeyOwner = { accountId: account.accountId };
    print(`Created account ${account.accountId} (${account.name}).`);
    if (options.accessKey !== undefined && options.secretKey !== undefined) {
        await admin.setAccessKey(owner, options.accessKey, options.secretKey);
        print(`Root access key: ${options.accessKey} (with the given secret)`);
        return;
    }
    const created = await admin.createAccessKey(owner);
    print('Root access key pair (the secret is shown only now):');
    print(`  AWS_ACCESS_KEY_ID=${created.key.accessKeyId}`);
    print(`  AWS_SECRET_ACCESS_KEY=${created.secretAccessKey}`);
}

async function listAccounts(admin: IdentityAdmin): Promise<void> {
    const accounts = await admin.listAccounts();
    printTable(
        ['ACCOUNT ID', 'NAME', 'CREATED'],
        accounts.map((a) => [a.accountId, a.name, new Date(a.createdAt).toISOString()]),
    );
}

interface UserCreateOptions extends DataDirOptions {
    account: string;
    name: string;
    path: string;
}

async function createUser(admin: IdentityAdmin, options: UserCreateOptions): Promise<void> {
    const user = await admin.createUser(options.account, options.name, options.path);
    print(`Created user ${user.arn} (${user.userId}).`);
}

interface KeySetOptions extends DataDirOptions {
    account: string;
    user?: string;
    accessKey: string;
    secretKey: string;
}

async function setKey(admin: IdentityAdmin, options: KeySetOptions): Promise<void> {
    refuseServerRootKey(options.dataDir, options.accessKey);
    const owner: KeyOwner = { accountId: options.account, userName: options.user };
    const key = await admin.setAccessKey(owner, options.accessKey, options.secretKey);
    print(`Access key ${key.accessKeyId} is set for ${ownerName(key)}.`);
}

interface KeyListOptions extends DataDirOptions {
    account: string;
}

async function listKeys(admin: IdentityAdmin, options: KeyListOptions): Promise<void> {
    const keys = await admin.listAccountAccessKeys(options.account);
    printTable(
        ['ACCESS KEY ID', 'OWNER', 'STATUS', 'CREATED'],
        keys.map((k) => [
            k.accessKeyId,
            ownerName(k),
            k.status,
            new Date(k.createdAt).toISOString(),
        ]),
    );
}

/**
 * The server's own root key is not in the database (it comes from the environment or
 * root-credentials.json) and wins over a stored key with the same id: refuse the clash.
 */
function refuseServerRootKey(dataDir: string, accessKeyId: string): void {
    const file = join(resolve(dataDir), ROOT_CREDENTIALS_FILE);
    const fromFile = existsSync(file)
        ? (JSON.parse(readFileSync(file, 'utf8')) as { accessKeyId?: string }).accessKeyId
        : undefined;
    if (accessKeyId === process.env['COFFER_ROOT_ACCESS_KEY'] || accessKeyId === fromFile) {
        throw new IamError(
            'EntityAlreadyExists',
            `${accessKeyId} is the server's root access key ` +
                `(environment or ${ROOT_CREDENTIALS_FILE}).`,
        );
    }
}

function ownerName(key: AccessKeyRecord): string {
    return key.user ? key.user.arn : `arn:aws:iam::${key.accountId}:root`;
}

function print(line: string): void {
    process.stdout.write(`${line}\n`);
}

function printTable(header: string[], rows: string[][]): void {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    for (const row of [header, ...rows]) {
        print(
            row
                .map((cell, i) => cell.padEnd(widths[i]))
                .join('  ')
                .trimEnd(),
        );
    }
}
