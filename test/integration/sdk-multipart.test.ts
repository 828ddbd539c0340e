/**
 * Multipart uploads through the AWS SDK v3 and @aws-sdk/lib-storage, against a real Coffer
 * process: ETags, COMPOSITE and FULL_OBJECT checksums, part copies, and AWS's refusals.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
    AbortMultipartUploadCommand,
    CompleteMultipartUploadCommand,
    CreateBucketCommand,
    CreateMultipartUploadCommand,
    GetObjectCommand,
    HeadObjectCommand,
    ListMultipartUploadsCommand,
    ListPartsCommand,
    PutObjectCommand,
    UploadPartCommand,
    UploadPartCopyCommand,
    type CompletedPart,
    type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { checksumBase64, compositeBase64, md5Hex, sha256Hex } from '../helpers/checksums.js';
import { rejectsWithS3, serverFailures } from '../helpers/expect.js';
import { removeDataDir, s3Client, startServer, type RunningServer } from '../helpers/server.js';

let server: RunningServer;
let s3: S3Client;
const BUCKET = 'multipart-bucket';
const MiB = 1024 * 1024;

before(async () => {
    server = await startServer();
    s3 = s3Client(server);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

after(async () => {
    s3?.destroy();
    await server?.stop();
    if (server) removeDataDir(server);
});

/** S3's multipart ETag, computed here from the part bytes. */
function multipartEtag(parts: Buffer[]): string {
    const md5 = createHash('md5');
    for (const part of parts) md5.update(createHash('md5').update(part).digest());
    return `"${md5.digest('hex')}-${parts.length}"`;
}

async function readAll(key: string): Promise<Buffer> {
    const res = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return Buffer.from(await res.Body!.transformToByteArray());
}

async function createUpload(key: string, extra: Record<string, unknown> = {}): Promise<string> {
    const res = await s3.send(
        new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ...extra }),
    );
    assert.ok(res.UploadId);
    return res.UploadId;
}

async function uploadPart(key: string, uploadId: string, partNumber: number, body: Buffer) {
    const res = await s3.send(
        new UploadPartCommand({
            Bucket: BUCKET,
            Key: key,
            UploadId: uploadId,
            PartNumber: partNumber,
            Body: body,
        }),
    );
    assert.equal(res.ETag, `"${md5Hex(body)}"`, `ETag of part ${partNumber}`);
    return { PartNumber: partNumber, ETag: res.ETag } satisfies CompletedPart;
}

const complete = (key: string, uploadId: string, parts: CompletedPart[]) =>
    s3.send(
        new CompleteMultipartUploadCommand({
            Bucket: BUCKET,
            Key: key,
            UploadId: uploadId,
            MultipartUpload: { Parts: parts },
        }),
    );

