/**
 * PutBucketEncryption, GetBucketEncryption and DeleteBucketEncryption through their handlers on
 * the real metadata store: the rule's validation, BlockedEncryptionTypes kept when a rule leaves
 * it out, and the server's `--default-block-ssec` setting as the base a Delete returns to.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import {
    deleteBucketEncryption,
    getBucketEncryption,
    putBucketEncryption,
} from '../../src/s3/bucket-encryption.js';
import type { ServerConfig } from '../../src/server/config.js';
import { openHarness, request, s3Error, type Harness } from './multipart-harness.js';

let h: Harness;
before(async () => {
    h = await openHarness();
});
after(() => h.close());

const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

function put(rules: string) {
    const root = 'ServerSideEncryptionConfiguration';
    const body = `<${root} xmlns="${XMLNS}">${rules}</${root}>`;
    return putBucketEncryption(request(h, { method: 'PUT', query: { encryption: '' }, body }));
}

async function get(): Promise<Record<string, any>> {
    const response = await getBucketEncryption(
        request(h, { method: 'GET', query: { encryption: '' } }),
    );
    const parser = new XMLParser({ parseTagValue: false });
    return parser.parse(response.body as string).ServerSideEncryptionConfiguration.Rule;
}

const rule = (inner: string) => `<Rule>${inner}</Rule>`;
const byDefault = (algorithm: string, key = '') =>
    '<ApplyServerSideEncryptionByDefault>' +
    `<SSEAlgorithm>${algorithm}</SSEAlgorithm>` +
    (key ? `<KMSMasterKeyID>${key}</KMSMasterKeyID>` : '') +
    '</ApplyServerSideEncryptionByDefault>';
const blocked = (...types: string[]) =>
    '<BlockedEncryptionTypes>' +
    types.map((type) => `<EncryptionType>${type}</EncryptionType>`).join('') +
    '</BlockedEncryptionTypes>';

describe('PutBucketEncryption', () => {
    it('stores aws:kms with its key and bucket key, keeping the SSE-C block it omits', async () => {
        await put(rule(byDefault('AES256') + blocked('SSE-C')));
        await put(
            rule(byDefault('aws:kms', 'alias/team') + '<BucketKeyEnabled>true</BucketKeyEnabled>'),
        );
        assert.deepEqual(await get(), {
            ApplyServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: 'alias/team',
            },
            BucketKeyEnabled: 'true',
            BlockedEncryptionTypes: { EncryptionType: 'SSE-C' },
        });
        await put(rule(byDefault('AES256') + blocked('NONE')));
        assert.deepEqual(await get(), {
            ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
            BucketKeyEnabled: 'false',
        });
    });

    const refusals: Array<[string, string, string]> = [
        ['no rule', '', 'MalformedXML'],
        ['two rules', rule(byDefault('AES256')) + rule(byDefault('AES256')), 'MalformedXML'],
        ['an unknown algorithm', rule(byDefault('AES128')), 'MalformedXML'],
        ['a KMS key with AES256', rule(byDefault('AES256', 'k')), 'InvalidArgument'],
        ['DSSE-KMS', rule(byDefault('aws:kms:dsse')), 'NotImplemented'],
        [
            'SSE-C and NONE at once',
            rule(byDefault('AES256') + blocked('SSE-C', 'NONE')),
            'MalformedXML',
        ],
        [
            'an unknown encryption type',
            rule(byDefault('AES256') + blocked('SSE-KMS')),
            'MalformedXML',
        ],
        [
            'a bucket key flag that is not boolean',
            rule('<BucketKeyEnabled>yes</BucketKeyEnabled>'),
            'MalformedXML',
        ],
    ];
    for (const [name, rules, code] of refusals) {
        it(`refuses ${name} and keeps the previous setting`, async () => {
            const before = await get();
            await assert.rejects(put(rules), s3Error(code));
            assert.deepEqual(await get(), before);
        });
    }
});

describe('DeleteBucketEncryption', () => {
    for (const defaultBlock of [true, false]) {
        it(`returns to SSE-S3 with the server's SSE-C default (${defaultBlock})`, async () => {
            (h.services.config as ServerConfig).defaultBlockSsec = defaultBlock;
            await put(rule(byDefault('aws:kms') + blocked(defaultBlock ? 'NONE' : 'SSE-C')));
            const response = await deleteBucketEncryption(
                request(h, { method: 'DELETE', query: { encryption: '' } }),
            );
            assert.equal(response.status, 204);
            const expected: Record<string, unknown> = {
                ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
                BucketKeyEnabled: 'false',
            };
            if (defaultBlock) expected['BlockedEncryptionTypes'] = { EncryptionType: 'SSE-C' };
            assert.deepEqual(await get(), expected);
        });
    }
});
