/**
 * Typed value parsers shared by policy values (checked once, when the policy is stored) and
 * request values (checked per request; an unparsable request value simply matches nothing).
 */

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const EPOCH_SECONDS = /^-?\d{1,12}$/;
const ISO_8601 =
    /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Parses a decimal number (integer, fraction or exponent form); undefined if not one. */
export function parseNumber(text: string): number | undefined {
    if (!NUMBER.test(text)) return undefined;
    const value = Number(text);
    return Number.isFinite(value) ? value : undefined;
}

/**
 * Parses an AWS date condition value to epoch milliseconds: ISO 8601 (`2026-01-31`,
 * `2026-01-31T12:00:00Z`, with fraction or offset; no zone means UTC) or whole epoch seconds,
 * which `aws:EpochTime` holds. Calendar-impossible dates are refused, not rolled over.
 */
export function parseDate(text: string): number | undefined {
    if (EPOCH_SECONDS.test(text)) return Number(text) * 1000;
    const m = ISO_8601.exec(text);
    if (m === null) return undefined;
    const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) =>
        m[i] === undefined ? 0 : Number(m[i]),
    );
    if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
    // setUTCFullYear, unlike Date.UTC, does not map years 0-99 onto 1900-1999.
    const date = new Date(0);
    date.setUTCFullYear(year, month - 1, day);
    date.setUTCHours(hour, minute, second, 0);
    if (date.getUTCDate() !== day || date.getUTCMonth() !== month - 1) return undefined;
    const fraction = m[7] === undefined ? 0 : Math.floor(Number(m[7]) * 1000);
    return date.getTime() + fraction - offsetMillis(m[8]);
}

function offsetMillis(zone: string | undefined): number {
    if (zone === undefined || zone === 'Z') return 0;
    const digits = zone.slice(1).replace(':', '');
    const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
    return (zone[0] === '-' ? -minutes : minutes) * 60_000;
}

/** Decodes strict base64 (padding required); undefined if the text is not base64. */
export function parseBase64(text: string): Buffer | undefined {
    return BASE64.test(text) ? Buffer.from(text, 'base64') : undefined;
}

/** Parses `true` / `false` in any letter case; undefined for anything else. */
export function parseBoolean(text: string): boolean | undefined {
    const lower = text.toLowerCase();
    return lower === 'true' ? true : lower === 'false' ? false : undefined;
}
