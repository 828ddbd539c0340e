/**
 * Authorization end to end below HTTP (src/access/authorize.ts): real metadata and blob stores
 * in a temp dir, an identity directory with two accounts, policies as stored text, and the
 * structured log line every decision writes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { authorize, authorizeAction, concealMissingObject } from '../../src/access/authorize.js';
import { bindingEntry } from '../../src/access/principal-binding.js';
import {
    ALL_BLOCKED,
    NOTHING_BLOCKED,
    serializePublicAccessBlock,
    type PublicAccessBlock,
} from '../../src/access/public-access.js';
import type {
    CredentialRecord,
    IdentityDirectory,
    PolicyDocument,
} from '../../src/identity/credentials.js';
import type { Principal } from '../../src/identity/principal.js';
import { S3Error } from '../../src/s3/errors.js';
import type { RequestContext } from '../../src/server/request-context.js';
import type { ServerServices } from '../../src/server/services.js';
import { FsBlobStore } from '../../src/store/fs/fs-blob-store.js';
import { SqliteMetadataStore } from '../../src/store/sqlite/sqlite-metadata-store.js';
import { testKmsServices } from '../helpers/kms.js';

const OWNER = '111122223333';
const OTHER = '444455556666';
const BUCKET = 'photos';
const SOURCE_BUCKET = 'sources';

const ROOT: Principal = {
    type: 'Root',
    accountId: OWNER,
    arn: `arn:aws:iam::${OWNER}:root`,
    accessKeyId: 'AKIAROOT',
};
const ALICE: Principal = {
    type: 'User',
    accountId: OWNER,
    userName: 'alice',
    userId: 'AIDAALICE',
    arn: `arn:aws:iam::${OWNER}:user/alice`,
    accessKeyId: 'AKIAALICE',
};
const CAROL: Principal = {
    type: 'User',
    accountId: OTHER,
    userName: 'carol',
    userId: 'AIDACAROL',
    arn: `arn:aws:iam::${OTHER}:user/carol`,
    accessKeyId: 'AKIACAROL',
};
const ANONYMOUS: Principal = { type: 'Anonymous' };

/** Identity policies by principal ARN; the test sets them per case. */
class TestDirectory implements IdentityDirectory {
    readonly policies = new Map<string, PolicyDocument[]>();
    lookup(): CredentialRecord | undefined {
        return undefined;
    }
    async policiesOf(principal: Principal): Promise<PolicyDocument[]> {
        return principal.type === 'Anonymous' ? [] : (this.policies.get(principal.arn) ?? []);
    }
    async principalExists(): Promise<boolean> {
        return true;
    }
    async userIdOf(): Promise<string | undefined> {
        // Bindings are stored directly by the tests that need them.
        return undefined;
    }
}

let dir: string;
let metadata: SqliteMetadataStore;
let services: ServerServices;
const directory = new TestDirectory();
const logLines: Array<Record<string, unknown>> = [];

before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'coffer-access-'));
    metadata = new SqliteMetadataStore(join(dir, 'meta.db'));
    const log = pino(
        { level: 'info' },
        { write: (line: string) => logLines.push(JSON.parse(line)) },
    );
    services = {
        config: {
            dataDir: dir,
            listen: { host: '127.0.0.1', port: 0 },
            region: 'us-east-1',
            maxClockSkewMs: 900_000,
        },
        metadata,
        blobs: new FsBlobStore(join(dir, 'blobs')),
        identities: directory,
        ...(await testKmsServices(dir, OWNER)),
        accountId: OWNER,
        log,
    };
    for (const name of [BUCKET, SOURCE_BUCKET]) {
        await metadata.createBucket({
            name,
            ownerAccountId: OWNER,
            region: 'us-east-1',
            createdAt: 0,
        });
    }
    await putObject('tagged.txt', [['visibility', 'public']]);
    await putObject('plain.txt', []);
});

after(() => {
    metadata.close();
    rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
    directory.policies.clear();
    logLines.length = 0;
    for (const name of [BUCKET, SOURCE_BUCKET]) {
        await metadata.putBucketConfig(name, 'policy', undefined);
        await metadata.putBucketConfig(name, 'public-access-block', undefined);
        await metadata.putBucketConfigs(name, [bindingEntry(undefined)]);
    }
});

async function putObject(key: string, tags: Array<[string, string]>) {
    await metadata.putObject({
        bucket: BUCKET,
        key,
        size: 0,
        etag: 'd41d8cd98f00b204e9800998ecf8427e',
        lastModified: 0,
        headers: {},
        userMetadata: {},
        tags,
        segments: [],
    });
}

