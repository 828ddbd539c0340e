/**
 * Condition-key lookup for one request. The server fills `conditionKeys` (lowercase names);
 * the principal keys AWS derives from the caller are added here when the server did not set
 * them, so `${aws:username}` and `aws:PrincipalAccount` work without every caller repeating them.
 * Values follow AWS's table "Request information that you can use for policy variables"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html):
 * anonymous callers have `aws:userid` = `anonymous` and no account, the root user's
 * `aws:userid` is its account id and its `aws:PrincipalType` is `Account`.
 */

import type { KeyLookup } from './template.js';
import type { Principal, RequestContext } from './types.js';

/** The principal-derived global keys, lowercase name to values. */
function principalKeys(principal: Principal): Map<string, string[]> {
    const keys = new Map<string, string[]>();
    if (principal.type === 'Anonymous') {
        keys.set('aws:userid', ['anonymous']);
        keys.set('aws:principaltype', ['Anonymous']);
        return keys;
    }
    keys.set('aws:principalaccount', [principal.accountId]);
    if (principal.type === 'Root') {
        keys.set('aws:userid', [principal.accountId]);
        keys.set('aws:principalarn', [`arn:aws:iam::${principal.accountId}:root`]);
        keys.set('aws:principaltype', ['Account']);
    } else {
        keys.set('aws:userid', [principal.userId]);
        keys.set('aws:username', [principal.userName]);
        keys.set('aws:principalarn', [principal.arn]);
        keys.set('aws:principaltype', ['User']);
    }
    return keys;
}

/**
 * Builds the lookup the evaluator uses. Keys set by the server win over derived ones. An empty
 * value list counts as absent: AWS treats "no values" like a missing key for Null, the
 * `...IfExists` operators and the set operators.
 */
export function contextLookup(req: RequestContext): KeyLookup {
    const derived = principalKeys(req.principal);
    return (key) => {
        const values = req.conditionKeys.has(key) ? req.conditionKeys.get(key) : derived.get(key);
        return values === undefined || values.length === 0 ? undefined : values;
    };
}
