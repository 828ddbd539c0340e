/**
 * Administration of accounts, IAM users and access keys, shared by the IAM API (`src/iam/`) and
 * `coffer admin`. Every method validates its input with IAM's constraints and fails with the
 * `IamError` IAM would send (NoSuchEntity, EntityAlreadyExists, DeleteConflict, LimitExceeded,
 * ValidationError), with IAM's messages where they are known.
 *
 * Changes to access keys call `onKeysChanged` before returning, so a server's in-memory key map
 * (StoreBackedDirectory) knows a new key by the time its creator hears about it.
 */
import type {
    AccessKeyRecord,
    AccessKeyStatus,
    AccountRecord,
    IdentityStore,
    NewAccessKey,
    UserRecord,
} from '../store/identity-types.js';
import { IamError } from './errors.js';
import { newAccessKeyId, newAccountId, newSecretAccessKey, newUserId } from './ids.js';
import {
    checkAccessKeyId,
    checkAccountId,
    checkAccountName,
    checkPath,
    checkPathPrefix,
    checkSecretAccessKey,
    checkUserName,
} from './validate.js';

/** IAM's quota "Access keys assigned to an IAM user" (and to the root user): 2. */
export const MAX_ACCESS_KEYS_PER_OWNER = 2;

/** Fresh ids collide with odds near 36^-16; a few retries make a collision a non-event. */
const ID_ATTEMPTS = 5;

/** Who owns an access key: an account's root user, or one of its IAM users by name. */
export interface KeyOwner {
    accountId: string;
    /** Undefined: the account's root user. */
    userName?: string;
}

export interface CreatedAccessKey {
    key: AccessKeyRecord;
    /** Shown once to whoever created the key; stored only sealed. */
    secretAccessKey: string;
}

export interface IdentityAdminOptions {
    store: IdentityStore;
    /** Runs after every change to access keys (the directory reloads its key map). */
    onKeysChanged?: () => Promise<void>;
    now?: () => number;
}

export class IdentityAdmin {
    private readonly store: IdentityStore;
    private readonly onKeysChanged: () => Promise<void>;
    private readonly now: () => number;

    constructor(options: IdentityAdminOptions) {
        this.store = options.store;
        this.onKeysChanged = options.onKeysChanged ?? (async () => {});
        this.now = options.now ?? Date.now;
    }

    /** Creates an account with the given or a random 12-digit id. */
    async createAccount(input: { name: string; accountId?: string }): Promise<AccountRecord> {
        checkAccountName(input.name);
        for (let attempt = 0; attempt < ID_ATTEMPTS; attempt++) {
            const accountId = input.accountId ?? newAccountId();
            checkAccountId(accountId);
            const account = { accountId, name: input.name, createdAt: this.now() };
            if ((await this.store.createAccount(account)) === 'created') return account;
            if (input.accountId !== undefined) {
                throw new IamError('EntityAlreadyExists', `Account ${accountId} already exists.`);
            }
        }
        throw new IamError('ServiceFailure', 'Could not choose an unused account id.');
    }

    /** Returns the account, creating it first when missing (the embedded default's account). */
    async ensureAccount(accountId: string, name: string): Promise<AccountRecord> {
        checkAccountId(accountId);
        await this.store.createAccount({ accountId, name, createdAt: this.now() });
        return this.getAccount(accountId);
    }

    async getAccount(accountId: string): Promise<AccountRecord> {
        const account = await this.store.getAccount(accountId);
        if (!account) {
            throw new IamError('NoSuchEntity', `The account with id ${accountId} cannot be found.`);
        }
        return account;
    }

    async listAccounts(): Promise<AccountRecord[]> {
        return this.store.listAccounts();
    }

    async createUser(accountId: string, userName: string, path = '/'): Promise<UserRecord> {
        checkUserName(userName, 64);
        checkPath(path);
        const user = { accountId, userName, path, userId: newUserId(), createdAt: this.now() };
        const outcome = await this.store.createUser(user);
        if (outcome === 'exists') {
            throw new IamError('EntityAlreadyExists', `User with name ${userName} already exists.`);
        }
        if (outcome === 'no-account') await this.getAccount(accountId);
        return this.getUser(accountId, userName);
    }

    /** The user, or NoSuchEntity with IAM's message. Names match ignoring case. */
    async getUser(accountId: string, userName: string): Promise<UserRecord> {
        const user = await this.findUser(accountId, userName);
        if (!user) {
            throw new IamError('NoSuchEntity', `The user with name ${userName} cannot be found.`);
        }
        return user;
    }

    async findUser(accountId: string, userName: string): Promise<UserRecord | undefined> {
        checkUserName(userName);
        return this.store.getUser(accountId, userName);
    }

    async listUsers(accountId: string, pathPrefix = '/'): Promise<UserRecord[]> {
        checkPathPrefix(pathPrefix);
        const users = await this.store.listUsers(accountId);
        return users.filter((user) => user.path.startsWith(pathPrefix));
    }

