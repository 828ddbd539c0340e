/**
 * Blobs on the local filesystem.
 *
 * A blob is written to `tmp/<id>`, fsynced, then renamed to `blobs/<id[0..2]>/<id>` and the
 * directory fsynced, so a blob is either wholly in place or not there at all. Anything left in
 * `tmp/`, and any blob no metadata references (a crash between rename and metadata commit, or
 * between an overwrite's commit and the old blob's unlink), is collected at start-up.
 *
 * A writer asked to keep small blobs in memory (`inlineUpTo`) touches no file unless the blob
 * outgrows that: the metadata store keeps such a blob with its object, in the same commit, which
 * saves the file's fsync, rename and directory fsync on write and its open and close on read.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { open, readdir, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable, finished, type Readable } from 'node:stream';
import type { BlobFile, BlobStore, BlobWriter, BlobWriterOptions } from '../types.js';

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

    createWriter(options: BlobWriterOptions = {}): BlobWriter {
        const blobId = randomUUID().replaceAll('-', '');
        if (options.inlineUpTo === undefined) return this.fileWriter(blobId);
        const spill = () => this.fileWriter(blobId);
        return new InlineFirstWriter(blobId, options.inlineUpTo, spill);
    }

    private fileWriter(blobId: string): FsBlobWriter {
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

/**
 * Holds a blob's bytes in memory while they fit in `limit`; the first write past it opens the
 * blob's file, hands it what was held, and from then on passes every write through.
 */
class InlineFirstWriter implements BlobWriter {
    readonly stream: Writable;
    inline: Buffer | undefined;
    #held: Buffer[] = [];
    #heldSize = 0;
    #file: FsBlobWriter | undefined;

    constructor(
        readonly blobId: string,
        private readonly limit: number,
        private readonly openFile: () => FsBlobWriter,
    ) {
        this.stream = new Writable({
            write: (chunk: Buffer, _encoding, done) => this.#write(chunk, done),
            final: (done) => this.#final(done),
        });
    }

    #write(chunk: Buffer, done: (err?: Error | null) => void): void {
        if (!this.#file && this.#heldSize + chunk.length <= this.limit) {
            this.#held.push(chunk);
            this.#heldSize += chunk.length;
            done();
            return;
        }
        const file = this.#file ?? this.#spill();
        if (file.stream.write(chunk)) done();
        else file.stream.once('drain', () => done());
    }

    #spill(): FsBlobWriter {
        const file = this.openFile();
        file.stream.once('error', (err) => this.stream.destroy(err));
        for (const held of this.#held) file.stream.write(held);
        this.#held = [];
        this.#file = file;
        return file;
    }

    #final(done: (err?: Error | null) => void): void {
        if (!this.#file) {
            done();
            return;
        }
        const stream = this.#file.stream;
        finished(stream, (err) => done(err));
        stream.end();
    }

    async commit(): Promise<void> {
        if (this.#file) await this.#file.commit();
        else this.inline = Buffer.concat(this.#held, this.#heldSize);
        this.#held = [];
    }

    async abort(): Promise<void> {
        this.#held = [];
        if (!this.stream.destroyed) this.stream.destroy();
        await this.#file?.abort();
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
