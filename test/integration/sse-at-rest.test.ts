/**
 * What is on disk: a real server stores objects in every mode (single-part, multipart, copies),
 * is stopped with SIGTERM, and every file of its data directory (blobs, SQLite database and
 * WAL, tmp) is scanned for the objects' plaintext marker and for the SSE-C key: neither may be
 * there. Then blobs are tampered with while the server is down (a flipped byte, a truncation, an
 * appended byte, two packages swapped, two blob files swapped, a flipped byte in the sealed
 * bytes of a small object kept inline in the database) and the restarted server must
 * refuse them: 500 InternalError before any byte, or, when the damage lies past the first
 * package, a broken connection after a correct prefix of the plaintext. Each failure is logged
 * with the bucket and key.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { appendFileSync, renameSync, truncateSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
    CopyObjectCommand,
    PutObjectCommand,
    type PutObjectCommandInput,
    type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import Database from 'better-sqlite3';
import { SqliteMetadataStore } from '../../src/store/sqlite/sqlite-metadata-store.js';
import { eventually } from '../helpers/expect.js';
import {
    ACCESS_KEY,
    REGION,
    SECRET_KEY,
    removeDataDir,
    s3Client,
    startServer,
} from '../helpers/server.js';
import type { RunningServer } from '../helpers/server.js';
import { signedHeaders } from '../helpers/signing.js';
import { createBucketAllowingSsec } from '../helpers/buckets.js';

const BUCKET = 'at-rest';
const MiB = 1024 * 1024;
const PACKAGE = 65536;
const HEADER = 25;
const SEALED_PACKAGE = PACKAGE + 16;
/** 32 random ASCII bytes: found anywhere on disk only if plaintext was written there. */
const MARKER = Buffer.from(randomBytes(16).toString('hex'));
const CUSTOMER_KEY = randomBytes(32);

let server: RunningServer;
let s3: S3Client;
let kmsKeyArn: string;
const tampered = new Map<string, Buffer>();

type Mode = 'SSE-S3' | 'SSE-KMS' | 'SSE-KMS-bucket-key' | 'SSE-C';
const MODES: Mode[] = ['SSE-S3', 'SSE-KMS', 'SSE-KMS-bucket-key', 'SSE-C'];

function params(mode: Mode): Partial<PutObjectCommandInput> {
    if (mode === 'SSE-S3') return {};
    if (mode === 'SSE-C') {
        return { SSECustomerAlgorithm: 'AES256', SSECustomerKey: CUSTOMER_KEY.toString('base64') };
    }
    const bucketKey = mode === 'SSE-KMS-bucket-key';
    return { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kmsKeyArn, BucketKeyEnabled: bucketKey };
}

const markerBody = (size: number) => Buffer.concat(Array(size / MARKER.length).fill(MARKER));

before(async () => {
    server = await startServer({ args: ['--allow-insecure-ssec'] });
    s3 = s3Client(server, { maxAttempts: 1 });
    const kms = new KMSClient({
        endpoint: server.endpoint,
        region: REGION,
        credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
    });
    kmsKeyArn = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    kms.destroy();
    await createBucketAllowingSsec(s3, BUCKET);
    for (const mode of MODES) await writeMarkerObjects(mode);
    await writeTamperTargets();
    await server.stop();
});

after(async () => {
    s3?.destroy();
    await server?.stop();
    if (server) removeDataDir(server);
});

async function writeMarkerObjects(mode: Mode): Promise<void> {
    const single = markerBody(MiB);
    await s3.send(
        new PutObjectCommand({
            Bucket: BUCKET,
            Key: `single-${mode}`,
            Body: single,
            ...params(mode),
        }),
    );
    const multipart = markerBody(11 * MiB);
    const upload = new Upload({
        client: s3,
        partSize: 5 * MiB,
        params: { Bucket: BUCKET, Key: `multi-${mode}`, Body: multipart, ...params(mode) },
    });
    await upload.done();
    const source =
        mode === 'SSE-C'
            ? {
                  CopySourceSSECustomerAlgorithm: 'AES256',
                  CopySourceSSECustomerKey: CUSTOMER_KEY.toString('base64'),
              }
            : {};
    await s3.send(
        new CopyObjectCommand({
            Bucket: BUCKET,
            Key: `copy-${mode}`,
            CopySource: `${BUCKET}/single-${mode}`,
            ...source,
            ...params(mode),
        }),
    );
}

