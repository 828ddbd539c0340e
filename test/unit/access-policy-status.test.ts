/**
 * "Public" as Block Public Access and GetBucketPolicyStatus judge a bucket policy
 * (src/access/policy-status.ts), one named case per rule of AWS's definition.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPublicPolicy } from '../../src/access/policy-status.js';
import { parseBucketPolicy } from '../../src/policy/index.js';

const OBJECTS = 'arn:aws:s3:::site/*';

function policyOf(statement: Record<string, unknown>) {
    const text = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: '*', Resource: OBJECTS, ...statement }],
    });
    return parseBucketPolicy(text, { bucket: 'site', principalExists: () => true });
}

const CASES: Array<[name: string, statement: Record<string, unknown>, isPublic: boolean]> = [
    ['Principal * reading objects', { Action: 's3:GetObject' }, true],
    ['{"AWS": "*"} writing objects', { Principal: { AWS: '*' }, Action: 's3:PutObject' }, true],
    ['a fixed account', { Principal: { AWS: '111122223333' }, Action: 's3:*' }, false],
    [
        'a fixed user',
        { Principal: { AWS: 'arn:aws:iam::111122223333:user/u' }, Action: 's3:*' },
        false,
    ],
    [
        'a service principal',
        { Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject' },
        false,
    ],
    [
        'NotPrincipal Allow',
        { Principal: undefined, NotPrincipal: { AWS: '111122223333' }, Action: 's3:GetObject' },
        true,
    ],
    ['a Deny', { Effect: 'Deny', Action: 's3:*' }, false],
    [
        'a /24 source range',
        { Action: 's3:GetObject', Condition: { IpAddress: { 'aws:SourceIp': '192.0.2.0/24' } } },
        false,
    ],
    [
        'two source ranges',
        {
            Action: 's3:GetObject',
            Condition: { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '2001:db8::/32'] } },
        },
        false,
    ],
    [
        'a range wider than /8',
        { Action: 's3:GetObject', Condition: { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } } },
        true,
    ],
    [
        'NotIpAddress',
        { Action: 's3:GetObject', Condition: { NotIpAddress: { 'aws:SourceIp': '192.0.2.0/24' } } },
        true,
    ],
    [
        'IpAddressIfExists',
        {
            Action: 's3:GetObject',
            Condition: { IpAddressIfExists: { 'aws:SourceIp': '192.0.2.0/24' } },
        },
        true,
    ],
    [
        'a fixed aws:SourceAccount',
        {
            Action: 's3:PutObject',
            Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
        },
        false,
    ],
    [
        'a fixed aws:PrincipalAccount',
        {
            Action: 's3:GetObject',
            Condition: { StringEquals: { 'aws:PrincipalAccount': '111122223333' } },
        },
        false,
    ],
    [
        'a fixed aws:SourceArn with ArnLike',
        {
            Action: 's3:PutObject',
            Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::logs-source' } },
        },
        false,
    ],
    [
        'a wildcard aws:SourceArn',
        { Action: 's3:PutObject', Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::*' } } },
        true,
    ],
    [
        'a variable in the value',
        {
            Action: 's3:GetObject',
            Condition: { StringEquals: { 'aws:PrincipalAccount': '${aws:PrincipalAccount}' } },
        },
        true,
    ],
    [
        'StringNotEquals on a fixing key',
        {
            Action: 's3:GetObject',
            Condition: { StringNotEquals: { 'aws:SourceAccount': '111122223333' } },
        },
        true,
    ],
    [
        'aws:userid role pattern',
        { Action: 's3:GetObject', Condition: { StringLike: { 'aws:userid': 'AROAEXAMPLE:*' } } },
        true,
    ],
    [
        'a non-fixing condition (SecureTransport)',
        { Action: 's3:GetObject', Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
        true,
    ],
    ['only actions that are not "bad"', { Action: 's3:ReplicateObject' }, false],
    ['a wildcard reaching bad actions', { Action: 's3:*Object' }, true],
];

describe('isPublicPolicy', () => {
    for (const [name, statement, isPublic] of CASES) {
        it(`${name}: ${isPublic ? 'public' : 'not public'}`, () => {
            assert.equal(isPublicPolicy(policyOf(statement)), isPublic);
        });
    }

    it('one public statement makes the whole policy public', () => {
        const text = JSON.stringify({
            Statement: [
                {
                    Effect: 'Allow',
                    Principal: { AWS: '111122223333' },
                    Action: 's3:*',
                    Resource: OBJECTS,
                },
                { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: OBJECTS },
            ],
        });
        const policy = parseBucketPolicy(text, { bucket: 'site', principalExists: () => true });
        assert.equal(isPublicPolicy(policy), true);
    });
});
