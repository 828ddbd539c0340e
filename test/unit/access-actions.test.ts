/**
 * The operation -> IAM action table (src/access/actions.ts): every supported operation has a
 * row, and each row asks for the actions and resources AWS's API pages name.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
    OPERATION_ACCESS,
    actionChecks,
    checkFromArn,
    operationAccess,
} from '../../src/access/actions.js';
import { S3_ACTIONS } from '../../src/policy/index.js';
import { SUPPORTED_OPERATIONS } from '../../src/server/router.js';

const B = 'arn:aws:s3:::photos';
const K = 'arn:aws:s3:::photos/a/b.jpg';
const ADDRESS = { bucket: 'photos', key: 'a/b.jpg' };
const COPY = { 'x-amz-copy-source': '/src-bucket/dir%2Fx%20y.txt?versionId=null' };
const SOURCE = 'arn:aws:s3:::src-bucket/dir/x y.txt';

/** [operation, request headers, expected `action resource` pairs, in order]. */
const EXPECTED: Array<[string, Record<string, string>, string[]]> = [
    ['ListBuckets', {}, ['s3:ListAllMyBuckets arn:aws:s3:::*']],
    ['CreateBucket', {}, [`s3:CreateBucket ${B}`]],
    ['HeadBucket', {}, [`s3:ListBucket ${B}`]],
    ['DeleteBucket', {}, [`s3:DeleteBucket ${B}`]],
    ['GetBucketLocation', {}, [`s3:GetBucketLocation ${B}`]],
    ['GetBucketAcl', {}, [`s3:GetBucketAcl ${B}`]],
    ['PutBucketAcl', {}, [`s3:PutBucketAcl ${B}`]],
    ['ListObjects', {}, [`s3:ListBucket ${B}`]],
    ['ListObjectsV2', {}, [`s3:ListBucket ${B}`]],
    ['ListObjectVersions', {}, [`s3:ListBucketVersions ${B}`]],
    ['ListMultipartUploads', {}, [`s3:ListBucketMultipartUploads ${B}`]],
    ['DeleteObjects', {}, [`s3:DeleteObject ${K}`]],
    ['PutObject', {}, [`s3:PutObject ${K}`]],
    ['PutObject', { 'x-amz-tagging': 'a=b' }, [`s3:PutObject ${K}`, `s3:PutObjectTagging ${K}`]],
    ['CopyObject', COPY, [`s3:PutObject ${K}`, `s3:GetObject ${SOURCE}`]],
    ['GetObject', {}, [`s3:GetObject ${K}`]],
    ['HeadObject', {}, [`s3:GetObject ${K}`]],
    ['DeleteObject', {}, [`s3:DeleteObject ${K}`]],
    ['GetObjectAcl', {}, [`s3:GetObjectAcl ${K}`]],
    ['PutObjectAcl', {}, [`s3:PutObjectAcl ${K}`]],
    ['GetObjectTagging', {}, [`s3:GetObjectTagging ${K}`]],
    ['PutObjectTagging', {}, [`s3:PutObjectTagging ${K}`]],
    ['DeleteObjectTagging', {}, [`s3:DeleteObjectTagging ${K}`]],
    ['CreateMultipartUpload', {}, [`s3:PutObject ${K}`]],
    [
        'CreateMultipartUpload',
        { 'x-amz-tagging': 'a=b' },
        [`s3:PutObject ${K}`, `s3:PutObjectTagging ${K}`],
    ],
    ['UploadPart', {}, [`s3:PutObject ${K}`]],
    ['UploadPartCopy', COPY, [`s3:PutObject ${K}`, `s3:GetObject ${SOURCE}`]],
    ['CompleteMultipartUpload', {}, [`s3:PutObject ${K}`]],
    ['AbortMultipartUpload', {}, [`s3:AbortMultipartUpload ${K}`]],
    ['ListParts', {}, [`s3:ListMultipartUploadParts ${K}`]],
    ['GetBucketPolicy', {}, [`s3:GetBucketPolicy ${B}`]],
    ['PutBucketPolicy', {}, [`s3:PutBucketPolicy ${B}`]],
    ['DeleteBucketPolicy', {}, [`s3:DeleteBucketPolicy ${B}`]],
    ['GetBucketPolicyStatus', {}, [`s3:GetBucketPolicyStatus ${B}`]],
    ['GetPublicAccessBlock', {}, [`s3:GetBucketPublicAccessBlock ${B}`]],
    ['PutPublicAccessBlock', {}, [`s3:PutBucketPublicAccessBlock ${B}`]],
    ['DeletePublicAccessBlock', {}, [`s3:PutBucketPublicAccessBlock ${B}`]],
    ['GetBucketEncryption', {}, [`s3:GetEncryptionConfiguration ${B}`]],
    ['PutBucketEncryption', {}, [`s3:PutEncryptionConfiguration ${B}`]],
    ['DeleteBucketEncryption', {}, [`s3:PutEncryptionConfiguration ${B}`]],
];

