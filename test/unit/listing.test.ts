/**
 * ListObjects and ListObjectsV2 against a real SQLite store: rollup, truncation, paging,
 * markers, max-keys=0, the Contents element, and refused parameters.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { canonicalUserId, displayName } from '../../src/identity/principal.js';
import { S3Error } from '../../src/s3/errors.js';
import { listObjects, listObjectsV2 } from '../../src/s3/list.js';
import type { OperationHandler } from '../../src/s3/types.js';
import {
    call,
    compareUtf8,
    entriesOf,
    expectedEntries,
    keysOf,
    objectRecord,
    openStore,
    OWNER,
    prefixesOf,
    putKeys,
    request,
    type Fixture,
} from './listing-fixture.js';

describe('CommonPrefixes rollup and truncation', () => {
    let fx: Fixture;
    // Entries with delimiter '/': a/ (3 keys), b, c/ (2 keys), d, e/ (the key 'e/' itself).
    const keys = ['a/1', 'a/2', 'a/3', 'b', 'c/1', 'c/d/2', 'd', 'e/'];
    before(async () => {
        fx = await openStore();
        await putKeys(fx.store, keys);
    });
    after(() => fx.close());

    test('a CommonPrefix counts once against max-keys; a key equal to one rolls up', async () => {
        const page = await call(listObjectsV2, fx.store, 'list-type=2&delimiter=/&max-keys=3');
        assert.deepEqual(keysOf(page), ['b']);
        assert.deepEqual(prefixesOf(page), ['a/', 'c/']);
        assert.equal(page.KeyCount, '3');
        assert.equal(page.IsTruncated, 'true');
        const all = await call(listObjectsV2, fx.store, 'list-type=2&delimiter=/');
        assert.deepEqual(entriesOf(all), ['a/', 'b', 'c/', 'd', 'e/']);
        assert.deepEqual(keysOf(all), ['b', 'd']);
    });

    test('exactly max-keys entries with nothing after them is not truncated', async () => {
        for (const [query, count] of [
            ['delimiter=/&max-keys=5', 5],
            ['max-keys=8', 8],
            // The last entry is a group whose other members follow it: they are not "more".
            ['prefix=a&delimiter=/&max-keys=1', 1],
            ['prefix=c/&delimiter=/&max-keys=2', 2],
        ] as const) {
            const page = await call(listObjectsV2, fx.store, `list-type=2&${query}`);
            assert.equal(page.IsTruncated, 'false', query);
            assert.equal(Number(page.KeyCount), count, query);
            assert.equal(page.NextContinuationToken, undefined, query);
        }
        const one = await call(listObjectsV2, fx.store, 'list-type=2&delimiter=/&max-keys=4');
        assert.equal(one.IsTruncated, 'true');
        const seven = await call(listObjectsV2, fx.store, 'list-type=2&max-keys=7');
        assert.equal(seven.IsTruncated, 'true');
    });

    test('v1 names NextMarker only under a delimiter, as the last entry in key order', async () => {
        const flat = await call(listObjects, fx.store, 'max-keys=2');
        assert.equal(flat.IsTruncated, 'true');
        assert.equal(flat.NextMarker, undefined);
        // Contents are written before CommonPrefixes, but NextMarker is the last entry by key.
        const rolled = await call(listObjects, fx.store, 'delimiter=/&max-keys=4');
        assert.deepEqual(entriesOf(rolled), ['a/', 'b', 'c/', 'd']);
        assert.equal(rolled.NextMarker, 'd');
        const onGroup = await call(listObjects, fx.store, 'delimiter=/&max-keys=3');
        assert.equal(onGroup.NextMarker, 'c/');
        const complete = await call(listObjects, fx.store, 'delimiter=/');
        assert.equal(complete.NextMarker, undefined);
    });

    test('max-keys=0 is an empty page that is not truncated', async () => {
        const v2 = await call(listObjectsV2, fx.store, 'list-type=2&max-keys=0');
        assert.equal(v2.IsTruncated, 'false');
        assert.equal(v2.KeyCount, '0');
        assert.equal(v2.MaxKeys, '0');
        assert.equal(v2.Contents, undefined);
        assert.equal(v2.NextContinuationToken, undefined);
        const v1 = await call(listObjects, fx.store, 'delimiter=/&max-keys=0');
        assert.equal(v1.IsTruncated, 'false');
        assert.equal(v1.NextMarker, undefined);
        assert.equal(v1.CommonPrefixes, undefined);
    });
});

describe('paging through 2,500 keys with a prefix and a delimiter', () => {
    let fx: Fixture;
    const keys: string[] = [];
    for (let album = 0; album < 40; album++) {
        for (let n = 0; n < 30; n++) keys.push(`photos/album-${album}/img-${n}.jpg`);
    }
    for (let n = 0; n < 1270; n++) keys.push(`photos/img-${n}.jpg`);
    keys.push('photos/', 'photos//double', 'photos/é/x', 'photos/\u{1F600}', 'photos/z/');
    for (const key of ['photo', 'photos', 'photos0', 'photoz/x', 'a', 'zzz', 'photos\u{10FFFF}']) {
        keys.push(key);
    }
    while (keys.length < 2500) keys.push(`outside/${keys.length}`);
    const expected = expectedEntries(keys, 'photos/', '/');

    before(async () => {
        fx = await openStore();
        await putKeys(fx.store, keys);
    });
    after(() => fx.close());

    test('v2 continuation tokens visit every key and prefix once, in order', async () => {
        const query = 'list-type=2&prefix=photos/&delimiter=/&max-keys=97';
        const seen = await walk(listObjectsV2, query);
        assert.equal(keys.length, 2500);
        assert.deepEqual(seen, expected);
    });

    test('v1 NextMarker visits every key and prefix once, in order', async () => {
        const seen = await walk(listObjects, 'prefix=photos/&delimiter=/&max-keys=89');
        assert.deepEqual(seen, expected);
    });

    test('without a delimiter, pages of max-keys=1000 (1500 asked) cover the bucket', async () => {
        const first = await call(listObjectsV2, fx.store, 'list-type=2&max-keys=1500');
        assert.equal(first.MaxKeys, '1500');
        assert.equal(keysOf(first).length, 1000);
        const seen = await walk(listObjectsV2, 'list-type=2');
        assert.deepEqual(seen, expectedEntries(keys, ''));
    });

    /** Follows NextContinuationToken (v2) or NextMarker (v1) to the end, checking the order. */
    async function walk(handler: OperationHandler, base: string): Promise<string[]> {
        const seen: string[] = [];
        let query = base;
        for (let pages = 0; pages < 100; pages++) {
            const page = await call(handler, fx.store, query);
            const entries = entriesOf(page);
            if (seen.length > 0 && entries.length > 0) {
                assert.ok(compareUtf8(seen.at(-1)!, entries[0]) < 0, 'pages follow each other');
            }
            seen.push(...entries);
            if (page.IsTruncated !== 'true') return seen;
            const token = page.NextContinuationToken;
            const cursor = token
                ? `continuation-token=${enc(token)}`
                : `marker=${enc(page.NextMarker)}`;
            assert.ok(token ?? page.NextMarker, 'a truncated page names where to continue');
            query = `${base}&${cursor}`;
        }
        throw new Error('paging did not finish');
    }
});

