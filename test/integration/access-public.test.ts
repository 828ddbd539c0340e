/**
 * Anonymous callers, missing keys and the owner's lock-out protection, with the principals of
 * access-harness.ts: anonymous access is refused by default and allowed by a `Principal: "*"`
 * Allow only once Block Public Access is deleted, with `s3:prefix` limiting ListBucket; a missing
 * key is 403 for a caller without s3:ListBucket and 404 with it; the account root can delete a
 * Deny-all bucket policy that an IAM user allowed `s3:*` cannot.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
    DeleteBucketPolicyCommand,
    DeletePublicAccessBlockCommand,
    GetBucketPolicyCommand,
    HeadObjectCommand,
} from '@aws-sdk/client-s3';
import {
    AccessWorld,
    explicitlyDenied,
    get,
    identityPolicy,
    objects,
    outcome,
    PLAIN_DENIAL,
    type Caller,
    type Statement,
} from './access-harness.js';

let world: AccessWorld;
let root: Caller;
let alice: Caller;
let bob: Caller;

before(async () => {
    world = await AccessWorld.start();
    ({ root, alice, bob } = world);
});

after(() => world?.stop());

const makeBucket = (bucket: string, ...keys: string[]) => world.makeBucket(bucket, ...keys);
const bucketPolicy = (bucket: string, ...statements: Statement[]) =>
    world.bucketPolicy(bucket, ...statements);
const server = () => world.server;

describe('anonymous callers', () => {
    const B = 'xp-public';
    const anonymous = (path: string) => fetch(`${server().endpoint}/${B}${path}`);
    before(() => makeBucket(B, 'public/k', 'private/k'));

    test('are refused by default; a public policy is blocked until BPA is deleted', async () => {
        const refused = await anonymous('/public/k');
        assert.equal(refused.status, 403);
        assert.match(await refused.text(), /<Code>AccessDenied<\/Code>/);
        const readAll = { Principal: '*', Action: 's3:GetObject', Resource: objects(B) };
        assert.equal(await outcome(bucketPolicy(B, readAll)), PLAIN_DENIAL);
        await root.s3.send(new DeletePublicAccessBlockCommand({ Bucket: B }));
        await bucketPolicy(B, readAll);
        const read = await anonymous('/public/k');
        assert.equal(read.status, 200);
        assert.equal(await read.text(), 'content of public/k');
        assert.equal((await anonymous('/?list-type=2')).status, 403);
    });

    test('s3:prefix limits what an anonymous ListBucket may list', async () => {
        await bucketPolicy(B, {
            Principal: '*',
            Action: 's3:ListBucket',
            Resource: `arn:aws:s3:::${B}`,
            Condition: { StringEquals: { 's3:prefix': ['public/', ''], 's3:delimiter': '/' } },
        });
        const listed = await anonymous('/?list-type=2&prefix=public/&delimiter=/');
        assert.equal(listed.status, 200);
        const body = await listed.text();
        assert.match(body, /<Key>public\/k<\/Key>/);
        assert.doesNotMatch(body, /private/);
        const top = await anonymous('/?list-type=2&prefix=&delimiter=/');
        assert.equal(top.status, 200);
        assert.match(
            await top.text(),
            /<CommonPrefixes><Prefix>private\/<\/Prefix><\/CommonPrefixes>/,
        );
        for (const query of ['prefix=private/&delimiter=/', 'prefix=public/', 'delimiter=/']) {
            assert.equal((await anonymous(`/?list-type=2&${query}`)).status, 403, query);
        }
    });
});

describe('a missing key', () => {
    const B = 'xp-missing';
    before(() => makeBucket(B, 'k'));

    test('is 403 for a caller without s3:ListBucket, 404 NoSuchKey with it', async () => {
        await identityPolicy(bob, { Action: 's3:GetObject', Resource: objects(B) });
        // Allowed to GetObject, it learns nothing more than a refusal: AWS's plain message.
        assert.equal(await get(bob, B, 'missing'), PLAIN_DENIAL);
        const head = bob.s3.send(new HeadObjectCommand({ Bucket: B, Key: 'missing' }));
        assert.match(await outcome(head), /^\w+ 403: /);
        await identityPolicy(
            bob,
            { Action: 's3:GetObject', Resource: objects(B) },
            { Action: 's3:ListBucket', Resource: `arn:aws:s3:::${B}` },
        );
        assert.match(await get(bob, B, 'missing'), /^NoSuchKey 404: /);
        assert.match(
            await outcome(bob.s3.send(new HeadObjectCommand({ Bucket: B, Key: 'missing' }))),
            /^NotFound 404: /,
        );
    });
});

describe('lock-out protection', () => {
    const B = 'xp-locked';
    before(() => makeBucket(B, 'k'));

    test('the root deletes a Deny-all policy; a user allowed s3:* cannot', async () => {
        await identityPolicy(alice, { Action: 's3:*', Resource: '*' });
        await bucketPolicy(B, {
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [`arn:aws:s3:::${B}`, objects(B)],
        });
        assert.match(
            await get(root, B, 'k'),
            /^AccessDenied 403: .*explicit deny in a resource-based policy$/,
        );
        const aliceDelete = await outcome(
            alice.s3.send(new DeleteBucketPolicyCommand({ Bucket: B })),
        );
        assert.equal(
            aliceDelete,
            explicitlyDenied(alice, 's3:DeleteBucketPolicy', `arn:aws:s3:::${B}`, 'a resource'),
        );
        const stored = await root.s3.send(new GetBucketPolicyCommand({ Bucket: B }));
        assert.match(stored.Policy!, /"Deny"/);
        const deleted = await root.s3.send(new DeleteBucketPolicyCommand({ Bucket: B }));
        assert.equal(deleted.$metadata.httpStatusCode, 204);
        assert.equal(await get(root, B, 'k'), 'ok');
        assert.equal(await get(alice, B, 'k'), 'ok');
    });
});
