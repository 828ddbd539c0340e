import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import { Crc64Nvme as AwsCrc64Nvme } from '@aws-sdk/crc64-nvme';
import { digestOf } from '../../src/checksum/index.js';
import { openObject, readPlaintext } from '../../src/sse/index.js';
import type { ObjectRecord } from '../../src/store/types.js';
import { newUploadId } from '../../src/s3/multipart-common.js';
import { abortMultipartUpload, listParts, uploadPartCopy } from '../../src/s3/multipart.js';
import { putObject } from '../../src/s3/objects.js';
import {
    MiB,
    blobExists,
    complete,
    completeXml,
    openHarness,
    parseXml,
    readAll,
    request,
    sendPart,
    startUpload,
    type Harness,
} from './multipart-harness.js';

function md5(data: Buffer): Buffer {
    return createHash('md5').update(data).digest();
}

function crc32Of(data: Buffer): Buffer {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(crc32(data), 0);
    return out;
}

async function awsCrc64Nvme(data: Buffer): Promise<Buffer> {
    const hasher = new AwsCrc64Nvme();
    hasher.update(data);
    return Buffer.from(await hasher.digest());
}

/** S3's multipart ETag, computed here from the part bytes. */
function expectedEtag(parts: Buffer[]): string {
    const digest = createHash('md5')
        .update(Buffer.concat(parts.map(md5)))
        .digest('hex');
    return `"${digest}-${parts.length}"`;
}

let h: Harness;
before(async () => {
    h = await openHarness();
});
after(() => h.close());

/** The stored object's plaintext bytes [start, end], decrypted as GetObject would. */
async function plaintext(record: ObjectRecord, start: number, end: number) {
    const req = request(h, { method: 'GET', key: record.key });
    return readPlaintext(req, record, await openObject(req, record, undefined), start, end);
}

describe('a three-part upload (5 MiB, 5 MiB, 1 byte) without a checksum algorithm', () => {
    const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(1)];
    const whole = Buffer.concat(parts);
    const key = 'dir/three parts.bin';
    let result: Record<string, any>;
    let uploadId: string;

    before(async () => {
        uploadId = await startUpload(h, key, {
            'content-type': 'video/mp4',
            'x-amz-meta-origin': 'unit-test',
            'x-amz-tagging': 'team=storage&tier=gold',
        });
        const etags: string[] = [];
        for (const [i, data] of parts.entries()) {
            const response = await sendPart(h, key, uploadId, i + 1, data);
            assert.equal(response.headers?.etag, `"${md5(data).toString('hex')}"`);
            assert.equal(response.headers?.['x-amz-checksum-crc64nvme'], undefined);
            etags.push(response.headers!.etag as string);
        }
        const xml = completeXml(etags.map((ETag, i) => ({ PartNumber: i + 1, ETag })));
        result = parseXml(await complete(h, key, uploadId, xml)).CompleteMultipartUploadResult;
    });

    it('answers the S3 multipart ETag, bucket, key and location', () => {
        assert.equal(result.ETag, expectedEtag(parts));
        assert.equal(result.Bucket, 'mpu-bucket');
        assert.equal(result.Key, key);
        assert.equal(result.Location, 'http://127.0.0.1:9000/mpu-bucket/dir/three%20parts.bin');
    });

    it('stores a FULL_OBJECT CRC64NVME equal to the CRC of the whole object', async () => {
        const direct = digestOf('CRC64NVME', whole);
        assert.deepEqual(direct, await awsCrc64Nvme(whole));
        assert.equal(result.ChecksumCRC64NVME, direct.toString('base64'));
        assert.equal(result.ChecksumType, 'FULL_OBJECT');
    });

    it('reads back the exact bytes, whole and across a part boundary', async () => {
        const record = (await h.metadata.getObject('mpu-bucket', key))!;
        const all = await readAll(await plaintext(record, 0, record.size - 1));
        assert.ok(all.equals(whole));
        const start = 5 * MiB - 3;
        const end = 10 * MiB;
        const across = await readAll(await plaintext(record, start, end));
        assert.ok(across.equals(whole.subarray(start, end + 1)));
    });

    it('carries the upload headers, metadata, tags and part sizes to the object', async () => {
        const record = (await h.metadata.getObject('mpu-bucket', key))!;
        assert.equal(record.size, whole.length);
        assert.deepEqual(record.partSizes, [5 * MiB, 5 * MiB, 1]);
        assert.equal(record.headers['content-type'], 'video/mp4');
        assert.deepEqual(record.userMetadata, { origin: 'unit-test' });
        assert.deepEqual(record.tags, [
            ['team', 'storage'],
            ['tier', 'gold'],
        ]);
        assert.equal(record.segments.length, 3);
    });

    it('removes the upload', async () => {
        assert.equal(await h.metadata.getUpload(uploadId), undefined);
    });
});

