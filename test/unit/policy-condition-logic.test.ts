/**
 * How condition entries combine: several values (OR, NOR when negated), several keys and
 * operators (AND), key names ignoring case while values keep it, the ForAnyValue / ForAllValues
 * set qualifiers on empty, missing and multi-valued keys, and policy variables in values.
 * Sources: AWS's "Conditions with multiple context keys or values" and "Multivalued context
 * key examples" pages,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html
 */

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePolicy, parseIdentityPolicy, type Principal } from '../../src/policy/index.js';

type Keys = Record<string, string[]>;
type Case = [name: string, condition: unknown, keys: Keys, holds: boolean];

const ALICE: Principal = {
    type: 'User',
    accountId: '111122223333',
    userName: 'alice',
    userId: 'AIDAALICE',
    arn: 'arn:aws:iam::111122223333:user/alice',
};

function holds(condition: unknown, keys: Keys, version = '2012-10-17'): boolean {
    const statement = {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: '*',
        Condition: condition,
    };
    const policy = parseIdentityPolicy(JSON.stringify({ Version: version, Statement: statement }));
    const req = {
        principal: ALICE,
        action: 's3:GetObject',
        resource: 'arn:aws:s3:::photos/a.jpg',
        conditionKeys: new Map(Object.entries(keys)),
    };
    return evaluatePolicy(policy, 'p', req, { isIdentityPolicy: true }).effect === 'Allow';
}

function runCases(cases: Case[]): void {
    for (const [name, condition, keys, expected] of cases) {
        it(name, () => assert.equal(holds(condition, keys), expected));
    }
}

const SSE = 's3:x-amz-server-side-encryption';
const NONE: Keys = {};

describe('combining keys and operators', () => {
    const two = { 's3:prefix': ['a'], 's3:delimiter': ['/'] };
    runCases([
        [
            'keys ANDed, both hold',
            { StringEquals: { 's3:prefix': 'a', 's3:delimiter': '/' } },
            two,
            true,
        ],
        [
            'keys ANDed, one fails',
            { StringEquals: { 's3:prefix': 'a', 's3:delimiter': '-' } },
            two,
            false,
        ],
        [
            'operators ANDed, both hold',
            { StringEquals: { 's3:prefix': 'a' }, StringLike: { 's3:delimiter': '*' } },
            two,
            true,
        ],
        [
            'operators ANDed, one fails',
            { StringEquals: { 's3:prefix': 'a' }, Null: { 's3:delimiter': 'true' } },
            two,
            false,
        ],
        ['empty Condition holds', {}, NONE, true],
        [
            'key names ignore case',
            { StringEquals: { 'S3:X-Amz-Server-Side-Encryption': 'AES256' } },
            { [SSE]: ['AES256'] },
            true,
        ],
        [
            'values keep their case',
            { StringEquals: { 'S3:X-AMZ-SERVER-SIDE-ENCRYPTION': 'AES256' } },
            { [SSE]: ['aes256'] },
            false,
        ],
    ]);
});

