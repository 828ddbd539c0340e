import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import {
    abortMultipartUpload,
    createMultipartUpload,
    listParts,
    uploadPartCopy,
} from '../../src/s3/multipart.js';
import { putObject } from '../../src/s3/objects.js';
import {
    MiB,
    complete,
    completeXml,
    openHarness,
    request,
    s3Error,
    sendPart,
    startUpload,
    type Harness,
} from './multipart-harness.js';

const md5Hex = (data: Buffer) => createHash('md5').update(data).digest('hex');

function crc32Base64(data: Buffer): string {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(crc32(data), 0);
    return out.toString('base64');
}

let h: Harness;
before(async () => {
    h = await openHarness();
});
after(() => h.close());

describe('CreateMultipartUpload checksum settings', () => {
    const create = (headers: Record<string, string>) =>
        createMultipartUpload(
            request(h, { method: 'POST', key: 'k', query: { uploads: '' }, headers }),
        );

    it('answers the algorithm and its default type in headers', async () => {
        const cases: Array<[string, string]> = [
            ['CRC32', 'COMPOSITE'],
            ['crc32c', 'COMPOSITE'],
            ['SHA1', 'COMPOSITE'],
            ['SHA256', 'COMPOSITE'],
            ['CRC64NVME', 'FULL_OBJECT'],
        ];
        for (const [algorithm, type] of cases) {
            const response = await create({ 'x-amz-checksum-algorithm': algorithm });
            assert.equal(response.headers?.['x-amz-checksum-algorithm'], algorithm.toUpperCase());
            assert.equal(response.headers?.['x-amz-checksum-type'], type, algorithm);
        }
        const plain = await create({});
        assert.equal(plain.headers?.['x-amz-checksum-algorithm'], undefined);
    });

    it('refuses impossible combinations with AWS messages', async () => {
        const cases: Array<[Record<string, string>, string]> = [
            [
                { 'x-amz-checksum-algorithm': 'SHA256', 'x-amz-checksum-type': 'FULL_OBJECT' },
                'The FULL_OBJECT checksum type cannot be used with the sha256 checksum algorithm.',
            ],
            [
                { 'x-amz-checksum-algorithm': 'CRC64NVME', 'x-amz-checksum-type': 'COMPOSITE' },
                'The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.',
            ],
            [
                { 'x-amz-checksum-type': 'COMPOSITE' },
                'The x-amz-checksum-type header can only be used with the ' +
                    'x-amz-checksum-algorithm header.',
            ],
            [
                { 'x-amz-checksum-algorithm': 'CRC32', 'x-amz-checksum-type': 'PARTIAL' },
                'Value for x-amz-checksum-type header is invalid.',
            ],
        ];
        for (const [headers, message] of cases) {
            await assert.rejects(create(headers), s3Error('InvalidRequest', {}, message));
        }
    });

    it('refuses ACL grants as a BucketOwnerEnforced bucket does', async () => {
        await assert.rejects(
            create({ 'x-amz-acl': 'public-read' }),
            s3Error('AccessControlListNotSupported'),
        );
    });
});

