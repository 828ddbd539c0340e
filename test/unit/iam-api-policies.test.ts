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
const ALLOW_S3_READ = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'Read', Effect: 'Allow', Action: ['s3:GetObject'], Resource: '*' }],
});

describe('IAM API: inline user policies', () => {
    let h: IdentityHarness;
    let root: Principal;
    before(async () => {
        h = await openIdentities();
        root = h.root.principal;
        await callIam(h, root, 'CreateUser', { UserName: 'alice' });
    });
    after(() => h.close());

    it('PutUserPolicy stores; GetUserPolicy returns the document URL-encoded', async () => {
        const params = { UserName: 'alice', PolicyName: 'read', PolicyDocument: ALLOW_S3_READ };
        assert.equal(
            resultOf(await callIam(h, root, 'PutUserPolicy', params), 'PutUserPolicy'),
            undefined,
        );
        const got = resultOf(
            await callIam(h, root, 'GetUserPolicy', { UserName: 'alice', PolicyName: 'read' }),
            'GetUserPolicy',
        );
        assert.equal(got.UserName, 'alice');
        assert.equal(got.PolicyName, 'read');
        assert.ok(got.PolicyDocument.includes('%22Statement%22'), got.PolicyDocument);
        assert.equal(decodeURIComponent(got.PolicyDocument), ALLOW_S3_READ);
        const list = resultOf(
            await callIam(h, root, 'ListUserPolicies', { UserName: 'alice' }),
            'ListUserPolicies',
        );
        assert.deepEqual(list.PolicyNames.member, ['read']);
        assert.equal(list.IsTruncated, 'false');
    });

    it('refuses malformed documents with MalformedPolicyDocument', async () => {
        const cases = [
            '{"Version":"2012-10-17","Statement":[',
            ' {"Statement":[]}',
            JSON.stringify({
                Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }],
            }),
            JSON.stringify({
                Statement: [{ Effect: 'Allow', Action: 's3:NoSuchAction', Resource: '*' }],
            }),
        ];
        for (const document of cases) {
            const params = { UserName: 'alice', PolicyName: 'bad', PolicyDocument: document };
            const error = assertIamError(
                await callIam(h, root, 'PutUserPolicy', params),
                400,
                'MalformedPolicyDocument',
            );
            assert.ok(error.Message.length > 0);
        }
        const names = resultOf(
            await callIam(h, root, 'ListUserPolicies', { UserName: 'alice' }),
            'ListUserPolicies',
        );
        assert.deepEqual(names.PolicyNames.member, ['read']);
    });

    it('limits a user’s inline policies to 2,048 characters without whitespace', async () => {
        const actions = Array.from({ length: 150 }, () => 's3:GetObject');
        const big = JSON.stringify({
            Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }],
        });
        const params = { UserName: 'alice', PolicyName: 'big', PolicyDocument: big };
        const error = assertIamError(
            await callIam(h, root, 'PutUserPolicy', params),
            409,
            'LimitExceeded',
        );
        assert.match(error.Message, /Maximum policy size of 2048 bytes exceeded for user alice/);
    });

    it('DeleteUserPolicy; unknown policies and users are NoSuchEntity', async () => {
        const params = { UserName: 'alice', PolicyName: 'read' };
        resultOf(await callIam(h, root, 'DeleteUserPolicy', params), 'DeleteUserPolicy');
        const gone = assertIamError(
            await callIam(h, root, 'GetUserPolicy', params),
            404,
            'NoSuchEntity',
        );
        assert.equal(gone.Message, 'The user policy with name read cannot be found.');
        assertIamError(await callIam(h, root, 'DeleteUserPolicy', params), 404, 'NoSuchEntity');
        const noUser = await callIam(h, root, 'ListUserPolicies', { UserName: 'nobody' });
        assertIamError(noUser, 404, 'NoSuchEntity');
    });
});

