/**
 * Evaluates a Condition block against a request. The rules, in AWS's words and ours:
 *
 * 1. All entries must hold (operators and keys are ANDed); a statement with none always holds.
 * 2. Policy values for one key are ORed; for a negated operator (StringNotEquals, NotIpAddress,
 *    ArnNotLike...) they are NORed: the request value must match none of them [multi].
 * 3. Absent key (not in the request, or no values): positive operators are false and negated
 *    operators are TRUE ("If the policy condition requires that the key is not matched, such as
 *    StringNotLike or ArnNotLike, and the right key is not present, the condition is true" [ops]).
 *    `...IfExists` makes any operator true on an absent key. `Null: true` holds when the key is
 *    absent, `Null: false` when it is present.
 * 4. `ForAllValues:` holds when every request value satisfies the operator, and also when the
 *    key is absent or empty; `ForAnyValue:` holds when at least one does and is false on an
 *    absent key [multi]. Under either qualifier a negated operator is applied per request
 *    value: that value matches none of the policy values.
 * 5. Without a qualifier a multi-valued request key holds for a positive operator if any value
 *    matches, and for a negated one if no value matches (our reading; AWS says to use a
 *    qualifier on multi-valued keys).
 *
 * [multi]:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html
 * [ops]:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators
 */

import type { KeyLookup } from '../template.js';
import type { ConditionEntry } from './types.js';

/** True when every entry of the block holds for the request. */
export function conditionsHold(entries: readonly ConditionEntry[], lookup: KeyLookup): boolean {
    return entries.every((entry) => entryHolds(entry, lookup));
}

/** Evaluates one `operator: { key: values }` entry. */
export function entryHolds(entry: ConditionEntry, lookup: KeyLookup): boolean {
    const { base, qualifier, ifExists } = entry.operator;
    const requestValues = lookup(entry.key);
    const absent = requestValues === undefined || requestValues.length === 0;
    if (base.family === 'Null') {
        return entry.values.some((v) => v.kind === 'boolean' && v.value === absent);
    }
    if (requestValues === undefined || absent) {
        if (ifExists || qualifier === 'ForAllValues') return true;
        if (qualifier === 'ForAnyValue') return false;
        return base.negated;
    }
    const matchesAny = (requestValue: string): boolean =>
        entry.values.some((policyValue) => base.test(requestValue, policyValue, lookup));
    const satisfies = (requestValue: string): boolean =>
        base.negated ? !matchesAny(requestValue) : matchesAny(requestValue);
    if (qualifier === 'ForAllValues') return requestValues.every(satisfies);
    if (qualifier === 'ForAnyValue') return requestValues.some(satisfies);
    const anyMatch = requestValues.some(matchesAny);
    return base.negated ? !anyMatch : anyMatch;
}