describe('marker and start-after', () => {
    let fx: Fixture;
    before(async () => {
        fx = await openStore();
        await putKeys(fx.store, ['a/1', 'a/2', 'b/1', 'b/2', 'c', 'd/x']);
    });
    after(() => fx.close());

    const cases: Array<[query: string, entries: string[]]> = [
        ['delimiter=/&{m}=a/', ['b/', 'c', 'd/']], // the marker is itself a common prefix
        ['delimiter=/&{m}=a/1', ['b/', 'c', 'd/']], // a marker inside a group skips the group
        ['delimiter=/&{m}=a', ['a/', 'b/', 'c', 'd/']], // before the group: the group is listed
        ['{m}=b/', ['b/1', 'b/2', 'c', 'd/x']], // no delimiter: keys after the marker
        ['{m}=b/1', ['b/2', 'c', 'd/x']],
        ['prefix=b/&{m}=a', ['b/1', 'b/2']], // a marker before the prefix
        ['prefix=b/&{m}=c', []], // a marker past the prefix
        ['{m}=zzz', []],
    ];

    test('v1 marker', async () => {
        for (const [query, entries] of cases) {
            const page = await call(listObjects, fx.store, query.replace('{m}', 'marker'));
            assert.deepEqual(entriesOf(page), entries, query);
            assert.equal(page.IsTruncated, 'false', query);
            assert.equal(page.Marker, new URLSearchParams(query.replace('{m}', 'm')).get('m'));
        }
        assert.equal((await call(listObjects, fx.store, '')).Marker, '');
    });

    test('v2 start-after, echoed only when sent', async () => {
        for (const [query, entries] of cases) {
            const q = `list-type=2&${query.replace('{m}', 'start-after')}`;
            const page = await call(listObjectsV2, fx.store, q);
            assert.deepEqual(entriesOf(page), entries, query);
            assert.equal(page.StartAfter, new URLSearchParams(q).get('start-after'));
        }
        assert.equal((await call(listObjectsV2, fx.store, 'list-type=2')).StartAfter, undefined);
    });

    test('a continuation token displaces start-after and its echo', async () => {
        const first = await call(listObjectsV2, fx.store, 'list-type=2&delimiter=/&max-keys=1');
        assert.deepEqual(prefixesOf(first), ['a/']);
        const token = first.NextContinuationToken as string;
        const q = `list-type=2&delimiter=/&start-after=c&continuation-token=${enc(token)}`;
        const second = await call(listObjectsV2, fx.store, q);
        assert.deepEqual(entriesOf(second), ['b/', 'c', 'd/']);
        assert.equal(second.StartAfter, undefined);
        assert.equal(second.ContinuationToken, token);
    });
});