describe('COMPOSITE CRC32', () => {
    it('echoes part CRC32s and completes with the CRC32 of the part CRC32s, -N', async () => {
        const key = 'composite-crc32';
        const uploadId = await startUpload(h, key, { 'x-amz-checksum-algorithm': 'CRC32' });
        const parts = [randomBytes(5 * MiB), randomBytes(777)];
        const xmlParts = [];
        for (const [i, data] of parts.entries()) {
            const value = crc32Of(data).toString('base64');
            const response = await sendPart(h, key, uploadId, i + 1, data, {
                'x-amz-checksum-crc32': value,
            });
            assert.equal(response.headers?.['x-amz-checksum-crc32'], value);
            const ETag = response.headers!.etag as string;
            xmlParts.push({ PartNumber: i + 1, ETag, ChecksumCRC32: value });
        }
        const listed = parseXml(
            await listParts(request(h, { method: 'GET', key, query: { uploadId } })),
        );
        assert.equal(listed.ListPartsResult.ChecksumAlgorithm, 'CRC32');
        assert.equal(listed.ListPartsResult.Part[1].ChecksumCRC32, xmlParts[1]!.ChecksumCRC32);

        const response = await complete(h, key, uploadId, completeXml(xmlParts));
        const result = parseXml(response).CompleteMultipartUploadResult;
        const composite = crc32Of(Buffer.concat(parts.map(crc32Of))).toString('base64');
        assert.equal(result.ChecksumCRC32, `${composite}-2`);
        assert.equal(result.ChecksumType, 'COMPOSITE');
        const record = (await h.metadata.getObject('mpu-bucket', key))!;
        assert.deepEqual(record.checksum, {
            algorithm: 'CRC32',
            type: 'COMPOSITE',
            value: `${composite}-2`,
        });
    });
});

describe('FULL_OBJECT checksums', () => {
    it('CRC64NVME: parts sent without checksums combine into the whole-object CRC', async () => {
        const key = 'full-crc64';
        const uploadId = await startUpload(h, key, { 'x-amz-checksum-algorithm': 'CRC64NVME' });
        const parts = [randomBytes(5 * MiB + 13), randomBytes(5 * MiB), randomBytes(4096)];
        const whole = Buffer.concat(parts);
        const xmlParts = [];
        for (const [i, data] of parts.entries()) {
            const response = await sendPart(h, key, uploadId, i + 1, data);
            const echoed = response.headers?.['x-amz-checksum-crc64nvme'];
            assert.equal(echoed, digestOf('CRC64NVME', data).toString('base64'));
            xmlParts.push({ PartNumber: i + 1, ETag: response.headers!.etag as string });
        }
        const expected = digestOf('CRC64NVME', whole).toString('base64');
        const response = await complete(h, key, uploadId, completeXml(xmlParts), {
            'x-amz-checksum-crc64nvme': expected,
            'x-amz-checksum-type': 'FULL_OBJECT',
        });
        const result = parseXml(response).CompleteMultipartUploadResult;
        assert.equal(result.ChecksumCRC64NVME, expected);
        assert.equal(result.ChecksumType, 'FULL_OBJECT');
        assert.equal(result.ETag, expectedEtag(parts));
    });

    it('CRC32: a wrong whole-object header value is BadDigest, the right one passes', async () => {
        const key = 'full-crc32';
        const uploadId = await startUpload(h, key, {
            'x-amz-checksum-algorithm': 'crc32',
            'x-amz-checksum-type': 'FULL_OBJECT',
        });
        const parts = [randomBytes(5 * MiB), randomBytes(10)];
        const xmlParts = [];
        for (const [i, data] of parts.entries()) {
            const response = await sendPart(h, key, uploadId, i + 1, data, {
                'x-amz-checksum-crc32': crc32Of(data).toString('base64'),
            });
            xmlParts.push({ PartNumber: i + 1, ETag: response.headers!.etag as string });
        }
        const whole = crc32Of(Buffer.concat(parts)).toString('base64');
        const wrong = crc32Of(Buffer.from('something else')).toString('base64');
        await assert.rejects(
            complete(h, key, uploadId, completeXml(xmlParts), { 'x-amz-checksum-crc32': wrong }),
            (err: any) => err.code === 'BadDigest',
        );
        const response = await complete(h, key, uploadId, completeXml(xmlParts), {
            'x-amz-checksum-crc32': whole,
        });
        assert.equal(parseXml(response).CompleteMultipartUploadResult.ChecksumCRC32, whole);
    });

    it('an upload without an algorithm takes a part CRC32, still stores CRC64NVME', async () => {
        const key = 'no-algorithm-crc32-part';
        const uploadId = await startUpload(h, key);
        const data = randomBytes(3000);
        const value = crc32Of(data).toString('base64');
        const response = await sendPart(h, key, uploadId, 1, data, {
            'x-amz-checksum-crc32': value,
        });
        assert.equal(response.headers?.['x-amz-checksum-crc32'], value);
        const ETag = response.headers!.etag as string;
        const xml = completeXml([{ PartNumber: 1, ETag, ChecksumCRC32: value }]);
        const result = parseXml(
            await complete(h, key, uploadId, xml),
        ).CompleteMultipartUploadResult;
        assert.equal(result.ChecksumCRC64NVME, (await awsCrc64Nvme(data)).toString('base64'));
    });
});

