import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
    IntegrityError,
    PACKAGE_SIZE,
    openRange,
    sealedSize,
    type SealParams,
} from '../../src/crypto/index.js';
import { drain, memoryFile, seal } from '../helpers/sealed-blobs.js';

const P = PACKAGE_SIZE;
const HEADER = 25;
const TAG = 16;
/** Four packages, the last one short: 3 full packages and 100 bytes. */
const SIZE = 3 * P + 100;

/** Serves a blob in odd-sized reads, so tags and headers straddle read edges. */
function reader(blob: Buffer) {
    return async () => memoryFile(blob, { maxRead: 7777 });
}

/** Offset of package `seq`'s tag in a blob of SIZE plaintext bytes. */
function tagOffset(seq: number): number {
    const plainLength = seq < 3 ? P : SIZE - 3 * P;
    return HEADER + seq * (P + TAG) + plainLength;
}

function packageBytes(blob: Buffer, seq: number): Buffer {
    return blob.subarray(HEADER + seq * (P + TAG), tagOffset(seq) + TAG);
}

describe('crypto object format: tampering is detected', async () => {
    const p: SealParams = { dataKey: randomBytes(32), objectId: randomBytes(16), partNumber: 1 };
    const salt = randomBytes(16);
    const plain = randomBytes(SIZE);
    const blob = await seal(p, plain, salt);

    /**
     * Reads [start, end] of a damaged blob and asserts: IntegrityError, everything emitted is the
     * true plaintext from `start`, and nothing at or beyond plaintext byte `firstBadByte` came out.
     */
    async function assertRejected(
        damaged: Buffer,
        firstBadByte: number,
        range: { plainSize?: number; start?: number; end?: number } = {},
    ): Promise<void> {
        const read = { plainSize: SIZE, start: 0, end: SIZE - 1, ...range };
        const opened = openRange({ ...p, ...read, openSealed: reader(damaged) });
        const { data, error } = await drain(opened);
        assert.ok(error instanceof IntegrityError, `expected IntegrityError, got ${String(error)}`);
        const expected = plain.subarray(read.start, read.start + data.length);
        assert.ok(data.equals(expected), 'only true plaintext may be emitted');
        const limit = Math.max(0, firstBadByte - read.start);
        assert.ok(data.length <= limit, `emitted ${data.length} bytes, limit ${limit}`);
    }

    const flip = (at: number, bit = 0) => {
        const damaged = Buffer.from(blob);
        damaged[at] ^= 1 << bit;
        return damaged;
    };

    it('rejects a flipped bit in every header byte', async () => {
        for (let at = 0; at < HEADER; at++) await assertRejected(flip(at, at % 8), 0);
    });

    it('rejects a flipped header bit when reading from a later package too', async () => {
        await assertRejected(flip(5), 0, { start: 2 * P + 3, end: 2 * P + 9 });
        await assertRejected(flip(HEADER - 1), 0, { start: SIZE - 1, end: SIZE - 1 });
    });

    it('rejects a flipped bit in the ciphertext of each package', async () => {
        for (let seq = 0; seq < 4; seq++) {
            const inside = HEADER + seq * (P + TAG) + 37;
            await assertRejected(flip(inside, seq), seq * P);
        }
    });

    it('rejects a flipped bit in the tag of each package', async () => {
        for (let seq = 0; seq < 4; seq++)
            await assertRejected(flip(tagOffset(seq) + seq, 7), seq * P);
    });

    it('rejects damage inside a range without emitting any of it', async () => {
        const damaged = flip(HEADER + 2 * (P + TAG) + 500);
        await assertRejected(damaged, 2 * P, { start: 2 * P + 1000, end: 2 * P + 2000 });
        await assertRejected(damaged, 2 * P, { start: P + 5, end: 2 * P + 5 });
    });

    it('authenticates only the packages a range touches', async () => {
        const damaged = flip(HEADER + 2 * (P + TAG) + 500);
        const start = P + 5;
        const end = 2 * P - 1;
        const opened = openRange({
            ...p,
            plainSize: SIZE,
            start,
            end,
            openSealed: reader(damaged),
        });
        assert.ok((await drain(opened)).data.equals(plain.subarray(start, end + 1)));
    });

    it('rejects truncation at many points, with the recorded size', async () => {
        const cuts = [0, 1, HEADER - 1, HEADER, HEADER + 1, blob.length - 1, blob.length - TAG];
        for (let seq = 0; seq < 4; seq++) {
            const at = HEADER + seq * (P + TAG);
            cuts.push(at - 1, at, at + 1, tagOffset(seq), tagOffset(seq) + 8);
        }
        for (let i = 0; i < 20; i++) cuts.push(Math.floor((blob.length * (i + 0.37)) / 20));
        for (const cut of cuts) {
            const whole = Math.max(0, Math.floor((cut - HEADER) / (P + TAG)));
            await assertRejected(blob.subarray(0, cut), whole * P);
        }
    });

    it('rejects removal of the final package even when the size is forged to match', async () => {
        const truncated = blob.subarray(0, HEADER + 3 * (P + TAG));
        assert.equal(truncated.length, sealedSize(3 * P));
        await assertRejected(truncated, 2 * P, { plainSize: 3 * P, end: 3 * P - 1 });
        const onlyFirst = blob.subarray(0, HEADER + P + TAG);
        await assertRejected(onlyFirst, 0, { plainSize: P, end: P - 1 });
    });

    it('rejects two swapped packages', async () => {
        const swap = (a: number, b: number) =>
            Buffer.concat([
                blob.subarray(0, HEADER + a * (P + TAG)),
                packageBytes(blob, b),
                packageBytes(blob, a),
                blob.subarray(HEADER + (b + 1) * (P + TAG)),
            ]);
        await assertRejected(swap(0, 1), 0);
        await assertRejected(swap(1, 2), P);
    });

    /** The blob with package `seq` replaced by the same package of another blob. */
    const splice = (other: Buffer, seq: number) => {
        const damaged = Buffer.from(blob);
        packageBytes(other, seq).copy(damaged, HEADER + seq * (P + TAG));
        return damaged;
    };

    it('rejects a package spliced from another object under the same data key', async () => {
        const other = await seal({ ...p, objectId: randomBytes(16) }, plain, salt);
        await assertRejected(splice(other, 1), P);
        await assertRejected(splice(other, 3), 3 * P);
    });

    it('rejects a package spliced from a blob under another data key', async () => {
        const other = await seal({ ...p, dataKey: randomBytes(32) }, plain, salt);
        await assertRejected(splice(other, 2), 2 * P);
    });

    it('rejects the header of another blob of the same part', async () => {
        const other = await seal(p, plain, randomBytes(16));
        const damaged = Buffer.concat([other.subarray(0, HEADER), blob.subarray(HEADER)]);
        await assertRejected(damaged, 0);
    });

    it('rejects a blob of part 2 read as part 1', async () => {
        const part2 = await seal({ ...p, partNumber: 2 }, plain, salt);
        await assertRejected(part2, 0);
        const part1Package = splice(part2, 1);
        await assertRejected(part1Package, P);
    });

    it('rejects bytes appended after the final package, withholding that package', async () => {
        const extraPackage = packageBytes(blob, 0);
        for (const extra of [Buffer.from([0]), randomBytes(TAG), extraPackage]) {
            const extended = Buffer.concat([blob, extra]);
            await assertRejected(extended, 3 * P);
            await assertRejected(extended, 3 * P, { start: 3 * P + 10 });
        }
    });

    it('withholds the final package until a read past its end comes back empty', async () => {
        // The whole range arrives in one read; only the read beyond it finds the extra byte.
        const file = memoryFile(Buffer.concat([blob, Buffer.from([0])]));
        const opened = openRange({
            ...p,
            plainSize: SIZE,
            start: 3 * P,
            end: SIZE - 1,
            openSealed: async () => file,
        });
        const { data, error } = await drain(opened);
        assert.ok(error instanceof IntegrityError);
        assert.equal(data.length, 0);
        const beyond = file.reads[file.reads.length - 1];
        assert.deepEqual(beyond, { position: blob.length, length: 1, bytes: 1 });
    });

    it('rejects a store that claims more bytes than asked', async () => {
        const honest = memoryFile(blob);
        const greedy = {
            read: async (buffer: Buffer, length: number, position: number) =>
                (await honest.read(buffer, length, position)) + 5,
            close: () => honest.close(),
        };
        const opened = openRange({
            ...p,
            plainSize: SIZE,
            start: P,
            end: P,
            openSealed: async () => greedy,
        });
        const { data, error } = await drain(opened);
        assert.ok(error instanceof IntegrityError);
        assert.equal(data.length, 0);
    });

    it('passes read and open errors through unchanged', async () => {
        const failure = new Error('disk on fire');
        const broken = async () => ({
            read: () => Promise.reject(failure),
            close: async () => {},
        });
        const range = { ...p, plainSize: SIZE, start: 0, end: 9 };
        assert.equal((await drain(openRange({ ...range, openSealed: broken }))).error, failure);
        const unopenable = () => Promise.reject(failure);
        const opened = openRange({ ...range, openSealed: unopenable });
        assert.equal((await drain(opened)).error, failure);
    });

    it('fails on a read error after authentic plaintext, emitting only that', async () => {
        const failure = new Error('disk on fire');
        const honest = memoryFile(blob, { maxRead: P + TAG });
        let reads = 0;
        const flaky = {
            read: (buffer: Buffer, length: number, position: number) =>
                ++reads > 3 ? Promise.reject(failure) : honest.read(buffer, length, position),
            close: () => honest.close(),
        };
        const opened = openRange({
            ...p,
            plainSize: SIZE,
            start: 0,
            end: SIZE - 1,
            openSealed: async () => flaky,
        });
        const { data, error } = await drain(opened);
        assert.equal(error, failure);
        assert.ok(data.equals(plain.subarray(0, data.length)));
        assert.ok(data.length < SIZE);
        assert.ok(honest.closed, 'the blob is closed after the failure');
    });

    it('closes the blob when the reader is destroyed early', async () => {
        const file = memoryFile(blob, { maxRead: 7777 });
        const opened = openRange({
            ...p,
            plainSize: SIZE,
            start: 0,
            end: SIZE - 1,
            openSealed: async () => file,
        });
        for await (const chunk of opened) {
            assert.ok((chunk as Buffer).length > 0);
            break;
        }
        await new Promise((resolve) => setImmediate(resolve));
        assert.equal(file.closed, true);
    });
});
