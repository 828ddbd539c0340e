/**
 * Reading an IAM Query request's parameters (`Action=CreateUser&UserName=bob&...`): required
 * ones fail as IAM does when absent (`Value null at 'userName' ... Member must not be null`),
 * and list actions share one pagination scheme (MaxItems 1-1000, default 100; an opaque Marker).
 */
import { validationError } from '../identity/errors.js';

const DEFAULT_MAX_ITEMS = 100;
const MAX_MARKER_LENGTH = 320;

export class IamParams {
    constructor(private readonly params: URLSearchParams) {}

    optional(name: string): string | undefined {
        return this.params.get(name) ?? undefined;
    }

    /** `field` is the camelCase member name IAM's messages use, e.g. `userName`. */
    required(name: string, field: string): string {
        const value = this.params.get(name);
        if (value === null) throw validationError(field, undefined, 'not be null');
        return value;
    }

    optionalBoolean(name: string, field: string): boolean | undefined {
        const value = this.optional(name);
        if (value === undefined || value === 'true' || value === 'false') {
            return value === undefined ? undefined : value === 'true';
        }
        throw validationError(field, value, 'be a boolean');
    }

    /** One of `values` (IAM's enum members), or `fallback` when absent. */
    choice<T extends string>(name: string, field: string, values: readonly T[], fallback: T): T {
        const value = this.optional(name);
        if (value === undefined) return fallback;
        if ((values as readonly string[]).includes(value)) return value as T;
        throw validationError(field, value, `satisfy enum value set: [${values.join(', ')}]`);
    }

    maxItems(): number {
        const raw = this.optional('MaxItems');
        if (raw === undefined) return DEFAULT_MAX_ITEMS;
        const value = /^\d{1,7}$/.test(raw) ? Number(raw) : NaN;
        if (!(value >= 1)) {
            throw validationError('maxItems', raw, 'have value greater than or equal to 1');
        }
        if (value > 1000) {
            throw validationError('maxItems', raw, 'have value less than or equal to 1000');
        }
        return value;
    }

    marker(): string | undefined {
        const marker = this.optional('Marker');
        if (marker === undefined) return undefined;
        if (marker.length < 1) {
            throw validationError('marker', marker, 'have length greater than or equal to 1');
        }
        if (marker.length > MAX_MARKER_LENGTH) {
            throw validationError('marker', marker, 'have length less than or equal to 320');
        }
        return marker;
    }
}

export interface Page<T> {
    items: T[];
    isTruncated: boolean;
    /** Set when truncated: what the next request passes as Marker. */
    marker?: string;
}

/**
 * One page of `items` in the order of `keyOf` (unique per item). The marker is the last
 * returned key, base64url-encoded: opaque to clients, and stable when items come and go.
 */
export function paginate<T>(items: T[], keyOf: (item: T) => string, params: IamParams): Page<T> {
    const maxItems = params.maxItems();
    const given = params.marker();
    const after = given === undefined ? undefined : Buffer.from(given, 'base64url').toString();
    const sorted = items
        .map((item) => ({ item, key: keyOf(item) }))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const rest = after === undefined ? sorted : sorted.filter((entry) => entry.key > after);
    const page = rest.slice(0, maxItems);
    const pageItems = page.map((entry) => entry.item);
    if (rest.length <= maxItems) return { items: pageItems, isTruncated: false };
    const marker = Buffer.from(page[page.length - 1].key).toString('base64url');
    return { items: pageItems, isTruncated: true, marker };
}

/** The `IsTruncated` / `Marker` members of a list result. */
export function pageFields(page: Page<unknown>): { IsTruncated: string; Marker?: string } {
    return page.marker === undefined
        ? { IsTruncated: String(page.isTruncated) }
        : { IsTruncated: String(page.isTruncated), Marker: page.marker };
}
