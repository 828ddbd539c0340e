/**
 * Administration of identity policies: inline user policies, customer managed policies, and
 * their attachment to users. Shared by the IAM API and `coffer admin`, with IAM's errors.
 *
 * Documents are checked by the policy engine (`parseIdentityPolicy`); a refusal is IAM's
 * MalformedPolicyDocument carrying the engine's message. IAM's size quotas, counted without
 * whitespace as IAM counts them (https://docs.aws.amazon.com/IAM/latest/UserGuide/
 * reference_iam-quotas.html): inline policies 2,048 characters per user in aggregate, a managed
 * policy 6,144, and 10 managed policies attached to a user. Coffer keeps one version (`v1`) of
 * each managed policy.
 */
import { parseIdentityPolicy } from '../policy/index.js';
import { S3Error } from '../s3/errors.js';
import {
    policyArn,
    type IdentityStore,
    type InlinePolicyRecord,
    type ManagedPolicyRecord,
    type UserRecord,
} from '../store/identity-types.js';
import type { IdentityAdmin } from './admin.js';
import { IamError, isIamError } from './errors.js';
import { newPolicyId } from './ids.js';
import {
    checkDescription,
    checkPath,
    checkPathPrefix,
    checkPolicyArn,
    checkPolicyDocument,
    checkPolicyName,
} from './validate.js';

export const MAX_INLINE_POLICY_CHARS_PER_USER = 2048;
export const MAX_MANAGED_POLICY_CHARS = 6144;
export const MAX_ATTACHED_POLICIES_PER_USER = 10;

const POLICY_ARN = /^arn:aws:iam::(\d{12}|aws):policy(\/(?:[\x21-\x7e]*\/)?)([\w+=,.@-]+)$/;

export interface NewPolicyInput {
    policyName: string;
    path?: string;
    document: string;
    description?: string;
}

export interface PolicyAdminOptions {
    store: IdentityStore;
    /** Resolves users by name, with IAM's NoSuchEntity. */
    users: IdentityAdmin;
    now?: () => number;
}

export class PolicyAdmin {
    private readonly store: IdentityStore;
    private readonly users: IdentityAdmin;
    private readonly now: () => number;

    constructor(options: PolicyAdminOptions) {
        this.store = options.store;
        this.users = options.users;
        this.now = options.now ?? Date.now;
    }

    /** Adds or replaces an inline policy of a user. */
    async putUserPolicy(accountId: string, userName: string, policyName: string, document: string) {
        checkPolicyName(policyName);
        checkPolicyDocument(document);
        const user = await this.users.getUser(accountId, userName);
        checkDocument(document);
        const others = await this.store.listUserPolicies(user.userId);
        const total = others
            .filter((p) => p.policyName.toLowerCase() !== policyName.toLowerCase())
            .reduce((sum, p) => sum + sizeOf(p.document), sizeOf(document));
        if (total > MAX_INLINE_POLICY_CHARS_PER_USER) {
            throw new IamError(
                'LimitExceeded',
                `Maximum policy size of ${MAX_INLINE_POLICY_CHARS_PER_USER} bytes exceeded for ` +
                    `user ${user.userName}`,
            );
        }
        await this.store.putUserPolicy({ userId: user.userId, policyName, document });
    }

    async getUserPolicy(accountId: string, userName: string, policyName: string) {
        checkPolicyName(policyName);
        const user = await this.users.getUser(accountId, userName);
        const policy = await this.store.getUserPolicy(user.userId, policyName);
        if (!policy) throw noSuchUserPolicy(policyName);
        return { user, policy };
    }

    async deleteUserPolicy(accountId: string, userName: string, policyName: string) {
        checkPolicyName(policyName);
        const user = await this.users.getUser(accountId, userName);
        if (!(await this.store.deleteUserPolicy(user.userId, policyName))) {
            throw noSuchUserPolicy(policyName);
        }
    }

    async listUserPolicies(accountId: string, userName: string): Promise<InlinePolicyRecord[]> {
        const user = await this.users.getUser(accountId, userName);
        return this.store.listUserPolicies(user.userId);
    }

    async createPolicy(accountId: string, input: NewPolicyInput): Promise<ManagedPolicyRecord> {
        const { policyName, path = '/', document, description = '' } = input;
        checkPolicyName(policyName);
        checkPath(path);
        checkPolicyDocument(document);
        checkDescription(description);
        checkDocument(document);
        if (sizeOf(document) > MAX_MANAGED_POLICY_CHARS) {
            throw new IamError(
                'LimitExceeded',
                `Cannot exceed quota for PolicySize: ${MAX_MANAGED_POLICY_CHARS}`,
            );
        }
        const now = this.now();
        const policy = { accountId, policyName, path, document, description };
        const record = { ...policy, policyId: newPolicyId(), createdAt: now, updatedAt: now };
        if ((await this.store.createPolicy({ ...record, defaultVersionId: 'v1' })) === 'exists') {
            throw new IamError(
                'EntityAlreadyExists',
                `A policy called ${policyName} already exists. Duplicate names are not allowed.`,
            );
        }
        return this.getPolicy(accountId, policyArn(accountId, path, policyName));
    }

