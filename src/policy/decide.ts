/**
 * Combines a caller's identity policies and the bucket policy into one decision, as S3 does.
 * Sources: IAM "Policy evaluation logic" and its "Cross-account policy evaluation logic" page,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/how-s3-evaluates-access-control.html
 *
 * 1. An explicit Deny in any policy wins, whoever the caller is, the bucket owner's root too.
 * 2. Identity side: an account's root user holds every permission in its own account without
 *    a policy; an IAM user needs an Allow in one of its identity policies; anonymous has none.
 * 3. Same account as the bucket owner: identity Allow OR bucket-policy Allow. A bucket-policy
 *    Allow that names the caller's account (not the caller) only delegates to the account, so
 *    for an IAM user it still needs the identity Allow (see principal.ts).
 * 4. Another account: identity Allow AND bucket-policy Allow (naming the caller or its account).
 * 5. Anonymous: a bucket-policy Allow for `*` is the only way in.
 *
 * Not handled here, by design: Block Public Access, bucket-owner lockout protection for the
 * bucket-policy APIs, and ACLs; the server applies those around this decision.
 */

import { contextLookup } from './context.js';
import { evaluatePolicyOutcome, type PolicyOutcome } from './evaluate.js';
import type { Decision, ParsedPolicy, RequestContext, StatementRef } from './types.js';

/** The policy name bucket-policy statements carry in a `StatementRef`. */
export const BUCKET_POLICY_NAME = 'BucketPolicy';

/** Everything one authorization decision looks at. */
export interface DecisionInput {
    identityPolicies: Array<{ name: string; policy: ParsedPolicy }>;
    bucketPolicy?: ParsedPolicy;
    /** The account that owns the bucket (for account-level actions: the caller's account). */
    bucketOwnerAccount: string;
    req: RequestContext;
}

interface Grant {
    granted: boolean;
    statement?: StatementRef;
}

/** AWS's S3 combination of identity and bucket policies; see the module comment. */
export function decide(input: DecisionInput): Decision {
    const { req } = input;
    const lookup = contextLookup(req);
    const identity = input.identityPolicies.map(({ name, policy }) =>
        evaluatePolicyOutcome(policy, name, req, true, lookup),
    );
    const bucket: PolicyOutcome =
        input.bucketPolicy === undefined
            ? {}
            : evaluatePolicyOutcome(input.bucketPolicy, BUCKET_POLICY_NAME, req, false, lookup);
    const deny = [...identity, bucket].find((outcome) => outcome.deny !== undefined)?.deny;
    if (deny !== undefined) return { allowed: false, reason: 'ExplicitDeny', statement: deny };

    const fromIdentity = identityGrant(req, identity);
    const fromBucket = bucket.allow;
    const principal = req.principal;
    if (principal.type === 'Anonymous') {
        return fromBucket !== undefined ? allow(fromBucket.statement) : implicitDeny();
    }
    if (principal.accountId === input.bucketOwnerAccount) {
        if (fromIdentity.granted) return allow(fromIdentity.statement ?? fromBucket?.statement);
        if (fromBucket?.principal === 'direct') return allow(fromBucket.statement);
        return implicitDeny();
    }
    if (fromIdentity.granted && fromBucket !== undefined) return allow(fromBucket.statement);
    return implicitDeny();
}

function identityGrant(req: RequestContext, outcomes: PolicyOutcome[]): Grant {
    if (req.principal.type === 'Anonymous') return { granted: false };
    const statement = outcomes.find((outcome) => outcome.allow !== undefined)?.allow?.statement;
    // The root user needs no policy inside its own account.
    return { granted: statement !== undefined || req.principal.type === 'Root', statement };
}

function allow(statement: StatementRef | undefined): Decision {
    return statement === undefined
        ? { allowed: true, reason: 'Allow' }
        : { allowed: true, reason: 'Allow', statement };
}

function implicitDeny(): Decision {
    return { allowed: false, reason: 'ImplicitDeny' };
}
