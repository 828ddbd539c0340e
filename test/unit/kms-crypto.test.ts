import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createDecipheriv } from 'node:crypto';
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

const CONTEXT = { 'aws:s3:arn': 'arn:aws:s3:::photos/cat.jpg' };

describe('kms crypto: Encrypt, Decrypt, GenerateDataKey, ReEncrypt', () => {
    let h: KmsHarness;
    before(() => {
        h = openKms();
    });
    after(() => h.close());

    it('round-trips Encrypt/Decrypt through every KeyId form, Decrypt without KeyId', async () => {
        const { keyId, arn } = await newKey(h);
        await h.kms.createAlias({ AliasName: 'alias/crypto', TargetKeyId: keyId }, CALLER);
        const forms = [keyId, arn, 'alias/crypto', `arn:aws:kms:${REGION}:${ACCOUNT}:alias/crypto`];
        for (const form of forms) {
            const plaintext = Buffer.from(`secret via ${form}`);
            const enc = await h.kms.encrypt({ KeyId: form, Plaintext: plaintext }, CALLER);
            assert.equal(enc.KeyId, arn);
            assert.equal(enc.EncryptionAlgorithm, 'SYMMETRIC_DEFAULT');
            assert.equal(enc.CiphertextBlob.includes(plaintext), false);
            const dec = await h.kms.decrypt({ CiphertextBlob: enc.CiphertextBlob }, CALLER);
            assert.deepEqual(dec.Plaintext, plaintext);
            assert.equal(dec.KeyId, arn);
            const named = await h.kms.decrypt(
                { CiphertextBlob: enc.CiphertextBlob, KeyId: form },
                CALLER,
            );
            assert.deepEqual(named.Plaintext, plaintext);
        }
    });

    it('binds the encryption context: any other context is InvalidCiphertextException', async () => {
        const { keyId } = await newKey(h);
        const enc = await h.kms.encrypt(
            {
                KeyId: keyId,
                Plaintext: Buffer.from('bound'),
                EncryptionContext: { a: '1', b: '2' },
            },
            CALLER,
        );
        // Same pairs in another order: the same context.
        const same = await h.kms.decrypt(
            { CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { b: '2', a: '1' } },
            CALLER,
        );
        assert.equal(same.Plaintext.toString(), 'bound');
        const others: Array<Record<string, string>> = [
            {},
            { a: '1' },
            { a: '1', b: '3' },
            { a: '1', b: '2', c: '3' },
            { a: '12', b: '' },
        ];
        for (const EncryptionContext of others) {
            await rejectsWith(
                h.kms.decrypt({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext }, CALLER),
                'InvalidCiphertextException',
            );
        }
    });

    it('detects tampering and foreign blobs', async () => {
        const { keyId } = await newKey(h);
        const other = await newKey(h);
        const enc = await h.kms.encrypt({ KeyId: keyId, Plaintext: Buffer.from('x') }, CALLER);
        for (const offset of [4, 24, 30, enc.CiphertextBlob.length - 1]) {
            const flipped = Buffer.from(enc.CiphertextBlob);
            flipped[offset]! ^= 0x01;
            await assert.rejects(
                h.kms.decrypt({ CiphertextBlob: flipped }, CALLER),
                (error: Error & { code?: string }) =>
                    ['InvalidCiphertextException', 'NotFoundException'].includes(error.code ?? ''),
            );
        }
        // The header names the key: moving a blob under another key's id fails authentication.
        const moved = Buffer.from(enc.CiphertextBlob);
        Buffer.from(other.keyId.replace(/-/g, ''), 'hex').copy(moved, 5);
        await rejectsWith(
            h.kms.decrypt({ CiphertextBlob: moved }, CALLER),
            'InvalidCiphertextException',
        );
        await rejectsWith(
            h.kms.decrypt(
                { CiphertextBlob: Buffer.from('not a kms blob at all, really not') },
                CALLER,
            ),
            'InvalidCiphertextException',
        );
        await rejectsWith(
            h.kms.decrypt({ CiphertextBlob: enc.CiphertextBlob, KeyId: other.keyId }, CALLER),
            'IncorrectKeyException',
        );
    });

    it('validates Encrypt input as AWS does', async () => {
        const { keyId } = await newKey(h);
        await rejectsWith(
            h.kms.encrypt({ KeyId: keyId, Plaintext: Buffer.alloc(0) }, CALLER),
            'ValidationException',
        );
        await rejectsWith(
            h.kms.encrypt({ KeyId: keyId, Plaintext: Buffer.alloc(4097) }, CALLER),
            'ValidationException',
            /less than or equal to 4096/,
        );
        const max = await h.kms.encrypt({ KeyId: keyId, Plaintext: Buffer.alloc(4096, 7) }, CALLER);
        assert.deepEqual(
            (await h.kms.decrypt({ CiphertextBlob: max.CiphertextBlob }, CALLER)).Plaintext,
            Buffer.alloc(4096, 7),
        );
        await rejectsWith(
            h.kms.encrypt(
                {
                    KeyId: keyId,
                    Plaintext: Buffer.from('x'),
                    EncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
                },
                CALLER,
            ),
            'InvalidKeyUsageException',
        );
        await rejectsWith(
            h.kms.encrypt(
                { KeyId: keyId, Plaintext: Buffer.from('x'), EncryptionAlgorithm: 'ROT13' },
                CALLER,
            ),
            'ValidationException',
        );
    });

    it('generates data keys: AES_256, AES_128, NumberOfBytes; the plaintext works with AES', async () => {
        const { keyId, arn } = await newKey(h);
        const dk = await h.kms.generateDataKey(
            { KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: CONTEXT },
            CALLER,
        );
        assert.equal(dk.Plaintext.length, 32);
        assert.equal(dk.KeyId, arn);
        const opened = await h.kms.decrypt(
            { CiphertextBlob: dk.CiphertextBlob, EncryptionContext: CONTEXT },
            CALLER,
        );
        assert.deepEqual(opened.Plaintext, dk.Plaintext);
        // The data key is usable as an AES-256 key (createDecipheriv checks the length).
        assert.doesNotThrow(() => createDecipheriv('aes-256-gcm', dk.Plaintext, Buffer.alloc(12)));
        const small = await h.kms.generateDataKey({ KeyId: keyId, KeySpec: 'AES_128' }, CALLER);
        assert.equal(small.Plaintext.length, 16);
        const sized = await h.kms.generateDataKey({ KeyId: keyId, NumberOfBytes: 7 }, CALLER);
        assert.equal(sized.Plaintext.length, 7);
        const bare = await h.kms.generateDataKeyWithoutPlaintext(
            { KeyId: keyId, KeySpec: 'AES_256' },
            CALLER,
        );
        assert.equal('Plaintext' in bare, false);
        assert.equal(
            (await h.kms.decrypt({ CiphertextBlob: bare.CiphertextBlob }, CALLER)).Plaintext.length,
            32,
        );
        await rejectsWith(h.kms.generateDataKey({ KeyId: keyId }, CALLER), 'ValidationException');
        await rejectsWith(
            h.kms.generateDataKey({ KeyId: keyId, KeySpec: 'AES_512' }, CALLER),
            'ValidationException',
        );
        await rejectsWith(
            h.kms.generateDataKey({ KeyId: keyId, NumberOfBytes: 1025 }, CALLER),
            'ValidationException',
        );
        await rejectsWith(
            h.kms.generateDataKey({ KeyId: keyId, KeySpec: 'AES_256', NumberOfBytes: 32 }, CALLER),
            'ValidationException',
        );
    });

    it('a disabled key blocks GenerateDataKey, Encrypt and Decrypt; re-enabling restores them', async () => {
        const { keyId, arn } = await newKey(h);
        const enc = await h.kms.encrypt({ KeyId: keyId, Plaintext: Buffer.from('kept') }, CALLER);
        await h.kms.disableKey({ KeyId: keyId }, CALLER);
        const disabled = new RegExp(`^${arn} is disabled\\.$`);
        await rejectsWith(
            h.kms.generateDataKey({ KeyId: keyId, KeySpec: 'AES_256' }, CALLER),
            'DisabledException',
            disabled,
        );
        await rejectsWith(
            h.kms.encrypt({ KeyId: keyId, Plaintext: Buffer.from('x') }, CALLER),
            'DisabledException',
            disabled,
        );
        await rejectsWith(
            h.kms.decrypt({ CiphertextBlob: enc.CiphertextBlob }, CALLER),
            'DisabledException',
            disabled,
        );
        await h.kms.enableKey({ KeyId: keyId }, CALLER);
        assert.equal(
            (
                await h.kms.decrypt({ CiphertextBlob: enc.CiphertextBlob }, CALLER)
            ).Plaintext.toString(),
            'kept',
        );
        await h.kms.generateDataKey({ KeyId: keyId, KeySpec: 'AES_256' }, CALLER);
    });

    it('re-encrypts under another key and context without exposing the plaintext', async () => {
        const source = await newKey(h);
        const destination = await newKey(h);
        const enc = await h.kms.encrypt(
            {
                KeyId: source.keyId,
                Plaintext: Buffer.from('moving'),
                EncryptionContext: { from: 'a' },
            },
            CALLER,
        );
        const re = await h.kms.reEncrypt(
            {
                CiphertextBlob: enc.CiphertextBlob,
                DestinationKeyId: destination.arn,
                SourceEncryptionContext: { from: 'a' },
                DestinationEncryptionContext: { to: 'b' },
            },
            CALLER,
        );
        assert.equal(re.SourceKeyId, source.arn);
        assert.equal(re.KeyId, destination.arn);
        assert.equal('Plaintext' in re, false);
        const dec = await h.kms.decrypt(
            { CiphertextBlob: re.CiphertextBlob, EncryptionContext: { to: 'b' } },
            CALLER,
        );
        assert.equal(dec.Plaintext.toString(), 'moving');
        assert.equal(dec.KeyId, destination.arn);
        await rejectsWith(
            h.kms.reEncrypt(
                { CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: destination.keyId },
                CALLER,
            ),
            'InvalidCiphertextException',
        );
        const event = h.events
            .filter((e) => e.operation === 'ReEncrypt' && e.result === 'success')
            .at(-1);
        assert.equal(event?.keyArn, source.arn);
        assert.equal(event?.destinationKeyArn, destination.arn);
    });

    it('GenerateRandom returns the bytes asked for', async () => {
        const { Plaintext } = await h.kms.generateRandom({ NumberOfBytes: 100 }, CALLER);
        assert.equal(Plaintext.length, 100);
        await rejectsWith(
            h.kms.generateRandom({ NumberOfBytes: 0 }, CALLER),
            'ValidationException',
        );
    });
});

