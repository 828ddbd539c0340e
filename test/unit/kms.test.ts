import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
    ACCOUNT,
    CALLER,
    REGION,
    newKey,
    openKms,
    rejectsWith,
    type KmsHarness,
} from './kms-harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('kms keys: CreateKey, DescribeKey, ListKeys, Enable/Disable', () => {
    let h: KmsHarness;
    before(() => {
        h = openKms();
    });
    after(() => h.close());

    it('creates an enabled symmetric key with AWS metadata', async () => {
        const { KeyMetadata: meta } = await h.kms.createKey(
            { Description: 'orders', Tags: [{ TagKey: 'team', TagValue: 'shop' }] },
            CALLER,
        );
        assert.match(meta.KeyId, UUID);
        assert.equal(meta.Arn, `arn:aws:kms:${REGION}:${ACCOUNT}:key/${meta.KeyId}`);
        assert.equal(meta.AWSAccountId, ACCOUNT);
        assert.equal(meta.KeyState, 'Enabled');
        assert.equal(meta.Enabled, true);
        assert.equal(meta.Description, 'orders');
        assert.equal(meta.KeyUsage, 'ENCRYPT_DECRYPT');
        assert.equal(meta.KeySpec, 'SYMMETRIC_DEFAULT');
        assert.equal(meta.KeyManager, 'CUSTOMER');
        assert.equal(meta.Origin, 'AWS_KMS');
        assert.deepEqual(meta.EncryptionAlgorithms, ['SYMMETRIC_DEFAULT']);
        assert.equal(meta.CreationDate.getTime(), h.now().getTime());
        assert.match(meta.CurrentKeyMaterialId, /^[0-9a-f]{64}$/);
        assert.equal(meta.DeletionDate, undefined);
        const tags = await h.kms.listResourceTags({ KeyId: meta.KeyId }, CALLER);
        assert.deepEqual(tags.Tags, [{ TagKey: 'team', TagValue: 'shop' }]);
    });

    it('refuses key types it does not have, as AWS would', async () => {
        await rejectsWith(
            h.kms.createKey({ KeySpec: 'RSA_2048' }, CALLER),
            'UnsupportedOperationException',
        );
        await rejectsWith(
            h.kms.createKey({ KeySpec: 'AES_999' }, CALLER),
            'ValidationException',
            /keySpec/,
        );
        await rejectsWith(
            h.kms.createKey({ KeyUsage: 'SIGN_VERIFY' }, CALLER),
            'ValidationException',
        );
        await rejectsWith(
            h.kms.createKey({ KeyUsage: 'BOGUS' }, CALLER),
            'ValidationException',
            /keyUsage/,
        );
        await rejectsWith(
            h.kms.createKey({ Origin: 'EXTERNAL' }, CALLER),
            'UnsupportedOperationException',
        );
        await rejectsWith(
            h.kms.createKey({ MultiRegion: true }, CALLER),
            'UnsupportedOperationException',
        );
        await rejectsWith(
            h.kms.createKey({ Policy: '{}' }, CALLER),
            'UnsupportedOperationException',
        );
        await rejectsWith(
            h.kms.createKey({ Description: 'x'.repeat(8193) }, CALLER),
            'ValidationException',
        );
        await rejectsWith(
            h.kms.createKey({ Tags: [{ TagKey: 'aws:reserved', TagValue: 'v' }] }, CALLER),
            'TagException',
        );
    });

    it('describes a key by id, key ARN, alias name and alias ARN', async () => {
        const { keyId, arn } = await newKey(h, 'described');
        await h.kms.createAlias({ AliasName: 'alias/described', TargetKeyId: keyId }, CALLER);
        const forms = [
            keyId,
            arn,
            'alias/described',
            `arn:aws:kms:${REGION}:${ACCOUNT}:alias/described`,
        ];
        for (const form of forms) {
            const { KeyMetadata } = await h.kms.describeKey({ KeyId: form }, CALLER);
            assert.equal(KeyMetadata.KeyId, keyId, form);
        }
    });

    it('answers NotFoundException for unknown keys and aliases in every form', async () => {
        const missing = '00000000-0000-4000-8000-000000000000';
        const refs = [
            missing,
            `arn:aws:kms:${REGION}:${ACCOUNT}:key/${missing}`,
            'alias/none',
            `arn:aws:kms:${REGION}:${ACCOUNT}:alias/none`,
            'not-a-uuid',
        ];
        for (const ref of refs)
            await rejectsWith(h.kms.describeKey({ KeyId: ref }, CALLER), 'NotFoundException');
        const { keyId } = await newKey(h);
        // A real key named through another region or account is not visible here.
        await rejectsWith(
            h.kms.describeKey({ KeyId: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${keyId}` }, CALLER),
            'NotFoundException',
        );
        await rejectsWith(
            h.kms.describeKey({ KeyId: `arn:aws:kms:${REGION}:999999999999:key/${keyId}` }, CALLER),
            'NotFoundException',
        );
        await rejectsWith(
            h.kms.describeKey({ KeyId: 'arn:aws:s3:::bucket' }, CALLER),
            'InvalidArnException',
        );
    });

    it('pages ListKeys with Limit and Marker, every key exactly once', async () => {
        const all = new Set<string>();
        for (let i = 0; i < 5; i++) all.add((await newKey(h)).keyId);
        const seen: string[] = [];
        let marker: string | undefined;
        let pages = 0;
        do {
            const page = await h.kms.listKeys({ Limit: 2, Marker: marker }, CALLER);
            assert.ok(page.Keys.length <= 2);
            for (const key of page.Keys) {
                assert.equal(key.KeyArn, `arn:aws:kms:${REGION}:${ACCOUNT}:key/${key.KeyId}`);
                seen.push(key.KeyId);
            }
            assert.equal(page.Truncated, page.NextMarker !== undefined);
            marker = page.NextMarker;
            pages++;
        } while (marker);
        assert.equal(new Set(seen).size, seen.length);
        for (const keyId of all) assert.ok(seen.includes(keyId));
        assert.ok(pages >= 3);
        await rejectsWith(h.kms.listKeys({ Limit: 0 }, CALLER), 'ValidationException');
        await rejectsWith(h.kms.listKeys({ Limit: 1001 }, CALLER), 'ValidationException');
        await rejectsWith(h.kms.listKeys({ Marker: '!!' }, CALLER), 'InvalidMarkerException');
    });

    it('disables and re-enables a key; key-only operations refuse aliases', async () => {
        const { keyId } = await newKey(h);
        await h.kms.disableKey({ KeyId: keyId }, CALLER);
        let meta = (await h.kms.describeKey({ KeyId: keyId }, CALLER)).KeyMetadata;
        assert.equal(meta.KeyState, 'Disabled');
        assert.equal(meta.Enabled, false);
        await h.kms.disableKey({ KeyId: keyId }, CALLER);
        await h.kms.enableKey({ KeyId: keyId }, CALLER);
        meta = (await h.kms.describeKey({ KeyId: keyId }, CALLER)).KeyMetadata;
        assert.equal(meta.KeyState, 'Enabled');
        await h.kms.createAlias({ AliasName: 'alias/toggle', TargetKeyId: keyId }, CALLER);
        await rejectsWith(h.kms.disableKey({ KeyId: 'alias/toggle' }, CALLER), 'NotFoundException');
    });

    it('updates the description', async () => {
        const { keyId } = await newKey(h, 'before');
        await h.kms.updateKeyDescription({ KeyId: keyId, Description: 'after' }, CALLER);
        const { KeyMetadata } = await h.kms.describeKey({ KeyId: keyId }, CALLER);
        assert.equal(KeyMetadata.Description, 'after');
    });
});

describe('kms aliases', () => {
    let h: KmsHarness;
    before(() => {
        h = openKms();
    });
    after(() => h.close());

    it('creates, lists, updates and deletes an alias', async () => {
        const first = await newKey(h);
        const second = await newKey(h);
        await h.kms.createAlias({ AliasName: 'alias/app', TargetKeyId: first.arn }, CALLER);
        let list = await h.kms.listAliases({}, CALLER);
        const entry = list.Aliases.find((alias) => alias.AliasName === 'alias/app');
        assert.ok(entry);
        assert.equal(entry.TargetKeyId, first.keyId);
        assert.equal(entry.AliasArn, `arn:aws:kms:${REGION}:${ACCOUNT}:alias/app`);
        assert.equal(entry.CreationDate.getTime(), h.now().getTime());

        h.advance(1000);
        await h.kms.updateAlias({ AliasName: 'alias/app', TargetKeyId: second.keyId }, CALLER);
        const { KeyMetadata } = await h.kms.describeKey({ KeyId: 'alias/app' }, CALLER);
        assert.equal(KeyMetadata.KeyId, second.keyId);
        list = await h.kms.listAliases({ KeyId: second.keyId }, CALLER);
        assert.deepEqual(
            list.Aliases.map((alias) => alias.AliasName),
            ['alias/app'],
        );
        assert.equal(list.Aliases[0]!.LastUpdatedDate.getTime(), h.now().getTime());
        assert.deepEqual((await h.kms.listAliases({ KeyId: first.keyId }, CALLER)).Aliases, []);

        await h.kms.deleteAlias({ AliasName: 'alias/app' }, CALLER);
        await rejectsWith(h.kms.describeKey({ KeyId: 'alias/app' }, CALLER), 'NotFoundException');
        await rejectsWith(
            h.kms.deleteAlias({ AliasName: 'alias/app' }, CALLER),
            'NotFoundException',
        );
    });

    it('answers AWS errors for bad alias names and targets', async () => {
        const { keyId } = await newKey(h);
        const create = (AliasName: string, TargetKeyId = keyId) =>
            h.kms.createAlias({ AliasName, TargetKeyId }, CALLER);
        await rejectsWith(
            create('app'),
            'ValidationException',
            /must start with the prefix "alias\/"/,
        );
        await rejectsWith(create('alias/aws/s3'), 'NotAuthorizedException');
        await rejectsWith(create('alias/has space'), 'ValidationException');
        await rejectsWith(create('alias/'), 'InvalidAliasNameException');
        await rejectsWith(
            create('alias/x', '00000000-0000-4000-8000-000000000000'),
            'NotFoundException',
        );
        await rejectsWith(create('alias/x', 'alias/other'), 'ValidationException', /Not aliases/);
        await create('alias/taken');
        await rejectsWith(
            create('alias/taken'),
            'AlreadyExistsException',
            /alias\/taken already exists/,
        );
        await rejectsWith(
            h.kms.updateAlias({ AliasName: 'alias/missing', TargetKeyId: keyId }, CALLER),
            'NotFoundException',
        );
        await rejectsWith(
            h.kms.deleteAlias({ AliasName: 'alias/aws/s3' }, CALLER),
            'NotAuthorizedException',
        );
    });

    it('pages ListAliases', async () => {
        const { keyId } = await newKey(h);
        for (const name of ['p1', 'p2', 'p3']) {
            await h.kms.createAlias(
                { AliasName: `alias/page-${name}`, TargetKeyId: keyId },
                CALLER,
            );
        }
        const first = await h.kms.listAliases({ KeyId: keyId, Limit: 2 }, CALLER);
        assert.equal(first.Aliases.length, 2);
        assert.equal(first.Truncated, true);
        const rest = await h.kms.listAliases(
            { KeyId: keyId, Limit: 2, Marker: first.NextMarker },
            CALLER,
        );
        assert.deepEqual(
            rest.Aliases.map((alias) => alias.AliasName),
            ['alias/page-p3'],
        );
        assert.equal(rest.Truncated, false);
        assert.equal(rest.NextMarker, undefined);
    });
});

describe('kms tags', () => {
    let h: KmsHarness;
    before(() => {
        h = openKms();
    });
    after(() => h.close());

    it('tags, retags, untags and pages tags', async () => {
        const { keyId } = await newKey(h);
        await h.kms.tagResource(
            {
                KeyId: keyId,
                Tags: [
                    { TagKey: 'b', TagValue: '1' },
                    { TagKey: 'a', TagValue: '2' },
                ],
            },
            CALLER,
        );
        await h.kms.tagResource({ KeyId: keyId, Tags: [{ TagKey: 'b', TagValue: '3' }] }, CALLER);
        const all = await h.kms.listResourceTags({ KeyId: keyId }, CALLER);
        assert.deepEqual(all.Tags, [
            { TagKey: 'a', TagValue: '2' },
            { TagKey: 'b', TagValue: '3' },
        ]);
        const page = await h.kms.listResourceTags({ KeyId: keyId, Limit: 1 }, CALLER);
        assert.deepEqual(page.Tags, [{ TagKey: 'a', TagValue: '2' }]);
        const next = await h.kms.listResourceTags(
            { KeyId: keyId, Limit: 1, Marker: page.NextMarker },
            CALLER,
        );
        assert.deepEqual(next.Tags, [{ TagKey: 'b', TagValue: '3' }]);
        await h.kms.untagResource({ KeyId: keyId, TagKeys: ['a', 'never-set'] }, CALLER);
        assert.deepEqual((await h.kms.listResourceTags({ KeyId: keyId }, CALLER)).Tags, [
            { TagKey: 'b', TagValue: '3' },
        ]);
    });

    it('refuses reserved, oversized and too many tags', async () => {
        const { keyId } = await newKey(h);
        const tag = (TagKey: string, TagValue = 'v') =>
            h.kms.tagResource({ KeyId: keyId, Tags: [{ TagKey, TagValue }] }, CALLER);
        await rejectsWith(tag('aws:x'), 'TagException');
        await rejectsWith(tag('k'.repeat(129)), 'ValidationException');
        await rejectsWith(tag('k', 'v'.repeat(257)), 'ValidationException');
        const many = Array.from({ length: 51 }, (_, i) => ({ TagKey: `k${i}`, TagValue: '' }));
        await rejectsWith(
            h.kms.tagResource({ KeyId: keyId, Tags: many }, CALLER),
            'LimitExceededException',
        );
    });
});