    /** As IAM: a user with access keys or policies is a DeleteConflict, not deleted. */
    async deleteUser(accountId: string, userName: string): Promise<void> {
        checkUserName(userName);
        const outcome = await this.store.deleteUser(accountId, userName);
        if (outcome === 'deleted') return;
        if (outcome === 'missing') await this.getUser(accountId, userName);
        const what = {
            'has-access-keys': 'must delete access keys first',
            'has-inline-policies': 'must delete policies first',
            'has-attached-policies': 'must detach all policies first',
        }[outcome as Exclude<typeof outcome, 'deleted' | 'missing'>];
        throw new IamError('DeleteConflict', `Cannot delete entity, ${what}.`);
    }

    /** A fresh key pair for `owner`; the secret is returned this once. */
    async createAccessKey(owner: KeyOwner): Promise<CreatedAccessKey> {
        const user = await this.resolveOwner(owner);
        for (let attempt = 0; attempt < ID_ATTEMPTS; attempt++) {
            const key = this.newKey(owner.accountId, user, newAccessKeyId(), newSecretAccessKey());
            const outcome = await this.store.createAccessKey(key, MAX_ACCESS_KEYS_PER_OWNER);
            if (outcome === 'limit') throw keyLimitExceeded();
            if (outcome === 'created') {
                await this.onKeysChanged();
                const record = await this.keyRecord(key.accessKeyId);
                return { key: record, secretAccessKey: key.secretAccessKey };
            }
        }
        throw new IamError('ServiceFailure', 'Could not choose an unused access key id.');
    }

    /**
     * Gives `owner` a chosen key pair (reproducible setups): creates it, or replaces the secret of
     * the owner's existing key with that id and makes it Active.
     */
    async setAccessKey(owner: KeyOwner, accessKeyId: string, secret: string) {
        checkAccessKeyId(accessKeyId);
        checkSecretAccessKey(secret);
        const user = await this.resolveOwner(owner);
        const key = this.newKey(owner.accountId, user, accessKeyId, secret);
        const outcome = await this.store.setAccessKey(key, MAX_ACCESS_KEYS_PER_OWNER);
        if (outcome === 'limit') throw keyLimitExceeded();
        if (outcome === 'other-owner') {
            throw new IamError(
                'EntityAlreadyExists',
                `Access key ${accessKeyId} already belongs to another identity.`,
            );
        }
        await this.onKeysChanged();
        return this.keyRecord(accessKeyId);
    }

    async listAccessKeys(owner: KeyOwner): Promise<AccessKeyRecord[]> {
        const user = await this.resolveOwner(owner);
        return this.store.listAccessKeys(owner.accountId, user?.userId);
    }

    /** Every key of an account, its root's and its users', without secrets. */
    async listAccountAccessKeys(accountId: string): Promise<AccessKeyRecord[]> {
        await this.getAccount(accountId);
        return this.store.listAccountAccessKeys(accountId);
    }

    async updateAccessKey(owner: KeyOwner, accessKeyId: string, status: AccessKeyStatus) {
        await this.ownedKey(owner, accessKeyId);
        await this.store.setAccessKeyStatus(accessKeyId, status);
        await this.onKeysChanged();
    }

    async deleteAccessKey(owner: KeyOwner, accessKeyId: string): Promise<void> {
        await this.ownedKey(owner, accessKeyId);
        await this.store.deleteAccessKey(accessKeyId);
        await this.onKeysChanged();
    }

    /** The owner's user (undefined for the root), after checking that it exists. */
    private async resolveOwner(owner: KeyOwner): Promise<UserRecord | undefined> {
        if (owner.userName === undefined) {
            await this.getAccount(owner.accountId);
            return undefined;
        }
        return this.getUser(owner.accountId, owner.userName);
    }

    /** A key of `owner`; a key of anyone else is as absent as a key that does not exist. */
    private async ownedKey(owner: KeyOwner, accessKeyId: string): Promise<AccessKeyRecord> {
        checkAccessKeyId(accessKeyId);
        const user = await this.resolveOwner(owner);
        const key = await this.store.getAccessKey(accessKeyId);
        if (!key || key.accountId !== owner.accountId || key.user?.userId !== user?.userId) {
            throw new IamError(
                'NoSuchEntity',
                `The Access Key with id ${accessKeyId} cannot be found.`,
            );
        }
        return key;
    }

    private newKey(
        accountId: string,
        user: UserRecord | undefined,
        accessKeyId: string,
        secretAccessKey: string,
    ): NewAccessKey {
        return {
            accessKeyId,
            accountId,
            userId: user?.userId,
            status: 'Active',
            createdAt: this.now(),
            secretAccessKey,
        };
    }

    private async keyRecord(accessKeyId: string): Promise<AccessKeyRecord> {
        const key = await this.store.getAccessKey(accessKeyId);
        if (!key) throw new IamError('ServiceFailure', 'The access key vanished while created.');
        return key;
    }
}

function keyLimitExceeded(): IamError {
    return new IamError(
        'LimitExceeded',
        `Cannot exceed quota for AccessKeysPerUser: ${MAX_ACCESS_KEYS_PER_OWNER}`,
    );
}