describe('UploadPart refusals', () => {
    it('part numbers outside 1..10000 are InvalidArgument', async () => {
        const uploadId = await startUpload(h, 'numbers');
        for (const bad of ['0', '10001', 'abc', '-1', '1.5']) {
            await assert.rejects(
                sendPart(h, 'numbers', uploadId, bad, Buffer.from('x')),
                s3Error(
                    'InvalidArgument',
                    { ArgumentName: 'partNumber' },
                    'Part number must be an integer between 1 and 10000, inclusive',
                ),
            );
        }
        await sendPart(h, 'numbers', uploadId, 10000, Buffer.from('x'));
    });

    it('an unknown upload id, or one for another key, is NoSuchUpload', async () => {
        const uploadId = await startUpload(h, 'owner-key');
        await assert.rejects(
            sendPart(h, 'owner-key', 'no-such-upload', 1, Buffer.from('x')),
            s3Error('NoSuchUpload', { UploadId: 'no-such-upload' }),
        );
        await assert.rejects(
            sendPart(h, 'other-key', uploadId, 1, Buffer.from('x')),
            s3Error('NoSuchUpload'),
        );
        const query = { uploadId };
        await assert.rejects(
            listParts(request(h, { method: 'GET', key: 'other-key', query })),
            s3Error('NoSuchUpload'),
        );
        await assert.rejects(
            abortMultipartUpload(request(h, { method: 'DELETE', key: 'other-key', query })),
            s3Error('NoSuchUpload'),
        );
        await assert.rejects(
            complete(h, 'other-key', uploadId, completeXml([{ PartNumber: 1, ETag: 'x' }])),
            s3Error('NoSuchUpload'),
        );
        assert.ok(await h.metadata.getUpload(uploadId), 'the real upload is untouched');
    });

    it('a checksum of another algorithm than the upload’s is a type mismatch', async () => {
        const uploadId = await startUpload(h, 'mismatch', { 'x-amz-checksum-algorithm': 'CRC32' });
        const data = Buffer.from('hello');
        const crc32c = 'mnG7TA=='; // any well-formed 4-byte value: the algorithm is refused first
        await assert.rejects(
            sendPart(h, 'mismatch', uploadId, 1, data, { 'x-amz-checksum-crc32c': crc32c }),
            s3Error(
                'InvalidRequest',
                {},
                'Checksum Type mismatch occurred, expected checksum Type: crc32, actual ' +
                    'checksum Type: crc32c',
            ),
        );
        await assert.rejects(
            sendPart(h, 'mismatch', uploadId, 1, data),
            s3Error(
                'InvalidRequest',
                {},
                'Checksum Type mismatch occurred, expected checksum Type: crc32, actual ' +
                    'checksum Type: null',
            ),
        );
        assert.deepEqual(await h.metadata.listParts(uploadId), []);
    });

    it('a wrong part checksum is BadDigest and stores nothing', async () => {
        const uploadId = await startUpload(h, 'bad-crc', { 'x-amz-checksum-algorithm': 'CRC32' });
        const data = Buffer.from('payload');
        await assert.rejects(
            sendPart(h, 'bad-crc', uploadId, 1, data, {
                'x-amz-checksum-crc32': crc32Base64(Buffer.from('other')),
            }),
            s3Error('BadDigest'),
        );
        assert.deepEqual(await h.metadata.listParts(uploadId), []);
    });
});

