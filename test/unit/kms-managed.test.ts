import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
    ACCOUNT,
    CALLER,
    DAY_MS,
    REGION,
    newKey,
    openKms,
    rejectsWith,
    type KmsHarness,
} from './kms-harness.js';

const OBJECT = { 'aws:s3:arn': 'arn:aws:s3:::photos/cat.jpg' };

describe('kms internal interface for SSE', () => {
    let h: KmsHarness;
    before(() => {
        h = openKms();
    });
    after(() => h.close());

    it('generateDataKeyFor / decryptFor round-trip a data key bound to the object', async () => {
        const { keyId, arn } = await newKey(h);
        const made = await h.kms.generateDataKeyFor(keyId, OBJECT, 'coffer:s3');
        assert.equal(made.keyArn, arn);
        assert.equal(made.plaintext.length, 32);
        const opened = await h.kms.decryptFor(made.ciphertextBlob, OBJECT, 'coffer:s3');
        assert.deepEqual(opened, { keyArn: arn, plaintext: made.plaintext });
        await rejectsWith(
            h.kms.decryptFor(
                made.ciphertextBlob,
                { 'aws:s3:arn': 'arn:aws:s3:::photos/dog.jpg' },
                'coffer:s3',
            ),
            'InvalidCiphertextException',
        );
        // The SSE data key is an ordinary KMS ciphertext: the key owner can Decrypt it too.
        const viaApi = await h.kms.decrypt(
            { CiphertextBlob: made.ciphertextBlob, EncryptionContext: OBJECT },
            CALLER,
        );
        assert.deepEqual(viaApi.Plaintext, made.plaintext);
    });

    it('follows key state: disabled and pending-deletion keys refuse SSE use', async () => {
        const { keyId } = await newKey(h);
        const made = await h.kms.generateDataKeyFor(keyId, OBJECT, 'coffer:s3');
        await h.kms.disableKey({ KeyId: keyId }, CALLER);
        await rejectsWith(
            h.kms.generateDataKeyFor(keyId, OBJECT, 'coffer:s3'),
            'DisabledException',
        );
        await rejectsWith(
            h.kms.decryptFor(made.ciphertextBlob, OBJECT, 'coffer:s3'),
            'DisabledException',
        );
        await h.kms.scheduleKeyDeletion({ KeyId: keyId, PendingWindowInDays: 7 }, CALLER);
        await rejectsWith(
            h.kms.decryptFor(made.ciphertextBlob, OBJECT, 'coffer:s3'),
            'KMSInvalidStateException',
        );
        h.advance(7 * DAY_MS);
        await rejectsWith(
            h.kms.decryptFor(made.ciphertextBlob, OBJECT, 'coffer:s3'),
            'NotFoundException',
        );
    });

    it('resolveKey accepts every form and throws KmsError for unknown keys', async () => {
        const { keyId, arn } = await newKey(h);
        await h.kms.createAlias({ AliasName: 'alias/sse', TargetKeyId: keyId }, CALLER);
        for (const ref of [keyId, arn, 'alias/sse', `arn:aws:kms:${REGION}:${ACCOUNT}:alias/sse`]) {
            assert.equal((await h.kms.resolveKey(ref)).Arn, arn);
        }
        await rejectsWith(h.kms.resolveKey('alias/nope'), 'NotFoundException');
    });
});

describe('kms AWS managed key alias/aws/s3', () => {
    let h: KmsHarness;
    before(() => {
        h = openKms();
    });
    after(() => h.close());

    it('is created on first use, once, with AWS metadata and yearly rotation', async () => {
        const first = await h.kms.awsManagedKey('alias/aws/s3');
        const again = await h.kms.awsManagedKey('alias/aws/s3');
        assert.equal(again.KeyId, first.KeyId);
        assert.equal(first.KeyManager, 'AWS');
        assert.equal(
            first.Description,
            'Default key that protects my S3 objects when no other key is defined',
        );
        const byAlias = await h.kms.describeKey({ KeyId: 'alias/aws/s3' }, CALLER);
        assert.equal(byAlias.KeyMetadata.KeyId, first.KeyId);
        const status = await h.kms.getKeyRotationStatus({ KeyId: first.KeyId }, CALLER);
        assert.equal(status.KeyRotationEnabled, true);
        assert.equal(status.RotationPeriodInDays, 365);
        const aliases = await h.kms.listAliases({ KeyId: first.KeyId }, CALLER);
        assert.deepEqual(
            aliases.Aliases.map((alias) => alias.AliasName),
            ['alias/aws/s3'],
        );
        const made = await h.kms.generateDataKeyFor('alias/aws/s3', OBJECT, 'coffer:s3');
        assert.equal(made.keyArn, first.Arn);
    });

    it('DescribeKey on the alias creates it, as AWS does', async () => {
        const fresh = openKms();
        try {
            const { KeyMetadata } = await fresh.kms.describeKey({ KeyId: 'alias/aws/s3' }, CALLER);
            assert.equal(KeyMetadata.KeyManager, 'AWS');
            await rejectsWith(
                fresh.kms.describeKey({ KeyId: 'alias/aws/ebs' }, CALLER),
                'NotFoundException',
            );
        } finally {
            fresh.close();
        }
    });

    it('cannot be used directly, changed, disabled or deleted by users: AccessDeniedException', async () => {
        const key = await h.kms.awsManagedKey('alias/aws/s3');
        const denied = new RegExp(
            `^User: ${CALLER} is not authorized to perform: kms:DisableKey on resource: ${key.Arn}`,
        );
        await rejectsWith(
            h.kms.disableKey({ KeyId: key.KeyId }, CALLER),
            'AccessDeniedException',
            denied,
        );
        const refused: Array<Promise<unknown>> = [
            h.kms.scheduleKeyDeletion({ KeyId: key.KeyId }, CALLER),
            h.kms.enableKeyRotation({ KeyId: key.KeyId }, CALLER),
            h.kms.rotateKeyOnDemand({ KeyId: key.KeyId }, CALLER),
            h.kms.tagResource({ KeyId: key.KeyId, Tags: [{ TagKey: 'a', TagValue: 'b' }] }, CALLER),
            h.kms.encrypt({ KeyId: 'alias/aws/s3', Plaintext: Buffer.from('x') }, CALLER),
            h.kms.generateDataKey({ KeyId: 'alias/aws/s3', KeySpec: 'AES_256' }, CALLER),
            h.kms.createAlias({ AliasName: 'alias/mine', TargetKeyId: key.KeyId }, CALLER),
        ];
        for (const call of refused) await rejectsWith(call, 'AccessDeniedException');
        const made = await h.kms.generateDataKeyFor('alias/aws/s3', OBJECT, 'coffer:s3');
        await rejectsWith(
            h.kms.decrypt(
                { CiphertextBlob: made.ciphertextBlob, EncryptionContext: OBJECT },
                CALLER,
            ),
            'AccessDeniedException',
        );
        assert.equal(
            (await h.kms.describeKey({ KeyId: key.KeyId }, CALLER)).KeyMetadata.KeyState,
            'Enabled',
        );
    });
});

