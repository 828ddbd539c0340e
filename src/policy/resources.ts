/**
 * Resource and NotResource: ARN patterns, case-sensitive, where `*` matches across `/` and `?`
 * one character, with policy variables under Version 2012-10-17:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 *
 * Validation of a bucket policy ("Policy has invalid resource"): every value is
 * `arn:aws:s3:::<bucket>` or `arn:aws:s3:::<bucket>/<key pattern>`, and `<bucket>` (which may use
 * wildcards, not variables) must match the bucket the policy is attached to; `arn:aws:s3:::/*`
 * (no bucket) and `*` are refused. Identity policies take `*` or any ARN.
 */

import { AWS_MESSAGES, malformed } from './errors.js';
import { globMatch, wildcardUnits } from './glob.js';
import { compileTemplate, resolveTemplate, type KeyLookup } from './template.js';
import type { PolicyKind, PolicyVersion, ResourceSet } from './types.js';

const S3_ARN_PREFIX = 'arn:aws:s3:::';

export interface ResourceRules {
    kind: PolicyKind;
    version: PolicyVersion;
    /** The bucket a bucket policy is attached to. */
    bucket?: string;
}

/** Checks and compiles the values of a Resource or NotResource element. */
export function parseResources(raw: string[], negated: boolean, rules: ResourceRules): ResourceSet {
    if (raw.length === 0) return malformed(AWS_MESSAGES.invalidResource);
    for (const resource of raw) {
        const ok =
            rules.kind === 'bucket'
                ? isResourceOfBucket(resource, rules.bucket ?? '')
                : isIdentityResource(resource);
        if (!ok) return malformed(AWS_MESSAGES.invalidResource);
    }
    return { negated, raw, patterns: raw.map((r) => compileTemplate(r, rules.version)) };
}

/** True when `resource` names the bucket itself or objects in it. */
function isResourceOfBucket(resource: string, bucket: string): boolean {
    if (!resource.startsWith(S3_ARN_PREFIX)) return false;
    const path = resource.slice(S3_ARN_PREFIX.length);
    const slash = path.indexOf('/');
    const bucketPart = slash < 0 ? path : path.slice(0, slash);
    if (bucketPart.length === 0 || bucketPart.includes('${')) return false;
    return globMatch(wildcardUnits(bucketPart), bucket);
}

function isIdentityResource(resource: string): boolean {
    return resource === '*' || (resource.startsWith('arn:') && resource.split(':').length >= 6);
}

/** True when the request's resource is covered by the element (Resource) or not (NotResource). */
export function resourceApplies(set: ResourceSet, resource: string, lookup: KeyLookup): boolean {
    const listed = set.patterns.some((template) => {
        const units = resolveTemplate(template, lookup, true);
        return units !== undefined && globMatch(units, resource);
    });
    return set.negated ? !listed : listed;
}
