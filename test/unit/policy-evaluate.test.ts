/**
 * Evaluating one policy: principals, actions, resources (wildcards and policy variables),
 * the Not* elements, Deny-wins, and AWS's documented SSE scenario
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingServerSideEncryption.html).
 */

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
    evaluatePolicy,
    parseBucketPolicy,
    type MatchResult,
    type Principal,
} from '../../src/policy/index.js';

const ACCT = '111122223333';
const OTHER = '444455556666';
const user = (account: string, name: string, path = '/'): Principal => ({
    type: 'User',
    accountId: account,
    userName: name,
    userId: `AIDA${name.toUpperCase()}`,
    arn: `arn:aws:iam::${account}:user${path}${name}`,
});
const ALICE = user(ACCT, 'alice');
const BOB = user(ACCT, 'bob', '/team/');
const CAROL = user(OTHER, 'carol');
const ROOT: Principal = { type: 'Root', accountId: ACCT };
const OTHER_ROOT: Principal = { type: 'Root', accountId: OTHER };
const ANON: Principal = { type: 'Anonymous' };

function policy(statements: unknown[], version = '2012-10-17') {
    return parseBucketPolicy(JSON.stringify({ Version: version, Statement: statements }), {
        bucket: 'photos',
        principalExists: () => true,
    });
}

