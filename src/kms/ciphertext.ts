/**
 * The ciphertext blob Encrypt and GenerateDataKey return and Decrypt takes. Layout, version 1
 * (all constants frozen; a change is a new FORMAT_VERSION), also in docs/kms.md:
 *
 *   offset  size  field
 *   0       4     magic "CFKM"
 *   4       1     format version (1)
 *   5       16    key id (the UUID's 16 bytes)
 *   21      4     key material version, big-endian
 *   25      ...   wrapKey(material of that version, plaintext, aad), i.e.
 *                 wrap version (1) || salt (32) || ciphertext (|plaintext|) || GCM tag (16)
 *
 * aad = the 25 header bytes || canonical encryption context, where the context is encoded as a
 * 4-byte count, then per entry, sorted by the UTF-8 bytes of its key: 4-byte key length, key,
 * 4-byte value length, value. So the header (which key, which version) cannot be edited, the
 * context must match exactly (order does not matter, as on AWS), and each encryption gets its
 * own HKDF-derived key (wrapKey), so one key version can encrypt without nonce-reuse limits.
 */
import { IntegrityError, unwrapKey, wrapKey } from '../crypto/index.js';
import { KmsError } from './errors.js';
import type { EncryptionContext } from './types.js';

const MAGIC = Buffer.from('CFKM', 'latin1');
const FORMAT_VERSION = 1;
/** magic + version + key id + key version. */
export const HEADER_SIZE = MAGIC.length + 1 + 16 + 4;
/** wrapKey's own bytes: version + salt + tag. */
const WRAP_OVERHEAD = 1 + 32 + 16;

export interface CiphertextHeader {
    keyId: string;
    version: number;
}

/** Seals `plaintext` under one key version's material, bound to `context`. */
export function sealCiphertext(
    header: CiphertextHeader,
    material: Buffer,
    plaintext: Buffer,
    context: EncryptionContext,
): Buffer {
    const head = encodeHeader(header);
    return Buffer.concat([head, wrapKey(material, plaintext, aadFor(head, context))]);
}

/**
 * Reads which key and version a blob names. Anything that is not a version 1 Coffer blob is
 * InvalidCiphertextException, as AWS answers for bytes it did not make.
 */
export function readCiphertextHeader(blob: Buffer): CiphertextHeader {
    if (
        blob.length <= HEADER_SIZE + WRAP_OVERHEAD ||
        !blob.subarray(0, MAGIC.length).equals(MAGIC) ||
        blob[MAGIC.length] !== FORMAT_VERSION
    ) {
        throw new KmsError('InvalidCiphertextException');
    }
    const id = blob.subarray(MAGIC.length + 1, MAGIC.length + 17).toString('hex');
    const keyId = [
        id.slice(0, 8),
        id.slice(8, 12),
        id.slice(12, 16),
        id.slice(16, 20),
        id.slice(20),
    ].join('-');
    return { keyId, version: blob.readUInt32BE(MAGIC.length + 17) };
}

/**
 * Opens a blob with the material of the version its header names. A wrong context, an edited
 * byte or a blob of another key all fail the tag: InvalidCiphertextException.
 */
export function openCiphertext(blob: Buffer, material: Buffer, context: EncryptionContext): Buffer {
    const head = blob.subarray(0, HEADER_SIZE);
    try {
        return unwrapKey(material, blob.subarray(HEADER_SIZE), aadFor(head, context));
    } catch (error) {
        if (error instanceof IntegrityError) throw new KmsError('InvalidCiphertextException');
        throw error;
    }
}

function encodeHeader(header: CiphertextHeader): Buffer {
    const out = Buffer.alloc(HEADER_SIZE);
    MAGIC.copy(out, 0);
    out[MAGIC.length] = FORMAT_VERSION;
    Buffer.from(header.keyId.replace(/-/g, ''), 'hex').copy(out, MAGIC.length + 1);
    out.writeUInt32BE(header.version, MAGIC.length + 17);
    return out;
}

function aadFor(head: Buffer, context: EncryptionContext): Buffer {
    return Buffer.concat([head, encodeContext(context)]);
}

/** The canonical encoding of an encryption context (see the module doc). */
export function encodeContext(context: EncryptionContext): Buffer {
    const entries = Object.entries(context).map(([key, value]) => [
        Buffer.from(key, 'utf8'),
        Buffer.from(value, 'utf8'),
    ]);
    entries.sort((a, b) => Buffer.compare(a[0], b[0]));
    const parts: Buffer[] = [u32(entries.length)];
    for (const [key, value] of entries) parts.push(u32(key.length), key, u32(value.length), value);
    return Buffer.concat(parts);
}

function u32(value: number): Buffer {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(value);
    return out;
}
