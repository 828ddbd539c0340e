/**
 * Requests no SDK would send, signed by hand with AWS's own signer: bad signatures, stale
 * dates, lying digests, broken XML, oversized keys, anonymous and unsupported requests. After
 * each refusal the server must keep serving, and no secret may reach its output.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
    CreateBucketCommand,
    CreateMultipartUploadCommand,
    GetObjectCommand,
    HeadObjectCommand,
    PutObjectCommand,
    type S3Client,
} from '@aws-sdk/client-s3';
import { md5Base64 } from '../helpers/checksums.js';
import { rejectsWithS3, serverFailures, xmlText } from '../helpers/expect.js';
import {
    removeDataDir,
    s3Client,
    SECRET_KEY,
    startServer,
    type RunningServer,
} from '../helpers/server.js';
import {
    errorCode,
    queryString,
    sendRaw,
    signedHeaders,
    type RawRequest,
    type RawResponse,
} from '../helpers/signing.js';

let server: RunningServer;
let s3: S3Client;
const BUCKET = 'bad-input';
const CONTENT = 'the object that must keep being served';
/** Every Authorization value sent, to prove none reaches the server's output. */
const authorizations: string[] = [];

before(async () => {
    server = await startServer();
    s3 = s3Client(server);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'exists.txt', Body: CONTENT }));
});

after(async () => {
    s3?.destroy();
    await server?.stop();
    if (server) removeDataDir(server);
});

/** Signs (with `secret`, default the right one), records the signature, sends. */
async function send(req: RawRequest, secret?: string): Promise<RawResponse> {
    const headers = await signedHeaders(server, req, secret);
    authorizations.push(headers['authorization']!);
    return sendRaw(server, req.method, req.path + queryString(req.query), headers, req.body);
}

/** The refusal did not break the server: a good request right after it succeeds. */
async function assertStillServing(): Promise<void> {
    const res = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'exists.txt' }));
    assert.equal(await res.Body!.transformToString(), CONTENT);
}

function assertError(res: RawResponse, status: number, code: string): void {
    assert.equal(res.status, status, res.body);
    assert.equal(errorCode(res.body), code, res.body);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('authentication', () => {
    test('a signature made with the wrong secret is 403 SignatureDoesNotMatch', async () => {
        const res = await send({ method: 'GET', path: `/${BUCKET}/exists.txt` }, 'not-the-secret');
        assertError(res, 403, 'SignatureDoesNotMatch');
        assert.ok(!res.body.includes(CONTENT));
        await assertStillServing();
    });

    test('an unknown access key is 403 InvalidAccessKeyId', async () => {
        const res = await send({
            method: 'GET',
            path: `/${BUCKET}/exists.txt`,
            accessKeyId: 'AKIAUNKNOWNKEY000000',
        });
        assertError(res, 403, 'InvalidAccessKeyId');
        await assertStillServing();
    });

    test('an X-Amz-Date 20 minutes old is 403 RequestTimeTooSkewed', async () => {
        const res = await send({
            method: 'GET',
            path: `/${BUCKET}/exists.txt`,
            signingDate: new Date(Date.now() - 20 * 60_000),
        });
        assertError(res, 403, 'RequestTimeTooSkewed');
        await assertStillServing();
    });

    test('an anonymous request is 403 AccessDenied', async () => {
        const get = await sendRaw(server, 'GET', `/${BUCKET}/exists.txt`, {});
        assertError(get, 403, 'AccessDenied');
        assert.ok(!get.body.includes(CONTENT));
        const put = await sendRaw(server, 'PUT', `/${BUCKET}/anonymous.txt`, {}, 'sneaky');
        assertError(put, 403, 'AccessDenied');
        await rejectsWithS3(
            s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'anonymous.txt' })),
            'NotFound',
            404,
        );
        const list = await sendRaw(server, 'GET', '/', {});
        assertError(list, 403, 'AccessDenied');
        await assertStillServing();
    });
});

describe('payload integrity', () => {
    test('a payload hash not matching the body is XAmzContentSHA256Mismatch', async () => {
        const res = await send({
            method: 'PUT',
            path: `/${BUCKET}/sha-mismatch.txt`,
            body: 'the body sent',
            payloadHash: sha256('another body'),
        });
        assertError(res, 400, 'XAmzContentSHA256Mismatch');
        await rejectsWithS3(
            s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'sha-mismatch.txt' })),
            'NotFound',
            404,
        );
        await assertStillServing();
    });

    test('a Content-MD5 of other bytes is 400 BadDigest', async () => {
        const res = await send({
            method: 'PUT',
            path: `/${BUCKET}/md5-mismatch.txt`,
            body: 'the body sent',
            headers: { 'content-md5': md5Base64('another body') },
        });
        assertError(res, 400, 'BadDigest');
        await rejectsWithS3(
            s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'md5-mismatch.txt' })),
            'NotFound',
            404,
        );
        const good = await send({
            method: 'PUT',
            path: `/${BUCKET}/md5-match.txt`,
            body: 'the body sent',
            headers: { 'content-md5': md5Base64('the body sent') },
        });
        assert.equal(good.status, 200, good.body);
    });

    test('a Content-MD5 that is not a base64 MD5 is 400 InvalidDigest', async () => {
        for (const value of ['not base64!', md5Base64('x').slice(0, 12), 'AAAA']) {
            const res = await send({
                method: 'PUT',
                path: `/${BUCKET}/md5-invalid.txt`,
                body: 'body',
                headers: { 'content-md5': value },
            });
            assertError(res, 400, 'InvalidDigest');
        }
        await assertStillServing();
    });
});

