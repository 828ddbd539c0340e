/**
 * The policies one decision reads: the caller's identity policies (from the identity directory)
 * and the bucket's policy (from the bucket's configuration store). Both are stored as the text
 * the client sent and parsed with the policy engine; parsed policies are immutable, so they are
 * cached by text in a small LRU per server, and a policy change is just a new text.
 *
 * A stored policy that no longer parses is a server fault (500), never "no policy": skipping
 * a policy could drop a Deny and widen access.
 */
import type { Principal } from '../identity/principal.js';
import { parseBucketPolicy, parseIdentityPolicy, type ParsedPolicy } from '../policy/index.js';
import { S3Error } from '../s3/errors.js';
import type { ServerServices } from '../server/services.js';
import { BUCKET_POLICY_CONFIG } from './public-access.js';

/** A parsed policy with what a decision needs to know about it before evaluating. */
export interface LoadedPolicy {
    name: string;
    policy: ParsedPolicy;
    /** Whether the policy can look at s3:ExistingObjectTag/* (worth a metadata read). */
    readsExistingTags: boolean;
}

const CACHE_ENTRIES = 256;

/** A least-recently-used map: a Map keeps insertion order, so re-inserting marks an entry used. */
class PolicyCache {
    private readonly entries = new Map<string, ParsedPolicy>();

    get(cacheKey: string, parse: () => ParsedPolicy): ParsedPolicy {
        const cached = this.entries.get(cacheKey);
        if (cached !== undefined) {
            this.entries.delete(cacheKey);
            this.entries.set(cacheKey, cached);
            return cached;
        }
        const parsed = parse();
        this.entries.set(cacheKey, parsed);
        if (this.entries.size > CACHE_ENTRIES) {
            this.entries.delete(this.entries.keys().next().value!);
        }
        return parsed;
    }
}

// One cache per running server, held beside (not inside) its services and dropped with them.
const caches = new WeakMap<ServerServices, PolicyCache>();

function cacheOf(services: ServerServices): PolicyCache {
    let cache = caches.get(services);
    if (cache === undefined) {
        cache = new PolicyCache();
        caches.set(services, cache);
    }
    return cache;
}

/** The identity policies of a principal, parsed; none for anonymous callers. */
export async function identityPoliciesOf(
    services: ServerServices,
    principal: Principal,
): Promise<LoadedPolicy[]> {
    if (principal.type === 'Anonymous') return [];
    const documents = await services.identities.policiesOf(principal);
    return documents.map(({ name, document }) =>
        load(services, `identity\0${document}`, name, document, () =>
            parseIdentityPolicy(document),
        ),
    );
}

/** The bucket's policy, parsed; undefined when it has none. */
export async function bucketPolicyOf(
    services: ServerServices,
    bucket: string,
): Promise<LoadedPolicy | undefined> {
    const text = await services.metadata.getBucketConfig(bucket, BUCKET_POLICY_CONFIG);
    if (text === undefined) return undefined;
    // Principals were checked when the policy was stored; one deleted since matches nobody.
    const parse = () => parseBucketPolicy(text, { bucket, principalExists: () => true });
    return load(services, `bucket\0${bucket}\0${text}`, 'BucketPolicy', text, parse);
}

function load(
    services: ServerServices,
    cacheKey: string,
    name: string,
    text: string,
    parse: () => ParsedPolicy,
): LoadedPolicy {
    try {
        const policy = cacheOf(services).get(cacheKey, parse);
        return { name, policy, readsExistingTags: /s3:existingobjecttag\//i.test(text) };
    } catch (cause) {
        throw new S3Error('InternalError', undefined, { cause });
    }
}
