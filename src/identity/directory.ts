/**
 * The identity directory on an IdentityStore: accounts, their root users and IAM users, with
 * access keys and identity policies.
 *
 * 1. Every active access key is held in memory (a Map from key id to its record), so `lookup`
 *    is synchronous and one hash lookup however many keys exist; SigV4 verification then derives
 *    the signing key from the record's secret, and no secret is ever compared here.
 * 2. The map is rebuilt from the store after every key change made through `admin`, before the
 *    change is reported done, so a key works as soon as its creator has it.
 * 3. Changes made by another process (`coffer admin` next to a running server) are noticed by
 *    polling the store's key version once per `refreshIntervalMs` (default 1 s): a new key
 *    works within about a second, without a restart.
 * 4. The embedded default's account root uses the server's root credentials (environment or
 *    generated file). They are never stored: they are passed in, and win over a stored key with
 *    the same id.
 */
import type { Principal } from './principal.js';
import type { CredentialRecord, IdentityDirectory, PolicyDocument } from './credentials.js';
import { IdentityAdmin } from './admin.js';
import { PolicyAdmin } from './policy-admin.js';
import type { ActiveAccessKey, IdentityStore } from '../store/identity-types.js';

const ROOT_ARN = /^arn:aws:iam::(\d{12}):root$/;
const USER_ARN = /^arn:aws:iam::(\d{12}):user(?:\/[\x21-\x7e]*)?\/([\w+=,.@-]+)$/;

export interface StoreBackedDirectoryOptions {
    store: IdentityStore;
    /** The embedded default account's root credentials (a `Root` principal), not stored. */
    defaultRoot: CredentialRecord;
    /** The name the default account gets when it is first recorded; default `default`. */
    defaultAccountName?: string;
    /** How often to look for key changes made by other processes; 0 turns polling off. */
    refreshIntervalMs?: number;
    /** Told about failed background refreshes (the previous keys stay in use). */
    onRefreshError?: (error: unknown) => void;
    /**
     * Told about a stored key whose secret does not open under the sealing key (another root
     * key, or tampering); that key authenticates nobody. Never given the secret.
     */
    onUnreadableKey?: (accessKeyId: string, error: unknown) => void;
    now?: () => number;
}

export class StoreBackedDirectory implements IdentityDirectory {
    /** Accounts, users and access keys. */
    readonly admin: IdentityAdmin;
    /** Inline and managed identity policies. */
    readonly policies: PolicyAdmin;
    private readonly store: IdentityStore;
    private readonly defaultRoot: CredentialRecord;
    private readonly onUnreadableKey?: (accessKeyId: string, error: unknown) => void;
    private keys = new Map<string, CredentialRecord>();
    private loadedVersion: number | undefined;
    private refreshing: Promise<void> = Promise.resolve();
    private timer: NodeJS.Timeout | undefined;

    private constructor(options: StoreBackedDirectoryOptions) {
        if (options.defaultRoot.principal.type !== 'Root') {
            throw new TypeError('defaultRoot must be an account root credential');
        }
        this.store = options.store;
        this.defaultRoot = options.defaultRoot;
        this.onUnreadableKey = options.onUnreadableKey;
        this.admin = new IdentityAdmin({
            store: options.store,
            onKeysChanged: () => this.refresh(),
            now: options.now,
        });
        this.policies = new PolicyAdmin({
            store: options.store,
            users: this.admin,
            now: options.now,
        });
    }

    /** Records the default account if new, loads the keys and starts polling. */
    static async open(options: StoreBackedDirectoryOptions): Promise<StoreBackedDirectory> {
        const directory = new StoreBackedDirectory(options);
        const root = options.defaultRoot.principal as Extract<Principal, { type: 'Root' }>;
        await directory.admin.ensureAccount(
            root.accountId,
            options.defaultAccountName ?? 'default',
        );
        await directory.refresh();
        const interval = options.refreshIntervalMs ?? 1000;
        if (interval > 0) directory.startPolling(interval, options.onRefreshError);
        return directory;
    }

    lookup(accessKeyId: string): CredentialRecord | undefined {
        return this.keys.get(accessKeyId);
    }

    async policiesOf(principal: Principal): Promise<PolicyDocument[]> {
        // A root user's permissions need no policy, and IAM cannot attach one to it.
        if (principal.type !== 'User') return [];
        return this.policies.documentsOf(principal);
    }

    async principalExists(arn: string): Promise<boolean> {
        const root = ROOT_ARN.exec(arn);
        if (root) return (await this.store.getAccount(root[1])) !== undefined;
        return (await this.userIdOf(arn)) !== undefined;
    }

    async userIdOf(arn: string): Promise<string | undefined> {
        const user = USER_ARN.exec(arn);
        if (!user) return undefined;
        const record = await this.store.getUser(user[1], user[2]);
        // Same name under another path is another ARN, so not this user.
        return record?.arn === arn ? record.userId : undefined;
    }

    /** Rebuilds the key map from the store. Calls run one after another, never interleaved. */
    refresh(): Promise<void> {
        const next = this.refreshing.then(() => this.reload());
        this.refreshing = next.catch(() => {});
        return next;
    }

    /** Stops polling; the directory keeps answering from what it last loaded. */
    close(): void {
        if (this.timer !== undefined) clearInterval(this.timer);
        this.timer = undefined;
    }

    private async reload(): Promise<void> {
        // Read the version first: a change landing during the load is seen by the next poll.
        const version = await this.store.accessKeysVersion();
        const active = await this.store.activeAccessKeys(this.onUnreadableKey);
        const keys = new Map<string, CredentialRecord>();
        for (const key of active) keys.set(key.accessKeyId, credentialOf(key));
        keys.set(this.defaultRoot.accessKeyId, this.defaultRoot);
        this.keys = keys;
        this.loadedVersion = version;
    }

    private startPolling(intervalMs: number, onError?: (error: unknown) => void): void {
        this.timer = setInterval(() => {
            this.pollOnce().catch((error: unknown) => onError?.(error));
        }, intervalMs);
        // Polling must not keep a process alive that has nothing else to do.
        this.timer.unref();
    }

    private async pollOnce(): Promise<void> {
        if ((await this.store.accessKeysVersion()) !== this.loadedVersion) await this.refresh();
    }
}

function credentialOf(key: ActiveAccessKey): CredentialRecord {
    const { accessKeyId, accountId, user, secretAccessKey } = key;
    const principal: Principal = user
        ? {
              type: 'User',
              accountId,
              userName: user.userName,
              userId: user.userId,
              arn: user.arn,
              accessKeyId,
          }
        : { type: 'Root', accountId, arn: `arn:aws:iam::${accountId}:root`, accessKeyId };
    return { accessKeyId, secretAccessKey, principal };
}
