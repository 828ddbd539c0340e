/**
 * Wrapping of data keys (and other short secrets) under a long-lived wrapping key: the SSE-S3
 * master key, a KMS key version, a key derived from an SSE-C customer key.
 *
 * Recipe, version 1 (all constants frozen; changing any is a new WRAP_VERSION):
 * 1. salt = 32 fresh random bytes.
 * 2. k = HKDF-SHA256(ikm = wrapping key, salt, info = "coffer/key-wrap/v1"), 32 bytes.
 * 3. AES-256-GCM under k with an all-zero 12-byte nonce, AAD = version byte || caller's AAD.
 * 4. Output: version (1) || salt (32) || ciphertext (same length as the secret) || tag (16).
 *
 * Why a derived key instead of a random nonce: one wrapping key may wrap billions of data keys
 * over its life, past the 2^32 random 96-bit nonces NIST allows under one GCM key. Each wrap
 * has its own key here (256-bit salt: no collision in practice), and a key used exactly once
 * needs no nonce, so the zero nonce is safe. The caller's AAD names the purpose, bucket and
 * object key, so a wrapped key cannot be moved to another object or used for another purpose.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { IntegrityError } from './integrity-error.js';

const WRAP_VERSION = 1;
const SALT_SIZE = 32;
const TAG_SIZE = 16;
const KEY_SIZE = 32;
const ZERO_NONCE = Buffer.alloc(12);
const WRAP_LABEL = Buffer.from('coffer/key-wrap/v1', 'latin1');
const VERSION_BYTE = Buffer.from([WRAP_VERSION]);
const OVERHEAD = 1 + SALT_SIZE + TAG_SIZE;

/**
 * Seals `dataKey` under `wrappingKey`, bound to `aad`. `salt` exists only for known-answer
 * tests; production callers leave it out and get fresh random bytes.
 */
export function wrapKey(wrappingKey: Buffer, dataKey: Buffer, aad: Buffer, salt?: Buffer): Buffer {
    assertWrappingKey(wrappingKey);
    if (dataKey.length === 0) throw new RangeError('dataKey must not be empty');
    const useSalt = salt ?? randomBytes(SALT_SIZE);
    if (useSalt.length !== SALT_SIZE) throw new RangeError('salt must be 32 bytes');
    const cipher = createCipheriv('aes-256-gcm', deriveWrapKey(wrappingKey, useSalt), ZERO_NONCE, {
        authTagLength: TAG_SIZE,
    });
    cipher.setAAD(Buffer.concat([VERSION_BYTE, aad]));
    const ciphertext = cipher.update(dataKey);
    cipher.final();
    return Buffer.concat([VERSION_BYTE, useSalt, ciphertext, cipher.getAuthTag()]);
}

/**
 * Opens a `wrapKey` output. Throws IntegrityError when the bytes are malformed, of an unknown
 * version, or do not authenticate under this wrapping key and AAD (the cases cannot be told
 * apart by design).
 */
export function unwrapKey(wrappingKey: Buffer, wrapped: Buffer, aad: Buffer): Buffer {
    assertWrappingKey(wrappingKey);
    if (wrapped.length <= OVERHEAD) throw new IntegrityError('wrapped key is too short');
    if (wrapped[0] !== WRAP_VERSION) {
        throw new IntegrityError(`wrapped key has unsupported version ${wrapped[0]}`);
    }
    const salt = wrapped.subarray(1, 1 + SALT_SIZE);
    const ciphertext = wrapped.subarray(1 + SALT_SIZE, wrapped.length - TAG_SIZE);
    const decipher = createDecipheriv('aes-256-gcm', deriveWrapKey(wrappingKey, salt), ZERO_NONCE, {
        authTagLength: TAG_SIZE,
    });
    decipher.setAAD(Buffer.concat([VERSION_BYTE, aad]));
    decipher.setAuthTag(wrapped.subarray(wrapped.length - TAG_SIZE));
    const dataKey = decipher.update(ciphertext);
    try {
        decipher.final();
    } catch {
        dataKey.fill(0); // unauthenticated plaintext must not outlive the failure
        throw new IntegrityError('wrapped key failed authentication');
    }
    return dataKey;
}

/**
 * The associated data that binds a wrapped key to its purpose and object: each field as a 4-byte
 * big-endian length and its UTF-8 bytes. Length prefixes keep it unambiguous ("a" + "bc" and
 * "ab" + "c" differ) whatever characters a bucket or key holds.
 */
export function wrapAad(purpose: string, bucket: string, key: string): Buffer {
    const fields = [purpose, bucket, key].map((field) => Buffer.from(field, 'utf8'));
    const out = Buffer.alloc(fields.reduce((sum, field) => sum + 4 + field.length, 0));
    let offset = 0;
    for (const field of fields) {
        offset = out.writeUInt32BE(field.length, offset);
        offset += field.copy(out, offset);
    }
    return out;
}

function assertWrappingKey(wrappingKey: Buffer): void {
    if (!Buffer.isBuffer(wrappingKey) || wrappingKey.length !== KEY_SIZE) {
        throw new RangeError('wrappingKey must be a 32-byte Buffer');
    }
}

function deriveWrapKey(wrappingKey: Buffer, salt: Buffer): Buffer {
    return Buffer.from(hkdfSync('sha256', wrappingKey, salt, WRAP_LABEL, KEY_SIZE));
}
