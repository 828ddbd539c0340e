/**
 * CRC-32C (Castagnoli; reflected polynomial 0x82F63B78, init and xorout 0xFFFFFFFF), the
 * `CRC32C` S3 checksum, computed slicing-by-8.
 *
 * Why our own: `@aws-crypto/crc32c` walks the input through an iterator one byte at a time and
 * measured about 80 MiB/s here, against about 1,300 MiB/s for this table-driven version.
 *
 * Slicing-by-8: table k maps a byte to the CRC of that byte followed by k zero bytes, so eight
 * input bytes fold into the register with eight independent lookups instead of eight dependent
 * ones. Eight-byte blocks are read as two 32-bit little-endian words through an Int32Array view,
 * which is measurably faster in V8 than assembling words from single bytes.
 */
import { endianness } from 'node:os';

const POLY = 0x82f63b78;
const SLICES = 8;

/** Int32Array reads host byte order; the block loop needs little-endian words, else bytes. */
const WORD_READS = endianness() === 'LE';

function buildTables(): Uint32Array[] {
    const all = new Uint32Array(SLICES * 256);
    for (let byte = 0; byte < 256; byte++) {
        let crc = byte;
        for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ POLY : crc >>> 1;
        all[byte] = crc;
    }
    for (let k = 1; k < SLICES; k++) {
        for (let byte = 0; byte < 256; byte++) {
            const prev = all[(k - 1) * 256 + byte];
            all[k * 256 + byte] = (prev >>> 8) ^ all[prev & 0xff];
        }
    }
    return Array.from({ length: SLICES }, (_, k) => all.subarray(k * 256, (k + 1) * 256));
}

// One constant per slice, so the hot loop indexes a fixed table rather than an array of tables.
const [T0, T1, T2, T3, T4, T5, T6, T7] = buildTables();

/**
 * Extends a CRC-32C over `data`, with the same contract as `zlib.crc32(data, value)`: pass 0 to
 * start, or a previous result to continue, and get the finished CRC back as an unsigned number.
 */
export function crc32c(data: Uint8Array, previous = 0): number {
    let crc = ~previous;
    let i = 0;
    const end = data.length;
    while (i < end && (data.byteOffset + i) % 4 !== 0) {
        crc = (crc >>> 8) ^ T0[(crc ^ data[i++]) & 0xff];
    }
    const blocks = WORD_READS ? (end - i) >>> 3 : 0;
    if (blocks > 0) {
        const words = new Int32Array(data.buffer, data.byteOffset + i, blocks * 2);
        for (let w = 0; w < words.length; w += 2) {
            const a = crc ^ words[w];
            const b = words[w + 1];
            // prettier-ignore
            crc =
                T7[a & 0xff] ^ T6[(a >>> 8) & 0xff] ^ T5[(a >>> 16) & 0xff] ^ T4[a >>> 24] ^
                T3[b & 0xff] ^ T2[(b >>> 8) & 0xff] ^ T1[(b >>> 16) & 0xff] ^ T0[b >>> 24];
        }
        i += blocks * 8;
    }
    while (i < end) {
        crc = (crc >>> 8) ^ T0[(crc ^ data[i++]) & 0xff];
    }
    return ~crc >>> 0;
}