describe('kms rotation', () => {
    let h: KmsHarness;
    before(() => {
        h = openKms();
    });
    after(() => h.close());

    it('RotateKeyOnDemand: old ciphertexts still decrypt, new ones use the new version', async () => {
        const { keyId } = await newKey(h);
        const before = await h.kms.encrypt({ KeyId: keyId, Plaintext: Buffer.from('v1') }, CALLER);
        const materialBefore = (await h.kms.describeKey({ KeyId: keyId }, CALLER)).KeyMetadata
            .CurrentKeyMaterialId;
        assert.equal(before.KeyMaterialId, materialBefore);
        h.advance(1000);
        assert.deepEqual(await h.kms.rotateKeyOnDemand({ KeyId: keyId }, CALLER), { KeyId: keyId });
        const afterMeta = (await h.kms.describeKey({ KeyId: keyId }, CALLER)).KeyMetadata;
        assert.notEqual(afterMeta.CurrentKeyMaterialId, materialBefore);
        const after = await h.kms.encrypt({ KeyId: keyId, Plaintext: Buffer.from('v2') }, CALLER);
        assert.equal(after.KeyMaterialId, afterMeta.CurrentKeyMaterialId);
        assert.equal(before.CiphertextBlob.readUInt32BE(21), 1);
        assert.equal(after.CiphertextBlob.readUInt32BE(21), 2);
        const oldDec = await h.kms.decrypt({ CiphertextBlob: before.CiphertextBlob }, CALLER);
        assert.equal(oldDec.Plaintext.toString(), 'v1');
        assert.equal(oldDec.KeyMaterialId, materialBefore);
        assert.equal(
            (
                await h.kms.decrypt({ CiphertextBlob: after.CiphertextBlob }, CALLER)
            ).Plaintext.toString(),
            'v2',
        );
        const rotations = await h.kms.listKeyRotations({ KeyId: keyId }, CALLER);
        assert.equal(rotations.Rotations.length, 1);
        assert.equal(rotations.Rotations[0]!.RotationType, 'ON_DEMAND');
        assert.equal(rotations.Rotations[0]!.RotationDate.getTime(), h.now().getTime());
        assert.equal((await h.store.listVersions(keyId)).length, 2);
    });

    it('limits on-demand rotations to 25 and needs an enabled key', async () => {
        const { keyId } = await newKey(h);
        for (let i = 0; i < 25; i++) await h.kms.rotateKeyOnDemand({ KeyId: keyId }, CALLER);
        await rejectsWith(
            h.kms.rotateKeyOnDemand({ KeyId: keyId }, CALLER),
            'LimitExceededException',
        );
        const other = await newKey(h);
        await h.kms.disableKey({ KeyId: other.keyId }, CALLER);
        await rejectsWith(
            h.kms.rotateKeyOnDemand({ KeyId: other.keyId }, CALLER),
            'DisabledException',
        );
    });

    it('automatic rotation: status, period bounds, rotation when due', async () => {
        const { keyId } = await newKey(h);
        assert.deepEqual(await h.kms.getKeyRotationStatus({ KeyId: keyId }, CALLER), {
            KeyId: keyId,
            KeyRotationEnabled: false,
        });
        await rejectsWith(
            h.kms.enableKeyRotation({ KeyId: keyId, RotationPeriodInDays: 89 }, CALLER),
            'ValidationException',
        );
        await rejectsWith(
            h.kms.enableKeyRotation({ KeyId: keyId, RotationPeriodInDays: 2561 }, CALLER),
            'ValidationException',
        );
        await h.kms.enableKeyRotation({ KeyId: keyId, RotationPeriodInDays: 90 }, CALLER);
        const status = await h.kms.getKeyRotationStatus({ KeyId: keyId }, CALLER);
        assert.equal(status.KeyRotationEnabled, true);
        assert.equal(status.RotationPeriodInDays, 90);
        assert.equal(status.NextRotationDate?.getTime(), h.now().getTime() + 90 * DAY_MS);
        const old = await h.kms.encrypt({ KeyId: keyId, Plaintext: Buffer.from('old') }, CALLER);

        assert.deepEqual(await h.kms.rotateDueKeys(), []);
        h.advance(90 * DAY_MS);
        assert.deepEqual(await h.kms.rotateDueKeys(), [keyId]);
        const next = await h.kms.getKeyRotationStatus({ KeyId: keyId }, CALLER);
        assert.equal(next.NextRotationDate?.getTime(), h.now().getTime() + 90 * DAY_MS);
        const fresh = await h.kms.encrypt({ KeyId: keyId, Plaintext: Buffer.from('new') }, CALLER);
        assert.equal(fresh.CiphertextBlob.readUInt32BE(21), 2);
        assert.equal(
            (
                await h.kms.decrypt({ CiphertextBlob: old.CiphertextBlob }, CALLER)
            ).Plaintext.toString(),
            'old',
        );
        const rotations = await h.kms.listKeyRotations({ KeyId: keyId }, CALLER);
        assert.deepEqual(
            rotations.Rotations.map((r) => r.RotationType),
            ['AUTOMATIC'],
        );

        // A due rotation also applies on the next use, between sweeps.
        h.advance(90 * DAY_MS);
        const lazy = await h.kms.encrypt({ KeyId: keyId, Plaintext: Buffer.from('lazy') }, CALLER);
        assert.equal(lazy.CiphertextBlob.readUInt32BE(21), 3);

        await h.kms.disableKeyRotation({ KeyId: keyId }, CALLER);
        assert.equal(
            (await h.kms.getKeyRotationStatus({ KeyId: keyId }, CALLER)).KeyRotationEnabled,
            false,
        );
        await h.kms.disableKey({ KeyId: keyId }, CALLER);
        await rejectsWith(h.kms.enableKeyRotation({ KeyId: keyId }, CALLER), 'DisabledException');
        assert.equal(
            (await h.kms.getKeyRotationStatus({ KeyId: keyId }, CALLER)).KeyRotationEnabled,
            false,
        );
    });
});
