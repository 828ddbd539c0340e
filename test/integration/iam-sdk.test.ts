/**
 * The IAM API served at Coffer's S3 endpoint, through `@aws-sdk/client-iam` pointed at it:
 * users, access keys (an Inactive key stops authenticating S3 requests), inline and managed
 * policies (and their effect on S3 requests), IAM's error codes, IAM users' own IAM
 * permissions; then a few calls of the real `aws iam` CLI. The wire-level cases (unknown
 * actions, unsigned calls, routing) are in iam-wire.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
    AttachUserPolicyCommand,
    CreateAccessKeyCommand,
    CreatePolicyCommand,
    CreateUserCommand,
    DeleteAccessKeyCommand,
    DeletePolicyCommand,
    DeleteUserCommand,
    DeleteUserPolicyCommand,
    DetachUserPolicyCommand,
    GetPolicyCommand,
    GetUserCommand,
    GetUserPolicyCommand,
    IAMClient,
    ListAccessKeysCommand,
    ListAttachedUserPoliciesCommand,
    ListPoliciesCommand,
    ListUserPoliciesCommand,
    ListUsersCommand,
    PutUserPolicyCommand,
    UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { xmlText } from '../helpers/expect.js';
import {
    ACCESS_KEY,
    awsEnv,
    REGION,
    removeDataDir,
    runCommand,
    s3Client,
    SECRET_KEY,
    startServer,
    testTools,
    writeAwsConfig,
    type RunningServer,
} from '../helpers/server.js';

let server: RunningServer;
let iam: IAMClient;
const clients: Array<{ destroy(): void }> = [];

before(async () => {
    server = await startServer();
    iam = iamClient(ACCESS_KEY, SECRET_KEY);
});

after(async () => {
    for (const client of clients) client.destroy();
    await server?.stop();
    if (server) removeDataDir(server);
});

function iamClient(accessKeyId: string, secretAccessKey: string): IAMClient {
    const client = new IAMClient({
        endpoint: server.endpoint,
        region: REGION,
        credentials: { accessKeyId, secretAccessKey },
        maxAttempts: 1,
    });
    clients.push(client);
    return client;
}

function s3As(accessKeyId: string, secretAccessKey: string): S3Client {
    const credentials = { accessKeyId, secretAccessKey };
    const client = s3Client(server, { credentials, maxAttempts: 1 });
    clients.push(client);
    return client;
}

/** Asserts an IAM (or S3) error by the SDK's error name and the HTTP status. */
async function rejectsWith(operation: Promise<unknown>, name: string, status: number) {
    await assert.rejects(operation, (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(err.name, name, String(err));
        assert.equal(err.$metadata?.httpStatusCode, status, String(err));
        return true;
    });
}

const xmlCode = (body: string) => xmlText(body, 'Code');

const policyDocument = (...statements: Array<Record<string, unknown>>) =>
    JSON.stringify({ Version: '2012-10-17', Statement: statements });
const LIST_BUCKETS = policyDocument({
    Effect: 'Allow',
    Action: 's3:ListAllMyBuckets',
    Resource: '*',
});

