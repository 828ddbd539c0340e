/**
 * Shared setup for the listing tests: a real SqliteMetadataStore in a temporary directory,
 * requests built from a query string, responses parsed with fast-xml-parser, and a naive
 * reference model of S3 listing order to compare pages against.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type { OperationHandler, S3Request } from '../../src/s3/types.js';
import { SqliteMetadataStore } from '../../src/store/sqlite/sqlite-metadata-store.js';
import type { ObjectRecord, UploadRecord } from '../../src/store/types.js';

export const BUCKET = 'listing-bucket';
export const OWNER = '111122223333';
/** A fixed base time so LastModified values are known. */
export const BASE_TIME = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

export interface Fixture {
    store: SqliteMetadataStore;
    close(): void;
}

/** A store on tmpfs when there is one: every put is an fsync'd transaction. */
export async function openStore(): Promise<Fixture> {
    const root = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
    const dir = mkdtempSync(join(root, 'coffer-listing-'));
    const store = new SqliteMetadataStore(join(dir, 'metadata.db'));
    await store.createBucket({
        name: BUCKET,
        ownerAccountId: OWNER,
        region: 'us-east-1',
        createdAt: BASE_TIME,
    });
    return {
        store,
        close() {
            store.close();
            rmSync(dir, { recursive: true, force: true });
        },
    };
}

export function objectRecord(key: string, extra: Partial<ObjectRecord> = {}): ObjectRecord {
    return {
        bucket: BUCKET,
        key,
        size: Buffer.byteLength(key),
        etag: createHash('md5').update(key).digest('hex'),
        lastModified: BASE_TIME,
        headers: {},
        userMetadata: {},
        tags: [],
        segments: [],
        ...extra,
    };
}

export async function putKeys(store: SqliteMetadataStore, keys: Iterable<string>): Promise<void> {
    for (const key of keys) await store.putObject(objectRecord(key));
}

export function uploadRecord(key: string, uploadId: string, initiatedAt: number): UploadRecord {
    return {
        uploadId,
        bucket: BUCKET,
        key,
        initiatedAt,
        headers: {},
        userMetadata: {},
        tags: [],
        ownerAccountId: OWNER,
    };
}

/** The fields a listing handler reads; the store behind it is the real one. */
export function request(store: SqliteMetadataStore, query: string, bucket = BUCKET): S3Request {
    const partial = { services: { metadata: store }, bucket, query: new URLSearchParams(query) };
    return partial as unknown as S3Request;
}

/** Parsed XML: a parse boundary, so values are untyped until a test reads them. */
export type Xml = Record<string, any>;

const REPEATED = new Set(['Contents', 'CommonPrefixes', 'Version', 'Upload']);
const parser = new XMLParser({
    ignoreAttributes: true,
    parseTagValue: false,
    trimValues: false,
    isArray: (name) => REPEATED.has(name),
});
const orderedParser = new XMLParser({ ignoreAttributes: true, preserveOrder: true });

/** Runs a handler and returns its document's root element, parsed. */
export async function call(
    handler: OperationHandler,
    store: SqliteMetadataStore,
    query: string,
): Promise<Xml> {
    const response = await handler(request(store, query));
    if (response.headers?.['content-type'] !== 'application/xml') {
        throw new Error('listing answered without Content-Type: application/xml');
    }
    const doc = parser.parse(String(response.body)) as Xml;
    const [root] = Object.keys(doc).filter((name) => name !== '?xml');
    return doc[root] as Xml;
}

/** The root element's child names in document order. */
export async function childOrder(
    handler: OperationHandler,
    store: SqliteMetadataStore,
    query: string,
): Promise<string[]> {
    const response = await handler(request(store, query));
    const doc = orderedParser.parse(String(response.body)) as Xml[];
    const root = doc.find((node) => !('?xml' in node))!;
    const [name] = Object.keys(root);
    return (root[name] as Xml[]).map((child) => Object.keys(child)[0]);
}

/** Keys and common prefixes of a page, in document order within each kind. */
export function keysOf(page: Xml, entry = 'Contents'): string[] {
    return ((page[entry] ?? []) as Xml[]).map((c) => c.Key as string);
}

export function prefixesOf(page: Xml): string[] {
    return ((page.CommonPrefixes ?? []) as Xml[]).map((c) => c.Prefix as string);
}

/** How botocore decodes `encoding-type=url` values (unquote_plus). */
export function urlDecode(value: string): string {
    return decodeURIComponent(value.replace(/\+/g, ' '));
}

export function compareUtf8(a: string, b: string): number {
    return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * The reference model: every key under `prefix`, rolled up at the first `delimiter` after the
 * prefix, deduplicated, in UTF-8 byte order. Written plainly, with no paging at all.
 */
export function expectedEntries(keys: string[], prefix: string, delimiter?: string): string[] {
    const entries = new Set<string>();
    for (const key of keys) {
        if (!key.startsWith(prefix)) continue;
        const at = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
        entries.add(at < 0 ? key : key.slice(0, at + delimiter!.length));
    }
    return [...entries].sort(compareUtf8);
}

/** A page's entries merged into key order (AWS writes all Contents before all CommonPrefixes). */
export function entriesOf(page: Xml, entry = 'Contents'): string[] {
    return [...keysOf(page, entry), ...prefixesOf(page)].sort(compareUtf8);
}
