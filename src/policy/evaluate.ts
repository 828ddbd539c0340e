/**
 * Evaluates one policy against one request. A statement applies when its principal (bucket
 * policies only), action, resource and conditions all match. Within a policy a matching Deny
 * wins over any Allow; the result names the deciding statement.
 */

import { actionApplies } from './actions.js';
import { conditionsHold } from './conditions/evaluate.js';
import { contextLookup } from './context.js';
import { matchPrincipal, type PrincipalMatch } from './principal.js';
import { resourceApplies } from './resources.js';
import type { KeyLookup } from './template.js';
import type {
    MatchResult,
    ParsedPolicy,
    RequestContext,
    Statement,
    StatementRef,
} from './types.js';

/** An Allow together with how its principal matched (see principal.ts on delegation). */
export interface AllowMatch {
    statement: StatementRef;
    principal: PrincipalMatch;
}

/** The full outcome of one policy, as `decide` needs it. */
export interface PolicyOutcome {
    deny?: StatementRef;
    allow?: AllowMatch;
}

/**
 * Evaluates `policy` (named `name` in results) for `req`: Deny if any Deny statement applies,
 * else Allow if any Allow statement applies, else NoMatch. Identity policies have no principal
 * element, so `isIdentityPolicy` skips that check.
 */
export function evaluatePolicy(
    policy: ParsedPolicy,
    name: string,
    req: RequestContext,
    opts: { isIdentityPolicy: boolean },
): MatchResult {
    const lookup = contextLookup(req);
    const outcome = evaluatePolicyOutcome(policy, name, req, opts.isIdentityPolicy, lookup);
    if (outcome.deny !== undefined) return { effect: 'Deny', statement: outcome.deny };
    if (outcome.allow !== undefined) return { effect: 'Allow', statement: outcome.allow.statement };
    return { effect: 'NoMatch' };
}

/**
 * Like `evaluatePolicy`, keeping whether an Allow reached the caller only via its account.
 * `lookup` is the request's condition-key lookup (`contextLookup(req)`), built once per request.
 */
export function evaluatePolicyOutcome(
    policy: ParsedPolicy,
    name: string,
    req: RequestContext,
    isIdentityPolicy: boolean,
    lookup: KeyLookup,
): PolicyOutcome {
    const outcome: PolicyOutcome = {};
    for (const statement of policy.statements) {
        const principal = isIdentityPolicy ? 'direct' : statementPrincipal(statement, req);
        if (principal === 'none' || !statementApplies(statement, req, lookup)) continue;
        const ref = statementRef(name, statement);
        if (statement.effect === 'Deny') return { deny: ref };
        // Prefer a direct grant over a delegated one: it needs nothing from the identity side.
        if (outcome.allow === undefined || outcome.allow.principal === 'account') {
            outcome.allow = { statement: ref, principal };
        }
    }
    return outcome;
}

function statementPrincipal(statement: Statement, req: RequestContext): PrincipalMatch {
    if (statement.principal === undefined) return 'none';
    const match = matchPrincipal(statement.principal.set, req.principal);
    if (!statement.principal.negated) return match;
    // NotPrincipal applies to everyone it does not name, however it would have named them.
    return match === 'none' ? 'direct' : 'none';
}

function statementApplies(statement: Statement, req: RequestContext, lookup: KeyLookup): boolean {
    return (
        actionApplies(statement.actions, req.action) &&
        resourceApplies(statement.resources, req.resource, lookup) &&
        conditionsHold(statement.conditions, lookup)
    );
}

function statementRef(policy: string, statement: Statement): StatementRef {
    return statement.sid === undefined
        ? { policy, index: statement.index }
        : { policy, sid: statement.sid, index: statement.index };
}
