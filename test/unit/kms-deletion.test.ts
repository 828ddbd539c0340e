import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { unsealMaterial } from '../../src/kms/material.js';
import { CALLER, DAY_MS, newKey, openKms, rejectsWith, type KmsHarness } from './kms-harness.js';

/** Every value of every row of every table, as bytes. */
function allStoredValues(h: KmsHarness): Buffer[] {
    const tables = h.db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .pluck()
        .all() as string[];
    const values: Buffer[] = [];
    for (const table of tables) {
        for (const row of h.db.prepare(`SELECT * FROM "${table}"`).all() as Record<
            string,
            unknown
        >[]) {
            for (const value of Object.values(row)) {
                if (Buffer.isBuffer(value)) values.push(value);
                else if (value !== null) values.push(Buffer.from(String(value)));
            }
        }
    }
    return values;
}

/** The database file and its WAL, as they are on disk. */
function fileBytes(h: KmsHarness): Buffer {
    const parts = [readFileSync(h.dbPath)];
    if (existsSync(`${h.dbPath}-wal`)) parts.push(readFileSync(`${h.dbPath}-wal`));
    return Buffer.concat(parts);
}

function appearsIn(haystacks: Buffer[], needle: Buffer): boolean {
    return haystacks.some((hay) => hay.includes(needle));
}

describe('kms deletion and crypto-shredding', () => {
    let h: KmsHarness;
    before(() => {
        h = openKms();
    });
    after(() => h.close());

    it('ScheduleKeyDeletion: window bounds, PendingDeletion state, crypto refused', async () => {
        const { keyId, arn } = await newKey(h);
        for (const days of [6, 31]) {
            await rejectsWith(
                h.kms.scheduleKeyDeletion({ KeyId: keyId, PendingWindowInDays: days }, CALLER),
                'ValidationException',
                /pendingWindowInDays/,
            );
        }
        const enc = await h.kms.encrypt({ KeyId: keyId, Plaintext: Buffer.from('x') }, CALLER);
        const scheduled = await h.kms.scheduleKeyDeletion({ KeyId: keyId }, CALLER);
        assert.equal(scheduled.KeyId, arn);
        assert.equal(scheduled.KeyState, 'PendingDeletion');
        assert.equal(scheduled.PendingWindowInDays, 30);
        assert.equal(scheduled.DeletionDate.getTime(), h.now().getTime() + 30 * DAY_MS);
        const { KeyMetadata } = await h.kms.describeKey({ KeyId: keyId }, CALLER);
        assert.equal(KeyMetadata.KeyState, 'PendingDeletion');
        assert.equal(KeyMetadata.Enabled, false);
        assert.deepEqual(KeyMetadata.DeletionDate, scheduled.DeletionDate);
        const pending = /is pending deletion\.$/;
        await rejectsWith(
            h.kms.decrypt({ CiphertextBlob: enc.CiphertextBlob }, CALLER),
            'KMSInvalidStateException',
            pending,
        );
        await rejectsWith(
            h.kms.encrypt({ KeyId: keyId, Plaintext: Buffer.from('x') }, CALLER),
            'KMSInvalidStateException',
        );
        await rejectsWith(h.kms.enableKey({ KeyId: keyId }, CALLER), 'KMSInvalidStateException');
        await rejectsWith(
            h.kms.scheduleKeyDeletion({ KeyId: keyId }, CALLER),
            'KMSInvalidStateException',
        );
        await rejectsWith(
            h.kms.createAlias({ AliasName: 'alias/doomed', TargetKeyId: keyId }, CALLER),
            'KMSInvalidStateException',
        );
        await rejectsWith(
            h.kms.tagResource({ KeyId: keyId, Tags: [{ TagKey: 'a', TagValue: 'b' }] }, CALLER),
            'KMSInvalidStateException',
        );
        // Listing works in every state.
        await h.kms.listResourceTags({ KeyId: keyId }, CALLER);
        await h.kms.getKeyRotationStatus({ KeyId: keyId }, CALLER);
    });

    it('CancelKeyDeletion before the date leaves the key Disabled and its data readable', async () => {
        const { keyId, arn } = await newKey(h);
        const enc = await h.kms.encrypt({ KeyId: keyId, Plaintext: Buffer.from('saved') }, CALLER);
        await rejectsWith(
            h.kms.cancelKeyDeletion({ KeyId: keyId }, CALLER),
            'KMSInvalidStateException',
            /is not pending deletion/,
        );
        await h.kms.scheduleKeyDeletion({ KeyId: keyId, PendingWindowInDays: 7 }, CALLER);
        h.advance(7 * DAY_MS - 1);
        assert.deepEqual(await h.kms.sweepExpiredKeys(), []);
        assert.deepEqual(await h.kms.cancelKeyDeletion({ KeyId: keyId }, CALLER), { KeyId: arn });
        const { KeyMetadata } = await h.kms.describeKey({ KeyId: keyId }, CALLER);
        assert.equal(KeyMetadata.KeyState, 'Disabled');
        assert.equal(KeyMetadata.DeletionDate, undefined);
        await h.kms.enableKey({ KeyId: keyId }, CALLER);
        h.advance(30 * DAY_MS);
        assert.equal((await h.kms.sweepExpiredKeys()).includes(keyId), false);
        const dec = await h.kms.decrypt({ CiphertextBlob: enc.CiphertextBlob }, CALLER);
        assert.equal(dec.Plaintext.toString(), 'saved');
    });

    it('after the deletion date the sweep destroys the material: NotFoundException forever', async () => {
        const { keyId, arn } = await newKey(h);
        await h.kms.createAlias({ AliasName: 'alias/shredded', TargetKeyId: keyId }, CALLER);
        await h.kms.rotateKeyOnDemand({ KeyId: keyId }, CALLER);
        const enc = await h.kms.encrypt({ KeyId: keyId, Plaintext: Buffer.from('gone') }, CALLER);
        const sealed = (await h.store.listVersions(keyId)).map((version) => version.sealedMaterial);
        assert.equal(sealed.length, 2);
        // The scan below can see them: before destruction they are on disk.
        for (const material of sealed) assert.equal(fileBytes(h).includes(material), true);
        await h.kms.scheduleKeyDeletion({ KeyId: keyId, PendingWindowInDays: 7 }, CALLER);
        h.advance(7 * DAY_MS);

        assert.deepEqual(await h.kms.sweepExpiredKeys(), [keyId]);
        assert.deepEqual(await h.store.listVersions(keyId), []);
        assert.equal(await h.store.getVersion(keyId, 1), undefined);
        assert.equal(await h.store.getKey(keyId), undefined);
        assert.equal(await h.store.getAlias('alias/shredded'), undefined);
        const onDisk = fileBytes(h);
        for (const material of sealed) assert.equal(onDisk.includes(material), false);
        const destroyed = h.events.find(
            (event) => event.operation === 'DestroyKey' && event.keyArn === arn,
        );
        assert.equal(destroyed?.result, 'success');

        for (let i = 0; i < 2; i++) {
            await rejectsWith(
                h.kms.decrypt({ CiphertextBlob: enc.CiphertextBlob }, CALLER),
                'NotFoundException',
            );
            await rejectsWith(h.kms.describeKey({ KeyId: keyId }, CALLER), 'NotFoundException');
            await rejectsWith(
                h.kms.cancelKeyDeletion({ KeyId: keyId }, CALLER),
                'NotFoundException',
            );
            h.advance(365 * DAY_MS);
        }
        const listed = (await h.kms.listKeys({}, CALLER)).Keys.map((key) => key.KeyId);
        assert.equal(listed.includes(keyId), false);
    });

    it('destroys a key on first access after its date, without waiting for the sweep', async () => {
        const { keyId } = await newKey(h);
        const enc = await h.kms.encrypt({ KeyId: keyId, Plaintext: Buffer.from('x') }, CALLER);
        await h.kms.scheduleKeyDeletion({ KeyId: keyId, PendingWindowInDays: 7 }, CALLER);
        h.advance(8 * DAY_MS);
        await rejectsWith(
            h.kms.decrypt({ CiphertextBlob: enc.CiphertextBlob }, CALLER),
            'NotFoundException',
        );
        assert.deepEqual(await h.store.listVersions(keyId), []);
        assert.deepEqual(await h.kms.sweepExpiredKeys(), []);
    });
});

