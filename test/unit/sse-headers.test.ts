/**
 * The SSE request headers and the SSE-C key handling, driven through real S3Requests over the
 * multipart harness (real SQLite, blobs and KMS): AWS's validation rules for writes, reads and
 * parts, the customer key's MAC and wrap, and the ETag rule.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { IntegrityError } from '../../src/crypto/index.js';
import { getObject, headObject, putObject } from '../../src/s3/objects.js';
import type { ServerConfig } from '../../src/server/config.js';
import {
    customerKeyMatches,
    customerKeyOf,
    openWithCustomerKey,
    sealWithCustomerKey,
} from '../../src/sse/customer-key.js';
import { canonicalContext } from '../../src/sse/data-keys.js';
import { writeBucketEncryption } from '../../src/sse/index.js';
import { sseWriteHeadersOf } from '../../src/sse/request-headers.js';
import { etagOf } from '../../src/sse/write.js';
import {
    BUCKET,
    openHarness,
    request,
    s3Error,
    sendPart,
    startUpload,
    type Harness,
} from './multipart-harness.js';

let h: Harness;
before(async () => {
    h = await openHarness();
    await writeBucketEncryption(h.metadata, BUCKET, {
        algorithm: 'AES256',
        bucketKeyEnabled: false,
        blockSseC: false,
    });
});
after(() => h.close());

/** Lets SSE-C through the harness's plain-HTTP requests (the server flag's effect). */
function allowInsecure(allow: boolean): void {
    (h.services.config as ServerConfig).allowInsecureSsec = allow;
}

const KEY = randomBytes(32);
const md5 = (data: Buffer) => createHash('md5').update(data).digest('base64');

function ssecHeaders(key: Buffer = KEY, prefix = 'x-amz-server-side-encryption-customer-') {
    return {
        [`${prefix}algorithm`]: 'AES256',
        [`${prefix}key`]: key.toString('base64'),
        [`${prefix}key-md5`]: md5(key),
    };
}

const req = (headers: Record<string, string>) => request(h, { key: 'k', headers });

describe('write headers', () => {
    it('reads the four choices', () => {
        assert.deepEqual(sseWriteHeadersOf(req({})), {
            mode: 'default',
            bucketKeyEnabled: undefined,
        });
        assert.deepEqual(sseWriteHeadersOf(req({ 'x-amz-server-side-encryption': 'AES256' })), {
            mode: 'SSE-S3',
        });
        const context = Buffer.from(JSON.stringify({ team: 'blue' })).toString('base64');
        const kms = sseWriteHeadersOf(
            req({
                'x-amz-server-side-encryption': 'aws:kms',
                'x-amz-server-side-encryption-aws-kms-key-id': 'alias/x',
                'x-amz-server-side-encryption-context': context,
                'x-amz-server-side-encryption-bucket-key-enabled': 'TRUE',
            }),
        );
        assert.deepEqual(kms, {
            mode: 'SSE-KMS',
            keyId: 'alias/x',
            context: { team: 'blue' },
            bucketKeyEnabled: true,
        });
        allowInsecure(true);
        const ssec = sseWriteHeadersOf(req(ssecHeaders()));
        assert.equal(ssec.mode, 'SSE-C');
        assert.ok(ssec.mode === 'SSE-C' && ssec.customerKey.key.equals(KEY));
    });

    const refusals: Array<[string, Record<string, string>, string, string]> = [
        [
            'unknown algorithm',
            { 'x-amz-server-side-encryption': 'true' },
            'InvalidArgument',
            'The encryption method specified is not supported',
        ],
        [
            'DSSE-KMS',
            { 'x-amz-server-side-encryption': 'aws:kms:dsse' },
            'NotImplemented',
            'DSSE-KMS (aws:kms:dsse) is not implemented by Coffer.',
        ],
        [
            'key id without aws:kms',
            { 'x-amz-server-side-encryption-aws-kms-key-id': 'k' },
            'InvalidArgument',
            'Server Side Encryption with AWS KMS managed key requires HTTP ' +
                'header x-amz-server-side-encryption : aws:kms',
        ],
        [
            'context that is not JSON',
            {
                'x-amz-server-side-encryption': 'aws:kms',
                'x-amz-server-side-encryption-context': 'bm90IGpzb24=',
            },
            'InvalidArgument',
            '',
        ],
        [
            'context with a number',
            {
                'x-amz-server-side-encryption': 'aws:kms',
                'x-amz-server-side-encryption-context': Buffer.from('{"a":1}').toString('base64'),
            },
            'InvalidArgument',
            '',
        ],
        [
            'context naming aws:s3:arn',
            {
                'x-amz-server-side-encryption': 'aws:kms',
                'x-amz-server-side-encryption-context': Buffer.from(
                    '{"aws:s3:arn":"arn:aws:s3:::other/x"}',
                ).toString('base64'),
            },
            'InvalidArgument',
            '',
        ],
        [
            'bucket key flag that is not a boolean',
            { 'x-amz-server-side-encryption-bucket-key-enabled': 'yes' },
            'InvalidArgument',
            '',
        ],
        [
            'SSE-C with SSE',
            { ...ssecHeaders(), 'x-amz-server-side-encryption': 'AES256' },
            'InvalidArgument',
            'Server Side Encryption with Customer provided key is ' +
                'incompatible with the encryption method specified',
        ],
    ];
    for (const [name, headers, code, message] of refusals) {
        it(`refuses ${name}`, () => {
            allowInsecure(true);
            assert.throws(
                () => sseWriteHeadersOf(req(headers)),
                s3Error(code, {}, message || undefined),
            );
        });
    }
});

