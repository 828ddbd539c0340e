/**
 * Condition operators, table-driven: every operator with the key present and absent, and every
 * IfExists variant. Each row is [operator, policy value(s), request value(s) or ABSENT, holds].
 * A block is evaluated through a one-statement identity policy (Allow s3:GetObject on *), so
 * "holds" shows up as Allow and "does not hold" as NoMatch.
 *
 * Expected values follow the IAM reference: an absent key makes positive operators false and
 * negated operators true; IfExists makes an absent key true; values for one key are ORed,
 * NORed for negated operators.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators
 */

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePolicy, parseIdentityPolicy, type Principal } from '../../src/policy/index.js';

type Keys = Record<string, string[]>;

const ALICE: Principal = {
    type: 'User',
    accountId: '111122223333',
    userName: 'alice',
    userId: 'AIDAALICE',
    arn: 'arn:aws:iam::111122223333:user/alice',
};

/** True when the Condition block holds for a request with these (lowercase) keys. */
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

const ABSENT = null;
type Row = [op: string, policy: unknown, request: string | string[] | null, holds: boolean];

/** Runs rows against one condition key; names show operator, values and expectation. */
function table(key: string, rows: Row[]): void {
    for (const [op, policyValue, request, expected] of rows) {
        const shown = request === ABSENT ? 'absent key' : JSON.stringify(request);
        it(`${op} ${JSON.stringify(policyValue)} vs ${shown} -> ${expected}`, () => {
            const keys: Keys = request === ABSENT ? {} : { [key]: [request].flat() };
            assert.equal(holds({ [op]: { [key]: policyValue } }, keys), expected);
        });
    }
}

describe('String operators', () => {
    table('s3:x-amz-server-side-encryption', [
        ['StringEquals', 'AES256', 'AES256', true],
        ['StringEquals', 'aes256', 'AES256', false],
        ['StringEquals', 'AES256', 'aws:kms', false],
        ['StringEquals', 'AES256', ABSENT, false],
        ['StringEquals', 'AES*', 'AES256', false],
        ['StringEquals', 'AES*', 'AES*', true],
        ['StringEquals', ['aws:kms', 'AES256'], 'AES256', true],
        ['StringNotEquals', 'AES256', 'AES256', false],
        ['StringNotEquals', 'AES256', 'aws:kms', true],
        ['StringNotEquals', 'AES256', ABSENT, true],
        ['StringNotEquals', ['aws:kms', 'AES256'], 'AES256', false],
        ['StringNotEquals', ['aws:kms', 'AES256'], 'other', true],
        ['StringEqualsIgnoreCase', 'aes256', 'AES256', true],
        ['StringEqualsIgnoreCase', 'aes', 'AES256', false],
        ['StringEqualsIgnoreCase', 'aes256', ABSENT, false],
        ['StringNotEqualsIgnoreCase', 'aes256', 'AES256', false],
        ['StringNotEqualsIgnoreCase', 'x', 'AES256', true],
        ['StringNotEqualsIgnoreCase', 'x', ABSENT, true],
    ]);
    table('s3:prefix', [
        ['StringLike', 'home/*', 'home/a/b', true],
        ['StringLike', 'a?c', 'abc', true],
        ['StringLike', 'a?c', 'abbc', false],
        ['StringLike', 'Home/*', 'home/x', false],
        ['StringLike', '*', ABSENT, false],
        ['StringNotLike', 'home/*', 'home/x', false],
        ['StringNotLike', 'home/*', 'etc', true],
        ['StringNotLike', 'home/*', ABSENT, true],
        ['StringEquals', 10, '10', true],
    ]);
});

