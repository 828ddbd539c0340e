import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
    IntegrityError,
    PACKAGE_SIZE,
    createSealer,
    openRange,
    sealedSize,
    type SealParams,
} from '../../src/crypto/index.js';
import { memoryFile, prng } from '../helpers/sealed-blobs.js';

const P = PACKAGE_SIZE;

/** Cuts a buffer into random slices: often tiny, sometimes several packages long. */
function randomSlices(data: Buffer, random: () => number): Buffer[] {
    const slices: Buffer[] = [];
    for (let at = 0; at < data.length;) {
        const kind = random();
        const max = kind < 0.3 ? 7 : kind < 0.8 ? 20000 : 3 * P + 5;
        const length = 1 + Math.floor(random() * max);
        slices.push(data.subarray(at, at + length));
        at += length;
    }
    return slices;
}

async function seal(p: SealParams, plain: Buffer, seed = 1, salt?: Buffer): Promise<Buffer> {
    const sealer = createSealer(p, { salt });
    Readable.from(randomSlices(plain, prng(seed))).pipe(sealer);
    return Buffer.concat(await sealer.toArray());
}

/** The store's side: an in-memory blob whose reads come back at random lengths. */
function memoryOpener(blob: Buffer, seed = 2) {
    const random = prng(seed);
    return async () => memoryFile(blob, { random });
}

async function read(stream: Readable): Promise<Buffer> {
    return Buffer.concat(await stream.toArray());
}

function params(partNumber = 1): SealParams {
    return { dataKey: randomBytes(32), objectId: randomBytes(16), partNumber };
}

describe('crypto object format: round trip', () => {
    const sizes = [0, 1, P - 1, P, P + 1, 3 * P, 1024 * 1024 + 17];
    for (const size of sizes) {
        it(`seals and opens ${size} bytes fed in random slices`, async () => {
            const p = params();
            const plain = randomBytes(size);
            const blob = await seal(p, plain, size + 11);
            assert.equal(blob.length, sealedSize(size));
            const end = size - 1;
            const opened = await read(
                openRange({ ...p, plainSize: size, start: 0, end, openSealed: memoryOpener(blob) }),
            );
            assert.ok(opened.equals(plain));
        });
    }

    it('gives every blob its own salt, so sealing the same part twice differs', async () => {
        const p = params();
        const plain = randomBytes(100);
        const first = await seal(p, plain);
        const second = await seal(p, plain);
        assert.notDeepEqual(first, second);
    });

    it('emits a package before the input ends (memory stays at one package)', async () => {
        const sealer = createSealer(params());
        sealer.write(randomBytes(P));
        const header = sealer.read() as Buffer;
        assert.equal(header.length, 25, 'a full package waits until the next byte');
        sealer.write(randomBytes(1));
        const early = sealer.read() as Buffer;
        assert.equal(early.length, P + 16, 'the first package, sealed while input is open');
        sealer.end();
        await read(sealer);
    });

    it('sizes blobs as header + plaintext + one tag per package', () => {
        const cases: Array<[number, number]> = [
            [0, 25 + 16],
            [1, 25 + 1 + 16],
            [P, 25 + P + 16],
            [P + 1, 25 + P + 1 + 32],
            [3 * P, 25 + 3 * P + 48],
        ];
        for (const [plain, sealed] of cases) assert.equal(sealedSize(plain), sealed, `${plain}`);
    });
});