describe('customer key headers', () => {
    const prefix = 'x-amz-server-side-encryption-customer-';
    const cases: Array<[string, Record<string, string>, string, string]> = [
        [
            'key without algorithm',
            { [`${prefix}key`]: KEY.toString('base64') },
            'InvalidArgument',
            'Requests specifying Server Side Encryption with Customer provided keys must provide ' +
                'a valid encryption algorithm.',
        ],
        [
            'AES128',
            { ...ssecHeaders(), [`${prefix}algorithm`]: 'AES128' },
            'InvalidEncryptionAlgorithmError',
            'The Encryption request you specified is not valid. Supported value: AES256.',
        ],
        [
            'algorithm without key',
            { [`${prefix}algorithm`]: 'AES256' },
            'InvalidArgument',
            'Requests specifying Server Side Encryption with Customer provided keys must provide ' +
                'an appropriate secret key.',
        ],
        [
            'a 16-byte key',
            ssecHeaders(randomBytes(16)),
            'InvalidArgument',
            'The secret key was invalid for the specified algorithm.',
        ],
        [
            'a wrong MD5',
            { ...ssecHeaders(), [`${prefix}key-md5`]: md5(Buffer.from('x')) },
            'InvalidArgument',
            'The calculated MD5 hash of the key did not match the hash that was provided.',
        ],
    ];
    for (const [name, headers, code, message] of cases) {
        it(`refuses ${name}`, () => {
            allowInsecure(true);
            assert.throws(
                () => customerKeyOf(req(headers), 'target', 'write'),
                s3Error(code, {}, message),
            );
        });
    }

    it('answers a missing MD5 with 400 on writes and 403 on reads', () => {
        allowInsecure(true);
        const headers = ssecHeaders();
        delete headers[`${prefix}key-md5`];
        assert.throws(
            () => customerKeyOf(req(headers), 'target', 'write'),
            s3Error('InvalidArgument'),
        );
        assert.throws(() => customerKeyOf(req(headers), 'target', 'read'), s3Error('AccessDenied'));
    });

    it('refuses any SSE-C header over plain HTTP unless allowed', () => {
        allowInsecure(false);
        const message =
            'Requests specifying Server Side Encryption with Customer provided keys must be made ' +
            'over a secure connection.';
        assert.throws(
            () => customerKeyOf(req(ssecHeaders()), 'target', 'write'),
            s3Error('InvalidRequest', {}, message),
        );
        const source = ssecHeaders(KEY, 'x-amz-copy-source-server-side-encryption-customer-');
        assert.throws(
            () => customerKeyOf(req(source), 'source', 'read'),
            s3Error('InvalidRequest', {}, message),
        );
        allowInsecure(true);
        assert.equal(customerKeyOf(req(source), 'source', 'read')?.keyMd5, md5(KEY));
    });
});

describe('customer key wrap and MAC', () => {
    it('recognises the same key only, and binds the data key to bucket and key', () => {
        const dataKey = randomBytes(32);
        const customer = { key: KEY, keyMd5: md5(KEY) };
        const sealed = sealWithCustomerKey(customer, dataKey, 'b', 'k');
        const encryption = { mode: 'SSE-C' as const, objectId: '', ...sealed };
        assert.equal(customerKeyMatches(encryption, customer), true);
        const other = randomBytes(32);
        assert.equal(customerKeyMatches(encryption, { key: other, keyMd5: md5(other) }), false);
        assert.ok(openWithCustomerKey(encryption, customer, 'b', 'k').equals(dataKey));
        assert.throws(() => openWithCustomerKey(encryption, customer, 'b', 'k2'), IntegrityError);
        // Neither the key nor its MD5 is stored anywhere in what is kept.
        const stored = JSON.stringify(encryption);
        assert.ok(!stored.includes(KEY.toString('base64')) && !stored.includes(md5(KEY)));
        // A fresh salt per object: the same key gives unrelated MACs.
        const again = sealWithCustomerKey(customer, dataKey, 'b', 'k');
        assert.notEqual(again.customerKeyMac, sealed.customerKeyMac);
    });
});

