/**
 * ListObjectVersions on an unversioned bucket and ListMultipartUploads, against a real store:
 * entries, paging with key/version-id/upload-id markers, echoes, encoding and refusals.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { canonicalUserId, displayName } from '../../src/identity/principal.js';
import { S3Error } from '../../src/s3/errors.js';
import { listMultipartUploads, listObjectVersions } from '../../src/s3/list.js';
import type { OperationHandler } from '../../src/s3/types.js';
import {
    BASE_TIME,
    call,
    childOrder,
    entriesOf,
    expectedEntries,
    keysOf,
    OWNER,
    openStore,
    prefixesOf,
    putKeys,
    request,
    uploadRecord,
    urlDecode,
    type Fixture,
    type Xml,
} from './listing-fixture.js';

const OWNER_ELEMENT = { ID: canonicalUserId(OWNER), DisplayName: displayName(OWNER) };

async function refused(
    handler: OperationHandler,
    fx: Fixture,
    query: string,
    message: string,
    fields: Record<string, string>,
) {
    await assert.rejects(handler(request(fx.store, query)), (err) => {
        assert.ok(err instanceof S3Error, query);
        assert.equal(err.code, 'InvalidArgument', query);
        assert.equal(err.message, message, query);
        assert.deepEqual(err.fields, fields, query);
        return true;
    });
}

describe('ListObjectVersions on an unversioned bucket', () => {
    let fx: Fixture;
    const keys: string[] = ['a', 'b/1', 'b/2', 'c', 'd e/f'];
    for (let n = 0; n < 150; n++) keys.push(`many/${n % 10}/${n}`, `many/${n}`);
    before(async () => {
        fx = await openStore();
        await putKeys(fx.store, keys);
    });
    after(() => fx.close());

    test('every object is its only version: null, and the latest', async () => {
        const page = await call(listObjectVersions, fx.store, 'versions&max-keys=1');
        assert.deepEqual(page.Version, [
            {
                Key: 'a',
                VersionId: 'null',
                IsLatest: 'true',
                LastModified: new Date(BASE_TIME).toISOString(),
                ETag: '"0cc175b9c0f1b6a831c399e269772661"',
                Size: '1',
                StorageClass: 'STANDARD',
                Owner: OWNER_ELEMENT,
            },
        ]);
        assert.equal(page.KeyMarker, '');
        assert.equal(page.VersionIdMarker, '');
        assert.equal(page.NextKeyMarker, 'a');
        assert.equal(page.NextVersionIdMarker, 'null');
    });

    test('key-marker and version-id-marker page through every entry once', async () => {
        const seen: string[] = [];
        let query = 'versions&delimiter=/&prefix=&max-keys=3';
        for (let i = 0; i < 20; i++) {
            const page = await call(listObjectVersions, fx.store, query);
            seen.push(...entriesOf(page, 'Version'));
            if (page.IsTruncated !== 'true') {
                assert.equal(page.NextKeyMarker, undefined);
                break;
            }
            const isPrefix = prefixesOf(page).includes(page.NextKeyMarker);
            assert.equal(page.NextVersionIdMarker, isPrefix ? undefined : 'null');
            const marker = encodeURIComponent(page.NextKeyMarker);
            query = `versions&delimiter=/&max-keys=3&key-marker=${marker}`;
            if (!isPrefix) query += '&version-id-marker=null';
        }
        assert.deepEqual(seen, expectedEntries(keys, '', '/'));
        const many = await call(listObjectVersions, fx.store, 'versions&prefix=many/&delimiter=/');
        assert.deepEqual(entriesOf(many, 'Version'), expectedEntries(keys, 'many/', '/'));
    });

    test('encoding-type=url encodes keys and both key markers', async () => {
        const q = `versions&encoding-type=url&key-marker=${encodeURIComponent('c ')}&max-keys=1`;
        const page = await call(listObjectVersions, fx.store, q);
        assert.equal(urlDecode(page.KeyMarker), 'c ');
        assert.notEqual(page.KeyMarker, 'c ');
        assert.deepEqual(keysOf(page, 'Version').map(urlDecode), ['d e/f']);
        assert.equal(urlDecode(page.NextKeyMarker), 'd e/f');
        assert.notEqual(page.NextKeyMarker, 'd e/f');
    });

    test('max-keys=0, and what AWS refuses', async () => {
        const empty = await call(listObjectVersions, fx.store, 'versions&max-keys=0');
        assert.equal(empty.IsTruncated, 'false');
        assert.equal(empty.Version, undefined);
        const name = 'version-id-marker';
        await refused(listObjectVersions, fx, 'versions&version-id-marker=null',
            'A version-id marker cannot be specified without a key marker.',
            { ArgumentName: name, ArgumentValue: 'null' });
        await refused(listObjectVersions, fx, 'versions&key-marker=a&version-id-marker=',
            'A version-id marker cannot be empty.', { ArgumentName: name, ArgumentValue: '' });
        await refused(listObjectVersions, fx, 'versions&key-marker=a&version-id-marker=3HL4kqtJ',
            'Invalid version id specified', { ArgumentName: name, ArgumentValue: '3HL4kqtJ' });
        await refused(listObjectVersions, fx, 'versions&max-keys=-3',
            'Argument maxKeys must be an integer between 0 and 2147483647',
            { ArgumentName: 'maxKeys', ArgumentValue: '-3' });
    });
});

describe('ListMultipartUploads', () => {
    let fx: Fixture;
    // Uploads of one key are listed in initiation order, then by upload id.
    const uploads: Array<[key: string, id: string, initiated: number]> = [
        ['a', 'u3', 3],
        ['a', 'u1', 5],
        ['a', 'u2', 5],
        ['b/1', 'u4', 1],
        ['b/2', 'u5', 2],
        ['c d', 'u6', 1],
        ['e', 'u7', 1],
    ];
    const flat = uploads.map(([key, id]) => `${key}#${id}`);
    before(async () => {
        fx = await openStore();
        for (const [key, id, initiated] of [...uploads].reverse()) {
            const record = uploadRecord(key, id, BASE_TIME + initiated);
            if (id === 'u7') {
                Object.assign(record, { checksumAlgorithm: 'CRC32C', checksumType: 'COMPOSITE' });
            }
            await fx.store.createUpload(record);
        }
    });
    after(() => fx.close());

    const idsOf = (page: Xml) =>
        ((page.Upload ?? []) as Xml[]).map((u) => `${u.Key}#${u.UploadId}`);
    const nextMarkers = (page: Xml) =>
        `key-marker=${encodeURIComponent(page.NextKeyMarker)}` +
        `&upload-id-marker=${encodeURIComponent(page.NextUploadIdMarker)}`;

    test('an Upload has Initiator, Owner, StorageClass, Initiated and its checksum', async () => {
        const page = await call(listMultipartUploads, fx.store, 'uploads');
        assert.deepEqual(idsOf(page), flat);
        assert.deepEqual(page.Upload[0], {
            Key: 'a',
            UploadId: 'u3',
            Initiator: OWNER_ELEMENT,
            Owner: OWNER_ELEMENT,
            StorageClass: 'STANDARD',
            Initiated: new Date(BASE_TIME + 3).toISOString(),
        });
        assert.equal(page.Upload[6].ChecksumAlgorithm, 'CRC32C');
        assert.equal(page.Upload[6].ChecksumType, 'COMPOSITE');
    });

    test('the empty page echoes both markers and both next-markers, empty', async () => {
        // The first of a repeated parameter is read; an empty delimiter is not echoed.
        const q = 'uploads&prefix=zzz&prefix=&delimiter=';
        assert.deepEqual(await childOrder(listMultipartUploads, fx.store, q), [
            'Bucket',
            'KeyMarker',
            'UploadIdMarker',
            'NextKeyMarker',
            'NextUploadIdMarker',
            'Prefix',
            'MaxUploads',
            'IsTruncated',
        ]);
        const page = await call(listMultipartUploads, fx.store, 'uploads&prefix=zzz');
        assert.equal(page.NextKeyMarker, '');
        assert.equal(page.NextUploadIdMarker, '');
        assert.equal(page.MaxUploads, '1000');
        const capped = await call(listMultipartUploads, fx.store, 'uploads&max-uploads=2000');
        assert.equal(capped.MaxUploads, '1000');
    });

    test('key-marker and upload-id-marker page through every upload once', async () => {
        for (const size of [1, 2, 3]) {
            const seen: string[] = [];
            let query = `uploads&max-uploads=${size}`;
            for (let i = 0; i < 20; i++) {
                const page = await call(listMultipartUploads, fx.store, query);
                seen.push(...idsOf(page));
                if (page.IsTruncated !== 'true') break;
                query = `uploads&max-uploads=${size}&${nextMarkers(page)}`;
            }
            assert.deepEqual(seen, flat, `max-uploads=${size}`);
        }
    });

    test('with a delimiter, uploads under a prefix roll up and page as one entry', async () => {
        const seen: string[] = [];
        let query = 'uploads&delimiter=/&max-uploads=1';
        for (let i = 0; i < 20; i++) {
            const page = await call(listMultipartUploads, fx.store, query);
            seen.push(...idsOf(page), ...prefixesOf(page));
            if (page.IsTruncated !== 'true') break;
            query = `uploads&delimiter=/&max-uploads=1&${nextMarkers(page)}`;
        }
        assert.deepEqual(seen, ['a#u3', 'a#u1', 'a#u2', 'b/', 'c d#u6', 'e#u7']);
    });

    test('a key-marker alone skips its key; an upload-id-marker alone is ignored', async () => {
        const keyOnly = await call(listMultipartUploads, fx.store, 'uploads&key-marker=a');
        assert.deepEqual(idsOf(keyOnly), flat.slice(3));
        const idOnly = await call(listMultipartUploads, fx.store, 'uploads&upload-id-marker=u1');
        assert.deepEqual(idsOf(idOnly), flat);
        assert.equal(idOnly.UploadIdMarker, '');
    });

    test('encoding-type=url encodes keys, prefixes and key markers', async () => {
        const q = 'uploads&encoding-type=url&key-marker=b%2F2&delimiter=%20&prefix=c';
        const page = await call(listMultipartUploads, fx.store, q);
        assert.equal(page.KeyMarker, 'b/2');
        assert.deepEqual(prefixesOf(page).map(urlDecode), ['c ']);
        assert.equal(urlDecode(page.Delimiter), ' ');
        assert.equal(page.EncodingType, 'url');
    });

    test('what AWS refuses', async () => {
        const notInteger = 'Provided max-uploads not an integer or within integer range';
        const range = 'Argument max-uploads must be an integer between 0 and 2147483647';
        await refused(listMultipartUploads, fx, 'uploads&max-uploads=ten', notInteger,
            { ArgumentName: 'max-uploads', ArgumentValue: 'ten' });
        await refused(listMultipartUploads, fx, 'uploads&max-uploads=-01', range,
            { ArgumentName: 'max-uploads', ArgumentValue: '-1' });
        await refused(listMultipartUploads, fx, 'uploads&encoding-type=gzip',
            'Invalid Encoding Method specified in Request',
            { ArgumentName: 'encoding-type', ArgumentValue: 'gzip' });
        for (const id of ['nope', 'u4']) {
            await refused(listMultipartUploads, fx, `uploads&key-marker=a&upload-id-marker=${id}`,
                'Invalid uploadId marker', { ArgumentName: 'upload-id-marker', ArgumentValue: id });
        }
    });
});
