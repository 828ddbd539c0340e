/**
 * The condition operator catalogue and operator-name parsing. An operator name is
 * `[ForAnyValue:|ForAllValues:]<Base>[IfExists]`; `Null` takes neither a qualifier nor IfExists.
 * Names are matched exactly as AWS spells them. Catalogue:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators
 */

import {
    arnLike,
    binaryEquals,
    boolEquals,
    compileBinary,
    compileBoolean,
    compileCidr,
    compileDate,
    compileNullValue,
    compileNumber,
    compileTemplateValue,
    dateTest,
    ipInRange,
    numericTest,
    stringEquals,
    stringLike,
    type Compile,
    type Test,
} from './families.js';
import type { BaseOperator, ConditionOperator, OperatorFamily, SetQualifier } from './types.js';

type Row = [name: string, family: OperatorFamily, negated: boolean, compile: Compile, test: Test];

const never: Test = () => false;

const ROWS: Row[] = [
    ['StringEquals', 'String', false, compileTemplateValue, stringEquals(false)],
    ['StringNotEquals', 'String', true, compileTemplateValue, stringEquals(false)],
    ['StringEqualsIgnoreCase', 'String', false, compileTemplateValue, stringEquals(true)],
    ['StringNotEqualsIgnoreCase', 'String', true, compileTemplateValue, stringEquals(true)],
    ['StringLike', 'String', false, compileTemplateValue, stringLike],
    ['StringNotLike', 'String', true, compileTemplateValue, stringLike],
    ['NumericEquals', 'Numeric', false, compileNumber, numericTest((r, p) => r === p)],
    ['NumericNotEquals', 'Numeric', true, compileNumber, numericTest((r, p) => r === p)],
    ['NumericLessThan', 'Numeric', false, compileNumber, numericTest((r, p) => r < p)],
    ['NumericLessThanEquals', 'Numeric', false, compileNumber, numericTest((r, p) => r <= p)],
    ['NumericGreaterThan', 'Numeric', false, compileNumber, numericTest((r, p) => r > p)],
    ['NumericGreaterThanEquals', 'Numeric', false, compileNumber, numericTest((r, p) => r >= p)],
    ['DateEquals', 'Date', false, compileDate, dateTest((r, p) => r === p)],
    ['DateNotEquals', 'Date', true, compileDate, dateTest((r, p) => r === p)],
    ['DateLessThan', 'Date', false, compileDate, dateTest((r, p) => r < p)],
    ['DateLessThanEquals', 'Date', false, compileDate, dateTest((r, p) => r <= p)],
    ['DateGreaterThan', 'Date', false, compileDate, dateTest((r, p) => r > p)],
    ['DateGreaterThanEquals', 'Date', false, compileDate, dateTest((r, p) => r >= p)],
    ['Bool', 'Bool', false, compileBoolean, boolEquals],
    ['BinaryEquals', 'Binary', false, compileBinary, binaryEquals],
    ['IpAddress', 'IpAddress', false, compileCidr, ipInRange],
    ['NotIpAddress', 'IpAddress', true, compileCidr, ipInRange],
    ['ArnEquals', 'Arn', false, compileTemplateValue, arnLike],
    ['ArnLike', 'Arn', false, compileTemplateValue, arnLike],
    ['ArnNotEquals', 'Arn', true, compileTemplateValue, arnLike],
    ['ArnNotLike', 'Arn', true, compileTemplateValue, arnLike],
    // Null is decided from the key's presence alone; see conditions/evaluate.ts.
    ['Null', 'Null', false, compileNullValue, never],
];

/** Base operators by exact name. A Map, so names like `constructor` cannot hit Object.prototype. */
export const BASE_OPERATORS: ReadonlyMap<string, BaseOperator> = new Map(
    ROWS.map(([name, family, negated, compile, test]) => [
        name,
        { name, family, negated, compile, test },
    ]),
);

const QUALIFIERS: readonly SetQualifier[] = ['ForAnyValue', 'ForAllValues'];
const IF_EXISTS = 'IfExists';

/** Takes an operator name apart; undefined when AWS has no such operator. */
export function parseOperatorName(name: string): ConditionOperator | undefined {
    let rest = name;
    const qualifier = QUALIFIERS.find((q) => rest.startsWith(`${q}:`));
    if (qualifier !== undefined) rest = rest.slice(qualifier.length + 1);
    const ifExists = rest.endsWith(IF_EXISTS) && rest.length > IF_EXISTS.length;
    if (ifExists) rest = rest.slice(0, -IF_EXISTS.length);
    const base = BASE_OPERATORS.get(rest);
    if (base === undefined) return undefined;
    if (base.family === 'Null' && (ifExists || qualifier !== undefined)) return undefined;
    return { name, base, qualifier, ifExists };
}