describe('crypto object format: range reads', () => {
    const size = 3 * P + 100;
    const p = params();
    const plain = randomBytes(size);
    const blobPromise = seal(p, plain, 5);
    const cases: Array<[string, number, number]> = [
        ['first byte', 0, 0],
        ['last byte', size - 1, size - 1],
        ['inside one package', P + 10, 2 * P - 10],
        ['exactly one package', P, 2 * P - 1],
        ['across one boundary', P - 5, P + 4],
        ['across two boundaries', P - 1, 2 * P],
        ['last package only', 3 * P, size - 1],
        ['whole object', 0, size - 1],
    ];
    for (const [name, start, end] of cases) {
        it(`reads ${name} (${start}-${end}) and asks only for touched packages`, async () => {
            const blob = await blobPromise;
            const file = memoryFile(blob, { random: prng(start + 3) });
            const openSealed = async () => file;
            const opened = await read(openRange({ ...p, plainSize: size, start, end, openSealed }));
            assert.ok(opened.equals(plain.subarray(start, end + 1)));
            assert.ok(file.closed, 'the blob is closed at the end');
            const touched = Math.floor(end / P) - Math.floor(start / P) + 1;
            const packageBytes = file.reads.reduce((sum, { position, length, bytes }) => {
                return position === 0 && length === 25 ? sum : sum + bytes;
            }, 0);
            const limit = touched * (P + 16) + 25 + 1;
            assert.ok(packageBytes <= limit, `read ${packageBytes} sealed bytes, limit ${limit}`);
        });
    }

    it('opens an empty blob with start 0, end -1, authenticating its one package', async () => {
        const q = params();
        const blob = await seal(q, Buffer.alloc(0));
        const opened = openRange({
            ...q,
            plainSize: 0,
            start: 0,
            end: -1,
            openSealed: memoryOpener(blob),
        });
        assert.equal((await read(opened)).length, 0);
        const flipped = Buffer.from(blob);
        flipped[blob.length - 1] ^= 1;
        const bad = openRange({
            ...q,
            plainSize: 0,
            start: 0,
            end: -1,
            openSealed: memoryOpener(flipped),
        });
        await assert.rejects(read(bad), IntegrityError);
    });

    it('rejects ranges outside the blob with RangeError, before any read', () => {
        const openSealed = () => assert.fail('no read expected');
        for (const [start, end] of [
            [-1, 0],
            [5, 4],
            [0, size],
            [size, size],
        ]) {
            const call = () => openRange({ ...p, plainSize: size, start, end, openSealed });
            assert.throws(call, RangeError, `${start}-${end}`);
        }
    });

    it('works against a real file, whose reads past the end come back short', async () => {
        const dir = await mkdtemp(join(tmpdir(), 'coffer-crypto-'));
        try {
            const file = join(dir, 'blob');
            await writeFile(file, await blobPromise);
            const openSealed = async () => {
                const handle = await open(file, 'r');
                return {
                    read: async (buffer: Buffer, length: number, position: number) =>
                        (await handle.read(buffer, 0, length, position)).bytesRead,
                    close: () => handle.close(),
                };
            };
            const range = { ...p, plainSize: size, openSealed };
            const tail = await read(openRange({ ...range, start: 2 * P - 3, end: size - 1 }));
            assert.ok(tail.equals(plain.subarray(2 * P - 3)));
            await appendFile(file, Buffer.from([0]));
            const extended = openRange({ ...range, start: 2 * P - 3, end: size - 1 });
            await assert.rejects(read(extended), IntegrityError);
        } finally {
            await rm(dir, { recursive: true, force: true });
        }
    });
});

describe('crypto object format: known answers', () => {
    // These vectors pin format version 1. They were computed by an independent implementation of
    // docs/encrypted-object-format.md in Python (pyca/cryptography AESGCM and HKDF; the script is
    // the document's appendix), not by this code. If a change to src/crypto makes them fail, the
    // change alters the format: existing blobs would no longer open. Such a change needs a new
    // FORMAT_VERSION (with readers for version 1 kept), never new expected values here.
    const dataKey = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
    const objectId = Buffer.from(Array.from({ length: 16 }, (_, i) => 0xa0 + i));
    const salt = Buffer.from(Array.from({ length: 16 }, (_, i) => 0x40 + i));
    const plain = Buffer.from(Array.from({ length: 2 * P + 1000 }, (_, i) => (i * 31 + 7) & 0xff));
    const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

    it('seals "hello" as part 1 to the reference bytes', async () => {
        const blob = await seal(
            { dataKey, objectId, partNumber: 1 },
            Buffer.from('hello'),
            1,
            salt,
        );
        const expected =
            '4346454f0100010000404142434445464748494a4b4c4d4e4f' +
            '19146a1112' +
            'f1af56c2c7e0fb4cebb668589c38df76';
        assert.equal(blob.toString('hex'), expected);
    });

    it('seals an empty part 1 to one empty final package', async () => {
        const blob = await seal({ dataKey, objectId, partNumber: 1 }, Buffer.alloc(0), 1, salt);
        const expected =
            '4346454f0100010000404142434445464748494a4b4c4d4e4f' +
            'cefc3846c6fa14573121f24fd3cd1a70';
        assert.equal(blob.toString('hex'), expected);
    });

    it('seals three packages of part 1 to the reference hash', async () => {
        const blob = await seal({ dataKey, objectId, partNumber: 1 }, plain, 9, salt);
        assert.equal(blob.length, 132145);
        const expected = '91ee6341b2cf09fde17ee2e2c8499d6db7489d68e0d850a18b77c3ede656d3b9';
        assert.equal(sha256(blob), expected);
    });

    it('seals two full packages of part 7 to the reference hash', async () => {
        const blob = await seal(
            { dataKey, objectId, partNumber: 7 },
            plain.subarray(0, 2 * P),
            4,
            salt,
        );
        assert.equal(blob.length, 131129);
        const expected = '9c93351fd809260d2b92d6f81f0f16e5ef82464c802e53d1fbf942595d6c3cab';
        assert.equal(sha256(blob), expected);
    });
});
