import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Principal } from '../../src/identity/principal.js';
import {
    ACCOUNT,
    assertIamError,
    callIam,
    openIdentities,
    resultOf,
    type IdentityHarness,
} from './identity-harness.js';

const ISO_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

describe('IAM API: users', () => {
    let h: IdentityHarness;
    let root: Principal;
    before(async () => {
        h = await openIdentities();
        root = h.root.principal;
    });
    after(() => h.close());

    it('CreateUser answers the User in IAM’s envelope', async () => {
        const answer = await callIam(h, root, 'CreateUser', { UserName: 'alice', Path: '/eng/' });
        const user = resultOf(answer, 'CreateUser').User;
        assert.equal(user.UserName, 'alice');
        assert.equal(user.Path, '/eng/');
        assert.match(user.UserId, /^AIDA[A-Z0-9]{17}$/);
        assert.equal(user.Arn, `arn:aws:iam::${ACCOUNT}:user/eng/alice`);
        assert.match(user.CreateDate, ISO_SECONDS);
        assert.equal(answer.headers['content-type'], 'text/xml');
        assert.match(answer.body, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<CreateUserResponse/);
    });

    it('CreateUser refuses duplicates, missing and malformed names', async () => {
        const dup = await callIam(h, root, 'CreateUser', { UserName: 'ALICE' });
        assert.match(
            assertIamError(dup, 409, 'EntityAlreadyExists').Message,
            /ALICE already exists/,
        );
        const missing = assertIamError(
            await callIam(h, root, 'CreateUser'),
            400,
            'ValidationError',
        );
        assert.match(missing.Message, /Value null at 'userName'.*Member must not be null/);
        const bad = await callIam(h, root, 'CreateUser', { UserName: 'no spaces' });
        assert.match(assertIamError(bad, 400, 'ValidationError').Message, /regular expression/);
        const long = await callIam(h, root, 'CreateUser', { UserName: 'x'.repeat(65) });
        assert.match(
            assertIamError(long, 400, 'ValidationError').Message,
            /less than or equal to 64/,
        );
        const path = await callIam(h, root, 'CreateUser', { UserName: 'p', Path: 'eng' });
        assertIamError(path, 400, 'ValidationError');
    });

    it('GetUser: a named user, the calling user, the root user, and NoSuchEntity', async () => {
        const named = resultOf(await callIam(h, root, 'GetUser', { UserName: 'Alice' }), 'GetUser');
        assert.equal(named.User.UserName, 'alice');
        const self = resultOf(await callIam(h, root, 'GetUser'), 'GetUser').User;
        assert.equal(self.UserId, ACCOUNT);
        assert.equal(self.Arn, `arn:aws:iam::${ACCOUNT}:root`);
        assert.equal(self.UserName, undefined);
        const missing = await callIam(h, root, 'GetUser', { UserName: 'nobody' });
        const error = assertIamError(missing, 404, 'NoSuchEntity');
        assert.equal(error.Message, 'The user with name nobody cannot be found.');
    });

    it('ListUsers lists in name order, filters by path, and pages with Marker', async () => {
        for (const name of ['bob', 'Carol', 'dave'])
            await callIam(h, root, 'CreateUser', { UserName: name });
        const all = resultOf(await callIam(h, root, 'ListUsers'), 'ListUsers');
        assert.deepEqual(
            all.Users.member.map((u: { UserName: string }) => u.UserName),
            ['alice', 'bob', 'Carol', 'dave'],
        );
        assert.equal(all.IsTruncated, 'false');
        assert.equal(all.Marker, undefined);
        const eng = resultOf(
            await callIam(h, root, 'ListUsers', { PathPrefix: '/eng/' }),
            'ListUsers',
        );
        assert.deepEqual(
            eng.Users.member.map((u: { UserName: string }) => u.UserName),
            ['alice'],
        );
        const seen: string[] = [];
        let marker: string | undefined;
        do {
            const params: Record<string, string> = { MaxItems: '3' };
            if (marker) params.Marker = marker;
            const page = resultOf(await callIam(h, root, 'ListUsers', params), 'ListUsers');
            seen.push(...page.Users.member.map((u: { UserName: string }) => u.UserName));
            marker = page.IsTruncated === 'true' ? page.Marker : undefined;
        } while (marker);
        assert.deepEqual(seen, ['alice', 'bob', 'Carol', 'dave']);
        assertIamError(
            await callIam(h, root, 'ListUsers', { MaxItems: '0' }),
            400,
            'ValidationError',
        );
    });

    it('DeleteUser answers without a Result; DeleteConflict while the user has keys', async () => {
        resultOf(
            await callIam(h, root, 'CreateAccessKey', { UserName: 'dave' }),
            'CreateAccessKey',
        );
        const conflict = await callIam(h, root, 'DeleteUser', { UserName: 'dave' });
        assert.equal(
            assertIamError(conflict, 409, 'DeleteConflict').Message,
            'Cannot delete entity, must delete access keys first.',
        );
        const answer = await callIam(h, root, 'DeleteUser', { UserName: 'bob' });
        assert.equal(resultOf(answer, 'DeleteUser'), undefined);
        assert.match(answer.body, /<DeleteUserResponse[^>]*><ResponseMetadata>/);
        assertIamError(
            await callIam(h, root, 'DeleteUser', { UserName: 'bob' }),
            404,
            'NoSuchEntity',
        );
    });
});

