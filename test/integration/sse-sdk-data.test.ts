/**
 * The bytes of encrypted objects through the AWS SDK v3, in each mode (SSE-S3, SSE-KMS, SSE-C):
 * range GETs at and across the 64 KiB package boundary and part boundaries, suffix ranges,
 * multipart uploads (lib-storage) and part GETs, every copy direction between the modes,
 * UploadPartCopy, copies in place, and the SSE-C rules of multipart parts. Every read is
 * compared with the plaintext sent.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
    CompleteMultipartUploadCommand,
    CopyObjectCommand,
    CreateMultipartUploadCommand,
    GetObjectCommand,
    HeadObjectCommand,
    PutObjectCommand,
    UploadPartCommand,
    UploadPartCopyCommand,
    type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { rejectsWithS3, serverFailures } from '../helpers/expect.js';
import {
    ACCESS_KEY,
    REGION,
    SECRET_KEY,
    removeDataDir,
    s3Client,
    startServer,
} from '../helpers/server.js';
import type { RunningServer } from '../helpers/server.js';
import { createBucketAllowingSsec } from '../helpers/buckets.js';

const BUCKET = 'sse-data';
const MiB = 1024 * 1024;
const PACKAGE = 65536;
const CUSTOMER_KEY = randomBytes(32).toString('base64');
const OTHER_KEY = randomBytes(32).toString('base64');

let server: RunningServer;
let s3: S3Client;
let kmsKeyArn: string;

type Mode = 'SSE-S3' | 'SSE-KMS' | 'SSE-C';
const MODES: Mode[] = ['SSE-S3', 'SSE-KMS', 'SSE-C'];

/** Write parameters of a mode. */
function writeParams(mode: Mode, customerKey = CUSTOMER_KEY): Record<string, string> {
    if (mode === 'SSE-S3') return { ServerSideEncryption: 'AES256' };
    if (mode === 'SSE-KMS') return { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kmsKeyArn };
    return { SSECustomerAlgorithm: 'AES256', SSECustomerKey: customerKey };
}

/** Read parameters of a mode: only SSE-C needs any. */
function readParams(mode: Mode): Record<string, string> {
    return mode === 'SSE-C' ? { SSECustomerAlgorithm: 'AES256', SSECustomerKey: CUSTOMER_KEY } : {};
}

function copySourceParams(mode: Mode): Record<string, string> {
    if (mode !== 'SSE-C') return {};
    return { CopySourceSSECustomerAlgorithm: 'AES256', CopySourceSSECustomerKey: CUSTOMER_KEY };
}

const md5Hex = (data: Buffer) => createHash('md5').update(data).digest('hex');

before(async () => {
    server = await startServer({ args: ['--allow-insecure-ssec'] });
    s3 = s3Client(server, { maxAttempts: 1 });
    const kms = new KMSClient({
        endpoint: server.endpoint,
        region: REGION,
        credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
    });
    kmsKeyArn = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    kms.destroy();
    await createBucketAllowingSsec(s3, BUCKET);
});

after(async () => {
    s3?.destroy();
    await server?.stop();
    if (server) removeDataDir(server);
});

async function put(key: string, body: Buffer, mode: Mode) {
    return s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ...writeParams(mode) }),
    );
}

async function read(key: string, mode: Mode, extra: Record<string, unknown> = {}): Promise<Buffer> {
    const res = await s3.send(
        new GetObjectCommand({ Bucket: BUCKET, Key: key, ...readParams(mode), ...extra }),
    );
    return Buffer.from(await res.Body!.transformToByteArray());
}

/** `[Range header, first byte, last byte]` cases for an object of `size` bytes. */
function rangeCases(size: number, boundaries: number[]): Array<[string, number, number]> {
    const cases: Array<[string, number, number]> = [
        ['bytes=0-0', 0, 0],
        [`bytes=${size - 1}-${size - 1}`, size - 1, size - 1],
        ['bytes=-100', size - 100, size - 1],
        [`bytes=-${PACKAGE + 7}`, size - PACKAGE - 7, size - 1],
        [`bytes=${size - 10}-`, size - 10, size - 1],
    ];
    for (const at of boundaries) {
        cases.push([`bytes=${at - 1}-${at}`, at - 1, at]);
        cases.push([`bytes=${at - 5000}-${at + PACKAGE + 3}`, at - 5000, at + PACKAGE + 3]);
        cases.push([`bytes=${at}-${at}`, at, at]);
    }
    return cases;
}

