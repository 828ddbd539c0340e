/**
 * SSE-KMS through the object handlers against the real KMS with an injected clock, so that a
 * key's 7-day deletion window can pass in a test: objects under a key pending deletion answer
 * KMS.KMSInvalidStateException, and once its deletion date has passed (the KMS destroys the key
 * on the next access) KMS.NotFoundException, for ever. Also: bucket keys make one KMS call per
 * bucket, yet key state is enforced on every read; a record moved to another key does not open.
 *
 * Why a unit test: AWS's minimum deletion window is 7 days, and the server's clock is not
 * injectable from outside; here the same Kms, stores and handlers run in-process with a clock.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Readable } from 'node:stream';
import { pino } from 'pino';
import { Kms } from '../../src/kms/kms.js';
import type { KmsAuditEvent } from '../../src/kms/types.js';
import { getObject, putObject } from '../../src/s3/objects.js';
import type { ServerServices } from '../../src/server/services.js';
import { FsBlobStore } from '../../src/store/fs/fs-blob-store.js';
import { SqliteKmsStore } from '../../src/store/sqlite/sqlite-kms-store.js';
import {
    SqliteMetadataStore,
    openSqliteDatabase,
} from '../../src/store/sqlite/sqlite-metadata-store.js';
import { ACCOUNT, BUCKET, readAll, request, s3Error, type Harness } from './multipart-harness.js';

const DAY = 86_400_000;
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
let now = Date.parse('2026-05-01T00:00:00Z');
const audit: KmsAuditEvent[] = [];
const logLines: string[] = [];
let h: Harness;
let kms: Kms;

before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-sse-shred-'));
    const database = openSqliteDatabase(join(dir, 'meta.db'));
    const metadata = new SqliteMetadataStore(database);
    const blobs = new FsBlobStore(join(dir, 'data'));
    kms = new Kms({
        store: new SqliteKmsStore(database),
        rootKey: Buffer.alloc(32, 7),
        region: 'us-east-1',
        accountId: ACCOUNT,
        now: () => new Date(now),
        audit: (event) => audit.push(event),
    });
    await kms.verifyRootKey();
    const log = pino({ level: 'error' }, { write: (line: string) => void logLines.push(line) });
    const services = {
        config: {
            dataDir: dir,
            listen: { host: '127.0.0.1', port: 0 },
            region: 'us-east-1',
            maxClockSkewMs: 900_000,
        },
        metadata,
        blobs,
        kms,
        accountId: ACCOUNT,
        log,
    } as unknown as ServerServices;
    await metadata.createBucket({
        name: BUCKET,
        ownerAccountId: ACCOUNT,
        region: 'us-east-1',
        createdAt: now,
    });
    h = {
        dir,
        services,
        metadata,
        blobs,
        close() {
            metadata.close();
            rmSync(dir, { recursive: true, force: true });
        },
    };
});
after(() => h.close());

async function put(key: string, body: string, headers: Record<string, string>) {
    const all = { 'content-length': String(Buffer.byteLength(body)), ...headers };
    return putObject(request(h, { key, headers: all, body }));
}

async function read(key: string): Promise<string> {
    const response = await getObject(request(h, { method: 'GET', key }));
    return (await readAll(response.body as Readable)).toString();
}

const kmsHeaders = (keyArn: string, bucketKey = false) => ({
    'x-amz-server-side-encryption': 'aws:kms',
    'x-amz-server-side-encryption-aws-kms-key-id': keyArn,
    'x-amz-server-side-encryption-bucket-key-enabled': String(bucketKey),
});

describe('a KMS key past its deletion date shreds its objects', () => {
    let keyArn: string;
    before(async () => {
        keyArn = (await kms.createKey({}, ROOT)).KeyMetadata.Arn;
        await put('doomed.txt', 'under a doomed key', kmsHeaders(keyArn));
        await put('doomed-bk.txt', 'under its bucket key', kmsHeaders(keyArn, true));
        await put('s3.txt', 'sse-s3 stays', {});
    });

    it('reads while the key is enabled', async () => {
        assert.equal(await read('doomed.txt'), 'under a doomed key');
        assert.equal(await read('doomed-bk.txt'), 'under its bucket key');
    });

    it('answers KMS.KMSInvalidStateException while the deletion is pending', async () => {
        await kms.scheduleKeyDeletion({ KeyId: keyArn, PendingWindowInDays: 7 }, ROOT);
        const message = `${keyArn} is pending deletion.`;
        await assert.rejects(
            read('doomed.txt'),
            s3Error('KMS.KMSInvalidStateException', {}, message),
        );
        await assert.rejects(
            read('doomed-bk.txt'),
            s3Error('KMS.KMSInvalidStateException', {}, message),
        );
    });

    it('answers KMS.NotFoundException once the window has passed, ever after', async () => {
        now += 7 * DAY + 1000;
        const gone = s3Error('KMS.NotFoundException', {}, `Key '${keyArn}' does not exist`);
        await assert.rejects(read('doomed.txt'), gone);
        await assert.rejects(read('doomed-bk.txt'), gone);
        assert.ok(audit.some((e) => e.operation === 'DestroyKey' && e.keyArn === keyArn));
        // Cancelling is too late: the material is gone.
        await assert.rejects(kms.cancelKeyDeletion({ KeyId: keyArn }, ROOT), {
            code: 'NotFoundException',
        });
        await assert.rejects(read('doomed.txt'), gone);
        assert.equal(await read('s3.txt'), 'sse-s3 stays');
    });
});

describe('bucket keys', () => {
    let keyArn: string;
    before(async () => {
        keyArn = (await kms.createKey({}, ROOT)).KeyMetadata.Arn;
    });

    it('make one KMS data key per bucket, not per object', async () => {
        const before = audit.length;
        for (let i = 0; i < 5; i++) await put(`bk-${i}`, `object ${i}`, kmsHeaders(keyArn, true));
        for (let i = 0; i < 5; i++) assert.equal(await read(`bk-${i}`), `object ${i}`);
        const calls = audit.slice(before).filter((e) => e.keyArn === keyArn);
        assert.deepEqual(
            calls.map((e) => [e.operation, e.encryptionContext]),
            [['GenerateDataKey', { 'aws:s3:arn': `arn:aws:s3:::${BUCKET}` }]],
        );
        const response = await getObject(request(h, { method: 'GET', key: 'bk-0' }));
        assert.equal(response.headers?.['x-amz-server-side-encryption-bucket-key-enabled'], 'true');
        assert.equal(response.headers?.['x-amz-server-side-encryption-aws-kms-key-id'], keyArn);
    });

    it('still enforce the key state on each read, cache or not', async () => {
        await kms.disableKey({ KeyId: keyArn }, ROOT);
        await assert.rejects(
            read('bk-1'),
            s3Error('KMS.DisabledException', {}, `${keyArn} is disabled.`),
        );
        await assert.rejects(
            put('bk-new', 'x', kmsHeaders(keyArn, true)),
            s3Error('KMS.DisabledException'),
        );
        await kms.enableKey({ KeyId: keyArn }, ROOT);
        assert.equal(await read('bk-1'), 'object 1');
    });
});

describe('damaged or moved metadata', () => {
    const loggedFor = (key: string) =>
        logLines.map((l) => JSON.parse(l)).find((l) => l.key === key && l.bucket === BUCKET);

    for (const [mode, headers] of [
        ['SSE-S3', {}],
        ['SSE-KMS', { 'x-amz-server-side-encryption': 'aws:kms' }],
    ] as const) {
        it(`does not open (${mode}) and is logged with its name`, async () => {
            await put(`original-${mode}`, 'moved?', headers);
            const record = (await h.metadata.getObject(BUCKET, `original-${mode}`))!;
            await h.metadata.putObject({ ...record, key: `moved-${mode}` });
            await assert.rejects(read(`moved-${mode}`), s3Error('InternalError'));
            assert.equal(loggedFor(`moved-${mode}`)?.event, 'integrity-failure');
        });
    }

    for (const [mode, headers] of [
        ['SSE-KMS', { 'x-amz-server-side-encryption': 'aws:kms' }],
        ['bucket key', kmsHeaders('alias/aws/s3', true)],
    ] as const) {
        it(`a damaged wrapped key (${mode}) is a 500, logged with its name`, async () => {
            const key = `damaged-${mode}`;
            await put(key, 'damaged?', headers);
            const record = (await h.metadata.getObject(BUCKET, key))!;
            const wrapped = Buffer.from(record.encryption!.wrappedKey, 'base64');
            wrapped[wrapped.length - 3]! ^= 0x10;
            const encryption = { ...record.encryption!, wrappedKey: wrapped.toString('base64') };
            await h.metadata.putObject({ ...record, encryption });
            await assert.rejects(read(key), s3Error('InternalError'));
            assert.equal(loggedFor(key)?.event, 'integrity-failure');
        });
    }
});
