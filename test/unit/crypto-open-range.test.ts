import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
    IntegrityError,
    PACKAGE_SIZE,
    openRange,
    type SealParams,
} from '../../src/crypto/index.js';
import { FsBlobStore } from '../../src/store/fs/fs-blob-store.js';
import { drain, memoryFile, prng, seal, type MemoryFileOptions } from '../helpers/sealed-blobs.js';

const P = PACKAGE_SIZE;
const TAG = 16;
const HEADER = 25;
/** The reader asks for 16 packages per read: sizes around that exercise the read-ahead. */
const READ_PACKAGES = 16;

function params(): SealParams {
    return { dataKey: randomBytes(32), objectId: randomBytes(16), partNumber: 3 };
}

/** Every range shape worth checking in a blob of `size` bytes, plus random ones. */
function rangesOf(size: number, random: () => number): Array<[string, number, number]> {
    const last = size - 1;
    const pick = () => Math.floor(random() * size);
    const clamp = (start: number, end: number): [number, number] => [
        Math.max(0, Math.min(start, last)),
        Math.max(0, Math.min(end, last)),
    ];
    const shapes: Array<[string, number, number]> = [
        ['whole', 0, last],
        ['first byte', 0, 0],
        ['last byte', last, last],
        ['suffix of 1000', ...clamp(size - 1000, last)],
        ['first package', ...clamp(0, P - 1)],
        ['ending on a package boundary', ...clamp(P + 3, 2 * P - 1)],
        ['starting on a package boundary', ...clamp(P, last)],
        ['across one boundary', ...clamp(P - 1, P)],
        ['across one read', ...clamp(READ_PACKAGES * P - 7, READ_PACKAGES * P + 7)],
        ['last package', ...clamp(Math.floor(last / P) * P, last)],
    ];
    for (let i = 0; i < 4; i++) {
        const at = pick();
        shapes.push([`single byte ${at}`, at, at]);
        const [a, b] = [pick(), pick()].sort((x, y) => x - y);
        shapes.push([`random ${a}-${b}`, a, b]);
    }
    return shapes.filter(([, start, end]) => start <= end);
}

describe('openRange: random sizes, every range shape, short reads', () => {
    const random = prng(20261204);
    const sizes = [1, 100, P - 1, P, P + 1, 16 * P - 1, 16 * P, 16 * P + 1, 33 * P + 5];
    for (let i = 0; i < 3; i++) sizes.push(1 + Math.floor(random() * 3 * 1024 * 1024));
    for (const size of sizes) {
        it(`opens every range shape of ${size} bytes`, async () => {
            const p = params();
            const plain = randomBytes(size);
            const blob = await seal(p, plain);
            for (const [name, start, end] of rangesOf(size, random)) {
                const options: MemoryFileOptions = { random: prng(start ^ end) };
                const file = memoryFile(blob, options);
                const opened = openRange({
                    ...p,
                    plainSize: size,
                    start,
                    end,
                    openSealed: async () => file,
                });
                const { data, error } = await drain(opened);
                assert.equal(error, undefined, `${name} (${start}-${end})`);
                assert.ok(data.equals(plain.subarray(start, end + 1)), `${name} (${start}-${end})`);
                assert.ok(file.closed, `${name}: the blob is closed`);
            }
        });
    }

    it('opens an empty blob (start 0, end -1)', async () => {
        const p = params();
        const blob = await seal(p, Buffer.alloc(0));
        const file = memoryFile(blob);
        const openSealed = async () => file;
        const opened = openRange({ ...p, plainSize: 0, start: 0, end: -1, openSealed });
        const { data, error } = await drain(opened);
        assert.equal(error, undefined);
        assert.equal(data.length, 0);
    });

    it('reads only the packages a range touches, at most 16 packages a read', async () => {
        const p = params();
        const size = 40 * P + 9;
        const blob = await seal(p, randomBytes(size));
        const file = memoryFile(blob);
        const start = 20 * P + 5;
        const end = 23 * P;
        await drain(openRange({ ...p, plainSize: size, start, end, openSealed: async () => file }));
        const sealedBytes = file.reads.reduce((sum, read) => sum + read.bytes, 0);
        assert.equal(sealedBytes, HEADER + 4 * (P + TAG));
        for (const read of file.reads) assert.ok(read.length <= READ_PACKAGES * (P + TAG) + HEADER);
    });
});

describe('openRange: tampering in a multi-read blob', () => {
    const size = 40 * P + 123;
    const p = params();
    const plain = randomBytes(size);
    const blobPromise = seal(p, plain);

    async function assertRejected(damaged: Buffer, firstBadByte: number, maxRead?: number) {
        const file = memoryFile(damaged, { maxRead });
        const opened = openRange({
            ...p,
            plainSize: size,
            start: 0,
            end: size - 1,
            openSealed: async () => file,
        });
        const { data, error } = await drain(opened);
        assert.ok(error instanceof IntegrityError, `expected IntegrityError, got ${String(error)}`);
        assert.ok(data.equals(plain.subarray(0, data.length)), 'only true plaintext is emitted');
        assert.ok(data.length <= firstBadByte, `emitted ${data.length}, limit ${firstBadByte}`);
        assert.ok(file.closed, 'the blob is closed after the failure');
    }

    for (const seq of [0, 1, 15, 16, 17, 31, 32, 40]) {
        it(`rejects a flipped bit in package ${seq}'s ciphertext and in its tag`, async () => {
            const blob = await blobPromise;
            const packageAt = HEADER + seq * (P + TAG);
            const plainLength = seq < 40 ? P : size - 40 * P;
            for (const at of [packageAt + 11, packageAt + plainLength + 3]) {
                const damaged = Buffer.from(blob);
                damaged[at] ^= 0x10;
                await assertRejected(damaged, seq * P);
                await assertRejected(damaged, seq * P, 5000);
            }
        });
    }

    it('rejects a blob cut short or extended, withholding its final package', async () => {
        const blob = await blobPromise;
        for (const cut of [blob.length - 1, blob.length - TAG - 1, HEADER + 17 * (P + TAG)]) {
            const whole = Math.floor((cut - HEADER) / (P + TAG));
            await assertRejected(blob.subarray(0, cut), whole * P);
        }
        await assertRejected(Buffer.concat([blob, Buffer.from([1])]), 40 * P);
    });
});

describe('openRange over FsBlobStore files', () => {
    it('opens ranges of a real blob file; a missing blob fails with its open error', async () => {
        const dir = await mkdtemp(join(tmpdir(), 'coffer-open-range-'));
        try {
            const store = new FsBlobStore(dir);
            const p = params();
            const size = 20 * P + 77;
            const plain = randomBytes(size);
            const writer = store.createWriter();
            await pipeline(Readable.from([await seal(p, plain)]), writer.stream);
            await writer.commit();
            const open = (start: number, end: number) =>
                openRange({
                    ...p,
                    plainSize: size,
                    start,
                    end,
                    openSealed: () => store.open(writer.blobId),
                });
            for (const [name, start, end] of rangesOf(size, prng(7))) {
                const { data, error } = await drain(open(start, end));
                assert.equal(error, undefined, name);
                assert.ok(data.equals(plain.subarray(start, end + 1)), name);
            }
            const missing = openRange({
                ...p,
                plainSize: size,
                start: 0,
                end: 0,
                openSealed: () => store.open('0'.repeat(32)),
            });
            assert.equal(((await drain(missing)).error as NodeJS.ErrnoException).code, 'ENOENT');
        } finally {
            await rm(dir, { recursive: true, force: true });
        }
    });
});
