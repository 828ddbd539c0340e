import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KmsAccessCheck } from '../../src/kms/api/access.js';
import { createKmsApi, type KmsApiResponse } from '../../src/kms/api/handler.js';
import { KmsError } from '../../src/kms/errors.js';
import { ACCOUNT, CALLER, REGION, openKms, type KmsHarness } from './kms-harness.js';

type Json = Record<string, any>; // test-side view of parsed response bodies

describe('kms JSON 1.1 API handler', () => {
    let h: KmsHarness;
    let api: ReturnType<typeof createKmsApi>;
    // What each call asked its authorizer; the server's authorizer decides, these tests record.
    const asked: KmsAccessCheck[] = [];
    const call = async (
        operation: string,
        body: unknown,
    ): Promise<KmsApiResponse & { json: Json }> => {
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        const response = await api({
            target: `TrentService.${operation}`,
            body: text,
            callerArn: CALLER,
            callerAccount: ACCOUNT,
            authorize: async (checks) => void asked.push(...checks),
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
            callerAccount: ACCOUNT,
            authorize: async (checks) => void asked.push(...checks),
        });
        assert.equal(response.status, 200);
    });

    it('asks its authorizer for each action on each key the request names', async () => {
        const checksOf = async (operation: string, body: unknown) => {
            asked.length = 0;
            await call(operation, body);
            return asked.map(({ action, resource }) => `${action} ${resource}`);
        };
        const key = (await ok('CreateKey', {}))['KeyMetadata'];
        const other = (await ok('CreateKey', {}))['KeyMetadata'];
        const aliasArn = `arn:aws:kms:${REGION}:${ACCOUNT}:alias/checks`;
        const tags = [{ TagKey: 'a', TagValue: 'b' }];
        assert.deepEqual(await checksOf('CreateKey', { Tags: tags }), [
            'kms:CreateKey *',
            'kms:TagResource *',
        ]);
        assert.deepEqual(await checksOf('ListKeys', {}), ['kms:ListKeys *']);
        assert.deepEqual(await checksOf('DescribeKey', { KeyId: key.KeyId }), [
            `kms:DescribeKey ${key.Arn}`,
        ]);
        assert.deepEqual(
            await checksOf('CreateAlias', { AliasName: 'alias/checks', TargetKeyId: key.KeyId }),
            [`kms:CreateAlias ${aliasArn}`, `kms:CreateAlias ${key.Arn}`],
        );
        // An alias names the key it points to.
        assert.deepEqual(
            await checksOf('GenerateDataKey', {
                KeyId: 'alias/checks',
                KeySpec: 'AES_256',
                EncryptionContext: { purpose: 'test' },
            }),
            [`kms:GenerateDataKey ${key.Arn}`],
        );
        assert.deepEqual(asked[0]?.encryptionContext, { purpose: 'test' });
        assert.deepEqual(
            await checksOf('UpdateAlias', { AliasName: 'alias/checks', TargetKeyId: other.Arn }),
            [
                `kms:UpdateAlias ${aliasArn}`,
                `kms:UpdateAlias ${key.Arn}`,
                `kms:UpdateAlias ${other.Arn}`,
            ],
        );
        const encrypted = await ok('Encrypt', { KeyId: key.KeyId, Plaintext: 'eA==' });
        const blob = encrypted['CiphertextBlob'];
        // Decrypt acts on the key the blob names, whatever KeyId says.
        assert.deepEqual(await checksOf('Decrypt', { CiphertextBlob: blob }), [
            `kms:Decrypt ${key.Arn}`,
        ]);
        assert.deepEqual(
            await checksOf('ReEncrypt', { CiphertextBlob: blob, DestinationKeyId: 'alias/checks' }),
            [`kms:ReEncryptFrom ${key.Arn}`, `kms:ReEncryptTo ${other.Arn}`],
        );
        assert.deepEqual(await checksOf('DeleteAlias', { AliasName: 'alias/checks' }), [
            `kms:DeleteAlias ${aliasArn}`,
            `kms:DeleteAlias ${other.Arn}`,
        ]);
    });

    it('another account is checked on what it names; an unknown alias on itself', async () => {
        const checksOf = async (operation: string, body: unknown, callerAccount: string) => {
            const checks: string[] = [];
            await api({
                target: `TrentService.${operation}`,
                body: JSON.stringify(body),
                callerArn: `arn:aws:iam::${callerAccount}:user/carol`,
                callerAccount,
                authorize: async (asked) => {
                    checks.push(...asked.map(({ action, resource }) => `${action} ${resource}`));
                    throw new KmsError('AccessDeniedException', 'recorded');
                },
            });
            return checks;
        };
        const key = (await ok('CreateKey', {}))['KeyMetadata'];
        await ok('CreateAlias', { AliasName: 'alias/foreign', TargetKeyId: key.KeyId });
        const aliasArn = (name: string) => `arn:aws:kms:${REGION}:${ACCOUNT}:${name}`;
        const foreign = '444455556666';
        for (const name of ['alias/foreign', 'alias/none', 'alias/aws/s3']) {
            const encrypt = { KeyId: name, Plaintext: 'eA==' };
            assert.deepEqual(await checksOf('Encrypt', encrypt, foreign), [
                `kms:Encrypt ${aliasArn(name)}`,
            ]);
        }
        assert.deepEqual(await checksOf('DeleteAlias', { AliasName: 'alias/foreign' }, foreign), [
            `kms:DeleteAlias ${aliasArn('alias/foreign')}`,
        ]);
        // Nothing checkable named: still checked, on *.
        assert.deepEqual(await checksOf('DescribeKey', { KeyId: 'not-a-key' }, foreign), [
            'kms:DescribeKey *',
        ]);
        // The key's own account: an alias names its key, or itself when it names none.
        assert.deepEqual(await checksOf('DescribeKey', { KeyId: 'alias/foreign' }, ACCOUNT), [
            `kms:DescribeKey ${key.Arn}`,
        ]);
        assert.deepEqual(await checksOf('DescribeKey', { KeyId: 'alias/none' }, ACCOUNT), [
            `kms:DescribeKey ${aliasArn('alias/none')}`,
        ]);
        assert.deepEqual(await checksOf('DescribeKey', { KeyId: 'not-a-key' }, ACCOUNT), []);
    });

    it('a refusing authorizer stops the operation before it runs', async () => {
        const refusing = createKmsApi(h.kms);
        const response = await refusing({
            target: 'TrentService.CreateKey',
            body: '{"Description":"refused"}',
            callerArn: CALLER,
            callerAccount: ACCOUNT,
            authorize: async () => {
                throw new KmsError('AccessDeniedException', 'no');
            },
        });
        assert.equal(response.status, 400);
        assert.deepEqual(JSON.parse(response.body), {
            __type: 'AccessDeniedException',
            message: 'no',
        });
        const listed = await ok('ListKeys', { Limit: 1000 });
        for (const { KeyId } of listed['Keys'] as Array<{ KeyId: string }>) {
            const described = await ok('DescribeKey', { KeyId });
            assert.notEqual(described['KeyMetadata'].Description, 'refused');
        }
    });

    it('unknown and unsupported targets', async () => {
        await fails('Nope', {}, 'UnknownOperationException');
        await fails('Sign', {}, 'UnsupportedOperationException');
        const response = await api({
            target: 'DynamoDB_20120810.ListTables',
            body: '{}',
            callerArn: CALLER,
            callerAccount: ACCOUNT,
            authorize: async (checks) => void asked.push(...checks),
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
            callerAccount: ACCOUNT,
            authorize: async (checks) => void asked.push(...checks),
        });
        assert.equal(response.status, 500);
        assert.equal(JSON.parse(response.body).__type, 'KMSInternalException');
        assert.equal(causes.length, 1);
    });
});
