import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
    SUPPORTED_OPERATIONS,
    UNSUPPORTED_BUCKET_SUBRESOURCES,
    resolveAddress,
    routeRequest,
} from '../../src/server/router.js';

const cases: Array<
    [string, string, string | undefined, string | undefined, string, Record<string, string>, string]
> = [
    ['list buckets', 'GET', undefined, undefined, '', {}, 'ListBuckets'],
    ['create bucket', 'PUT', 'b', undefined, '', {}, 'CreateBucket'],
    ['head bucket', 'HEAD', 'b', undefined, '', {}, 'HeadBucket'],
    ['delete bucket', 'DELETE', 'b', undefined, '', {}, 'DeleteBucket'],
    ['location', 'GET', 'b', undefined, 'location', {}, 'GetBucketLocation'],
    ['list v1', 'GET', 'b', undefined, 'prefix=a', {}, 'ListObjects'],
    ['list v2', 'GET', 'b', undefined, 'list-type=2', {}, 'ListObjectsV2'],
    ['versions', 'GET', 'b', undefined, 'versions', {}, 'ListObjectVersions'],
    ['uploads', 'GET', 'b', undefined, 'uploads', {}, 'ListMultipartUploads'],
    ['delete objects', 'POST', 'b', undefined, 'delete', {}, 'DeleteObjects'],
    ['versioning', 'GET', 'b', undefined, 'versioning', {}, 'GetBucketVersioning'],
    ['lifecycle put', 'PUT', 'b', undefined, 'lifecycle', {}, 'PutBucketLifecycleConfiguration'],
    ['put object', 'PUT', 'b', 'k', '', {}, 'PutObject'],
    ['copy object', 'PUT', 'b', 'k', '', { 'x-amz-copy-source': '/a/b' }, 'CopyObject'],
    ['upload part', 'PUT', 'b', 'k', 'partNumber=1&uploadId=u', {}, 'UploadPart'],
    [
        'upload part copy',
        'PUT',
        'b',
        'k',
        'partNumber=1&uploadId=u',
        { 'x-amz-copy-source': 'a/b' },
        'UploadPartCopy',
    ],
    ['get object', 'GET', 'b', 'k', '', {}, 'GetObject'],
    ['head object', 'HEAD', 'b', 'k', '', {}, 'HeadObject'],
    ['list parts', 'GET', 'b', 'k', 'uploadId=u', {}, 'ListParts'],
    ['abort', 'DELETE', 'b', 'k', 'uploadId=u', {}, 'AbortMultipartUpload'],
    ['create upload', 'POST', 'b', 'k', 'uploads', {}, 'CreateMultipartUpload'],
    ['complete', 'POST', 'b', 'k', 'uploadId=u', {}, 'CompleteMultipartUpload'],
    ['tagging get', 'GET', 'b', 'k', 'tagging', {}, 'GetObjectTagging'],
    ['tagging put', 'PUT', 'b', 'k', 'tagging', {}, 'PutObjectTagging'],
    ['tagging delete', 'DELETE', 'b', 'k', 'tagging', {}, 'DeleteObjectTagging'],
    ['object acl', 'GET', 'b', 'k', 'acl', {}, 'GetObjectAcl'],
    ['retention', 'PUT', 'b', 'k', 'retention', {}, 'PutObjectRetention'],
    ['attributes', 'GET', 'b', 'k', 'attributes', {}, 'GetObjectAttributes'],
    ['browser post', 'POST', 'b', undefined, '', {}, 'PostObject'],
];

describe('routeRequest', () => {
    for (const [name, method, bucket, key, query, headers, expected] of cases) {
        it(name, () => {
            const route = routeRequest(method, bucket, key, new URLSearchParams(query), headers);
            assert.equal(route.operation, expected);
            const isSupported = (SUPPORTED_OPERATIONS as readonly string[]).includes(expected);
            assert.equal(route.kind, isSupported ? 'supported' : 'unsupported');
        });
    }

    it('refuses methods S3 does not have', () => {
        assert.throws(() => routeRequest('PATCH', 'b', 'k', new URLSearchParams(), {}), {
            code: 'MethodNotAllowed',
        });
        assert.throws(() => routeRequest('POST', undefined, undefined, new URLSearchParams(), {}), {
            code: 'MethodNotAllowed',
        });
    });
});

describe('resolveAddress', () => {
    it('reads path-style bucket and percent-decoded key', () => {
        assert.deepEqual(resolveAddress('/b/a%20b/c%2Bd%F0%9F%98%80', 'localhost:9000'), {
            bucket: 'b',
            key: 'a b/c+d\u{1F600}',
        });
        assert.deepEqual(resolveAddress('/b', 'localhost'), { bucket: 'b' });
        assert.deepEqual(resolveAddress('/b/', 'localhost'), { bucket: 'b', key: undefined });
        assert.deepEqual(resolveAddress('/', 'localhost'), {});
    });

    it('keeps a plus sign in a path literal', () => {
        assert.equal(resolveAddress('/b/a+b', 'h').key, 'a+b');
    });

    it('reads virtual-host style under the configured domain only', () => {
        assert.deepEqual(resolveAddress('/k/x', 'photos.s3.local:9000', 's3.local'), {
            bucket: 'photos',
            key: 'k/x',
        });
        assert.deepEqual(resolveAddress('/photos/k', 'other.host', 's3.local'), {
            bucket: 'photos',
            key: 'k',
        });
    });

    it('answers InvalidURI for broken percent-encoding', () => {
        assert.throws(() => resolveAddress('/b/%E0%A4%A', 'h'), { code: 'InvalidURI' });
    });
});

describe('README limitations table', () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const readme = readFileSync(resolve(here, '../../../README.md'), 'utf8');

    it('lists every supported operation', () => {
        for (const operation of SUPPORTED_OPERATIONS) {
            assert.ok(readme.includes(operation), `README does not mention ${operation}`);
        }
    });

    it('lists every bucket sub-resource answered 501', () => {
        const limitations = readme.slice(readme.indexOf('## Limitations')).toLowerCase();
        const names: Record<string, string> = {
            'intelligent-tiering': 'intelligent-tiering',
            metadataTable: 'metadata tables',
            ownershipControls: 'ownership controls',
            publicAccessBlock: 'public access block',
            policyStatus: 'bucket policy',
            requestPayment: 'request payment',
            'object-lock': 'object lock',
        };
        for (const subresource of Object.keys(UNSUPPORTED_BUCKET_SUBRESOURCES)) {
            const name = names[subresource] ?? subresource.toLowerCase();
            assert.ok(limitations.includes(name), `limitations do not mention ${name}`);
        }
    });
});
