/**
 * Bad input at the HTTP level, over bare sockets and plain fetch: a body cut short, Expect:
 * 100-continue answered only after authentication, and presigned URLs (fresh and expired).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
    CreateBucketCommand,
    GetObjectCommand,
    HeadObjectCommand,
    PutObjectCommand,
    type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { eventually, rejectsWithS3, serverFailures } from '../helpers/expect.js';
import { RawSocket, requestHead } from '../helpers/raw-socket.js';
import {
    removeDataDir,
    s3Client,
    SECRET_KEY,
    startServer,
    type RunningServer,
} from '../helpers/server.js';
import { errorCode, signedHeaders } from '../helpers/signing.js';

let server: RunningServer;
let s3: S3Client;
const BUCKET = 'wire-bucket';
/** Every signature sent, to prove none reaches the server's output. */
const signatures: string[] = [];

before(async () => {
    server = await startServer();
    s3 = s3Client(server);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'exists.txt', Body: 'still here' }));
});

after(async () => {
    s3?.destroy();
    await server?.stop();
    if (server) removeDataDir(server);
});

async function assertStillServing(): Promise<void> {
    const res = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'exists.txt' }));
    assert.equal(await res.Body!.transformToString(), 'still here');
}

/** Signed headers for a PUT of `length` bytes whose payload hash is `payloadHash`. */
async function putHeaders(key: string, length: number, payloadHash: string, secret?: string) {
    const headers = await signedHeaders(
        server,
        {
            method: 'PUT',
            path: `/${BUCKET}/${key}`,
            payloadHash,
            headers: { 'content-length': String(length) },
        },
        secret,
    );
    signatures.push(/Signature=([0-9a-f]{64})/.exec(headers['authorization']!)![1]!);
    return headers;
}

const tmpFiles = () => readdirSync(join(server.dataDir, 'tmp'));

test('a body cut short leaves no object and no temp file', async () => {
    const length = 1024 * 1024;
    const headers = await putHeaders('truncated.bin', length, 'UNSIGNED-PAYLOAD');
    const socket = await RawSocket.connect(server.port);
    await socket.write(requestHead('PUT', `/${BUCKET}/truncated.bin`, headers));
    await socket.write(randomBytes(100 * 1024));
    // The server must have started its temp blob, or the test would prove nothing.
    assert.ok(await eventually(() => tmpFiles().length > 0, 2_000), 'a temp blob was started');
    socket.destroy();
    assert.ok(await eventually(() => tmpFiles().length === 0, 2_000), `tmp/: ${tmpFiles()}`);
    await rejectsWithS3(
        s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'truncated.bin' })),
        'NotFound',
        404,
    );
    await assertStillServing();
});

test('a client that vanishes mid-download leaves the server serving', async () => {
    const big = randomBytes(8 * 1024 * 1024);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'big.bin', Body: big }));
    const headers = await signedHeaders(server, {
        method: 'GET',
        path: `/${BUCKET}/big.bin`,
        payloadHash: 'UNSIGNED-PAYLOAD',
    });
    signatures.push(/Signature=([0-9a-f]{64})/.exec(headers['authorization']!)![1]!);
    const socket = await RawSocket.connect(server.port);
    await socket.write(requestHead('GET', `/${BUCKET}/big.bin`, headers));
    const head = await socket.readHead();
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], String(big.length));
    socket.destroy();
    await assertStillServing();
    const again = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'big.bin' }));
    assert.ok(Buffer.from(await again.Body!.transformToByteArray()).equals(big));
});

