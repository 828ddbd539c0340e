import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { Crc32c as AwsCrc32c } from '@aws-crypto/crc32c';
import { Crc64Nvme as AwsCrc64Nvme } from '@aws-sdk/crc64-nvme';
import {
    CHECKSUM_ALGORITHMS,
    MultiHasher,
    checksumHeader,
    createHasher,
    digestOf,
    isValidBase64Digest,
    parseChecksumAlgorithm,
    supportsChecksumType,
    type HashAlgorithm,
} from '../../src/checksum/index.js';

const ALL: readonly HashAlgorithm[] = [...CHECKSUM_ALGORITHMS, 'MD5'];
const LENGTHS = [0, 1, 7, 8, 9, 63, 64, 65, (1 << 20) + 3];

/** Bit-at-a-time reflected CRC with init/xorout all ones: slow, but shares nothing with ours. */
function bitwiseCrc(width: bigint, reflectedPoly: bigint, data: Uint8Array): Buffer {
    const mask = (1n << width) - 1n;
    let crc = mask;
    for (const byte of data) {
        crc ^= BigInt(byte);
        for (let bit = 0; bit < 8; bit++) crc = crc & 1n ? (crc >> 1n) ^ reflectedPoly : crc >> 1n;
    }
    return Buffer.from((crc ^ mask).toString(16).padStart(Number(width / 4n), '0'), 'hex');
}

function u32be(value: number): Buffer {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(value, 0);
    return out;
}

/** The same CRCs from other code: AWS's packages, zlib one-shot, and the bitwise reference. */
async function independentCrcs(data: Buffer): Promise<Record<string, Buffer[]>> {
    const aws64 = new AwsCrc64Nvme();
    aws64.update(data);
    const small = data.length <= 4096;
    return {
        CRC32: [u32be(zlibCrc32(data)), ...(small ? [bitwiseCrc(32n, 0xedb88320n, data)] : [])],
        CRC32C: [
            u32be(new AwsCrc32c().update(data).digest()),
            ...(small ? [bitwiseCrc(32n, 0x82f63b78n, data)] : []),
        ],
        CRC64NVME: [
            Buffer.from(await aws64.digest()),
            ...(small ? [bitwiseCrc(64n, 0x9a6c9329ac4bc9b5n, data)] : []),
        ],
    };
}

/** Splits data into random slices, some empty, at random (often unaligned) offsets. */
function randomSlices(data: Buffer): Buffer[] {
    const slices: Buffer[] = [];
    for (let at = 0; at < data.length; ) {
        const size = randomInt(0, 3) === 0 ? randomInt(0, 16) : randomInt(0, 70_000);
        slices.push(data.subarray(at, at + size));
        at += size;
    }
    return slices;
}

describe('checksum algorithm names', () => {
    it('parses every algorithm case-insensitively and rejects others', () => {
        for (const alg of CHECKSUM_ALGORITHMS) {
            assert.equal(parseChecksumAlgorithm(alg), alg);
            assert.equal(parseChecksumAlgorithm(alg.toLowerCase()), alg);
        }
        assert.equal(parseChecksumAlgorithm('Crc64Nvme'), 'CRC64NVME');
        for (const bad of ['', 'MD5', 'CRC64', 'SHA-256', 'crc32 ', 'toString', '__proto__']) {
            assert.equal(parseChecksumAlgorithm(bad), undefined, bad);
        }
    });

    it('names the x-amz-checksum header of each algorithm', () => {
        assert.deepEqual(CHECKSUM_ALGORITHMS.map(checksumHeader), [
            'x-amz-checksum-crc32',
            'x-amz-checksum-crc32c',
            'x-amz-checksum-crc64nvme',
            'x-amz-checksum-sha1',
            'x-amz-checksum-sha256',
        ]);
    });

    it('allows FULL_OBJECT only for CRCs and COMPOSITE for all but CRC64NVME', () => {
        const full = CHECKSUM_ALGORITHMS.filter((a) => supportsChecksumType(a, 'FULL_OBJECT'));
        const composite = CHECKSUM_ALGORITHMS.filter((a) => supportsChecksumType(a, 'COMPOSITE'));
        assert.deepEqual(full, ['CRC32', 'CRC32C', 'CRC64NVME']);
        assert.deepEqual(composite, ['CRC32', 'CRC32C', 'SHA1', 'SHA256']);
    });
});

