/**
 * CopyObject, object tagging and additional checksums through the AWS SDK v3 (default checksum
 * behaviour), against a real Coffer process. Expected checksums come from independent code.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
    CopyObjectCommand,
    CreateBucketCommand,
    DeleteObjectTaggingCommand,
    GetObjectCommand,
    GetObjectTaggingCommand,
    HeadObjectCommand,
    PutObjectCommand,
    PutObjectTaggingCommand,
    type S3Client,
    type Tag,
} from '@aws-sdk/client-s3';
import { ALGORITHMS, checksumBase64, md5Hex, type Algorithm } from '../helpers/checksums.js';
import { rejectsWithS3, serverFailures } from '../helpers/expect.js';
import { removeDataDir, s3Client, startServer, type RunningServer } from '../helpers/server.js';
import { errorCode, sendSigned } from '../helpers/signing.js';

let server: RunningServer;
let s3: S3Client;
const BUCKET = 'copy-bucket';

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

async function readBytes(key: string): Promise<Buffer> {
    const res = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return Buffer.from(await res.Body!.transformToByteArray());
}

const byKey = (tags: Tag[] | undefined) =>
    [...(tags ?? [])].sort((a, b) => (a.Key! < b.Key! ? -1 : 1));

describe('CopyObject', () => {
    const source = randomBytes(4096);
    let sourceEtag: string;

    before(async () => {
        const put = await s3.send(
            new PutObjectCommand({
                Bucket: BUCKET,
                Key: 'copy/src',
                Body: source,
                ContentType: 'text/x-source',
                Metadata: { origin: 'source' },
                Tagging: 'stage=raw',
            }),
        );
        sourceEtag = put.ETag!;
    });

    test('COPY keeps the bytes, headers, metadata and tags of the source', async () => {
        const res = await s3.send(
            new CopyObjectCommand({
                Bucket: BUCKET,
                Key: 'copy/dst',
                CopySource: `${BUCKET}/copy/src`,
            }),
        );
        assert.equal(res.CopyObjectResult?.ETag, `"${md5Hex(source)}"`);
        assert.equal(res.CopyObjectResult?.ETag, sourceEtag);
        assert.deepEqual(await readBytes('copy/dst'), source);
        const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'copy/dst' }));
        assert.equal(head.ContentType, 'text/x-source');
        assert.deepEqual(head.Metadata, { origin: 'source' });
        const tags = await s3.send(
            new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'copy/dst' }),
        );
        assert.deepEqual(tags.TagSet, [{ Key: 'stage', Value: 'raw' }]);
    });

    test('REPLACE takes the headers and metadata of the request', async () => {
        await s3.send(
            new CopyObjectCommand({
                Bucket: BUCKET,
                Key: 'copy/replaced',
                CopySource: `${BUCKET}/copy/src`,
                MetadataDirective: 'REPLACE',
                ContentType: 'application/x-new',
                Metadata: { fresh: 'yes' },
            }),
        );
        const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'copy/replaced' }));
        assert.equal(head.ContentType, 'application/x-new');
        assert.deepEqual(head.Metadata, { fresh: 'yes' });
        assert.deepEqual(await readBytes('copy/replaced'), source);
    });

    test('TaggingDirective REPLACE takes the tags of the request', async () => {
        await s3.send(
            new CopyObjectCommand({
                Bucket: BUCKET,
                Key: 'copy/retagged',
                CopySource: `${BUCKET}/copy/src`,
                TaggingDirective: 'REPLACE',
                Tagging: 'stage=cooked',
            }),
        );
        const tags = await s3.send(
            new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'copy/retagged' }),
        );
        assert.deepEqual(tags.TagSet, [{ Key: 'stage', Value: 'cooked' }]);
    });

    test('copy-source conditions that fail are 412', async () => {
        const copy = (conditions: Partial<ConstructorParameters<typeof CopyObjectCommand>[0]>) =>
            s3.send(
                new CopyObjectCommand({
                    Bucket: BUCKET,
                    Key: 'copy/conditional',
                    CopySource: `${BUCKET}/copy/src`,
                    ...conditions,
                }),
            );
        await rejectsWithS3(
            copy({ CopySourceIfMatch: '"00000000000000000000000000000000"' }),
            'PreconditionFailed',
            412,
        );
        await rejectsWithS3(copy({ CopySourceIfNoneMatch: sourceEtag }), 'PreconditionFailed', 412);
        await rejectsWithS3(
            s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'copy/conditional' })),
            'NotFound',
            404,
        );
        const ok = await copy({ CopySourceIfMatch: sourceEtag });
        assert.equal(ok.CopyObjectResult?.ETag, sourceEtag);
    });

    test('a copy onto itself needs REPLACE', async () => {
        await rejectsWithS3(
            s3.send(
                new CopyObjectCommand({
                    Bucket: BUCKET,
                    Key: 'copy/src',
                    CopySource: `${BUCKET}/copy/src`,
                }),
            ),
            'InvalidRequest',
            400,
        );
        await s3.send(
            new CopyObjectCommand({
                Bucket: BUCKET,
                Key: 'copy/src',
                CopySource: `${BUCKET}/copy/src`,
                MetadataDirective: 'REPLACE',
                Metadata: { origin: 'rewritten' },
            }),
        );
        const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'copy/src' }));
        assert.deepEqual(head.Metadata, { origin: 'rewritten' });
        assert.deepEqual(await readBytes('copy/src'), source);
    });

    test('a missing source is NoSuchKey', async () => {
        await rejectsWithS3(
            s3.send(
                new CopyObjectCommand({
                    Bucket: BUCKET,
                    Key: 'copy/x',
                    CopySource: `${BUCKET}/copy/none`,
                }),
            ),
            'NoSuchKey',
            404,
        );
    });
});

describe('tagging', () => {
    test('x-amz-tagging on PUT stores the tags; GetObject counts them', async () => {
        await s3.send(
            new PutObjectCommand({
                Bucket: BUCKET,
                Key: 'tagged',
                Body: 'x',
                Tagging: 'project=coffer&note=two%20words',
            }),
        );
        const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'tagged' }));
        assert.deepEqual(byKey(tags.TagSet), [
            { Key: 'note', Value: 'two words' },
            { Key: 'project', Value: 'coffer' },
        ]);
        const get = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'tagged' }));
        await get.Body!.transformToByteArray();
        assert.equal(get.TagCount, 2);
    });

    test('PutObjectTagging replaces the set and DeleteObjectTagging empties it', async () => {
        const put = await s3.send(
            new PutObjectTaggingCommand({
                Bucket: BUCKET,
                Key: 'tagged',
                Tagging: { TagSet: [{ Key: 'only', Value: 'one' }] },
            }),
        );
        assert.equal(put.$metadata.httpStatusCode, 200);
        const replaced = await s3.send(
            new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'tagged' }),
        );
        assert.deepEqual(replaced.TagSet, [{ Key: 'only', Value: 'one' }]);
        const deleted = await s3.send(
            new DeleteObjectTaggingCommand({ Bucket: BUCKET, Key: 'tagged' }),
        );
        assert.equal(deleted.$metadata.httpStatusCode, 204);
        const empty = await s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'tagged' }));
        assert.deepEqual(empty.TagSet ?? [], []);
    });

    test('duplicate tag keys are InvalidTag; tagging a missing key is NoSuchKey', async () => {
        await rejectsWithS3(
            s3.send(
                new PutObjectTaggingCommand({
                    Bucket: BUCKET,
                    Key: 'tagged',
                    Tagging: {
                        TagSet: [
                            { Key: 'a', Value: '1' },
                            { Key: 'a', Value: '2' },
                        ],
                    },
                }),
            ),
            'InvalidTag',
            400,
        );
        await rejectsWithS3(
            s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'no-such-object' })),
            'NoSuchKey',
            404,
        );
        await rejectsWithS3(
            s3.send(
                new DeleteObjectTaggingCommand({ Bucket: BUCKET, Key: 'tagged', VersionId: 'v2' }),
            ),
            'NoSuchVersion',
            404,
        );
    });
});

describe('additional checksums', () => {
    const body = randomBytes(70_000);
    const field = (algorithm: Algorithm) => `Checksum${algorithm}` as const;

    for (const algorithm of ALGORITHMS) {
        test(`${algorithm}: Put, Get and HeadObject agree on the checksum`, async () => {
            const expected = await checksumBase64(algorithm, body);
            const key = `sum/${algorithm}`;
            const put = await s3.send(
                new PutObjectCommand({
                    Bucket: BUCKET,
                    Key: key,
                    Body: body,
                    ChecksumAlgorithm: algorithm,
                }),
            );
            assert.equal(put[field(algorithm)], expected, 'PutObject');
            const get = await s3.send(
                new GetObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }),
            );
            assert.deepEqual(Buffer.from(await get.Body!.transformToByteArray()), body);
            assert.equal(get[field(algorithm)], expected, 'GetObject');
            assert.equal(get.ChecksumType, 'FULL_OBJECT');
            const head = await s3.send(
                new HeadObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }),
            );
            assert.equal(head[field(algorithm)], expected, 'HeadObject');
        });
    }

    test('the SDK default (no algorithm named) stores its CRC32', async () => {
        await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'sum/default', Body: body }));
        const head = await s3.send(
            new HeadObjectCommand({ Bucket: BUCKET, Key: 'sum/default', ChecksumMode: 'ENABLED' }),
        );
        assert.equal(head.ChecksumCRC32, await checksumBase64('CRC32', body));
    });

    test('an object put with no checksum reports the CRC64NVME S3 computes', async () => {
        const plain = s3Client(server, {
            requestChecksumCalculation: 'WHEN_REQUIRED',
            responseChecksumValidation: 'WHEN_REQUIRED',
        });
        try {
            await plain.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'sum/none', Body: body }));
            const head = await plain.send(
                new HeadObjectCommand({ Bucket: BUCKET, Key: 'sum/none', ChecksumMode: 'ENABLED' }),
            );
            assert.equal(head.ChecksumCRC64NVME, await checksumBase64('CRC64NVME', body));
            assert.equal(head.ChecksumCRC32, undefined);
            const noMode = await plain.send(
                new HeadObjectCommand({ Bucket: BUCKET, Key: 'sum/none' }),
            );
            assert.equal(noMode.ChecksumCRC64NVME, undefined, 'only with x-amz-checksum-mode');
        } finally {
            plain.destroy();
        }
    });

    test('a wrong x-amz-checksum-crc32 is 400 BadDigest and stores nothing', async () => {
        const res = await sendSigned(server, {
            method: 'PUT',
            path: `/${BUCKET}/sum/wrong`,
            body: body,
            headers: {
                'x-amz-checksum-crc32': await checksumBase64('CRC32', Buffer.from('other')),
            },
        });
        assert.equal(res.status, 400);
        assert.equal(errorCode(res.body), 'BadDigest');
        await rejectsWithS3(
            s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'sum/wrong' })),
            'NotFound',
            404,
        );
    });
});

test('no request failed on the server side (5xx)', () => {
    assert.deepEqual(serverFailures(server.logs), []);
});
