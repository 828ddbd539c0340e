/**
 * Who may use the built-in KMS's keys, through the KMS API and through S3's SSE-KMS, with real
 * SDK clients against one real server (access-harness.ts). Every key behaves as under AWS's
 * default key policy: the account's root may do anything, an IAM user needs an identity policy
 * allowing the `kms:` action on the key, an explicit Deny wins, another account is refused, and
 * S3's use of `aws/s3` needs no KMS permission.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
    CreateAliasCommand,
    CreateKeyCommand,
    DecryptCommand,
    DescribeKeyCommand,
    DisableKeyCommand,
    EncryptCommand,
    GenerateDataKeyCommand,
    ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import {
    CopyObjectCommand,
    CreateMultipartUploadCommand,
    GetObjectCommand,
    HeadObjectCommand,
    PutObjectCommand,
} from '@aws-sdk/client-s3';
import {
    AccessWorld,
    identityPolicy,
    objects,
    outcome,
    type Caller,
    type Statement,
} from './access-harness.js';

let world: AccessWorld;
let root: Caller;
let alice: Caller;
let carol: Caller;
let otherRoot: Caller;
/** Two customer managed keys of the default account, made by its root. */
let allowedKey: string;
let otherKey: string;

const B = 'kms-access';
const BODY = 'kms guarded';

