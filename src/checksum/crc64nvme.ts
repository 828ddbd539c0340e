/**
 * CRC-64/NVME (polynomial 0xAD93D23594C93659, reflected 0x9A6C9329AC4BC9B5; init and xorout all
 * ones), the `CRC64NVME` S3 checksum that S3 computes for every upload arriving without one.
 *
 * Why our own: this runs on every such upload, so it sits on the hot path. `@aws-sdk/crc64-nvme`
 * (also slicing-by-8 over 32-bit halves) measured about 400 MiB/s here, this version about
 * 1,100 MiB/s; the library's digest is also async and it pulls `@aws-sdk/core` and `@smithy/core`
 * in at run time.
 *
 * Representation: JavaScript has no fast 64-bit integer (BigInt allocates), so the register is
 * two unsigned 32-bit halves, `lo` (bits 0-31) and `hi` (bits 32-63), and every table is split
 * the same way. In a reflected CRC a byte enters at the low end, so eight input bytes are XORed
 * into the whole register and then replaced by eight slicing-by-8 lookups (table k holds the CRC
 * of a byte followed by k zero bytes). Blocks are read as two little-endian 32-bit words.
 */
import { endianness } from 'node:os';

const POLY_LO = 0xac4bc9b5;
const POLY_HI = 0x9a6c9329;
const SLICES = 8;

/** Int32Array reads host byte order; the block loop needs little-endian words, else bytes. */
const WORD_READS = endianness() === 'LE';

function buildTables(): { lo: Uint32Array[]; hi: Uint32Array[] } {
    const lo = new Uint32Array(SLICES * 256);
    const hi = new Uint32Array(SLICES * 256);
    for (let byte = 0; byte < 256; byte++) {
        let l = byte;
        let h = 0;
        for (let bit = 0; bit < 8; bit++) {
            const carry = l & 1;
            l = ((l >>> 1) | (h << 31)) ^ (carry ? POLY_LO : 0);
            h = (h >>> 1) ^ (carry ? POLY_HI : 0);
        }
        lo[byte] = l;
        hi[byte] = h;
    }
    for (let k = 1; k < SLICES; k++) {
        for (let byte = 0; byte < 256; byte++) {
            const prevLo = lo[(k - 1) * 256 + byte];
            const prevHi = hi[(k - 1) * 256 + byte];
            const index = prevLo & 0xff;
            lo[k * 256 + byte] = ((prevLo >>> 8) | (prevHi << 24)) ^ lo[index];
            hi[k * 256 + byte] = (prevHi >>> 8) ^ hi[index];
        }
    }
    const slice = (all: Uint32Array) =>
        Array.from({ length: SLICES }, (_, k) => all.subarray(k * 256, (k + 1) * 256));
    return { lo: slice(lo), hi: slice(hi) };
}

const TABLES = buildTables();
// One constant per slice, so the hot loop indexes a fixed table rather than an array of tables.
const [L0, L1, L2, L3, L4, L5, L6, L7] = TABLES.lo;
const [H0, H1, H2, H3, H4, H5, H6, H7] = TABLES.hi;

/** A streaming CRC-64/NVME; `digest()` gives the 8-byte big-endian value S3 base64-encodes. */
export class Crc64Nvme {
    // The register before the final xorout, in two 32-bit halves (bit operations may leave
    // them negative; only their 32 bits matter).
    private lo = -1;
    private hi = -1;

    update(data: Uint8Array): void {
        let lo = this.lo;
        let hi = this.hi;
        let i = 0;
        const end = data.length;
        for (; i < end && (data.byteOffset + i) % 4 !== 0; i++) {
            const index = (lo ^ data[i]) & 0xff;
            lo = ((lo >>> 8) | (hi << 24)) ^ L0[index];
            hi = (hi >>> 8) ^ H0[index];
        }
        const blocks = WORD_READS ? (end - i) >>> 3 : 0;
        if (blocks > 0) {
            const words = new Int32Array(data.buffer, data.byteOffset + i, blocks * 2);
            for (let w = 0; w < words.length; w += 2) {
                const a = lo ^ words[w];
                const b = hi ^ words[w + 1];
                // The byte lanes of the register, low byte first; lane j looks up table 7 - j.
                // prettier-ignore
                const a0 = a & 0xff, a1 = (a >>> 8) & 0xff, a2 = (a >>> 16) & 0xff, a3 = a >>> 24;
                // prettier-ignore
                const b0 = b & 0xff, b1 = (b >>> 8) & 0xff, b2 = (b >>> 16) & 0xff, b3 = b >>> 24;
                lo = L7[a0] ^ L6[a1] ^ L5[a2] ^ L4[a3] ^ L3[b0] ^ L2[b1] ^ L1[b2] ^ L0[b3];
                hi = H7[a0] ^ H6[a1] ^ H5[a2] ^ H4[a3] ^ H3[b0] ^ H2[b1] ^ H1[b2] ^ H0[b3];
            }
            i += blocks * 8;
        }
        for (; i < end; i++) {
            const index = (lo ^ data[i]) & 0xff;
            lo = ((lo >>> 8) | (hi << 24)) ^ L0[index];
            hi = (hi >>> 8) ^ H0[index];
        }
        this.lo = lo;
        this.hi = hi;
    }

    digest(): Buffer {
        const out = Buffer.allocUnsafe(8);
        out.writeUInt32BE(~this.hi >>> 0, 0);
        out.writeUInt32BE(~this.lo >>> 0, 4);
        return out;
    }
}
