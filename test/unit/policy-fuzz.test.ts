/**
 * Fuzz: random and mutated policy documents (seeded, so failures reproduce) must either parse
 * or throw S3Error MalformedPolicy, never anything else; every policy that parses must evaluate
 * against random requests without throwing. Bounded: 3000 documents, well under 5 seconds.
 */

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
    decide,
    evaluatePolicy,
    parseBucketPolicy,
    parseIdentityPolicy,
    type ParsedPolicy,
    type Principal,
    type RequestContext,
} from '../../src/policy/index.js';
import { isS3Error } from '../../src/s3/errors.js';
import { prng } from '../helpers/sealed-blobs.js';

const random = prng(0xc0ffee);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const maybe = (p: number): boolean => random() < p;
const some = <T>(make: () => T, max = 3): T[] =>
    Array.from({ length: 1 + Math.floor(random() * max) }, make);

const VERSIONS = ['2012-10-17', '2008-10-17', '2020-01-01', 7, undefined];
const EFFECTS = ['Allow', 'Deny', 'allow', '', 1];
const PRINCIPALS = [
    '*',
    { AWS: '*' },
    { AWS: '111122223333' },
    { AWS: 'arn:aws:iam::111122223333:user/alice' },
    { AWS: ['111122223333', 'x'] },
    { Service: 's3.amazonaws.com' },
    { CanonicalUser: 'a' },
    [],
    null,
    'me',
];
const ACTIONS = [
    '*',
    's3:*',
    's3:Get*',
    's3:GetObject',
    's3:Put?bject',
    'S3:LISTBUCKET',
    'kms:Decrypt',
    's3:Nope',
    'x',
    ['s3:GetObject', 's3:DeleteObject'],
    [],
    3,
];
const RESOURCES = [
    '*',
    'arn:aws:s3:::photos',
    'arn:aws:s3:::photos/*',
    'arn:aws:s3:::photos/${aws:username}/*',
    'arn:aws:s3:::photos/${*}${?}${$}',
    'arn:aws:s3:::/*',
    'arn:aws:s3:::other/*',
    'arn:aws:s3:::ph?tos/a*b',
    'arn:x',
    ['arn:aws:s3:::photos/a', 'arn:aws:s3:::photos/b'],
    {},
];
const OPERATORS = [
    'StringEquals',
    'StringNotLike',
    'StringEqualsIgnoreCaseIfExists',
    'ForAnyValue:StringLike',
    'ForAllValues:StringNotEquals',
    'NumericLessThan',
    'DateGreaterThanEquals',
    'Bool',
    'BinaryEquals',
    'IpAddress',
    'NotIpAddressIfExists',
    'ArnLike',
    'ArnNotEquals',
    'Null',
    'NullIfExists',
    'Bogus',
    'constructor',
    '__proto__',
];
const KEYS = [
    's3:x-amz-server-side-encryption',
    'aws:SourceIp',
    'aws:CurrentTime',
    'aws:SecureTransport',
    's3:prefix',
    'aws:TagKeys',
    'aws:SourceArn',
    '',
];
const VALUES = [
    'AES256',
    'aws:kms',
    'true',
    'false',
    '10',
    '-1.5e3',
    '2026-01-01T00:00:00Z',
    '1767225600',
    '2026-02-30',
    '192.0.2.0/24',
    '::ffff:10.0.0.0/104',
    '10.0.0.0/33',
    'QQ==',
    'Q',
    'arn:aws:s3:::*',
    '${aws:username}',
    "${x, 'd''q'}",
    '${',
    '*',
    '',
    42,
    true,
    null,
    [],
    ['a', 'b'],
    { a: 1 },
];
const FIELDS = [
    'Sid',
    'Effect',
    'Principal',
    'NotPrincipal',
    'Action',
    'NotAction',
    'Resource',
    'NotResource',
    'Condition',
    'Bogus',
];

