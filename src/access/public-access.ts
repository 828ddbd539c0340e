/**
 * A bucket's Block Public Access settings and where they live: a JSON document in the bucket's
 * configuration store, next to the bucket policy. Stored names are frozen (data on disk uses them).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
 *
 * - BlockPublicPolicy: PutBucketPolicy refuses a public policy with 403 AccessDenied.
 * - RestrictPublicBuckets: while the bucket policy is public, only principals of the bucket
 *   owner's account keep what it grants: anonymous and cross-account callers are refused, even
 *   by statements that name their account ("including non-public delegation to specific
 *   accounts", same page).
 * - BlockPublicAcls, IgnorePublicAcls: stored and returned. Every Coffer bucket behaves as
 *   BucketOwnerEnforced, where public ACLs are refused anyway, so they change nothing yet.
 * Coffer has no account-level or access-point settings; the bucket's own are the only ones.
 */
import type { MetadataStore } from '../store/types.js';

/** Configuration names in the metadata store's bucket_configs. Frozen: stored data uses them. */
export const BUCKET_POLICY_CONFIG = 'policy';
export const PUBLIC_ACCESS_BLOCK_CONFIG = 'public-access-block';

/** The four settings, named as in the XML document. */
export interface PublicAccessBlock {
    BlockPublicAcls: boolean;
    IgnorePublicAcls: boolean;
    BlockPublicPolicy: boolean;
    RestrictPublicBuckets: boolean;
}

export const PUBLIC_ACCESS_BLOCK_FIELDS = [
    'BlockPublicAcls',
    'IgnorePublicAcls',
    'BlockPublicPolicy',
    'RestrictPublicBuckets',
] as const satisfies ReadonlyArray<keyof PublicAccessBlock>;

/** What a new bucket gets, as on AWS since April 2023: everything blocked. */
export const ALL_BLOCKED: Readonly<PublicAccessBlock> = Object.freeze({
    BlockPublicAcls: true,
    IgnorePublicAcls: true,
    BlockPublicPolicy: true,
    RestrictPublicBuckets: true,
});

/** No configuration: nothing is blocked. */
export const NOTHING_BLOCKED: Readonly<PublicAccessBlock> = Object.freeze({
    BlockPublicAcls: false,
    IgnorePublicAcls: false,
    BlockPublicPolicy: false,
    RestrictPublicBuckets: false,
});

/** The stored form. */
export function serializePublicAccessBlock(block: PublicAccessBlock): string {
    return JSON.stringify(
        Object.fromEntries(PUBLIC_ACCESS_BLOCK_FIELDS.map((field) => [field, block[field]])),
    );
}

/** The bucket's settings; undefined when it has none (GetPublicAccessBlock answers 404). */
export async function readPublicAccessBlock(
    metadata: MetadataStore,
    bucket: string,
): Promise<PublicAccessBlock | undefined> {
    const text = await metadata.getBucketConfig(bucket, PUBLIC_ACCESS_BLOCK_CONFIG);
    if (text === undefined) return undefined;
    // Written only by serializePublicAccessBlock; a field missing from it reads as blocked,
    // the safe side, rather than as open.
    const stored = JSON.parse(text) as Partial<Record<keyof PublicAccessBlock, unknown>>;
    const block = { ...ALL_BLOCKED };
    for (const field of PUBLIC_ACCESS_BLOCK_FIELDS) block[field] = stored[field] !== false;
    return block;
}
