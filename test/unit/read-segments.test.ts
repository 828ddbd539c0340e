import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { IntegrityError, PACKAGE_SIZE, createSealer } from '../../src/crypto/index.js';
import { readObjectRange } from '../../src/pipeline/read.js';
import { FsBlobStore } from '../../src/store/fs/fs-blob-store.js';
import type { Segment } from '../../src/store/types.js';
import { drain } from '../helpers/sealed-blobs.js';

const P = PACKAGE_SIZE;

describe('readObjectRange over several sealed segments (a multipart object)', () => {
    const decrypt = { dataKey: randomBytes(32), objectId: randomBytes(16) };
    const sizes = [3 * P + 11, 0, 17 * P, 1, 2 * P - 5];
    const parts = sizes.map((size) => randomBytes(size));
    const plain = Buffer.concat(parts);
    const segments: Segment[] = [];
    let dir: string;
    let store: FsBlobStore;

    before(async () => {
        dir = await mkdtemp(join(tmpdir(), 'coffer-read-segments-'));
        store = new FsBlobStore(dir);
        for (const [i, part] of parts.entries()) {
            const partNumber = i + 2;
            const writer = store.createWriter();
            const sealer = createSealer({ ...decrypt, partNumber });
            await pipeline(Readable.from([part]), sealer, writer.stream);
            await writer.commit();
            segments.push({ blobId: writer.blobId, size: part.length, partNumber });
        }
    });
    after(() => rm(dir, { recursive: true, force: true }));

    it('reads every range shape across segment boundaries', async () => {
        const last = plain.length - 1;
        const boundaries = [sizes[0], sizes[0] + sizes[2], sizes[0] + sizes[2] + sizes[3]];
        const ranges: Array<[number, number]> = [
            [0, last],
            [0, 0],
            [last, last],
            [last - 999, last],
            [5, sizes[0] + 5],
        ];
        for (const at of boundaries) ranges.push([at - 1, at], [at, at], [at - 1, at - 1]);
        ranges.push([boundaries[0] - 3, boundaries[2] + 3]);
        for (const [start, end] of ranges) {
            const { data, error } = await drain(
                readObjectRange(store, segments, start, end, decrypt),
            );
            assert.equal(error, undefined, `${start}-${end}`);
            assert.ok(data.equals(plain.subarray(start, end + 1)), `${start}-${end}`);
        }
    });

    it('fails at a damaged later segment, after the earlier ones, true bytes only', async () => {
        const path = join(dir, 'blobs', segments[2].blobId.slice(0, 2), segments[2].blobId);
        const blob = await readFile(path);
        const damaged = Buffer.from(blob);
        damaged[25 + 5 * (P + 16) + 9] ^= 1;
        await writeFile(path, damaged);
        try {
            const stream = readObjectRange(store, segments, 0, plain.length - 1, decrypt);
            const { data, error } = await drain(stream);
            assert.ok(error instanceof IntegrityError, String(error));
            assert.ok(data.equals(plain.subarray(0, data.length)));
            assert.ok(data.length >= sizes[0], 'the first segment came out whole');
            assert.ok(data.length <= sizes[0] + 5 * P, 'nothing of the damaged package');
        } finally {
            await writeFile(path, blob);
        }
    });

    it('fails when a segment blob is missing', async () => {
        const gone = [...segments];
        gone[2] = { ...segments[2], blobId: 'f'.repeat(32) };
        const { error } = await drain(readObjectRange(store, gone, 0, plain.length - 1, decrypt));
        assert.equal((error as NodeJS.ErrnoException).code, 'ENOENT');
    });

    it('stops reading when destroyed early', async () => {
        const stream = readObjectRange(store, segments, 0, plain.length - 1, decrypt);
        let received = 0;
        for await (const chunk of stream) {
            received += (chunk as Buffer).length;
            if (received > sizes[0]) break;
        }
        assert.ok(stream.destroyed);
        assert.ok(received < plain.length);
    });
});
