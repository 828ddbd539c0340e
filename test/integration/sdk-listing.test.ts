/**
 * Listings through the AWS SDK v3 against a real Coffer process: ListObjectsV2, ListObjects,
 * ListObjectVersions, and keys full of characters that URLs and XML treat specially.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
    CreateBucketCommand,
    GetObjectCommand,
    ListObjectsCommand,
    ListObjectsV2Command,
    ListObjectVersionsCommand,
    PutObjectCommand,
    type ListObjectsV2CommandInput,
    type S3Client,
} from '@aws-sdk/client-s3';
import { serverFailures } from '../helpers/expect.js';
import { removeDataDir, s3Client, startServer, type RunningServer } from '../helpers/server.js';

let server: RunningServer;
let s3: S3Client;
const BUCKET = 'listing-bucket';
const TREE = [
    'docs/x.txt',
    'photos/2024/a.jpg',
    'photos/2024/b.jpg',
    'photos/2025/c.jpg',
    'photos/readme.txt',
    'root.txt',
];
const SPECIAL = [
    'special/héllo wörld',
    'special/日本語/ファイル',
    'special/a+b',
    'special/with  two spaces',
    'special/100%',
    'special/%41 not decoded',
    'special/tilde~x',
    'special/emoji-😀-🚀',
    "special/quote'paren(1)*!",
    'special/amp&eq=?q#frag',
    'special/lt<gt>"',
];

before(async () => {
    server = await startServer();
    s3 = s3Client(server);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    for (const key of [...TREE, ...SPECIAL]) {
        await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: `body of ${key}` }));
    }
});

after(async () => {
    s3?.destroy();
    await server?.stop();
    if (server) removeDataDir(server);
});

const listV2 = (input: Omit<ListObjectsV2CommandInput, 'Bucket'>) =>
    s3.send(new ListObjectsV2Command({ Bucket: BUCKET, ...input }));

/** Decodes `encoding-type=url` values as botocore does (unquote_plus). */
const urlDecode = (value: string) => decodeURIComponent(value.replace(/\+/g, ' '));

describe('ListObjectsV2', () => {
    test('prefix and delimiter split keys from common prefixes', async () => {
        const res = await listV2({ Prefix: 'photos/', Delimiter: '/' });
        assert.deepEqual(
            res.Contents?.map((o) => o.Key),
            ['photos/readme.txt'],
        );
        assert.deepEqual(
            res.CommonPrefixes?.map((p) => p.Prefix),
            ['photos/2024/', 'photos/2025/'],
        );
        assert.equal(res.KeyCount, 3);
        assert.equal(res.IsTruncated, false);
        assert.equal(res.Prefix, 'photos/');
        assert.equal(res.Delimiter, '/');
    });

    test('objects carry size, ETag, date and storage class', async () => {
        const res = await listV2({ Prefix: 'root.txt' });
        const [object] = res.Contents ?? [];
        assert.equal(object?.Key, 'root.txt');
        assert.equal(object?.Size, Buffer.byteLength('body of root.txt'));
        assert.match(object?.ETag ?? '', /^"[0-9a-f]{32}"$/);
        assert.ok(object?.LastModified instanceof Date);
        assert.equal(object?.StorageClass, 'STANDARD');
        assert.equal(object?.Owner, undefined, 'no Owner without fetch-owner');
    });

    test('max-keys pages with continuation tokens through every key once', async () => {
        const seen: string[] = [];
        let token: string | undefined;
        let pages = 0;
        do {
            const res = await listV2({ MaxKeys: 2, ContinuationToken: token, Prefix: 'p' });
            pages++;
            assert.ok((res.Contents?.length ?? 0) <= 2);
            assert.equal(res.MaxKeys, 2);
            seen.push(...(res.Contents ?? []).map((o) => o.Key!));
            token = res.IsTruncated ? res.NextContinuationToken : undefined;
            if (res.IsTruncated) assert.ok(token, 'a truncated page names its continuation');
        } while (token);
        assert.deepEqual(
            seen,
            TREE.filter((k) => k.startsWith('p')),
        );
        assert.equal(pages, 2);
    });

    test('start-after skips keys up to and including it', async () => {
        const res = await listV2({ StartAfter: 'photos/2024/b.jpg', Prefix: 'photos/' });
        assert.deepEqual(
            res.Contents?.map((o) => o.Key),
            ['photos/2025/c.jpg', 'photos/readme.txt'],
        );
        assert.equal(res.StartAfter, 'photos/2024/b.jpg');
    });

    test('fetch-owner adds the owner', async () => {
        const res = await listV2({ Prefix: 'docs/', FetchOwner: true });
        assert.ok(res.Contents?.[0]?.Owner?.ID, 'Owner.ID');
    });

    test('a delimiter with max-keys counts common prefixes against the page', async () => {
        const res = await listV2({ Delimiter: '/', MaxKeys: 2 });
        assert.deepEqual(
            res.CommonPrefixes?.map((p) => p.Prefix),
            ['docs/', 'photos/'],
        );
        assert.equal(res.Contents?.length ?? 0, 0);
        assert.equal(res.IsTruncated, true);
        const rest = await listV2({ Delimiter: '/', ContinuationToken: res.NextContinuationToken });
        assert.deepEqual(
            rest.Contents?.map((o) => o.Key),
            ['root.txt'],
        );
        assert.deepEqual(
            rest.CommonPrefixes?.map((p) => p.Prefix),
            ['special/'],
        );
    });
});