function statement(fields: Record<string, unknown>) {
    return { Effect: 'Allow', Principal: '*', Resource: `arn:aws:s3:::${BUCKET}/*`, ...fields };
}

async function setBucketPolicy(...statements: Array<Record<string, unknown>>) {
    const text = JSON.stringify({ Version: '2012-10-17', Statement: statements });
    await metadata.putBucketConfig(BUCKET, 'policy', text);
}

async function setBlock(block: PublicAccessBlock) {
    await metadata.putBucketConfig(
        BUCKET,
        'public-access-block',
        serializePublicAccessBlock(block),
    );
}

function identityPolicy(principal: Principal, action: string, resource = '*', effect = 'Allow') {
    if (principal.type === 'Anonymous') throw new Error('anonymous has no identity policies');
    const document = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Sid: 'Id', Effect: effect, Action: action, Resource: resource }],
    });
    directory.policies.set(principal.arn, [{ name: 'inline-1', document }]);
}

interface Call {
    principal: Principal;
    operation: string;
    bucket?: string;
    key?: string;
    headers?: Record<string, string>;
    query?: string;
}

function contextOf(call: Call): RequestContext {
    return {
        requestId: 'REQ',
        hostId: 'HOST',
        startedAt: 0n,
        secureTransport: false,
        sourceIp: '127.0.0.1',
        log: services.log,
        principal: call.principal,
        auth: null,
        operation: call.operation,
        bucket: 'bucket' in call ? call.bucket : BUCKET,
        key: call.key,
        bytesIn: 0,
        bytesOut: 0,
    };
}

async function run(call: Call): Promise<RequestContext> {
    const ctx = contextOf(call);
    await authorize(ctx, services, {
        headers: call.headers ?? {},
        query: new URLSearchParams(call.query ?? ''),
    });
    return ctx;
}

async function refused(call: Call, code = 'AccessDenied'): Promise<S3Error> {
    let caught: unknown;
    await run(call).catch((err: unknown) => (caught = err));
    assert.ok(caught instanceof S3Error, `expected ${code}, got ${String(caught)}`);
    assert.equal(caught.code, code);
    return caught;
}

const get = (principal: Principal, key = 'tagged.txt'): Call => ({
    principal,
    operation: 'GetObject',
    key,
});

describe('owner, anonymous and missing buckets', () => {
    it('the owner root needs no policy, and the decision is logged', async () => {
        await run(get(ROOT));
        assert.deepEqual(
            logLines.map(({ event, operation, action, resource, principal, decision }) => ({
                event,
                operation,
                action,
                resource,
                principal,
                decision,
            })),
            [
                {
                    event: 'authorization',
                    operation: 'GetObject',
                    action: 's3:GetObject',
                    resource: 'arn:aws:s3:::photos/tagged.txt',
                    principal: ROOT.type === 'Root' ? ROOT.arn : '',
                    decision: 'allow',
                },
            ],
        );
    });

    it('anonymous callers are refused with the plain message', async () => {
        const err = await refused(get(ANONYMOUS));
        assert.equal(err.message, 'Access Denied');
        assert.equal(logLines[0]!['decision'], 'implicit deny');
        assert.equal(logLines[0]!['principal'], 'anonymous');
    });

    it('a bucket that does not exist is NoSuchBucket for every caller', async () => {
        await refused({ ...get(ANONYMOUS), bucket: 'no-such-bucket' }, 'NoSuchBucket');
        await refused({ ...get(CAROL), bucket: 'no-such-bucket' }, 'NoSuchBucket');
    });

    it('account-level and bucket creation need an identity', async () => {
        await run({ principal: ROOT, operation: 'ListBuckets', bucket: undefined });
        await refused({ principal: ANONYMOUS, operation: 'ListBuckets', bucket: undefined });
        await run({ principal: ROOT, operation: 'CreateBucket', bucket: 'new-one' });
        await refused({ principal: ANONYMOUS, operation: 'CreateBucket', bucket: 'new-one' });
        await refused({ principal: ALICE, operation: 'CreateBucket', bucket: 'new-one' });
    });
});