function allow(fields: Record<string, unknown>): Record<string, unknown> {
    return {
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::photos/*',
        ...fields,
    };
}

function run(
    statements: unknown[],
    request: {
        principal?: Principal;
        action?: string;
        key?: string;
        keys?: Record<string, string[]>;
    },
    version?: string,
): MatchResult {
    const resource =
        request.key === undefined
            ? 'arn:aws:s3:::photos/a.jpg'
            : `arn:aws:s3:::photos${request.key}`;
    return evaluatePolicy(
        policy(statements, version),
        'bp',
        {
            principal: request.principal ?? ALICE,
            action: request.action ?? 's3:GetObject',
            resource,
            conditionKeys: new Map(Object.entries(request.keys ?? {})),
        },
        { isIdentityPolicy: false },
    );
}

const effect = (...args: Parameters<typeof run>): string => run(...args).effect;

describe('Principal matching', () => {
    const cases: Array<[string, unknown, Principal, string]> = [
        ['"*" matches anonymous', '*', ANON, 'Allow'],
        ['{"AWS":"*"} matches anonymous', { AWS: '*' }, ANON, 'Allow'],
        ['{"AWS":"*"} matches another account', { AWS: '*' }, CAROL, 'Allow'],
        ['account id matches its root', { AWS: ACCT }, ROOT, 'Allow'],
        ['account id matches its users', { AWS: ACCT }, BOB, 'Allow'],
        [
            'root ARN matches the account users',
            { AWS: `arn:aws:iam::${ACCT}:root` },
            ALICE,
            'Allow',
        ],
        ['account does not match anonymous', { AWS: ACCT }, ANON, 'NoMatch'],
        ['account does not match another account', { AWS: ACCT }, CAROL, 'NoMatch'],
        ['account does not match another root', { AWS: ACCT }, OTHER_ROOT, 'NoMatch'],
        [
            'user ARN matches that user',
            { AWS: ALICE.type === 'User' ? ALICE.arn : '' },
            ALICE,
            'Allow',
        ],
        ['user ARN with path', { AWS: `arn:aws:iam::${ACCT}:user/team/bob` }, BOB, 'Allow'],
        [
            'user ARN does not match another user',
            { AWS: `arn:aws:iam::${ACCT}:user/alice` },
            BOB,
            'NoMatch',
        ],
        [
            'user ARN does not match the root',
            { AWS: `arn:aws:iam::${ACCT}:user/alice` },
            ROOT,
            'NoMatch',
        ],
        ['list: any entry', { AWS: [OTHER, `arn:aws:iam::${ACCT}:user/alice`] }, CAROL, 'Allow'],
        [
            'service principal matches no caller',
            { Service: 'logging.s3.amazonaws.com' },
            ROOT,
            'NoMatch',
        ],
    ];
    for (const [name, principal, who, expected] of cases) {
        it(name, () =>
            assert.equal(effect([allow({ Principal: principal })], { principal: who }), expected),
        );
    }
});

describe('NotPrincipal', () => {
    const denyAllBut = (p: unknown) => [
        allow({}),
        { ...allow({}), Effect: 'Deny', Principal: undefined, NotPrincipal: p },
    ];
    const cases: Array<[string, unknown, Principal, string]> = [
        ['user excluded from the Deny', { AWS: `arn:aws:iam::${ACCT}:user/alice` }, ALICE, 'Allow'],
        ['other users denied', { AWS: `arn:aws:iam::${ACCT}:user/alice` }, BOB, 'Deny'],
        ['anonymous denied', { AWS: `arn:aws:iam::${ACCT}:user/alice` }, ANON, 'Deny'],
        ['account excluded: its users', { AWS: ACCT }, BOB, 'Allow'],
        ['account excluded: its root', { AWS: ACCT }, ROOT, 'Allow'],
        ['account excluded: other account denied', { AWS: ACCT }, CAROL, 'Deny'],
        ['NotPrincipal "*" excludes everyone', '*', ANON, 'Allow'],
    ];
    for (const [name, principal, who, expected] of cases) {
        it(name, () => assert.equal(effect(denyAllBut(principal), { principal: who }), expected));
    }
});

describe('Action matching', () => {
    const cases: Array<[string, unknown, string, string]> = [
        ['exact', 's3:GetObject', 's3:GetObject', 'Allow'],
        ['names ignore case (policy)', 'S3:GETOBJECT', 's3:GetObject', 'Allow'],
        ['names ignore case (request)', 's3:GetObject', 's3:getobject', 'Allow'],
        ['* matches everything', '*', 's3:DeleteBucket', 'Allow'],
        ['s3:* matches every S3 action', 's3:*', 's3:PutBucketPolicy', 'Allow'],
        ['prefix wildcard', 's3:Get*', 's3:GetObjectTagging', 'Allow'],
        ['prefix wildcard miss', 's3:Get*', 's3:PutObject', 'NoMatch'],
        ['suffix wildcard', 's3:*Object', 's3:PutObject', 'Allow'],
        ['suffix wildcard miss', 's3:*Object', 's3:PutObjectAcl', 'NoMatch'],
        ['? is exactly one char', 's3:GetObj?ct', 's3:GetObject', 'Allow'],
        ['? is not zero chars', 's3:GetObjectAc?', 's3:GetObjectAc', 'NoMatch'],
        ['list', ['s3:PutObject', 's3:GetObject'], 's3:GetObject', 'Allow'],
        ['other action', 's3:PutObject', 's3:GetObject', 'NoMatch'],
    ];
    for (const [name, action, requested, expected] of cases) {
        it(name, () =>
            assert.equal(effect([allow({ Action: action })], { action: requested }), expected),
        );
    }
    it('NotAction: applies to every other action', () => {
        const deny = { ...allow({}), Effect: 'Deny', Action: undefined, NotAction: 's3:Get*' };
        assert.equal(effect([allow({ Action: '*' }), deny], { action: 's3:PutObject' }), 'Deny');
        assert.equal(effect([allow({ Action: '*' }), deny], { action: 's3:GetObject' }), 'Allow');
    });
});

describe('Resource matching', () => {
    const cases: Array<[string, string, string, string]> = [
        ['* spans /', 'arn:aws:s3:::photos/*', '/2026/03/a.jpg', 'Allow'],
        ['object pattern does not match the bucket', 'arn:aws:s3:::photos/*', '', 'NoMatch'],
        ['bucket ARN matches the bucket', 'arn:aws:s3:::photos', '', 'Allow'],
        ['bucket ARN does not match objects', 'arn:aws:s3:::photos', '/a.jpg', 'NoMatch'],
        ['prefix', 'arn:aws:s3:::photos/public/*', '/public/x/y', 'Allow'],
        ['prefix miss', 'arn:aws:s3:::photos/public/*', '/private/x', 'NoMatch'],
        ['keys are case-sensitive', 'arn:aws:s3:::photos/Public/*', '/public/x', 'NoMatch'],
        ['? one char', 'arn:aws:s3:::photos/a?.jpg', '/ab.jpg', 'Allow'],
        ['? not two', 'arn:aws:s3:::photos/a?.jpg', '/abc.jpg', 'NoMatch'],
        ['wildcard bucket', 'arn:aws:s3:::pho*/*', '/x', 'Allow'],
        ['middle wildcard', 'arn:aws:s3:::photos/*/thumb.png', '/a/b/thumb.png', 'Allow'],
    ];
    for (const [name, resource, key, expected] of cases) {
        it(name, () => assert.equal(effect([allow({ Resource: resource })], { key }), expected));
    }
    it('NotResource: applies to every other resource', () => {
        const statement = allow({
            Resource: undefined,
            NotResource: 'arn:aws:s3:::photos/private/*',
        });
        assert.equal(effect([statement], { key: '/public/a' }), 'Allow');
        assert.equal(effect([statement], { key: '/private/a' }), 'NoMatch');
    });
});

