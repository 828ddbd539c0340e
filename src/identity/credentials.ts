/**
 * The credentials the server accepts. Until accounts and IAM users exist, one account with its
 * root access key pair, from the environment or generated on first start.
 */
import type { Principal } from './principal.js';

export interface CredentialRecord {
    accessKeyId: string;
    /** Used only to derive SigV4 signing keys; never logged. */
    secretAccessKey: string;
    principal: Principal;
}

export interface CredentialStore {
    lookup(accessKeyId: string): CredentialRecord | undefined;
}

/** The root account of the embedded default, with its single key pair. */
export class RootCredentialStore implements CredentialStore {
    constructor(private readonly root: CredentialRecord) {}

    lookup(accessKeyId: string): CredentialRecord | undefined {
        return accessKeyId === this.root.accessKeyId ? this.root : undefined;
    }
}