describe('explicit Deny and the lock-out protection', () => {
    it('binds the owner root, with AWS extended message naming the statement kind', async () => {
        await setBucketPolicy(
            statement({ Sid: 'NoDeletes', Effect: 'Deny', Action: 's3:DeleteObject' }),
        );
        const err = await refused({ principal: ROOT, operation: 'DeleteObject', key: 'plain.txt' });
        assert.equal(
            err.message,
            `User: arn:aws:iam::${OWNER}:root is not authorized to perform: ` +
                's3:DeleteObject on resource: "arn:aws:s3:::photos/plain.txt" with an explicit deny ' +
                'in a resource-based policy',
        );
        assert.deepEqual(logLines[0]!['statement'], {
            policy: 'BucketPolicy',
            sid: 'NoDeletes',
            index: 0,
        });
        assert.equal(logLines[0]!['decision'], 'explicit deny');
    });

    it('leaves the owner root its bucket-policy APIs under a deny-everything policy', async () => {
        await setBucketPolicy(
            statement({
                Effect: 'Deny',
                Action: 's3:*',
                Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
            }),
        );
        for (const operation of ['GetBucketPolicy', 'PutBucketPolicy', 'DeleteBucketPolicy']) {
            await run({ principal: ROOT, operation });
        }
        assert.match(String(logLines[0]!['reason']), /lock-out/);
        await refused({ principal: ROOT, operation: 'GetBucketPolicyStatus' });
        await refused(get(ROOT));
        identityPolicy(ALICE, 's3:*');
        await refused({ principal: ALICE, operation: 'DeleteBucketPolicy' });
    });

    it('answers 405 to another account allowed to call the bucket-policy APIs', async () => {
        identityPolicy(CAROL, 's3:*');
        await setBucketPolicy(
            statement({
                Principal: { AWS: OTHER },
                Action: 's3:GetBucketPolicy',
                Resource: `arn:aws:s3:::${BUCKET}`,
            }),
        );
        await refused({ principal: CAROL, operation: 'GetBucketPolicy' }, 'MethodNotAllowed');
        await refused({ principal: CAROL, operation: 'PutBucketPolicy' }, 'AccessDenied');
    });
});

describe('identity policies and accounts', () => {
    it('an IAM user of the owner account needs an Allow somewhere', async () => {
        const err = await refused(get(ALICE));
        assert.match(
            err.message,
            /because no identity-based policy allows the s3:GetObject action$/,
        );
        identityPolicy(ALICE, 's3:GetObject', `arn:aws:s3:::${BUCKET}/*`);
        await run(get(ALICE));
        identityPolicy(ALICE, 's3:Get*', '*', 'Deny');
        const denied = await refused(get(ALICE));
        assert.match(denied.message, /with an explicit deny in an identity-based policy$/);
    });

    it('another account needs both its identity policy and the bucket policy', async () => {
        await setBucketPolicy(
            statement({
                Principal: { AWS: CAROL.type === 'User' ? CAROL.arn : '' },
                Action: 's3:GetObject',
            }),
        );
        const err = await refused(get(CAROL));
        assert.equal(err.message, 'Access Denied');
        identityPolicy(CAROL, 's3:GetObject');
        await run(get(CAROL));
    });
});

describe('Block Public Access: RestrictPublicBuckets', () => {
    beforeEach(async () => {
        await setBucketPolicy(
            statement({ Sid: 'Public', Action: 's3:GetObject' }),
            statement({ Sid: 'Carol', Principal: { AWS: OTHER }, Action: 's3:GetObject' }),
        );
        identityPolicy(CAROL, 's3:GetObject');
    });

    it('without it, the public policy reaches anonymous and other accounts', async () => {
        await setBlock(NOTHING_BLOCKED);
        await run(get(ANONYMOUS));
        await run(get(CAROL));
    });

    it('with it, only the owner account keeps what the public policy grants', async () => {
        await setBlock({ ...NOTHING_BLOCKED, RestrictPublicBuckets: true });
        await refused(get(ANONYMOUS));
        await refused(get(CAROL));
        assert.equal(logLines.at(-1)!['reason'], 'RestrictPublicBuckets');
        await run(get(ALICE));
    });

    it('a non-public policy is not restricted', async () => {
        await setBucketPolicy(statement({ Principal: { AWS: OTHER }, Action: 's3:GetObject' }));
        await setBlock(ALL_BLOCKED);
        await run(get(CAROL));
    });
});