/** Objects to damage, by name: `<damage>-<size>`; SSE-S3 unless the name says kms. */
const TAMPER_SIZES: Record<string, number> = {
    'flip-first': 200 * 1024,
    'flip-later': MiB,
    truncate: MiB,
    // Past INLINE_MAX_SIZE, so that it is a blob file.
    append: 70 * 1024,
    'swap-packages': 200 * 1024,
    'swap-a': 100 * 1024,
    'swap-b': 100 * 1024,
    'kms-flip': 100 * 1024,
    // Kept inline in the metadata store: its sealed bytes are damaged there.
    'inline-flip': 1000,
};

async function writeTamperTargets(): Promise<void> {
    for (const [key, size] of Object.entries(TAMPER_SIZES)) {
        const body = randomBytes(size);
        tampered.set(key, body);
        const extra = key.startsWith('kms') ? params('SSE-KMS') : {};
        await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ...extra }));
    }
}

function filesUnder(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
    );
}

/** Files under `dir` holding any of `needles`, with the needle's index. */
function scan(dir: string, needles: Buffer[]): string[] {
    const hits: string[] = [];
    for (const file of filesUnder(dir)) {
        const bytes = readFileSync(file);
        needles.forEach((needle, i) => {
            if (bytes.includes(needle)) hits.push(`${file} holds needle ${i}`);
        });
    }
    return hits;
}

describe('no plaintext at rest', () => {
    test('the scan finds a needle where there is one', () => {
        const dir = mkdtempSync(join(tmpdir(), 'coffer-scan-control-'));
        writeFileSync(join(dir, 'f'), Buffer.concat([randomBytes(5 * MiB + 3), MARKER]));
        assert.equal(scan(dir, [MARKER]).length, 1);
        rmSync(dir, { recursive: true, force: true });
    });

    test('no blob, database, WAL or temp file holds the marker or the SSE-C key', () => {
        const files = filesUnder(server.dataDir);
        assert.ok(files.some((file) => file.includes('metadata.sqlite')));
        const blobs = files.filter((file) => file.includes(`${join('blobs', '')}`));
        // 4 modes x (1 single + 3 parts + 1 copy) + the tamper targets.
        assert.ok(
            blobs.length >= 4 * 5 + Object.keys(TAMPER_SIZES).length - 1,
            `${blobs.length} blobs`,
        );
        const keyMd5 = createHash('md5').update(CUSTOMER_KEY).digest();
        const needles = [
            MARKER,
            CUSTOMER_KEY,
            Buffer.from(CUSTOMER_KEY.toString('base64')),
            Buffer.from(keyMd5.toString('base64')),
        ];
        assert.deepEqual(scan(server.dataDir, needles), []);
    });
});

