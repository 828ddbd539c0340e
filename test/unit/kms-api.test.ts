import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createKmsApi, type KmsApiResponse } from '../../src/kms/api/handler.js';
import { ACCOUNT, CALLER, REGION, openKms, type KmsHarness } from './kms-harness.js';

type Json = Record<string, any>; // test-side view of parsed response bodies

describe('kms JSON 1.1 API handler', () => {
    let h: KmsHarness;
    let api: ReturnType<typeof createKmsApi>;
    const call = async (
        operation: string,
        body: unknown,
    ): Promise<KmsApiResponse & { json: Json }> => {
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        const response = await api({
            target: `TrentService.${operation}`,
            body: text,
            callerArn: CALLER,
        });
        assert.equal(response.headers['Content-Type'], 'application/x-amz-json-1.1');
        return { ...response, json: JSON.parse(response.body) as Json };
    };
    const ok = async (operation: string, body: unknown): Promise<Json> => {
        const response = await call(operation, body);
        assert.equal(response.status, 200, `${operation}: ${response.body}`);
        return response.json;
    };
    const fails = async (operation: string, body: unknown, type: string, status = 400) => {
        const response = await call(operation, body);
        assert.equal(response.status, status, response.body);
        assert.equal(response.json['__type'], type, response.body);
        assert.equal(typeof response.json['message'], 'string');
        return response.json;
    };

    before(() => {
        h = openKms();
        api = createKmsApi(h.kms);
    });
    after(() => h.close());

    it('key lifecycle targets: JSON in, JSON out, timestamps as epoch seconds', async () => {
        const created = await ok('CreateKey', {
            Description: 'api',
            Tags: [{ TagKey: 't', TagValue: 'v' }],
        });
        const meta = created['KeyMetadata'];
        assert.equal(meta.KeyState, 'Enabled');
        assert.equal(meta.CreationDate, h.now().getTime() / 1000);
        assert.equal(typeof meta.CreationDate, 'number');
        const keyId = meta.KeyId as string;
        assert.equal((await ok('DescribeKey', { KeyId: meta.Arn }))['KeyMetadata'].KeyId, keyId);
        const listed = await ok('ListKeys', { Limit: 10 });
        assert.deepEqual(listed['Keys'], [{ KeyId: keyId, KeyArn: meta.Arn }]);
        assert.equal(listed['Truncated'], false);
        assert.deepEqual(await ok('DisableKey', { KeyId: keyId }), {});
        assert.deepEqual(await ok('EnableKey', { KeyId: keyId }), {});
        await ok('UpdateKeyDescription', { KeyId: keyId, Description: 'renamed' });
        const scheduled = await ok('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 });
        assert.equal(scheduled['KeyState'], 'PendingDeletion');
        assert.equal(scheduled['DeletionDate'], h.now().getTime() / 1000 + 7 * 86400);
        assert.deepEqual(await ok('CancelKeyDeletion', { KeyId: keyId }), { KeyId: meta.Arn });
        assert.equal(
            (await ok('DescribeKey', { KeyId: keyId }))['KeyMetadata'].KeyState,
            'Disabled',
        );
    });

    it('crypto targets: blobs as base64, context binding, data keys', async () => {
        const keyId = (await ok('CreateKey', {}))['KeyMetadata'].KeyId as string;
        const plaintext = Buffer.from('hello kms').toString('base64');
        const enc = await ok('Encrypt', {
            KeyId: keyId,
            Plaintext: plaintext,
            EncryptionContext: { k: 'v' },
        });
        assert.equal(enc['EncryptionAlgorithm'], 'SYMMETRIC_DEFAULT');
        const dec = await ok('Decrypt', {
            CiphertextBlob: enc['CiphertextBlob'],
            EncryptionContext: { k: 'v' },
        });
        assert.equal(dec['Plaintext'], plaintext);
        assert.equal(dec['KeyId'], `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`);
        await fails(
            'Decrypt',
            { CiphertextBlob: enc['CiphertextBlob'], EncryptionContext: { k: 'w' } },
            'InvalidCiphertextException',
        );
        const dk = await ok('GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256' });
        assert.equal(Buffer.from(dk['Plaintext'], 'base64').length, 32);
        const bare = await ok('GenerateDataKeyWithoutPlaintext', {
            KeyId: keyId,
            NumberOfBytes: 64,
        });
        assert.equal(bare['Plaintext'], undefined);
        const opened = await ok('Decrypt', { CiphertextBlob: bare['CiphertextBlob'] });
        assert.equal(Buffer.from(opened['Plaintext'], 'base64').length, 64);
        const other = (await ok('CreateKey', {}))['KeyMetadata'].KeyId as string;
        const re = await ok('ReEncrypt', {
            CiphertextBlob: dk['CiphertextBlob'],
            DestinationKeyId: other,
        });
        assert.equal(
            (await ok('Decrypt', { CiphertextBlob: re['CiphertextBlob'] }))['Plaintext'],
            dk['Plaintext'],
        );
        assert.equal(
            Buffer.from((await ok('GenerateRandom', { NumberOfBytes: 12 }))['Plaintext'], 'base64')
                .length,
            12,
        );
    });

    it('alias, rotation and tag targets', async () => {
        const keyId = (await ok('CreateKey', {}))['KeyMetadata'].KeyId as string;
        await ok('CreateAlias', { AliasName: 'alias/wire', TargetKeyId: keyId });
        const aliases = await ok('ListAliases', { KeyId: keyId });
        assert.equal(aliases['Aliases'][0].AliasName, 'alias/wire');
        assert.equal(typeof aliases['Aliases'][0].CreationDate, 'number');
        await ok('UpdateAlias', { AliasName: 'alias/wire', TargetKeyId: keyId });
        await ok('DeleteAlias', { AliasName: 'alias/wire' });
        await ok('EnableKeyRotation', { KeyId: keyId, RotationPeriodInDays: 180 });
        const status = await ok('GetKeyRotationStatus', { KeyId: keyId });
        assert.equal(status['KeyRotationEnabled'], true);
        assert.equal(status['RotationPeriodInDays'], 180);
        assert.equal(status['NextRotationDate'], h.now().getTime() / 1000 + 180 * 86400);
        await ok('DisableKeyRotation', { KeyId: keyId });
        assert.deepEqual(await ok('RotateKeyOnDemand', { KeyId: keyId }), { KeyId: keyId });
        assert.equal((await ok('ListKeyRotations', { KeyId: keyId }))['Rotations'].length, 1);
        await ok('TagResource', { KeyId: keyId, Tags: [{ TagKey: 'a', TagValue: '1' }] });
        assert.deepEqual((await ok('ListResourceTags', { KeyId: keyId }))['Tags'], [
            { TagKey: 'a', TagValue: '1' },
        ]);
        await ok('UntagResource', { KeyId: keyId, TagKeys: ['a'] });
        assert.deepEqual((await ok('ListResourceTags', { KeyId: keyId }))['Tags'], []);
    });

    it('error bodies carry __type and message with AWS codes', async () => {
        const missing = await fails(
            'DescribeKey',
            { KeyId: '00000000-0000-4000-8000-000000000000' },
            'NotFoundException',
        );
        assert.match(missing['message'], /does not exist/);
        await fails(
            'CreateAlias',
            { AliasName: 'alias/aws/x', TargetKeyId: 'k' },
            'NotAuthorizedException',
        );
        await fails(
            'ScheduleKeyDeletion',
            { KeyId: 'x', PendingWindowInDays: 3 },
            'ValidationException',
        );
        const keyId = (await ok('CreateKey', {}))['KeyMetadata'].KeyId as string;
        await ok('DisableKey', { KeyId: keyId });
        await fails('Encrypt', { KeyId: keyId, Plaintext: 'eA==' }, 'DisabledException');
        await fails('Decrypt', { CiphertextBlob: 'AAAA' }, 'InvalidCiphertextException');
    });

    it('malformed bodies and wrong types: SerializationException and ValidationException', async () => {
        await fails('CreateKey', '{"Description": ', 'SerializationException');
        await fails('CreateKey', '[1,2]', 'SerializationException');
        await fails(
            'Encrypt',
            { KeyId: 'k', Plaintext: '!!not base64!!' },
            'SerializationException',
        );
        const missing = await fails('DescribeKey', {}, 'ValidationException');
        assert.match(
            missing['message'],
            /'keyId' failed to satisfy constraint: Member must not be null/,
        );
        await fails('DescribeKey', { KeyId: 42 }, 'ValidationException');
        await fails('ListKeys', { Limit: 'ten' }, 'ValidationException');
        await fails(
            'Encrypt',
            { KeyId: 'k', Plaintext: 'eA==', EncryptionContext: { a: 1 } },
            'ValidationException',
        );
        await fails('TagResource', { KeyId: 'k', Tags: [{ TagKey: 'a' }] }, 'ValidationException');
        // An empty body is an empty request, as for `aws kms list-keys`.
        const response = await api({
            target: 'TrentService.ListKeys',
            body: '',
            callerArn: CALLER,
        });
        assert.equal(response.status, 200);
    });

    it('unknown and unsupported targets', async () => {
        await fails('Nope', {}, 'UnknownOperationException');
        await fails('Sign', {}, 'UnsupportedOperationException');
        const response = await api({
            target: 'DynamoDB_20120810.ListTables',
            body: '{}',
            callerArn: CALLER,
        });
        assert.equal(JSON.parse(response.body).__type, 'UnknownOperationException');
        assert.equal(response.status, 400);
    });

    it('KMSInternalException is a 500 and reports its cause to the server only', async () => {
        const causes: unknown[] = [];
        const keyId = (await ok('CreateKey', {}))['KeyMetadata'].KeyId as string;
        const enc = await ok('Encrypt', { KeyId: keyId, Plaintext: 'eA==' });
        const wrongRoot = createKmsApi(h.reopen(Buffer.alloc(32, 9)), {
            onInternalError: (e) => causes.push(e),
        });
        const response = await wrongRoot({
            target: 'TrentService.Decrypt',
            body: JSON.stringify({ CiphertextBlob: enc['CiphertextBlob'] }),
            callerArn: CALLER,
        });
        assert.equal(response.status, 500);
        assert.equal(JSON.parse(response.body).__type, 'KMSInternalException');
        assert.equal(causes.length, 1);
    });
});
