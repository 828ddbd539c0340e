/**
 * Small objects kept inline in the metadata store (INLINE_MAX_SIZE), against a real Coffer
 * process through the AWS SDK v3: no blob file is written for them, yet they survive kill -9
 * right after their acknowledgement, serve ranges and conditional GETs, overwrite to and from
 * blob files, copy in and out of inline (UploadPartCopy too), delete cleanly, list with their
 * sizes and ETags, and their plaintext appears nowhere in the database files. An older data
 * dir (schema version 1) is upgraded in place.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import {
    CompleteMultipartUploadCommand,
    CopyObjectCommand,
    CreateMultipartUploadCommand,
    DeleteObjectCommand,
    DeleteObjectsCommand,
    GetObjectCommand,
    HeadObjectCommand,
    ListObjectsV2Command,
    PutObjectCommand,
    UploadPartCommand,
    UploadPartCopyCommand,
    type S3Client,
} from '@aws-sdk/client-s3';
import { INLINE_MAX_SIZE } from '../../src/pipeline/ingest.js';
import { md5Hex } from '../helpers/checksums.js';
import { rejectsWithS3, serverFailures } from '../helpers/expect.js';
import { removeDataDir, s3Client, startServer, type RunningServer } from '../helpers/server.js';
import { createBucketAllowingSsec } from '../helpers/buckets.js';

const BUCKET = 'inline';
const MiB = 1024 * 1024;
/** Plaintext no database or WAL byte may hold: a random hex string, repeated. */
const MARKER = Buffer.from(randomBytes(16).toString('hex'));
const markerBody = (size: number) =>
    Buffer.concat(Array(Math.ceil(size / MARKER.length)).fill(MARKER)).subarray(0, size);
const CUSTOMER_KEY = randomBytes(32);
const ssec = {
    SSECustomerAlgorithm: 'AES256',
    SSECustomerKey: CUSTOMER_KEY.toString('base64'),
};

let server: RunningServer;
let s3: S3Client;
/** What every key should hold now. */
const expected = new Map<string, Buffer>();

async function boot(dataDir?: string): Promise<void> {
    s3?.destroy();
    server = await startServer({ dataDir, args: ['--allow-insecure-ssec'] });
    s3 = s3Client(server);
}

async function put(key: string, body: Buffer, extra: object = {}): Promise<string> {
    const command = new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ...extra });
    const res = await s3.send(command);
    expected.set(key, body);
    return res.ETag!;
}

async function get(key: string, extra: object = {}) {
    const res = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, ...extra }));
    return { res, body: Buffer.from(await res.Body!.transformToByteArray()) };
}

/** Blob files under the data dir (inline objects have none). */
function blobFiles(): number {
    const root = join(server.dataDir, 'blobs');
    return readdirSync(root).reduce((sum, shard) => sum + readdirSync(join(root, shard)).length, 0);
}

before(async () => {
    await boot();
    await createBucketAllowingSsec(s3, BUCKET);
});

after(async () => {
    s3?.destroy();
    await server?.stop();
    if (server) removeDataDir(server);
});

