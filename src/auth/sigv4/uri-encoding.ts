/**
 * Canonical URI and canonical query string, S3 flavour.
 *
 * S3 signs the path as the client meant it, not as it happened to be escaped on the wire: the
 * path and each query key and value are percent-decoded to bytes once and re-encoded with AWS's
 * UriEncode (unreserved `A-Za-z0-9-._~` kept, every other byte `%XX` in upper case). Unlike other
 * AWS services S3 does not encode a second time and does not collapse `//`, `.` or `..`.
 *
 * Decoding works on bytes, so `%C3` alone (not valid UTF-8) survives as the byte 0xC3, and a `%`
 * not followed by two hex digits stays a literal `%` (re-encoded as `%25`). `+` is a literal plus
 * (SDKs send a space as `%20`); in the query, form-encoding's `+` for a space can be asked for
 * instead, because signers that build URLs with URLSearchParams send it so.
 */

const UNRESERVED = new Uint8Array(256);
for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~') {
    UNRESERVED[ch.charCodeAt(0)] = 1;
}

/** `%XX` for every byte value, computed once: encoding is on every request's hot path. */
const PERCENT = Array.from({ length: 256 }, (_, b) => {
    return '%' + b.toString(16).toUpperCase().padStart(2, '0');
});

const SLASH = 0x2f;
const PERCENT_SIGN = 0x25;

function hexValue(code: number): number {
    if (code >= 0x30 && code <= 0x39) return code - 0x30;
    const lower = code | 0x20;
    if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
    return -1;
}

/**
 * Percent-decodes `text` to bytes. Characters outside ASCII (node never passes them in
 * `req.url`, but callers building URLs by hand may) are taken as UTF-8.
 */
export function percentDecode(text: string): Buffer {
    const raw = Buffer.from(text, 'utf8');
    if (raw.indexOf(PERCENT_SIGN) === -1) return raw;
    const out = Buffer.allocUnsafe(raw.length);
    let length = 0;
    for (let i = 0; i < raw.length; i++) {
        const byte = raw[i]!;
        if (byte === PERCENT_SIGN && i + 2 < raw.length) {
            const high = hexValue(raw[i + 1]!);
            const low = hexValue(raw[i + 2]!);
            if (high >= 0 && low >= 0) {
                out[length++] = (high << 4) | low;
                i += 2;
                continue;
            }
        }
        out[length++] = byte;
    }
    return out.subarray(0, length);
}

/** AWS UriEncode of raw bytes; `/` is kept when `keepSlash` (paths), encoded otherwise. */
export function uriEncode(bytes: Uint8Array, keepSlash: boolean): string {
    let out = '';
    for (const byte of bytes) {
        if (UNRESERVED[byte] === 1 || (keepSlash && byte === SLASH)) {
            out += String.fromCharCode(byte);
        } else {
            out += PERCENT[byte];
        }
    }
    return out;
}

/** A request target: raw path, raw query, and the query parsed with `+` as a literal plus. */
export interface RequestTarget {
    path: string;
    query: string;
    params: QueryParam[];
}

/** Splits and parses a request target (`req.url`). */
export function parseTarget(rawUrl: string): RequestTarget {
    const { path, query } = splitTarget(rawUrl);
    return { path, query, params: parseQuery(query) };
}

function splitTarget(rawUrl: string): { path: string; query: string } {
    let target = rawUrl;
    // Absolute-form targets (sent to proxies) carry scheme and authority the client never signed.
    const scheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?]*/.exec(target);
    if (scheme) target = target.slice(scheme[0].length);
    const hash = target.indexOf('#');
    if (hash !== -1) target = target.slice(0, hash);
    const mark = target.indexOf('?');
    const path = mark === -1 ? target : target.slice(0, mark);
    const query = mark === -1 ? '' : target.slice(mark + 1);
    return { path: path === '' ? '/' : path, query };
}

/** The canonical URI: the decoded path re-encoded once, `/` kept, nothing normalised. */
export function canonicalPath(rawPath: string): string {
    return uriEncode(percentDecode(rawPath), true);
}

/** One query parameter, decoded (`name`, `value`) and canonically encoded (`encoded*`). */
export interface QueryParam {
    name: string;
    value: string;
    encodedName: string;
    encodedValue: string;
}

/**
 * Parses a raw query string; `a` and `a=` both give an empty value, empty pieces are dropped.
 * With `plusAsSpace`, `+` is read as an encoded space (form encoding).
 */
export function parseQuery(rawQuery: string, plusAsSpace = false): QueryParam[] {
    const params: QueryParam[] = [];
    if (rawQuery === '') return params;
    const query = plusAsSpace ? rawQuery.replaceAll('+', '%20') : rawQuery;
    for (const piece of query.split('&')) {
        if (piece === '') continue;
        const eq = piece.indexOf('=');
        const nameBytes = percentDecode(eq === -1 ? piece : piece.slice(0, eq));
        const valueBytes = percentDecode(eq === -1 ? '' : piece.slice(eq + 1));
        params.push({
            name: nameBytes.toString('utf8'),
            value: valueBytes.toString('utf8'),
            encodedName: uriEncode(nameBytes, false),
            encodedValue: uriEncode(valueBytes, false),
        });
    }
    return params;
}

/** The canonical query string: encoded pairs sorted by name then value, minus `exclude`. */
export function canonicalQuery(params: readonly QueryParam[], exclude?: string): string {
    const pairs: Array<[string, string]> = [];
    for (const p of params) {
        if (p.name !== exclude) pairs.push([p.encodedName, p.encodedValue]);
    }
    // Encoded strings are ASCII, so code-unit order is the byte order AWS sorts by.
    pairs.sort((a, b) => compare(a[0], b[0]) || compare(a[1], b[1]));
    return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

function compare(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}
