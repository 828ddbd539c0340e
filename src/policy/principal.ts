/**
 * Principal and NotPrincipal:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 *
 * Accepted forms: `"*"`, `{"AWS": "*"}`, an account (`123456789012` or
 * `arn:aws:iam::123456789012:root`), an IAM user ARN (`arn:aws:iam::<id>:user/<path/>name`),
 * lists of these, and `{"Service": "<name>.amazonaws.com"}` (accepted so AWS-written policies
 * load, but no Coffer caller is a service). Referenced accounts and users must exist, as on AWS
 * ("Invalid principal in policy"). Coffer has no roles, federation or canonical users, so those
 * forms are refused with the same message.
 *
 * Matching: `*` matches everyone, anonymous included. A user ARN matches that user. An account
 * matches its root user directly, and its IAM users only by delegation: "This delegates
 * authority to the account ... an administrator in that account must then grant access to an
 * identity" (same page, "AWS account principals"). `decide` uses that difference.
 */

import { AWS_MESSAGES, malformed } from './errors.js';
import { isObject, stringList } from './json.js';
import type { Principal, PrincipalSet } from './types.js';

/** Answers whether an account root (`arn:aws:iam::<id>:root`) or user ARN exists. */
export type PrincipalExists = (arn: string) => boolean;

/** How a principal element matched: directly, only through its account, or not at all. */
export type PrincipalMatch = 'direct' | 'account' | 'none';

const ACCOUNT_ID = /^\d{12}$/;
const ROOT_ARN = /^arn:aws:iam::(\d{12}):root$/;
const USER_ARN = /^arn:aws:iam::(\d{12}):user\/(?:[!-~]*\/)?[\w+=,.@-]{1,64}$/;
const SERVICE = /^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(?:\.cn)?$/;

/** The ARN AWS uses for an account principal. */
export function accountRootArn(accountId: string): string {
    return `arn:aws:iam::${accountId}:root`;
}

/** Parses a Principal / NotPrincipal value, checking that referenced principals exist. */
export function parsePrincipalSet(value: unknown, exists: PrincipalExists): PrincipalSet {
    const set: PrincipalSet = { any: false, accounts: [], users: [], services: [] };
    if (value === '*') return { ...set, any: true };
    if (!isObject(value) || Object.keys(value).length === 0) {
        return malformed(AWS_MESSAGES.invalidPrincipal);
    }
    for (const [type, entries] of Object.entries(value)) {
        const list = stringList(entries, `Principal ${type}`);
        if (list.length === 0) return malformed(AWS_MESSAGES.invalidPrincipal);
        if (type === 'AWS') {
            list.forEach((entry) => addAwsPrincipal(set, entry, exists));
        } else if (type === 'Service' && list.every((name) => SERVICE.test(name))) {
            set.services.push(...list);
        } else {
            return malformed(AWS_MESSAGES.invalidPrincipal);
        }
    }
    return set;
}

function addAwsPrincipal(set: PrincipalSet, entry: string, exists: PrincipalExists): void {
    if (entry === '*') {
        set.any = true;
        return;
    }
    const accountId = ACCOUNT_ID.test(entry) ? entry : ROOT_ARN.exec(entry)?.[1];
    if (accountId !== undefined) {
        if (!exists(accountRootArn(accountId))) malformed(AWS_MESSAGES.invalidPrincipal);
        set.accounts.push(accountId);
    } else if (USER_ARN.test(entry) && exists(entry)) {
        set.users.push(entry);
    } else {
        malformed(AWS_MESSAGES.invalidPrincipal);
    }
}

/** How the request's principal is named by the set. */
export function matchPrincipal(set: PrincipalSet, principal: Principal): PrincipalMatch {
    if (set.any) return 'direct';
    if (principal.type === 'Anonymous') return 'none';
    if (principal.type === 'User' && set.users.includes(principal.arn)) return 'direct';
    if (!set.accounts.includes(principal.accountId)) return 'none';
    return principal.type === 'Root' ? 'direct' : 'account';
}