describe('users and access keys', () => {
    let keyId: string;
    let secret: string;

    test('CreateUser, GetUser, ListUsers; a second CreateUser is EntityAlreadyExists', async () => {
        const created = await iam.send(new CreateUserCommand({ UserName: 'alice', Path: '/t/' }));
        assert.match(created.User!.Arn!, /^arn:aws:iam::\d{12}:user\/t\/alice$/);
        assert.match(created.User!.UserId!, /^AIDA[A-Z0-9]{17}$/);
        const got = await iam.send(new GetUserCommand({ UserName: 'alice' }));
        assert.equal(got.User?.Arn, created.User!.Arn);
        assert.equal(got.User?.Path, '/t/');
        const listed = await iam.send(new ListUsersCommand({}));
        assert.deepEqual(
            listed.Users?.map((u) => u.UserName),
            ['alice'],
        );
        assert.equal(listed.IsTruncated, false);
        await rejectsWith(
            iam.send(new CreateUserCommand({ UserName: 'alice' })),
            'EntityAlreadyExistsException',
            409,
        );
        await rejectsWith(
            iam.send(new GetUserCommand({ UserName: 'nobody' })),
            'NoSuchEntityException',
            404,
        );
    });

    test('CreateAccessKey: a key that signs S3 requests; ListAccessKeys shows it', async () => {
        const created = await iam.send(new CreateAccessKeyCommand({ UserName: 'alice' }));
        keyId = created.AccessKey!.AccessKeyId!;
        secret = created.AccessKey!.SecretAccessKey!;
        assert.equal(created.AccessKey?.Status, 'Active');
        const listed = await iam.send(new ListAccessKeysCommand({ UserName: 'alice' }));
        assert.deepEqual(
            listed.AccessKeyMetadata?.map((k) => [k.AccessKeyId, k.Status, k.UserName]),
            [[keyId, 'Active', 'alice']],
        );
        assert.equal('SecretAccessKey' in listed.AccessKeyMetadata![0]!, false);
        // Known but not allowed anything: AccessDenied, not InvalidAccessKeyId.
        await rejectsWith(
            s3As(keyId, secret).send(new ListBucketsCommand({})),
            'AccessDenied',
            403,
        );
    });

    test('an Inactive key stops authenticating at once; Active again, it works again', async () => {
        const alice = s3As(keyId, secret);
        // A URL presigned while the key is active stops working with it too.
        const presigned = await getSignedUrl(alice, new ListBucketsCommand({}), { expiresIn: 600 });
        const presignedCode = async () => xmlCode(await (await fetch(presigned)).text());
        assert.equal(await presignedCode(), 'AccessDenied');
        await iam.send(
            new UpdateAccessKeyCommand({
                UserName: 'alice',
                AccessKeyId: keyId,
                Status: 'Inactive',
            }),
        );
        const listed = await iam.send(new ListAccessKeysCommand({ UserName: 'alice' }));
        assert.equal(listed.AccessKeyMetadata?.[0]?.Status, 'Inactive');
        await rejectsWith(alice.send(new ListBucketsCommand({})), 'InvalidAccessKeyId', 403);
        assert.equal(await presignedCode(), 'InvalidAccessKeyId');
        await rejectsWith(
            iamClient(keyId, secret).send(new GetUserCommand({})),
            'InvalidClientTokenId',
            403,
        );
        await iam.send(
            new UpdateAccessKeyCommand({ UserName: 'alice', AccessKeyId: keyId, Status: 'Active' }),
        );
        await rejectsWith(alice.send(new ListBucketsCommand({})), 'AccessDenied', 403);
        assert.equal(await presignedCode(), 'AccessDenied');
    });

    test('a wrong secret is SignatureDoesNotMatch, for IAM and S3 alike', async () => {
        const wrong = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
        await rejectsWith(
            iamClient(keyId, wrong).send(new GetUserCommand({})),
            'SignatureDoesNotMatch',
            403,
        );
        await rejectsWith(
            s3As(keyId, wrong).send(new ListBucketsCommand({})),
            'SignatureDoesNotMatch',
            403,
        );
    });

    test('DeleteUser is a DeleteConflict while the user has a key', async () => {
        await rejectsWith(
            iam.send(new DeleteUserCommand({ UserName: 'alice' })),
            'DeleteConflictException',
            409,
        );
    });

    test('inline policies: Put, Get, List, Delete; they decide S3 requests', async () => {
        const alice = s3As(keyId, secret);
        const input = { UserName: 'alice', PolicyName: 'list-buckets' };
        await iam.send(new PutUserPolicyCommand({ ...input, PolicyDocument: LIST_BUCKETS }));
        const got = await iam.send(new GetUserPolicyCommand(input));
        // The Query protocol sends the document URL-encoded; the SDK hands it over as sent.
        assert.equal(decodeURIComponent(got.PolicyDocument!), LIST_BUCKETS);
        const names = await iam.send(new ListUserPoliciesCommand({ UserName: 'alice' }));
        assert.deepEqual(names.PolicyNames, ['list-buckets']);
        const buckets = await alice.send(new ListBucketsCommand({}));
        assert.equal(buckets.$metadata.httpStatusCode, 200);

        await iam.send(new DeleteUserPolicyCommand(input));
        await rejectsWith(alice.send(new ListBucketsCommand({})), 'AccessDenied', 403);
        await rejectsWith(iam.send(new GetUserPolicyCommand(input)), 'NoSuchEntityException', 404);
        await rejectsWith(
            iam.send(new PutUserPolicyCommand({ ...input, PolicyDocument: '{"Statement": [' })),
            'MalformedPolicyDocumentException',
            400,
        );
        const wrongEffect = policyDocument({ Effect: 'Maybe', Action: 's3:*', Resource: '*' });
        await rejectsWith(
            iam.send(new PutUserPolicyCommand({ ...input, PolicyDocument: wrongEffect })),
            'MalformedPolicyDocumentException',
            400,
        );
    });

    test('managed policies: Create, Get, List, Attach, ListAttached, Detach, Delete', async () => {
        const alice = s3As(keyId, secret);
        const created = await iam.send(
            new CreatePolicyCommand({ PolicyName: 'ListBuckets', PolicyDocument: LIST_BUCKETS }),
        );
        const arn = created.Policy!.Arn!;
        assert.match(arn, /^arn:aws:iam::\d{12}:policy\/ListBuckets$/);
        const got = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
        assert.equal(got.Policy?.DefaultVersionId, 'v1');
        assert.equal(got.Policy?.AttachmentCount, 0);
        const listed = await iam.send(new ListPoliciesCommand({ Scope: 'Local' }));
        assert.deepEqual(
            listed.Policies?.map((p) => p.Arn),
            [arn],
        );
        await rejectsWith(
            iam.send(
                new CreatePolicyCommand({
                    PolicyName: 'ListBuckets',
                    PolicyDocument: LIST_BUCKETS,
                }),
            ),
            'EntityAlreadyExistsException',
            409,
        );

        await iam.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: arn }));
        const attached = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'alice' }));
        assert.deepEqual(attached.AttachedPolicies, [
            { PolicyName: 'ListBuckets', PolicyArn: arn },
        ]);
        assert.equal((await alice.send(new ListBucketsCommand({}))).$metadata.httpStatusCode, 200);
        await rejectsWith(
            iam.send(new DeletePolicyCommand({ PolicyArn: arn })),
            'DeleteConflictException',
            409,
        );

        await iam.send(new DetachUserPolicyCommand({ UserName: 'alice', PolicyArn: arn }));
        await rejectsWith(alice.send(new ListBucketsCommand({})), 'AccessDenied', 403);
        await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
        await rejectsWith(
            iam.send(new GetPolicyCommand({ PolicyArn: arn })),
            'NoSuchEntityException',
            404,
        );
    });

    test('DeleteAccessKey, then DeleteUser; the user is gone', async () => {
        await iam.send(new DeleteAccessKeyCommand({ UserName: 'alice', AccessKeyId: keyId }));
        const listed = await iam.send(new ListAccessKeysCommand({ UserName: 'alice' }));
        assert.deepEqual(listed.AccessKeyMetadata, []);
        await rejectsWith(
            s3As(keyId, secret).send(new ListBucketsCommand({})),
            'InvalidAccessKeyId',
            403,
        );
        await iam.send(new DeleteUserCommand({ UserName: 'alice' }));
        await rejectsWith(
            iam.send(new GetUserCommand({ UserName: 'alice' })),
            'NoSuchEntityException',
            404,
        );
        await rejectsWith(
            iam.send(new DeleteUserCommand({ UserName: 'alice' })),
            'NoSuchEntityException',
            404,
        );
    });
});