test('lib-storage Upload of 40 MiB in 8 MiB parts reads back identical', async () => {
    const body = randomBytes(40 * MiB);
    const upload = new Upload({
        client: s3,
        params: { Bucket: BUCKET, Key: 'big/forty.bin', Body: body },
        partSize: 8 * MiB,
        queueSize: 2,
    });
    const done = await upload.done();
    const parts = Array.from({ length: 5 }, (_, i) =>
        body.subarray(i * 8 * MiB, (i + 1) * 8 * MiB),
    );
    assert.equal(done.ETag, multipartEtag(parts));
    assert.match(done.ETag ?? '', /-5"$/);
    assert.equal(sha256Hex(await readAll('big/forty.bin')), sha256Hex(body));
    const head = await s3.send(
        new HeadObjectCommand({ Bucket: BUCKET, Key: 'big/forty.bin', ChecksumMode: 'ENABLED' }),
    );
    assert.equal(head.ContentLength, 40 * MiB);
    assert.equal(head.ETag, done.ETag);
    // lib-storage (this pinned version) uploads with the SDK's default CRC32, per part.
    assert.equal(head.ChecksumCRC32, await compositeBase64('CRC32', parts));
    assert.equal(head.ChecksumType, 'COMPOSITE');

    // Reads that cross part boundaries, and reads of one part.
    const start = 16 * MiB - 100;
    const ranged = await s3.send(
        new GetObjectCommand({
            Bucket: BUCKET,
            Key: 'big/forty.bin',
            Range: `bytes=${start}-${start + 8 * MiB + 199}`,
        }),
    );
    assert.equal(ranged.$metadata.httpStatusCode, 206);
    const rangedBytes = Buffer.from(await ranged.Body!.transformToByteArray());
    assert.ok(
        rangedBytes.equals(body.subarray(start, start + 8 * MiB + 200)),
        'range over 3 parts',
    );
    const third = await s3.send(
        new GetObjectCommand({ Bucket: BUCKET, Key: 'big/forty.bin', PartNumber: 3 }),
    );
    assert.equal(third.$metadata.httpStatusCode, 206);
    assert.equal(third.PartsCount, 5);
    assert.equal(third.ContentRange, `bytes ${16 * MiB}-${24 * MiB - 1}/${40 * MiB}`);
    const thirdBytes = Buffer.from(await third.Body!.transformToByteArray());
    assert.ok(thirdBytes.equals(parts[2]!), 'part 3');
    await rejectsWithS3(
        s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'big/forty.bin', PartNumber: 6 })),
        'InvalidPartNumber',
        416,
    );
});

describe('explicit uploads with checksums', () => {
    const part1 = randomBytes(5 * MiB);
    const part2 = randomBytes(MiB + 123);

    test('CRC32 COMPOSITE: parts, ListParts, ListMultipartUploads, Complete, Head', async () => {
        const key = 'sums/composite.bin';
        const uploadId = await createUpload(key, {
            ChecksumAlgorithm: 'CRC32',
            ChecksumType: 'COMPOSITE',
        });
        const parts: CompletedPart[] = [];
        for (const [index, body] of [part1, part2].entries()) {
            const res = await s3.send(
                new UploadPartCommand({
                    Bucket: BUCKET,
                    Key: key,
                    UploadId: uploadId,
                    PartNumber: index + 1,
                    Body: body,
                    ChecksumAlgorithm: 'CRC32',
                }),
            );
            assert.equal(res.ChecksumCRC32, await checksumBase64('CRC32', body));
            parts.push({ PartNumber: index + 1, ETag: res.ETag, ChecksumCRC32: res.ChecksumCRC32 });
        }
        const listed = await s3.send(
            new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }),
        );
        assert.deepEqual(
            listed.Parts?.map((p) => [p.PartNumber, p.Size, p.ETag, p.ChecksumCRC32]),
            parts.map((p, i) => [p.PartNumber, [part1, part2][i]!.length, p.ETag, p.ChecksumCRC32]),
        );
        const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
        const mine = uploads.Uploads?.find((u) => u.UploadId === uploadId);
        assert.equal(mine?.Key, key);

        const expected = await compositeBase64('CRC32', [part1, part2]);
        const done = await complete(key, uploadId, parts);
        assert.equal(done.ETag, multipartEtag([part1, part2]));
        assert.equal(done.ChecksumCRC32, expected);
        assert.equal(done.ChecksumType, 'COMPOSITE');
        const head = await s3.send(
            new HeadObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }),
        );
        assert.equal(head.ChecksumCRC32, expected);
        assert.equal(head.ChecksumType, 'COMPOSITE');
        assert.deepEqual(await readAll(key), Buffer.concat([part1, part2]));
        const after = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
        assert.ok(!after.Uploads?.some((u) => u.UploadId === uploadId), 'completed upload is gone');
    });

    test('CRC64NVME FULL_OBJECT: the object checksum is the CRC of the whole body', async () => {
        const key = 'sums/full.bin';
        const whole = Buffer.concat([part1, part2]);
        const uploadId = await createUpload(key, {
            ChecksumAlgorithm: 'CRC64NVME',
            ChecksumType: 'FULL_OBJECT',
        });
        const parts: CompletedPart[] = [];
        for (const [index, body] of [part1, part2].entries()) {
            const res = await s3.send(
                new UploadPartCommand({
                    Bucket: BUCKET,
                    Key: key,
                    UploadId: uploadId,
                    PartNumber: index + 1,
                    Body: body,
                    ChecksumAlgorithm: 'CRC64NVME',
                }),
            );
            assert.equal(res.ChecksumCRC64NVME, await checksumBase64('CRC64NVME', body));
            parts.push({
                PartNumber: index + 1,
                ETag: res.ETag,
                ChecksumCRC64NVME: res.ChecksumCRC64NVME,
            });
        }
        const expected = await checksumBase64('CRC64NVME', whole);
        const done = await s3.send(
            new CompleteMultipartUploadCommand({
                Bucket: BUCKET,
                Key: key,
                UploadId: uploadId,
                MultipartUpload: { Parts: parts },
                ChecksumType: 'FULL_OBJECT',
                ChecksumCRC64NVME: expected,
            }),
        );
        assert.equal(done.ChecksumCRC64NVME, expected);
        assert.equal(done.ChecksumType, 'FULL_OBJECT');
        const head = await s3.send(
            new HeadObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }),
        );
        assert.equal(head.ChecksumCRC64NVME, expected);
        assert.equal(head.ChecksumType, 'FULL_OBJECT');
        const get = await s3.send(
            new GetObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }),
        );
        assert.equal(
            sha256Hex(Buffer.from(await get.Body!.transformToByteArray())),
            sha256Hex(whole),
        );
    });
});

