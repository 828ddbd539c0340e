/**
 * Types of the Condition element once parsed: an operator (set qualifier, base operator,
 * IfExists) applied to one condition key and its list of policy values.
 */

import type { Template, KeyLookup } from '../template.js';
import type { PolicyVersion } from '../types.js';
import type { Cidr } from './ip.js';

/** A policy value, checked and converted when the policy is stored. */
export type PolicyValue =
    | { kind: 'template'; template: Template }
    | { kind: 'number'; value: number }
    | { kind: 'date'; millis: number }
    | { kind: 'cidr'; cidr: Cidr }
    | { kind: 'binary'; bytes: Buffer }
    | { kind: 'boolean'; value: boolean };

/** The operator families of the IAM reference, one per value type. */
export type OperatorFamily =
    | 'String'
    | 'Numeric'
    | 'Date'
    | 'Bool'
    | 'Binary'
    | 'IpAddress'
    | 'Arn'
    | 'Null';

/**
 * A base operator such as StringNotLike. Negated operators share `test` with their positive
 * twin; the evaluator applies the negation (NOR over policy values) so the rule lives in one place.
 */
export interface BaseOperator {
    name: string;
    family: OperatorFamily;
    negated: boolean;
    /** Converts one policy value; throws MalformedPolicy when it is not valid for the family. */
    compile(raw: string, version: PolicyVersion): PolicyValue;
    /** True when one request value matches one policy value (the positive reading). */
    test(requestValue: string, policyValue: PolicyValue, lookup: KeyLookup): boolean;
}

export type SetQualifier = 'ForAnyValue' | 'ForAllValues';

/** A full operator name taken apart, e.g. `ForAnyValue:StringLikeIfExists`. */
export interface ConditionOperator {
    name: string;
    base: BaseOperator;
    qualifier?: SetQualifier;
    ifExists: boolean;
}

/** One `operator: { key: values }` pair; `key` is lowercased because key names ignore case. */
export interface ConditionEntry {
    operator: ConditionOperator;
    key: string;
    rawKey: string;
    values: PolicyValue[];
}