describe('x-amz-sdk-checksum-algorithm alone', () => {
    it('on an upload without an algorithm: the part is stored, no checksum echoed', async () => {
        const key = 'sdk-algorithm-only';
        const uploadId = await startUpload(h, key);
        const data = randomBytes(64);
        const headers = { 'x-amz-sdk-checksum-algorithm': 'CRC32' };
        const response = await sendPart(h, key, uploadId, 1, data, headers);
        assert.equal(response.headers?.['x-amz-checksum-crc32'], undefined);
        const [part] = await h.metadata.listParts(uploadId);
        assert.equal(part!.checksum, (await awsCrc64Nvme(data)).toString('base64'));
    });

    it('on a CRC32C upload: the part CRC32C is computed and echoed', async () => {
        const key = 'sdk-algorithm-crc32c';
        const uploadId = await startUpload(h, key, { 'x-amz-checksum-algorithm': 'CRC32C' });
        const data = Buffer.from('123456789');
        const headers = { 'x-amz-sdk-checksum-algorithm': 'CRC32C' };
        const response = await sendPart(h, key, uploadId, 1, data, headers);
        // CRC-32C check value of "123456789" (RFC 3720 B.4 / the CRC catalogue): 0xE3069283.
        assert.equal(
            response.headers?.['x-amz-checksum-crc32c'],
            Buffer.from('e3069283', 'hex').toString('base64'),
        );
    });
});

