/**
 * Identifiers and secrets in AWS's shapes: user ids `AIDA…`, policy ids `ANPA…`, access key ids
 * `AKIA…` (prefix, then uppercase letters and digits), 40-character secret access keys, and
 * 12-digit account ids. All drawn from the CSPRNG; `randomInt` keeps each character uniform.
 */
import { randomBytes, randomInt } from 'node:crypto';

const UPPER_ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomSuffix(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++)
        out += UPPER_ALPHANUMERIC[randomInt(UPPER_ALPHANUMERIC.length)];
    return out;
}

/** `AIDA` and 17 characters, as IAM user ids look. */
export function newUserId(): string {
    return 'AIDA' + randomSuffix(17);
}

/** `ANPA` and 17 characters, as customer managed policy ids look. */
export function newPolicyId(): string {
    return 'ANPA' + randomSuffix(17);
}

/** `AKIA` and 16 characters: 20 in all, as long-term access key ids look. */
export function newAccessKeyId(): string {
    return 'AKIA' + randomSuffix(16);
}

/** 40 base64 characters (240 random bits), the length and alphabet of AWS secret keys. */
export function newSecretAccessKey(): string {
    return randomBytes(30).toString('base64');
}

/** A 12-digit account id that does not start with 0. */
export function newAccountId(): string {
    return String(randomInt(100000, 1000000)) + String(randomInt(0, 1000000)).padStart(6, '0');
}
