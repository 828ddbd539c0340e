/**
 * Parses and validates one Statement object. Element names are case-sensitive as AWS spells
 * them; anything else is an unknown field. Each element is checked by its own module
 * (principal.ts, actions.ts, resources.ts, conditions/).
 */

import { parseActions } from './actions.js';
import { parseConditionBlock } from './conditions/parse.js';
import { malformed, missingField, unknownField } from './errors.js';
import { isObject, optionalString, stringList, type JsonObject } from './json.js';
import { parsePrincipalSet, type PrincipalExists } from './principal.js';
import { parseResources } from './resources.js';
import type { PolicyKind, PolicyVersion, Statement } from './types.js';

/** What a statement is checked against. */
export interface StatementRules {
    kind: PolicyKind;
    version: PolicyVersion;
    bucket?: string;
    principalExists: PrincipalExists;
}

const STATEMENT_FIELDS = new Set([
    'Sid',
    'Effect',
    'Principal',
    'NotPrincipal',
    'Action',
    'NotAction',
    'Resource',
    'NotResource',
    'Condition',
]);

/** Parses the statement at `index`. */
export function parseStatement(raw: unknown, index: number, rules: StatementRules): Statement {
    if (!isObject(raw)) return malformed('Each Statement must be a JSON object');
    for (const field of Object.keys(raw)) {
        if (!STATEMENT_FIELDS.has(field)) unknownField(field);
    }
    const effect = parseEffect(raw.Effect);
    const principal = parsePrincipalElement(raw, rules);
    const [actionValue, actionsNegated] = pickOne(raw, 'Action', 'NotAction');
    const actions = parseActions(stringList(actionValue, 'Action'), actionsNegated, rules.kind);
    const [resourceValue, resourcesNegated] = pickOne(raw, 'Resource', 'NotResource');
    const resourceList = stringList(resourceValue, 'Resource');
    const resources = parseResources(resourceList, resourcesNegated, rules);
    const conditions =
        raw.Condition === undefined ? [] : parseConditionBlock(raw.Condition, rules.version);
    const sid = optionalString(raw.Sid, 'Sid');
    return { index, sid, effect, principal, actions, resources, conditions };
}

function parseEffect(value: unknown): 'Allow' | 'Deny' {
    if (value === undefined) return missingField('Effect');
    if (value === 'Allow' || value === 'Deny') return value;
    const shown = typeof value === 'string' ? value : JSON.stringify(value);
    return malformed(`Invalid effect: ${shown}`);
}

/**
 * Bucket policies need exactly one of Principal / NotPrincipal ("Missing required field
 * Principal" is AWS's text); identity policies may have neither, as IAM requires.
 */
function parsePrincipalElement(raw: JsonObject, rules: StatementRules): Statement['principal'] {
    const present = raw.Principal !== undefined || raw.NotPrincipal !== undefined;
    if (rules.kind === 'identity') {
        return present ? malformed('Policy document should not specify a principal.') : undefined;
    }
    const [value, negated] = pickOne(raw, 'Principal', 'NotPrincipal');
    return { negated, set: parsePrincipalSet(value, rules.principalExists) };
}

/** Returns the value of `name` or of its `Not` form, refusing both or neither. */
function pickOne(raw: JsonObject, name: string, notName: string): [unknown, boolean] {
    const plain = raw[name];
    const negated = raw[notName];
    if (plain !== undefined && negated !== undefined) {
        return malformed(`A statement cannot have both ${name} and ${notName}`);
    }
    if (plain === undefined && negated === undefined) return missingField(name);
    return plain !== undefined ? [plain, false] : [negated, true];
}