describe('Expect: 100-continue', () => {
    const body = Buffer.from('sent only after 100 Continue');
    const hash = createHash('sha256').update(body).digest('hex');

    test('a wrong signature gets its 403 and no 100 Continue', async () => {
        const headers = await putHeaders('continued.txt', body.length, hash, 'wrong-secret');
        const socket = await RawSocket.connect(server.port);
        try {
            const head = { ...headers, expect: '100-continue' };
            await socket.write(requestHead('PUT', `/${BUCKET}/continued.txt`, head));
            const res = await socket.readResponse();
            assert.equal(res.status, 403, res.statusLine);
            assert.equal(errorCode(res.body), 'SignatureDoesNotMatch');
        } finally {
            socket.destroy();
        }
        await rejectsWithS3(
            s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'continued.txt' })),
            'NotFound',
            404,
        );
        await assertStillServing();
    });

    test('a good signature gets 100 Continue before the body is sent', async () => {
        const headers = await putHeaders('continued.txt', body.length, hash);
        const socket = await RawSocket.connect(server.port);
        try {
            const head = { ...headers, expect: '100-continue' };
            await socket.write(requestHead('PUT', `/${BUCKET}/continued.txt`, head));
            const interim = await socket.readHead();
            assert.equal(interim.statusLine, 'HTTP/1.1 100 Continue');
            await socket.write(body);
            const res = await socket.readResponse();
            assert.equal(res.status, 200, res.body);
            assert.equal(res.headers['etag'], `"${createHash('md5').update(body).digest('hex')}"`);
        } finally {
            socket.destroy();
        }
        const get = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'continued.txt' }));
        assert.equal(await get.Body!.transformToString(), body.toString());
    });
});

describe('presigned URLs', () => {
    /** Presigning is done without the SDK's checksum: a URL is used for a body not yet known. */
    let presigner: S3Client;

    before(() => {
        presigner = s3Client(server, { requestChecksumCalculation: 'WHEN_REQUIRED' });
    });

    after(() => presigner.destroy());

    async function presign(command: GetObjectCommand | PutObjectCommand, expiresIn: number) {
        const url = await getSignedUrl(presigner, command, { expiresIn });
        signatures.push(new URL(url).searchParams.get('X-Amz-Signature')!);
        return url;
    }

    test('a presigned GET works with plain fetch', async () => {
        const url = await presign(new GetObjectCommand({ Bucket: BUCKET, Key: 'exists.txt' }), 60);
        assert.match(url, /X-Amz-Signature=/);
        const res = await fetch(url);
        assert.equal(res.status, 200);
        assert.equal(await res.text(), 'still here');
    });

    test('a presigned PUT works with plain fetch', async () => {
        const command = new PutObjectCommand({ Bucket: BUCKET, Key: 'presigned.txt' });
        const url = await presign(command, 60);
        const res = await fetch(url, { method: 'PUT', body: 'uploaded with a URL' });
        assert.equal(res.status, 200, await res.text());
        const get = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'presigned.txt' }));
        assert.equal(await get.Body!.transformToString(), 'uploaded with a URL');
    });

    test('a presigned URL used for another key is 403 SignatureDoesNotMatch', async () => {
        const url = await presign(new GetObjectCommand({ Bucket: BUCKET, Key: 'exists.txt' }), 60);
        const res = await fetch(url.replace('/exists.txt?', '/presigned.txt?'));
        assert.equal(res.status, 403);
        assert.equal(errorCode(await res.text()), 'SignatureDoesNotMatch');
    });

    test('an expired presigned URL is 403 AccessDenied', async () => {
        const url = await presign(new GetObjectCommand({ Bucket: BUCKET, Key: 'exists.txt' }), 1);
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        const res = await fetch(url);
        assert.equal(res.status, 403);
        const text = await res.text();
        assert.equal(errorCode(text), 'AccessDenied', text);
        assert.ok(!text.includes('still here'));
        await assertStillServing();
    });
});

test('no secret or signature reaches the server output', () => {
    const output = server.output.join('\n');
    assert.ok(!output.includes(SECRET_KEY), 'secret key');
    assert.ok(!output.includes('AWS4-HMAC-SHA256 Credential'), 'an Authorization header');
    assert.ok(signatures.length >= 6, String(signatures.length));
    for (const signature of signatures) assert.ok(!output.includes(signature), 'a signature');
});

test('no request failed on the server side (5xx)', () => {
    assert.deepEqual(serverFailures(server.logs), []);
});