test('UploadPartCopy with CopySourceRange assembles ranges of another object', async () => {
    const source = randomBytes(6 * MiB + 500);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'copy/source', Body: source }));
    const key = 'copy/assembled';
    const uploadId = await createUpload(key);
    const ranges: Array<[number, number]> = [
        [MiB, 6 * MiB - 1],
        [0, 999],
    ];
    const parts: CompletedPart[] = [];
    for (const [index, [start, end]] of ranges.entries()) {
        const res = await s3.send(
            new UploadPartCopyCommand({
                Bucket: BUCKET,
                Key: key,
                UploadId: uploadId,
                PartNumber: index + 1,
                CopySource: `${BUCKET}/copy/source`,
                CopySourceRange: `bytes=${start}-${end}`,
            }),
        );
        assert.equal(res.CopyPartResult?.ETag, `"${md5Hex(source.subarray(start, end + 1))}"`);
        parts.push({ PartNumber: index + 1, ETag: res.CopyPartResult!.ETag });
    }
    await complete(key, uploadId, parts);
    const expected = Buffer.concat(ranges.map(([start, end]) => source.subarray(start, end + 1)));
    assert.deepEqual(await readAll(key), expected);
});

test('ListParts and ListMultipartUploads page and group', async () => {
    const uploadId = await createUpload('paging/parts');
    for (const n of [1, 2, 3])
        await uploadPart('paging/parts', uploadId, n, Buffer.from(`part ${n}`));
    const first = await s3.send(
        new ListPartsCommand({
            Bucket: BUCKET,
            Key: 'paging/parts',
            UploadId: uploadId,
            MaxParts: 2,
        }),
    );
    assert.deepEqual(
        first.Parts?.map((p) => p.PartNumber),
        [1, 2],
    );
    assert.equal(first.IsTruncated, true);
    const rest = await s3.send(
        new ListPartsCommand({
            Bucket: BUCKET,
            Key: 'paging/parts',
            UploadId: uploadId,
            PartNumberMarker: first.NextPartNumberMarker,
        }),
    );
    assert.deepEqual(
        rest.Parts?.map((p) => p.PartNumber),
        [3],
    );
    assert.equal(rest.IsTruncated, false);

    for (const key of ['paging/a/1', 'paging/a/2', 'paging/b/1']) await createUpload(key);
    const grouped = await s3.send(
        new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: 'paging/', Delimiter: '/' }),
    );
    assert.deepEqual(
        grouped.Uploads?.map((u) => u.Key),
        ['paging/parts'],
    );
    assert.deepEqual(
        grouped.CommonPrefixes?.map((p) => p.Prefix),
        ['paging/a/', 'paging/b/'],
    );
    const paged = await s3.send(
        new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: 'paging/a/', MaxUploads: 1 }),
    );
    assert.deepEqual(
        paged.Uploads?.map((u) => u.Key),
        ['paging/a/1'],
    );
    assert.equal(paged.IsTruncated, true);
    const next = await s3.send(
        new ListMultipartUploadsCommand({
            Bucket: BUCKET,
            Prefix: 'paging/a/',
            KeyMarker: paged.NextKeyMarker,
            UploadIdMarker: paged.NextUploadIdMarker,
        }),
    );
    assert.deepEqual(
        next.Uploads?.map((u) => u.Key),
        ['paging/a/2'],
    );
});