describe('Numeric operators', () => {
    table('s3:max-keys', [
        ['NumericEquals', '10', '10', true],
        ['NumericEquals', '10', '10.0', true],
        ['NumericEquals', '10', '11', false],
        ['NumericEquals', '10', 'ten', false],
        ['NumericEquals', '10', ABSENT, false],
        ['NumericNotEquals', '10', '10', false],
        ['NumericNotEquals', '10', '9', true],
        ['NumericNotEquals', '10', ABSENT, true],
        ['NumericLessThan', 10, '9', true],
        ['NumericLessThan', 10, '10', false],
        ['NumericLessThan', 10, ABSENT, false],
        ['NumericLessThanEquals', '10', '10', true],
        ['NumericLessThanEquals', '10', '11', false],
        ['NumericLessThanEquals', '10', ABSENT, false],
        ['NumericGreaterThan', '10', '10.5', true],
        ['NumericGreaterThan', '10', '10', false],
        ['NumericGreaterThan', '10', ABSENT, false],
        ['NumericGreaterThanEquals', '-1', '-1', true],
        ['NumericGreaterThanEquals', '-1', '-2', false],
        ['NumericGreaterThanEquals', '-1', ABSENT, false],
    ]);
});

describe('Date operators', () => {
    const noon = '2026-03-01T12:00:00Z';
    // 1772366400 is 2026-03-01T12:00:00Z in epoch seconds (computed with Python's datetime).
    table('aws:currenttime', [
        ['DateEquals', noon, '2026-03-01T13:00:00+01:00', true],
        ['DateEquals', '1772366400', noon, true],
        ['DateEquals', noon, '2026-03-01T12:00:01Z', false],
        ['DateEquals', noon, ABSENT, false],
        ['DateNotEquals', noon, noon, false],
        ['DateNotEquals', noon, '2026-03-02', true],
        ['DateNotEquals', noon, ABSENT, true],
        ['DateLessThan', noon, '2026-03-01T11:59:59Z', true],
        ['DateLessThan', noon, noon, false],
        ['DateLessThan', noon, ABSENT, false],
        ['DateLessThanEquals', noon, noon, true],
        ['DateLessThanEquals', noon, '2027-01-01', false],
        ['DateLessThanEquals', noon, ABSENT, false],
        ['DateGreaterThan', '2026-03-01', noon, true],
        ['DateGreaterThan', noon, '2026-03-01', false],
        ['DateGreaterThan', noon, ABSENT, false],
        ['DateGreaterThanEquals', noon, noon, true],
        ['DateGreaterThanEquals', noon, '2025-12-31', false],
        ['DateGreaterThanEquals', noon, ABSENT, false],
    ]);
});

describe('Bool, BinaryEquals, Null', () => {
    table('aws:securetransport', [
        ['Bool', 'true', 'true', true],
        ['Bool', 'TRUE', 'true', true],
        ['Bool', false, 'false', true],
        ['Bool', 'true', 'false', false],
        ['Bool', 'false', ABSENT, false],
    ]);
    // base64 of "Binary" is QmluYXJ5; QmluYXJz decodes to "Binars".
    table('x:bin', [
        ['BinaryEquals', 'QmluYXJ5', 'QmluYXJ5', true],
        ['BinaryEquals', 'QmluYXJ5', 'QmluYXJz', false],
        ['BinaryEquals', 'QmluYXJ5', ABSENT, false],
    ]);
    table('s3:x-amz-server-side-encryption', [
        ['Null', 'true', ABSENT, true],
        ['Null', 'true', 'AES256', false],
        ['Null', 'false', 'AES256', true],
        ['Null', 'false', ABSENT, false],
        ['Null', true, [], true],
    ]);
});

describe('IpAddress / NotIpAddress', () => {
    table('aws:sourceip', [
        ['IpAddress', '192.0.2.0/24', '192.0.2.77', true],
        ['IpAddress', '192.0.2.0/24', '192.0.3.1', false],
        ['IpAddress', '192.0.2.7', '192.0.2.7', true],
        ['IpAddress', '0.0.0.0/0', '203.0.113.9', true],
        ['IpAddress', '2001:db8::/32', '2001:db8:1234::1', true],
        ['IpAddress', '2001:db8::/32', '2001:db9::1', false],
        ['IpAddress', '192.0.2.0/24', '::ffff:192.0.2.5', true],
        ['IpAddress', '192.0.2.0/24', '::ffff:198.51.100.1', false],
        ['IpAddress', '::ffff:192.0.2.0/120', '192.0.2.9', true],
        ['IpAddress', '2001:db8::/32', '192.0.2.1', false],
        ['IpAddress', ['10.0.0.0/8', '192.0.2.0/24'], '192.0.2.1', true],
        ['IpAddress', '0.0.0.0/0', 'not-an-ip', false],
        ['IpAddress', '0.0.0.0/0', ABSENT, false],
        ['NotIpAddress', '192.0.2.0/24', '192.0.2.1', false],
        ['NotIpAddress', '192.0.2.0/24', '10.1.1.1', true],
        ['NotIpAddress', ['10.0.0.0/8', '192.0.2.0/24'], '10.1.1.1', false],
        ['NotIpAddress', '192.0.2.0/24', ABSENT, true],
    ]);
});

