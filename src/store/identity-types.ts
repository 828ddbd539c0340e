/**
 * The identity store interface: accounts, IAM users, access keys, inline user policies, managed
 * policies and their attachments. `src/identity/` sees only this; the embedded default is
 * `sqlite/sqlite-identity-store.ts`.
 *
 * Secrets cross this interface in plaintext, but an implementation stores them only sealed
 * (AES-256-GCM under a sealing key it is constructed with), bound to the key's id and owner.
 * Names of users and managed policies are unique per account ignoring case, as in IAM
 * ("you cannot create users named both TESTUSER and testuser"); lookups by name ignore case too.
 * Timestamps are milliseconds since the epoch.
 */

export interface AccountRecord {
    /** 12 digits. */
    accountId: string;
    name: string;
    createdAt: number;
}

export interface UserRecord {
    accountId: string;
    userName: string;
    /** `/` or `/a/b/`. */
    path: string;
    /** `AIDA` and 17 uppercase letters or digits. */
    userId: string;
    arn: string;
    createdAt: number;
}

export type AccessKeyStatus = 'Active' | 'Inactive';

export interface AccessKeyRecord {
    accessKeyId: string;
    accountId: string;
    /** The IAM user owning the key; undefined for a key of the account's root user. */
    user?: UserRecord;
    status: AccessKeyStatus;
    createdAt: number;
}

/** An active key with its secret, as the identity directory loads it into memory. */
export interface ActiveAccessKey extends AccessKeyRecord {
    /** Never logged. */
    secretAccessKey: string;
}

/** A key to create or set. `userId` undefined means the account root. */
export interface NewAccessKey {
    accessKeyId: string;
    accountId: string;
    userId?: string;
    status: AccessKeyStatus;
    createdAt: number;
    secretAccessKey: string;
}

export interface InlinePolicyRecord {
    userId: string;
    policyName: string;
    document: string;
}

export interface ManagedPolicyRecord {
    accountId: string;
    policyName: string;
    path: string;
    /** `ANPA` and 17 uppercase letters or digits. */
    policyId: string;
    arn: string;
    description: string;
    document: string;
    /** Coffer keeps one version per policy: always `v1`. */
    defaultVersionId: 'v1';
    createdAt: number;
    updatedAt: number;
    /** Users the policy is attached to. */
    attachmentCount: number;
}

export type NewManagedPolicy = Omit<ManagedPolicyRecord, 'arn' | 'attachmentCount'>;

export type DeleteUserOutcome =
    | 'deleted'
    | 'missing'
    | 'has-access-keys'
    | 'has-inline-policies'
    | 'has-attached-policies';

export interface IdentityStore {
    createAccount(account: AccountRecord): Promise<'created' | 'exists'>;
    getAccount(accountId: string): Promise<AccountRecord | undefined>;
    listAccounts(): Promise<AccountRecord[]>;

    createUser(user: Omit<UserRecord, 'arn'>): Promise<'created' | 'exists' | 'no-account'>;
    getUser(accountId: string, userName: string): Promise<UserRecord | undefined>;
    /** Ordered by name, ignoring case. */
    listUsers(accountId: string): Promise<UserRecord[]>;
    /** Refuses while the user still has keys or policies, as IAM's DeleteConflict does. */
    deleteUser(accountId: string, userName: string): Promise<DeleteUserOutcome>;

    /** Adds a key unless its id is taken or its owner already has `maxPerOwner` keys. */
    createAccessKey(
        key: NewAccessKey,
        maxPerOwner: number,
    ): Promise<'created' | 'exists' | 'limit'>;
    /**
     * Creates the key, or replaces the secret of (and activates) an existing key of the same
     * owner; a key id owned by someone else is 'other-owner'.
     */
    setAccessKey(
        key: NewAccessKey,
        maxPerOwner: number,
    ): Promise<'created' | 'updated' | 'other-owner' | 'limit'>;
    getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
    /** The keys of one owner (`userId` undefined: the root's), ordered by id. */
    listAccessKeys(accountId: string, userId: string | undefined): Promise<AccessKeyRecord[]>;
    /** Every key in an account, root's and users', ordered by id. */
    listAccountAccessKeys(accountId: string): Promise<AccessKeyRecord[]>;
    setAccessKeyStatus(accessKeyId: string, status: AccessKeyStatus): Promise<boolean>;
    deleteAccessKey(accessKeyId: string): Promise<boolean>;
    /**
     * Every active key of every account, unsealed. A key whose secret does not open (sealed
     * under another key, or tampered with) is left out and reported to `onUnreadable`: it
     * authenticates nobody, and the other keys keep working.
     */
    activeAccessKeys(
        onUnreadable?: (accessKeyId: string, error: unknown) => void,
    ): Promise<ActiveAccessKey[]>;
    /**
     * A number that changes whenever any key changes, whoever changed it (another process on the
     * same database included): cheap to poll.
     */
    accessKeysVersion(): Promise<number>;

    putUserPolicy(policy: InlinePolicyRecord): Promise<void>;
    getUserPolicy(userId: string, policyName: string): Promise<InlinePolicyRecord | undefined>;
    /** Ordered by name, ignoring case. */
    listUserPolicies(userId: string): Promise<InlinePolicyRecord[]>;
    deleteUserPolicy(userId: string, policyName: string): Promise<boolean>;

    createPolicy(policy: NewManagedPolicy): Promise<'created' | 'exists'>;
    getPolicy(accountId: string, policyName: string): Promise<ManagedPolicyRecord | undefined>;
    /** Ordered by name, ignoring case. */
    listPolicies(accountId: string): Promise<ManagedPolicyRecord[]>;
    deletePolicy(policyId: string): Promise<'deleted' | 'missing' | 'attached'>;
    attachUserPolicy(
        userId: string,
        policyId: string,
        maxPerUser: number,
    ): Promise<'attached' | 'already' | 'limit'>;
    detachUserPolicy(userId: string, policyId: string): Promise<boolean>;
    /** The managed policies attached to a user, ordered by name ignoring case. */
    listAttachedPolicies(userId: string): Promise<ManagedPolicyRecord[]>;
}

/** `arn:aws:iam::<account>:user<path><name>`, as IAM names a user. */
export function userArn(accountId: string, path: string, userName: string): string {
    return `arn:aws:iam::${accountId}:user${path}${userName}`;
}

/** `arn:aws:iam::<account>:policy<path><name>`, as IAM names a customer managed policy. */
export function policyArn(accountId: string, path: string, policyName: string): string {
    return `arn:aws:iam::${accountId}:policy${path}${policyName}`;
}
