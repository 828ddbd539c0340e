/**
 * Binding a bucket policy's user ARNs to unique user ids (src/access/principal-binding.ts), on a
 * real StoreBackedDirectory over SQLite: users are created, deleted and recreated through its
 * admin, so the ids come from the directory, never from the test.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
    bindUsers,
    principalForBucketPolicy,
    staleEntries,
    withBoundIds,
} from '../../src/access/principal-binding.js';
import { RootOnlyDirectory, type IdentityDirectory } from '../../src/identity/credentials.js';
import type { Principal } from '../../src/identity/principal.js';
import { ACCOUNT, openIdentities, type IdentityHarness } from './identity-harness.js';

const ROOT_ARN = `arn:aws:iam::${ACCOUNT}:root`;
const DANA_ARN = `arn:aws:iam::${ACCOUNT}:user/dana`;

let h: IdentityHarness;

before(async () => {
    h = await openIdentities();
});

after(() => h.close());

function userPrincipal(userId: string): Principal {
    return {
        type: 'User',
        accountId: ACCOUNT,
        userName: 'dana',
        userId,
        arn: DANA_ARN,
        accessKeyId: 'AKIADANA',
    };
}

describe('user ids through the directory', () => {
    it('binds user ARNs to their current ids, skipping roots and unknown users', async () => {
        const dana = await h.directory.admin.createUser(ACCOUNT, 'dana');
        assert.match(dana.userId, /^AIDA[A-Z0-9]{17}$/);
        const binding = await bindUsers(h.directory, [
            ROOT_ARN,
            DANA_ARN,
            `arn:aws:iam::${ACCOUNT}:user/nobody`,
            // Same name, another path: another ARN, not dana.
            `arn:aws:iam::${ACCOUNT}:user/team/dana`,
        ]);
        assert.deepEqual([...binding], [[DANA_ARN, dana.userId]]);
        assert.deepEqual([...(await staleEntries(h.directory, binding))], []);
    });

    it('a deleted, then recreated, user makes the binding stale with the old id', async () => {
        const binding = await bindUsers(h.directory, [DANA_ARN]);
        const oldId = binding.get(DANA_ARN)!;
        await h.directory.admin.deleteUser(ACCOUNT, 'dana');
        assert.equal(await h.directory.userIdOf(DANA_ARN), undefined);
        assert.deepEqual([...(await staleEntries(h.directory, binding))], [[DANA_ARN, oldId]]);
        const again = await h.directory.admin.createUser(ACCOUNT, 'dana');
        assert.notEqual(again.userId, oldId);
        assert.equal(await h.directory.userIdOf(DANA_ARN), again.userId);
        assert.deepEqual([...(await staleEntries(h.directory, binding))], [[DANA_ARN, oldId]]);
    });

    it('the root-only directory knows no user ids', async () => {
        const rootOnly: IdentityDirectory = new RootOnlyDirectory(h.root);
        assert.equal(await rootOnly.userIdOf(ROOT_ARN), undefined);
        assert.equal((await bindUsers(rootOnly, [ROOT_ARN])).size, 0);
    });
});

describe('the caller the bucket policy sees', () => {
    const binding = new Map([[DANA_ARN, 'AIDAOLDDANA00000000']]);

    it('is the caller itself when its ARN is bound to it, or not bound', () => {
        const bound = userPrincipal('AIDAOLDDANA00000000');
        assert.equal(principalForBucketPolicy(bound, binding), bound);
        const unbound = userPrincipal('AIDANEWDANA00000000');
        assert.equal(principalForBucketPolicy(unbound, new Map()), unbound);
        const root: Principal = {
            type: 'Root',
            accountId: ACCOUNT,
            arn: ROOT_ARN,
            accessKeyId: 'AKIAROOT',
        };
        assert.equal(principalForBucketPolicy(root, binding), root);
    });

    it('carries its unique id as ARN when the ARN is bound to another user', () => {
        const recreated = userPrincipal('AIDANEWDANA00000000');
        assert.deepEqual(principalForBucketPolicy(recreated, binding), {
            ...recreated,
            arn: 'AIDANEWDANA00000000',
        });
    });
});

describe('GetBucketPolicy text', () => {
    const stale = new Map([[DANA_ARN, 'AIDAOLDDANA00000000']]);

    it('is the stored text byte for byte when nothing is stale', () => {
        const text = `{ "Statement": { "Principal": { "AWS": "${DANA_ARN}" } } }`;
        assert.equal(withBoundIds(text, new Map()), text);
    });

    it('shows the bound id in Principal and NotPrincipal, not in conditions', () => {
        const text = JSON.stringify({
            Version: '2012-10-17',
            Statement: [
                {
                    Effect: 'Allow',
                    Principal: { AWS: [DANA_ARN, ROOT_ARN] },
                    Action: 's3:GetObject',
                    Resource: 'arn:aws:s3:::b/*',
                    Condition: { StringEquals: { 'aws:PrincipalArn': DANA_ARN } },
                },
                { Effect: 'Deny', NotPrincipal: { AWS: DANA_ARN }, Action: 's3:*' },
                { Effect: 'Allow', Principal: '*', Action: 's3:ListBucket' },
            ],
        });
        const shown = JSON.parse(withBoundIds(text, stale));
        const [allow, deny, open] = shown.Statement;
        assert.deepEqual(allow.Principal, { AWS: ['AIDAOLDDANA00000000', ROOT_ARN] });
        assert.deepEqual(allow.Condition, { StringEquals: { 'aws:PrincipalArn': DANA_ARN } });
        assert.deepEqual(deny.NotPrincipal, { AWS: 'AIDAOLDDANA00000000' });
        assert.equal(open.Principal, '*');
        assert.equal('NotPrincipal' in allow, false);
    });
});