for (const mode of MODES) {
    describe(`${mode} single-part object`, () => {
        const body = randomBytes(3 * PACKAGE + 1000);
        const key = `single-${mode}`;
        let etag: string | undefined;
        before(async () => {
            etag = (await put(key, body, mode)).ETag;
        });

        test('reads back whole, with the ETag rule of its mode', async () => {
            assert.ok((await read(key, mode)).equals(body));
            if (mode === 'SSE-S3') assert.equal(etag, `"${md5Hex(body)}"`);
            else assert.notEqual(etag, `"${md5Hex(body)}"`);
        });

        test('serves ranges at and across package boundaries, and suffix ranges', async () => {
            for (const [range, first, last] of rangeCases(body.length, [PACKAGE, 2 * PACKAGE])) {
                const got = await read(key, mode, { Range: range });
                assert.ok(got.equals(body.subarray(first, last + 1)), `${mode} ${range}`);
            }
        });
    });

    describe(`${mode} multipart object (lib-storage, 3 parts)`, () => {
        const body = randomBytes(10 * MiB + 12345);
        const key = `multi-${mode}`;
        let etag: string | undefined;
        before(async () => {
            const upload = new Upload({
                client: s3,
                partSize: 5 * MiB,
                params: { Bucket: BUCKET, Key: key, Body: body, ...writeParams(mode) },
            });
            etag = (await upload.done()).ETag;
        });

        test('reads back whole with a -3 ETag and its SSE headers', async () => {
            assert.match(etag!, /^"[0-9a-f]{32}-3"$/);
            assert.ok((await read(key, mode)).equals(body));
            const head = await s3.send(
                new HeadObjectCommand({ Bucket: BUCKET, Key: key, ...readParams(mode) }),
            );
            assert.equal(head.ETag, etag);
            if (mode === 'SSE-C') assert.equal(head.SSECustomerAlgorithm, 'AES256');
            else assert.equal(head.ServerSideEncryption, mode === 'SSE-S3' ? 'AES256' : 'aws:kms');
        });

        test('serves ranges across part boundaries and part GETs', async () => {
            for (const [range, first, last] of rangeCases(body.length, [5 * MiB, 10 * MiB])) {
                const got = await read(key, mode, { Range: range });
                assert.ok(got.equals(body.subarray(first, last + 1)), `${mode} ${range}`);
            }
            const part2 = await read(key, mode, { PartNumber: 2 });
            assert.ok(part2.equals(body.subarray(5 * MiB, 10 * MiB)));
        });
    });
}

describe('CopyObject between every pair of modes', () => {
    const body = randomBytes(2 * PACKAGE + 99);
    before(async () => {
        for (const mode of MODES) await put(`copy-src-${mode}`, body, mode);
    });

    for (const from of MODES) {
        for (const to of MODES) {
            test(`${from} -> ${to}`, async () => {
                const key = `copy-${from}-to-${to}`;
                const copied = await s3.send(
                    new CopyObjectCommand({
                        Bucket: BUCKET,
                        Key: key,
                        CopySource: `${BUCKET}/copy-src-${from}`,
                        ...copySourceParams(from),
                        ...writeParams(to),
                    }),
                );
                if (to === 'SSE-C') assert.equal(copied.SSECustomerAlgorithm, 'AES256');
                else
                    assert.equal(
                        copied.ServerSideEncryption,
                        to === 'SSE-S3' ? 'AES256' : 'aws:kms',
                    );
                const sameAsMd5 = copied.CopyObjectResult?.ETag === `"${md5Hex(body)}"`;
                assert.equal(sameAsMd5, to === 'SSE-S3', 'ETag follows the target mode');
                assert.ok((await read(key, to)).equals(body));
            });
        }
    }

    test('an SSE-C source needs its key; a copy without SSE headers is SSE-S3', async () => {
        const copy = (extra: Record<string, string>) =>
            s3.send(
                new CopyObjectCommand({
                    Bucket: BUCKET,
                    Key: 'c2',
                    CopySource: `${BUCKET}/copy-src-SSE-C`,
                    ...extra,
                }),
            );
        await rejectsWithS3(copy({}), 'InvalidRequest', 400);
        const wrong = {
            CopySourceSSECustomerAlgorithm: 'AES256',
            CopySourceSSECustomerKey: OTHER_KEY,
        };
        await rejectsWithS3(copy(wrong), 'AccessDenied', 403);
        const plain = await copy(copySourceParams('SSE-C'));
        assert.equal(plain.ServerSideEncryption, 'AES256');
        assert.ok((await read('c2', 'SSE-S3')).equals(body));
    });
});