function condition(): Record<string, unknown> {
    const block: Record<string, unknown> = {};
    for (const op of some(() => (maybe(0.8) ? pick(OPERATORS.slice(0, 3)) : pick(OPERATORS)))) {
        const keys: Record<string, unknown> = {};
        for (const key of some(() => pick(KEYS)))
            keys[key] = maybe(0.5) ? pick(VALUES) : some(() => pick(VALUES));
        block[op] = maybe(0.95) ? keys : pick(VALUES);
    }
    return block;
}

function statement(): Record<string, unknown> {
    const s: Record<string, unknown> = {
        Sid: maybe(0.3) ? pick(['A', 'b c', 5]) : undefined,
        Effect: maybe(0.9) ? pick(EFFECTS.slice(0, 2)) : pick(EFFECTS),
        [maybe(0.8) ? 'Principal' : 'NotPrincipal']: maybe(0.9)
            ? pick(PRINCIPALS.slice(0, 6))
            : pick(PRINCIPALS),
        [maybe(0.8) ? 'Action' : 'NotAction']: maybe(0.8)
            ? pick(ACTIONS.slice(0, 6))
            : pick(ACTIONS),
        [maybe(0.8) ? 'Resource' : 'NotResource']: maybe(0.8)
            ? pick(RESOURCES.slice(1, 5))
            : pick(RESOURCES),
        Condition: maybe(0.35) ? condition() : undefined,
    };
    if (maybe(0.05)) s[pick(FIELDS)] = pick(VALUES);
    if (maybe(0.05)) delete s[pick(FIELDS)];
    return s;
}

/** Identity-policy shaped statements: the same, without a principal. */
function identityStatement(): Record<string, unknown> {
    const s = statement();
    delete s.Principal;
    delete s.NotPrincipal;
    return s;
}

function document(): string {
    const statements = some(maybe(0.5) ? statement : identityStatement, 4);
    const doc: Record<string, unknown> = {
        Version: maybe(0.9) ? '2012-10-17' : pick(VERSIONS),
        Id: maybe(0.1) ? 'id' : undefined,
        Statement: maybe(0.3) ? statements[0] : statements,
    };
    return JSON.stringify(doc, null, maybe(0.5) ? 2 : undefined);
}

/** Byte-level damage: flips, insertions, deletions, truncation, duplication. */
function mutate(text: string): string {
    let out = text;
    for (let n = 1 + Math.floor(random() * 4); n > 0; n--) {
        const at = Math.floor(random() * (out.length + 1));
        const kind = Math.floor(random() * 5);
        const ch = String.fromCharCode(
            pick([0x22, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x5c, 0x2a, 0x24]),
        );
        if (kind === 0) out = out.slice(0, at) + ch + out.slice(at + 1);
        else if (kind === 1) out = out.slice(0, at) + ch + out.slice(at);
        else if (kind === 2) out = out.slice(0, at) + out.slice(at + 1);
        else if (kind === 3) out = out.slice(0, at);
        else out = out.slice(0, at) + out.slice(Math.floor(random() * out.length));
    }
    return out;
}

function randomText(): string {
    const length = Math.floor(random() * 64);
    return (
        '{' +
        Array.from({ length }, () => String.fromCharCode(Math.floor(random() * 0x80))).join('')
    );
}

const PRINCIPAL_POOL: Principal[] = [
    { type: 'Anonymous' },
    { type: 'Root', accountId: '111122223333' },
    {
        type: 'User',
        accountId: '111122223333',
        userName: 'alice',
        userId: 'AIDAA',
        arn: 'arn:aws:iam::111122223333:user/alice',
    },
    {
        type: 'User',
        accountId: '444455556666',
        userName: 'a*',
        userId: 'AIDAB',
        arn: 'arn:aws:iam::444455556666:user/a*',
    },
];

