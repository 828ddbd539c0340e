/**
 * Server-side encryption through @aws-sdk/client-s3 and @aws-sdk/client-kms against a real Coffer
 * process (with --allow-insecure-ssec, since the tests speak plain HTTP): each mode's response
 * headers and ETags, the SSE-KMS key forms and key states, SSE-C's refusals, default bucket
 * encryption and SSE-C blocking, and anonymous reads of KMS objects.
 * Byte-level behaviour (ranges, copies, multipart) is in sse-sdk-data.test.ts.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
    CreateAliasCommand,
    CreateKeyCommand,
    DescribeKeyCommand,
    DisableKeyCommand,
    EnableKeyCommand,
    KMSClient,
    ListAliasesCommand,
    ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import {
    CreateBucketCommand,
    DeleteBucketEncryptionCommand,
    DeletePublicAccessBlockCommand,
    GetBucketEncryptionCommand,
    GetObjectCommand,
    HeadObjectCommand,
    PutBucketEncryptionCommand,
    PutBucketPolicyCommand,
    PutObjectCommand,
    type S3Client,
    type ServerSideEncryptionRule,
} from '@aws-sdk/client-s3';
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

let server: RunningServer;
let s3: S3Client;
let kms: KMSClient;
const BUCKET = 'sse-modes';
const SSEC_BUCKET = 'sse-c-open';
const CUSTOMER_KEY = randomBytes(32);
const md5Hex = (data: Buffer | string) => createHash('md5').update(data).digest('hex');
const md5B64 = (data: Buffer) => createHash('md5').update(data).digest('base64');
const ssec = (key: Buffer = CUSTOMER_KEY) => ({
    SSECustomerAlgorithm: 'AES256',
    SSECustomerKey: key.toString('base64'),
});

before(async () => {
    server = await startServer({ args: ['--allow-insecure-ssec'] });
    s3 = s3Client(server, { maxAttempts: 1 });
    kms = new KMSClient({
        endpoint: server.endpoint,
        region: REGION,
        credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
        maxAttempts: 1,
    });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.send(new CreateBucketCommand({ Bucket: SSEC_BUCKET }));
    await putRule(SSEC_BUCKET, {
        ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
        BlockedEncryptionTypes: { EncryptionType: ['NONE'] },
    });
});

after(async () => {
    s3?.destroy();
    kms?.destroy();
    await server?.stop();
    if (server) removeDataDir(server);
});

function putRule(bucket: string, rule: ServerSideEncryptionRule) {
    return s3.send(
        new PutBucketEncryptionCommand({
            Bucket: bucket,
            ServerSideEncryptionConfiguration: { Rules: [rule] },
        }),
    );
}

async function newKey(alias?: string): Promise<string> {
    const created = await kms.send(new CreateKeyCommand({ Description: 'sse test' }));
    const arn = created.KeyMetadata!.Arn!;
    if (alias) await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: arn }));
    return arn;
}

async function getText(bucket: string, key: string, extra: Record<string, unknown> = {}) {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...extra }));
    return { res, body: await res.Body!.transformToString() };
}

describe('SSE-S3, the default', () => {
    test('a write without SSE headers is reported AES256, with the MD5 ETag', async () => {
        const put = await s3.send(
            new PutObjectCommand({ Bucket: BUCKET, Key: 'plain', Body: 'plain' }),
        );
        assert.equal(put.ServerSideEncryption, 'AES256');
        assert.equal(put.ETag, `"${md5Hex('plain')}"`);
        const { res, body } = await getText(BUCKET, 'plain');
        assert.equal(body, 'plain');
        assert.equal(res.ServerSideEncryption, 'AES256');
        const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'plain' }));
        assert.equal(head.ServerSideEncryption, 'AES256');
        assert.equal(head.SSEKMSKeyId, undefined);
    });

    test('explicit AES256 is the same', async () => {
        const put = await s3.send(
            new PutObjectCommand({
                Bucket: BUCKET,
                Key: 's3',
                Body: 'x',
                ServerSideEncryption: 'AES256',
            }),
        );
        assert.equal(put.ServerSideEncryption, 'AES256');
        assert.equal(put.ETag, `"${md5Hex('x')}"`);
    });

    test('the SSE header on a GET is refused', async () => {
        // The SDK has no GetObject SSE member: the header is added after serialization.
        const client = clientWithHeader('x-amz-server-side-encryption', 'AES256');
        const sent = client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 's3' }));
        await rejectsWithS3(sent, 'InvalidArgument', 400);
        client.destroy();
    });
});

describe('SSE-KMS', () => {
    let keyArn: string;
    before(async () => {
        keyArn = await newKey('alias/sse-sdk');
    });

    test('takes a key id, key ARN, alias name or alias ARN; answers the key ARN', async () => {
        const keyId = keyArn.split('/').pop()!;
        const aliasArn = keyArn.replace(/key\/.*$/, 'alias/sse-sdk');
        for (const [i, ref] of [keyId, keyArn, 'alias/sse-sdk', aliasArn].entries()) {
            const body = `kms ${i}`;
            const put = await s3.send(
                new PutObjectCommand({
                    Bucket: BUCKET,
                    Key: `kms-${i}`,
                    Body: body,
                    ServerSideEncryption: 'aws:kms',
                    SSEKMSKeyId: ref,
                }),
            );
            assert.equal(put.ServerSideEncryption, 'aws:kms');
            assert.equal(put.SSEKMSKeyId, keyArn, ref);
            assert.match(put.ETag!, /^"[0-9a-f]{32}"$/);
            assert.notEqual(put.ETag, `"${md5Hex(body)}"`, 'an SSE-KMS ETag is not the MD5');
            const { res, body: read } = await getText(BUCKET, `kms-${i}`);
            assert.equal(read, body);
            assert.equal(res.ServerSideEncryption, 'aws:kms');
            assert.equal(res.SSEKMSKeyId, keyArn);
            assert.equal(res.ETag, put.ETag);
            const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `kms-${i}` }));
            assert.equal(head.SSEKMSKeyId, keyArn);
            assert.equal(head.BucketKeyEnabled, undefined);
        }
    });

    test('without a key id uses alias/aws/s3, created on first use', async () => {
        const aliases = async () =>
            (await kms.send(new ListAliasesCommand({}))).Aliases?.map((a) => a.AliasName) ?? [];
        assert.ok(!(await aliases()).includes('alias/aws/s3'), 'not made before first use');
        const put = await s3.send(
            new PutObjectCommand({
                Bucket: BUCKET,
                Key: 'managed',
                Body: 'm',
                ServerSideEncryption: 'aws:kms',
            }),
        );
        const managed = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/s3' }));
        assert.equal(managed.KeyMetadata?.KeyManager, 'AWS');
        assert.equal(put.SSEKMSKeyId, managed.KeyMetadata?.Arn);
        assert.ok((await aliases()).includes('alias/aws/s3'));
        assert.equal((await getText(BUCKET, 'managed')).body, 'm');
    });

    test('echoes the encryption context with aws:s3:arn added', async () => {
        const context = { project: 'coffer', stage: 'test' };
        const put = await s3.send(
            new PutObjectCommand({
                Bucket: BUCKET,
                Key: 'with-context',
                Body: 'c',
                ServerSideEncryption: 'aws:kms',
                SSEKMSKeyId: keyArn,
                SSEKMSEncryptionContext: Buffer.from(JSON.stringify(context)).toString('base64'),
            }),
        );
        const echoed = JSON.parse(Buffer.from(put.SSEKMSEncryptionContext!, 'base64').toString());
        assert.deepEqual(echoed, {
            ...context,
            'aws:s3:arn': `arn:aws:s3:::${BUCKET}/with-context`,
        });
        assert.equal((await getText(BUCKET, 'with-context')).body, 'c');
    });

    test('refuses unknown keys with KMS.NotFoundException', async () => {
        const missing = keyArn.replace(/key\/.*$/, 'key/00000000-0000-4000-8000-000000000000');
        for (const ref of ['fake-key-id', missing, 'alias/no-such-alias']) {
            const put = s3.send(
                new PutObjectCommand({
                    Bucket: BUCKET,
                    Key: 'nope',
                    Body: 'x',
                    ServerSideEncryption: 'aws:kms',
                    SSEKMSKeyId: ref,
                }),
            );
            await rejectsWithS3(put, 'KMS.NotFoundException', 400);
        }
    });

    test('a disabled key blocks PUT and GET until EnableKey', async () => {
        const arn = await newKey();
        const params = {
            Bucket: BUCKET,
            ServerSideEncryption: 'aws:kms' as const,
            SSEKMSKeyId: arn,
        };
        await s3.send(new PutObjectCommand({ ...params, Key: 'to-disable', Body: 'secret' }));
        await kms.send(new DisableKeyCommand({ KeyId: arn }));
        await rejectsWithS3(
            s3.send(new PutObjectCommand({ ...params, Key: 'after-disable', Body: 'x' })),
            'KMS.DisabledException',
            400,
        );
        await rejectsWithS3(getText(BUCKET, 'to-disable'), 'KMS.DisabledException', 400);
        // HEAD makes no KMS call (AWS's HeadObject needs no kms:Decrypt): it still answers.
        const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'to-disable' }));
        assert.equal(head.SSEKMSKeyId, arn);
        await kms.send(new EnableKeyCommand({ KeyId: arn }));
        assert.equal((await getText(BUCKET, 'to-disable')).body, 'secret');
    });

    test('a key pending deletion gives KMS.KMSInvalidStateException', async () => {
        const arn = await newKey();
        await s3.send(
            new PutObjectCommand({
                Bucket: BUCKET,
                Key: 'to-delete',
                Body: 'x',
                ServerSideEncryption: 'aws:kms',
                SSEKMSKeyId: arn,
            }),
        );
        await kms.send(new ScheduleKeyDeletionCommand({ KeyId: arn, PendingWindowInDays: 7 }));
        await rejectsWithS3(getText(BUCKET, 'to-delete'), 'KMS.KMSInvalidStateException', 400);
    });

    test('anonymous reads of a KMS object are refused, of an SSE-S3 one allowed', async () => {
        const open = 'sse-public';
        await s3.send(new CreateBucketCommand({ Bucket: open }));
        await s3.send(new DeletePublicAccessBlockCommand({ Bucket: open }));
        const policy = {
            Version: '2012-10-17',
            Statement: [
                {
                    Effect: 'Allow',
                    Principal: '*',
                    Action: 's3:GetObject',
                    Resource: `arn:aws:s3:::${open}/*`,
                },
            ],
        };
        await s3.send(new PutBucketPolicyCommand({ Bucket: open, Policy: JSON.stringify(policy) }));
        await s3.send(
            new PutObjectCommand({
                Bucket: open,
                Key: 'kms',
                Body: 'k',
                ServerSideEncryption: 'aws:kms',
            }),
        );
        await s3.send(new PutObjectCommand({ Bucket: open, Key: 's3', Body: 's' }));
        const kmsRead = await fetch(`${server.endpoint}/${open}/kms`);
        assert.equal(kmsRead.status, 400);
        const text = await kmsRead.text();
        assert.match(text, /<Code>InvalidArgument<\/Code>/);
        assert.match(
            text,
            /<ArgumentName>Authorization<\/ArgumentName><ArgumentValue>null<\/ArgumentValue>/,
        );
        assert.match(text, /require AWS Signature Version 4/);
        const s3Read = await fetch(`${server.endpoint}/${open}/s3`);
        assert.equal(s3Read.status, 200);
        assert.equal(await s3Read.text(), 's');
    });
});

describe('SSE-C', () => {
    test('put, get, head with the key: the key MD5 echoed, the ETag not the MD5', async () => {
        const body = 'customer secret';
        const put = await s3.send(
            new PutObjectCommand({ Bucket: SSEC_BUCKET, Key: 'c', Body: body, ...ssec() }),
        );
        assert.equal(put.SSECustomerAlgorithm, 'AES256');
        assert.equal(put.SSECustomerKeyMD5, md5B64(CUSTOMER_KEY));
        assert.equal(put.ServerSideEncryption, undefined);
        assert.notEqual(put.ETag, `"${md5Hex(body)}"`);
        const { res, body: read } = await getText(SSEC_BUCKET, 'c', ssec());
        assert.equal(read, body);
        assert.equal(res.SSECustomerKeyMD5, md5B64(CUSTOMER_KEY));
        const head = await s3.send(
            new HeadObjectCommand({ Bucket: SSEC_BUCKET, Key: 'c', ...ssec() }),
        );
        assert.equal(head.SSECustomerAlgorithm, 'AES256');
        assert.equal(head.ETag, put.ETag);
    });

    test('refuses a read without the key (400), with a wrong key (403)', async () => {
        await rejectsWithS3(getText(SSEC_BUCKET, 'c'), 'InvalidRequest', 400);
        await rejectsWithS3(
            s3.send(new HeadObjectCommand({ Bucket: SSEC_BUCKET, Key: 'c' })),
            undefined,
            400,
        );
        await rejectsWithS3(getText(SSEC_BUCKET, 'c', ssec(randomBytes(32))), 'AccessDenied', 403);
        await rejectsWithS3(
            s3.send(
                new HeadObjectCommand({ Bucket: SSEC_BUCKET, Key: 'c', ...ssec(randomBytes(32)) }),
            ),
            undefined,
            403,
        );
        await rejectsWithS3(getText(BUCKET, 'plain', ssec()), 'InvalidRequest', 400);
    });

    test('refuses a bad MD5, AES128, and SSE-C together with SSE', async () => {
        const command = (extra: Record<string, unknown> = {}) =>
            new PutObjectCommand({
                Bucket: SSEC_BUCKET,
                Key: 'bad',
                Body: 'x',
                ...ssec(),
                ...extra,
            });
        const put = (extra: Record<string, unknown>) => s3.send(command(extra));
        const md5Header = 'x-amz-server-side-encryption-customer-key-md5';
        const client = clientWithHeader(md5Header, md5B64(Buffer.from('not the key')));
        await rejectsWithS3(client.send(command()), 'InvalidArgument', 400);
        client.destroy();
        await rejectsWithS3(
            put({ SSECustomerAlgorithm: 'AES128' }),
            'InvalidEncryptionAlgorithmError',
            400,
        );
        await rejectsWithS3(put({ ServerSideEncryption: 'AES256' }), 'InvalidArgument', 400);
    });

    test('is blocked on a new bucket until BlockedEncryptionTypes is NONE', async () => {
        const bucket = 'sse-c-blocked';
        await s3.send(new CreateBucketCommand({ Bucket: bucket }));
        const fresh = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
        assert.deepEqual(fresh.ServerSideEncryptionConfiguration?.Rules, [
            {
                ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
                BucketKeyEnabled: false,
                BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] },
            },
        ]);
        const put = () =>
            s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'c', Body: 'x', ...ssec() }));
        await rejectsWithS3(put(), 'AccessDenied', 403);
        await putRule(bucket, {
            ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
            BlockedEncryptionTypes: { EncryptionType: ['NONE'] },
        });
        await put();
        assert.equal((await getText(bucket, 'c', ssec())).body, 'x');
    });
});

describe('default bucket encryption', () => {
    test('aws:kms with a bucket key applies to writes without headers', async () => {
        const bucket = 'sse-kms-default';
        const arn = await newKey('alias/bucket-default');
        await s3.send(new CreateBucketCommand({ Bucket: bucket }));
        await putRule(bucket, {
            ApplyServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: 'alias/bucket-default',
            },
            BucketKeyEnabled: true,
        });
        const got = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
        const rule = got.ServerSideEncryptionConfiguration!.Rules![0]!;
        assert.equal(rule.ApplyServerSideEncryptionByDefault?.SSEAlgorithm, 'aws:kms');
        assert.equal(
            rule.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID,
            'alias/bucket-default',
        );
        assert.equal(rule.BucketKeyEnabled, true);
        assert.deepEqual(rule.BlockedEncryptionTypes?.EncryptionType, ['SSE-C'], 'blocking kept');
        for (const key of ['one', 'two']) {
            const put = await s3.send(
                new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }),
            );
            assert.equal(put.ServerSideEncryption, 'aws:kms');
            assert.equal(put.SSEKMSKeyId, arn);
            assert.equal(put.BucketKeyEnabled, true);
            const { res, body } = await getText(bucket, key);
            assert.equal(body, key);
            assert.equal(res.BucketKeyEnabled, true);
        }
        const explicit = await s3.send(
            new PutObjectCommand({
                Bucket: bucket,
                Key: 'aes',
                Body: 'a',
                ServerSideEncryption: 'AES256',
            }),
        );
        assert.equal(explicit.ServerSideEncryption, 'AES256', 'headers win over the default');

        await s3.send(new DeleteBucketEncryptionCommand({ Bucket: bucket }));
        const after = await s3.send(
            new PutObjectCommand({ Bucket: bucket, Key: 'three', Body: '3' }),
        );
        assert.equal(after.ServerSideEncryption, 'AES256');
        assert.equal((await getText(bucket, 'one')).body, 'one', 'earlier objects stay readable');
    });

    test('refuses a KMS key with AES256, two rules, and DSSE', async () => {
        await rejectsWithS3(
            putRule(BUCKET, {
                ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256', KMSMasterKeyID: 'k' },
            }),
            'InvalidArgument',
            400,
        );
        const rule = { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' as const } };
        await rejectsWithS3(
            s3.send(
                new PutBucketEncryptionCommand({
                    Bucket: BUCKET,
                    ServerSideEncryptionConfiguration: { Rules: [rule, rule] },
                }),
            ),
            'MalformedXML',
            400,
        );
        await rejectsWithS3(
            s3.send(
                new PutObjectCommand({
                    Bucket: BUCKET,
                    Key: 'd',
                    Body: 'x',
                    ServerSideEncryption: 'aws:kms:dsse',
                }),
            ),
            'NotImplemented',
            501,
        );
    });
});

test('no request failed on the server side (5xx)', () => {
    assert.deepEqual(serverFailures(server.logs), []);
});

test('the server printed neither the SSE-C key nor its MD5', () => {
    const printed = server.output.join('\n');
    assert.ok(printed.includes('"event":"request"'), 'the log was captured');
    assert.ok(!printed.includes(CUSTOMER_KEY.toString('base64')));
    assert.ok(!printed.includes(md5B64(CUSTOMER_KEY)));
});

/**
 * A client that sets (or replaces) one header after serialization, before signing: to send
 * what the SDK would not (an SSE header on GET, a wrong key MD5).
 */
function clientWithHeader(name: string, value: string): S3Client {
    const client = s3Client(server, { maxAttempts: 1 });
    client.middlewareStack.add(
        (next) => async (args) => {
            // Parse boundary: the build step's request is the SDK's HttpRequest.
            (args.request as { headers: Record<string, string> }).headers[name] = value;
            return next(args);
        },
        { step: 'build' },
    );
    return client;
}