describe('IAM permissions of IAM users', () => {
    test('an IAM user without IAM permissions gets AccessDenied on CreateUser', async () => {
        const created = await iam.send(new CreateUserCommand({ UserName: 'mallory' }));
        const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'mallory' }));
        const mallory = iamClient(key.AccessKey!.AccessKeyId!, key.AccessKey!.SecretAccessKey!);
        await assert.rejects(
            mallory.send(new CreateUserCommand({ UserName: 'eve' })),
            (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
                assert.equal(err.name, 'AccessDenied');
                assert.equal(err.$metadata?.httpStatusCode, 403);
                const account = created.User!.Arn!.split(':')[4];
                assert.equal(
                    err.message,
                    `User: ${created.User!.Arn} is not authorized to perform: iam:CreateUser ` +
                        `on resource: arn:aws:iam::${account}:user/eve because no ` +
                        'identity-based policy allows the iam:CreateUser action',
                );
                return true;
            },
        );
        await rejectsWith(
            iam.send(new GetUserCommand({ UserName: 'eve' })),
            'NoSuchEntityException',
            404,
        );
        // Its own user, without a name, is also an IAM action it needs permission for.
        await rejectsWith(mallory.send(new GetUserCommand({})), 'AccessDenied', 403);
    });

    test('self-service: ${aws:username} in the resource, aws:CurrentTime bounds', async () => {
        const user = await iam.send(new CreateUserCommand({ UserName: 'self' }));
        const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'self' }));
        const self = iamClient(key.AccessKey!.AccessKeyId!, key.AccessKey!.SecretAccessKey!);
        const account = user.User!.Arn!.split(':')[4];
        const document = policyDocument({
            Effect: 'Allow',
            Action: ['iam:ListAccessKeys', 'iam:GetUser'],
            Resource: `arn:aws:iam::${account}:user/\${aws:username}`,
            Condition: {
                DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' },
                DateLessThan: { 'aws:CurrentTime': '2100-01-01T00:00:00Z' },
                NumericGreaterThan: { 'aws:EpochTime': '1577836800' },
            },
        });
        await iam.send(
            new PutUserPolicyCommand({
                UserName: 'self',
                PolicyName: 'own',
                PolicyDocument: document,
            }),
        );
        const own = await self.send(new ListAccessKeysCommand({}));
        assert.deepEqual(
            own.AccessKeyMetadata?.map((k) => k.AccessKeyId),
            [key.AccessKey!.AccessKeyId],
        );
        assert.equal((await self.send(new GetUserCommand({}))).User?.Arn, user.User!.Arn);
        await rejectsWith(
            self.send(new ListAccessKeysCommand({ UserName: 'mallory' })),
            'AccessDenied',
            403,
        );
    });
});

