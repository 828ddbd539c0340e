/**
 * Action and NotAction: `service:Name` patterns with `*` and `?`, compared ignoring case
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
 *
 * Validation: a bucket policy may only name S3 actions, and a pattern must match at least one
 * known S3 action ("Policy has invalid action"); `*` and `s3:*` are fine. An identity policy may
 * also name other services' actions (IAM accepts them), but its `s3:` patterns are checked too.
 */

import { AWS_MESSAGES, malformed } from './errors.js';
import { foldUnits, globMatch, wildcardUnits } from './glob.js';
import { S3_ACTIONS } from './s3-actions.js';
import type { ActionSet, PolicyKind } from './types.js';

const ACTION_SYNTAX = /^([A-Za-z0-9-]+):([A-Za-z0-9*?]+)$/;

/** Checks and compiles the values of an Action or NotAction element. */
export function parseActions(raw: string[], negated: boolean, kind: PolicyKind): ActionSet {
    if (raw.length === 0) return malformed(AWS_MESSAGES.invalidAction);
    for (const action of raw) checkAction(action, kind);
    return { negated, raw, patterns: raw.map((a) => foldUnits(wildcardUnits(a))) };
}

function checkAction(action: string, kind: PolicyKind): void {
    if (action === '*') return;
    const syntax = ACTION_SYNTAX.exec(action);
    if (syntax === null) return malformed(AWS_MESSAGES.invalidAction);
    const isS3 = syntax[1].toLowerCase() === 's3';
    if (!isS3 && kind === 'bucket') return malformed(AWS_MESSAGES.invalidAction);
    if (isS3 && !matchesKnownAction(action)) {
        return malformed(AWS_MESSAGES.invalidAction);
    }
}

const KNOWN_LOWERCASE = S3_ACTIONS.map((action) => action.toLowerCase());
const KNOWN_SET = new Set(KNOWN_LOWERCASE);

function matchesKnownAction(action: string): boolean {
    const folded = action.toLowerCase();
    if (!folded.includes('*') && !folded.includes('?')) return KNOWN_SET.has(folded);
    const pattern = wildcardUnits(folded);
    return KNOWN_LOWERCASE.some((known) => globMatch(pattern, known));
}

/** True when the request's action is covered by the element (Action) or not (NotAction). */
export function actionApplies(set: ActionSet, action: string): boolean {
    const listed = set.patterns.some((pattern) => globMatch(pattern, action, true));
    return set.negated ? !listed : listed;
}
