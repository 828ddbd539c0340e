/**
 * Input constraints of IAM's API reference (each parameter's "Length Constraints" and "Pattern"),
 * checked the same way for the IAM API and `coffer admin`. A failure is IAM's ValidationError
 * with AWS's wording (see `validationError`). Java's `\w` in those patterns is `[A-Za-z0-9_]`,
 * as is JavaScript's without the `u` flag.
 */
import { IamError, validationError } from './errors.js';
import type { AccessKeyStatus } from '../store/identity-types.js';

const NAME = /^[\w+=,.@-]+$/;
const PATH = /^(?:\/|\/[\x21-\x7e]+\/)$/;
const PATH_PREFIX = /^\/[\x21-\x7f]*$/;
const ACCESS_KEY_ID = /^\w+$/;
const POLICY_DOCUMENT = /^[\t\n\r\x20-\xff]+$/;
const SECRET = /^[\x21-\x7e]+$/;
const ACCOUNT_ID = /^\d{12}$/;

function checkLength(field: string, value: string, min: number, max: number): void {
    if (value.length < min) {
        throw validationError(field, value, `have length greater than or equal to ${min}`);
    }
    if (value.length > max) {
        throw validationError(field, value, `have length less than or equal to ${max}`);
    }
}

function checkPattern(field: string, value: string, pattern: RegExp, shown: string): void {
    if (!pattern.test(value)) {
        throw validationError(field, value, `satisfy regular expression pattern: ${shown}`);
    }
}

/** A user name: up to 64 characters for CreateUser, 128 where an existing user is named. */
export function checkUserName(value: string, max: 64 | 128 = 128): string {
    checkLength('userName', value, 1, max);
    checkPattern('userName', value, NAME, '[\\w+=,.@-]+');
    return value;
}

export function checkPolicyName(value: string): string {
    checkLength('policyName', value, 1, 128);
    checkPattern('policyName', value, NAME, '[\\w+=,.@-]+');
    return value;
}

/** A path: `/` alone, or starting and ending with `/`. */
export function checkPath(value: string): string {
    checkLength('path', value, 1, 512);
    checkPattern('path', value, PATH, '(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)');
    return value;
}

export function checkPathPrefix(value: string): string {
    checkLength('pathPrefix', value, 1, 512);
    checkPattern('pathPrefix', value, PATH_PREFIX, '\\u002F[\\u0021-\\u007F]*');
    return value;
}

export function checkAccessKeyId(value: string): string {
    checkLength('accessKeyId', value, 16, 128);
    checkPattern('accessKeyId', value, ACCESS_KEY_ID, '[\\w]+');
    return value;
}

export function checkStatus(value: string): AccessKeyStatus {
    if (value === 'Active' || value === 'Inactive') return value;
    throw validationError('status', value, 'satisfy enum value set: [Active, Inactive]');
}

export function checkPolicyArn(value: string): string {
    checkLength('policyArn', value, 20, 2048);
    return value;
}

export function checkPolicyDocument(value: string): string {
    checkLength('policyDocument', value, 1, 131072);
    if (!POLICY_DOCUMENT.test(value)) {
        throw new IamError(
            'ValidationError',
            "1 validation error detected: Value at 'policyDocument' failed to satisfy " +
                'constraint: Member must satisfy regular expression pattern: ' +
                '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+',
        );
    }
    return value;
}

export function checkDescription(value: string): string {
    checkLength('description', value, 0, 1000);
    return value;
}

/** A chosen secret (coffer admin): 8 to 128 visible ASCII characters. Never echoed. */
export function checkSecretAccessKey(value: string): string {
    if (value.length < 8 || value.length > 128 || !SECRET.test(value)) {
        throw new IamError(
            'ValidationError',
            'A secret access key must be 8 to 128 visible ASCII characters.',
        );
    }
    return value;
}

export function checkAccountId(value: string): string {
    if (!ACCOUNT_ID.test(value)) {
        throw new IamError('ValidationError', `Account id '${value}' is not 12 digits.`);
    }
    return value;
}

/** An account's display name: 1 to 50 visible characters or spaces. */
export function checkAccountName(value: string): string {
    checkLength('accountName', value, 1, 50);
    checkPattern('accountName', value, /^[\x20-\x7e]+$/, '[\\u0020-\\u007E]+');
    return value;
}