describe('kms SSE-S3 service key', () => {
    let h: KmsHarness;
    before(() => {
        h = openKms();
    });
    after(() => h.close());

    it('is internal: made once, not listed, not nameable through the public API', async () => {
        const service = await h.kms.serviceKey();
        assert.equal((await h.kms.serviceKey()).KeyId, service.KeyId);
        assert.equal(service.KeyManager, 'AWS');
        const listed = (await h.kms.listKeys({}, CALLER)).Keys.map((key) => key.KeyId);
        assert.equal(listed.includes(service.KeyId), false);
        await rejectsWith(h.kms.describeKey({ KeyId: service.KeyId }, CALLER), 'NotFoundException');
        await rejectsWith(h.kms.resolveKey(service.Arn), 'NotFoundException');
        await rejectsWith(
            h.kms.scheduleKeyDeletion({ KeyId: service.KeyId }, CALLER),
            'NotFoundException',
        );

        const made = await h.kms.generateDataKeyFor(service.Arn, OBJECT, 'coffer:s3');
        const opened = await h.kms.decryptFor(made.ciphertextBlob, OBJECT, 'coffer:s3');
        assert.deepEqual(opened.plaintext, made.plaintext);
        await rejectsWith(
            h.kms.decrypt(
                { CiphertextBlob: made.ciphertextBlob, EncryptionContext: OBJECT },
                CALLER,
            ),
            'NotFoundException',
        );
    });

    it('rotates yearly and keeps opening older data keys', async () => {
        const service = await h.kms.serviceKey();
        const old = await h.kms.generateDataKeyFor(service.Arn, OBJECT, 'coffer:s3');
        h.advance(365 * DAY_MS);
        assert.ok((await h.kms.rotateDueKeys()).includes(service.KeyId));
        const fresh = await h.kms.generateDataKeyFor(service.Arn, OBJECT, 'coffer:s3');
        assert.equal(
            fresh.ciphertextBlob.readUInt32BE(21),
            old.ciphertextBlob.readUInt32BE(21) + 1,
        );
        assert.deepEqual(
            (await h.kms.decryptFor(old.ciphertextBlob, OBJECT, 'coffer:s3')).plaintext,
            old.plaintext,
        );
    });
});

describe('kms audit', () => {
    let h: KmsHarness;
    before(() => {
        h = openKms();
    });
    after(() => h.close());

    it('emits exactly one event per call, with key ARN, caller, context and result', async () => {
        const { keyId, arn } = await newKey(h);
        h.events.length = 0;
        const made = await h.kms.generateDataKeyFor(keyId, OBJECT, 'coffer:s3');
        await rejectsWith(
            h.kms.decryptFor(made.ciphertextBlob, {}, 'coffer:s3'),
            'InvalidCiphertextException',
        );
        await h.kms.disableKey({ KeyId: keyId }, CALLER);
        await rejectsWith(
            h.kms.encrypt({ KeyId: 'alias/unknown', Plaintext: Buffer.from('x') }, CALLER),
            'NotFoundException',
        );
        assert.deepEqual(h.events, [
            {
                operation: 'GenerateDataKey',
                caller: 'coffer:s3',
                keyArn: arn,
                keyRef: keyId,
                encryptionContext: OBJECT,
                result: 'success',
            },
            {
                operation: 'Decrypt',
                caller: 'coffer:s3',
                keyArn: arn,
                keyRef: keyId,
                encryptionContext: {},
                result: 'InvalidCiphertextException',
            },
            {
                operation: 'DisableKey',
                caller: CALLER,
                keyArn: arn,
                keyRef: keyId,
                result: 'success',
            },
            {
                operation: 'Encrypt',
                caller: CALLER,
                keyRef: 'alias/unknown',
                encryptionContext: {},
                result: 'NotFoundException',
            },
        ]);
        const serialized = JSON.stringify(h.events);
        assert.equal(serialized.includes(made.plaintext.toString('base64')), false);
        assert.equal(serialized.includes(made.plaintext.toString('hex')), false);
    });
});