describe('condition keys in decisions', () => {
    beforeEach(() => setBlock(NOTHING_BLOCKED));

    it('s3:prefix limits an anonymous listing', async () => {
        await setBucketPolicy(
            statement({
                Action: 's3:ListBucket',
                Resource: `arn:aws:s3:::${BUCKET}`,
                Condition: { StringLike: { 's3:prefix': 'public/*' } },
            }),
        );
        const list = (query: string): Call => ({
            principal: ANONYMOUS,
            operation: 'ListObjectsV2',
            query,
        });
        await run(list('list-type=2&prefix=public/'));
        await refused(list('list-type=2&prefix=private/'));
        await refused(list('list-type=2'));
    });

    it('s3:ExistingObjectTag reads the stored object tags', async () => {
        await setBucketPolicy(
            statement({
                Action: 's3:GetObject',
                Condition: { StringEquals: { 's3:ExistingObjectTag/visibility': 'public' } },
            }),
        );
        await run(get(ANONYMOUS, 'tagged.txt'));
        await refused(get(ANONYMOUS, 'plain.txt'));
        await refused(get(ANONYMOUS, 'missing.txt'));
    });

    it('multipart parts are decided with the SSE headers of their upload', async () => {
        await setBucketPolicy(
            statement({
                Effect: 'Deny',
                Action: 's3:PutObject',
                Condition: { Null: { 's3:x-amz-server-side-encryption': 'true' } },
            }),
        );
        const upload = (uploadId: string, sse: Record<string, string>) =>
            metadata.createUpload({
                uploadId,
                bucket: BUCKET,
                key: 'big.bin',
                initiatedAt: 0,
                headers: sse,
                userMetadata: {},
                tags: [],
                ownerAccountId: OWNER,
            });
        await upload('encrypted', { 'x-amz-server-side-encryption': 'AES256' });
        await upload('plain', {});
        const part = (uploadId: string): Call => ({
            principal: ROOT,
            operation: 'UploadPart',
            key: 'big.bin',
            query: `partNumber=1&uploadId=${uploadId}`,
        });
        await run(part('encrypted'));
        await run({ ...part('encrypted'), operation: 'CompleteMultipartUpload' });
        await refused(part('plain'));
        await refused(part('made-up'));
        await refused({ ...part('encrypted'), key: 'other.bin' });
    });

    it('CopyObject needs s3:GetObject on the source, in the source bucket', async () => {
        await metadata.putBucketConfig(
            SOURCE_BUCKET,
            'policy',
            JSON.stringify({
                Statement: [
                    {
                        Effect: 'Deny',
                        Principal: '*',
                        Action: 's3:GetObject',
                        Resource: `arn:aws:s3:::${SOURCE_BUCKET}/secret/*`,
                    },
                ],
            }),
        );
        const copy = (source: string): Call => ({
            principal: ROOT,
            operation: 'CopyObject',
            key: 'copy.txt',
            headers: { 'x-amz-copy-source': source },
        });
        await run(copy(`${SOURCE_BUCKET}/open/a.txt`));
        await refused(copy(`${SOURCE_BUCKET}/secret/a.txt`));
        await refused(copy('no-such-source/a.txt'), 'NoSuchBucket');
    });
});

describe('handler-level checks', () => {
    it('DeleteObjects is checked per key, with the facts dispatch recorded', async () => {
        await setBucketPolicy(
            statement({
                Effect: 'Deny',
                Action: 's3:DeleteObject',
                Resource: `arn:aws:s3:::${BUCKET}/keep/*`,
                Condition: { StringLike: { 'aws:UserAgent': 'careless-tool/*' } },
            }),
        );
        const ctx = await run({
            principal: ROOT,
            operation: 'DeleteObjects',
            headers: { 'user-agent': 'careless-tool/1.0' },
        });
        assert.equal(logLines.length, 0, 'nothing is decided before the body is read');
        await authorizeAction(ctx, services, 's3:DeleteObject', 'arn:aws:s3:::photos/tmp/a');
        await assert.rejects(
            authorizeAction(ctx, services, 's3:DeleteObject', 'arn:aws:s3:::photos/keep/a'),
            { code: 'AccessDenied' },
        );
    });

    it('PutObjectTagging sees the tags its body carries', async () => {
        await setBlock(NOTHING_BLOCKED);
        await setBucketPolicy(
            statement({
                Action: 's3:PutObjectTagging',
                Condition: {
                    'ForAllValues:StringEquals': { 's3:RequestObjectTagKeys': ['visibility'] },
                    Null: { 's3:RequestObjectTagKeys': 'false' },
                },
            }),
        );
        const ctx = await run({
            principal: ANONYMOUS,
            operation: 'PutObjectTagging',
            key: 'plain.txt',
        });
        const arn = 'arn:aws:s3:::photos/plain.txt';
        const keys = (tagKeys: string[]) => new Map([['s3:requestobjecttagkeys', tagKeys]]);
        await authorizeAction(ctx, services, 's3:PutObjectTagging', arn, keys(['visibility']));
        await assert.rejects(
            authorizeAction(ctx, services, 's3:PutObjectTagging', arn, keys(['visibility', 'x'])),
            { code: 'AccessDenied' },
        );
    });
});

