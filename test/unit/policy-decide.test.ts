/**
 * Combining identity policies and the bucket policy (decide): explicit Deny anywhere wins;
 * same account: either side allows (an account principal in the bucket policy only delegates);
 * cross-account: both sides; anonymous: bucket policy only; the root user needs no identity
 * policy in its own account. Sources in src/policy/decide.ts.
 */

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
    BUCKET_POLICY_NAME,
    decide,
    parseBucketPolicy,
    parseIdentityPolicy,
    type Decision,
    type ParsedPolicy,
    type Principal,
} from '../../src/policy/index.js';

const OWNER = '111122223333';
const OTHER = '444455556666';
const ALICE_ARN = `arn:aws:iam::${OWNER}:user/alice`;
const CAROL_ARN = `arn:aws:iam::${OTHER}:user/carol`;
const ALICE: Principal = {
    type: 'User',
    accountId: OWNER,
    userName: 'alice',
    userId: 'AIDAA',
    arn: ALICE_ARN,
};
const CAROL: Principal = {
    type: 'User',
    accountId: OTHER,
    userName: 'carol',
    userId: 'AIDAC',
    arn: CAROL_ARN,
};
const ROOT: Principal = { type: 'Root', accountId: OWNER };
const OTHER_ROOT: Principal = { type: 'Root', accountId: OTHER };
const ANON: Principal = { type: 'Anonymous' };

const OBJECTS = 'arn:aws:s3:::photos/*';

function identity(effect: string, action = 's3:GetObject', resource = OBJECTS): ParsedPolicy {
    return parseIdentityPolicy(
        JSON.stringify({
            Version: '2012-10-17',
            Statement: { Sid: `Id${effect}`, Effect: effect, Action: action, Resource: resource },
        }),
    );
}

function bucket(...statements: Array<Record<string, unknown>>): ParsedPolicy {
    const full = statements.map((s) => ({ Action: 's3:GetObject', Resource: OBJECTS, ...s }));
    return parseBucketPolicy(JSON.stringify({ Version: '2012-10-17', Statement: full }), {
        bucket: 'photos',
        principalExists: () => true,
    });
}

