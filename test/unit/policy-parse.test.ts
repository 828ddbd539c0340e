/**
 * Parsing and validation: what PutBucketPolicy accepts, and for each refusal the MalformedPolicy
 * message. Messages marked AWS in src/policy/errors.ts are AWS's own; the others are Coffer's.
 */

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
    AWS_MESSAGES,
    MAX_BUCKET_POLICY_BYTES,
    parseBucketPolicy,
    parseIdentityPolicy,
    S3_ACTIONS,
} from '../../src/policy/index.js';
import { isS3Error } from '../../src/s3/errors.js';

const KNOWN = new Set([
    'arn:aws:iam::111122223333:root',
    'arn:aws:iam::444455556666:root',
    'arn:aws:iam::111122223333:user/alice',
    'arn:aws:iam::111122223333:user/team/bob',
]);
const options = { bucket: 'photos', principalExists: (arn: string) => KNOWN.has(arn) };

/** A valid bucket-policy statement; cases override or delete single elements. */
function stmt(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const base: Record<string, unknown> = {
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::photos/*',
    };
    for (const [key, value] of Object.entries(overrides)) {
        if (value === undefined) delete base[key];
        else base[key] = value;
    }
    return base;
}

const doc = (...statements: unknown[]): string =>
    JSON.stringify({ Version: '2012-10-17', Statement: statements });

function assertMalformed(run: () => unknown, message: string): void {
    assert.throws(run, (err: unknown) => {
        assert.ok(isS3Error(err), `expected S3Error, got ${String(err)}`);
        assert.equal(err.code, 'MalformedPolicy');
        assert.equal(err.status, 400);
        assert.equal(err.message, message);
        return true;
    });
}

type Refusal = [name: string, text: string, message: string];

const structureRefusals: Refusal[] = [
    ['empty body', '', AWS_MESSAGES.firstByte],
    ['leading whitespace', ` ${doc(stmt())}`, AWS_MESSAGES.firstByte],
    ['array document', `[${doc(stmt())}]`, AWS_MESSAGES.firstByte],
    ['broken JSON', '{"Version": "2012-10-17", "Statement": [', AWS_MESSAGES.invalidJson],
    ['trailing garbage', `${doc(stmt())} x`, AWS_MESSAGES.invalidJson],
    ['no Statement', '{"Version": "2012-10-17"}', 'Missing required field Statement'],
    ['empty Statement list', '{"Statement": []}', AWS_MESSAGES.emptyStatement],
    ['Statement is a string', '{"Statement": "x"}', 'Statement must be an object or an array'],
    ['unknown top-level field', '{"Statement": [], "Condition": {}}', 'Unknown field Condition'],
    ['unknown statement field', doc(stmt({ Actions: 's3:*' })), 'Unknown field Actions'],
    ['element names are case-sensitive', doc(stmt({ effect: 'Allow' })), 'Unknown field effect'],
    ['bad Version', '{"Version": "2020-01-01", "Statement": {}}', AWS_MESSAGES.invalidVersion],
    ['numeric Version', '{"Version": 2012, "Statement": {}}', AWS_MESSAGES.invalidVersion],
    ['statement not an object', doc('x'), 'Each Statement must be a JSON object'],
    ['missing Effect', doc(stmt({ Effect: undefined })), 'Missing required field Effect'],
    ['Effect not Allow/Deny', doc(stmt({ Effect: 'allow' })), 'Invalid effect: allow'],
    ['Effect not a string', doc(stmt({ Effect: true })), 'Invalid effect: true'],
    ['missing Principal', doc(stmt({ Principal: undefined })), 'Missing required field Principal'],
    ['missing Action', doc(stmt({ Action: undefined })), 'Missing required field Action'],
    ['missing Resource', doc(stmt({ Resource: undefined })), 'Missing required field Resource'],
    [
        'Action not a string',
        doc(stmt({ Action: 5 })),
        'Action must be a string or an array of strings',
    ],
    ['Sid not a string', doc(stmt({ Sid: 1 })), 'Sid must be a string'],
];

/** Element and its Not form in one statement: "A statement cannot have both X and NotX". */
const bothForms: Array<[string, unknown]> = [
    ['Principal', '*'],
    ['Action', 's3:PutObject'],
    ['Resource', 'arn:aws:s3:::photos'],
];

/** Action values refused with AWS's "Policy has invalid action". */
const badActions: Array<[string, unknown]> = [
    ['unknown action', 's3:GetObjekt'],
    ['action without service', 'invalid_action'],
    ['wildcard matching no action', 's3:Frobnicate*'],
    ['other service in a bucket policy', 'ec2:RunInstances'],
    ['empty action list', []],
    ['one bad action in a list', ['s3:GetObject', 's3:Nope']],
];

/** Resource values refused with AWS's "Policy has invalid resource". */
const badResources: Array<[string, unknown]> = [
    ['no bucket', 'arn:aws:s3:::/*'],
    ['another bucket', 'arn:aws:s3:::other/*'],
    ['a longer bucket name', 'arn:aws:s3:::photos-old/*'],
    ['* in a bucket policy', '*'],
    ['a non-S3 ARN', 'arn:aws:sqs:us-east-1:111122223333:q'],
    ['a variable as the bucket', 'arn:aws:s3:::${aws:username}/*'],
    ['an empty list', []],
];

/** Principal values refused with AWS's "Invalid principal in policy". */
const badPrincipals: Array<[string, unknown]> = [
    ['unknown account', { AWS: '999999999999' }],
    ['unknown account root ARN', { AWS: 'arn:aws:iam::999999999999:root' }],
    ['unknown user', { AWS: 'arn:aws:iam::111122223333:user/mallory' }],
    ['not an ARN', { AWS: 'alice' }],
    ['wildcard inside an ARN', { AWS: 'arn:aws:iam::*:root' }],
    ['a role (Coffer has none)', { AWS: 'arn:aws:iam::111122223333:role/r' }],
    ['CanonicalUser', { CanonicalUser: 'abc' }],
    ['Federated', { Federated: 'cognito-identity.amazonaws.com' }],
    ['a string other than *', 'arn:aws:iam::111122223333:root'],
    ['an empty list', { AWS: [] }],
    ['an empty object', {}],
];

/** Condition blocks refused, with Coffer's message (AWS's wording is unconfirmed). */
const badConditions: Array<[string, unknown, string]> = [
    ['unknown operator', { StringEqualz: { k: 'v' } }, 'Invalid Condition type : StringEqualz'],
    ['operator case', { stringequals: { k: 'v' } }, 'Invalid Condition type : stringequals'],
    [
        'Null with IfExists',
        { NullIfExists: { k: 'true' } },
        'Invalid Condition type : NullIfExists',
    ],
    [
        'Null with a qualifier',
        { 'ForAnyValue:Null': { k: 'true' } },
        'Invalid Condition type : ForAnyValue:Null',
    ],
    [
        'CIDR /33',
        { IpAddress: { k: '10.0.0.0/33' } },
        'Invalid IP address in Conditions: 10.0.0.0/33',
    ],
    [
        'octet 300',
        { IpAddress: { k: '300.1.1.1/8' } },
        'Invalid IP address in Conditions: 300.1.1.1/8',
    ],
    [
        'IPv6 /129',
        { NotIpAddress: { k: '2001:db8::/129' } },
        'Invalid IP address in Conditions: 2001:db8::/129',
    ],
    [
        'February 30',
        { DateLessThan: { k: '2026-02-30' } },
        'Invalid date in Conditions: 2026-02-30',
    ],
    [
        'a date word',
        { DateGreaterThan: { k: 'yesterday' } },
        'Invalid date in Conditions: yesterday',
    ],
    ['a bad number', { NumericLessThan: { k: '1O' } }, 'Invalid number in Conditions: 1O'],
    ['a bad Null value', { Null: { k: 'maybe' } }, 'Invalid boolean in Conditions: maybe'],
    ['a bad Bool value', { Bool: { k: 'ture' } }, 'Invalid boolean in Conditions: ture'],
    ['bad base64', { BinaryEquals: { k: 'no!' } }, 'Invalid base64 value in Conditions: no!'],
    [
        'an object value',
        { StringEquals: { k: { a: 1 } } },
        'Condition values for k must be strings, numbers or booleans',
    ],
    ['an empty value list', { StringEquals: { k: [] } }, 'Condition key k has no values'],
    ['not an object', ['x'], 'Condition must be an object of condition operators'],
    [
        'operator body not an object',
        { StringEquals: 'x' },
        'Condition operator StringEquals must map condition keys to values',
    ],
];

describe('bucket policy refusals', () => {
    const refuse = (text: string, message: string) =>
        assertMalformed(() => parseBucketPolicy(text, options), message);
    for (const [name, text, message] of structureRefusals) {
        it(name, () => refuse(text, message));
    }
    for (const [name, value] of bothForms) {
        const message = `A statement cannot have both ${name} and Not${name}`;
        it(`${name} and Not${name}`, () => refuse(doc(stmt({ [`Not${name}`]: value })), message));
    }
    for (const [name, action] of badActions) {
        it(`action: ${name}`, () =>
            refuse(doc(stmt({ Action: action })), AWS_MESSAGES.invalidAction));
    }
    for (const [name, resource] of badResources) {
        const text = doc(stmt({ Resource: resource }));
        it(`resource: ${name}`, () => refuse(text, AWS_MESSAGES.invalidResource));
    }
    for (const [name, principal] of badPrincipals) {
        const text = doc(stmt({ Principal: principal }));
        it(`principal: ${name}`, () => refuse(text, AWS_MESSAGES.invalidPrincipal));
    }
    for (const [name, condition, message] of badConditions) {
        it(`condition: ${name}`, () => refuse(doc(stmt({ Condition: condition })), message));
    }
});

describe('bucket policy size limit (20480 bytes without insignificant whitespace)', () => {
    /** A policy whose compact JSON is exactly `bytes` long, padded through its Sid. */
    function policyOfSize(bytes: number): string {
        const shell = JSON.stringify({ Statement: stmt({ Sid: '' }) });
        return JSON.stringify({ Statement: stmt({ Sid: 'x'.repeat(bytes - shell.length) }) });
    }
    it('accepts exactly 20480 bytes', () => {
        const text = policyOfSize(MAX_BUCKET_POLICY_BYTES);
        assert.equal(Buffer.byteLength(text), 20480);
        assert.equal(parseBucketPolicy(text, options).statements.length, 1);
    });
    it('refuses 20481 bytes', () => {
        assertMalformed(
            () => parseBucketPolicy(policyOfSize(20481), options),
            AWS_MESSAGES.tooLarge,
        );
    });
    it('does not count indentation', () => {
        const actions = S3_ACTIONS.slice(0, 150);
        const compact = JSON.stringify({ Statement: stmt({ Action: actions, Sid: 'x' }) });
        const padding = 'x'.repeat(20400 - Buffer.byteLength(compact));
        const padded = { Statement: stmt({ Action: actions, Sid: `x${padding}` }) };
        const text = JSON.stringify(padded, null, 8);
        assert.ok(Buffer.byteLength(text) > 20480);
        assert.equal(parseBucketPolicy(text, options).statements.length, 1);
    });
    it('counts whitespace inside strings', () => {
        const text = policyOfSize(20481).replace('"Sid":"x', '"Sid":" ');
        assertMalformed(() => parseBucketPolicy(text, options), AWS_MESSAGES.tooLarge);
    });
});

describe('bucket policies accepted', () => {
    it('a single statement object, no Version (defaults to 2008-10-17)', () => {
        const policy = parseBucketPolicy(JSON.stringify({ Statement: stmt() }), options);
        assert.equal(policy.version, '2008-10-17');
        assert.equal(policy.kind, 'bucket');
        assert.equal(policy.statements.length, 1);
        assert.equal(policy.statements[0].effect, 'Allow');
    });
    it('Id, Sid and lists of every element', () => {
        const text = JSON.stringify({
            Version: '2012-10-17',
            Id: 'policy-1',
            Statement: [
                stmt({ Sid: 'Read', Action: ['s3:GetObject', 's3:ListBucket'] }),
                stmt({ Resource: ['arn:aws:s3:::photos', 'arn:aws:s3:::photos/*'] }),
            ],
        });
        const policy = parseBucketPolicy(text, options);
        assert.equal(policy.id, 'policy-1');
        assert.equal(policy.statements[0].sid, 'Read');
        assert.deepEqual(policy.statements[0].actions.raw, ['s3:GetObject', 's3:ListBucket']);
        assert.equal(policy.statements[1].index, 1);
        assert.equal(policy.statements[1].sid, undefined);
    });
    const principals: Array<[string, unknown]> = [
        ['"*"', '*'],
        ['{"AWS": "*"}', { AWS: '*' }],
        ['account id', { AWS: '111122223333' }],
        ['account root ARN', { AWS: 'arn:aws:iam::444455556666:root' }],
        ['user ARN', { AWS: 'arn:aws:iam::111122223333:user/alice' }],
        ['user ARN with a path', { AWS: 'arn:aws:iam::111122223333:user/team/bob' }],
        ['a list', { AWS: ['111122223333', 'arn:aws:iam::111122223333:user/alice'] }],
        ['a service principal', { Service: 'logging.s3.amazonaws.com' }],
    ];
    for (const [name, principal] of principals) {
        it(`Principal ${name}`, () => {
            const policy = parseBucketPolicy(doc(stmt({ Principal: principal })), options);
            assert.equal(policy.statements[0].principal?.negated, false);
        });
    }
    it('NotPrincipal / NotAction / NotResource', () => {
        const text = doc(
            stmt({ Principal: undefined, NotPrincipal: { AWS: '111122223333' } }),
            stmt({ Action: undefined, NotAction: 's3:Delete*' }),
            stmt({ Resource: undefined, NotResource: 'arn:aws:s3:::photos/private/*' }),
        );
        const [a, b, c] = parseBucketPolicy(text, options).statements;
        assert.equal(a.principal?.negated, true);
        assert.equal(b.actions.negated, true);
        assert.equal(c.resources.negated, true);
    });
    const actions = [
        '*',
        's3:*',
        'S3:getobject',
        's3:Get*',
        's3:*Object',
        's3:GetObj?ct',
        's3:ListAllMyBuckets',
    ];
    for (const action of actions) {
        it(`action ${action}`, () => {
            assert.equal(
                parseBucketPolicy(doc(stmt({ Action: action })), options).statements.length,
                1,
            );
        });
    }
    const resources = [
        'arn:aws:s3:::photos',
        'arn:aws:s3:::photos/*',
        'arn:aws:s3:::pho*/*',
        'arn:aws:s3:::*/a?c',
        'arn:aws:s3:::photos/${aws:username}/*',
    ];
    for (const resource of resources) {
        it(`resource ${resource}`, () => {
            assert.equal(
                parseBucketPolicy(doc(stmt({ Resource: resource })), options).statements.length,
                1,
            );
        });
    }
    it('every condition family with valid values', () => {
        const condition = {
            StringLike: { 's3:prefix': ['a/*', 'b?'] },
            NumericLessThanEquals: { 's3:max-keys': 100 },
            DateGreaterThan: { 'aws:CurrentTime': ['2026-01-01T00:00:00.5+02:00', '1767225600'] },
            Bool: { 'aws:SecureTransport': true },
            BinaryEquals: { 'x:b': 'QQ==' },
            IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '2001:db8::/32', '::ffff:10.0.0.1'] },
            ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::*' },
            Null: { 's3:x-amz-server-side-encryption': 'false' },
            'ForAllValues:StringEqualsIgnoreCaseIfExists': { 'aws:TagKeys': 'x' },
        };
        const policy = parseBucketPolicy(doc(stmt({ Condition: condition })), options);
        assert.equal(policy.statements[0].conditions.length, 9);
    });
});