describe('IAM API: access keys', () => {
    let h: IdentityHarness;
    let root: Principal;
    before(async () => {
        h = await openIdentities();
        root = h.root.principal;
        await callIam(h, root, 'CreateUser', { UserName: 'alice' });
    });
    after(() => h.close());

    it('CreateAccessKey returns the secret once; the key signs at once', async () => {
        const answer = await callIam(h, root, 'CreateAccessKey', { UserName: 'alice' });
        const key = resultOf(answer, 'CreateAccessKey').AccessKey;
        assert.equal(key.UserName, 'alice');
        assert.match(key.AccessKeyId, /^AKIA[A-Z0-9]{16}$/);
        assert.match(key.SecretAccessKey, /^[A-Za-z0-9+/]{40}$/);
        assert.equal(key.Status, 'Active');
        assert.match(key.CreateDate, ISO_SECONDS);
        const record = h.directory.lookup(key.AccessKeyId);
        assert.equal(record?.secretAccessKey, key.SecretAccessKey);
        assert.equal(record?.principal.type, 'User');

        const list = await callIam(h, root, 'ListAccessKeys', { UserName: 'alice' });
        const result = resultOf(list, 'ListAccessKeys');
        assert.equal(result.UserName, 'alice');
        assert.deepEqual(
            result.AccessKeyMetadata.member.map((m: { AccessKeyId: string }) => m.AccessKeyId),
            [key.AccessKeyId],
        );
        assert.equal(list.body.includes(key.SecretAccessKey), false, 'lists never carry secrets');
    });

    it('allows two keys per user: the third is LimitExceeded (409)', async () => {
        resultOf(
            await callIam(h, root, 'CreateAccessKey', { UserName: 'alice' }),
            'CreateAccessKey',
        );
        const third = await callIam(h, root, 'CreateAccessKey', { UserName: 'alice' });
        const error = assertIamError(third, 409, 'LimitExceeded');
        assert.equal(error.Message, 'Cannot exceed quota for AccessKeysPerUser: 2');
        const unknown = await callIam(h, root, 'CreateAccessKey', { UserName: 'nobody' });
        assertIamError(unknown, 404, 'NoSuchEntity');
    });

    it('UpdateAccessKey deactivates (the key stops resolving) and validates Status', async () => {
        const keys = resultOf(
            await callIam(h, root, 'ListAccessKeys', { UserName: 'alice' }),
            'ListAccessKeys',
        );
        const id = keys.AccessKeyMetadata.member[0].AccessKeyId;
        const params = { UserName: 'alice', AccessKeyId: id, Status: 'Inactive' };
        resultOf(await callIam(h, root, 'UpdateAccessKey', params), 'UpdateAccessKey');
        assert.equal(h.directory.lookup(id), undefined);
        const after = resultOf(
            await callIam(h, root, 'ListAccessKeys', { UserName: 'alice' }),
            'ListAccessKeys',
        );
        assert.equal(after.AccessKeyMetadata.member[0].Status, 'Inactive');
        const bad = await callIam(h, root, 'UpdateAccessKey', { ...params, Status: 'Off' });
        assert.match(assertIamError(bad, 400, 'ValidationError').Message, /enum value set/);
    });

    it('DeleteAccessKey removes the key; unknown ids are NoSuchEntity', async () => {
        const keys = resultOf(
            await callIam(h, root, 'ListAccessKeys', { UserName: 'alice' }),
            'ListAccessKeys',
        );
        const id = keys.AccessKeyMetadata.member[1].AccessKeyId;
        resultOf(
            await callIam(h, root, 'DeleteAccessKey', { UserName: 'alice', AccessKeyId: id }),
            'DeleteAccessKey',
        );
        assert.equal(h.directory.lookup(id), undefined);
        const again = await callIam(h, root, 'DeleteAccessKey', {
            UserName: 'alice',
            AccessKeyId: id,
        });
        assert.equal(
            assertIamError(again, 404, 'NoSuchEntity').Message,
            `The Access Key with id ${id} cannot be found.`,
        );
    });

    it('without UserName, keys belong to the caller: root or the calling user', async () => {
        const rootKey = resultOf(
            await callIam(h, root, 'CreateAccessKey'),
            'CreateAccessKey',
        ).AccessKey;
        assert.equal(rootKey.UserName, undefined);
        const rootRecord = h.directory.lookup(rootKey.AccessKeyId);
        assert.equal(rootRecord?.principal.type, 'Root');
        const rootList = resultOf(await callIam(h, root, 'ListAccessKeys'), 'ListAccessKeys');
        assert.equal(rootList.UserName, undefined);
        assert.deepEqual(
            rootList.AccessKeyMetadata.member.map((m: { AccessKeyId: string }) => m.AccessKeyId),
            [rootKey.AccessKeyId],
        );
        const aliceKey = resultOf(
            await callIam(h, root, 'ListAccessKeys', { UserName: 'alice' }),
            'ListAccessKeys',
        ).AccessKeyMetadata.member[0].AccessKeyId;
        await h.directory.admin.updateAccessKey(
            { accountId: ACCOUNT, userName: 'alice' },
            aliceKey,
            'Active',
        );
        const alice = h.directory.lookup(aliceKey)!.principal;
        await h.directory.policies.putUserPolicy(
            ACCOUNT,
            'alice',
            'keys',
            JSON.stringify({
                Version: '2012-10-17',
                Statement: [{ Effect: 'Allow', Action: 'iam:*AccessKey*', Resource: '*' }],
            }),
        );
        const own = resultOf(await callIam(h, alice, 'ListAccessKeys'), 'ListAccessKeys');
        assert.equal(own.UserName, 'alice');
        assert.equal(own.AccessKeyMetadata.member.length, 1);
    });
});
