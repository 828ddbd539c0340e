import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { Crc32c as AwsCrc32c } from '@aws-crypto/crc32c';
import {
    CHECKSUM_ALGORITHMS,
    combineCrc,
    compositeChecksum,
    digestOf,
    type CrcAlgorithm,
} from '../../src/checksum/index.js';

const CRCS: readonly CrcAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME'];

function u32be(value: number): Buffer {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(value, 0);
    return out;
}

/** Cuts data at sorted random points; the same point may repeat, giving empty parts. */
function randomParts(data: Buffer, count: number): Buffer[] {
    const cuts = Array.from({ length: count - 1 }, () => randomInt(0, data.length + 1));
    cuts.sort((a, b) => a - b);
    const bounds = [0, ...cuts, data.length];
    return bounds.slice(1).map((end, i) => data.subarray(bounds[i], end));
}

describe('combineCrc', () => {
    for (const alg of CRCS) {
        it(`${alg}: crc(A||B) from crc(A), crc(B), len(B) at random splits`, () => {
            const data = randomBytes(randomInt(1, 5000));
            const splits = [0, 1, data.length - 1, data.length, randomInt(0, data.length + 1)];
            for (const at of splits) {
                const a = data.subarray(0, at);
                const b = data.subarray(at);
                const combined = combineCrc(alg, digestOf(alg, a), digestOf(alg, b), b.length);
                assert.deepEqual(combined, digestOf(alg, data), `split at ${at}/${data.length}`);
            }
        });

        it(`${alg}: folding 12 parts (some empty) gives the whole-object CRC`, () => {
            const data = randomBytes((1 << 20) + 3);
            const parts = randomParts(data, 12);
            let crc = digestOf(alg, parts[0]);
            for (const part of parts.slice(1)) {
                crc = combineCrc(alg, crc, digestOf(alg, part), part.length);
            }
            assert.deepEqual(crc, digestOf(alg, data));
        });

        it(`${alg}: equal-size parts then a short last part, like a real upload`, () => {
            const size = randomInt(1, 3000);
            const data = randomBytes(size * 6 + randomInt(0, size));
            let crc = digestOf(alg, data.subarray(0, size));
            for (let at = size; at < data.length; at += size) {
                const part = data.subarray(at, at + size);
                crc = combineCrc(alg, crc, digestOf(alg, part), part.length);
            }
            assert.deepEqual(crc, digestOf(alg, data));
        });

        it(`${alg}: a 3 MiB part, beyond any length seen so far`, () => {
            const a = randomBytes(5);
            const b = Buffer.alloc(3 * 1024 * 1024 + 17, 0xa5);
            const combined = combineCrc(alg, digestOf(alg, a), digestOf(alg, b), b.length);
            assert.deepEqual(combined, digestOf(alg, Buffer.concat([a, b])));
        });

        it(`${alg}: combining is associative at multi-GiB lengths`, () => {
            // (A||B)||C = A||(B||C) must hold for any values; it exercises the large powers of x.
            const width = alg === 'CRC64NVME' ? 8 : 4;
            const [a, b, c] = [randomBytes(width), randomBytes(width), randomBytes(width)];
            const lenB = 5 * 1024 ** 3 + randomInt(0, 1 << 30);
            const lenC = 2 ** 42 + randomInt(0, 1 << 30);
            const left = combineCrc(alg, combineCrc(alg, a, b, lenB), c, lenC);
            const right = combineCrc(alg, a, combineCrc(alg, b, c, lenC), lenB + lenC);
            assert.deepEqual(left, right);
        });
    }

    it('rejects digests of the wrong size and bad lengths', () => {
        const crc32 = digestOf('CRC32', Buffer.from('a'));
        const crc64 = digestOf('CRC64NVME', Buffer.from('a'));
        assert.throws(() => combineCrc('CRC64NVME', crc32, crc64, 1), RangeError);
        assert.throws(() => combineCrc('CRC32', crc32, crc64, 1), RangeError);
        assert.throws(() => combineCrc('CRC32', crc32, crc32, -1), RangeError);
        assert.throws(() => combineCrc('CRC32', crc32, crc32, 1.5), RangeError);
    });
});

describe('compositeChecksum', () => {
    const parts = [randomBytes(5 * 1024 * 1024), randomBytes(5 * 1024 * 1024), randomBytes(77)];

    it('SHA256: base64(sha256(concat(part sha256s))) + "-3", computed by hand', () => {
        const partDigests = parts.map((p) => createHash('sha256').update(p).digest());
        const outer = createHash('sha256');
        for (const d of partDigests) outer.update(d);
        const expected = `${outer.digest('base64')}-3`;
        assert.equal(compositeChecksum('SHA256', partDigests), expected);
    });

    it('CRC32C: the CRC of the big-endian part CRCs, per @aws-crypto/crc32c', () => {
        const partCrcs = parts.map((p) => u32be(new AwsCrc32c().update(p).digest()));
        const outer = new AwsCrc32c().update(Buffer.concat(partCrcs)).digest();
        const expected = `${u32be(outer).toString('base64')}-3`;
        assert.equal(compositeChecksum('CRC32C', partCrcs), expected);
    });

    it('a single part still carries "-1" and differs from the full-object value', () => {
        const digest = digestOf('SHA1', parts[2]);
        const composite = compositeChecksum('SHA1', [digest]);
        assert.match(composite, /^[A-Za-z0-9+/]{27}=-1$/);
        assert.notEqual(composite.slice(0, -2), digest.toString('base64'));
    });

    it('has every composite-capable algorithm produce <base64 of its size>-N', () => {
        for (const alg of CHECKSUM_ALGORITHMS.filter((a) => a !== 'CRC64NVME')) {
            const [value, count] = compositeChecksum(
                alg,
                parts.map((p) => digestOf(alg, p)),
            ).split('-');
            assert.equal(count, '3');
            assert.deepEqual(Buffer.from(value, 'base64').length, digestOf(alg, parts[0]).length);
        }
    });

    it('refuses CRC64NVME (full-object only), no parts, and mis-sized part digests', () => {
        const crc64 = digestOf('CRC64NVME', parts[2]);
        assert.throws(() => compositeChecksum('CRC64NVME', [crc64]), RangeError);
        assert.throws(() => compositeChecksum('SHA256', []), RangeError);
        assert.throws(() => compositeChecksum('CRC32', [crc64]), RangeError);
    });
});
