/**
 * Coffer's encrypted object format: how object data is sealed at rest. Full byte layout and the
 * reasoning: docs/encrypted-object-format.md.
 *
 * Recipe, format version 1:
 * 1. Each object has a random 256-bit data key and a random 16-byte object id, both chosen when
 *    the object (or multipart upload) is created. Metadata keeps the id, the plaintext size of
 *    every part, and the data key only wrapped (`wrapKey`, under the SSE mode's wrapping key).
 * 2. Each part is one blob (a single-part object is part 1). A blob starts with a 25-byte
 *    header: "CFEO", version 1, package size 65536, and 16 fresh random salt bytes.
 * 3. The blob's package key = HKDF-SHA256(data key, salt, label || object id || part number):
 *    unique per blob, and bound to object and part.
 * 4. The plaintext is cut into 64 KiB packages (the last may be shorter; an empty part has one
 *    empty package). Package i is AES-256-GCM under the package key with
 *    nonce = 000000 || part || i || final flag, and AAD = header || object id || part || i ||
 *    final flag. The blob is header || (ciphertext_i || tag_i) for each i.
 * 5. A reader knows the plaintext size from metadata, so it knows which package must be final
 *    and how long the blob must be; any reordering, truncation, extension, splice between
 *    objects or parts, or flipped bit fails a tag or a length check: an IntegrityError.
 */
export { PACKAGE_SIZE, sealedSize, type SealParams } from './format.js';
export { createSealer, type SealerOptions } from './sealer.js';
export { openRange, type OpenRangeParams, type SealedBlobFile } from './open-range.js';
export { wrapKey, unwrapKey, wrapAad } from './key-wrap.js';
export { IntegrityError } from './integrity-error.js';
