/**
 * Who may do what, with several principals against one real server (access-harness.ts): IAM
 * users made through the IAM API (alice) and `coffer admin` (bob), a second account made with
 * `coffer admin account create` while the server runs (its root, and its IAM user carol). Each
 * `describe` has its own bucket.
 *
 * AWS's rules checked here: a same-account user needs an identity Allow or a bucket-policy Allow
 * that names it (naming its account only delegates); an explicit Deny beats any Allow;
 * NotPrincipal, NotAction and NotResource; policy variables; another account's principal needs
 * both its identity Allow and the bucket policy, and never gets the bucket-policy APIs.
 * Anonymous callers, missing keys and lock-out protection are in access-public.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DeleteAccessKeyCommand, DeleteUserCommand } from '@aws-sdk/client-iam';
import {
    DeletePublicAccessBlockCommand,
    GetBucketPolicyCommand,
    ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import {
    AccessWorld,
    explicitlyDenied,
    get,
    identityPolicy,
    notAllowed,
    objects,
    outcome,
    PLAIN_DENIAL,
    put,
    type Caller,
    type Statement,
} from './access-harness.js';

let world: AccessWorld;
let root: Caller;
let alice: Caller;
let bob: Caller;
let otherRoot: Caller;
let carol: Caller;
let account: string;
let otherAccount: string;

before(async () => {
    world = await AccessWorld.start();
    ({ root, alice, bob, otherRoot, carol, account, otherAccount } = world);
});

after(() => world?.stop());

const makeBucket = (bucket: string, ...keys: string[]) => world.makeBucket(bucket, ...keys);
const bucketPolicy = (bucket: string, ...statements: Statement[]) =>
    world.bucketPolicy(bucket, ...statements);

describe('a same-account user with no identity policy', () => {
    const B = 'xp-grant';
    before(() => makeBucket(B, 'k'));

    test('is refused until the bucket policy names it', async () => {
        assert.equal(
            await get(bob, B, 'k'),
            notAllowed(bob, 's3:GetObject', `arn:aws:s3:::${B}/k`),
        );
        await bucketPolicy(B, {
            Principal: { AWS: bob.arn },
            Action: 's3:GetObject',
            Resource: objects(B),
        });
        assert.equal(await get(bob, B, 'k'), 'ok');
        assert.equal(
            await get(alice, B, 'k'),
            notAllowed(alice, 's3:GetObject', `arn:aws:s3:::${B}/k`),
        );
        assert.match(await put(bob, B, 'new'), /^AccessDenied 403: /);
    });

    test('naming its account only delegates: the user still needs an identity Allow', async () => {
        await bucketPolicy(B, {
            Principal: { AWS: account },
            Action: 's3:GetObject',
            Resource: objects(B),
        });
        assert.equal(
            await get(bob, B, 'k'),
            notAllowed(bob, 's3:GetObject', `arn:aws:s3:::${B}/k`),
        );
        await identityPolicy(bob, { Action: 's3:GetObject', Resource: objects(B) });
        assert.equal(await get(bob, B, 'k'), 'ok');
    });
});

describe('explicit Deny', () => {
    const B = 'xp-deny';
    const secret = `arn:aws:s3:::${B}/secret/k`;
    before(() => makeBucket(B, 'open/k', 'secret/k'));

    test('a bucket-policy Deny beats an identity Allow and an Allow of the policy', async () => {
        await identityPolicy(alice, {
            Action: 's3:*',
            Resource: [`arn:aws:s3:::${B}`, objects(B)],
        });
        await bucketPolicy(
            B,
            { Principal: { AWS: alice.arn }, Action: 's3:GetObject', Resource: objects(B) },
            {
                Effect: 'Deny',
                Principal: { AWS: alice.arn },
                Action: 's3:GetObject',
                Resource: `arn:aws:s3:::${B}/secret/*`,
            },
        );
        assert.equal(await get(alice, B, 'open/k'), 'ok');
        assert.equal(
            await get(alice, B, 'secret/k'),
            explicitlyDenied(alice, 's3:GetObject', secret, 'a resource'),
        );
    });

    test('an identity-policy Deny beats a bucket-policy Allow that names the user', async () => {
        await identityPolicy(
            alice,
            { Action: 's3:*', Resource: objects(B) },
            { Effect: 'Deny', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/open/*` },
        );
        await bucketPolicy(B, {
            Principal: { AWS: alice.arn },
            Action: 's3:GetObject',
            Resource: objects(B),
        });
        const open = `arn:aws:s3:::${B}/open/k`;
        assert.equal(
            await get(alice, B, 'open/k'),
            explicitlyDenied(alice, 's3:GetObject', open, 'an identity'),
        );
        assert.equal(await get(alice, B, 'secret/k'), 'ok');
    });

    test('a Deny for "*" reaches the bucket owner\'s root too', async () => {
        await bucketPolicy(B, {
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:GetObject',
            Resource: `arn:aws:s3:::${B}/secret/*`,
        });
        assert.equal(
            await get(root, B, 'secret/k'),
            explicitlyDenied(root, 's3:GetObject', secret, 'a resource'),
        );
        assert.equal(await get(root, B, 'open/k'), 'ok');
    });
});

describe('NotPrincipal, NotAction, NotResource', () => {
    const B = 'xp-not';
    before(async () => {
        await makeBucket(B, 'public/k', 'private/k');
        for (const user of [alice, bob]) {
            await identityPolicy(user, {
                Action: ['s3:GetObject', 's3:PutObject'],
                Resource: objects(B),
            });
        }
    });

    test('Deny with NotPrincipal: everyone but alice is refused, the root included', async () => {
        await bucketPolicy(B, {
            Effect: 'Deny',
            NotPrincipal: { AWS: alice.arn },
            Action: 's3:GetObject',
            Resource: objects(B),
        });
        assert.equal(await get(alice, B, 'private/k'), 'ok');
        const resource = `arn:aws:s3:::${B}/private/k`;
        assert.equal(
            await get(bob, B, 'private/k'),
            explicitlyDenied(bob, 's3:GetObject', resource, 'a resource'),
        );
        assert.match(
            await get(root, B, 'private/k'),
            /^AccessDenied 403: .* with an explicit deny in a resource-based policy$/,
        );
        const anonymous = await fetch(`${world.server.endpoint}/${B}/private/k`);
        assert.equal(anonymous.status, 403);
        await anonymous.arrayBuffer();
        // The statement denies GetObject only: bob still writes.
        assert.equal(await put(bob, B, 'private/new'), 'ok');
    });

    test('Deny with NotAction: bob may only read', async () => {
        await bucketPolicy(B, {
            Effect: 'Deny',
            Principal: { AWS: bob.arn },
            NotAction: 's3:GetObject',
            Resource: objects(B),
        });
        assert.equal(await get(bob, B, 'private/k'), 'ok');
        const resource = `arn:aws:s3:::${B}/private/other`;
        assert.equal(
            await put(bob, B, 'private/other'),
            explicitlyDenied(bob, 's3:PutObject', resource, 'a resource'),
        );
        assert.equal(await put(alice, B, 'private/other'), 'ok');
    });

    test('Deny with NotResource: bob may only read under public/', async () => {
        await bucketPolicy(B, {
            Effect: 'Deny',
            Principal: { AWS: bob.arn },
            Action: 's3:GetObject',
            NotResource: `arn:aws:s3:::${B}/public/*`,
        });
        assert.equal(await get(bob, B, 'public/k'), 'ok');
        const resource = `arn:aws:s3:::${B}/private/k`;
        assert.equal(
            await get(bob, B, 'private/k'),
            explicitlyDenied(bob, 's3:GetObject', resource, 'a resource'),
        );
        assert.equal(await get(alice, B, 'private/k'), 'ok');
    });
});

describe('policy variables', () => {
    const B = 'xp-home';
    before(() => makeBucket(B, 'home/alice/a', 'home/bob/b'));

    test('one identity policy with ${aws:username} gives each user a home prefix', async () => {
        const home = [
            {
                Action: 's3:ListBucket',
                Resource: `arn:aws:s3:::${B}`,
                Condition: { StringLike: { 's3:prefix': 'home/${aws:username}/*' } },
            },
            {
                Action: ['s3:GetObject', 's3:PutObject'],
                Resource: `arn:aws:s3:::${B}/home/\${aws:username}/*`,
            },
        ];
        for (const user of [alice, bob]) await identityPolicy(user, ...home);
        assert.equal(await get(alice, B, 'home/alice/a'), 'ok');
        assert.equal(await put(alice, B, 'home/alice/new'), 'ok');
        assert.equal(await get(bob, B, 'home/bob/b'), 'ok');
        assert.equal(
            await get(alice, B, 'home/bob/b'),
            notAllowed(alice, 's3:GetObject', `arn:aws:s3:::${B}/home/bob/b`),
        );
        const list = (who: Caller, Prefix: string) =>
            who.s3.send(new ListObjectsV2Command({ Bucket: B, Prefix }));
        const listed = await list(alice, 'home/alice/');
        assert.deepEqual(
            listed.Contents?.map((o) => o.Key),
            ['home/alice/a', 'home/alice/new'],
        );
        assert.match(await outcome(list(alice, 'home/bob/')), /^AccessDenied 403: /);
        assert.match(await outcome(list(alice, '')), /^AccessDenied 403: /);
    });
});

describe('a user named by ARN in a bucket policy, deleted and created again', () => {
    const B = 'xp-recreated';
    before(() => makeBucket(B, 'k'));

    // AWS binds a user ARN in a policy to the user's unique id (AIDA...) when the policy is
    // stored: a new user of the same name does not inherit the old grants, and GetBucketPolicy
    // shows the old id where the ARN no longer leads to it. Storing the policy again rebinds.
    test('does not inherit the old grants', async () => {
        const admin = root.admin!;
        const grant = (AWS: string) => ({
            Principal: { AWS },
            Action: 's3:GetObject',
            Resource: objects(B),
        });
        const shownPrincipal = async () => {
            const { Policy } = await root.s3.send(new GetBucketPolicyCommand({ Bucket: B }));
            return JSON.parse(Policy!).Statement[0].Principal.AWS as string;
        };
        const first = await world.iamUser(admin, 'temp');
        await bucketPolicy(B, grant(first.arn));
        assert.equal(await get(first, B, 'k'), 'ok');
        assert.equal(await shownPrincipal(), first.arn);
        const keyId = (await first.s3.config.credentials()).accessKeyId;
        await admin.send(new DeleteAccessKeyCommand({ UserName: 'temp', AccessKeyId: keyId }));
        await admin.send(new DeleteUserCommand({ UserName: 'temp' }));
        const oldId = await shownPrincipal();
        assert.match(oldId, /^AIDA[A-Z0-9]{17}$/);
        const second = await world.iamUser(admin, 'temp');
        assert.equal(second.arn, first.arn);
        assert.match(await get(second, B, 'k'), /^AccessDenied 403: /);
        assert.equal(await shownPrincipal(), oldId);
        await bucketPolicy(B, grant(second.arn));
        assert.equal(await get(second, B, 'k'), 'ok');
        assert.equal(await shownPrincipal(), second.arn);
    });
});

describe('a principal of another account', () => {
    const B = 'xp-cross';
    const grant = (AWS: string) => ({
        Principal: { AWS },
        Action: 's3:GetObject',
        Resource: objects(B),
    });
    before(() => makeBucket(B, 'k'));

    test("needs its own identity Allow and the bucket policy's", async () => {
        assert.equal(await get(carol, B, 'k'), PLAIN_DENIAL);
        await identityPolicy(carol, { Action: 's3:GetObject', Resource: objects(B) });
        assert.equal(await get(carol, B, 'k'), PLAIN_DENIAL, 'identity Allow alone');
        await bucketPolicy(B, grant(carol.arn));
        assert.equal(await get(carol, B, 'k'), 'ok');
        await identityPolicy(carol, { Action: 's3:PutObject', Resource: objects(B) });
        assert.equal(await get(carol, B, 'k'), PLAIN_DENIAL, 'bucket policy alone');
    });

    test('naming the account reaches its root, and its users with their own Allow', async () => {
        await bucketPolicy(B, grant(otherAccount));
        assert.equal(await get(otherRoot, B, 'k'), 'ok');
        assert.equal(await get(carol, B, 'k'), PLAIN_DENIAL);
        await identityPolicy(carol, { Action: 's3:GetObject', Resource: '*' });
        assert.equal(await get(carol, B, 'k'), 'ok');
        assert.equal(await put(otherRoot, B, 'k2'), PLAIN_DENIAL);
    });

    test('an Allow for "*" does not replace its identity Allow', async () => {
        await root.s3.send(new DeletePublicAccessBlockCommand({ Bucket: B }));
        await bucketPolicy(B, { Principal: '*', Action: 's3:GetObject', Resource: objects(B) });
        await identityPolicy(carol, { Action: 's3:PutObject', Resource: '*' });
        assert.equal(await get(carol, B, 'k'), PLAIN_DENIAL);
        assert.equal(await get(otherRoot, B, 'k'), 'ok');
        // Same account: the "*" statement names bob directly, no identity policy needed.
        await identityPolicy(bob, { Action: 's3:PutObject', Resource: 'arn:aws:s3:::nowhere/*' });
        assert.equal(await get(bob, B, 'k'), 'ok');
    });

    test('even when allowed, it may not use the bucket policy APIs: 405', async () => {
        await bucketPolicy(B, {
            Principal: { AWS: otherAccount },
            Action: 's3:GetBucketPolicy',
            Resource: `arn:aws:s3:::${B}`,
        });
        const got = await outcome(otherRoot.s3.send(new GetBucketPolicyCommand({ Bucket: B })));
        assert.match(got, /^MethodNotAllowed 405: /);
    });
});
