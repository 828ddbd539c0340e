/**
 * The encrypted object format, version 1: constants, the blob header, key derivation, and the
 * per-package nonce and associated data. `sealer.ts` and `open-range.ts` are its two users; the
 * byte layout and the reasons for it are in `docs/encrypted-object-format.md`.
 */
import { createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { IntegrityError } from './integrity-error.js';

/**
 * Plaintext bytes per package. Frozen: it fixes where every package starts in a sealed blob, so
 * changing it changes the format and needs a new FORMAT_VERSION.
 */
export const PACKAGE_SIZE = 65536;
/** AES-GCM tag length. Frozen with the format. */
export const TAG_SIZE = 16;
/** Version byte written in every blob header. Frozen for this layout. */
export const FORMAT_VERSION = 1;
/** Random bytes in the header that make every blob's package key unique. Frozen. */
export const SALT_SIZE = 16;
/** "CFEO": Coffer encrypted object. Frozen. */
const MAGIC = Buffer.from('CFEO', 'latin1');
/** magic (4) + version (1) + package size (4, big-endian) + salt (16). Frozen. */
export const HEADER_SIZE = MAGIC.length + 1 + 4 + SALT_SIZE;
/** Domain label for the package key derivation, so no other HKDF use can yield this key. */
const PACKAGE_KEY_LABEL = Buffer.from('coffer/object-format/v1/package-key\0', 'latin1');
/** AWS S3's part number range; single-part objects are part 1. */
const MAX_PART_NUMBER = 10000;
/** The sequence number is 32 bits in nonce and AAD: 256 TiB per blob, far above S3's 5 GiB. */
const MAX_PACKAGES = 2 ** 32;

const DATA_KEY_SIZE = 32;
const OBJECT_ID_SIZE = 16;
const NONCE_SIZE = 12;
/** Offsets inside the 12-byte nonce: 3 zero bytes, part (4), sequence (4), final flag (1). */
const NONCE_PART = 3;
const NONCE_SEQ = 7;
const NONCE_FINAL = 11;

/** What identifies one sealed blob: the object's data key, the object's id, and the part. */
export interface SealParams {
    /** The object's random 256-bit data key. */
    dataKey: Buffer;
    /** 16 random bytes chosen when the object (or upload) is created; kept in metadata. */
    objectId: Buffer;
    /** 1..10000; a single-part object is part 1. */
    partNumber: number;
}

/** Rejects parameters no correct caller passes; these are programming errors, not tampering. */
export function assertSealParams(p: SealParams): void {
    if (!Buffer.isBuffer(p.dataKey) || p.dataKey.length !== DATA_KEY_SIZE) {
        throw new RangeError('dataKey must be a 32-byte Buffer');
    }
    if (!Buffer.isBuffer(p.objectId) || p.objectId.length !== OBJECT_ID_SIZE) {
        throw new RangeError('objectId must be a 16-byte Buffer');
    }
    const part = p.partNumber;
    if (!Number.isInteger(part) || part < 1 || part > MAX_PART_NUMBER) {
        throw new RangeError(`partNumber must be an integer in 1..${MAX_PART_NUMBER}`);
    }
}

/** Number of packages in a blob: at least one, so even an empty blob ends in a final package. */
export function packageCount(plainSize: number): number {
    return Math.max(1, Math.ceil(plainSize / PACKAGE_SIZE));
}

/** Plaintext bytes in package `seq` of a blob holding `plainSize` bytes. */
export function packagePlainLength(seq: number, plainSize: number): number {
    const last = packageCount(plainSize) - 1;
    return seq < last ? PACKAGE_SIZE : plainSize - last * PACKAGE_SIZE;
}

/** Sealed blob length for a plaintext of `plainSize` bytes: header plus one tag per package. */
export function sealedSize(plainSize: number): number {
    if (!Number.isSafeInteger(plainSize) || plainSize < 0) {
        throw new RangeError('plainSize must be a non-negative safe integer');
    }
    return HEADER_SIZE + plainSize + TAG_SIZE * packageCount(plainSize);
}

/** Byte offset of package `seq` inside the sealed blob. */
export function sealedOffset(seq: number): number {
    return HEADER_SIZE + seq * (PACKAGE_SIZE + TAG_SIZE);
}

/** The 25-byte blob header for a given salt. */
export function buildHeader(salt: Buffer): Buffer {
    if (salt.length !== SALT_SIZE) throw new RangeError('salt must be 16 bytes');
    const header = Buffer.alloc(HEADER_SIZE);
    MAGIC.copy(header, 0);
    header.writeUInt8(FORMAT_VERSION, MAGIC.length);
    header.writeUInt32BE(PACKAGE_SIZE, MAGIC.length + 1);
    salt.copy(header, MAGIC.length + 5);
    return header;
}

/**
 * Checks a header read back from a blob and returns its salt. Magic, version and package size
 * must equal this version's constants; anything else is damage (or a future version this reader
 * cannot know, which must fail loudly rather than be misread).
 */
export function parseHeader(header: Buffer): Buffer {
    if (header.length !== HEADER_SIZE || !header.subarray(0, MAGIC.length).equals(MAGIC)) {
        throw new IntegrityError('sealed blob header is missing or has a wrong magic');
    }
    const version = header.readUInt8(MAGIC.length);
    if (version !== FORMAT_VERSION) {
        throw new IntegrityError(`sealed blob has unsupported format version ${version}`);
    }
    if (header.readUInt32BE(MAGIC.length + 1) !== PACKAGE_SIZE) {
        throw new IntegrityError('sealed blob header names a wrong package size');
    }
    return header.subarray(MAGIC.length + 5);
}

/**
 * Everything needed to seal or open the packages of one blob. The key is derived once per blob;
 * nonce and AAD are preallocated and rewritten in place for each package, because createCipheriv
 * and setAAD consume them immediately.
 */
export class PackageCipherContext {
    readonly key: KeyObject;
    readonly #nonce = Buffer.alloc(NONCE_SIZE);
    readonly #aad: Buffer;
    readonly #aadSeq: number;

    constructor(p: SealParams, header: Buffer) {
        const salt = parseHeader(header);
        this.key = derivePackageKey(p, salt);
        this.#nonce.writeUInt32BE(p.partNumber, NONCE_PART);
        // header || objectId || part (4) || sequence (4) || final flag (1)
        this.#aad = Buffer.alloc(HEADER_SIZE + OBJECT_ID_SIZE + 4 + 4 + 1);
        header.copy(this.#aad, 0);
        p.objectId.copy(this.#aad, HEADER_SIZE);
        this.#aad.writeUInt32BE(p.partNumber, HEADER_SIZE + OBJECT_ID_SIZE);
        this.#aadSeq = HEADER_SIZE + OBJECT_ID_SIZE + 4;
    }

    /** Writes the package's position into nonce and AAD; returns both (valid until next call). */
    position(seq: number, final: boolean): { nonce: Buffer; aad: Buffer } {
        if (seq >= MAX_PACKAGES) throw new RangeError('blob exceeds 2^32 packages');
        this.#nonce.writeUInt32BE(seq, NONCE_SEQ);
        this.#nonce.writeUInt8(final ? 1 : 0, NONCE_FINAL);
        this.#aad.writeUInt32BE(seq, this.#aadSeq);
        this.#aad.writeUInt8(final ? 1 : 0, this.#aadSeq + 4);
        return { nonce: this.#nonce, aad: this.#aad };
    }
}

/**
 * HKDF-SHA256(ikm = data key, salt = blob salt, info = label || objectId || part), 32 bytes.
 * Binding object and part into the key means a package moved to another object or part cannot
 * even be decrypted; the salt makes the key unique per blob, so a re-uploaded part never reuses
 * a nonce under the same key.
 */
function derivePackageKey(p: SealParams, salt: Buffer): KeyObject {
    const info = Buffer.alloc(PACKAGE_KEY_LABEL.length + OBJECT_ID_SIZE + 4);
    PACKAGE_KEY_LABEL.copy(info, 0);
    p.objectId.copy(info, PACKAGE_KEY_LABEL.length);
    info.writeUInt32BE(p.partNumber, PACKAGE_KEY_LABEL.length + OBJECT_ID_SIZE);
    const raw = Buffer.from(hkdfSync('sha256', p.dataKey, salt, info, DATA_KEY_SIZE));
    const key = createSecretKey(raw);
    raw.fill(0); // the KeyObject holds its own copy; leave no loose one for the heap to keep
    return key;
}
