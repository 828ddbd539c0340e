/**
 * Whether a bucket policy is "public", as Block Public Access and GetBucketPolicyStatus judge
 * it. AWS's definition (PublicAccessBlockConfiguration in the S3 API reference, and "The meaning
 * of public" in https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html):
 * a policy is public unless every Allow statement is fixed to known callers.
 *
 * 1. Only Allow statements count; a Deny never makes a policy public.
 * 2. A statement naming fixed principals (accounts, users, services) is not public. `*`,
 *    `{"AWS": "*"}` and any NotPrincipal Allow are candidates.
 * 3. A candidate is still not public when one of its conditions pins the caller down:
 *    - `IpAddress` on aws:SourceIp with blocks no wider than /8 (IPv4) or /32 (IPv6). AWS says
 *      only "a set of CIDRs"; Coffer's widths are a choice, so that `0.0.0.0/1` stays public;
 *    - an equality (`StringEquals`, `StringEqualsIgnoreCase`, `ArnEquals`, or a `...Like`
 *      without wildcards) on a fixed value of aws:SourceArn, aws:SourceVpc, aws:SourceVpce,
 *      aws:SourceOwner, aws:SourceAccount, aws:userid (not `AROLEID:*`), or
 *      s3:x-amz-server-side-encryption-aws-kms-key-id, as AWS lists; and, as the user guide's
 *      longer list adds, aws:PrincipalAccount, aws:PrincipalArn, aws:PrincipalOrgID,
 *      aws:SourceOrgID. A policy variable in the value, `...IfExists` (true when the key is
 *      absent) or `ForAllValues:` (same) do not pin anything.
 * 4. A candidate that grants none of the "bad actions" (s3:Get*, s3:List*, s3:Put*,
 *    s3:Delete*, s3:AbortMultipartUpload, s3:RestoreObject) is not public either.
 */
import { S3_ACTIONS, type ParsedPolicy, type Statement } from '../policy/index.js';

type Condition = Statement['conditions'][number];

const FIXING_KEYS: ReadonlySet<string> = new Set([
    'aws:sourcearn',
    'aws:sourcevpc',
    'aws:sourcevpce',
    'aws:sourceowner',
    'aws:sourceaccount',
    'aws:userid',
    's3:x-amz-server-side-encryption-aws-kms-key-id',
    'aws:principalaccount',
    'aws:principalarn',
    'aws:principalorgid',
    'aws:sourceorgid',
]);
const EQUALITY_OPERATORS = new Set(['StringEquals', 'StringEqualsIgnoreCase', 'ArnEquals']);
const LIKE_OPERATORS = new Set(['StringLike', 'ArnLike']);
const MIN_PREFIX = { 4: 8, 6: 32 } as const;

const BAD_ACTION = /^s3:(?:get|list|put|delete)|^s3:(?:abortmultipartupload|restoreobject)$/;
const BAD_ACTIONS = S3_ACTIONS.map((action) => action.toLowerCase()).filter((action) =>
    BAD_ACTION.test(action),
);

// Parsed policies are immutable and cached, so their verdict is too.
const verdicts = new WeakMap<ParsedPolicy, boolean>();

/** True when the policy grants public access (see the module comment). */
export function isPublicPolicy(policy: ParsedPolicy): boolean {
    let verdict = verdicts.get(policy);
    if (verdict === undefined) {
        verdict = policy.statements.some(isPublicStatement);
        verdicts.set(policy, verdict);
    }
    return verdict;
}

/** One statement's verdict; exported for the unit tests' named cases. */
export function isPublicStatement(statement: Statement): boolean {
    if (statement.effect !== 'Allow' || statement.principal === undefined) return false;
    const { negated, set } = statement.principal;
    if (!negated && !set.any) return false;
    if (statement.conditions.some(pinsCaller)) return false;
    return grantsBadAction(statement);
}

function pinsCaller(condition: Condition): boolean {
    const { operator, key, values } = condition;
    if (operator.ifExists || operator.qualifier === 'ForAllValues' || values.length === 0) {
        return false;
    }
    const name = operator.base.name;
    if (key === 'aws:sourceip') {
        return (
            name === 'IpAddress' &&
            values.every((v) => v.kind === 'cidr' && v.cidr.prefix >= MIN_PREFIX[v.cidr.version])
        );
    }
    if (!FIXING_KEYS.has(key)) return false;
    if (!EQUALITY_OPERATORS.has(name) && !LIKE_OPERATORS.has(name)) return false;
    return values.every((value) => {
        if (value.kind !== 'template' || value.template.hasVariables) return false;
        const text = value.template.source;
        if (LIKE_OPERATORS.has(name) && /[*?]/.test(text)) return false;
        return !(key === 'aws:userid' && text.endsWith(':*'));
    });
}

function grantsBadAction(statement: Statement): boolean {
    const { negated, raw } = statement.actions;
    if (negated) return true;
    const patterns = raw.map(wildcardRegex);
    return BAD_ACTIONS.some((action) => patterns.some((pattern) => pattern.test(action)));
}

function wildcardRegex(pattern: string): RegExp {
    const body = [...pattern.toLowerCase()].map((ch) => {
        if (ch === '*') return '.*';
        if (ch === '?') return '.';
        return ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    });
    return new RegExp(`^${body.join('')}$`, 's');
}