describe('inline objects', () => {
    test('objects up to INLINE_MAX_SIZE write no blob file; one byte more does', async () => {
        const before = blobFiles();
        await put('small', markerBody(4096));
        await put('empty', Buffer.alloc(0));
        await put('at-limit', markerBody(INLINE_MAX_SIZE));
        await put('ssec-small', markerBody(1000), ssec);
        await put('kms-small', markerBody(2000), { ServerSideEncryption: 'aws:kms' });
        assert.equal(blobFiles(), before, 'no blob file for inline objects');
        await put('over-limit', markerBody(INLINE_MAX_SIZE + 1));
        assert.equal(blobFiles(), before + 1);
        for (const [key, body] of expected) {
            const extra = key.startsWith('ssec') ? ssec : {};
            const { res, body: got } = await get(key, extra);
            assert.ok(got.equals(body), key);
            assert.equal(res.ContentLength, body.length, key);
        }
    });

    test('HEAD and the ETag of an inline SSE-S3 object are its MD5', async () => {
        const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'small' }));
        assert.equal(head.ContentLength, 4096);
        assert.equal(head.ETag, `"${md5Hex(expected.get('small')!)}"`);
        assert.equal(head.ServerSideEncryption, 'AES256');
    });

    test('range GETs of an inline object', async () => {
        const body = expected.get('at-limit')!;
        for (const [range, start, end] of [
            ['bytes=100-199', 100, 199],
            ['bytes=-10', body.length - 10, body.length - 1],
            [`bytes=${body.length - 5}-`, body.length - 5, body.length - 1],
            ['bytes=0-0', 0, 0],
            [`bytes=1000-${body.length + 500}`, 1000, body.length - 1],
        ] as const) {
            const { res, body: got } = await get('at-limit', { Range: range });
            assert.equal(res.$metadata.httpStatusCode, 206, range);
            assert.equal(res.ContentRange, `bytes ${start}-${end}/${body.length}`, range);
            assert.ok(got.equals(body.subarray(start, end + 1)), range);
        }
        const ssecRange = await get('ssec-small', { ...ssec, Range: 'bytes=10-19' });
        assert.ok(ssecRange.body.equals(expected.get('ssec-small')!.subarray(10, 20)));
        await rejectsWithS3(
            s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'small', Range: 'bytes=5000-' })),
            'InvalidRange',
            416,
        );
    });

    test('conditional GETs of an inline object', async () => {
        const etag = `"${md5Hex(expected.get('small')!)}"`;
        const matched = await get('small', { IfMatch: etag });
        assert.ok(matched.body.equals(expected.get('small')!));
        await rejectsWithS3(
            s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'small', IfNoneMatch: etag })),
            undefined,
            304,
        );
        await rejectsWithS3(
            s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'small', IfMatch: '"0"' })),
            'PreconditionFailed',
            412,
        );
    });

    test('overwrites move an object between inline and a blob file', async () => {
        const before = blobFiles();
        await put('flip', markerBody(3000));
        assert.equal(blobFiles(), before);
        await put('flip', randomBytes(MiB));
        assert.equal(blobFiles(), before + 1, 'inline -> file writes one file');
        assert.ok((await get('flip')).body.equals(expected.get('flip')!));
        await put('flip', randomBytes(500));
        assert.equal(blobFiles(), before, 'file -> inline deletes the file');
        assert.ok((await get('flip')).body.equals(expected.get('flip')!));
        await put('flip', randomBytes(600));
        assert.ok((await get('flip')).body.equals(expected.get('flip')!), 'inline -> inline');
        assert.equal(blobFiles(), before);
    });

    test('a conditional overwrite that fails leaves the inline object as it was', async () => {
        await rejectsWithS3(
            s3.send(
                new PutObjectCommand({
                    Bucket: BUCKET,
                    Key: 'small',
                    Body: randomBytes(10),
                    IfNoneMatch: '*',
                }),
            ),
            'PreconditionFailed',
            412,
        );
        assert.ok((await get('small')).body.equals(expected.get('small')!));
    });

    test('CopyObject in and out of inline', async () => {
        const before = blobFiles();
        const copy = async (from: string, to: string, extra: object = {}) => {
            await s3.send(
                new CopyObjectCommand({
                    Bucket: BUCKET,
                    Key: to,
                    CopySource: `${BUCKET}/${from}`,
                    ...extra,
                }),
            );
            expected.set(to, expected.get(from)!);
        };
        await copy('small', 'copy-inline');
        await copy('ssec-small', 'copy-from-ssec', {
            CopySourceSSECustomerAlgorithm: 'AES256',
            CopySourceSSECustomerKey: CUSTOMER_KEY.toString('base64'),
        });
        assert.equal(blobFiles(), before, 'a copy of a small object is inline');
        await copy('flip', 'copy-of-flip');
        await put('big', randomBytes(2 * MiB));
        await copy('big', 'copy-big');
        assert.equal(blobFiles(), before + 2, 'a large copy is a blob file');
        // Copy onto an existing inline key: its old bytes go, the new ones are inline too.
        await copy('at-limit', 'copy-inline', { MetadataDirective: 'REPLACE' });
        for (const key of ['copy-inline', 'copy-from-ssec', 'copy-of-flip', 'copy-big']) {
            assert.ok((await get(key)).body.equals(expected.get(key)!), key);
        }
    });

    test('DeleteObject and DeleteObjects remove inline and file objects', async () => {
        await put('gone-inline', markerBody(100));
        await put('gone-file', randomBytes(MiB));
        await put('gone-batch-inline', markerBody(200));
        const before = blobFiles();
        await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'gone-inline' }));
        await s3.send(
            new DeleteObjectsCommand({
                Bucket: BUCKET,
                Delete: { Objects: [{ Key: 'gone-file' }, { Key: 'gone-batch-inline' }] },
            }),
        );
        assert.equal(blobFiles(), before - 1);
        for (const key of ['gone-inline', 'gone-file', 'gone-batch-inline']) {
            expected.delete(key);
            await rejectsWithS3(
                s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key })),
                'NoSuchKey',
                404,
            );
        }
    });

    test('listing returns the sizes and ETags of inline objects', async () => {
        const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
        const byKey = new Map(listed.Contents!.map((o) => [o.Key!, o]));
        assert.deepEqual([...byKey.keys()].sort(), [...expected.keys()].sort());
        for (const key of ['small', 'empty', 'at-limit', 'flip', 'copy-inline']) {
            assert.equal(byKey.get(key)!.Size, expected.get(key)!.length, key);
            assert.equal(byKey.get(key)!.ETag, `"${md5Hex(expected.get(key)!)}"`, key);
        }
    });

    test('multipart parts stay blob files even when small', async () => {
        const before = blobFiles();
        const { UploadId } = await s3.send(
            new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'mpu' }),
        );
        const part = markerBody(5000);
        const { ETag } = await s3.send(
            new UploadPartCommand({
                Bucket: BUCKET,
                Key: 'mpu',
                UploadId,
                PartNumber: 1,
                Body: part,
            }),
        );
        assert.equal(blobFiles(), before + 1);
        await s3.send(
            new CompleteMultipartUploadCommand({
                Bucket: BUCKET,
                Key: 'mpu',
                UploadId,
                MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] },
            }),
        );
        expected.set('mpu', part);
        assert.ok((await get('mpu')).body.equals(part));
        // Overwriting the multipart object with a small one leaves no file behind.
        await put('mpu', markerBody(10));
        assert.equal(blobFiles(), before);
    });

    test('UploadPartCopy reads a range of an inline object', async () => {
        const { UploadId } = await s3.send(
            new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'mpu-copy' }),
        );
        const { CopyPartResult } = await s3.send(
            new UploadPartCopyCommand({
                Bucket: BUCKET,
                Key: 'mpu-copy',
                UploadId,
                PartNumber: 1,
                CopySource: `${BUCKET}/at-limit`,
                CopySourceRange: 'bytes=10-1009',
            }),
        );
        await s3.send(
            new CompleteMultipartUploadCommand({
                Bucket: BUCKET,
                Key: 'mpu-copy',
                UploadId,
                MultipartUpload: { Parts: [{ PartNumber: 1, ETag: CopyPartResult!.ETag }] },
            }),
        );
        expected.set('mpu-copy', expected.get('at-limit')!.subarray(10, 1010));
        assert.ok((await get('mpu-copy')).body.equals(expected.get('mpu-copy')!));
    });

    test('after kill -9 right after the acknowledgements, every object reads back', async () => {
        const acknowledged = await Promise.all(
            Array.from({ length: 16 }, (_, i) => put(`burst/${i}`, markerBody(4096 + i))),
        );
        assert.equal(acknowledged.length, 16);
        const dataDir = server.dataDir;
        await server.kill9();
        await boot(dataDir);
        for (const [key, body] of expected) {
            const extra = key.startsWith('ssec') ? ssec : {};
            assert.ok((await get(key, extra)).body.equals(body), key);
        }
    });

    test('no database or WAL file holds the plaintext of an inline object', () => {
        const files = readdirSync(server.dataDir).filter((name) => name.startsWith('metadata'));
        assert.ok(files.includes('metadata.sqlite'), files.join());
        const inlineRows = new Database(join(server.dataDir, 'metadata.sqlite'), {
            readonly: true,
        });
        try {
            const count = inlineRows.prepare('SELECT count(*) FROM inline_blobs').pluck().get();
            assert.ok(Number(count) >= 20, `${count} inline blobs`);
        } finally {
            inlineRows.close();
        }
        for (const name of files) {
            const bytes = readFileSync(join(server.dataDir, name));
            assert.equal(bytes.includes(MARKER), false, `${name} holds the marker`);
        }
        // The scan can fail: the marker is in what was written.
        assert.ok(expected.get('small')!.includes(MARKER));
    });

    test('the database and its WAL files are readable by their owner only', () => {
        const files = readdirSync(server.dataDir).filter((name) => name.startsWith('metadata'));
        const expectedFiles = ['metadata.sqlite', 'metadata.sqlite-shm', 'metadata.sqlite-wal'];
        assert.deepEqual(files.sort(), expectedFiles);
        for (const name of files) {
            const mode = statSync(join(server.dataDir, name)).mode & 0o777;
            assert.equal(mode, 0o600, `${name}: ${mode.toString(8)}`);
        }
    });

    test('no request failed on the server side (5xx)', () => {
        assert.deepEqual(serverFailures(server.logs), []);
    });
});

