/**
 * Policy variables in Resource and condition values
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html):
 *
 * 1. Only `"Version": "2012-10-17"` substitutes; under 2008-10-17 `${...}` is literal text.
 * 2. `${key}` is replaced by the request's value for `key` (key names ignore case).
 *    `${key, 'default'}` falls back to the quoted default (`''` inside it is one quote).
 * 3. `${*}`, `${?}`, `${$}` are the literal characters `*`, `?`, `$`; a substituted value is
 *    literal too, so a user name containing `*` can never widen a pattern.
 * 4. A variable whose key is absent (or multi-valued, or malformed) has no value: the policy
 *    value containing it matches nothing ("Policy variables with no value" on the same page).
 */

import { literalUnits, wildcardUnits, type Unit } from './glob.js';
import type { PolicyVersion } from './types.js';

/** A piece of a policy value: raw policy text, an escaped literal, or a variable reference. */
export type Segment =
    | { kind: 'text'; text: string }
    | { kind: 'literal'; text: string }
    | { kind: 'variable'; key: string; fallback?: string }
    | { kind: 'unresolvable' };

/** A compiled policy value; `source` keeps the text as written. */
export interface Template {
    source: string;
    segments: Segment[];
    hasVariables: boolean;
}

/** Looks up a condition key (already lowercased); undefined when absent from the request. */
export type KeyLookup = (lowercaseKey: string) => readonly string[] | undefined;

const ESCAPES = new Map([
    ['*', '*'],
    ['?', '?'],
    ['$', '$'],
]);

/** Compiles a policy value under the policy's version. */
export function compileTemplate(source: string, version: PolicyVersion): Template {
    if (version !== '2012-10-17' || !source.includes('${')) {
        return { source, segments: [{ kind: 'text', text: source }], hasVariables: false };
    }
    const segments: Segment[] = [];
    let rest = source;
    while (rest.length > 0) {
        const open = rest.indexOf('${');
        const close = open < 0 ? -1 : rest.indexOf('}', open + 2);
        if (open < 0 || close < 0) {
            segments.push({ kind: 'text', text: rest });
            break;
        }
        if (open > 0) segments.push({ kind: 'text', text: rest.slice(0, open) });
        segments.push(parseVariable(rest.slice(open + 2, close)));
        rest = rest.slice(close + 1);
    }
    return { source, segments, hasVariables: segments.some((s) => s.kind !== 'text') };
}

/** Parses the inside of `${...}`: an escape, a key, or a key with a quoted default. */
function parseVariable(body: string): Segment {
    const escaped = ESCAPES.get(body);
    if (escaped !== undefined) return { kind: 'literal', text: escaped };
    const comma = body.indexOf(',');
    const key = (comma < 0 ? body : body.slice(0, comma)).trim();
    if (key.length === 0 || /\s/.test(key)) return { kind: 'unresolvable' };
    if (comma < 0) return { kind: 'variable', key: key.toLowerCase() };
    const quoted = body.slice(comma + 1).trim();
    const match = /^'((?:[^']|'')*)'$/.exec(quoted);
    if (match === null) return { kind: 'unresolvable' };
    return { kind: 'variable', key: key.toLowerCase(), fallback: match[1].replaceAll("''", "'") };
}

/**
 * Resolves a template to match units. `wildcards` says whether `*` and `?` in the policy's own
 * text are wildcards (StringLike, ArnLike, Resource) or literal (StringEquals). Returns
 * undefined when a variable has no value, which makes the value match nothing.
 */
export function resolveTemplate(
    template: Template,
    lookup: KeyLookup,
    wildcards: boolean,
): Unit[] | undefined {
    const units: Unit[] = [];
    for (const segment of template.segments) {
        if (segment.kind === 'text') {
            units.push(...(wildcards ? wildcardUnits(segment.text) : literalUnits(segment.text)));
        } else if (segment.kind === 'literal') {
            units.push(...literalUnits(segment.text));
        } else if (segment.kind === 'variable') {
            const value = variableValue(segment, lookup);
            if (value === undefined) return undefined;
            units.push(...literalUnits(value));
        } else {
            return undefined;
        }
    }
    return units;
}

/** Resolves a template to plain text (for Bool); undefined when a variable has no value. */
export function resolveText(template: Template, lookup: KeyLookup): string | undefined {
    const units = resolveTemplate(template, lookup, false);
    return units === undefined ? undefined : units.join('');
}

function variableValue(
    segment: { key: string; fallback?: string },
    lookup: KeyLookup,
): string | undefined {
    const values = lookup(segment.key);
    // A multi-valued key cannot stand for one string; AWS treats it as having no value.
    if (values !== undefined && values.length === 1) return values[0];
    return segment.fallback;
}
