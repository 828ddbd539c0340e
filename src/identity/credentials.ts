/**
 * The identity directory: who an access key belongs to, and what identity policies apply to a
 * principal. The embedded default starts with one account whose root keys are the server's root
 * credentials; accounts and IAM users build on the same interface.
 */
import type { Principal } from './principal.js';

export interface CredentialRecord {
    accessKeyId: string;
    /** Used only to derive SigV4 signing keys; never logged. */
    secretAccessKey: string;
    principal: Principal;
}

export interface PolicyDocument {
    /** The policy's name (inline) or ARN (managed), as decisions name it. */
    name: string;
    document: string;
}

export interface IdentityDirectory {
    /**
     * Resolves an active access key. Synchronous because SigV4 verification runs on every
     * request: implementations keep keys in memory.
     */
    lookup(accessKeyId: string): CredentialRecord | undefined;
    /** The identity policies (inline and attached managed) of a principal. */
    policiesOf(principal: Principal): Promise<PolicyDocument[]>;
    /** Whether an IAM ARN (an account root or a user) exists: bucket policies name only those. */
    principalExists(arn: string): Promise<boolean>;
    /**
     * The unique id (`AIDA...`) of the IAM user an ARN names today; undefined for an account
     * root or a user that does not exist. Bucket policies bind user ARNs to it, as AWS does.
     */
    userIdOf(arn: string): Promise<string | undefined>;
}

/** The root account of the embedded default, with its single key pair and no IAM users. */
export class RootOnlyDirectory implements IdentityDirectory {
    constructor(private readonly root: CredentialRecord) {}

    lookup(accessKeyId: string): CredentialRecord | undefined {
        return accessKeyId === this.root.accessKeyId ? this.root : undefined;
    }

    async policiesOf(): Promise<PolicyDocument[]> {
        return [];
    }

    async principalExists(arn: string): Promise<boolean> {
        return this.root.principal.type !== 'Anonymous' && this.root.principal.arn === arn;
    }

    /** The embedded default has no IAM users. */
    async userIdOf(): Promise<string | undefined> {
        return undefined;
    }
}