describe('policy variables in Resource', () => {
    const home = allow({
        Principal: { AWS: ACCT },
        Resource: 'arn:aws:s3:::photos/home/${aws:username}/*',
    });
    const cases: Array<[string, unknown, Principal, string, string, string?]> = [
        ['own home', home, ALICE, '/home/alice/x', 'Allow'],
        ["someone else's home", home, ALICE, '/home/bob/x', 'NoMatch'],
        ['root has no aws:username', home, ROOT, '/home/alice/x', 'NoMatch'],
        ['literal ${...} key under 2012-10-17', home, ALICE, '/home/${aws:username}/x', 'NoMatch'],
        [
            'literal ${...} key under 2008-10-17',
            home,
            ALICE,
            '/home/${aws:username}/x',
            'Allow',
            '2008-10-17',
        ],
        ['2008-10-17 does not substitute', home, ALICE, '/home/alice/x', 'NoMatch', '2008-10-17'],
        [
            '${aws:userid}',
            allow({ Resource: 'arn:aws:s3:::photos/${aws:userid}/*' }),
            ALICE,
            '/AIDAALICE/f',
            'Allow',
        ],
        [
            '${aws:userid} of anonymous',
            allow({ Resource: 'arn:aws:s3:::photos/${aws:userid}/*' }),
            ANON,
            '/anonymous/f',
            'Allow',
        ],
        [
            '${aws:PrincipalAccount}',
            allow({ Resource: 'arn:aws:s3:::photos/${aws:PrincipalAccount}/*' }),
            CAROL,
            `/${OTHER}/f`,
            'Allow',
        ],
        [
            '${*} is a literal star',
            allow({ Resource: 'arn:aws:s3:::photos/${*}' }),
            ALICE,
            '/*',
            'Allow',
        ],
        [
            '${*} is not a wildcard',
            allow({ Resource: 'arn:aws:s3:::photos/${*}' }),
            ALICE,
            '/abc',
            'NoMatch',
        ],
        [
            '${?} is a literal ?',
            allow({ Resource: 'arn:aws:s3:::photos/a${?}' }),
            ALICE,
            '/a?',
            'Allow',
        ],
        [
            '${?} is not a wildcard',
            allow({ Resource: 'arn:aws:s3:::photos/a${?}' }),
            ALICE,
            '/ab',
            'NoMatch',
        ],
        [
            '${$} is a literal $',
            allow({ Resource: 'arn:aws:s3:::photos/${$}HOME' }),
            ALICE,
            '/$HOME',
            'Allow',
        ],
        [
            'a * in the user name stays literal',
            allow({ Resource: 'arn:aws:s3:::photos/${aws:username}' }),
            user(ACCT, 'a*'),
            '/abc',
            'NoMatch',
        ],
    ];
    for (const [name, statement, who, key, expected, version] of cases) {
        it(name, () =>
            assert.equal(effect([statement], { principal: who, key }, version), expected),
        );
    }
    it('any request key can be a variable', () => {
        const s = allow({ Resource: 'arn:aws:s3:::photos/${s3:prefix}*' });
        assert.equal(effect([s], { key: '/docs/a', keys: { 's3:prefix': ['docs/'] } }), 'Allow');
        assert.equal(effect([s], { key: '/docs/a', keys: {} }), 'NoMatch');
    });
});