const PUBLIC = bucket({ Sid: 'Public', Effect: 'Allow', Principal: '*' });
const ALICE_DIRECT = bucket({ Sid: 'Alice', Effect: 'Allow', Principal: { AWS: ALICE_ARN } });
const CAROL_DIRECT = bucket({ Sid: 'Carol', Effect: 'Allow', Principal: { AWS: CAROL_ARN } });
const OWN_ACCOUNT = bucket({ Sid: 'OwnAccount', Effect: 'Allow', Principal: { AWS: OWNER } });
const OTHER_ACCOUNT = bucket({
    Sid: 'OtherAccount',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${OTHER}:root` },
});
const DENY_ALL = bucket({ Sid: 'DenyAll', Effect: 'Deny', Principal: '*', Action: 's3:*' });
const PUBLIC_TLS_ONLY = bucket(
    { Sid: 'Public', Effect: 'Allow', Principal: '*' },
    {
        Sid: 'TlsOnly',
        Effect: 'Deny',
        Principal: '*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
);

type Case = [
    name: string,
    principal: Principal,
    identities: ParsedPolicy[],
    bucketPolicy: ParsedPolicy | undefined,
    expected: Decision,
];

const allowBy = (policy: string, sid: string): Decision => ({
    allowed: true,
    reason: 'Allow',
    statement: { policy, sid, index: 0 },
});
const denyBy = (policy: string, sid: string, index = 0): Decision => ({
    allowed: false,
    reason: 'ExplicitDeny',
    statement: { policy, sid, index },
});
const IMPLICIT: Decision = { allowed: false, reason: 'ImplicitDeny' };
const B = BUCKET_POLICY_NAME;

const cases: Case[] = [
    ['owner root: no policy needed', ROOT, [], undefined, { allowed: true, reason: 'Allow' }],
    ['owner root: bucket Deny still binds', ROOT, [], DENY_ALL, denyBy(B, 'DenyAll')],
    [
        'owner root: names the bucket grant when there is one',
        ROOT,
        [],
        OWN_ACCOUNT,
        allowBy(B, 'OwnAccount'),
    ],
    ['same-account user: nothing allows', ALICE, [], undefined, IMPLICIT],
    [
        'same-account user: identity Allow suffices',
        ALICE,
        [identity('Allow')],
        undefined,
        allowBy('p0', 'IdAllow'),
    ],
    [
        'same-account user: bucket Allow naming the user suffices',
        ALICE,
        [],
        ALICE_DIRECT,
        allowBy(B, 'Alice'),
    ],
    ['same-account user: bucket Allow for "*" suffices', ALICE, [], PUBLIC, allowBy(B, 'Public')],
    ['same-account user: account principal only delegates', ALICE, [], OWN_ACCOUNT, IMPLICIT],
    [
        'same-account user: delegation + identity Allow',
        ALICE,
        [identity('Allow')],
        OWN_ACCOUNT,
        allowBy('p0', 'IdAllow'),
    ],
    [
        'same-account user: bucket Deny beats identity Allow',
        ALICE,
        [identity('Allow')],
        DENY_ALL,
        denyBy(B, 'DenyAll'),
    ],
    [
        'same-account user: identity Deny beats bucket Allow',
        ALICE,
        [identity('Deny')],
        ALICE_DIRECT,
        denyBy('p0', 'IdDeny'),
    ],
    [
        'same-account user: Deny in a second identity policy',
        ALICE,
        [identity('Allow'), identity('Deny')],
        undefined,
        denyBy('p1', 'IdDeny'),
    ],
    [
        'same-account user: identity allows another action only',
        ALICE,
        [identity('Allow', 's3:PutObject')],
        undefined,
        IMPLICIT,
    ],
    ['anonymous: nothing allows', ANON, [], undefined, IMPLICIT],
    ['anonymous: public bucket policy', ANON, [], PUBLIC, allowBy(B, 'Public')],
    ['anonymous: account principal does not cover anonymous', ANON, [], OWN_ACCOUNT, IMPLICIT],
    ['anonymous: identity policies are ignored', ANON, [identity('Allow')], undefined, IMPLICIT],
    ['cross-account user: identity Allow alone', CAROL, [identity('Allow')], undefined, IMPLICIT],
    ['cross-account user: bucket Allow alone', CAROL, [], CAROL_DIRECT, IMPLICIT],
    [
        'cross-account user: both, bucket names the user',
        CAROL,
        [identity('Allow')],
        CAROL_DIRECT,
        allowBy(B, 'Carol'),
    ],
    [
        'cross-account user: both, bucket names the account',
        CAROL,
        [identity('Allow')],
        OTHER_ACCOUNT,
        allowBy(B, 'OtherAccount'),
    ],
    [
        'cross-account user: both, public bucket',
        CAROL,
        [identity('Allow')],
        PUBLIC,
        allowBy(B, 'Public'),
    ],
    [
        'cross-account user: identity Deny beats both Allows',
        CAROL,
        [identity('Allow'), identity('Deny')],
        PUBLIC,
        denyBy('p1', 'IdDeny'),
    ],
    [
        'cross-account user: bucket grants another account',
        CAROL,
        [identity('Allow')],
        OWN_ACCOUNT,
        IMPLICIT,
    ],
    [
        'cross-account root: bucket Allow for its account',
        OTHER_ROOT,
        [],
        OTHER_ACCOUNT,
        allowBy(B, 'OtherAccount'),
    ],
    ['cross-account root: nothing in the bucket policy', OTHER_ROOT, [], undefined, IMPLICIT],
    ['cross-account root: bucket Deny', OTHER_ROOT, [], DENY_ALL, denyBy(B, 'DenyAll')],
];

describe('decide', () => {
    for (const [name, principal, identities, bucketPolicy, expected] of cases) {
        it(name, () => {
            const decision = decide({
                identityPolicies: identities.map((policy, i) => ({ name: `p${i}`, policy })),
                bucketPolicy,
                bucketOwnerAccount: OWNER,
                req: {
                    principal,
                    action: 's3:GetObject',
                    resource: 'arn:aws:s3:::photos/a.jpg',
                    conditionKeys: new Map(),
                },
            });
            assert.deepEqual(decision, expected);
        });
    }

    it('conditions take part: public read over TLS only', () => {
        const over = (secure: string) =>
            decide({
                identityPolicies: [],
                bucketPolicy: PUBLIC_TLS_ONLY,
                bucketOwnerAccount: OWNER,
                req: {
                    principal: ANON,
                    action: 's3:GetObject',
                    resource: 'arn:aws:s3:::photos/a.jpg',
                    conditionKeys: new Map([['aws:securetransport', [secure]]]),
                },
            });
        assert.deepEqual(over('true'), allowBy(B, 'Public'));
        assert.deepEqual(over('false'), denyBy(B, 'TlsOnly', 1));
    });

    it('account-level action without a bucket (ListAllMyBuckets)', () => {
        const list = identity('Allow', 's3:ListAllMyBuckets', '*');
        const decision = decide({
            identityPolicies: [{ name: 'list', policy: list }],
            bucketOwnerAccount: OWNER,
            req: {
                principal: ALICE,
                action: 's3:ListAllMyBuckets',
                resource: '*',
                conditionKeys: new Map(),
            },
        });
        assert.deepEqual(decision, allowBy('list', 'IdAllow'));
    });
});
