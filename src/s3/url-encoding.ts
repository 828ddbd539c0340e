/**
 * `encoding-type=url` in listings: AWS percent-encodes keys and prefixes in the response so keys
 * with characters XML 1.0 cannot carry survive. Clients (botocore) decode with unquote_plus, so
 * a space may be `+` or `%20`; `+` itself must be encoded. `/` stays as it is, as AWS sends it.
 */
export function s3UrlEncode(value: string): string {
    return encodeURIComponent(value)
        .replace(/%2F/g, '/')
        .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Encodes when the listing asked for `encoding-type=url`. */
export function listingEncoder(encodingType: string | null): (value: string) => string {
    return encodingType === 'url' ? s3UrlEncode : (value) => value;
}