describe('set qualifiers (ForAnyValue / ForAllValues)', () => {
    const tags = (...v: string[]): Keys => ({ 'aws:tagkeys': v });
    const q = (op: string, value: unknown) => ({ [op]: { 'aws:TagKeys': value } });
    // AWS's published table for ForAllValues:StringNotLike "key1*" ("Multivalued context key
    // examples", reference_policies_condition_examples-multi-valued-context-keys.html).
    const allNotLike = q('ForAllValues:StringNotLike', 'key1*');
    runCases([
        ['AWS example: key1:legal does not match', allNotLike, tags('key1:legal'), false],
        [
            'AWS example: key1:hr + key1:personnel',
            allNotLike,
            tags('key1:hr', 'key1:personnel'),
            false,
        ],
        ['AWS example: key2:audit matches', allNotLike, tags('key2:audit'), true],
        ['AWS example: no aws:TagKeys matches', allNotLike, NONE, true],
        [
            'ForAllValues: all in set',
            q('ForAllValues:StringEquals', ['a', 'b']),
            tags('a', 'b'),
            true,
        ],
        [
            'ForAllValues: one outside',
            q('ForAllValues:StringEquals', ['a', 'b']),
            tags('a', 'c'),
            false,
        ],
        ['ForAllValues: empty set', q('ForAllValues:StringEquals', 'a'), tags(), true],
        ['ForAllValues: missing key', q('ForAllValues:StringEquals', 'a'), NONE, true],
        ['ForAnyValue: one in set', q('ForAnyValue:StringEquals', 'a'), tags('x', 'a'), true],
        ['ForAnyValue: none in set', q('ForAnyValue:StringEquals', 'a'), tags('x', 'y'), false],
        ['ForAnyValue: empty set', q('ForAnyValue:StringEquals', 'a'), tags(), false],
        ['ForAnyValue: missing key', q('ForAnyValue:StringEquals', 'a'), NONE, false],
        [
            'ForAnyValue negated: one outside',
            q('ForAnyValue:StringNotEquals', 'a'),
            tags('a', 'b'),
            true,
        ],
        [
            'ForAnyValue negated: all inside',
            q('ForAnyValue:StringNotEquals', ['a', 'b']),
            tags('a', 'b'),
            false,
        ],
        ['ForAnyValue negated: missing key', q('ForAnyValue:StringNotEquals', 'a'), NONE, false],
        [
            'ForAllValues negated: none inside',
            q('ForAllValues:StringNotEquals', 'a'),
            tags('b', 'c'),
            true,
        ],
        [
            'ForAllValues negated: one inside',
            q('ForAllValues:StringNotEquals', 'a'),
            tags('a', 'c'),
            false,
        ],
        ['ForAllValues negated: missing key', q('ForAllValues:StringNotEquals', 'a'), NONE, true],
        [
            'ForAnyValue IfExists: missing key',
            q('ForAnyValue:StringEqualsIfExists', 'a'),
            NONE,
            true,
        ],
        [
            'ForAnyValue:StringLike',
            q('ForAnyValue:StringLike', 'env*'),
            tags('team', 'env-prod'),
            true,
        ],
        [
            'ForAllValues:StringLike',
            q('ForAllValues:StringLike', 'env*'),
            tags('team', 'env-prod'),
            false,
        ],
        ['no qualifier, multi-valued, positive: any', q('StringEquals', 'a'), tags('b', 'a'), true],
        [
            'no qualifier, multi-valued, negated: none',
            q('StringNotEquals', 'a'),
            tags('b', 'a'),
            false,
        ],
    ]);
});

describe('policy variables in condition values', () => {
    const eq = (key: string, value: string) => ({ StringEquals: { [key]: value } });
    const like = (key: string, value: string) => ({ StringLike: { [key]: value } });
    const prefix = (v: string, more: Keys = {}): Keys => ({ 's3:prefix': [v], ...more });
    runCases([
        ['${aws:username}', eq('x:owner', '${aws:username}'), { 'x:owner': ['alice'] }, true],
        ['${aws:userid}', like('s3:prefix', '${aws:userid}/*'), prefix('AIDAALICE/x'), true],
        [
            '${aws:PrincipalAccount}',
            eq('x:acct', '${aws:PrincipalAccount}'),
            { 'x:acct': ['111122223333'] },
            true,
        ],
        [
            'variable names ignore case',
            eq('x:owner', '${AWS:UserName}'),
            { 'x:owner': ['alice'] },
            true,
        ],
        [
            'any request key',
            eq('s3:prefix', '${s3:delimiter}'),
            prefix('/', { 's3:delimiter': ['/'] }),
            true,
        ],
        [
            'absent variable matches nothing',
            eq('s3:prefix', '${s3:delimiter}'),
            prefix('${s3:delimiter}'),
            false,
        ],
        [
            'absent variable, negated op',
            { StringNotEquals: { 's3:prefix': '${s3:delimiter}' } },
            prefix('x'),
            true,
        ],
        [
            'multi-valued variable has no value',
            eq('s3:prefix', '${x:v}'),
            prefix('a', { 'x:v': ['a', 'b'] }),
            false,
        ],
        [
            'default value when absent',
            eq('s3:prefix', "${s3:delimiter, 'none'}"),
            prefix('none'),
            true,
        ],
        ["quote in a default ('')", eq('s3:prefix', "${x:v, 'it''s'}"), prefix("it's"), true],
        [
            'substituted value is literal',
            like('s3:prefix', '${x:v}'),
            prefix('abc', { 'x:v': ['a*'] }),
            false,
        ],
        ['${*} is a literal star', like('s3:prefix', 'a${*}'), prefix('a*'), true],
        ['${*} is not a wildcard', like('s3:prefix', 'a${*}'), prefix('abc'), false],
        ['${?} is a literal ?', eq('s3:prefix', 'why${?}'), prefix('why?'), true],
        ['${$} is a literal $', eq('s3:prefix', '${$}{x}'), prefix('${x}'), true],
        ['unterminated ${ is text', eq('s3:prefix', 'a${b'), prefix('a${b'), true],
        [
            'Bool from a variable',
            { Bool: { 'aws:SecureTransport': '${x:f}' } },
            { 'aws:securetransport': ['true'], 'x:f': ['TRUE'] },
            true,
        ],
        [
            'ArnLike with a variable',
            { ArnLike: { 'x:arn': 'arn:aws:iam::*:user/${aws:username}' } },
            { 'x:arn': ['arn:aws:iam::1:user/alice'] },
            true,
        ],
    ]);
    it('Version 2008-10-17 keeps ${...} literal', () => {
        const condition = eq('s3:prefix', '${aws:username}');
        assert.equal(holds(condition, prefix('${aws:username}'), '2008-10-17'), true);
        assert.equal(holds(condition, prefix('alice'), '2008-10-17'), false);
    });
});