describe('the Contents element', () => {
    let fx: Fixture;
    before(async () => {
        fx = await openStore();
        const checksum = { algorithm: 'CRC32', type: 'FULL_OBJECT' as const, value: 'AAAAAA==' };
        await fx.store.putObject(objectRecord('plain', { size: 5, etag: 'abc123' }));
        await fx.store.putObject(objectRecord('summed', { checksum, etag: 'def456-2' }));
    });
    after(() => fx.close());

    test('v1 shows Owner, a quoted ETag, ISO LastModified with ms, STANDARD', async () => {
        const [plain] = (await call(listObjects, fx.store, 'max-keys=1')).Contents;
        assert.deepEqual(plain, {
            Key: 'plain',
            LastModified: '2026-01-02T03:04:05.678Z',
            ETag: '"abc123"',
            Size: '5',
            Owner: { ID: canonicalUserId(OWNER), DisplayName: displayName(OWNER) },
            StorageClass: 'STANDARD',
        });
    });

    test('v2 shows Owner only on fetch-owner, and the checksum algorithm and type', async () => {
        const page = await call(listObjectsV2, fx.store, 'list-type=2');
        const [plain, summed] = page.Contents;
        assert.equal(plain.Owner, undefined);
        assert.equal(plain.ChecksumAlgorithm, undefined);
        assert.equal(summed.ChecksumAlgorithm, 'CRC32');
        assert.equal(summed.ChecksumType, 'FULL_OBJECT');
        assert.equal(summed.ETag, '"def456-2"');
        const owned = await call(listObjectsV2, fx.store, 'list-type=2&fetch-owner=true');
        assert.equal(owned.Contents[0].Owner.ID, canonicalUserId(OWNER));
    });
});

