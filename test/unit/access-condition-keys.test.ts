/**
 * The request's condition keys (src/access/condition-keys.ts): what is present, what is ABSENT,
 * and, with the policy engine, what AWS's documented "require SSE" bucket policy makes of them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
    addActionKeys,
    globalConditionKeys,
    requestTagKeys,
    tlsVersionOf,
    uploadSseHeaders,
    type ConditionKeys,
    type RequestFacts,
} from '../../src/access/condition-keys.js';
import type { VerifiedRequest } from '../../src/auth/index.js';
import type { Principal } from '../../src/identity/principal.js';
import { decide, parseBucketPolicy } from '../../src/policy/index.js';

const ACCOUNT = '111122223333';
const ROOT: Principal = {
    type: 'Root',
    accountId: ACCOUNT,
    arn: `arn:aws:iam::${ACCOUNT}:root`,
    accessKeyId: 'AKIAROOT',
};
const ALICE: Principal = {
    type: 'User',
    accountId: ACCOUNT,
    userName: 'alice',
    userId: 'AIDAALICE',
    arn: `arn:aws:iam::${ACCOUNT}:user/team/alice`,
    accessKeyId: 'AKIAALICE',
};
const SIGNED = {
    accessKeyId: 'AKIAROOT',
    authType: 'REST-QUERY-STRING',
    signatureAgeMs: 1234,
} as VerifiedRequest;

function facts(overrides: Partial<RequestFacts> = {}): RequestFacts {
    return {
        principal: { type: 'Anonymous' },
        auth: null,
        secureTransport: false,
        sourceIp: '::ffff:192.0.2.7',
        headers: {},
        query: new URLSearchParams(),
        now: new Date('2026-03-04T05:06:07.890Z'),
        ...overrides,
    };
}

function keysOf(map: ConditionKeys): Record<string, string[] | undefined> {
    return Object.fromEntries([...map].sort(([a], [b]) => a.localeCompare(b)));
}

describe('global condition keys', () => {
    it('an anonymous plain-HTTP request: transport, address, time; no principal or auth keys', () => {
        const keys = globalConditionKeys(facts({ headers: { 'user-agent': 'curl/8' } }));
        assert.deepEqual(keysOf(keys), {
            'aws:currenttime': ['2026-03-04T05:06:07Z'],
            'aws:epochtime': ['1772600767'],
            'aws:securetransport': ['false'],
            'aws:sourceip': ['192.0.2.7'],
            'aws:useragent': ['curl/8'],
        });
    });

    it('a signed request over TLS: principal, signature and TLS keys', () => {
        const keys = globalConditionKeys(
            facts({
                principal: ALICE,
                auth: SIGNED,
                secureTransport: true,
                sourceIp: '2001:db8::1',
                tlsVersion: '1.3',
                headers: {
                    referer: 'https://example.com/',
                    'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
                },
            }),
        );
        assert.deepEqual(keys.get('aws:securetransport'), ['true']);
        assert.deepEqual(keys.get('aws:sourceip'), ['2001:db8::1']);
        assert.deepEqual(keys.get('aws:referer'), ['https://example.com/']);
        assert.deepEqual(keys.get('aws:principalarn'), [ALICE.type === 'User' ? ALICE.arn : '']);
        assert.deepEqual(keys.get('aws:principalaccount'), [ACCOUNT]);
        assert.deepEqual(keys.get('aws:principaltype'), ['User']);
        assert.deepEqual(keys.get('aws:username'), ['alice']);
        assert.deepEqual(keys.get('aws:userid'), ['AIDAALICE']);
        assert.deepEqual(keys.get('s3:signatureversion'), ['AWS4-HMAC-SHA256']);
        assert.deepEqual(keys.get('s3:authtype'), ['REST-QUERY-STRING']);
        assert.deepEqual(keys.get('s3:signatureage'), ['1234']);
        assert.deepEqual(keys.get('s3:tlsversion'), ['1.3']);
        assert.deepEqual(keys.get('s3:x-amz-content-sha256'), ['UNSIGNED-PAYLOAD']);
    });

    it('the root user is an Account principal without a user name', () => {
        const keys = globalConditionKeys(facts({ principal: ROOT, auth: SIGNED }));
        assert.deepEqual(keys.get('aws:principaltype'), ['Account']);
        assert.deepEqual(keys.get('aws:userid'), [ACCOUNT]);
        assert.equal(keys.has('aws:username'), false);
    });

    it('reads the TLS version from a TLS socket only', () => {
        assert.equal(tlsVersionOf({ getProtocol: () => 'TLSv1.3' }), '1.3');
        assert.equal(tlsVersionOf({ getProtocol: () => 'TLSv1' }), '1.0');
        assert.equal(tlsVersionOf({ getProtocol: () => null }), undefined);
        assert.equal(tlsVersionOf({ remoteAddress: '127.0.0.1' }), undefined);
    });
});

describe('action condition keys', () => {
    const putHeaders = {
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:us-east-1:111122223333:key/k',
        'x-amz-acl': 'bucket-owner-full-control',
        'x-amz-grant-read': 'id=abc',
        'x-amz-copy-source': '/src/dir%2Fa%20b?versionId=null',
        'x-amz-metadata-directive': 'REPLACE',
        'x-amz-storage-class': 'STANDARD',
        'x-amz-tagging': 'Env=prod&team=a%20b',
    };

    it('s3:PutObject sees the SSE, ACL, copy and tagging headers', () => {
        const keys = addActionKeys(new Map(), 's3:PutObject', facts({ headers: putHeaders }));
        assert.deepEqual(keysOf(keys), {
            's3:requestobjecttag/env': ['prod'],
            's3:requestobjecttag/team': ['a b'],
            's3:requestobjecttagkeys': ['Env', 'team'],
            's3:x-amz-acl': ['bucket-owner-full-control'],
            's3:x-amz-copy-source': ['src/dir/a b'],
            's3:x-amz-grant-read': ['id=abc'],
            's3:x-amz-metadata-directive': ['REPLACE'],
            's3:x-amz-server-side-encryption': ['aws:kms'],
            's3:x-amz-server-side-encryption-aws-kms-key-id': [
                'arn:aws:kms:us-east-1:111122223333:key/k',
            ],
            's3:x-amz-storage-class': ['STANDARD'],
        });
    });

    it('other actions do not see the write headers', () => {
        const keys = addActionKeys(new Map(), 's3:GetObject', facts({ headers: putHeaders }));
        assert.deepEqual(keysOf(keys), {});
    });

    it('multipart parts take the SSE keys from the upload, never from their own headers', () => {
        const part = facts({ headers: { 'x-amz-server-side-encryption': 'AES256' } });
        const inherited = addActionKeys(new Map(), 's3:PutObject', part, {
            uploadSse: { 'x-amz-server-side-encryption-customer-algorithm': 'AES256' },
        });
        assert.deepEqual(keysOf(inherited), {
            's3:x-amz-server-side-encryption-customer-algorithm': ['AES256'],
        });
        const none = addActionKeys(new Map(), 's3:PutObject', part, { uploadSse: {} });
        assert.equal(none.has('s3:x-amz-server-side-encryption'), false);
    });

    it('the listing keys are present only when the query names them', () => {
        const query = new URLSearchParams('prefix=&delimiter=/&list-type=2');
        const keys = addActionKeys(new Map(), 's3:ListBucket', facts({ query }));
        assert.deepEqual(keysOf(keys), { 's3:delimiter': ['/'], 's3:prefix': [''] });
        const bare = addActionKeys(new Map(), 's3:ListBucket', facts());
        assert.deepEqual(keysOf(bare), {});
        const versions = addActionKeys(new Map(), 's3:ListBucketVersions', facts({ query }));
        assert.deepEqual(versions.get('s3:prefix'), ['']);
        const uploads = addActionKeys(new Map(), 's3:ListBucketMultipartUploads', facts({ query }));
        assert.equal(uploads.has('s3:prefix'), false);
    });

    it('existing object tags for the actions S3 defines them on', () => {
        const existingTags: Array<[string, string]> = [['Classification', 'public']];
        const read = addActionKeys(new Map(), 's3:GetObject', facts(), { existingTags });
        assert.deepEqual(keysOf(read), { 's3:existingobjecttag/classification': ['public'] });
        const put = addActionKeys(new Map(), 's3:PutObject', facts(), { existingTags });
        assert.equal(put.has('s3:existingobjecttag/classification'), false);
    });

    it('request tags from a PutObjectTagging body', () => {
        assert.deepEqual(
            keysOf(
                requestTagKeys([
                    ['a', '1'],
                    ['B', '2'],
                ]),
            ),
            {
                's3:requestobjecttag/a': ['1'],
                's3:requestobjecttag/b': ['2'],
                's3:requestobjecttagkeys': ['a', 'B'],
            },
        );
        assert.deepEqual(keysOf(requestTagKeys([])), {});
    });

    it('an upload records exactly the SSE request headers', () => {
        assert.deepEqual(
            uploadSseHeaders({
                'x-amz-server-side-encryption': 'AES256',
                'x-amz-server-side-encryption-customer-key': 'secret',
                'content-type': 'text/plain',
            }),
            { 'x-amz-server-side-encryption': 'AES256' },
        );
    });
});

/**
 * AWS's documented policy "Requiring server-side encryption" (SSE-S3 page), held as data:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingServerSideEncryption.html
 */