describe('schema upgrade', () => {
    test('a data dir of schema version 1 is upgraded; a newer one is refused', async () => {
        const dataDir = server.dataDir;
        await server.stop();
        const db = new Database(join(dataDir, 'metadata.sqlite'));
        // What a version-1 data dir looks like: no inline_blobs table.
        db.exec('DELETE FROM objects');
        db.exec('DROP TABLE inline_blobs');
        db.prepare("UPDATE settings SET value = '1' WHERE name = 'schema_version'").run();
        db.close();
        expected.clear();

        await boot(dataDir);
        await put('after-upgrade', markerBody(300));
        assert.ok((await get('after-upgrade')).body.equals(expected.get('after-upgrade')!));
        const upgraded = new Database(join(dataDir, 'metadata.sqlite'), { readonly: true });
        const version = upgraded
            .prepare("SELECT value FROM settings WHERE name = 'schema_version'")
            .pluck()
            .get();
        upgraded.close();
        assert.equal(version, '2');

        await server.stop();
        const newer = new Database(join(dataDir, 'metadata.sqlite'));
        newer.prepare("UPDATE settings SET value = '99' WHERE name = 'schema_version'").run();
        newer.close();
        await assert.rejects(boot(dataDir), /schema version 99/);
        assert.ok(existsSync(join(dataDir, 'metadata.sqlite')));
        const back = new Database(join(dataDir, 'metadata.sqlite'));
        back.prepare("UPDATE settings SET value = '2' WHERE name = 'schema_version'").run();
        back.close();
        await boot(dataDir);
        assert.ok((await get('after-upgrade')).body.equals(expected.get('after-upgrade')!));
    });
});
