/**
 * Listing keys that are hard to carry: unicode, `+`, spaces, `%`, `~`, emoji, XML specials and a
 * 1024-byte key, with and without `encoding-type=url`; UTF-8 byte order; the edges of the code
 * point range; and the order of the response's elements.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { listObjects, listObjectsV2 } from '../../src/s3/list.js';
import {
    call,
    childOrder,
    compareUtf8,
    entriesOf,
    expectedEntries,
    keysOf,
    openStore,
    prefixesOf,
    putKeys,
    urlDecode,
    type Fixture,
} from './listing-fixture.js';

/** 1024 bytes of UTF-8, S3's longest key: 511 two-byte characters and two ASCII ones. */
const LONGEST = `${'é'.repeat(511)}xy`;

const KEYS = [
    'a b',
    'a+b',
    'a%2Bb',
    '100%',
    'tilde~x',
    'star*(paren)!',
    "quote'\"",
    'amp&lt<gt>',
    'ünïcödé',
    '日本語/ファイル',
    'emoji😀/face',
    'emoji😀x',
    '\uFF01',
    '\u{1F600}',
    'dir with space/x',
    ' leading and trailing ',
    LONGEST,
];

describe('keys that are hard to carry', () => {
    let fx: Fixture;
    before(async () => {
        fx = await openStore();
        await putKeys(fx.store, KEYS);
    });
    after(() => fx.close());

    test('the longest key is 1024 bytes', () => {
        assert.equal(Buffer.byteLength(LONGEST), 1024);
    });

    test('round-trip without encoding, in UTF-8 byte order', async () => {
        for (const handler of [listObjects, listObjectsV2]) {
            const page = await call(handler, fx.store, 'list-type=2');
            assert.deepEqual(keysOf(page), [...KEYS].sort(compareUtf8));
        }
    });

    test('round-trip with encoding-type=url, decoded as botocore decodes', async () => {
        for (const handler of [listObjects, listObjectsV2]) {
            const page = await call(handler, fx.store, 'list-type=2&encoding-type=url');
            assert.equal(page.EncodingType, 'url');
            const encoded = keysOf(page);
            for (const key of encoded) assert.match(key, /^[A-Za-z0-9%._~*/+-]*$/);
            assert.deepEqual(encoded.map(urlDecode), [...KEYS].sort(compareUtf8));
        }
    });

    test("UTF-8 order puts U+FF01 before U+1F600 (UTF-16's order is the reverse)", async () => {
        assert.ok('\u{1F600}' < '\uFF01', 'the two orders really differ');
        const page = await call(listObjectsV2, fx.store, 'list-type=2&start-after=emoji😀x');
        const keys = keysOf(page);
        assert.deepEqual(keys.slice(-3), ['日本語/ファイル', '\uFF01', '\u{1F600}']);
        const afterFf01 = await call(listObjectsV2, fx.store, 'list-type=2&start-after=\uFF01');
        assert.deepEqual(keysOf(afterFf01), ['\u{1F600}']);
        // A marker past the whole prefix in UTF-8 (though before it in UTF-16) leaves nothing.
        const past = await call(listObjects, fx.store, 'prefix=\uFF01&marker=\u{1F600}');
        assert.deepEqual(keysOf(past), []);
        const before = await call(listObjects, fx.store, 'prefix=\u{1F600}&marker=\uFF01');
        assert.deepEqual(keysOf(before), ['\u{1F600}']);
    });

    test('CommonPrefixes and every echo are encoded too', async () => {
        const q = new URLSearchParams({
            'encoding-type': 'url',
            prefix: 'emoji😀',
            delimiter: '/',
            marker: 'emoji😀 ',
            'max-keys': '1',
        });
        const v1 = await call(listObjects, fx.store, q.toString());
        assert.equal(urlDecode(v1.Prefix), 'emoji😀');
        assert.equal(urlDecode(v1.Marker), 'emoji😀 ');
        assert.equal(urlDecode(v1.Delimiter), '/');
        assert.deepEqual(prefixesOf(v1).map(urlDecode), ['emoji😀/']);
        assert.equal(urlDecode(v1.NextMarker), 'emoji😀/');
        assert.notEqual(v1.Prefix, 'emoji😀', 'the prefix is sent encoded');
        const delimited = 'list-type=2&delimiter=/&encoding-type=url';
        const all = await call(listObjectsV2, fx.store, delimited);
        const expected = expectedEntries(KEYS, '', '/');
        assert.deepEqual(entriesOf(all).map(urlDecode).sort(compareUtf8), expected);
        const startAfter = `list-type=2&encoding-type=url&start-after=${encodeURIComponent('a b')}`;
        const v2 = await call(listObjectsV2, fx.store, startAfter);
        assert.equal(urlDecode(v2.StartAfter), 'a b');
        assert.notEqual(v2.StartAfter, 'a b');
    });

    test('the longest key works as a marker and inside a continuation token', async () => {
        const q = `list-type=2&start-after=${encodeURIComponent(LONGEST)}&max-keys=1`;
        const page = await call(listObjectsV2, fx.store, q);
        assert.equal(page.StartAfter, LONGEST);
        const next = keysOf(page)[0];
        assert.ok(compareUtf8(next, LONGEST) > 0);
        const token = encodeURIComponent(page.NextContinuationToken);
        const rest = await call(listObjectsV2, fx.store, `list-type=2&continuation-token=${token}`);
        const all = [...KEYS].sort(compareUtf8);
        assert.deepEqual([next, ...keysOf(rest)], all.slice(all.indexOf(LONGEST) + 1));
    });
});