    /** A managed policy of `accountId` by ARN; others' and AWS managed ones are NoSuchEntity. */
    async getPolicy(accountId: string, arn: string): Promise<ManagedPolicyRecord> {
        checkPolicyArn(arn);
        const parts = POLICY_ARN.exec(arn);
        if (!parts) throw new IamError('InvalidInput', `ARN ${arn} is not valid.`);
        const [, owner, path, name] = parts;
        const policy =
            owner === accountId ? await this.store.getPolicy(accountId, name) : undefined;
        if (!policy || policy.path !== path) {
            throw new IamError(
                'NoSuchEntity',
                `Policy ${arn} does not exist or is not attachable.`,
            );
        }
        return policy;
    }

    /** As IAM: a policy still attached to a user is a DeleteConflict. */
    async deletePolicy(accountId: string, arn: string): Promise<void> {
        const policy = await this.getPolicy(accountId, arn);
        const outcome = await this.store.deletePolicy(policy.policyId);
        if (outcome === 'attached') {
            throw new IamError('DeleteConflict', 'Cannot delete a policy attached to entities.');
        }
        if (outcome === 'missing') await this.getPolicy(accountId, arn);
    }

    async listPolicies(
        accountId: string,
        filter: { pathPrefix?: string; onlyAttached?: boolean } = {},
    ): Promise<ManagedPolicyRecord[]> {
        const pathPrefix = checkPathPrefix(filter.pathPrefix ?? '/');
        const policies = await this.store.listPolicies(accountId);
        return policies.filter(
            (p) => p.path.startsWith(pathPrefix) && (!filter.onlyAttached || p.attachmentCount > 0),
        );
    }

    /** Attaching an attached policy again succeeds, as in IAM. */
    async attachUserPolicy(accountId: string, userName: string, arn: string): Promise<void> {
        const user = await this.users.getUser(accountId, userName);
        const policy = await this.getPolicy(accountId, arn);
        const outcome = await this.store.attachUserPolicy(
            user.userId,
            policy.policyId,
            MAX_ATTACHED_POLICIES_PER_USER,
        );
        if (outcome === 'limit') {
            throw new IamError(
                'LimitExceeded',
                `Cannot exceed quota for PoliciesPerUser: ${MAX_ATTACHED_POLICIES_PER_USER}`,
            );
        }
    }

    async detachUserPolicy(accountId: string, userName: string, arn: string): Promise<void> {
        checkPolicyArn(arn);
        const user = await this.users.getUser(accountId, userName);
        const policy = await this.getPolicy(accountId, arn).catch((error: unknown) => {
            if (isIamError(error, 'NoSuchEntity')) return undefined;
            throw error;
        });
        if (!policy || !(await this.store.detachUserPolicy(user.userId, policy.policyId))) {
            throw new IamError('NoSuchEntity', `Policy ${arn} was not found.`);
        }
    }

    async listAttachedUserPolicies(
        accountId: string,
        userName: string,
        pathPrefix = '/',
    ): Promise<ManagedPolicyRecord[]> {
        checkPathPrefix(pathPrefix);
        const user = await this.users.getUser(accountId, userName);
        const attached = await this.store.listAttachedPolicies(user.userId);
        return attached.filter((p) => p.path.startsWith(pathPrefix));
    }

    /** A user's inline and attached managed documents, named by policy name and ARN. */
    async documentsOf(user: Pick<UserRecord, 'userId'>) {
        const [inline, managed] = await Promise.all([
            this.store.listUserPolicies(user.userId),
            this.store.listAttachedPolicies(user.userId),
        ]);
        return [
            ...inline.map((p) => ({ name: p.policyName, document: p.document })),
            ...managed.map((p) => ({ name: p.arn, document: p.document })),
        ];
    }
}

/** Runs the policy engine's identity-policy checks; its message becomes IAM's. */
function checkDocument(document: string): void {
    try {
        parseIdentityPolicy(document);
    } catch (error) {
        if (error instanceof S3Error) {
            throw new IamError('MalformedPolicyDocument', error.message, { cause: error });
        }
        throw error;
    }
}

/** IAM counts policy size without whitespace. */
function sizeOf(document: string): number {
    return document.replace(/\s+/g, '').length;
}

function noSuchUserPolicy(policyName: string): IamError {
    return new IamError('NoSuchEntity', `The user policy with name ${policyName} cannot be found.`);
}