describe('copies in place', () => {
    test('need an encryption change; rotate an SSE-C key', async () => {
        const body = randomBytes(1000);
        await put('in-place', body, 'SSE-S3');
        const self = { Bucket: BUCKET, Key: 'in-place', CopySource: `${BUCKET}/in-place` };
        await rejectsWithS3(s3.send(new CopyObjectCommand(self)), 'InvalidRequest', 400);
        const same = await s3.send(
            new CopyObjectCommand({ ...self, ServerSideEncryption: 'AES256' }),
        );
        assert.equal(same.ServerSideEncryption, 'AES256');
        await s3.send(new CopyObjectCommand({ ...self, ...writeParams('SSE-C') }));
        await s3.send(
            new CopyObjectCommand({
                ...self,
                ...copySourceParams('SSE-C'),
                ...writeParams('SSE-C', OTHER_KEY),
            }),
        );
        await rejectsWithS3(read('in-place', 'SSE-C'), 'AccessDenied', 403);
        const rotated = await read('in-place', 'SSE-S3', {
            SSECustomerAlgorithm: 'AES256',
            SSECustomerKey: OTHER_KEY,
        });
        assert.ok(rotated.equals(body));
        // A KMS object copied in place without headers becomes SSE-S3 (the bucket default).
        await put('kms-in-place', body, 'SSE-KMS');
        const back = await s3.send(
            new CopyObjectCommand({
                Bucket: BUCKET,
                Key: 'kms-in-place',
                CopySource: `${BUCKET}/kms-in-place`,
            }),
        );
        assert.equal(back.ServerSideEncryption, 'AES256');
    });
});

describe('multipart parts', () => {
    async function create(key: string, mode: Mode) {
        const res = await s3.send(
            new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ...writeParams(mode) }),
        );
        return res;
    }

    test('SSE-C parts need the upload key; SSE headers are refused on parts', async () => {
        const created = await create('ssec-parts', 'SSE-C');
        assert.equal(created.SSECustomerAlgorithm, 'AES256');
        const part = (extra: Record<string, unknown>) =>
            s3.send(
                new UploadPartCommand({
                    Bucket: BUCKET,
                    Key: 'ssec-parts',
                    UploadId: created.UploadId,
                    PartNumber: 1,
                    Body: 'x',
                    ...extra,
                }),
            );
        await rejectsWithS3(part({}), 'InvalidRequest', 400);
        await rejectsWithS3(
            part({ SSECustomerAlgorithm: 'AES256', SSECustomerKey: OTHER_KEY }),
            'InvalidRequest',
            400,
        );
        const ok = await part(readParams('SSE-C'));
        assert.equal(ok.SSECustomerAlgorithm, 'AES256');
        const complete = await s3.send(
            new CompleteMultipartUploadCommand({
                Bucket: BUCKET,
                Key: 'ssec-parts',
                UploadId: created.UploadId,
                MultipartUpload: { Parts: [{ PartNumber: 1, ETag: ok.ETag }] },
            }),
        );
        assert.equal(complete.ServerSideEncryption, undefined, 'Complete reports no SSE-C');
        assert.equal((await read('ssec-parts', 'SSE-C')).toString(), 'x');

        const kmsUpload = await create('kms-parts', 'SSE-KMS');
        assert.equal(kmsUpload.SSEKMSKeyId, kmsKeyArn);
        const withSsec = s3.send(
            new UploadPartCommand({
                Bucket: BUCKET,
                Key: 'kms-parts',
                UploadId: kmsUpload.UploadId,
                PartNumber: 1,
                Body: 'x',
                ...readParams('SSE-C'),
            }),
        );
        await rejectsWithS3(withSsec, 'InvalidRequest', 400);
    });

    test('UploadPartCopy decrypts an SSE-C source into an SSE-KMS upload', async () => {
        const source = randomBytes(5 * MiB + 100);
        await put('upc-src', source, 'SSE-C');
        const created = await create('upc-target', 'SSE-KMS');
        const common = {
            Bucket: BUCKET,
            Key: 'upc-target',
            UploadId: created.UploadId,
            CopySource: `${BUCKET}/upc-src`,
        };
        const first = await s3.send(
            new UploadPartCopyCommand({
                ...common,
                PartNumber: 1,
                CopySourceRange: `bytes=0-${5 * MiB - 1}`,
                ...copySourceParams('SSE-C'),
            }),
        );
        assert.equal(first.ServerSideEncryption, 'aws:kms');
        const second = await s3.send(
            new UploadPartCopyCommand({
                ...common,
                PartNumber: 3,
                CopySourceRange: `bytes=${5 * MiB}-${source.length - 1}`,
                ...copySourceParams('SSE-C'),
            }),
        );
        const done = await s3.send(
            new CompleteMultipartUploadCommand({
                Bucket: BUCKET,
                Key: 'upc-target',
                UploadId: created.UploadId,
                MultipartUpload: {
                    Parts: [
                        { PartNumber: 1, ETag: first.CopyPartResult!.ETag },
                        { PartNumber: 3, ETag: second.CopyPartResult!.ETag },
                    ],
                },
            }),
        );
        assert.equal(done.ServerSideEncryption, 'aws:kms');
        assert.match(done.ETag!, /-2"$/);
        assert.ok((await read('upc-target', 'SSE-KMS')).equals(source));
        const tail = await read('upc-target', 'SSE-KMS', {
            Range: `bytes=${5 * MiB - 2}-${5 * MiB + 1}`,
        });
        assert.ok(tail.equals(source.subarray(5 * MiB - 2, 5 * MiB + 2)));
    });
});

test('no request failed on the server side (5xx)', () => {
    assert.deepEqual(serverFailures(server.logs), []);
});
