/**
 * How each operator family reads policy values and compares one request value with one policy
 * value, per the IAM reference:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators
 *
 * - String: case-sensitive; IgnoreCase folds both sides; Like adds `*` / `?`. Variables allowed.
 * - Numeric, Date: values parsed when the policy is stored; no variables (as AWS documents).
 * - Bool: `true` / `false`, any letter case; variables allowed.
 * - Binary: base64 on both sides, compared as bytes.
 * - IpAddress: CIDR blocks or single addresses, IPv4 and IPv6.
 * - Arn: the six colon-separated parts compared one by one, each with `*` / `?`, case-sensitive;
 *   ArnEquals and ArnLike therefore behave the same, as the reference says.
 */

import { malformed } from '../errors.js';
import { globMatch, type Unit } from '../glob.js';
import { compileTemplate, resolveTemplate, resolveText, type KeyLookup } from '../template.js';
import type { PolicyVersion } from '../types.js';
import { cidrContains, parseCidr, parseIp } from './ip.js';
import type { PolicyValue } from './types.js';
import { parseBase64, parseBoolean, parseDate, parseNumber } from './values.js';

export type Compile = (raw: string, version: PolicyVersion) => PolicyValue;
export type Test = (request: string, value: PolicyValue, lookup: KeyLookup) => boolean;

/** Policy values that may hold variables. */
export const compileTemplateValue: Compile = (raw, version) => ({
    kind: 'template',
    template: compileTemplate(raw, version),
});

export const compileNumber: Compile = (raw) => {
    const value = parseNumber(raw);
    return value === undefined
        ? malformed(`Invalid number in Conditions: ${raw}`)
        : { kind: 'number', value };
};

export const compileDate: Compile = (raw) => {
    const millis = parseDate(raw);
    return millis === undefined
        ? malformed(`Invalid date in Conditions: ${raw}`)
        : { kind: 'date', millis };
};

export const compileCidr: Compile = (raw) => {
    const cidr = parseCidr(raw);
    return cidr === undefined
        ? malformed(`Invalid IP address in Conditions: ${raw}`)
        : { kind: 'cidr', cidr };
};

export const compileBinary: Compile = (raw) => {
    const bytes = parseBase64(raw);
    return bytes === undefined
        ? malformed(`Invalid base64 value in Conditions: ${raw}`)
        : { kind: 'binary', bytes };
};

/** Bool and Null values; a Bool value built from variables is checked per request instead. */
export const compileBoolean: Compile = (raw, version) => {
    const value = parseBoolean(raw);
    if (value !== undefined) return { kind: 'boolean', value };
    const template = compileTemplate(raw, version);
    if (template.hasVariables) return { kind: 'template', template };
    return malformed(`Invalid boolean in Conditions: ${raw}`);
};

/** Null values: `true` (key must be absent) or `false` (key must be present). */
export const compileNullValue: Compile = (raw) => {
    const value = parseBoolean(raw);
    return value === undefined
        ? malformed(`Invalid boolean in Conditions: ${raw}`)
        : { kind: 'boolean', value };
};

/** StringEquals / StringEqualsIgnoreCase (with `ignoreCase`): whole-value comparison. */
export function stringEquals(ignoreCase: boolean): Test {
    return (request, value, lookup) => {
        if (value.kind !== 'template') return false;
        const units = resolveTemplate(value.template, lookup, false);
        if (units === undefined) return false;
        const expected = units.join('');
        return ignoreCase ? expected.toLowerCase() === request.toLowerCase() : expected === request;
    };
}

export const stringLike: Test = (request, value, lookup) => {
    if (value.kind !== 'template') return false;
    const units = resolveTemplate(value.template, lookup, true);
    return units !== undefined && globMatch(units, request);
};

type Comparison = (request: number, policy: number) => boolean;

export function numericTest(compare: Comparison): Test {
    return (request, value) => {
        const parsed = parseNumber(request);
        return value.kind === 'number' && parsed !== undefined && compare(parsed, value.value);
    };
}

export function dateTest(compare: Comparison): Test {
    return (request, value) => {
        const parsed = parseDate(request);
        return value.kind === 'date' && parsed !== undefined && compare(parsed, value.millis);
    };
}

export const boolEquals: Test = (request, value, lookup) => {
    const requestValue = parseBoolean(request);
    if (requestValue === undefined) return false;
    if (value.kind === 'boolean') return value.value === requestValue;
    if (value.kind !== 'template') return false;
    const text = resolveText(value.template, lookup);
    return text !== undefined && parseBoolean(text) === requestValue;
};

export const binaryEquals: Test = (request, value) => {
    const bytes = parseBase64(request);
    return value.kind === 'binary' && bytes !== undefined && bytes.equals(value.bytes);
};

export const ipInRange: Test = (request, value) => {
    const ip = parseIp(request);
    return value.kind === 'cidr' && ip !== undefined && cidrContains(value.cidr, ip);
};

export const arnLike: Test = (request, value, lookup) => {
    if (value.kind !== 'template') return false;
    const units = resolveTemplate(value.template, lookup, true);
    if (units === undefined) return false;
    const policyParts = splitUnits(units);
    const requestParts = splitArn(request);
    // A value without colons (a bare `*`) is matched against the whole ARN; any other value
    // must have all six parts, as must the request's ARN.
    if (policyParts.length === 1) return globMatch(units, request);
    if (policyParts.length < 6 || requestParts.length < 6) return false;
    return policyParts.every((part, i) => globMatch(part, requestParts[i]));
};

/** Splits `arn:partition:service:region:account:resource` at its first five colons. */
function splitArn(arn: string): string[] {
    const parts = arn.split(':');
    return parts.length < 6 ? parts : [...parts.slice(0, 5), parts.slice(5).join(':')];
}

function splitUnits(units: Unit[]): Unit[][] {
    const parts: Unit[][] = [[]];
    for (const unit of units) {
        if (unit === ':' && parts.length < 6) parts.push([]);
        else parts[parts.length - 1].push(unit);
    }
    return parts;
}