describe('kms root key', () => {
    let h: KmsHarness;
    before(() => {
        h = openKms();
    });
    after(() => h.close());

    it('a wrong root key cannot unseal: KMSInternalException, and verifyRootKey refuses it', async () => {
        assert.equal(await h.kms.verifyRootKey(), 'created');
        assert.equal(await h.kms.verifyRootKey(), 'verified');
        const { keyId } = await newKey(h);
        const enc = await h.kms.encrypt({ KeyId: keyId, Plaintext: Buffer.from('x') }, CALLER);
        const wrong = h.reopen(randomBytes(32));
        await rejectsWith(wrong.verifyRootKey(), 'KMSInternalException', /root key does not match/);
        await rejectsWith(
            wrong.decrypt({ CiphertextBlob: enc.CiphertextBlob }, CALLER),
            'KMSInternalException',
        );
        await rejectsWith(
            wrong.encrypt({ KeyId: keyId, Plaintext: Buffer.from('x') }, CALLER),
            'KMSInternalException',
        );
        // The right key still works on the same store.
        const right = h.reopen(h.rootKey);
        assert.equal(
            (
                await right.decrypt({ CiphertextBlob: enc.CiphertextBlob }, CALLER)
            ).Plaintext.toString(),
            'x',
        );
    });

    it('stores neither the root key nor any unsealed material or data key', async () => {
        const keys = [await newKey(h), await newKey(h)];
        await h.kms.rotateKeyOnDemand({ KeyId: keys[0]!.keyId }, CALLER);
        const dataKeys: Buffer[] = [];
        for (const { keyId } of keys) {
            dataKeys.push(
                (await h.kms.generateDataKey({ KeyId: keyId, KeySpec: 'AES_256' }, CALLER))
                    .Plaintext,
            );
        }
        const sse = await h.kms.generateDataKeyFor(
            'alias/aws/s3',
            { 'aws:s3:arn': 'arn:aws:s3:::b/k' },
            'coffer:s3',
        );
        dataKeys.push(sse.plaintext);
        const materials: Buffer[] = [];
        for (const { keyId } of keys) {
            for (const version of await h.store.listVersions(keyId)) {
                materials.push(
                    unsealMaterial(h.rootKey, keyId, version.version, version.sealedMaterial),
                );
            }
        }
        assert.equal(materials.length, 3);
        const rows = allStoredValues(h);
        const disk = [fileBytes(h)];
        const forms = (secret: Buffer) => [
            secret,
            Buffer.from(secret.toString('base64')),
            Buffer.from(secret.toString('hex')),
        ];
        for (const secret of [h.rootKey, ...materials, ...dataKeys]) {
            for (const form of forms(secret)) {
                assert.equal(appearsIn(rows, form), false);
                assert.equal(appearsIn(disk, form), false);
            }
        }
    });
});