before(async () => {
    world = await AccessWorld.start();
    ({ root, alice, carol, otherRoot } = world);
    allowedKey = (await root.kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    otherKey = (await root.kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    await world.makeBucket(B);
});

after(() => world?.stop());

const S3_FOR_ALICE: Statement = {
    Action: ['s3:PutObject', 's3:GetObject', 's3:ListBucket'],
    Resource: [objects(B), `arn:aws:s3:::${B}`],
};

const putKms = (caller: Caller, Key: string, SSEKMSKeyId?: string) =>
    outcome(
        caller.s3.send(
            new PutObjectCommand({
                Bucket: B,
                Key,
                Body: BODY,
                ServerSideEncryption: 'aws:kms',
                SSEKMSKeyId,
            }),
        ),
    );

const getBody = (caller: Caller, Key: string) =>
    outcome(
        caller.s3.send(new GetObjectCommand({ Bucket: B, Key })).then(async (got) => {
            assert.equal(await got.Body!.transformToString(), BODY);
        }),
    );

/** The KMS's own AccessDeniedException, as the SDK reports it. */
const kmsDenied = (who: Caller, action: string, resource: string, why: string) =>
    `AccessDeniedException 400: User: ${who.arn} is not authorized to perform: ${action} ` +
    `on resource: ${resource} because ${why}`;

/** The ARN of an alias of the KMS's (the default) account. */
const aliasArn = (name: string) => `arn:aws:kms:us-east-1:${world.account}:${name}`;

/** S3's 403 when the caller may not have S3 use the key. */
const s3Denied = (who: Caller, action: string, resource: string) =>
    `AccessDenied 403: User: ${who.arn} is not authorized to perform: ${action} ` +
    `on resource: ${resource} because no identity-based policy allows the ${action} action`;

describe('the KMS API', () => {
    test('an IAM user without a kms: permission is refused, the root is not', async () => {
        await identityPolicy(alice, S3_FOR_ALICE);
        assert.equal(
            await outcome(alice.kms.send(new CreateKeyCommand({ Description: 'refused' }))),
            kmsDenied(alice, 'kms:CreateKey', '*', 'no identity-based policy allows the ' +
                'kms:CreateKey action'),
        );
        assert.equal(
            await outcome(alice.kms.send(new DescribeKeyCommand({ KeyId: allowedKey }))),
            kmsDenied(alice, 'kms:DescribeKey', allowedKey, 'no identity-based policy allows ' +
                'the kms:DescribeKey action'),
        );
        assert.equal(
            await outcome(root.kms.send(new DescribeKeyCommand({ KeyId: allowedKey }))),
            'ok',
        );
    });

    test('an identity policy grants exactly the actions and keys it names', async () => {
        await identityPolicy(alice, {
            Action: ['kms:GenerateDataKey', 'kms:Decrypt', 'kms:DescribeKey'],
            Resource: allowedKey,
        });
        const made = await alice.kms.send(
            new GenerateDataKeyCommand({ KeyId: allowedKey, KeySpec: 'AES_256' }),
        );
        const opened = await alice.kms.send(
            new DecryptCommand({ CiphertextBlob: made.CiphertextBlob }),
        );
        assert.deepEqual(Buffer.from(opened.Plaintext!), Buffer.from(made.Plaintext!));
        const encrypt = { KeyId: allowedKey, Plaintext: Buffer.from('x') };
        assert.equal(
            await outcome(alice.kms.send(new EncryptCommand(encrypt))),
            kmsDenied(alice, 'kms:Encrypt', allowedKey, 'no identity-based policy allows the ' +
                'kms:Encrypt action'),
        );
        assert.equal(
            await outcome(alice.kms.send(new DescribeKeyCommand({ KeyId: otherKey }))),
            kmsDenied(alice, 'kms:DescribeKey', otherKey, 'no identity-based policy allows ' +
                'the kms:DescribeKey action'),
        );
        const schedule = { KeyId: allowedKey, PendingWindowInDays: 7 };
        assert.match(
            await outcome(alice.kms.send(new ScheduleKeyDeletionCommand(schedule))),
            /^AccessDeniedException 400: .* kms:ScheduleKeyDeletion on resource: /,
        );
        const state = await root.kms.send(new DescribeKeyCommand({ KeyId: allowedKey }));
        assert.equal(state.KeyMetadata!.KeyState, 'Enabled');
    });

    test('another account is refused whatever its own policies say', async () => {
        await identityPolicy(carol, { Action: 'kms:*', Resource: '*' });
        assert.equal(
            await outcome(carol.kms.send(new DescribeKeyCommand({ KeyId: allowedKey }))),
            kmsDenied(carol, 'kms:DescribeKey', allowedKey, 'no resource-based policy allows ' +
                'the kms:DescribeKey action'),
        );
        assert.match(
            await outcome(otherRoot.kms.send(new CreateKeyCommand({}))),
            /^AccessDeniedException 400: User: \S+:root is not authorized .* kms:CreateKey on /,
        );
    });

    test('context keys differing only in case do not slip past a Deny on one of them', async () => {
        await identityPolicy(
            alice,
            { Action: 'kms:Encrypt', Resource: allowedKey },
            {
                Effect: 'Deny',
                Action: 'kms:Encrypt',
                Resource: '*',
                Condition: { StringEquals: { 'kms:EncryptionContext:project': 'secret' } },
            },
        );
        const encrypt = (EncryptionContext: Record<string, string>) =>
            outcome(
                alice.kms.send(
                    new EncryptCommand({
                        KeyId: allowedKey,
                        Plaintext: Buffer.from('x'),
                        EncryptionContext,
                    }),
                ),
            );
        const denied =
            `AccessDeniedException 400: User: ${alice.arn} is not authorized to perform: ` +
            `kms:Encrypt on resource: ${allowedKey} with an explicit deny in an identity-based ` +
            'policy';
        assert.equal(await encrypt({ project: 'public' }), 'ok');
        assert.equal(await encrypt({ project: 'secret' }), denied);
        assert.equal(await encrypt({ project: 'secret', Project: 'public' }), denied);
        assert.equal(await encrypt({ Project: 'public', project: 'secret' }), denied);
    });

    test('another account learns nothing of the aliases it names, aws/s3 included', async () => {
        await identityPolicy(carol, { Action: 'kms:*', Resource: '*' });
        await root.kms.send(
            new CreateAliasCommand({ AliasName: 'alias/named', TargetKeyId: allowedKey }),
        );
        // An alias that exists, one that does not, and aws/s3 before anything made it: the same
        // refusal, naming the alias, never the key behind it.
        for (const name of ['alias/named', 'alias/missing', 'alias/aws/s3']) {
            assert.equal(
                await outcome(carol.kms.send(new DescribeKeyCommand({ KeyId: name }))),
                kmsDenied(carol, 'kms:DescribeKey', aliasArn(name), 'no resource-based policy ' +
                    'allows the kms:DescribeKey action'),
            );
        }
        await identityPolicy(alice, S3_FOR_ALICE);
        assert.equal(
            await outcome(alice.kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/s3' }))),
            kmsDenied(alice, 'kms:DescribeKey', aliasArn('alias/aws/s3'), 'no identity-based ' +
                'policy allows the kms:DescribeKey action'),
        );
        const managed = await root.kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/s3' }));
        assert.equal(managed.KeyMetadata!.KeyManager, 'AWS');
    });
});

describe("S3's use of a key for SSE-KMS", () => {
    before(async () => {
        await identityPolicy(alice, S3_FOR_ALICE, {
            Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
            Resource: allowedKey,
        });
        await root.s3.send(
            new PutObjectCommand({
                Bucket: B,
                Key: 'root-other-key',
                Body: BODY,
                ServerSideEncryption: 'aws:kms',
                SSEKMSKeyId: otherKey,
            }),
        );
    });

    test('writes and reads need kms:GenerateDataKey and kms:Decrypt on the key', async () => {
        assert.equal(await putKms(alice, 'mine', allowedKey), 'ok');
        assert.equal(await getBody(alice, 'mine'), 'ok');
        assert.equal(
            await putKms(alice, 'refused', otherKey),
            s3Denied(alice, 'kms:GenerateDataKey', otherKey),
        );
        assert.equal(
            await getBody(alice, 'root-other-key'),
            s3Denied(alice, 'kms:Decrypt', otherKey),
        );
        // HeadObject makes no KMS call, on AWS as here.
        const head = { Bucket: B, Key: 'root-other-key' };
        assert.equal(await outcome(alice.s3.send(new HeadObjectCommand(head))), 'ok');
        assert.equal(await getBody(root, 'root-other-key'), 'ok');
    });

    test('the AWS managed key aws/s3 needs no kms: permission', async () => {
        assert.equal(await putKms(alice, 'managed'), 'ok');
        assert.equal(await getBody(alice, 'managed'), 'ok');
    });

    test('copies and multipart uploads are checked on every key they use', async () => {
        const copyInto = (Key: string, CopySource: string, SSEKMSKeyId: string) =>
            outcome(
                alice.s3.send(
                    new CopyObjectCommand({
                        Bucket: B,
                        Key,
                        CopySource,
                        ServerSideEncryption: 'aws:kms',
                        SSEKMSKeyId,
                    }),
                ),
            );
        assert.equal(
            await copyInto('copy-1', `${B}/root-other-key`, allowedKey),
            s3Denied(alice, 'kms:Decrypt', otherKey),
        );
        assert.equal(
            await copyInto('copy-2', `${B}/mine`, otherKey),
            s3Denied(alice, 'kms:GenerateDataKey', otherKey),
        );
        assert.equal(await copyInto('copy-3', `${B}/mine`, allowedKey), 'ok');
        const upload = (SSEKMSKeyId: string) =>
            outcome(
                alice.s3.send(
                    new CreateMultipartUploadCommand({
                        Bucket: B,
                        Key: 'multi',
                        ServerSideEncryption: 'aws:kms',
                        SSEKMSKeyId,
                    }),
                ),
            );
        assert.equal(await upload(otherKey), s3Denied(alice, 'kms:GenerateDataKey', otherKey));
        assert.equal(await upload(allowedKey), 'ok');
    });

    test('kms:ViaService tells S3 use from direct use; an explicit Deny wins', async () => {
        await identityPolicy(alice, S3_FOR_ALICE, {
            Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
            Resource: allowedKey,
            Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
        });
        assert.equal(await getBody(alice, 'mine'), 'ok');
        const direct = { KeyId: allowedKey, KeySpec: 'AES_256' } as const;
        assert.match(
            await outcome(alice.kms.send(new GenerateDataKeyCommand(direct))),
            /^AccessDeniedException 400: .* kms:GenerateDataKey on resource: /,
        );
        await identityPolicy(
            alice,
            S3_FOR_ALICE,
            { Action: 'kms:*', Resource: '*' },
            { Effect: 'Deny', Action: 'kms:Decrypt', Resource: allowedKey },
        );
        assert.equal(
            await getBody(alice, 'mine'),
            `AccessDenied 403: User: ${alice.arn} is not authorized to perform: kms:Decrypt ` +
                `on resource: ${allowedKey} with an explicit deny in an identity-based policy`,
        );
        assert.equal(await putKms(alice, 'still-writes', allowedKey), 'ok');
    });

    test("a key's state and existence are told only to those who may use it", async () => {
        await identityPolicy(alice, S3_FOR_ALICE, {
            Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
            Resource: allowedKey,
        });
        const disabledKey = (await root.kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
        await root.s3.send(
            new PutObjectCommand({
                Bucket: B,
                Key: 'under-disabled',
                Body: BODY,
                ServerSideEncryption: 'aws:kms',
                SSEKMSKeyId: disabledKey,
                BucketKeyEnabled: true,
            }),
        );
        await root.kms.send(new DisableKeyCommand({ KeyId: disabledKey }));
        assert.equal(
            await putKms(alice, 'refused', disabledKey),
            s3Denied(alice, 'kms:GenerateDataKey', disabledKey),
        );
        assert.equal(
            await getBody(alice, 'under-disabled'),
            s3Denied(alice, 'kms:Decrypt', disabledKey),
        );
        const disabled = `KMS.DisabledException 400: ${disabledKey} is disabled.`;
        assert.equal(await putKms(root, 'refused', disabledKey), disabled);
        assert.equal(await getBody(root, 'under-disabled'), disabled);

        // Another account, through a bucket policy that lets it write: every key id but aws/s3's
        // is refused alike, naming what the request named.
        await world.bucketPolicy(B, {
            Principal: { AWS: `arn:aws:iam::${world.otherAccount}:root` },
            Action: 's3:PutObject',
            Resource: objects(B),
        });
        await identityPolicy(carol, { Action: ['s3:PutObject', 'kms:*'], Resource: '*' });
        const missingKey = allowedKey.replace(/[^/]*$/, '00000000-0000-0000-0000-000000000000');
        const foreignDenied = (resource: string) =>
            `AccessDenied 403: User: ${carol.arn} is not authorized to perform: ` +
            `kms:GenerateDataKey on resource: ${resource} because no resource-based policy ` +
            'allows the kms:GenerateDataKey action';
        const named: Array<[string, string]> = [
            ['alias/named', aliasArn('alias/named')],
            ['alias/missing', aliasArn('alias/missing')],
            [allowedKey, allowedKey],
            [disabledKey, disabledKey],
            [missingKey, missingKey],
        ];
        for (const [keyId, resource] of named) {
            assert.equal(await putKms(carol, 'foreign', keyId), foreignDenied(resource));
        }
        assert.equal(await putKms(carol, 'foreign'), 'ok');
        assert.equal(await putKms(carol, 'foreign', 'alias/aws/s3'), 'ok');
    });
});
