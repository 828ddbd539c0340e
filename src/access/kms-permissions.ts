/**
 * Who may use and manage the built-in KMS's keys, through the KMS API and through S3 (SSE-KMS).
 *
 * Coffer keeps no key policies. Every key is decided as AWS decides a key whose key policy is
 * the default one, which trusts the key's own account and so hands the decision to that
 * account's IAM policies
 * (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html):
 *
 * 1. A principal of another account is refused: no key policy names it.
 * 2. The account's root user may do anything; an IAM user needs an identity policy allowing
 *    the `kms:` action on the key's ARN (or `*` for CreateKey, ListKeys...), and an explicit
 *    Deny wins (`decide` with no resource policy does exactly this).
 * 3. S3's use of an AWS managed key (`aws/s3`) needs no IAM permission: its key policy lets
 *    every principal of the account use it through S3. Using it directly, or changing it, is
 *    refused by the KMS itself (`KmsCore.requireCustomerManaged`).
 *
 * The denial wording is AWS's: "User: ARN is not authorized to perform: kms:X on resource: ARN
 * because no identity-based policy allows the kms:X action" (or "with an explicit deny in an
 * identity-based policy", or "because no resource-based policy allows" for another account).
 */
import type { Principal } from '../identity/principal.js';
import { decide } from '../policy/index.js';
import type { RequestContext } from '../server/request-context.js';
import type { ServerServices } from '../server/services.js';
import type { ConditionKeys } from './condition-keys.js';
import { identityPoliciesOf } from './policies.js';

/** One `kms:` action on one resource, asked by one principal. */
export interface KmsAccessRequest {
    principal: Principal;
    /** e.g. `kms:Decrypt`. */
    action: string;
    /** A key ARN, an alias ARN, or `*` for the actions that name no key. */
    resource: string;
    conditionKeys: ConditionKeys;
}

export type KmsAccessVerdict = { allowed: true } | { allowed: false; message: string };

/** Decides one request against the KMS account's identity policies (module comment, 1-2). */
export async function kmsAccessVerdict(
    services: ServerServices,
    request: KmsAccessRequest,
): Promise<KmsAccessVerdict> {
    const { principal, action, resource } = request;
    if (principal.type === 'Anonymous') {
        return { allowed: false, message: 'Missing Authentication Token' };
    }
    const who =
        `User: ${principal.arn} is not authorized to perform: ${action} ` +
        `on resource: ${resource}`;
    if (principal.accountId !== services.kms.accountId) {
        return {
            allowed: false,
            message: `${who} because no resource-based policy allows the ${action} action`,
        };
    }
    // The root user has no identity policies to deny it anything in its own account.
    if (principal.type === 'Root') return { allowed: true };
    const identityPolicies = await identityPoliciesOf(services, principal);
    const decision = decide({
        identityPolicies,
        bucketOwnerAccount: services.kms.accountId,
        req: { principal, action, resource, conditionKeys: request.conditionKeys },
    });
    if (decision.allowed) return { allowed: true };
    const why =
        decision.reason === 'ExplicitDeny'
            ? 'with an explicit deny in an identity-based policy'
            : `because no identity-based policy allows the ${action} action`;
    return { allowed: false, message: `${who} ${why}` };
}

/**
 * The condition keys KMS adds to a request's global ones: kms:CallerAccount, and for the
 * cryptographic actions kms:EncryptionContext:<key> and kms:EncryptionContextKeys. Condition key
 * names ignore case, so context keys differing only in case share one condition key holding all
 * their values: keeping only one would let `{"project": "secret", "Project": "x"}` slip past a
 * Deny on kms:EncryptionContext:project = secret.
 */
export function addKmsConditionKeys(
    keys: ConditionKeys,
    principal: Principal,
    encryptionContext?: Readonly<Record<string, string>>,
): ConditionKeys {
    for (const key of keys.keys()) if (key.startsWith('s3:')) keys.delete(key);
    if (principal.type !== 'Anonymous') keys.set('kms:calleraccount', [principal.accountId]);
    if (encryptionContext !== undefined) {
        const names = Object.keys(encryptionContext);
        if (names.length > 0) keys.set('kms:encryptioncontextkeys', names);
        for (const name of names) {
            const key = `kms:encryptioncontext:${name.toLowerCase()}`;
            keys.set(key, [...(keys.get(key) ?? []), encryptionContext[name]!]);
        }
    }
    return keys;
}

/** One log line per KMS authorization decision, as S3's decisions are logged (ARNs only). */
export function logKmsDecision(
    ctx: RequestContext,
    check: { action: string; resource: string },
    allowed: boolean,
): void {
    ctx.log.info(
        {
            event: 'authorization',
            operation: ctx.operation,
            action: check.action,
            resource: check.resource,
            principal: ctx.principal.type === 'Anonymous' ? 'anonymous' : ctx.principal.arn,
            decision: allowed ? 'allow' : 'deny',
        },
        'authorization',
    );
}
