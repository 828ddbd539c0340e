/**
 * Input constraints of the AWS KMS API (lengths, ranges, enums, tags, paging) checked inside the
 * KMS rather than the JSON layer, so in-process callers get the same answers as HTTP ones.
 * Member names in messages are AWS's lower-camel ones, as its validation messages use.
 */
import { KmsError, constraintError } from './errors.js';
import type { EncryptionContext, Tag } from './types.js';

const MAX_TAGS_PER_KEY = 50;

export function checkRange(member: string, value: number, min: number, max: number): void {
    if (!Number.isInteger(value) || value < min) {
        throw constraintError(member, value, `have value greater than or equal to ${min}`);
    }
    if (value > max)
        throw constraintError(member, value, `have value less than or equal to ${max}`);
}

export function checkLength(member: string, value: string | Buffer, min: number, max: number) {
    if (value.length < min) {
        throw constraintError(member, shown(value), `have length greater than or equal to ${min}`);
    }
    if (value.length > max) {
        throw constraintError(member, shown(value), `have length less than or equal to ${max}`);
    }
}

/** Blobs are never echoed in messages (they may be plaintext). */
function shown(value: string | Buffer): string | undefined {
    return Buffer.isBuffer(value) ? undefined : value;
}

export function checkEnum<T extends string>(
    member: string,
    value: string,
    allowed: readonly T[],
): asserts value is T {
    if (!(allowed as readonly string[]).includes(value)) {
        throw constraintError(member, value, `satisfy enum value set: [${allowed.join(', ')}]`);
    }
}

/** Symmetric keys have exactly one algorithm; the asymmetric ones are a usage mismatch. */
export function checkEncryptionAlgorithm(keyArn: string, algorithm: string | undefined): void {
    if (algorithm === undefined) return;
    checkEnum('encryptionAlgorithm', algorithm, [
        'SYMMETRIC_DEFAULT',
        'RSAES_OAEP_SHA_1',
        'RSAES_OAEP_SHA_256',
        'SM2PKE',
    ] as const);
    if (algorithm !== 'SYMMETRIC_DEFAULT') {
        throw new KmsError(
            'InvalidKeyUsageException',
            `Algorithm ${algorithm} is incompatible with key spec SYMMETRIC_DEFAULT of ${keyArn}.`,
        );
    }
}

/** Keys and values are strings; AWS requires a non-empty key. */
export function checkContext(context: EncryptionContext | undefined): EncryptionContext {
    const checked: EncryptionContext = {};
    for (const [key, value] of Object.entries(context ?? {})) {
        if (key.length === 0 || typeof value !== 'string') {
            throw new KmsError(
                'ValidationException',
                'Encryption context keys and values must be strings, keys non-empty.',
            );
        }
        checked[key] = value;
    }
    return checked;
}

/**
 * Applies TagResource semantics to a key's tags: a new value for an existing key replaces it.
 * Reserved `aws:` keys are TagException; more than 50 tags on a key is LimitExceededException.
 */
export function mergeTags(
    existing: Array<[string, string]>,
    added: Tag[],
): Array<[string, string]> {
    const merged = new Map(existing);
    for (const tag of added) {
        checkLength('tagKey', tag.TagKey, 1, 128);
        checkLength('tagValue', tag.TagValue, 0, 256);
        if (tag.TagKey.toLowerCase().startsWith('aws:')) {
            throw new KmsError('TagException', 'Tags beginning with aws: are reserved');
        }
        merged.set(tag.TagKey, tag.TagValue);
    }
    if (merged.size > MAX_TAGS_PER_KEY) {
        throw new KmsError(
            'LimitExceededException',
            `A KMS key can have at most ${MAX_TAGS_PER_KEY} tags.`,
        );
    }
    return [...merged];
}

export interface Page<T> {
    items: T[];
    truncated: boolean;
    nextMarker?: string;
}

/**
 * Validates a Limit (default and maximum per operation) and returns how many to fetch: one more
 * than the limit, so that the caller learns whether the page is truncated.
 */
export function pageLimit(limit: number | undefined, fallback: number, max: number): number {
    if (limit !== undefined) checkRange('limit', limit, 1, max);
    return limit ?? fallback;
}

/** Cuts `fetched` (limit + 1 items at most) to a page whose marker is the last item's name. */
export function toPage<T>(fetched: T[], limit: number, nameOf: (item: T) => string): Page<T> {
    if (fetched.length <= limit) return { items: fetched, truncated: false };
    const items = fetched.slice(0, limit);
    return { items, truncated: true, nextMarker: encodeMarker(nameOf(items[items.length - 1]!)) };
}

/** Markers are opaque to clients: base64url of the last name returned. */
export function encodeMarker(name: string): string {
    return Buffer.from(name, 'utf8').toString('base64url');
}

export function decodeMarker(marker: string | undefined): string | undefined {
    if (marker === undefined) return undefined;
    const name = /^[A-Za-z0-9_-]+$/.test(marker)
        ? Buffer.from(marker, 'base64url').toString('utf8')
        : '';
    if (name.length === 0 || encodeMarker(name) !== marker) {
        throw new KmsError(
            'InvalidMarkerException',
            'The marker that specifies where to start is not valid.',
        );
    }
    return name;
}