describe('IAM API: managed policies and attachments', () => {
    let h: IdentityHarness;
    let root: Principal;
    const arn = `arn:aws:iam::${ACCOUNT}:policy/team/S3Read`;
    before(async () => {
        h = await openIdentities();
        root = h.root.principal;
        await callIam(h, root, 'CreateUser', { UserName: 'alice' });
    });
    after(() => h.close());

    it('CreatePolicy answers the Policy; duplicates and bad documents are refused', async () => {
        const params = {
            PolicyName: 'S3Read',
            Path: '/team/',
            PolicyDocument: ALLOW_S3_READ,
            Description: 'read objects',
        };
        const policy = resultOf(
            await callIam(h, root, 'CreatePolicy', params),
            'CreatePolicy',
        ).Policy;
        assert.equal(policy.PolicyName, 'S3Read');
        assert.match(policy.PolicyId, /^ANPA[A-Z0-9]{17}$/);
        assert.equal(policy.Arn, arn);
        assert.equal(policy.Path, '/team/');
        assert.equal(policy.DefaultVersionId, 'v1');
        assert.equal(policy.AttachmentCount, '0');
        assert.equal(policy.IsAttachable, 'true');
        assert.equal(policy.Description, 'read objects');
        assert.match(policy.CreateDate, ISO_SECONDS);
        const dup = await callIam(h, root, 'CreatePolicy', { ...params, Path: '/' });
        assertIamError(dup, 409, 'EntityAlreadyExists');
        const bad = await callIam(h, root, 'CreatePolicy', {
            PolicyName: 'Bad',
            PolicyDocument: '{}',
        });
        assertIamError(bad, 400, 'MalformedPolicyDocument');
    });

    it('GetPolicy and GetPolicyVersion; unknown and malformed ARNs', async () => {
        const got = resultOf(await callIam(h, root, 'GetPolicy', { PolicyArn: arn }), 'GetPolicy');
        assert.equal(got.Policy.Arn, arn);
        const version = resultOf(
            await callIam(h, root, 'GetPolicyVersion', { PolicyArn: arn, VersionId: 'v1' }),
            'GetPolicyVersion',
        ).PolicyVersion;
        assert.equal(decodeURIComponent(version.Document), ALLOW_S3_READ);
        assert.equal(version.IsDefaultVersion, 'true');
        const wrongPath = `arn:aws:iam::${ACCOUNT}:policy/S3Read`;
        const missing = assertIamError(
            await callIam(h, root, 'GetPolicy', { PolicyArn: wrongPath }),
            404,
            'NoSuchEntity',
        );
        assert.equal(missing.Message, `Policy ${wrongPath} does not exist or is not attachable.`);
        const awsManaged = 'arn:aws:iam::aws:policy/AdministratorAccess';
        assertIamError(
            await callIam(h, root, 'GetPolicy', { PolicyArn: awsManaged }),
            404,
            'NoSuchEntity',
        );
        const malformed = await callIam(h, root, 'GetPolicy', {
            PolicyArn: 'arn:aws:s3:::bucket/key',
        });
        assertIamError(malformed, 400, 'InvalidInput');
    });

    it('AttachUserPolicy, ListAttachedUserPolicies, DeletePolicy’s DeleteConflict', async () => {
        const attach = { UserName: 'alice', PolicyArn: arn };
        resultOf(await callIam(h, root, 'AttachUserPolicy', attach), 'AttachUserPolicy');
        resultOf(await callIam(h, root, 'AttachUserPolicy', attach), 'AttachUserPolicy');
        const attached = resultOf(
            await callIam(h, root, 'ListAttachedUserPolicies', { UserName: 'alice' }),
            'ListAttachedUserPolicies',
        );
        assert.deepEqual(attached.AttachedPolicies.member, [
            { PolicyName: 'S3Read', PolicyArn: arn },
        ]);
        const policy = resultOf(
            await callIam(h, root, 'GetPolicy', { PolicyArn: arn }),
            'GetPolicy',
        ).Policy;
        assert.equal(policy.AttachmentCount, '1');
        const conflict = await callIam(h, root, 'DeletePolicy', { PolicyArn: arn });
        assertIamError(conflict, 409, 'DeleteConflict');
        const documents = await h.directory.policiesOf({
            type: 'User',
            accountId: ACCOUNT,
            userName: 'alice',
            userId: (await h.directory.admin.getUser(ACCOUNT, 'alice')).userId,
            arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
            accessKeyId: 'unused',
        });
        assert.deepEqual(documents, [{ name: arn, document: ALLOW_S3_READ }]);
    });

    it('ListPolicies: local policies, OnlyAttached, Scope AWS lists none', async () => {
        const other = { PolicyName: 'Unused', PolicyDocument: ALLOW_S3_READ };
        resultOf(await callIam(h, root, 'CreatePolicy', other), 'CreatePolicy');
        const names = (result: { Policies: { member?: Array<{ PolicyName: string }> } | '' }) =>
            typeof result.Policies === 'string'
                ? []
                : (result.Policies.member ?? []).map((p) => p.PolicyName);
        const local = resultOf(
            await callIam(h, root, 'ListPolicies', { Scope: 'Local' }),
            'ListPolicies',
        );
        assert.deepEqual(names(local), ['S3Read', 'Unused']);
        const onlyAttached = resultOf(
            await callIam(h, root, 'ListPolicies', { OnlyAttached: 'true' }),
            'ListPolicies',
        );
        assert.deepEqual(names(onlyAttached), ['S3Read']);
        const aws = resultOf(
            await callIam(h, root, 'ListPolicies', { Scope: 'AWS' }),
            'ListPolicies',
        );
        assert.deepEqual(names(aws), []);
        assertIamError(
            await callIam(h, root, 'ListPolicies', { Scope: 'Mine' }),
            400,
            'ValidationError',
        );
    });

    it('DetachUserPolicy, then DeletePolicy; detaching again is NoSuchEntity', async () => {
        const attach = { UserName: 'alice', PolicyArn: arn };
        resultOf(await callIam(h, root, 'DetachUserPolicy', attach), 'DetachUserPolicy');
        const again = assertIamError(
            await callIam(h, root, 'DetachUserPolicy', attach),
            404,
            'NoSuchEntity',
        );
        assert.equal(again.Message, `Policy ${arn} was not found.`);
        resultOf(await callIam(h, root, 'DeletePolicy', { PolicyArn: arn }), 'DeletePolicy');
        assertIamError(
            await callIam(h, root, 'GetPolicy', { PolicyArn: arn }),
            404,
            'NoSuchEntity',
        );
    });
});