describe('ARN operators', () => {
    const bucketArn = 'arn:aws:s3:::logs-bucket';
    table('aws:sourcearn', [
        ['ArnEquals', bucketArn, bucketArn, true],
        ['ArnEquals', 'arn:aws:s3:::Logs-bucket', bucketArn, false],
        ['ArnLike', 'arn:aws:s3:::logs-*', bucketArn, true],
        ['ArnLike', 'arn:aws:*:*:*:logs-bucket', bucketArn, true],
        ['ArnLike', 'arn:aws:s3*', 'arn:aws:s3:::x', false],
        ['ArnLike', '*', bucketArn, true],
        ['ArnLike', 'arn:aws:s3:::*', 'logs-bucket', false],
        ['ArnLike', 'arn:aws:s3:::*', ABSENT, false],
        ['ArnNotEquals', bucketArn, bucketArn, false],
        ['ArnNotEquals', bucketArn, 'arn:aws:s3:::other', true],
        ['ArnNotEquals', bucketArn, ABSENT, true],
        ['ArnNotLike', 'arn:aws:s3:::logs-*', bucketArn, false],
        ['ArnNotLike', 'arn:aws:s3:::logs-*', ABSENT, true],
    ]);
});

describe('IfExists variants: absent key holds, present key is tested', () => {
    const rows: Row[] = [
        ['StringEqualsIfExists', 'AES256', 'aws:kms', false],
        ['StringNotEqualsIfExists', 'AES256', 'aws:kms', true],
        ['StringEqualsIgnoreCaseIfExists', 'aes256', 'AES256', true],
        ['StringNotEqualsIgnoreCaseIfExists', 'aes256', 'AES256', false],
        ['StringLikeIfExists', 'AES*', 'AES256', true],
        ['StringNotLikeIfExists', 'AES*', 'AES256', false],
        ['NumericEqualsIfExists', '5', '6', false],
        ['NumericNotEqualsIfExists', '5', '6', true],
        ['NumericLessThanIfExists', '5', '6', false],
        ['NumericLessThanEqualsIfExists', '5', '5', true],
        ['NumericGreaterThanIfExists', '5', '5', false],
        ['NumericGreaterThanEqualsIfExists', '5', '5', true],
        ['DateEqualsIfExists', '2026-01-01', '2026-01-02', false],
        ['DateNotEqualsIfExists', '2026-01-01', '2026-01-02', true],
        ['DateLessThanIfExists', '2026-01-01', '2026-01-02', false],
        ['DateLessThanEqualsIfExists', '2026-01-01', '2026-01-01', true],
        ['DateGreaterThanIfExists', '2026-01-01', '2026-01-01', false],
        ['DateGreaterThanEqualsIfExists', '2026-01-01', '2026-01-01', true],
        ['BoolIfExists', 'true', 'false', false],
        ['BinaryEqualsIfExists', 'QQ==', 'QQ==', true],
        ['IpAddressIfExists', '10.0.0.0/8', '192.0.2.1', false],
        ['NotIpAddressIfExists', '10.0.0.0/8', '192.0.2.1', true],
        ['ArnEqualsIfExists', 'arn:aws:s3:::a', 'arn:aws:s3:::a', true],
        ['ArnLikeIfExists', 'arn:aws:s3:::a*', 'arn:aws:s3:::b', false],
        ['ArnNotEqualsIfExists', 'arn:aws:s3:::a', 'arn:aws:s3:::a', false],
        ['ArnNotLikeIfExists', 'arn:aws:s3:::a*', 'arn:aws:s3:::b', true],
    ];
    table(
        'x:key',
        rows.flatMap(([op, value, present, whenPresent]): Row[] => [
            [op, value, ABSENT, true],
            [op, value, present, whenPresent],
        ]),
    );
});