describe('Deny wins within a policy', () => {
    it('names the deciding statement', () => {
        const result = run(
            [
                allow({ Sid: 'Read' }),
                {
                    ...allow({ Sid: 'NoJpeg' }),
                    Effect: 'Deny',
                    Resource: 'arn:aws:s3:::photos/*.jpg',
                },
            ],
            {},
        );
        assert.deepEqual(result, {
            effect: 'Deny',
            statement: { policy: 'bp', sid: 'NoJpeg', index: 1 },
        });
    });
    it('Allow names its statement, without a Sid if none', () => {
        assert.deepEqual(run([allow({ Action: 's3:PutObject' }), allow({})], {}), {
            effect: 'Allow',
            statement: { policy: 'bp', index: 1 },
        });
    });
    it('NoMatch when no statement applies', () => {
        assert.deepEqual(run([allow({})], { action: 's3:PutObject' }), { effect: 'NoMatch' });
    });
});

describe('SSE scenario: Deny StringNotEquals AES256 + Deny Null', () => {
    const SSE = 's3:x-amz-server-side-encryption';
    const put = { Principal: '*', Action: 's3:PutObject', Resource: 'arn:aws:s3:::photos/*' };
    const notAes = {
        Sid: 'DenyWrongSSE',
        Effect: 'Deny',
        ...put,
        Condition: { StringNotEquals: { [SSE]: 'AES256' } },
    };
    const noHeader = {
        Sid: 'DenyNoSSE',
        Effect: 'Deny',
        ...put,
        Condition: { Null: { [SSE]: 'true' } },
    };
    const allowPut = { Sid: 'Put', Effect: 'Allow', ...put };
    const request = (value?: string) => {
        const keys: Record<string, string[]> = value === undefined ? {} : { [SSE]: [value] };
        return { action: 's3:PutObject', keys };
    };
    const cases: Array<[string, unknown[], string | undefined, string, string?]> = [
        ['no header: denied', [allowPut, noHeader, notAes], undefined, 'Deny', 'DenyNoSSE'],
        [
            'aws:kms: denied by StringNotEquals',
            [allowPut, noHeader, notAes],
            'aws:kms',
            'Deny',
            'DenyWrongSSE',
        ],
        ['AES256: allowed', [allowPut, noHeader, notAes], 'AES256', 'Allow', 'Put'],
        [
            'Null alone denies a missing header',
            [allowPut, noHeader],
            undefined,
            'Deny',
            'DenyNoSSE',
        ],
        ['Null alone lets aws:kms through', [allowPut, noHeader], 'aws:kms', 'Allow', 'Put'],
        [
            'StringNotEquals alone denies a missing header too',
            [allowPut, notAes],
            undefined,
            'Deny',
            'DenyWrongSSE',
        ],
    ];
    for (const [name, statements, value, expected, sid] of cases) {
        it(name, () => {
            const result = run(statements, request(value));
            assert.equal(result.effect, expected);
            assert.equal(result.effect === 'NoMatch' ? undefined : result.statement.sid, sid);
        });
    }
    // IfExists turns an absent key into "true", so on a Deny it still catches a missing header
    // (a negated operator was already true there); on an Allow it lets the request through.
    it('Deny StringNotEqualsIfExists also catches a missing header', () => {
        const ifExists = { ...notAes, Condition: { StringNotEqualsIfExists: { [SSE]: 'AES256' } } };
        assert.equal(effect([allowPut, ifExists], request(undefined)), 'Deny');
        assert.equal(effect([allowPut, ifExists], request('aws:kms')), 'Deny');
        assert.equal(effect([allowPut, ifExists], request('AES256')), 'Allow');
    });
    it('Allow StringEqualsIfExists admits a missing header, StringEquals does not', () => {
        const onlyIfAes = (op: string) => ({
            ...allowPut,
            Condition: { [op]: { [SSE]: 'AES256' } },
        });
        assert.equal(effect([onlyIfAes('StringEqualsIfExists')], request(undefined)), 'Allow');
        assert.equal(effect([onlyIfAes('StringEquals')], request(undefined)), 'NoMatch');
        assert.equal(effect([onlyIfAes('StringEqualsIfExists')], request('aws:kms')), 'NoMatch');
    });
});
