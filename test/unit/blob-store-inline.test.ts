/**
 * The blob store's inline-first writer (`createWriter({ inlineUpTo })`) on a real directory:
 * bytes that fit stay in memory and touch no file; bytes that outgrow the limit land in a blob
 * file, the bytes held so far first; an abort after spilling leaves nothing behind.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, test } from 'node:test';
import { FsBlobStore } from '../../src/store/fs/fs-blob-store.js';

const dir = mkdtempSync(join(tmpdir(), 'coffer-inline-writer-'));
const store = new FsBlobStore(dir);

after(() => rmSync(dir, { recursive: true, force: true }));

function files(sub: 'tmp' | 'blobs'): string[] {
    const root = join(dir, sub);
    if (sub === 'tmp') return readdirSync(root);
    return readdirSync(root).flatMap((shard) => readdirSync(join(root, shard)));
}

async function readBlob(blobId: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of store.read(blobId)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
}

test('bytes within the limit stay in memory: no temp file, no blob file', async () => {
    const chunks = [randomBytes(400), randomBytes(600)];
    const writer = store.createWriter({ inlineUpTo: 1000 });
    await pipeline(Readable.from(chunks), writer.stream);
    await writer.commit();
    assert.ok(writer.inline?.equals(Buffer.concat(chunks)));
    assert.deepEqual(files('tmp'), []);
    assert.deepEqual(files('blobs'), []);
});

test('bytes past the limit go to a blob file, the held bytes first', async () => {
    const chunks = [randomBytes(700), randomBytes(700), randomBytes(70_000)];
    const writer = store.createWriter({ inlineUpTo: 1000 });
    await pipeline(Readable.from(chunks), writer.stream);
    await writer.commit();
    assert.equal(writer.inline, undefined);
    assert.deepEqual(files('blobs'), [writer.blobId]);
    assert.ok((await readBlob(writer.blobId)).equals(Buffer.concat(chunks)));
    await store.delete(writer.blobId);
});

test('an abort after spilling removes the temp file', async () => {
    const writer = store.createWriter({ inlineUpTo: 10 });
    writer.stream.write(randomBytes(8));
    writer.stream.write(randomBytes(8));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await writer.abort();
    assert.deepEqual(files('tmp'), []);
    assert.deepEqual(files('blobs'), []);
});