describe('IAM API: protocol errors', () => {
    let h: IdentityHarness;
    before(async () => {
        h = await openIdentities();
    });
    after(() => h.close());

    it('answers InvalidAction for unknown actions, MissingAction without one', async () => {
        const unknown = assertIamError(
            await callIam(h, h.root.principal, 'CreateRole'),
            400,
            'InvalidAction',
        );
        assert.equal(unknown.Message, 'Could not find operation CreateRole for version 2010-05-08');
        const inherited = await callIam(h, h.root.principal, 'toString');
        assertIamError(inherited, 400, 'InvalidAction');
        const version = await h.iam({
            params: new URLSearchParams({ Action: 'ListUsers', Version: '2006-03-01' }),
            caller: h.root.principal,
            requestId: 'req-1',
        });
        assert.equal(version.status, 400);
        assert.match(version.body, /<Code>InvalidAction<\/Code>/);
        const none = await h.iam({
            params: new URLSearchParams(),
            caller: h.root.principal,
            requestId: 'req-2',
        });
        assert.equal(none.status, 400);
        assert.match(none.body, /<Code>MissingAction<\/Code>/);
    });

    it('refuses anonymous callers with AccessDenied', async () => {
        assertIamError(await callIam(h, { type: 'Anonymous' }, 'ListUsers'), 403, 'AccessDenied');
    });

    it('turns unexpected failures into ServiceFailure (500) and reports the cause', async () => {
        h.db.close();
        const answer = await callIam(h, h.root.principal, 'ListUsers');
        const error = assertIamError(answer, 500, 'ServiceFailure');
        assert.equal(error.Message.includes('database'), false, 'the cause stays in the log');
        assert.equal(h.internalErrors.length, 1);
        assert.match(String(h.internalErrors[0]), /database connection is not open/);
    });
});
