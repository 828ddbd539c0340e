/**
 * Listing with S3's rules: keys in UTF-8 byte order, keys sharing a prefix up to the delimiter
 * rolled up into one CommonPrefix, and max-keys counting keys and prefixes together.
 *
 * After a CommonPrefix is emitted the scan jumps to the first key that cannot share it instead
 * of reading the keys under it, so a listing of a "directory" with a million files costs one
 * query per prefix. Every scan is bounded by the listing prefix's range, so a prefix holding
 * three keys reads three rows, not a batch.
 *
 * Statements are prepared once per store: preparing one costs about as much as running it.
 */
import type Database from 'better-sqlite3';
import type {
    ListObjectsPage,
    ListObjectsQuery,
    ListUploadsPage,
    ListUploadsQuery,
} from '../types.js';
import { listedFromRow, uploadFromRow, type ObjectRow, type UploadRow } from './rows.js';

const BATCH = 1000;

/** Where a scan starts: at `key` itself (inclusive) or just after it. */
interface Bound {
    key: string;
    inclusive: boolean;
}

type RangeStatements = Record<'ge' | 'gt' | 'geBelow' | 'gtBelow', Database.Statement>;

export class SqliteListing {
    private readonly objectRange: RangeStatements;
    private readonly uploadRange: Record<'ge' | 'geBelow', Database.Statement>;
    private readonly uploadInitiated: Database.Statement;

    constructor(db: Database.Database) {
        const objects = (where: string) =>
            db.prepare(`SELECT * FROM objects WHERE bucket = ? AND ${where} ORDER BY key LIMIT ?`);
        this.objectRange = {
            ge: objects('key >= ?'),
            gt: objects('key > ?'),
            geBelow: objects('key >= ? AND key < ?'),
            gtBelow: objects('key > ? AND key < ?'),
        };
        const uploads = (where: string) =>
            db.prepare(
                `SELECT * FROM uploads WHERE bucket = ? AND ${where} ` +
                    'ORDER BY key, initiated_at, upload_id',
            );
        this.uploadRange = { ge: uploads('key >= ?'), geBelow: uploads('key >= ? AND key < ?') };
        this.uploadInitiated = db
            .prepare('SELECT initiated_at FROM uploads WHERE bucket = ? AND upload_id = ?')
            .pluck();
    }

    objects(q: ListObjectsQuery): ListObjectsPage {
        const page: ListObjectsPage = { objects: [], commonPrefixes: [], isTruncated: false };
        const end = q.prefix === '' ? undefined : successor(q.prefix);
        let from: Bound | undefined = startBound(q.prefix, q.after);
        while (from) {
            const remaining = q.maxKeys - page.objects.length - page.commonPrefixes.length;
            const limit = Math.min(BATCH, remaining + 1);
            const rows = this.objectRows(q.bucket, from, end, limit);
            const next = takeObjectRows(rows, q, page);
            if (next !== 'more') from = next;
            else from = rows.length < limit ? undefined : after(rows.at(-1)!.key);
        }
        return page;
    }

    private objectRows(bucket: string, from: Bound, end: string | undefined, limit: number) {
        const op = from.inclusive ? 'ge' : 'gt';
        const rows =
            end === undefined
                ? this.objectRange[op].all(bucket, from.key, limit)
                : this.objectRange[`${op}Below`].all(bucket, from.key, end, limit);
        return rows as ObjectRow[];
    }

    uploads(q: ListUploadsQuery): ListUploadsPage {
        const page: ListUploadsPage = { uploads: [], commonPrefixes: [], isTruncated: false };
        const marker = this.uploadMarker(q);
        const start = marker && compareUtf8(marker.key, q.prefix) > 0 ? marker.key : q.prefix;
        const end = q.prefix === '' ? undefined : successor(q.prefix);
        const rows = (
            end === undefined
                ? this.uploadRange.ge.iterate(q.bucket, start)
                : this.uploadRange.geBelow.iterate(q.bucket, start, end)
        ) as IterableIterator<UploadRow>;
        let count = 0;
        for (const row of rows) {
            if (marker && !isAfterUploadMarker(row, marker)) continue;
            const prefix = commonPrefixOf(row.key, q.prefix, q.delimiter);
            if (prefix !== undefined && page.commonPrefixes.at(-1) === prefix) continue;
            if (prefix !== undefined && marker?.key.startsWith(prefix)) continue;
            if (count === q.maxUploads) {
                page.isTruncated = true;
                break;
            }
            count++;
            if (prefix === undefined) page.uploads.push(uploadFromRow(row));
            else page.commonPrefixes.push(prefix);
        }
        return page;
    }