describe('ETags and contexts', () => {
    it('uses the MD5 for SSE-S3 and a keyed digest otherwise', () => {
        const digest = createHash('md5').update('hello').digest();
        const dataKey = randomBytes(32);
        assert.equal(
            etagOf({ encryption: { mode: 'SSE-S3' }, dataKey }, digest),
            digest.toString('hex'),
        );
        const keyed = createHmac('sha256', dataKey).update(digest).digest('hex').slice(0, 32);
        for (const mode of ['SSE-KMS', 'SSE-C'] as const) {
            const etag = etagOf({ encryption: { mode }, dataKey }, digest);
            assert.equal(etag, keyed);
            assert.notEqual(etag, digest.toString('hex'));
        }
    });

    it('writes contexts with sorted keys', () => {
        assert.equal(
            canonicalContext({ b: '2', 'aws:s3:arn': 'x', a: '1' }),
            '{"a":"1","aws:s3:arn":"x","b":"2"}',
        );
    });
});

describe('reads through the object handlers', () => {
    const body = Buffer.from('sse-c body');
    before(async () => {
        allowInsecure(true);
        const headers = { ...ssecHeaders(), 'content-length': String(body.length) };
        await putObject(request(h, { key: 'ssec', headers, body }));
        await putObject(
            request(h, { key: 'plain', headers: { 'content-length': '1' }, body: 'x' }),
        );
    });

    it('needs the key for an SSE-C object, and the right one', async () => {
        const get = (headers: Record<string, string>) =>
            getObject(request(h, { method: 'GET', key: 'ssec', headers }));
        await assert.rejects(
            get({}),
            s3Error(
                'InvalidRequest',
                {},
                'The object was stored using a form of Server Side Encryption. The correct ' +
                    'parameters must be provided to retrieve the object.',
            ),
        );
        await assert.rejects(get(ssecHeaders(randomBytes(32))), s3Error('AccessDenied'));
        await assert.rejects(
            headObject(
                request(h, { method: 'HEAD', key: 'ssec', headers: ssecHeaders(randomBytes(32)) }),
            ),
            s3Error('AccessDenied'),
        );
        const ok = await get(ssecHeaders());
        assert.equal(ok.headers?.['x-amz-server-side-encryption-customer-key-md5'], md5(KEY));
        assert.equal(ok.headers?.['x-amz-server-side-encryption'], undefined);
    });

    it('refuses SSE-C headers for another object and the SSE header on reads', async () => {
        const get = (headers: Record<string, string>) =>
            getObject(request(h, { method: 'GET', key: 'plain', headers }));
        await assert.rejects(
            get(ssecHeaders()),
            s3Error(
                'InvalidRequest',
                {},
                'The encryption ' + 'parameters are not applicable to this object.',
            ),
        );
        await assert.rejects(
            get({ 'x-amz-server-side-encryption': 'AES256' }),
            s3Error('InvalidArgument', { ArgumentName: 'x-amz-server-side-encryption' }),
        );
    });

    it('refuses SSE-C writes on a bucket that blocks them', async () => {
        await writeBucketEncryption(h.metadata, BUCKET, {
            algorithm: 'AES256',
            bucketKeyEnabled: false,
            blockSseC: true,
        });
        const headers = { ...ssecHeaders(), 'content-length': '1' };
        await assert.rejects(
            putObject(request(h, { key: 'blocked', headers, body: 'x' })),
            s3Error('AccessDenied'),
        );
        // Existing SSE-C objects stay readable.
        const ok = await getObject(
            request(h, { method: 'GET', key: 'ssec', headers: ssecHeaders() }),
        );
        assert.equal(ok.status, 200);
    });
});

describe('parts of a multipart upload', () => {
    it('refuse the SSE-S3/SSE-KMS choice, which only CreateMultipartUpload makes', async () => {
        const uploadId = await startUpload(h, 'mpu', { 'x-amz-server-side-encryption': 'AES256' });
        const message = 'x-amz-server-side-encryption header is not supported for this operation.';
        for (const [name, value] of [
            ['x-amz-server-side-encryption', 'AES256'],
            ['x-amz-server-side-encryption-aws-kms-key-id', 'alias/aws/s3'],
        ]) {
            const part = sendPart(h, 'mpu', uploadId, 1, Buffer.from('x'), { [name]: value });
            await assert.rejects(part, s3Error('InvalidArgument', { ArgumentName: name }, message));
        }
        const ok = await sendPart(h, 'mpu', uploadId, 1, Buffer.from('x'));
        assert.equal(ok.headers?.['x-amz-server-side-encryption'], 'AES256');
        assert.equal(ok.headers?.etag, `"${createHash('md5').update('x').digest('hex')}"`);
    });
});