describe('the aws iam CLI', () => {
    let workDir: string;
    let env: NodeJS.ProcessEnv;

    before(() => {
        workDir = mkdtempSync(join(tmpdir(), 'coffer-iam-cli-'));
        env = awsEnv(server, workDir);
        writeAwsConfig(workDir);
    });

    after(() => rmSync(workDir, { recursive: true, force: true }));

    async function awsJson(...args: string[]): Promise<any> {
        const result = await runCommand(testTools().aws, args, { env, cwd: workDir });
        assert.equal(result.code, 0, `aws ${args.join(' ')}:\n${result.stderr}`);
        // Parse boundary: the CLI's JSON output, whose shape each test checks.
        return result.stdout.trim() === '' ? {} : JSON.parse(result.stdout);
    }

    test('create-user, list-users, create-access-key', async () => {
        const created = await awsJson('iam', 'create-user', '--user-name', 'cli-user');
        assert.equal(created.User.UserName, 'cli-user');
        const listed = await awsJson('iam', 'list-users');
        assert.ok(listed.Users.some((u: { Arn: string }) => u.Arn === created.User.Arn));
        const key = await awsJson('iam', 'create-access-key', '--user-name', 'cli-user');
        assert.equal(key.AccessKey.UserName, 'cli-user');
        assert.match(key.AccessKey.AccessKeyId, /^AKIA[A-Z0-9]{16}$/);
        assert.equal(key.AccessKey.SecretAccessKey.length, 40);
    });

    test('put-user-policy, get-user-policy (decoded), list-attached-user-policies', async () => {
        writeFileSync(join(workDir, 'policy.json'), LIST_BUCKETS);
        const put = ['--user-name', 'cli-user', '--policy-name', 'lb'];
        await awsJson('iam', 'put-user-policy', ...put, '--policy-document', 'file://policy.json');
        const got = await awsJson('iam', 'get-user-policy', ...put);
        assert.equal(got.PolicyName, 'lb');
        assert.deepEqual(got.PolicyDocument, JSON.parse(LIST_BUCKETS));
        const attached = await awsJson(
            'iam',
            'list-attached-user-policies',
            '--user-name',
            'cli-user',
        );
        assert.deepEqual(attached.AttachedPolicies, []);
        const refused = await runCommand(
            testTools().aws,
            ['iam', 'get-user-policy', '--user-name', 'cli-user', '--policy-name', 'none'],
            { env, cwd: workDir },
        );
        assert.notEqual(refused.code, 0);
        assert.match(
            refused.stderr,
            /An error occurred \(NoSuchEntity\) when calling the GetUserPolicy operation/,
        );
    });
});
