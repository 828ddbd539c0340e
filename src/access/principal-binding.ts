/**
 * Which IAM user each user ARN of a bucket policy meant when the policy was stored. AWS turns a
 * user ARN in a Principal element into the user's unique principal id when the policy is saved,
 * so a user deleted and recreated under the same name (same ARN, new id) is no longer named by
 * it, and AWS shows the bare id where it can no longer map it back to an ARN
 * (IAM User Guide, "AWS JSON policy elements: Principal", IAM user principals).
 * Coffer keeps the policy text as sent and stores the binding beside it.
 *
 * 1. PutBucketPolicy resolves every user ARN the policy names (Principal and NotPrincipal) to the
 *    user's current unique id and stores the map `{ users: { <arn>: <AIDA...> } }`.
 * 2. A decision evaluates the bucket policy with a caller whose ARN is bound to another user as
 *    if its ARN were its unique id, so no statement names it by ARN; accounts and `*` still
 *    match, and the condition keys (aws:PrincipalArn, aws:username) come from the real caller.
 * 3. GetBucketPolicy shows the bound unique id in place of an ARN whose user is gone or was
 *    recreated, in Principal and NotPrincipal only (conditions are compared as strings).
 * A policy stored before bindings existed has none: its ARNs match by name, as they always did.
 */
import type { IdentityDirectory } from '../identity/credentials.js';
import type { Principal } from '../identity/principal.js';
import { S3Error } from '../s3/errors.js';
import type { MetadataStore } from '../store/types.js';

/** Configuration name in the metadata store's bucket_configs. Frozen: stored data uses them. */
export const POLICY_PRINCIPALS_CONFIG = 'policy-principals';

/** User ARN to the unique id of the user it named when the policy was stored. */
export type PrincipalBinding = ReadonlyMap<string, string>;

const NO_BINDING: PrincipalBinding = new Map();

/** Resolves the user ARNs among `arns` (roots and unknown ARNs are skipped). */
export async function bindUsers(
    identities: IdentityDirectory,
    arns: Iterable<string>,
): Promise<PrincipalBinding> {
    const binding = new Map<string, string>();
    for (const arn of arns) {
        const userId = await identities.userIdOf(arn);
        if (userId !== undefined) binding.set(arn, userId);
    }
    return binding;
}

/** The configuration entry that stores a policy's binding; an empty one is removed. */
export function bindingEntry(binding: PrincipalBinding | undefined): [string, string | undefined] {
    const value =
        binding === undefined || binding.size === 0
            ? undefined
            : JSON.stringify({ users: Object.fromEntries(binding) });
    return [POLICY_PRINCIPALS_CONFIG, value];
}

/**
 * The binding of the bucket's policy. One that does not read is a server fault, never "no
 * binding": that would let a recreated user match again.
 */
export async function readBinding(
    metadata: MetadataStore,
    bucket: string,
): Promise<PrincipalBinding> {
    const text = await metadata.getBucketConfig(bucket, POLICY_PRINCIPALS_CONFIG);
    if (text === undefined) return NO_BINDING;
    try {
        const users: unknown = JSON.parse(text).users;
        if (typeof users !== 'object' || users === null) throw new TypeError('no users map');
        const entries = Object.entries(users);
        if (!entries.every(([, id]) => typeof id === 'string')) throw new TypeError('bad id');
        return new Map(entries as Array<[string, string]>);
    } catch (cause) {
        throw new S3Error('InternalError', undefined, { cause });
    }
}

/**
 * The caller as the bucket policy sees it: an IAM user whose ARN the binding gives to another
 * user carries its unique id as ARN, which no Principal entry (always an ARN) can equal.
 */
export function principalForBucketPolicy(
    principal: Principal,
    binding: PrincipalBinding,
): Principal {
    if (principal.type !== 'User') return principal;
    const boundId = binding.get(principal.arn);
    if (boundId === undefined || boundId === principal.userId) return principal;
    return { ...principal, arn: principal.userId };
}

/** The ARNs of the binding whose user no longer exists or is another user, with the bound id. */
export async function staleEntries(
    identities: IdentityDirectory,
    binding: PrincipalBinding,
): Promise<PrincipalBinding> {
    const stale = new Map<string, string>();
    for (const [arn, boundId] of binding) {
        if ((await identities.userIdOf(arn)) !== boundId) stale.set(arn, boundId);
    }
    return stale;
}

/**
 * The policy text with each stale ARN replaced by its bound unique id in the Principal and
 * NotPrincipal elements. Without stale ARNs the text is returned exactly as stored.
 */
export function withBoundIds(text: string, stale: PrincipalBinding): string {
    if (stale.size === 0) return text;
    // Parse boundary: the document passed the policy engine when stored; only its shape is read.
    const document = JSON.parse(text) as { Statement?: unknown };
    const statements = Array.isArray(document.Statement)
        ? document.Statement
        : [document.Statement];
    for (const statement of statements) {
        if (typeof statement !== 'object' || statement === null) continue;
        const element = statement as Record<string, unknown>;
        for (const name of ['Principal', 'NotPrincipal']) {
            if (name in element) element[name] = replaceUserArns(element[name], stale);
        }
    }
    return JSON.stringify(document);
}

function replaceUserArns(principal: unknown, stale: PrincipalBinding): unknown {
    if (typeof principal !== 'object' || principal === null || !('AWS' in principal)) {
        return principal;
    }
    const swap = (entry: unknown) =>
        typeof entry === 'string' ? (stale.get(entry) ?? entry) : entry;
    const aws = principal.AWS;
    return { ...principal, AWS: Array.isArray(aws) ? aws.map(swap) : swap(aws) };
}
