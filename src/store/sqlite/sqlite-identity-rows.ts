/** Row shapes of the identity store's tables and their conversion to records. */
import {
    policyArn,
    userArn,
    type AccessKeyRecord,
    type AccessKeyStatus,
    type AccountRecord,
    type InlinePolicyRecord,
    type ManagedPolicyRecord,
    type UserRecord,
} from '../identity-types.js';

export interface UserRow {
    user_id: string;
    account_id: string;
    user_name: string;
    path: string;
    created_at: number;
}

/** A key row joined with its owner (the user columns are null for a root key). */
export interface KeyRow {
    access_key_id: string;
    account_id: string;
    user_id: string | null;
    status: AccessKeyStatus;
    created_at: number;
    sealed_secret: Buffer;
    user_name: string | null;
    path: string | null;
    user_created_at: number | null;
}

export interface PolicyRow {
    policy_id: string;
    account_id: string;
    policy_name: string;
    path: string;
    description: string;
    document: string;
    created_at: number;
    updated_at: number;
    attachment_count: number;
}

export interface AccountRow {
    account_id: string;
    name: string;
    created_at: number;
}

export interface OwnerRow {
    account_id: string;
    user_id: string | null;
}

export interface InlineRow {
    user_id: string;
    policy_name: string;
    document: string;
}

export function accountFromRow(row: AccountRow): AccountRecord {
    return { accountId: row.account_id, name: row.name, createdAt: row.created_at };
}

export function userFromRow(row: UserRow): UserRecord {
    return {
        accountId: row.account_id,
        userName: row.user_name,
        path: row.path,
        userId: row.user_id,
        arn: userArn(row.account_id, row.path, row.user_name),
        createdAt: row.created_at,
    };
}

export function keyFromRow(row: KeyRow): AccessKeyRecord {
    const record: AccessKeyRecord = {
        accessKeyId: row.access_key_id,
        accountId: row.account_id,
        status: row.status,
        createdAt: row.created_at,
    };
    if (row.user_id !== null) {
        if (row.user_name === null || row.path === null) {
            throw new Error(`access key ${row.access_key_id} belongs to a missing user`);
        }
        record.user = userFromRow({
            user_id: row.user_id,
            account_id: row.account_id,
            user_name: row.user_name,
            path: row.path,
            created_at: row.user_created_at ?? 0,
        });
    }
    return record;
}

export function inlineFromRow(row: InlineRow): InlinePolicyRecord {
    return { userId: row.user_id, policyName: row.policy_name, document: row.document };
}

export function policyFromRow(row: PolicyRow): ManagedPolicyRecord {
    return {
        accountId: row.account_id,
        policyName: row.policy_name,
        path: row.path,
        policyId: row.policy_id,
        arn: policyArn(row.account_id, row.path, row.policy_name),
        description: row.description,
        document: row.document,
        defaultVersionId: 'v1',
        createdAt: row.created_at,
        updatedAt: row.updated_at,
        attachmentCount: row.attachment_count,
    };
}