    /** The key-marker and, for uploads of that same key, the position of the upload-id-marker. */
    private uploadMarker(q: ListUploadsQuery): UploadMarker | undefined {
        if (!q.keyMarker) return undefined;
        if (!q.uploadIdMarker) return { key: q.keyMarker };
        const initiatedAt = this.uploadInitiated.get(q.bucket, q.uploadIdMarker) as
            | number
            | undefined;
        // An upload-id marker that names no upload leaves nothing of the marker key to list.
        if (initiatedAt === undefined) return { key: q.keyMarker };
        return { key: q.keyMarker, after: { initiatedAt, uploadId: q.uploadIdMarker } };
    }
}

interface UploadMarker {
    key: string;
    /** Within the marker key, uploads ordered after this one are listed; without it, none. */
    after?: { initiatedAt: number; uploadId: string };
}

/**
 * Adds a batch of rows to the page. Returns where the next query starts, 'more' to continue
 * after the batch's last row, or undefined when the page is complete.
 */
function takeObjectRows(rows: ObjectRow[], q: ListObjectsQuery, page: ListObjectsPage) {
    for (const row of rows) {
        const prefix = commonPrefixOf(row.key, q.prefix, q.delimiter);
        // A marker inside a group (or naming it) means the group was already listed.
        if (prefix !== undefined && q.after?.startsWith(prefix)) return pastGroup(prefix);
        if (page.objects.length + page.commonPrefixes.length === q.maxKeys) {
            page.isTruncated = true;
            return undefined;
        }
        if (prefix === undefined) {
            page.objects.push(listedFromRow(row));
            page.lastReturned = row.key;
            continue;
        }
        page.commonPrefixes.push(prefix);
        page.lastReturned = prefix;
        return pastGroup(prefix);
    }
    return 'more' as const;
}

/** The first key no member of the group can reach, or undefined when nothing sorts after it. */
function pastGroup(prefix: string): Bound | undefined {
    const next = successor(prefix);
    return next === undefined ? undefined : { key: next, inclusive: true };
}

function after(key: string): Bound {
    return { key, inclusive: false };
}

function startBound(prefix: string, marker: string | undefined): Bound {
    if (marker && compareUtf8(marker, prefix) >= 0) return after(marker);
    return { key: prefix, inclusive: true };
}

function isAfterUploadMarker(row: UploadRow, marker: UploadMarker): boolean {
    if (row.key !== marker.key) return compareUtf8(row.key, marker.key) > 0;
    if (!marker.after) return false;
    const { initiatedAt, uploadId } = marker.after;
    if (row.initiated_at !== initiatedAt) return row.initiated_at > initiatedAt;
    return compareUtf8(row.upload_id, uploadId) > 0;
}

/**
 * The smallest string greater than every string that starts with `s`, in code point order
 * (which is UTF-8 byte order): the last code point incremented, dropping trailing U+10FFFF.
 * Undefined when `s` is all U+10FFFF, as then every greater string starts with `s`.
 */
export function successor(s: string): string | undefined {
    const points = Array.from(s, (c) => c.codePointAt(0)!);
    while (points.length > 0) {
        const last = points.pop()!;
        if (last === 0x10ffff) continue;
        // Surrogates cannot appear in UTF-8, so the code point after U+D7FF is U+E000.
        points.push(last === 0xd7ff ? 0xe000 : last + 1);
        return String.fromCodePoint(...points);
    }
    return undefined;
}

/** Compares in UTF-8 byte order, SQLite's BINARY order for TEXT (JS `<` compares UTF-16). */
export function compareUtf8(a: string, b: string): number {
    return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The CommonPrefix a key rolls up into, or undefined when it is listed as itself. */
export function commonPrefixOf(key: string, prefix: string, delimiter?: string) {
    if (!delimiter) return undefined;
    const at = key.indexOf(delimiter, prefix.length);
    return at < 0 ? undefined : key.slice(0, at + delimiter.length);
}
