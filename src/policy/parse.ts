/**
 * Parses and validates a policy document. Both entry points either return a `ParsedPolicy` or
 * throw `S3Error('MalformedPolicy')` with a message naming what is wrong; nothing else escapes,
 * whatever the input (test/unit/policy-fuzz.test.ts holds the engine to that).
 *
 * Order of checks, so the first problem reported is the one AWS would report:
 * 1. First byte `{` ("Policies must be valid JSON and the first byte must be '{'"; AWS does not
 *    skip leading whitespace: https://github.com/cloud-gov/terraform-provision/pull/574).
 * 2. Size (bucket policies): at most 20480 bytes once insignificant whitespace is removed
 *    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/add-bucket-policy.html).
 * 3. JSON syntax, then top-level fields (Version, Id, Statement), then each statement.
 */

import { AWS_MESSAGES, malformed, missingField, unknownField } from './errors.js';
import { compactByteLength, isObject, optionalString } from './json.js';
import type { PrincipalExists } from './principal.js';
import { parseStatement, type StatementRules } from './statement.js';
import type { ParsedPolicy, PolicyVersion } from './types.js';

/** AWS's bucket policy size limit (20 KB), counted without insignificant whitespace. */
export const MAX_BUCKET_POLICY_BYTES = 20480;

/**
 * Raw documents beyond this are refused before scanning: even generously indented, a policy
 * under the limit does not need eight bytes of layout per byte of content.
 */
const MAX_RAW_BYTES = MAX_BUCKET_POLICY_BYTES * 8;

const TOP_LEVEL_FIELDS = new Set(['Version', 'Id', 'Statement']);
const VERSIONS: readonly PolicyVersion[] = ['2008-10-17', '2012-10-17'];

/** What PutBucketPolicy checks a bucket policy against. */
export interface BucketPolicyOptions {
    /** The bucket the policy is for; every Resource must be this bucket or objects in it. */
    bucket: string;
    /** Whether a referenced account root or IAM user exists. */
    principalExists: PrincipalExists;
}

/** Parses a bucket policy as PutBucketPolicy does. */
export function parseBucketPolicy(text: string, options: BucketPolicyOptions): ParsedPolicy {
    checkFirstByte(text);
    if (
        Buffer.byteLength(text) > MAX_RAW_BYTES ||
        compactByteLength(text) > MAX_BUCKET_POLICY_BYTES
    ) {
        malformed(AWS_MESSAGES.tooLarge);
    }
    return parseDocument(text, (version) => ({
        kind: 'bucket',
        version,
        bucket: options.bucket,
        principalExists: options.principalExists,
    }));
}

/**
 * Parses an identity policy (attached to an IAM user). No size limit is applied here; the
 * admin API that stores identity policies owns that choice.
 */
export function parseIdentityPolicy(text: string): ParsedPolicy {
    checkFirstByte(text);
    return parseDocument(text, (version) => ({
        kind: 'identity',
        version,
        principalExists: () => false,
    }));
}

function checkFirstByte(text: string): void {
    if (!text.startsWith('{')) malformed(AWS_MESSAGES.firstByte);
}

function parseDocument(
    text: string,
    rulesFor: (version: PolicyVersion) => StatementRules,
): ParsedPolicy {
    const document = parseJson(text);
    for (const field of Object.keys(document)) {
        if (!TOP_LEVEL_FIELDS.has(field)) unknownField(field);
    }
    const version = parseVersion(document.Version);
    const id = optionalString(document.Id, 'Id');
    const rules = rulesFor(version);
    const statements = statementList(document.Statement).map((raw, index) =>
        parseStatement(raw, index, rules),
    );
    return { kind: rules.kind, version, id, statements };
}

function parseJson(text: string): Record<string, unknown> {
    let document: unknown;
    try {
        document = JSON.parse(text);
    } catch {
        return malformed(AWS_MESSAGES.invalidJson);
    }
    return isObject(document) ? document : malformed(AWS_MESSAGES.invalidJson);
}

function parseVersion(value: unknown): PolicyVersion {
    // AWS's default when Version is omitted; it disables policy variables.
    if (value === undefined) return '2008-10-17';
    return isVersion(value) ? value : malformed(AWS_MESSAGES.invalidVersion);
}

function isVersion(value: unknown): value is PolicyVersion {
    return VERSIONS.some((version) => version === value);
}

function statementList(value: unknown): unknown[] {
    if (value === undefined) return missingField('Statement');
    if (isObject(value)) return [value];
    if (!Array.isArray(value)) return malformed('Statement must be an object or an array');
    return value.length > 0 ? value : malformed(AWS_MESSAGES.emptyStatement);
}