describe('refusals', () => {
    const small = randomBytes(1024);

    test('AbortMultipartUpload, then the upload is NoSuchUpload', async () => {
        const key = 'refuse/aborted';
        const uploadId = await createUpload(key);
        await uploadPart(key, uploadId, 1, small);
        const aborted = await s3.send(
            new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }),
        );
        assert.equal(aborted.$metadata.httpStatusCode, 204);
        await rejectsWithS3(
            s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId })),
            'NoSuchUpload',
            404,
        );
        await rejectsWithS3(
            s3.send(
                new UploadPartCommand({
                    Bucket: BUCKET,
                    Key: key,
                    UploadId: uploadId,
                    PartNumber: 2,
                    Body: small,
                }),
            ),
            'NoSuchUpload',
            404,
        );
        await rejectsWithS3(
            complete(key, uploadId, [{ PartNumber: 1, ETag: `"${md5Hex(small)}"` }]),
            'NoSuchUpload',
            404,
        );
    });

    test('a part other than the last under 5 MiB is EntityTooSmall', async () => {
        const key = 'refuse/small';
        const uploadId = await createUpload(key);
        const parts = [
            await uploadPart(key, uploadId, 1, small),
            await uploadPart(key, uploadId, 2, small),
        ];
        await rejectsWithS3(complete(key, uploadId, parts), 'EntityTooSmall', 400);
        // A refused Complete leaves the upload open: the last part alone is fine.
        const done = await complete(key, uploadId, [parts[1]!]);
        assert.equal(done.ETag, multipartEtag([small]));
    });

    test('parts listed out of order are InvalidPartOrder', async () => {
        const key = 'refuse/order';
        const uploadId = await createUpload(key);
        const parts = [
            await uploadPart(key, uploadId, 1, small),
            await uploadPart(key, uploadId, 2, small),
        ];
        await rejectsWithS3(
            complete(key, uploadId, [parts[1]!, parts[0]!]),
            'InvalidPartOrder',
            400,
        );
    });

    test('an unknown part or a wrong ETag is InvalidPart', async () => {
        const key = 'refuse/part';
        const uploadId = await createUpload(key);
        const part = await uploadPart(key, uploadId, 1, small);
        await rejectsWithS3(
            complete(key, uploadId, [
                { PartNumber: 1, ETag: '"00000000000000000000000000000000"' },
            ]),
            'InvalidPart',
            400,
        );
        await rejectsWithS3(
            complete(key, uploadId, [{ PartNumber: 7, ETag: part.ETag }]),
            'InvalidPart',
            400,
        );
        await rejectsWithS3(
            s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })),
            'NotFound',
            404,
        );
    });
});

test('no request failed on the server side (5xx)', () => {
    assert.deepEqual(serverFailures(server.logs), []);
});
