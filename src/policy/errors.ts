/**
 * The one error the policy parser throws: S3's 400 MalformedPolicy with a message that says what
 * is wrong. Messages AWS is known to send are kept verbatim in `AWS_MESSAGES` because clients and
 * tests match on them; the rest are ours and name the offending element or value.
 */

import { S3Error } from '../s3/errors.js';

/** Messages observed from AWS S3 PutBucketPolicy (sources in /work/shared/AWS-SEMANTICS.md §8). */
export const AWS_MESSAGES = {
    firstByte: "Policies must be valid JSON and the first byte must be '{'",
    invalidJson: 'This policy contains invalid Json',
    invalidVersion: 'The policy must contain a valid version string',
    emptyStatement: 'Could not parse the policy: Statement is empty!',
    invalidAction: 'Policy has invalid action',
    invalidResource: 'Policy has invalid resource',
    invalidPrincipal: 'Invalid principal in policy',
    /** MinIO's wording for its S3-compatible 20 KB limit; AWS's exact text is unconfirmed. */
    tooLarge: 'Policy exceeds the maximum allowed document size.',
} as const;

/** Throws MalformedPolicy; typed `never` so callers can use it in expressions. */
export function malformed(message: string): never {
    throw new S3Error('MalformedPolicy', message);
}

/** "Missing required field X": AWS's wording for Statement and Principal, ours for the rest. */
export function missingField(name: string): never {
    return malformed(`Missing required field ${name}`);
}

/** "Unknown field X" for elements the grammar does not define. */
export function unknownField(name: string): never {
    return malformed(`Unknown field ${name}`);
}
