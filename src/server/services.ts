/** Everything a running server holds, passed explicitly to every request: no hidden globals. */
import type { Logger } from 'pino';
import type { IdentityDirectory } from '../identity/credentials.js';
import type { KmsApiRequest, KmsApiResponse } from '../kms/api/handler.js';
import type { Kms } from '../kms/kms.js';
import type { IamApi } from '../iam/index.js';
import type { BlobStore, MetadataStore } from '../store/types.js';
import type { ServerConfig } from './config.js';

export interface ServerServices {
    readonly config: ServerConfig;
    readonly metadata: MetadataStore;
    readonly blobs: BlobStore;
    readonly identities: IdentityDirectory;
    /** The built-in KMS: SSE-KMS and SSE-S3 data keys, and the KMS API. */
    readonly kms: Kms;
    readonly kmsApi: (req: KmsApiRequest) => Promise<KmsApiResponse>;
    /** The IAM Query API (users, access keys, identity policies). */
    readonly iamApi: IamApi;
    /** The account that owns the embedded default's buckets. */
    readonly accountId: string;
    readonly log: Logger;
    /** Releases what the services hold open (database, timers). */
    close(): void;
}
