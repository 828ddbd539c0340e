/**
 * Durability across process death: a SIGKILLed server's objects and open multipart uploads
 * survive on the same data dir, what a crash left in tmp/ is collected at start-up, and SIGTERM
 * lets an upload in flight finish before the process exits.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
    CompleteMultipartUploadCommand,
    CreateBucketCommand,
    CreateMultipartUploadCommand,
    GetObjectCommand,
    ListPartsCommand,
    PutObjectCommand,
    UploadPartCommand,
    type CompletedPart,
    type S3Client,
} from '@aws-sdk/client-s3';
import { md5Hex, sha256Hex } from '../helpers/checksums.js';
import { eventually, serverFailures } from '../helpers/expect.js';
import { removeDataDir, s3Client, startServer, type RunningServer } from '../helpers/server.js';
import { signedHeaders } from '../helpers/signing.js';

const BUCKET = 'durable';
const MiB = 1024 * 1024;
const objects = new Map([
    ['small.txt', Buffer.from('small but durable')],
    ['nested/random.bin', randomBytes(3 * MiB + 17)],
]);
const parts = [randomBytes(5 * MiB), randomBytes(4000)];
let server: RunningServer;
let s3: S3Client;
let uploadId: string;
let partEtags: string[];

/** (Re)starts the server on `dataDir` and points a fresh client at it. */
async function boot(dataDir?: string): Promise<void> {
    s3?.destroy();
    server = await startServer({ dataDir });
    s3 = s3Client(server);
}

before(async () => {
    await boot();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    for (const [Key, Body] of objects)
        await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body }));
    const created = await s3.send(
        new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'mpu.bin' }),
    );
    uploadId = created.UploadId!;
    partEtags = [];
    for (const [index, Body] of parts.entries()) {
        const res = await s3.send(
            new UploadPartCommand({
                Bucket: BUCKET,
                Key: 'mpu.bin',
                UploadId: uploadId,
                PartNumber: index + 1,
                Body,
            }),
        );
        partEtags.push(res.ETag!);
    }
});

after(async () => {
    s3?.destroy();
    await server?.stop();
    if (server) removeDataDir(server);
});

async function readAll(key: string): Promise<Buffer> {
    const res = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return Buffer.from(await res.Body!.transformToByteArray());
}

test('after kill -9, a restart serves every object and resumes the upload', async () => {
    const dataDir = server.dataDir;
    await server.kill9();
    // What a crash mid-upload leaves: temp files, and a blob no metadata names.
    writeFileSync(join(dataDir, 'tmp', 'crashed-upload'), randomBytes(1000));
    writeFileSync(join(dataDir, 'tmp', 'a'.repeat(32)), randomBytes(1000));
    const strayBlob = join(dataDir, 'blobs', 'ff', 'f'.repeat(32));
    mkdirSync(join(strayBlob, '..'), { recursive: true });
    writeFileSync(strayBlob, randomBytes(100));

    await boot(dataDir);
    assert.deepEqual(readdirSync(join(dataDir, 'tmp')), [], 'tmp/ is emptied at start-up');
    assert.equal(existsSync(strayBlob), false, 'an unreferenced blob is collected');
    for (const [key, body] of objects) {
        assert.equal(sha256Hex(await readAll(key)), sha256Hex(body), key);
    }

    const listed = await s3.send(
        new ListPartsCommand({ Bucket: BUCKET, Key: 'mpu.bin', UploadId: uploadId }),
    );
    assert.deepEqual(
        listed.Parts?.map((p) => [p.PartNumber, p.Size, p.ETag]),
        parts.map((body, i) => [i + 1, body.length, `"${md5Hex(body)}"`]),
    );
    const completed: CompletedPart[] = partEtags.map((ETag, i) => ({ PartNumber: i + 1, ETag }));
    const done = await s3.send(
        new CompleteMultipartUploadCommand({
            Bucket: BUCKET,
            Key: 'mpu.bin',
            UploadId: uploadId,
            MultipartUpload: { Parts: completed },
        }),
    );
    assert.match(done.ETag ?? '', /-2"$/);
    assert.equal(sha256Hex(await readAll('mpu.bin')), sha256Hex(Buffer.concat(parts)));
});

test('SIGTERM lets a slow upload in flight finish with 200, then the process exits', async () => {
    const draining = server;
    const chunks = Array.from({ length: 10 }, () => randomBytes(64 * 1024));
    const body = Buffer.concat(chunks);
    const headers = await signedHeaders(draining, {
        method: 'PUT',
        path: `/${BUCKET}/slow.bin`,
        payloadHash: 'UNSIGNED-PAYLOAD',
        headers: { 'content-length': String(body.length) },
    });
    // A keep-alive connection: draining must also close it once its request is answered.
    const agent = new Agent({ keepAlive: true });
    const outgoing = httpRequest({
        host: '127.0.0.1',
        port: draining.port,
        method: 'PUT',
        path: `/${BUCKET}/slow.bin`,
        headers,
        agent,
    });
    const response = new Promise<{ status: number; at: number }>((resolve, reject) => {
        outgoing.on('response', (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, at: Date.now() }));
        });
        outgoing.on('error', reject);
    });
    const exited = draining.exited.then((how) => ({ ...how, at: Date.now() }));
    try {
        for (const [index, chunk] of chunks.entries()) {
            outgoing.write(chunk);
            if (index === 1) draining.process.kill('SIGTERM');
            if (index === 3) {
                // Signal handling is asynchronous: allow a loaded machine a moment.
                const refused = () =>
                    fetch(draining.endpoint).then(
                        () => false,
                        () => true,
                    );
                assert.ok(
                    await eventually(refused, 2_000),
                    'a draining server takes no connection',
                );
            }
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        outgoing.end();
        const answered = await response;
        assert.equal(answered.status, 200);
        const ended = await Promise.race([
            exited,
            new Promise<undefined>((resolve) => setTimeout(resolve, 5_000)),
        ]);
        assert.ok(ended, 'the process exits within 5 s of the last response');
        assert.equal(ended.code, 0);
        assert.ok(ended.at >= answered.at);
    } finally {
        agent.destroy();
        // A process that failed to drain must not share the data dir with the next one.
        await draining.kill9();
    }
    await boot(draining.dataDir);
    assert.equal(sha256Hex(await readAll('slow.bin')), sha256Hex(body));
});

test('no request failed on the server side (5xx)', () => {
    assert.deepEqual(serverFailures(server.logs), []);
});
