/**
 * Object checksums of multipart uploads, built from the part checksums at completion:
 *
 * 1. COMPOSITE (CRC32, CRC32C, SHA1, SHA256): the algorithm applied to the concatenated raw part
 *    digests, base64-encoded, then `-<number of parts>`, like the multipart ETag.
 * 2. FULL_OBJECT (CRC32, CRC32C, CRC64NVME): the CRC of all the object's bytes, obtained without
 *    re-reading them by folding the part CRCs together, part by part, with `combineCrc`.
 *
 * Why combining works: a CRC is linear over GF(2). For CRCs whose init equals their xorout (all
 * three here use all ones), crc(A || B) = crc(A) * x^(8 * len(B)) mod P  XOR  crc(B), where the
 * product is a polynomial product modulo the CRC polynomial P. x^(8n) mod P is found by square-
 * and-multiply from cached x^(2^k) mod P, so one combination costs O(log n) multiplications.
 * Polynomials use the reflected bit order of the CRC values themselves: the top bit is x^0.
 * BigInt keeps the code generic over 32 and 64 bits; it runs once per part, not per byte.
 */
import { DIGEST_LENGTHS, supportsChecksumType } from './algorithms.js';
import type { ChecksumAlgorithm, CrcAlgorithm } from './algorithms.js';
import { digestOf } from './hasher.js';

interface CrcField {
    readonly width: bigint;
    /** The polynomial without its x^width term, reflected. */
    readonly reflectedPoly: bigint;
    /** powersOfX[k] = x^(2^k) mod P, grown on demand. */
    readonly powersOfX: bigint[];
    /** The last shift factor computed: parts of one upload mostly share a size. */
    last: { byteCount: number; factor: bigint };
}

function field(width: bigint, reflectedPoly: bigint): CrcField {
    const one = 1n << (width - 1n);
    return { width, reflectedPoly, powersOfX: [one >> 1n], last: { byteCount: 0, factor: one } };
}

const FIELDS: Readonly<Record<CrcAlgorithm, CrcField>> = {
    CRC32: field(32n, 0xedb88320n),
    CRC32C: field(32n, 0x82f63b78n),
    CRC64NVME: field(64n, 0x9a6c9329ac4bc9b5n),
};

/** a * b mod P, both reflected. Walks a's terms from x^0 up while b is multiplied by x. */
function multiplyMod(f: CrcField, a: bigint, b: bigint): bigint {
    let product = 0n;
    for (let term = 1n << (f.width - 1n); term !== 0n; term >>= 1n) {
        if (a & term) product ^= b;
        b = b & 1n ? (b >> 1n) ^ f.reflectedPoly : b >> 1n;
    }
    return product;
}

/** x^(8 * byteCount) mod P. */
function shiftFactor(f: CrcField, byteCount: number): bigint {
    if (f.last.byteCount === byteCount) return f.last.factor;
    let factor = 1n << (f.width - 1n);
    let exponent = BigInt(byteCount) * 8n;
    for (let k = 0; exponent !== 0n; k++, exponent >>= 1n) {
        if (k === f.powersOfX.length) {
            const previous = f.powersOfX[k - 1];
            f.powersOfX.push(multiplyMod(f, previous, previous));
        }
        if (exponent & 1n) factor = multiplyMod(f, factor, f.powersOfX[k]);
    }
    f.last = { byteCount, factor };
    return factor;
}

function requireDigest(alg: ChecksumAlgorithm, digest: Buffer, what: string): void {
    if (digest.length !== DIGEST_LENGTHS[alg]) {
        throw new RangeError(`${what} must be a ${DIGEST_LENGTHS[alg]}-byte ${alg} digest`);
    }
}

/**
 * The full-object CRC of A || B from crc(A), crc(B) and the byte length of B (FULL_OBJECT
 * multipart checksums). Values are the raw big-endian digests S3 base64-encodes.
 */
export function combineCrc(alg: CrcAlgorithm, crcA: Buffer, crcB: Buffer, lengthB: number): Buffer {
    requireDigest(alg, crcA, 'crcA');
    requireDigest(alg, crcB, 'crcB');
    if (!Number.isSafeInteger(lengthB) || lengthB < 0) {
        throw new RangeError(`lengthB must be a non-negative integer, got ${lengthB}`);
    }
    const f = FIELDS[alg];
    const a = BigInt(`0x${crcA.toString('hex')}`);
    const b = BigInt(`0x${crcB.toString('hex')}`);
    const combined = multiplyMod(f, a, shiftFactor(f, lengthB)) ^ b;
    return Buffer.from(combined.toString(16).padStart(crcA.length * 2, '0'), 'hex');
}

/**
 * S3's COMPOSITE multipart checksum: base64(hash(concatenated raw part digests)) + '-' + part
 * count. Throws for CRC64NVME, which S3 supports only as FULL_OBJECT.
 */
export function compositeChecksum(alg: ChecksumAlgorithm, partDigests: readonly Buffer[]): string {
    if (!supportsChecksumType(alg, 'COMPOSITE')) {
        throw new RangeError(`${alg} has no COMPOSITE checksum type`);
    }
    if (partDigests.length === 0) throw new RangeError('a multipart upload has at least one part');
    partDigests.forEach((digest, i) => requireDigest(alg, digest, `part digest ${i + 1}`));
    return `${digestOf(alg, Buffer.concat(partDigests)).toString('base64')}-${partDigests.length}`;
}
