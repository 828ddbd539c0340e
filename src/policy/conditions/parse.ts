/**
 * Parses a statement's Condition element: `{ operator: { key: value | [values] } }`. Operators
 * must exist; each value is checked for its family now, so a bad CIDR or date is refused when
 * the policy is stored instead of silently never matching later.
 */

import { malformed } from '../errors.js';
import { conditionValues, isObject } from '../json.js';
import type { PolicyVersion } from '../types.js';
import { parseOperatorName } from './operators.js';
import type { ConditionEntry } from './types.js';

/** Parses a Condition element into a flat list of entries, all of which must hold (AND). */
export function parseConditionBlock(block: unknown, version: PolicyVersion): ConditionEntry[] {
    if (!isObject(block)) return malformed('Condition must be an object of condition operators');
    const entries: ConditionEntry[] = [];
    for (const [operatorName, keys] of Object.entries(block)) {
        const operator = parseOperatorName(operatorName);
        if (operator === undefined) return malformed(`Invalid Condition type : ${operatorName}`);
        if (!isObject(keys)) {
            return malformed(
                `Condition operator ${operatorName} must map condition keys to values`,
            );
        }
        for (const [rawKey, rawValues] of Object.entries(keys)) {
            if (rawKey.length === 0) return malformed('Condition key names must not be empty');
            const values = conditionValues(rawValues, rawKey).map((raw) =>
                operator.base.compile(raw, version),
            );
            entries.push({ operator, key: rawKey.toLowerCase(), rawKey, values });
        }
    }
    return entries;
}