describe('tampered blobs are refused', () => {
    before(async () => {
        const metadata = new SqliteMetadataStore(join(server.dataDir, 'metadata.sqlite'));
        const path = async (key: string) => {
            const blobId = (await metadata.getObject(BUCKET, key))!.segments[0]!.blobId;
            return join(server.dataDir, 'blobs', blobId.slice(0, 2), blobId);
        };
        flipByte(await path('flip-first'), HEADER + 100);
        // Past the first 256 KiB the store reads at once, so the first packages are sent before.
        flipByte(await path('flip-later'), HEADER + 8 * SEALED_PACKAGE + 10);
        flipByte(await path('kms-flip'), HEADER + 5);
        const truncated = await path('truncate');
        truncateSync(truncated, readFileSync(truncated).length - 10);
        appendFileSync(await path('append'), Buffer.from([0]));
        swapPackages(await path('swap-packages'));
        const [a, b] = [await path('swap-a'), await path('swap-b')];
        renameSync(a, `${a}.tmp`);
        renameSync(b, a);
        renameSync(`${a}.tmp`, b);
        metadata.close();
        const db = new Database(join(server.dataDir, 'metadata.sqlite'));
        const inline = db.prepare('SELECT segments FROM objects WHERE key = ?').pluck();
        const [segment] = JSON.parse(inline.get('inline-flip') as string) as Array<{
            blobId: string;
            inline?: boolean;
        }>;
        assert.equal(segment!.inline, true);
        const read = db.prepare('SELECT data FROM inline_blobs WHERE blob_id = ?').pluck();
        const sealed = read.get(segment!.blobId) as Buffer;
        sealed[HEADER + 10] = sealed[HEADER + 10]! ^ 0x01;
        const write = db.prepare('UPDATE inline_blobs SET data = ? WHERE blob_id = ?');
        write.run(sealed, segment!.blobId);
        db.close();
        server = await startServer({ dataDir: server.dataDir, args: ['--allow-insecure-ssec'] });
    });

    const refusedAtOnce = [
        'flip-first',
        'append',
        'swap-packages',
        'swap-a',
        'swap-b',
        'kms-flip',
        'inline-flip',
    ];
    for (const key of refusedAtOnce) {
        test(`${key}: 500 InternalError before any byte`, async () => {
            const got = await rawGet(key);
            assert.equal(got.status, 500);
            assert.match(got.body.toString(), /<Code>InternalError<\/Code>/);
            await assertLogged(key);
        });
    }

    for (const [key, packagesBefore] of [
        ['flip-later', 8],
        ['truncate', 15],
    ] as const) {
        test(`${key}: the connection breaks after a correct prefix`, async () => {
            const plain = tampered.get(key)!;
            const got = await rawGet(key);
            assert.equal(got.status, 200);
            assert.equal(got.complete, false);
            assert.ok(got.body.length <= packagesBefore * PACKAGE, `${got.body.length} bytes`);
            assert.ok(got.body.equals(plain.subarray(0, got.body.length)), 'a plaintext prefix');
            await assertLogged(key);
        });
    }

    test('a range that avoids the damage is served; one that reaches it is refused', async () => {
        const plain = tampered.get('flip-later')!;
        const clean = await rawGet('flip-later', 'bytes=0-99');
        assert.equal(clean.status, 206);
        assert.ok(clean.body.equals(plain.subarray(0, 100)));
        const size = tampered.get('truncate')!.length;
        const damaged = await rawGet('truncate', `bytes=${size - 1}-`);
        assert.equal(damaged.status, 500);
    });
});

function flipByte(file: string, offset: number): void {
    const bytes = readFileSync(file);
    bytes[offset] = bytes[offset]! ^ 0x01;
    writeFileSync(file, bytes);
}

function swapPackages(file: string): void {
    const bytes = readFileSync(file);
    const first = Buffer.from(bytes.subarray(HEADER, HEADER + SEALED_PACKAGE));
    bytes.copy(bytes, HEADER, HEADER + SEALED_PACKAGE, HEADER + 2 * SEALED_PACKAGE);
    first.copy(bytes, HEADER + SEALED_PACKAGE);
    writeFileSync(file, bytes);
}

async function assertLogged(key: string): Promise<void> {
    const logged = () =>
        server.logs.some(
            (line) =>
                line['event'] === 'integrity-failure' &&
                line['level'] === 50 &&
                line['bucket'] === BUCKET &&
                line['key'] === key,
        );
    assert.ok(await eventually(logged, 3000), `no error line names ${BUCKET}/${key}`);
}

interface RawGet {
    status: number;
    body: Buffer;
    /** False when the connection broke before the response's end. */
    complete: boolean;
}

/** A signed GET that keeps whatever bytes arrive, even when the connection breaks. */
async function rawGet(key: string, range?: string): Promise<RawGet> {
    const path = `/${BUCKET}/${key}`;
    const headers = await signedHeaders(server, {
        method: 'GET',
        path,
        headers: range ? { range } : {},
    });
    return new Promise((resolve, reject) => {
        const req = httpRequest(
            { host: '127.0.0.1', port: server.port, method: 'GET', path, headers, agent: false },
            (res) => {
                const chunks: Buffer[] = [];
                res.on('data', (chunk: Buffer) => chunks.push(chunk));
                res.on('error', () => {});
                res.on('close', () =>
                    resolve({
                        status: res.statusCode ?? 0,
                        body: Buffer.concat(chunks),
                        complete: res.complete,
                    }),
                );
            },
        );
        req.on('error', reject);
        req.end();
    });
}