describe('the top of the code point range', () => {
    let fx: Fixture;
    const MAX = '\u{10FFFF}';
    const keys = ['g/a', `g/${MAX}z`, `g/${MAX}`, `g${MAX}`, `x${MAX}1`, `x${MAX}2`, 'y', MAX];
    before(async () => {
        fx = await openStore();
        await putKeys(fx.store, keys);
    });
    after(() => fx.close());

    test('a group whose members hold U+10FFFF is listed once', async () => {
        const page = await call(listObjectsV2, fx.store, 'list-type=2&delimiter=/');
        assert.deepEqual(entriesOf(page), expectedEntries(keys, '', '/'));
        assert.deepEqual(prefixesOf(page), ['g/']);
    });

    test('a delimiter of U+10FFFF pages one entry at a time without repeats', async () => {
        const delimiter = encodeURIComponent(MAX);
        const seen: string[] = [];
        let query = `list-type=2&delimiter=${delimiter}&max-keys=1`;
        for (let i = 0; i < 10; i++) {
            const page = await call(listObjectsV2, fx.store, query);
            seen.push(...entriesOf(page));
            if (page.IsTruncated !== 'true') break;
            const token = encodeURIComponent(page.NextContinuationToken);
            query = `list-type=2&delimiter=${delimiter}&max-keys=1&continuation-token=${token}`;
        }
        assert.deepEqual(seen, expectedEntries(keys, '', MAX));
    });

    test('a group with nothing after it ends the listing untruncated', async () => {
        const max = encodeURIComponent(MAX);
        const page = await call(listObjects, fx.store, `prefix=${max}&delimiter=x`);
        assert.deepEqual(keysOf(page), [MAX]);
        const grouped = await call(listObjects, fx.store, `delimiter=${max}&marker=y&max-keys=1`);
        assert.deepEqual(prefixesOf(grouped), [MAX]);
        assert.equal(grouped.IsTruncated, 'false');
    });
});

describe('element order', () => {
    let fx: Fixture;
    before(async () => {
        fx = await openStore();
        await putKeys(fx.store, ['a', 'b/1', 'c']);
    });
    after(() => fx.close());

    test('ListObjects: cursors before MaxKeys, every Contents before CommonPrefixes', async () => {
        const query = 'delimiter=/&marker=0&encoding-type=url&max-keys=2';
        assert.deepEqual(await childOrder(listObjects, fx.store, query), [
            'Name',
            'Prefix',
            'Marker',
            'NextMarker',
            'MaxKeys',
            'Delimiter',
            'EncodingType',
            'IsTruncated',
            'Contents',
            'CommonPrefixes',
        ]);
    });

    test('ListObjectsV2: the cursors between Prefix and KeyCount', async () => {
        const query = 'list-type=2&delimiter=/&start-after=0&encoding-type=url&max-keys=2';
        assert.deepEqual(await childOrder(listObjectsV2, fx.store, query), [
            'Name',
            'Prefix',
            'StartAfter',
            'NextContinuationToken',
            'KeyCount',
            'MaxKeys',
            'Delimiter',
            'EncodingType',
            'IsTruncated',
            'Contents',
            'CommonPrefixes',
        ]);
        const page = await call(listObjectsV2, fx.store, 'list-type=2&max-keys=1');
        const token = encodeURIComponent(page.NextContinuationToken);
        const next = `list-type=2&max-keys=1&continuation-token=${token}`;
        const second = await childOrder(listObjectsV2, fx.store, next);
        assert.deepEqual(second.slice(0, 5), [
            'Name',
            'Prefix',
            'ContinuationToken',
            'NextContinuationToken',
            'KeyCount',
        ]);
    });
});
