/**
 * The policy engine's data model: a parsed policy (what `parse*Policy` returns and the evaluator
 * reads), the request context the server builds for every request, and the typed results.
 */

import type { ConditionEntry } from './conditions/types.js';
import type { Unit } from './glob.js';
import type { Template } from './template.js';

/** Policy language versions AWS accepts; a missing Version means 2008-10-17. */
export type PolicyVersion = '2008-10-17' | '2012-10-17';

/** Bucket policies are resource-based (need Principal); identity policies attach to a user. */
export type PolicyKind = 'bucket' | 'identity';

/**
 * The principals named by a Principal or NotPrincipal element.
 * `accounts` holds 12-digit ids (from `123456789012` or `arn:aws:iam::123456789012:root`),
 * `users` holds full IAM user ARNs, `services` AWS service principals (never a Coffer caller).
 */
export interface PrincipalSet {
    any: boolean;
    accounts: string[];
    users: string[];
    services: string[];
}

/** Action or NotAction: lowercase wildcard patterns (`*`, `?`), matched case-insensitively. */
export interface ActionSet {
    negated: boolean;
    patterns: Unit[][];
    /** The patterns as written, for messages and round trips. */
    raw: string[];
}

/** Resource or NotResource: ARN templates (may hold policy variables), case-sensitive. */
export interface ResourceSet {
    negated: boolean;
    patterns: Template[];
    raw: string[];
}

/** One statement, normalised: single values became lists, case-blind keys were lowercased. */
export interface Statement {
    index: number;
    sid?: string;
    effect: 'Allow' | 'Deny';
    /** Absent in identity policies; `negated` means the statement used NotPrincipal. */
    principal?: { negated: boolean; set: PrincipalSet };
    actions: ActionSet;
    resources: ResourceSet;
    conditions: ConditionEntry[];
}

/** A policy that passed parsing and validation; immutable and safe to cache. */
export interface ParsedPolicy {
    kind: PolicyKind;
    version: PolicyVersion;
    id?: string;
    statements: Statement[];
}

/** Who signed the request, as the authenticator resolved it. */
export type Principal =
    | { type: 'Anonymous' }
    | { type: 'Root'; accountId: string }
    | { type: 'User'; accountId: string; userName: string; userId: string; arn: string };

/** What a policy can look at. Condition keys are lowercase; an absent key is not in the map. */
export interface RequestContext {
    principal: Principal;
    /** IAM action name, e.g. `s3:GetObject`. */
    action: string;
    /** The resource ARN, e.g. `arn:aws:s3:::bucket/key` or `arn:aws:s3:::bucket`. */
    resource: string;
    conditionKeys: Map<string, string[] | undefined>;
}

/** Names the statement that decided: the policy's name, its Sid if any, its position. */
export type StatementRef = { policy: string; sid?: string; index: number };

/** The outcome of one policy for one request. */
export type MatchResult =
    | { effect: 'Allow' | 'Deny'; statement: StatementRef }
    | { effect: 'NoMatch' };

/** The outcome of all policies for one request. */
export interface Decision {
    allowed: boolean;
    reason: 'ExplicitDeny' | 'Allow' | 'ImplicitDeny';
    statement?: StatementRef;
}
