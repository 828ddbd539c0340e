/**
 * SSE-C and the transport, on a server started without --allow-insecure-ssec: over its HTTPS
 * listener SSE-C works; over its HTTP listener any SSE-C header is refused with AWS's
 * InvalidRequest, on writes and on reads alike, while other encryption is unaffected.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { after, before, test } from 'node:test';
import {
    GetObjectCommand,
    PutObjectCommand,
    type S3Client,
} from '@aws-sdk/client-s3';
import { rejectsWithS3 } from '../helpers/expect.js';
import { removeDataDir, s3Client, startServer, type RunningServer } from '../helpers/server.js';
import { createBucketAllowingSsec } from '../helpers/buckets.js';

const BUCKET = 'sse-https';
const SSE_C = {
    SSECustomerAlgorithm: 'AES256',
    SSECustomerKey: randomBytes(32).toString('base64'),
};

let server: RunningServer;
let overTls: S3Client;
let overHttp: S3Client;

before(async () => {
    server = await startServer({ https: true });
    const ca = readFileSync(server.caBundle!);
    overTls = s3Client(server, {
        endpoint: server.httpsEndpoint,
        requestHandler: { httpsAgent: new HttpsAgent({ ca }) },
        maxAttempts: 1,
    });
    overHttp = s3Client(server, { maxAttempts: 1 });
    await createBucketAllowingSsec(overTls, BUCKET);
});

after(async () => {
    overTls?.destroy();
    overHttp?.destroy();
    await server?.stop();
    if (server) removeDataDir(server);
});

test('SSE-C works over HTTPS', async () => {
    await overTls.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'c', Body: 'tls', ...SSE_C }));
    const got = await overTls.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'c', ...SSE_C }));
    assert.equal(await got.Body!.transformToString(), 'tls');
});

test('SSE-C over plain HTTP is refused, writes and reads', async () => {
    const put = overHttp.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'h', Body: 'x', ...SSE_C }),
    );
    await rejectsWithS3(put, 'InvalidRequest', 400);
    const get = overHttp.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'c', ...SSE_C }));
    await rejectsWithS3(get, 'InvalidRequest', 400);
    const plain = await overHttp.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'p', Body: 'x' }),
    );
    assert.equal(plain.ServerSideEncryption, 'AES256');
});
