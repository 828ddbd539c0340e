/**
 * One authorization decision: a principal, an action on a resource, the request's condition
 * keys; the policy engine's verdict, then the S3 rules the engine leaves to the server.
 *
 * 1. The bucket decides who owns the resource and which bucket policy applies. Account-level
 *    actions (ListAllMyBuckets) and CreateBucket are decided in the caller's own account, with
 *    no bucket policy. A bucket that does not exist is answered NoSuchBucket to every caller,
 *    as AWS does (bucket names are global and public); answering it here, rather than in the
 *    handler, leaves no window in which a bucket created meanwhile is served unauthorized.
 * 2. `decide` combines identity policies and the bucket policy (src/policy/decide.ts).
 * 3. Lock-out protection: the bucket owner's root user may always Get/Put/DeleteBucketPolicy,
 *    whatever the policy says; callers of another account (or anonymous) allowed to call these
 *    APIs get 405 MethodNotAllowed
 *    (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketPolicy.html).
 * 4. RestrictPublicBuckets: while the bucket policy is public, an Allow reaches only principals
 *    of the owner's account (see public-access.ts).
 * 5. A user ARN in the bucket policy names the user it named when the policy was stored, not a
 *    user recreated under that name since (principal-binding.ts). The engine sees such a caller
 *    with its unique id as ARN; the condition keys are built from the real caller beforehand.
 */
import { decide, type Decision, type StatementRef } from '../policy/index.js';
import type { Principal } from '../identity/principal.js';
import { S3Error } from '../s3/errors.js';
import type { ServerServices } from '../server/services.js';
import { BUCKET_POLICY_ACTIONS, type ActionCheck } from './actions.js';
import {
    addActionKeys,
    globalConditionKeys,
    usesExistingObjectTags,
    type ConditionKeys,
    type RequestFacts,
} from './condition-keys.js';
import { bucketPolicyOf, identityPoliciesOf, type LoadedPolicy } from './policies.js';
import { principalForBucketPolicy, readBinding } from './principal-binding.js';
import { isPublicPolicy } from './policy-status.js';
import { NOTHING_BLOCKED, readPublicAccessBlock, type PublicAccessBlock } from './public-access.js';

export type DecisionName = 'allow' | 'explicit deny' | 'implicit deny';

const DECISION_NAMES: Record<Decision['reason'], DecisionName> = {
    Allow: 'allow',
    ExplicitDeny: 'explicit deny',
    ImplicitDeny: 'implicit deny',
};

/** The outcome of one check, with what the log and the error need. */
export interface Verdict {
    decision: DecisionName;
    statement?: StatementRef;
    /** Why a rule outside the policies decided (lock-out protection, Block Public Access). */
    reason?: string;
    /** Refused with this instead of AccessDenied. */
    refusal?: 'MethodNotAllowed';
    /** Whether the caller belongs to the account that owns the resource. */
    sameAccount: boolean;
}

export interface CheckInputs {
    uploadSse?: Readonly<Record<string, string>>;
    extraKeys?: ConditionKeys;
}

interface Target {
    ownerAccount: string;
    policy?: LoadedPolicy;
    block: PublicAccessBlock;
    /** The caller as the bucket policy's Principal elements see it (module comment, 5). */
    policyPrincipal: Principal;
}

/** Decides one check (see the module comment). Throws NoSuchBucket for a missing bucket. */
export async function evaluateCheck(
    services: ServerServices,
    facts: RequestFacts,
    check: ActionCheck,
    inputs: CheckInputs = {},
): Promise<Verdict> {
    const { principal } = facts;
    const target = await targetOf(services, check, principal);
    const identity = await identityPoliciesOf(services, principal);
    const keys = await conditionKeysOf(services, facts, check, inputs, [identity, target.policy]);
    const decision = decide({
        identityPolicies: identity,
        bucketPolicy: target.policy?.policy,
        bucketOwnerAccount: target.ownerAccount,
        req: {
            principal: target.policyPrincipal,
            action: check.action,
            resource: check.resource,
            conditionKeys: keys,
        },
    });
    const sameAccount =
        principal.type !== 'Anonymous' && principal.accountId === target.ownerAccount;
    const verdict: Verdict = {
        decision: DECISION_NAMES[decision.reason],
        statement: decision.statement,
        sameAccount,
    };
    return applyBucketRules(verdict, check, principal, target);
}

async function targetOf(
    services: ServerServices,
    check: ActionCheck,
    principal: Principal,
): Promise<Target> {
    if (check.scope === 'account' || check.scope === 'new-bucket') {
        const ownerAccount = principal.type === 'Anonymous' ? '' : principal.accountId;
        return { ownerAccount, block: NOTHING_BLOCKED, policyPrincipal: principal };
    }
    const name = check.bucket!;
    const bucket = await services.metadata.getBucket(name);
    if (bucket === undefined) {
        throw new S3Error('NoSuchBucket', undefined, { fields: { BucketName: name } });
    }
    const [policy, block] = await Promise.all([
        bucketPolicyOf(services, name),
        readPublicAccessBlock(services.metadata, name),
    ]);
    // Only an IAM user can be named by a user ARN; others need not read the binding.
    const binding =
        policy !== undefined && principal.type === 'User'
            ? await readBinding(services.metadata, name)
            : undefined;
    return {
        ownerAccount: bucket.ownerAccountId,
        policy,
        block: block ?? NOTHING_BLOCKED,
        policyPrincipal: binding ? principalForBucketPolicy(principal, binding) : principal,
    };
}

async function conditionKeysOf(
    services: ServerServices,
    facts: RequestFacts,
    check: ActionCheck,
    inputs: CheckInputs,
    [identity, bucketPolicy]: [LoadedPolicy[], LoadedPolicy | undefined],
): Promise<ConditionKeys> {
    const readsTags = [...identity, bucketPolicy].some((policy) => policy?.readsExistingTags);
    let existingTags;
    if (readsTags && usesExistingObjectTags(check.action) && check.key !== undefined) {
        existingTags = (await services.metadata.getObject(check.bucket!, check.key))?.tags;
    }
    const keys = addActionKeys(globalConditionKeys(facts), check.action, facts, {
        existingTags,
        uploadSse: inputs.uploadSse,
    });
    for (const [key, values] of inputs.extraKeys ?? []) keys.set(key, values);
    return keys;
}

function applyBucketRules(
    verdict: Verdict,
    check: ActionCheck,
    principal: Principal,
    target: Target,
): Verdict {
    const policyApi = BUCKET_POLICY_ACTIONS.has(check.action);
    if (policyApi && principal.type === 'Root' && verdict.sameAccount) {
        if (verdict.decision === 'allow') return verdict;
        return { ...verdict, decision: 'allow', reason: 'bucket owner root: lock-out protection' };
    }
    if (verdict.decision !== 'allow' || verdict.sameAccount) return verdict;
    if (policyApi) {
        return {
            ...verdict,
            decision: 'implicit deny',
            refusal: 'MethodNotAllowed',
            reason: 'bucket policy APIs are reserved to the bucket owner account',
        };
    }
    const policy = target.policy?.policy;
    if (target.block.RestrictPublicBuckets && policy !== undefined && isPublicPolicy(policy)) {
        return { ...verdict, decision: 'implicit deny', reason: 'RestrictPublicBuckets' };
    }
    return verdict;
}