const REQUIRE_AES256 = {
    Version: '2012-10-17',
    Id: 'PutObjectPolicy',
    Statement: [
        {
            Sid: 'DenyIncorrectEncryptionHeader',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:PutObject',
            Resource: 'arn:aws:s3:::photos/*',
            Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' } },
        },
        {
            Sid: 'DenyUnEncryptedObjectUploads',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:PutObject',
            Resource: 'arn:aws:s3:::photos/*',
            Condition: { Null: { 's3:x-amz-server-side-encryption': 'true' } },
        },
    ],
};

describe('condition keys with the policy engine', () => {
    const policy = parseBucketPolicy(JSON.stringify(REQUIRE_AES256), {
        bucket: 'photos',
        principalExists: () => true,
    });

    function decidePut(request: RequestFacts, uploadSse?: Record<string, string>) {
        const keys = addActionKeys(globalConditionKeys(request), 's3:PutObject', request, {
            uploadSse,
        });
        return decide({
            identityPolicies: [],
            bucketPolicy: policy,
            bucketOwnerAccount: ACCOUNT,
            req: {
                principal: ROOT,
                action: 's3:PutObject',
                resource: 'arn:aws:s3:::photos/k',
                conditionKeys: keys,
            },
        });
    }

    it('a plain PUT is denied by the Null statement (the header is absent)', () => {
        const decision = decidePut(facts({ principal: ROOT, auth: SIGNED }));
        assert.equal(decision.reason, 'ExplicitDeny');
        assert.equal(decision.statement?.sid, 'DenyIncorrectEncryptionHeader');
    });

    it('a PUT with AES256 is allowed; with aws:kms it is denied', () => {
        const aes = facts({ headers: { 'x-amz-server-side-encryption': 'AES256' } });
        assert.equal(decidePut({ ...aes, principal: ROOT, auth: SIGNED }).allowed, true);
        const kms = facts({ headers: { 'x-amz-server-side-encryption': 'aws:kms' } });
        assert.equal(decidePut({ ...kms, principal: ROOT, auth: SIGNED }).allowed, false);
    });

    it('an UploadPart of an AES256 upload is allowed, of a plain upload denied', () => {
        const part = facts({ principal: ROOT, auth: SIGNED });
        assert.equal(decidePut(part, { 'x-amz-server-side-encryption': 'AES256' }).allowed, true);
        assert.equal(decidePut(part, {}).allowed, false);
    });
});