describe('parts', () => {
    it('a re-sent part number replaces the part and deletes the old blob file', async () => {
        const key = 'replace';
        const uploadId = await startUpload(h, key);
        await sendPart(h, key, uploadId, 1, Buffer.from('first version'));
        const [first] = await h.metadata.listParts(uploadId);
        assert.ok(blobExists(h, first!.blobId));
        await sendPart(h, key, uploadId, 1, Buffer.from('second version'));
        const [second] = await h.metadata.listParts(uploadId);
        assert.notEqual(second!.blobId, first!.blobId);
        assert.equal(blobExists(h, first!.blobId), false);
        assert.ok(blobExists(h, second!.blobId));
        assert.equal(second!.etag, md5(Buffer.from('second version')).toString('hex'));
    });

    it('abort answers 204 and deletes every part blob file', async () => {
        const key = 'abort-me';
        const uploadId = await startUpload(h, key);
        for (const n of [1, 2, 3]) await sendPart(h, key, uploadId, n, randomBytes(100 * n));
        const blobIds = (await h.metadata.listParts(uploadId)).map((part) => part.blobId);
        assert.equal(blobIds.length, 3);
        assert.ok(blobIds.every((id) => blobExists(h, id)));
        const response = await abortMultipartUpload(
            request(h, { method: 'DELETE', key, query: { uploadId } }),
        );
        assert.equal(response.status, 204);
        assert.deepEqual(
            blobIds.filter((id) => blobExists(h, id)),
            [],
        );
        assert.equal(await h.metadata.getUpload(uploadId), undefined);
    });

    it('ListParts pages with max-parts and part-number-marker', async () => {
        const key = 'paging';
        const uploadId = await startUpload(h, key);
        for (const n of [1, 2, 3, 4, 5]) await sendPart(h, key, uploadId, n, randomBytes(n));
        const pages: Array<{ numbers: number[]; truncated: string; next: string }> = [];
        let marker = '0';
        for (let i = 0; i < 3; i++) {
            const query = { uploadId, 'max-parts': '2', 'part-number-marker': marker };
            const result = parseXml(
                await listParts(request(h, { method: 'GET', key, query })),
            ).ListPartsResult;
            assert.equal(result.MaxParts, '2');
            assert.equal(result.PartNumberMarker, marker);
            assert.equal(result.StorageClass, 'STANDARD');
            assert.equal(result.ChecksumAlgorithm, undefined);
            const numbers = (result.Part ?? []).map((part: any) => Number(part.PartNumber));
            pages.push({
                numbers,
                truncated: result.IsTruncated,
                next: result.NextPartNumberMarker,
            });
            marker = result.NextPartNumberMarker;
        }
        assert.deepEqual(pages, [
            { numbers: [1, 2], truncated: 'true', next: '2' },
            { numbers: [3, 4], truncated: 'true', next: '4' },
            { numbers: [5], truncated: 'false', next: '5' },
        ]);
    });

    it('ListParts shows each part size and quoted ETag', async () => {
        const key = 'list-detail';
        const uploadId = await startUpload(h, key);
        const data = randomBytes(1234);
        await sendPart(h, key, uploadId, 7, data);
        const result = parseXml(
            await listParts(request(h, { method: 'GET', key, query: { uploadId } })),
        ).ListPartsResult;
        assert.equal(result.Part.length, 1);
        assert.equal(result.Part[0].PartNumber, '7');
        assert.equal(result.Part[0].Size, '1234');
        assert.equal(result.Part[0].ETag, `"${md5(data).toString('hex')}"`);
        assert.equal(result.Initiator.ID, result.Owner.ID);
    });
});

describe('UploadPartCopy', () => {
    it('copies a byte range of an object into a part, then completes with it', async () => {
        const source = randomBytes(6 * MiB);
        await putObject(
            request(h, {
                key: 'copy-source',
                headers: { 'content-length': String(source.length) },
                body: source,
            }),
        );
        const key = 'copy-target';
        const uploadId = await startUpload(h, key, { 'x-amz-checksum-algorithm': 'SHA256' });
        const ranges: Array<[number, number]> = [
            [0, 5 * MiB - 1],
            [5 * MiB, 6 * MiB - 1],
        ];
        const xmlParts = [];
        for (const [i, [start, end]] of ranges.entries()) {
            const response = await uploadPartCopy(
                request(h, {
                    key,
                    query: { uploadId, partNumber: String(i + 1) },
                    headers: {
                        'x-amz-copy-source': '/mpu-bucket/copy-source',
                        'x-amz-copy-source-range': `bytes=${start}-${end}`,
                    },
                }),
            );
            const result = parseXml(response).CopyPartResult;
            const bytes = source.subarray(start, end + 1);
            assert.equal(result.ETag, `"${md5(bytes).toString('hex')}"`);
            const sha = createHash('sha256').update(bytes).digest('base64');
            assert.equal(result.ChecksumSHA256, sha);
            assert.match(result.LastModified, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
            xmlParts.push({ PartNumber: i + 1, ETag: result.ETag, ChecksumSHA256: sha });
        }
        await complete(h, key, uploadId, completeXml(xmlParts));
        const record = (await h.metadata.getObject('mpu-bucket', key))!;
        const copied = await readAll(await plaintext(record, 0, record.size - 1));
        assert.ok(copied.equals(source));
        assert.equal(record.checksum?.type, 'COMPOSITE');
    });
});

describe('upload ids', () => {
    it('are 33 URL-safe characters that sort by creation time and never start with -', () => {
        const times = [0, 1, 255, 256, 1_700_000_000_000, 1_700_000_000_001, 2 ** 48 - 1];
        const ids = times.map((t) => newUploadId(t, randomBytes(18)));
        for (const id of ids) assert.match(id, /^[A-Za-z0-9][A-Za-z0-9_-]{32}$/);
        assert.deepEqual([...ids].sort(), ids);
        const sameTime = [
            newUploadId(5, Buffer.alloc(18, 0)),
            newUploadId(5, Buffer.alloc(18, 255)),
        ];
        assert.ok(sameTime[0]! < sameTime[1]!);
        assert.notEqual(newUploadId(), newUploadId());
    });
});