describe('a missing key is hidden from callers who may not list', () => {
    const noSuchKey = () => new S3Error('NoSuchKey', undefined, { fields: { Key: 'gone' } });

    it('anonymous with s3:GetObject only gets AccessDenied; with s3:ListBucket NoSuchKey', async () => {
        await setBlock(NOTHING_BLOCKED);
        await setBucketPolicy(statement({ Action: 's3:GetObject' }));
        const ctx = contextOf(get(ANONYMOUS, 'gone'));
        assert.equal(
            ((await concealMissingObject(ctx, services, noSuchKey())) as S3Error).code,
            'AccessDenied',
        );
        await setBucketPolicy(
            statement({ Action: 's3:GetObject' }),
            statement({ Action: 's3:ListBucket', Resource: `arn:aws:s3:::${BUCKET}` }),
        );
        assert.equal(
            ((await concealMissingObject(ctx, services, noSuchKey())) as S3Error).code,
            'NoSuchKey',
        );
    });

    it('the owner root sees NoSuchKey; other errors and operations pass through', async () => {
        const rootCtx = contextOf(get(ROOT, 'gone'));
        assert.equal(
            ((await concealMissingObject(rootCtx, services, noSuchKey())) as S3Error).code,
            'NoSuchKey',
        );
        const other = new S3Error('InvalidRange');
        assert.equal(await concealMissingObject(contextOf(get(ANONYMOUS)), services, other), other);
        const tagging = contextOf({
            principal: ANONYMOUS,
            operation: 'GetObjectTagging',
            key: 'gone',
        });
        const err = noSuchKey();
        assert.equal(await concealMissingObject(tagging, services, err), err);
    });
});

describe('a user ARN in the bucket policy names the user it named when stored', () => {
    // alice deleted and recreated: same name and ARN, a new unique id.
    const RECREATED: Principal = { ...ALICE, userId: 'AIDAALICE2', accessKeyId: 'AKIAALICE2' };
    const aliceArn = ALICE.type === 'User' ? ALICE.arn : '';
    const bindAlice = () =>
        metadata.putBucketConfigs(BUCKET, [bindingEntry(new Map([[aliceArn, 'AIDAALICE']]))]);

    it('reaches the bound user, not one recreated under the same ARN', async () => {
        await setBucketPolicy(statement({ Principal: { AWS: aliceArn }, Action: 's3:GetObject' }));
        // Without a binding (a policy stored before bindings existed) the ARN matches by name.
        await run(get(RECREATED));
        await bindAlice();
        await run(get(ALICE));
        await refused(get(RECREATED));
        assert.equal(logLines.at(-1)!['decision'], 'implicit deny');
    });

    it('leaves "*", account principals and the principal condition keys as they were', async () => {
        await bindAlice();
        await setBucketPolicy(
            statement({
                Action: 's3:GetObject',
                Condition: {
                    StringEquals: { 'aws:PrincipalArn': aliceArn, 'aws:username': 'alice' },
                },
            }),
        );
        await run(get(RECREATED));
        await setBucketPolicy(statement({ Principal: { AWS: OWNER }, Action: 's3:GetObject' }));
        identityPolicy(RECREATED, 's3:GetObject');
        await run(get(RECREATED));
    });

    it('a NotPrincipal Deny that spares the bound user applies to the recreated one', async () => {
        await bindAlice();
        const deny = statement({ Effect: 'Deny', NotPrincipal: { AWS: aliceArn } });
        await setBucketPolicy({ ...deny, Principal: undefined, Action: 's3:GetObject' });
        identityPolicy(ALICE, 's3:GetObject');
        await run(get(ALICE));
        await refused(get(RECREATED));
        assert.equal(logLines.at(-1)!['decision'], 'explicit deny');
    });

    it("another account's recreated user is refused despite its identity Allow", async () => {
        const carolArn = CAROL.type === 'User' ? CAROL.arn : '';
        const newCarol: Principal = { ...CAROL, userId: 'AIDACAROL2' };
        await metadata.putBucketConfigs(BUCKET, [bindingEntry(new Map([[carolArn, 'AIDACAROL']]))]);
        await setBucketPolicy(statement({ Principal: { AWS: carolArn }, Action: 's3:GetObject' }));
        identityPolicy(CAROL, 's3:GetObject');
        await run(get(CAROL));
        await refused(get(newCarol));
    });
});