describe('ListObjects (v1)', () => {
    test('marker starts after the given key, and every object shows its owner', async () => {
        const res = await s3.send(
            new ListObjectsCommand({ Bucket: BUCKET, Marker: 'photos/2025/c.jpg' }),
        );
        const keys = res.Contents?.map((o) => o.Key) ?? [];
        assert.equal(keys[0], 'photos/readme.txt');
        assert.ok(keys.every((k) => k! > 'photos/2025/c.jpg'));
        assert.equal(res.Marker, 'photos/2025/c.jpg');
        assert.ok(res.Contents?.every((o) => o.Owner?.ID));
    });

    test('pages with max-keys and the last key as marker', async () => {
        const seen: string[] = [];
        let marker: string | undefined;
        for (;;) {
            const res = await s3.send(
                new ListObjectsCommand({ Bucket: BUCKET, MaxKeys: 3, Marker: marker, Prefix: 'p' }),
            );
            const keys = (res.Contents ?? []).map((o) => o.Key!);
            seen.push(...keys);
            if (!res.IsTruncated) break;
            marker = res.NextMarker ?? keys.at(-1);
        }
        assert.deepEqual(
            seen,
            TREE.filter((k) => k.startsWith('p')),
        );
    });

    test('a delimiter names NextMarker on a truncated page', async () => {
        const res = await s3.send(
            new ListObjectsCommand({ Bucket: BUCKET, Delimiter: '/', MaxKeys: 1 }),
        );
        assert.equal(res.IsTruncated, true);
        assert.equal(res.NextMarker, 'docs/');
    });
});

test('ListObjectVersions shows each object as its only, null, latest version', async () => {
    const res = await s3.send(
        new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: 'photos/2024/' }),
    );
    assert.deepEqual(
        res.Versions?.map((v) => v.Key),
        ['photos/2024/a.jpg', 'photos/2024/b.jpg'],
    );
    for (const version of res.Versions ?? []) {
        assert.equal(version.VersionId, 'null');
        assert.equal(version.IsLatest, true);
        assert.match(version.ETag ?? '', /^"[0-9a-f]{32}"$/);
    }
    assert.equal(res.DeleteMarkers?.length ?? 0, 0);
});

describe('keys with special characters', () => {
    test('round-trip through PutObject and GetObject', async () => {
        for (const key of SPECIAL) {
            const res = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
            assert.equal(await res.Body!.transformToString(), `body of ${key}`, key);
        }
    });

    test('are listed as they are without an encoding type', async () => {
        const res = await listV2({ Prefix: 'special/' });
        assert.deepEqual(
            res.Contents?.map((o) => o.Key),
            [...SPECIAL].sort(byteOrder),
        );
        const v1 = await s3.send(new ListObjectsCommand({ Bucket: BUCKET, Prefix: 'special/' }));
        assert.deepEqual(
            v1.Contents?.map((o) => o.Key),
            [...SPECIAL].sort(byteOrder),
        );
    });

    test('are URL-encoded with encoding-type=url, and decode to the keys', async () => {
        const res = await listV2({ Prefix: 'special/', EncodingType: 'url' });
        assert.equal(res.EncodingType, 'url');
        const raw = res.Contents?.map((o) => o.Key!) ?? [];
        assert.deepEqual(raw.map(urlDecode), [...SPECIAL].sort(byteOrder));
        for (const encoded of raw) assert.doesNotMatch(encoded, /[ <>"&+\u0080-\uffff]/, encoded);
        const delimited = await listV2({ Prefix: 'special/', Delimiter: '/', EncodingType: 'url' });
        assert.deepEqual(
            delimited.CommonPrefixes?.map((p) => urlDecode(p.Prefix!)),
            ['special/日本語/'],
        );
        const versions = await s3.send(
            new ListObjectVersionsCommand({
                Bucket: BUCKET,
                Prefix: 'special/',
                EncodingType: 'url',
            }),
        );
        assert.deepEqual(
            versions.Versions?.map((v) => urlDecode(v.Key!)),
            [...SPECIAL].sort(byteOrder),
        );
    });
});

/** S3 lists keys in UTF-8 byte order, which is not JavaScript's UTF-16 order for emoji. */
function byteOrder(a: string, b: string): number {
    return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

test('no request failed on the server side (5xx)', () => {
    assert.deepEqual(serverFailures(server.logs), []);
});