describe('refused parameters', () => {
    let fx: Fixture;
    before(async () => {
        fx = await openStore();
        await putKeys(fx.store, ['a', 'b']);
    });
    after(() => fx.close());

    const notInteger = 'Provided max-keys not an integer or within integer range';
    const range = 'Argument maxKeys must be an integer between 0 and 2147483647';
    const badEncoding = 'Invalid Encoding Method specified in Request';
    const badToken = 'The continuation token provided is incorrect';
    const v2Only = 'only supported in REST.GET.BUCKET with list-type=2';
    const validToken = Buffer.from(JSON.stringify({ v: 1, after: 'a' })).toString('base64url');
    const unversioned = Buffer.from('{"after":"a"}').toString('base64url');
    const truncated = validToken.slice(0, -1);
    const arg = (name: string, value?: string): Record<string, string> =>
        value === undefined ? { ArgumentName: name } : { ArgumentName: name, ArgumentValue: value };
    const cases: Array<[OperationHandler, string, string, Record<string, string>]> = [
        [listObjectsV2, 'max-keys=abc', notInteger, arg('max-keys', 'abc')],
        [listObjects, 'max-keys=1.5', notInteger, arg('max-keys', '1.5')],
        [listObjects, 'max-keys=+5', notInteger, arg('max-keys', ' 5')],
        [listObjects, 'max-keys=2147483648', notInteger, arg('max-keys', '2147483648')],
        [listObjects, 'max-keys=-1', range, arg('maxKeys', '-1')],
        [listObjectsV2, 'max-keys=-01', range, arg('maxKeys', '-1')],
        [listObjects, 'encoding-type=xml', badEncoding, arg('encoding-type', 'xml')],
        [listObjectsV2, 'encoding-type=', badEncoding, arg('encoding-type', '')],
        [listObjectsV2, 'continuation-token=garbage!', badToken, arg('continuation-token')],
        [listObjectsV2, 'continuation-token=', badToken, arg('continuation-token')],
        [listObjectsV2, `continuation-token=${truncated}`, badToken, arg('continuation-token')],
        [listObjectsV2, `continuation-token=${unversioned}`, badToken, arg('continuation-token')],
        [
            listObjectsV2,
            'marker=a',
            'Marker unsupported with REST.GET.BUCKET in list-type=2',
            arg('marker'),
        ],
        [listObjects, 'start-after=a', `startAfter ${v2Only}`, arg('start-after')],
        [
            listObjects,
            'start-after=a&continuation-token=b',
            `continuation-token ${v2Only}`,
            arg('continuation-token'),
        ],
    ];

    test('each is InvalidArgument with AWS message and argument fields', async () => {
        for (const [handler, query, message, fields] of cases) {
            await assert.rejects(handler(request(fx.store, query)), (err) => {
                assert.ok(err instanceof S3Error, query);
                assert.equal(err.code, 'InvalidArgument', query);
                assert.equal(err.status, 400, query);
                assert.equal(err.message, message, query);
                assert.deepEqual(err.fields, fields, query);
                return true;
            });
        }
    });

    test('forms AWS accepts: leading zeros, -0, empty max-keys, URL in capitals', async () => {
        assert.equal((await call(listObjects, fx.store, 'max-keys=005')).MaxKeys, '5');
        assert.equal((await call(listObjects, fx.store, 'max-keys=-0')).MaxKeys, '0');
        assert.equal((await call(listObjects, fx.store, 'max-keys=')).MaxKeys, '1000');
        const upper = await call(listObjectsV2, fx.store, 'list-type=2&encoding-type=URL');
        assert.equal(upper.EncodingType, 'URL');
        const q = `list-type=2&continuation-token=${validToken}`;
        assert.deepEqual(keysOf(await call(listObjectsV2, fx.store, q)), ['b']);
    });

    test('a missing bucket is NoSuchBucket naming it, before any parameter', async () => {
        for (const handler of [listObjects, listObjectsV2]) {
            const req = request(fx.store, 'max-keys=-1&encoding-type=bogus', 'no-such-bucket');
            await assert.rejects(handler(req), (err) => {
                assert.ok(err instanceof S3Error);
                assert.equal(err.code, 'NoSuchBucket');
                assert.deepEqual(err.fields, { BucketName: 'no-such-bucket' });
                return true;
            });
        }
    });
});

function enc(value: string): string {
    return encodeURIComponent(value);
}
