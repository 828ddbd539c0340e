/**
 * Bucket policies and Block Public Access against a real Coffer process, through the AWS SDK v3
 * (root credentials) and plain `fetch` (anonymous). The server does not encrypt yet: the SSE
 * cases assert only the authorization outcome of requests that carry, or lack, the header.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
    CreateBucketCommand,
    DeleteBucketPolicyCommand,
    DeletePublicAccessBlockCommand,
    GetBucketPolicyCommand,
    GetBucketPolicyStatusCommand,
    GetObjectCommand,
    GetPublicAccessBlockCommand,
    PutBucketPolicyCommand,
    PutObjectCommand,
    PutPublicAccessBlockCommand,
    type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { eventually, rejectsWithS3 } from '../helpers/expect.js';
import { removeDataDir, s3Client, startServer, type RunningServer } from '../helpers/server.js';

let server: RunningServer;
let s3: S3Client;
const PUBLIC = 'policy-public';
const SSE = 'policy-sse';
const LOCKED = 'policy-locked';
const CONTENT = 'hello, anonymous reader';
const MiB = 1024 * 1024;

before(async () => {
    server = await startServer();
    s3 = s3Client(server);
    for (const Bucket of [PUBLIC, SSE, LOCKED]) await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket: PUBLIC, Key: 'public/hello.txt', Body: CONTENT }));
});

after(async () => {
    s3?.destroy();
    await server?.stop();
    if (server) removeDataDir(server);
});

function policy(bucket: string, ...statements: Array<Record<string, unknown>>): string {
    const full = statements.map((s) => ({ Effect: 'Allow', Principal: '*', ...s }));
    return JSON.stringify({ Version: '2012-10-17', Statement: full });
}

const objects = (bucket: string) => `arn:aws:s3:::${bucket}/*`;

function anonymous(path: string): Promise<Response> {
    return fetch(`${server.endpoint}${path}`);
}

async function putPolicy(Bucket: string, Policy: string) {
    return s3.send(new PutBucketPolicyCommand({ Bucket, Policy }));
}

describe('Block Public Access and a public read policy', () => {
    const readPolicy = policy(PUBLIC, {
        Sid: 'PublicRead',
        Action: 's3:GetObject',
        Resource: objects(PUBLIC),
    });

    test('a new bucket blocks everything and anonymous reads are refused', async () => {
        const got = await s3.send(new GetPublicAccessBlockCommand({ Bucket: PUBLIC }));
        assert.deepEqual(got.PublicAccessBlockConfiguration, {
            BlockPublicAcls: true,
            IgnorePublicAcls: true,
            BlockPublicPolicy: true,
            RestrictPublicBuckets: true,
        });
        const res = await anonymous(`/${PUBLIC}/public/hello.txt`);
        assert.equal(res.status, 403);
        assert.match(await res.text(), /<Code>AccessDenied<\/Code>/);
    });

    test('BlockPublicPolicy refuses a public policy with 403 AccessDenied', async () => {
        await rejectsWithS3(putPolicy(PUBLIC, readPolicy), 'AccessDenied', 403);
        await rejectsWithS3(
            s3.send(new GetBucketPolicyCommand({ Bucket: PUBLIC })),
            'NoSuchBucketPolicy',
            404,
        );
    });

    test('with RestrictPublicBuckets on, a stored public policy reaches nobody outside', async () => {
        await s3.send(
            new PutPublicAccessBlockCommand({
                Bucket: PUBLIC,
                PublicAccessBlockConfiguration: { RestrictPublicBuckets: true },
            }),
        );
        const got = await s3.send(new GetPublicAccessBlockCommand({ Bucket: PUBLIC }));
        assert.equal(got.PublicAccessBlockConfiguration?.BlockPublicPolicy, false);
        await putPolicy(PUBLIC, readPolicy);
        assert.equal((await anonymous(`/${PUBLIC}/public/hello.txt`)).status, 403);
    });

    test('after DeletePublicAccessBlock, an anonymous GET works', async () => {
        const deleted = await s3.send(new DeletePublicAccessBlockCommand({ Bucket: PUBLIC }));
        assert.equal(deleted.$metadata.httpStatusCode, 204);
        await rejectsWithS3(
            s3.send(new GetPublicAccessBlockCommand({ Bucket: PUBLIC })),
            'NoSuchPublicAccessBlockConfiguration',
            404,
        );
        const res = await anonymous(`/${PUBLIC}/public/hello.txt`);
        assert.equal(res.status, 200);
        assert.equal(await res.text(), CONTENT);
        const stored = await s3.send(new GetBucketPolicyCommand({ Bucket: PUBLIC }));
        assert.equal(stored.Policy, readPolicy);
        const status = await s3.send(new GetBucketPolicyStatusCommand({ Bucket: PUBLIC }));
        assert.equal(status.PolicyStatus?.IsPublic, true);
    });

    test('a missing key is 403 without s3:ListBucket, 404 with it', async () => {
        assert.equal((await anonymous(`/${PUBLIC}/public/missing.txt`)).status, 403);
        await putPolicy(
            PUBLIC,
            policy(
                PUBLIC,
                { Action: 's3:GetObject', Resource: objects(PUBLIC) },
                { Action: 's3:ListBucket', Resource: `arn:aws:s3:::${PUBLIC}` },
            ),
        );
        const res = await anonymous(`/${PUBLIC}/public/missing.txt`);
        assert.equal(res.status, 404);
        assert.match(await res.text(), /<Code>NoSuchKey<\/Code>/);
    });

    test('s3:prefix limits an anonymous listing', async () => {
        await putPolicy(
            PUBLIC,
            policy(PUBLIC, {
                Action: 's3:ListBucket',
                Resource: `arn:aws:s3:::${PUBLIC}`,
                Condition: { StringLike: { 's3:prefix': 'public/*' } },
            }),
        );
        const listed = await anonymous(`/${PUBLIC}?list-type=2&prefix=public/`);
        assert.equal(listed.status, 200);
        assert.match(await listed.text(), /<Key>public\/hello.txt<\/Key>/);
        assert.equal((await anonymous(`/${PUBLIC}?list-type=2&prefix=private/`)).status, 403);
        assert.equal((await anonymous(`/${PUBLIC}?list-type=2`)).status, 403);
        assert.equal((await anonymous(`/${PUBLIC}/public/hello.txt`)).status, 403);
    });

    test('a refused policy leaves the previous one in force', async () => {
        const before = (await s3.send(new GetBucketPolicyCommand({ Bucket: PUBLIC }))).Policy;
        const malformed: Array<[string, RegExp]> = [
            [' {"Statement": []}', /first byte must be '\{'/],
            ['{"Statement": [', /invalid Json/],
            [
                policy(PUBLIC, {
                    Effect: 'Maybe',
                    Action: 's3:GetObject',
                    Resource: objects(PUBLIC),
                }),
                /Invalid effect: Maybe/,
            ],
            [
                policy(PUBLIC, {
                    Action: 's3:GetObject',
                    Resource: 'arn:aws:s3:::another-bucket/*',
                }),
                /invalid resource/,
            ],
            [
                policy(PUBLIC, {
                    Principal: { AWS: '999999999999' },
                    Action: 's3:GetObject',
                    Resource: objects(PUBLIC),
                }),
                /Invalid principal/,
            ],
            [
                policy(PUBLIC, { Action: 's3:GetObjekt', Resource: objects(PUBLIC) }),
                /invalid action/,
            ],
        ];
        for (const [text, message] of malformed) {
            await assert.rejects(
                putPolicy(PUBLIC, text),
                (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
                    assert.equal(err.name, 'MalformedPolicy', text);
                    assert.equal(err.$metadata?.httpStatusCode, 400);
                    assert.match(err.message, message);
                    return true;
                },
            );
        }
        const after = (await s3.send(new GetBucketPolicyCommand({ Bucket: PUBLIC }))).Policy;
        assert.equal(after, before);
    });
});

describe('requiring SSE with a bucket policy (AWS documented example)', () => {
    before(async () => {
        await putPolicy(
            SSE,
            policy(
                SSE,
                {
                    Sid: 'DenyIncorrectEncryptionHeader',
                    Effect: 'Deny',
                    Action: 's3:PutObject',
                    Resource: objects(SSE),
                    Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' } },
                },
                {
                    Sid: 'DenyUnEncryptedObjectUploads',
                    Effect: 'Deny',
                    Action: 's3:PutObject',
                    Resource: objects(SSE),
                    Condition: { Null: { 's3:x-amz-server-side-encryption': 'true' } },
                },
            ),
        );
    });

    test("refuses the root user's plain PutObject, accepts one with AES256", async () => {
        await rejectsWithS3(
            s3.send(new PutObjectCommand({ Bucket: SSE, Key: 'plain.txt', Body: 'x' })),
            'AccessDenied',
            403,
        );
        const ok = await s3.send(
            new PutObjectCommand({
                Bucket: SSE,
                Key: 'encrypted.txt',
                Body: 'x',
                ServerSideEncryption: 'AES256',
            }),
        );
        assert.equal(ok.$metadata.httpStatusCode, 200);
        await rejectsWithS3(
            s3.send(
                new PutObjectCommand({
                    Bucket: SSE,
                    Key: 'kms.txt',
                    Body: 'x',
                    ServerSideEncryption: 'aws:kms',
                }),
            ),
            'AccessDenied',
            403,
        );
    });

    test('a 40 MiB multipart upload passes with AES256 and is refused at CreateMultipartUpload without', async () => {
        const body = randomBytes(40 * MiB);
        const encrypted = new Upload({
            client: s3,
            params: {
                Bucket: SSE,
                Key: 'big-encrypted.bin',
                Body: body,
                ServerSideEncryption: 'AES256',
            },
        });
        await encrypted.done();
        const head = await s3.send(new GetObjectCommand({ Bucket: SSE, Key: 'big-encrypted.bin' }));
        assert.equal(head.ContentLength, body.length);
        await head.Body?.transformToByteArray();

        const plain = new Upload({
            client: s3,
            params: { Bucket: SSE, Key: 'big-plain.bin', Body: body },
        });
        await rejectsWithS3(plain.done(), 'AccessDenied', 403);
        // Log lines reach the test through the server's stdout, a moment after the response.
        const decisionsOf = (key: string) =>
            server.logs.filter(
                (line) =>
                    line['event'] === 'authorization' && String(line['resource']).endsWith(key),
            );
        await eventually(() => decisionsOf('/big-plain.bin').length > 0, 5000);
        const decisions = decisionsOf('/big-plain.bin');
        assert.deepEqual(
            decisions.map((line) => [line['operation'], line['decision']]),
            [['CreateMultipartUpload', 'explicit deny']],
        );
        const parts = server.logs.filter(
            (line) =>
                line['event'] === 'authorization' &&
                line['operation'] === 'UploadPart' &&
                String(line['resource']).endsWith('/big-encrypted.bin'),
        );
        assert.equal(parts.length, 8);
        assert.ok(parts.every((line) => line['decision'] === 'allow'));
    });
});

describe('lock-out protection', () => {
    test('the root user can always delete its bucket policy, even under a Deny-all policy', async () => {
        await s3.send(new PutObjectCommand({ Bucket: LOCKED, Key: 'k', Body: 'v' }));
        await putPolicy(
            LOCKED,
            policy(LOCKED, {
                Sid: 'DenyAll',
                Effect: 'Deny',
                Action: 's3:*',
                Resource: [`arn:aws:s3:::${LOCKED}`, objects(LOCKED)],
            }),
        );
        await rejectsWithS3(
            s3.send(new GetObjectCommand({ Bucket: LOCKED, Key: 'k' })),
            'AccessDenied',
            403,
        );
        const stored = await s3.send(new GetBucketPolicyCommand({ Bucket: LOCKED }));
        assert.match(stored.Policy ?? '', /DenyAll/);
        const deleted = await s3.send(new DeleteBucketPolicyCommand({ Bucket: LOCKED }));
        assert.equal(deleted.$metadata.httpStatusCode, 204);
        const got = await s3.send(new GetObjectCommand({ Bucket: LOCKED, Key: 'k' }));
        assert.equal(await got.Body?.transformToString(), 'v');
    });
});
