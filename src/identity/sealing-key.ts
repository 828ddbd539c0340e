/**
 * The key that seals stored secret access keys, derived from the server's root key so an
 * operator keeps one secret: HKDF-SHA256(ikm = root key, salt = empty, info = "coffer credential
 * sealing v1"), 32 bytes. The label is frozen: changing it makes every stored secret unreadable.
 * A distinct label keeps this key independent of every other key derived from the same root.
 */
import { hkdfSync } from 'node:crypto';

const LABEL = Buffer.from('coffer credential sealing v1', 'utf8');

export function deriveCredentialSealingKey(rootKey: Buffer): Buffer {
    if (rootKey.length !== 32) throw new RangeError('the root key must be 32 bytes');
    return Buffer.from(hkdfSync('sha256', rootKey, Buffer.alloc(0), LABEL, 32));
}