describe('identity policies', () => {
    const identity = (s: Record<string, unknown>) =>
        JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', ...s } });
    it('refuses a Principal', () => {
        assertMalformed(
            () => parseIdentityPolicy(identity({ Principal: '*', Action: '*', Resource: '*' })),
            'Policy document should not specify a principal.',
        );
    });
    it('refuses a NotPrincipal', () => {
        assertMalformed(
            () => parseIdentityPolicy(identity({ NotPrincipal: '*', Action: '*', Resource: '*' })),
            'Policy document should not specify a principal.',
        );
    });
    it('accepts Resource * and other buckets', () => {
        const text = identity({ Action: 's3:*', Resource: ['*', 'arn:aws:s3:::any-bucket/*'] });
        assert.equal(parseIdentityPolicy(text).kind, 'identity');
    });
    it("accepts other services' actions", () => {
        assert.equal(
            parseIdentityPolicy(identity({ Action: 'kms:Decrypt', Resource: '*' })).statements
                .length,
            1,
        );
    });
    it('still refuses unknown S3 actions', () => {
        assertMalformed(
            () => parseIdentityPolicy(identity({ Action: 's3:GetObjekt', Resource: '*' })),
            AWS_MESSAGES.invalidAction,
        );
    });
    it('refuses a resource that is not an ARN', () => {
        assertMalformed(
            () => parseIdentityPolicy(identity({ Action: 's3:*', Resource: 'photos/*' })),
            AWS_MESSAGES.invalidResource,
        );
    });
    it('still requires Effect, Action and Resource', () => {
        assertMalformed(
            () => parseIdentityPolicy(identity({ Resource: '*' })),
            'Missing required field Action',
        );
        assertMalformed(
            () => parseIdentityPolicy(identity({ Action: '*' })),
            'Missing required field Resource',
        );
    });
});