describe('malformed requests', () => {
    test('malformed XML in CompleteMultipartUpload is 400 MalformedXML', async () => {
        const created = await s3.send(
            new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'mpu.bin' }),
        );
        for (const body of ['<CompleteMultipartUpload><Part><PartNumber>1', 'not xml at all']) {
            const res = await send({
                method: 'POST',
                path: `/${BUCKET}/mpu.bin`,
                query: { uploadId: created.UploadId! },
                body,
            });
            assertError(res, 400, 'MalformedXML');
        }
        await assertStillServing();
    });

    test('malformed XML in DeleteObjects is 400 MalformedXML', async () => {
        const body = '<Delete><Object><Key>exists.txt</Key></Object>';
        const res = await send({
            method: 'POST',
            path: `/${BUCKET}`,
            query: { delete: '' },
            body,
            headers: { 'content-md5': md5Base64(body) },
        });
        assertError(res, 400, 'MalformedXML');
        await assertStillServing();
    });

    test('a key over 1024 bytes is KeyTooLongError; 1024 bytes is fine', async () => {
        await rejectsWithS3(
            s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k'.repeat(1025), Body: 'x' })),
            'KeyTooLongError',
            400,
        );
        // 1024 bytes of UTF-8, not 1024 characters: 'é' is two bytes.
        await rejectsWithS3(
            s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'é'.repeat(513), Body: 'x' })),
            'KeyTooLongError',
            400,
        );
        const ok = await s3.send(
            new PutObjectCommand({ Bucket: BUCKET, Key: 'k'.repeat(1024), Body: 'x' }),
        );
        assert.equal(ok.$metadata.httpStatusCode, 200);
        await assertStillServing();
    });

    test('unsupported operations are 501 NotImplemented with an XML error', async () => {
        const versioning = await send({
            method: 'GET',
            path: `/${BUCKET}`,
            query: { versioning: '' },
        });
        assertError(versioning, 501, 'NotImplemented');
        assert.match(String(versioning.headers['content-type']), /xml/);
        const lifecycle = await send({
            method: 'PUT',
            path: `/${BUCKET}`,
            query: { lifecycle: '' },
            body: '<LifecycleConfiguration></LifecycleConfiguration>',
        });
        assertError(lifecycle, 501, 'NotImplemented');
        await assertStillServing();
    });
});

describe('error responses', () => {
    test('carry Code, Message, Resource and a RequestId equal to x-amz-request-id', async () => {
        const res = await send({ method: 'GET', path: `/${BUCKET}/missing%20key.txt` });
        assertError(res, 404, 'NoSuchKey');
        assert.match(String(res.headers['content-type']), /application\/xml/);
        assert.ok(xmlText(res.body, 'Message'), 'Message');
        assert.equal(xmlText(res.body, 'Resource'), `/${BUCKET}/missing key.txt`);
        assert.equal(xmlText(res.body, 'Key'), 'missing key.txt');
        const requestId = xmlText(res.body, 'RequestId');
        assert.ok(requestId, 'RequestId');
        assert.equal(res.headers['x-amz-request-id'], requestId);
        assert.ok(res.headers['x-amz-id-2'], 'x-amz-id-2');
        await assertStillServing();
    });

    test('HEAD of a missing key is 404 with an empty body', async () => {
        const res = await send({ method: 'HEAD', path: `/${BUCKET}/missing.txt` });
        assert.equal(res.status, 404);
        assert.equal(res.body, '');
        assert.ok(res.headers['x-amz-request-id']);
        await assertStillServing();
    });
});

test('no secret, Authorization value or signature reaches the server output', () => {
    const output = server.output.join('\n');
    assert.ok(
        server.logs.some((entry) => entry['event'] === 'request'),
        'requests are logged',
    );
    assert.ok(!output.includes(SECRET_KEY), 'secret key');
    assert.ok(!output.includes('AWS4-HMAC-SHA256 Credential'), 'an Authorization header');
    assert.ok(authorizations.length > 10);
    for (const authorization of authorizations) {
        const signature = /Signature=([0-9a-f]{64})/.exec(authorization)?.[1];
        assert.ok(signature, authorization);
        assert.ok(!output.includes(signature), 'a signature');
    }
});

test('no request failed on the server side (5xx)', () => {
    assert.deepEqual(serverFailures(server.logs), []);
});
