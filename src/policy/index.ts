/**
 * Coffer's IAM policy language engine: pure functions, no I/O.
 *
 * Recipe:
 * 1. Parse: `parseBucketPolicy(text, {bucket, principalExists})` for PutBucketPolicy, or
 *    `parseIdentityPolicy(text)` for a user's policies. Either returns an immutable
 *    `ParsedPolicy` or throws `S3Error('MalformedPolicy')` saying what is wrong. Every policy
 *    value is checked and compiled here (wildcards, variables, CIDRs, dates, numbers).
 * 2. Build a `RequestContext` per request: principal, action (`s3:GetObject`), resource ARN,
 *    and the condition keys (lowercase names; an absent key is simply not in the map).
 * 3. Decide: `decide({identityPolicies, bucketPolicy, bucketOwnerAccount, req})` applies AWS's
 *    rules (explicit Deny wins; same account: either side allows; cross-account: both;
 *    anonymous: bucket policy only) and names the statement that decided.
 *    `evaluatePolicy` gives one policy's verdict when that is all a caller needs.
 *
 * AWS behaviour and the sources for each rule are documented in the module that implements it:
 * conditions/evaluate.ts (absent keys, negation, set qualifiers), template.ts (variables),
 * principal.ts (account delegation), decide.ts (combination), parse.ts (validation order).
 */

export { decide, BUCKET_POLICY_NAME, type DecisionInput } from './decide.js';
export { AWS_MESSAGES } from './errors.js';
export { evaluatePolicy } from './evaluate.js';
export {
    parseBucketPolicy,
    parseIdentityPolicy,
    MAX_BUCKET_POLICY_BYTES,
    type BucketPolicyOptions,
} from './parse.js';
export { accountRootArn, type PrincipalExists } from './principal.js';
export { S3_ACTIONS } from './s3-actions.js';
export type {
    Decision,
    MatchResult,
    ParsedPolicy,
    PolicyKind,
    PolicyVersion,
    Principal,
    RequestContext,
    Statement,
    StatementRef,
} from './types.js';
