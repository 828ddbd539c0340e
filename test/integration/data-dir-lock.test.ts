import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { GetObjectCommand, PutObjectCommand, CreateBucketCommand } from '@aws-sdk/client-s3';
import {
    CLI,
    removeDataDir,
    s3Client,
    startServer,
    type RunningServer,
} from '../helpers/server.js';

let server: RunningServer;

before(async () => {
    server = await startServer();
});

after(async () => {
    await server.stop();
    removeDataDir(server);
});

test('a second server on the same data dir refuses to start and destroys nothing', async () => {
    const s3 = s3Client(server);
    await s3.send(new CreateBucketCommand({ Bucket: 'locked' }));
    for (let i = 0; i < 20; i++) {
        await s3.send(new PutObjectCommand({ Bucket: 'locked', Key: `k${i}`, Body: `body ${i}` }));
    }
    // Small objects live in the database; this one is a blob file orphan collection could take.
    const large = Buffer.alloc(100 * 1024, 'large ');
    await s3.send(new PutObjectCommand({ Bucket: 'locked', Key: 'large', Body: large }));
    const blobsBefore = countBlobs(server.dataDir);
    assert.equal(blobsBefore, 1);

    const second = spawnSync(
        process.execPath,
        [CLI, 'server', '--data-dir', server.dataDir, '--listen', '127.0.0.1:0'],
        { encoding: 'utf8', timeout: 20_000 },
    );
    assert.equal(second.status, 1);
    assert.match(second.stderr, /in use by another Coffer process \(pid \d+\)/);
    assert.doesNotMatch(second.stdout, /orphans-collected/);

    assert.equal(countBlobs(server.dataDir), blobsBefore);
    for (let i = 0; i < 20; i++) {
        const got = await s3.send(new GetObjectCommand({ Bucket: 'locked', Key: `k${i}` }));
        assert.equal(await got.Body!.transformToString(), `body ${i}`);
    }
    const got = await s3.send(new GetObjectCommand({ Bucket: 'locked', Key: 'large' }));
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(large));
});

test('a lock left by a killed server is taken over; a clean stop removes it', async () => {
    const dataDir = server.dataDir;
    await server.kill9();
    assert.ok(existsSync(join(dataDir, 'coffer.lock')), 'kill -9 leaves the lock behind');
    server = await startServer({ dataDir });
    const got = await s3Client(server).send(new GetObjectCommand({ Bucket: 'locked', Key: 'k0' }));
    assert.equal(await got.Body!.transformToString(), 'body 0');
    await server.stop();
    assert.ok(!existsSync(join(dataDir, 'coffer.lock')), 'SIGTERM removes the lock');
    server = await startServer({ dataDir });
});

function countBlobs(dataDir: string): number {
    const root = join(dataDir, 'blobs');
    return readdirSync(root).reduce((sum, shard) => sum + readdirSync(join(root, shard)).length, 0);
}