describe('known-answer vectors', () => {
    // CRC check values from the CRC catalogue (reveng): CRC-32/ISO-HDLC, CRC-32/ISCSI, CRC-64/NVME.
    const check = Buffer.from('123456789');
    const crcCases = [
        ['CRC32', 'cbf43926'],
        ['CRC32C', 'e3069283'],
        ['CRC64NVME', 'ae8b14860a799888'],
    ] as const;
    for (const [alg, hex] of crcCases) {
        it(`${alg}('123456789') = 0x${hex}`, () => {
            assert.equal(digestOf(alg, check).toString('hex'), hex);
        });
    }

    // RFC 1321 (MD5) and FIPS 180-2 appendix examples (SHA-1, SHA-256) for "abc".
    const abc = Buffer.from('abc');
    const hashCases = [
        ['MD5', '900150983cd24fb0d6963f7d28e17f72'],
        ['SHA1', 'a9993e364706816aba3e25717850c26c9cd0d89d'],
        ['SHA256', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ] as const;
    for (const [alg, hex] of hashCases) {
        it(`${alg}('abc') matches the published digest`, () => {
            assert.equal(digestOf(alg, abc).toString('hex'), hex);
        });
    }

    it('gives the empty input its all-zero CRCs', () => {
        assert.equal(digestOf('CRC32', Buffer.alloc(0)).toString('hex'), '00000000');
        assert.equal(digestOf('CRC64NVME', Buffer.alloc(0)).toString('hex'), '0000000000000000');
    });
});

describe('CRCs agree with independent implementations', () => {
    for (const length of LENGTHS) {
        it(`random data of ${length} bytes`, async () => {
            const data = randomBytes(length);
            const expected = await independentCrcs(data);
            for (const [alg, references] of Object.entries(expected)) {
                const ours = digestOf(alg as HashAlgorithm, data);
                for (const reference of references) assert.deepEqual(ours, reference, alg);
            }
        });
    }

    it('at every buffer alignment (word reads start after 0-3 single bytes)', async () => {
        const backing = randomBytes(300);
        for (let offset = 0; offset < 8; offset++) {
            const data = backing.subarray(offset, offset + 211 + offset);
            const expected = await independentCrcs(data);
            for (const [alg, references] of Object.entries(expected)) {
                const ours = digestOf(alg as HashAlgorithm, data);
                for (const ref of references) assert.deepEqual(ours, ref, `${alg} @${offset}`);
            }
        }
    });
});

describe('streaming', () => {
    const data = randomBytes((1 << 20) + 3);

    for (const alg of ALL) {
        it(`${alg}: updates in random slices equal the one-shot digest`, () => {
            const hasher = createHasher(alg);
            for (const slice of randomSlices(data)) hasher.update(slice);
            assert.deepEqual(hasher.digest(), digestOf(alg, data));
        });
    }

    it('MultiHasher gives each algorithm its own digest, once per duplicate', () => {
        const multi = new MultiHasher(['MD5', 'CRC64NVME', 'SHA256', 'MD5']);
        for (const slice of randomSlices(data)) multi.update(slice);
        const digests = multi.digests();
        assert.deepEqual([...digests.keys()], ['MD5', 'CRC64NVME', 'SHA256']);
        assert.deepEqual(digests.get('MD5'), createHash('md5').update(data).digest());
        assert.deepEqual(digests.get('SHA256'), createHash('sha256').update(data).digest());
        assert.deepEqual(digests.get('CRC64NVME'), digestOf('CRC64NVME', data));
    });
});

describe('isValidBase64Digest', () => {
    it('accepts a real digest of each algorithm, in base64', () => {
        for (const alg of CHECKSUM_ALGORITHMS) {
            const value = digestOf(alg, randomBytes(100)).toString('base64');
            assert.equal(isValidBase64Digest(alg, value), true, alg);
        }
    });

    it("rejects values of another algorithm's length", () => {
        const crc32 = digestOf('CRC32', Buffer.from('x')).toString('base64');
        const sha1 = digestOf('SHA1', Buffer.from('x')).toString('base64');
        assert.equal(isValidBase64Digest('SHA256', crc32), false);
        assert.equal(isValidBase64Digest('CRC64NVME', crc32), false);
        assert.equal(isValidBase64Digest('CRC32', sha1), false);
        assert.equal(isValidBase64Digest('SHA256', sha1), false);
    });

    it('rejects malformed base64 that Buffer would decode anyway', () => {
        const cases = ['', 'AAAAAA', 'AAAAAA=', 'AAAA AA==', 'AAAA*A==', 'AAAAAB==', 'AAAAAA==\n'];
        for (const value of cases) {
            assert.equal(isValidBase64Digest('CRC32', value), false, JSON.stringify(value));
        }
        assert.equal(isValidBase64Digest('CRC32', 'AAAAAA=='), true);
        assert.equal(isValidBase64Digest('CRC32', '/+/+/w=='), true);
        assert.equal(isValidBase64Digest('CRC32', '_-_-_w=='), false); // base64url is not base64
    });
});
