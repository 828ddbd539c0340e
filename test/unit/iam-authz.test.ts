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

const OTHER_ACCOUNT = '444455556666';

function policy(...statements: object[]): string {
    return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

describe('IAM API: authorization', () => {
    let h: IdentityHarness;
    let root: Principal;
    /** A user with keys, to act as; its policies are set per test. */
    let ops: Principal;
    const opsArn = `arn:aws:iam::${ACCOUNT}:user/ops`;

    before(async () => {
        h = await openIdentities();
        root = h.root.principal;
        await h.directory.admin.createUser(ACCOUNT, 'ops');
        await h.directory.admin.createUser(ACCOUNT, 'target', '/team/');
        const { key } = await h.directory.admin.createAccessKey({
            accountId: ACCOUNT,
            userName: 'ops',
        });
        ops = h.directory.lookup(key.accessKeyId)!.principal;
    });
    after(() => h.close());

    async function grant(document: string): Promise<void> {
        await h.directory.policies.putUserPolicy(ACCOUNT, 'ops', 'grant', document);
    }

    it('denies a user without IAM permissions, with IAM’s AccessDenied message', async () => {
        const denied = await callIam(h, ops, 'CreateUser', { UserName: 'eve' });
        const error = assertIamError(denied, 403, 'AccessDenied');
        assert.equal(
            error.Message,
            `User: ${opsArn} is not authorized to perform: iam:CreateUser on resource: ` +
                `arn:aws:iam::${ACCOUNT}:user/eve because no identity-based policy allows the ` +
                'iam:CreateUser action',
        );
        await assert.rejects(h.directory.admin.getUser(ACCOUNT, 'eve'));
        const list = await callIam(h, ops, 'ListUsers');
        assert.match(
            assertIamError(list, 403, 'AccessDenied').Message,
            new RegExp(`on resource: arn:aws:iam::${ACCOUNT}:user/ because`),
        );
    });

    it('allows what a policy grants, on the resources it names (paths included)', async () => {
        await grant(
            policy({
                Effect: 'Allow',
                Action: ['iam:CreateUser', 'iam:GetUser'],
                Resource: `arn:aws:iam::${ACCOUNT}:user/team/*`,
            }),
        );
        const created = await callIam(h, ops, 'CreateUser', { UserName: 'eve', Path: '/team/' });
        assert.equal(
            resultOf(created, 'CreateUser').User.Arn,
            `arn:aws:iam::${ACCOUNT}:user/team/eve`,
        );
        resultOf(await callIam(h, ops, 'GetUser', { UserName: 'target' }), 'GetUser');
        // Same action, user outside the granted path: denied.
        const outside = await callIam(h, ops, 'CreateUser', { UserName: 'mallory' });
        assertIamError(outside, 403, 'AccessDenied');
        // GetUser of oneself is authorized on one's own ARN like any other user.
        assertIamError(await callIam(h, ops, 'GetUser'), 403, 'AccessDenied');
    });

    it('lets an explicit Deny win over an Allow', async () => {
        await grant(
            policy(
                { Effect: 'Allow', Action: 'iam:*', Resource: '*' },
                { Effect: 'Deny', Action: 'iam:DeleteUser', Resource: '*' },
            ),
        );
        const denied = await callIam(h, ops, 'DeleteUser', { UserName: 'eve' });
        assert.match(
            assertIamError(denied, 403, 'AccessDenied').Message,
            /with an explicit deny in an identity-based policy$/,
        );
        resultOf(await callIam(h, ops, 'ListUsers'), 'ListUsers');
    });

    it('authorizes before revealing whether an entity exists', async () => {
        await grant(
            policy({
                Effect: 'Allow',
                Action: 'iam:GetUser',
                Resource: `arn:aws:iam::${ACCOUNT}:user/team/*`,
            }),
        );
        const hidden = await callIam(h, ops, 'GetUser', { UserName: 'ghost' });
        assertIamError(hidden, 403, 'AccessDenied');
        const visible = await callIam(h, ops, 'GetUser', { UserName: 'target' });
        resultOf(visible, 'GetUser');
    });

    it('requires Resource "*" for ListPolicies, which has no resource types', async () => {
        await grant(
            policy({
                Effect: 'Allow',
                Action: 'iam:ListPolicies',
                Resource: `arn:aws:iam::${ACCOUNT}:policy/*`,
            }),
        );
        assertIamError(await callIam(h, ops, 'ListPolicies'), 403, 'AccessDenied');
        await grant(policy({ Effect: 'Allow', Action: 'iam:ListPolicies', Resource: '*' }));
        resultOf(await callIam(h, ops, 'ListPolicies'), 'ListPolicies');
    });

    it('offers iam:PolicyARN to conditions on AttachUserPolicy', async () => {
        const allowed = `arn:aws:iam::${ACCOUNT}:policy/Allowed`;
        for (const name of ['Allowed', 'Other']) {
            await h.directory.policies.createPolicy(ACCOUNT, {
                policyName: name,
                document: policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }),
            });
        }
        await grant(
            policy({
                Effect: 'Allow',
                Action: 'iam:AttachUserPolicy',
                Resource: '*',
                Condition: { ArnEquals: { 'iam:PolicyARN': allowed } },
            }),
        );
        const ok = await callIam(h, ops, 'AttachUserPolicy', {
            UserName: 'target',
            PolicyArn: allowed,
        });
        resultOf(ok, 'AttachUserPolicy');
        const other = `arn:aws:iam::${ACCOUNT}:policy/Other`;
        const denied = await callIam(h, ops, 'AttachUserPolicy', {
            UserName: 'target',
            PolicyArn: other,
        });
        assertIamError(denied, 403, 'AccessDenied');
    });

    it('uses attached managed policies as well as inline ones', async () => {
        await h.directory.policies.deleteUserPolicy(ACCOUNT, 'ops', 'grant');
        assertIamError(await callIam(h, ops, 'ListUsers'), 403, 'AccessDenied');
        const reader = await h.directory.policies.createPolicy(ACCOUNT, {
            policyName: 'IamRead',
            document: policy({ Effect: 'Allow', Action: ['iam:List*', 'iam:Get*'], Resource: '*' }),
        });
        await h.directory.policies.attachUserPolicy(ACCOUNT, 'ops', reader.arn);
        resultOf(await callIam(h, ops, 'ListUsers'), 'ListUsers');
        assertIamError(
            await callIam(h, ops, 'CreateUser', { UserName: 'zed' }),
            403,
            'AccessDenied',
        );
    });

    it('confines every account, root included, to its own entities', async () => {
        const other = await h.directory.admin.createAccount({
            name: 'other',
            accountId: OTHER_ACCOUNT,
        });
        const { key } = await h.directory.admin.createAccessKey({ accountId: other.accountId });
        const otherRoot = h.directory.lookup(key.accessKeyId)!.principal;
        assert.equal(otherRoot.type, 'Root');
        const users = resultOf(await callIam(h, otherRoot, 'ListUsers'), 'ListUsers');
        assert.equal(users.Users, '');
        assertIamError(
            await callIam(h, otherRoot, 'GetUser', { UserName: 'ops' }),
            404,
            'NoSuchEntity',
        );
        const policyArn = `arn:aws:iam::${ACCOUNT}:policy/IamRead`;
        assertIamError(
            await callIam(h, otherRoot, 'GetPolicy', { PolicyArn: policyArn }),
            404,
            'NoSuchEntity',
        );
        resultOf(await callIam(h, otherRoot, 'CreateUser', { UserName: 'ops' }), 'CreateUser');
        const mine = resultOf(await callIam(h, root, 'GetUser', { UserName: 'ops' }), 'GetUser');
        assert.equal(mine.User.Arn, opsArn);
    });
});