describe('CompleteMultipartUpload refusals', () => {
    const key = 'complete-errors';
    let uploadId: string;
    let etags: string[];

    before(async () => {
        uploadId = await startUpload(h, key);
        const parts = [randomBytes(5 * MiB), Buffer.from('tiny'), Buffer.from('end')];
        etags = [];
        for (const [i, data] of parts.entries()) {
            const response = await sendPart(h, key, uploadId, i + 1, data);
            etags.push(response.headers!.etag as string);
        }
    });

    const attempt = (body: string) => complete(h, key, uploadId, body);

    it('parts out of order are InvalidPartOrder', async () => {
        const xml = completeXml([
            { PartNumber: 2, ETag: etags[1]! },
            { PartNumber: 1, ETag: etags[0]! },
        ]);
        await assert.rejects(attempt(xml), s3Error('InvalidPartOrder'));
        const repeated = completeXml([
            { PartNumber: 1, ETag: etags[0]! },
            { PartNumber: 1, ETag: etags[0]! },
        ]);
        await assert.rejects(attempt(repeated), s3Error('InvalidPartOrder'));
    });

    it('a wrong ETag or a part never uploaded is InvalidPart', async () => {
        const wrong = completeXml([{ PartNumber: 1, ETag: `"${md5Hex(Buffer.from('x'))}"` }]);
        await assert.rejects(attempt(wrong), s3Error('InvalidPart', { PartNumber: 1 }));
        const missing = completeXml([
            { PartNumber: 1, ETag: etags[0]! },
            { PartNumber: 4, ETag: etags[2]! },
        ]);
        await assert.rejects(attempt(missing), s3Error('InvalidPart', { PartNumber: 4 }));
    });

    it('a part under 5 MiB that is not the last is EntityTooSmall', async () => {
        const xml = completeXml(etags.map((ETag, i) => ({ PartNumber: i + 1, ETag })));
        await assert.rejects(
            attempt(xml),
            s3Error('EntityTooSmall', {
                ProposedSize: 4,
                MinSizeAllowed: 5 * MiB,
                PartNumber: 2,
                ETag: md5Hex(Buffer.from('tiny')),
            }),
        );
    });

    it('garbage, an empty body, no parts, or an oversized body are MalformedXML', async () => {
        const bodies = [
            '<CompleteMultipartUpload><Part>',
            'not xml at all',
            '',
            '<CompleteMultipartUpload></CompleteMultipartUpload>',
            '<CompleteMultipartUpload><Part><ETag>x</ETag></Part></CompleteMultipartUpload>',
            '<Other><Part><PartNumber>1</PartNumber></Part></Other>',
            completeXml([{ PartNumber: 1, ETag: etags[0]! }]).replace(
                '</CompleteMultipartUpload>',
                `<!--${'x'.repeat(1024 * 1024)}--></CompleteMultipartUpload>`,
            ),
        ];
        for (const body of bodies) await assert.rejects(attempt(body), s3Error('MalformedXML'));
    });

    it('a body that does not match its Content-MD5 is BadDigest', async () => {
        const xml = completeXml([{ PartNumber: 3, ETag: etags[2]! }]);
        const otherMd5 = createHash('md5').update(`${xml} `).digest('base64');
        await assert.rejects(
            complete(h, key, uploadId, xml, { 'content-md5': otherMd5 }),
            s3Error('BadDigest'),
        );
    });

    it('leaves the upload intact after every refusal; unquoted ETags are accepted', async () => {
        assert.equal((await h.metadata.listParts(uploadId)).length, 3);
        const xml = completeXml([
            { PartNumber: 1, ETag: etags[0]!.replace(/"/g, '') },
            { PartNumber: 3, ETag: etags[2]! },
        ]);
        await attempt(xml);
        const record = (await h.metadata.getObject('mpu-bucket', key))!;
        assert.deepEqual(record.partSizes, [5 * MiB, 3]);
    });
});

describe('CompleteMultipartUpload part checksums', () => {
    it('COMPOSITE needs every part checksum, and each must match', async () => {
        const key = 'composite-checks';
        const uploadId = await startUpload(h, key, { 'x-amz-checksum-algorithm': 'CRC32' });
        const data = Buffer.from('only part');
        const value = crc32Base64(data);
        const response = await sendPart(h, key, uploadId, 1, data, {
            'x-amz-checksum-crc32': value,
        });
        const ETag = response.headers!.etag as string;
        await assert.rejects(
            complete(h, key, uploadId, completeXml([{ PartNumber: 1, ETag }])),
            s3Error(
                'InvalidRequest',
                {},
                'The upload was created using a crc32 checksum. The complete request must ' +
                    'include the checksum for each part. It was missing for part 1 in the request.',
            ),
        );
        const wrong = crc32Base64(Buffer.from('not it'));
        await assert.rejects(
            complete(
                h,
                key,
                uploadId,
                completeXml([{ PartNumber: 1, ETag, ChecksumCRC32: wrong }]),
            ),
            s3Error('InvalidPart'),
        );
        await complete(
            h,
            key,
            uploadId,
            completeXml([{ PartNumber: 1, ETag, ChecksumCRC32: value }]),
        );
    });

    it('If-None-Match: * refuses to overwrite and keeps the upload', async () => {
        const key = 'exists-already';
        const body = Buffer.from('old');
        await putObject(request(h, { key, headers: { 'content-length': '3' }, body }));
        const uploadId = await startUpload(h, key);
        const response = await sendPart(h, key, uploadId, 1, Buffer.from('new'));
        const xml = completeXml([{ PartNumber: 1, ETag: response.headers!.etag as string }]);
        await assert.rejects(
            complete(h, key, uploadId, xml, { 'if-none-match': '*' }),
            s3Error('PreconditionFailed'),
        );
        assert.ok(await h.metadata.getUpload(uploadId));
        assert.equal((await h.metadata.getObject('mpu-bucket', key))!.etag, md5Hex(body));
    });
});

describe('UploadPartCopy ranges', () => {
    it('refuses ranges outside the source and malformed ranges', async () => {
        const source = randomBytes(100);
        await putObject(
            request(h, { key: 'small-source', headers: { 'content-length': '100' }, body: source }),
        );
        const uploadId = await startUpload(h, 'range-target');
        const copy = (range: string) =>
            uploadPartCopy(
                request(h, {
                    key: 'range-target',
                    query: { uploadId, partNumber: '1' },
                    headers: {
                        'x-amz-copy-source': 'mpu-bucket/small-source',
                        'x-amz-copy-source-range': range,
                    },
                }),
            );
        await assert.rejects(
            copy('bytes=0-100'),
            s3Error(
                'InvalidArgument',
                {},
                'Range specified is not valid for source object of size: 100',
            ),
        );
        for (const malformed of ['bytes=5-', 'bytes=-5', '0-5', 'bytes=9-3', 'bytes=0-1,3-4']) {
            await assert.rejects(
                copy(malformed),
                s3Error('InvalidArgument', { ArgumentName: 'x-amz-copy-source-range' }),
            );
        }
        await copy('bytes=99-99');
        const [part] = await h.metadata.listParts(uploadId);
        assert.equal(part!.size, 1);
        assert.equal(part!.etag, md5Hex(source.subarray(99)));
    });
});