function request(): RequestContext {
    const keys = new Map<string, string[] | undefined>();
    for (const key of some(() => pick(KEYS), 4)) {
        keys.set(key.toLowerCase(), maybe(0.1) ? undefined : some(() => String(pick(VALUES)), 3));
    }
    return {
        principal: pick(PRINCIPAL_POOL),
        action: pick(['s3:GetObject', 's3:PutObject', 's3:listbucket', 'kms:Decrypt']),
        resource: pick([
            'arn:aws:s3:::photos',
            'arn:aws:s3:::photos/a',
            'arn:aws:s3:::photos/alice/x',
            '*',
        ]),
        conditionKeys: keys,
    };
}

function parseOrMalformed(parse: () => ParsedPolicy): ParsedPolicy | undefined {
    try {
        return parse();
    } catch (err) {
        assert.ok(isS3Error(err) && err.code === 'MalformedPolicy', `unexpected ${String(err)}`);
        return undefined;
    }
}

describe('policy fuzz', () => {
    it('3000 documents: only MalformedPolicy escapes, evaluation never throws', () => {
        const started = Date.now();
        const options = {
            bucket: 'photos',
            principalExists: (arn: string) => arn.includes('111122223333'),
        };
        let parsed = 0;
        for (let i = 0; i < 3000; i++) {
            const base = i % 10 === 9 ? randomText() : document();
            const text = maybe(0.4) ? mutate(base) : base;
            for (const policy of [
                parseOrMalformed(() => parseBucketPolicy(text, options)),
                parseOrMalformed(() => parseIdentityPolicy(text)),
            ]) {
                if (policy === undefined) continue;
                parsed++;
                const req = request();
                const single = evaluatePolicy(policy, 'p', req, {
                    isIdentityPolicy: policy.kind === 'identity',
                });
                assert.ok(['Allow', 'Deny', 'NoMatch'].includes(single.effect));
                const decision = decide(
                    policy.kind === 'bucket'
                        ? {
                              identityPolicies: [],
                              bucketPolicy: policy,
                              bucketOwnerAccount: '111122223333',
                              req,
                          }
                        : {
                              identityPolicies: [{ name: 'p', policy }],
                              bucketOwnerAccount: '111122223333',
                              req,
                          },
                );
                assert.equal(decision.allowed, decision.reason === 'Allow');
            }
        }
        // The generator must reach the evaluator often enough to mean something.
        assert.ok(parsed > 300, `only ${parsed} documents parsed`);
        assert.ok(Date.now() - started < 5000, 'fuzz run took too long');
    });

    it('pathological inputs are refused cleanly', () => {
        const options = { bucket: 'photos', principalExists: () => true };
        const deep = '{"Statement":' + '['.repeat(50_000) + ']'.repeat(50_000) + '}';
        const huge = '{"Statement":"' + 'x'.repeat(200_000) + '"}';
        const wide = JSON.stringify({
            Statement: {
                Effect: 'Allow',
                Principal: '*',
                Action: 's3:GetObject',
                Resource: 'arn:aws:s3:::photos/' + '*a'.repeat(4000),
            },
        });
        for (const text of [
            deep,
            huge,
            '{"__proto__": {}}',
            '{"Statement": {"constructor": 1}}',
            '\ufeff{}',
        ]) {
            assert.equal(
                parseOrMalformed(() => parseBucketPolicy(text, options)),
                undefined,
            );
            assert.equal(
                parseOrMalformed(() => parseIdentityPolicy(text)),
                undefined,
            );
        }
        // Many stars against a long non-matching key must stay fast (no exponential backtracking).
        const policy = parseBucketPolicy(wide, options);
        const started = Date.now();
        const result = evaluatePolicy(
            policy,
            'p',
            {
                principal: { type: 'Anonymous' },
                action: 's3:GetObject',
                resource: 'arn:aws:s3:::photos/' + 'a'.repeat(8000) + 'b',
                conditionKeys: new Map(),
            },
            { isIdentityPolicy: false },
        );
        assert.equal(result.effect, 'NoMatch');
        assert.ok(Date.now() - started < 2000);
    });
});
