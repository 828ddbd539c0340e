/**
 * Blobs on the local filesystem.
 *
 * A blob is written to `tmp/<id>`, fsynced, then renamed to `blobs/<id[0..2]>/<id>` and the
 * directory fsynced, so a blob is either wholly in place or not there at all. Anything left in
 * `tmp/`, and any blob no metadata references (a crash between rename and metadata commit, or
 * between an overwrite's commit and the old blob's unlink), is collected at start-up.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { open, readdir, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { BlobFile, BlobStore, BlobWriter } from '../types.js';

const BLOB_ID = /^[0-9a-f]{32}$/;

export class FsBlobStore implements BlobStore {
    private readonly tmpDir: string;
    private readonly blobDir: string;

    constructor(root: string) {
        this.tmpDir = join(root, 'tmp');
        this.blobDir = join(root, 'blobs');
        mkdirSync(this.tmpDir, { recursive: true, mode: 0o700 });
        mkdirSync(this.blobDir, { recursive: true, mode: 0o700 });
    }

    createWriter(): BlobWriter {
        const blobId = randomUUID().replaceAll('-', '');
        const tmpPath = join(this.tmpDir, blobId);
        // A deep buffer lets the sealed packages that arrive while one write is in flight go
        // out as one writev, not one write per ciphertext and one per 16-byte tag.
        const stream = createWriteStream(tmpPath, {
            flags: 'wx',
            mode: 0o600,
            highWaterMark: 1024 * 1024,
        });
        return new FsBlobWriter(blobId, tmpPath, this.finalPath(blobId), stream);
    }

    read(blobId: string, start = 0, end?: number): Readable {
        return createReadStream(this.finalPath(blobId), {
            start,
            end,
            // Large reads: each is a thread-pool trip and a fresh buffer (openRange slices them).
            highWaterMark: 1024 * 1024,
        });
    }

    async open(blobId: string): Promise<BlobFile> {
        const handle = await open(this.finalPath(blobId), 'r');
        return {
            read: async (buffer, length, position) =>
                (await handle.read(buffer, 0, length, position)).bytesRead,
            close: () => handle.close(),
        };
    }

    async delete(blobId: string): Promise<void> {
        await rm(this.finalPath(blobId), { force: true });
    }

    async collectOrphans(isReferenced: (blobId: string) => boolean): Promise<number> {
        let removed = 0;
        for (const name of await readdir(this.tmpDir)) {
            await rm(join(this.tmpDir, name), { force: true });
            removed++;
        }
        for (const shard of await readdir(this.blobDir)) {
            for (const name of await readdir(join(this.blobDir, shard))) {
                if (BLOB_ID.test(name) && isReferenced(name)) continue;
                await unlink(join(this.blobDir, shard, name));
                removed++;
            }
        }
        return removed;
    }

    private finalPath(blobId: string): string {
        if (!BLOB_ID.test(blobId)) throw new Error(`invalid blob id ${JSON.stringify(blobId)}`);
        return join(this.blobDir, blobId.slice(0, 2), blobId);
    }
}

class FsBlobWriter implements BlobWriter {
    constructor(
        readonly blobId: string,
        private readonly tmpPath: string,
        private readonly finalPath: string,
        readonly stream: WriteStream,
    ) {}

    async commit(): Promise<void> {
        await fsyncPath(this.tmpPath, 'r+');
        const dir = join(this.finalPath, '..');
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        await rename(this.tmpPath, this.finalPath);
        await fsyncPath(dir, 'r');
    }

    async abort(): Promise<void> {
        // Wait for the descriptor to close: a stream destroyed before its open completed still
        // creates the file, and removing it too early would leave it behind.
        if (!this.stream.closed) {
            const closed = new Promise<void>((resolve) => this.stream.once('close', () => resolve()));
            this.stream.destroy();
            await closed;
        }
        await rm(this.tmpPath, { force: true });
    }
}

async function fsyncPath(path: string, flags: string): Promise<void> {
    const handle = await open(path, flags);
    try {
        await handle.sync();
    } finally {
        await handle.close();
    }
}