describe('principal-derived condition keys', () => {
    /** Whether `StringEquals {key: value}` holds for `principal` with the given request keys. */
    function equalsFor(
        principal: Principal,
        key: string,
        value: string,
        keys = new Map<string, string[] | undefined>(),
    ): boolean {
        const statement = {
            Effect: 'Allow',
            Action: '*',
            Resource: '*',
            Condition: { StringEquals: { [key]: value } },
        };
        const policy = parseIdentityPolicy(JSON.stringify({ Statement: statement }));
        const req = { principal, action: 's3:GetObject', resource: '*', conditionKeys: keys };
        return evaluatePolicy(policy, 'p', req, { isIdentityPolicy: true }).effect === 'Allow';
    }
    const ROOT: Principal = { type: 'Root', accountId: '111122223333' };
    const ANON: Principal = { type: 'Anonymous' };
    const cases: Array<[string, Principal, string, string, boolean]> = [
        ['user name', ALICE, 'aws:username', 'alice', true],
        ['user id', ALICE, 'aws:userid', 'AIDAALICE', true],
        ['user type', ALICE, 'aws:PrincipalType', 'User', true],
        ['user ARN', ALICE, 'aws:PrincipalArn', 'arn:aws:iam::111122223333:user/alice', true],
        ['root type is Account', ROOT, 'aws:PrincipalType', 'Account', true],
        ['root user id is the account', ROOT, 'aws:userid', '111122223333', true],
        ['root ARN', ROOT, 'aws:PrincipalArn', 'arn:aws:iam::111122223333:root', true],
        ['root has no user name', ROOT, 'aws:username', '111122223333', false],
        ['anonymous user id', ANON, 'aws:userid', 'anonymous', true],
        ['anonymous type', ANON, 'aws:PrincipalType', 'Anonymous', true],
        ['anonymous has no account', ANON, 'aws:PrincipalAccount', '', false],
    ];
    for (const [name, principal, key, value, expected] of cases) {
        it(name, () => assert.equal(equalsFor(principal, key, value), expected));
    }
    it('a key the server set wins over the derived one', () => {
        const keys = new Map([['aws:username', ['server-said']]]);
        assert.equal(equalsFor(ALICE, 'aws:username', 'server-said', keys), true);
        assert.equal(equalsFor(ALICE, 'aws:username', 'alice', keys), false);
    });
    it('a key the server set to undefined is absent', () => {
        const keys = new Map([['aws:username', undefined]]);
        assert.equal(equalsFor(ALICE, 'aws:username', 'alice', keys), false);
    });
});