const BUCKET_LEVEL = new Set(Object.keys(OPERATION_ACCESS).filter((op) => !isObjectLevel(op)));

function isObjectLevel(operation: string): boolean {
    return OPERATION_ACCESS[operation]!.rules.some((rule) => rule.scope === 'object');
}

function checksOf(operation: string, headers: Record<string, string>): string[] {
    const address = BUCKET_LEVEL.has(operation) ? { bucket: 'photos' } : ADDRESS;
    const access = operationAccess(operation, 'key' in address);
    return actionChecks(access.rules, address, headers).map((c) => `${c.action} ${c.resource}`);
}

describe('operation -> IAM action table', () => {
    it('has a row for every supported operation', () => {
        const missing = SUPPORTED_OPERATIONS.filter((op) => OPERATION_ACCESS[op] === undefined);
        assert.deepEqual(missing, []);
    });

    it('is checked here for every row it has', () => {
        const tested = new Set(EXPECTED.map(([operation]) => operation));
        const untested = Object.keys(OPERATION_ACCESS).filter((op) => !tested.has(op));
        assert.deepEqual(untested, []);
    });

    it('names only actions AWS has', () => {
        const known = new Set(S3_ACTIONS);
        for (const [operation, { rules }] of Object.entries(OPERATION_ACCESS)) {
            for (const rule of rules)
                assert.ok(known.has(rule.action), `${operation}: ${rule.action}`);
        }
    });

    for (const [operation, headers, expected] of EXPECTED) {
        it(`${operation}${Object.keys(headers).length ? ' with ' + Object.keys(headers) : ''}`, () => {
            assert.deepEqual(checksOf(operation, headers), expected);
        });
    }

    it('leaves DeleteObjects and PutObjectTagging to their handlers', () => {
        assert.equal(OPERATION_ACCESS['DeleteObjects']!.deferred, 'per-key');
        assert.equal(OPERATION_ACCESS['PutObjectTagging']!.deferred, 'after-body');
        const deferred = Object.entries(OPERATION_ACCESS).filter(([, access]) => access.deferred);
        assert.deepEqual(deferred.map(([op]) => op).sort(), ['DeleteObjects', 'PutObjectTagging']);
    });

    it('authorizes an unimplemented operation as s3:<Operation> on its bucket or object', () => {
        const bucketLevel = operationAccess('GetBucketVersioning', false);
        assert.deepEqual(actionChecks(bucketLevel.rules, { bucket: 'photos' }, {}), [
            { action: 's3:GetBucketVersioning', scope: 'bucket', bucket: 'photos', resource: B },
        ]);
        const objectLevel = operationAccess('GetObjectRetention', true);
        const [check] = actionChecks(objectLevel.rules, ADDRESS, {});
        assert.equal(check!.resource, K);
        assert.equal(check!.action, 's3:GetObjectRetention');
    });

    it('refuses a copy source that does not parse, as the handler would', () => {
        const access = operationAccess('CopyObject', true);
        assert.throws(() => actionChecks(access.rules, ADDRESS, { 'x-amz-copy-source': 'nokey' }), {
            code: 'InvalidArgument',
        });
    });
});

describe('checkFromArn', () => {
    it('reads bucket and key back from an ARN, keys with slashes and newlines included', () => {
        assert.deepEqual(checkFromArn('s3:DeleteObject', 'arn:aws:s3:::b/x/y\nz'), {
            action: 's3:DeleteObject',
            resource: 'arn:aws:s3:::b/x/y\nz',
            scope: 'object',
            bucket: 'b',
            key: 'x/y\nz',
        });
        assert.equal(checkFromArn('s3:ListBucket', 'arn:aws:s3:::b').scope, 'bucket');
        assert.equal(checkFromArn('s3:ListAllMyBuckets', '*').scope, 'account');
    });
});
