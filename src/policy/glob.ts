/**
 * IAM wildcard matching: `*` matches any run of characters (including `/` and `:`), `?` exactly
 * one. Patterns are arrays of units so that a literal `*` (from `${*}` or a substituted variable)
 * stays distinct from the wildcard. The matcher backtracks only to the last `*`, so it runs in
 * O(pattern x input) at worst and cannot be driven exponential by a hostile policy.
 */

/** Wildcard units; every other unit is one literal character (a Unicode code point). */
export const STAR = 0;
export const ANY_ONE = 1;

/** One pattern position: STAR, ANY_ONE, or a single literal character. */
export type Unit = typeof STAR | typeof ANY_ONE | string;

/** Splits text into literal units (by code point, so `?` consumes a whole character). */
export function literalUnits(text: string): Unit[] {
    return Array.from(text);
}

/** Compiles text where `*` and `?` are wildcards and every other character is literal. */
export function wildcardUnits(text: string): Unit[] {
    return Array.from(text, (ch) => (ch === '*' ? STAR : ch === '?' ? ANY_ONE : ch));
}

/** Lowercases the literal units (wildcards unchanged), for case-insensitive matching. */
export function foldUnits(units: readonly Unit[]): Unit[] {
    return units.map((u) => (typeof u === 'string' ? u.toLowerCase() : u));
}

/**
 * Matches `input` against `pattern`. For a case-insensitive match, fold the pattern once with
 * `foldUnits` and pass `foldInput`, which lowercases the input the same way (per code point:
 * lowercasing a whole string can change its length).
 */
export function globMatch(pattern: readonly Unit[], input: string, foldInput = false): boolean {
    const chars = foldInput ? Array.from(input, (ch) => ch.toLowerCase()) : Array.from(input);
    let p = 0;
    let i = 0;
    let starAt = -1;
    let starInput = 0;
    while (i < chars.length) {
        const unit = pattern[p];
        if (p < pattern.length && (unit === ANY_ONE || unit === chars[i])) {
            p++;
            i++;
        } else if (p < pattern.length && unit === STAR) {
            starAt = p++;
            starInput = i;
        } else if (starAt >= 0) {
            p = starAt + 1;
            i = ++starInput;
        } else {
            return false;
        }
    }
    while (p < pattern.length && pattern[p] === STAR) p++;
    return p === pattern.length;
}
