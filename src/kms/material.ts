/**
 * Key material and the root key.
 *
 * Recipe (all labels frozen: changing one makes existing sealed material unreadable):
 * 1. Each key version's material is 32 random bytes, made once and never exported.
 * 2. It is stored only sealed: `wrapKey(rootKey, material, aad)` from the encrypted object
 *    format (HKDF-derived per-seal key, AES-256-GCM), with aad = length-prefixed
 *    ("coffer/kms/key-material/v1", key id, version). A sealed version copied onto another key
 *    or version number does not open.
 * 3. A root-key check value (a random secret sealed the same way under its own label) lets a
 *    restart with the wrong root key fail at once with a clear message, instead of on the first
 *    Decrypt.
 * 4. KeyMaterialId (AWS shows it per version) is SHA-256 over a label, key id and version: it
 *    names a version without revealing anything about the material.
 */
import { createHash, randomBytes } from 'node:crypto';
import { IntegrityError, unwrapKey, wrapAad, wrapKey } from '../crypto/index.js';
import { KmsError } from './errors.js';

export const MATERIAL_SIZE = 32;
const MATERIAL_LABEL = 'coffer/kms/key-material/v1';
const ROOT_CHECK_LABEL = 'coffer/kms/root-key-check/v1';
const MATERIAL_ID_LABEL = 'coffer/kms/key-material-id/v1';
/** Name of the store's meta entry holding the sealed root-key check value. */
export const ROOT_CHECK_META = 'root-key-check';

/** Fresh material for a new key version. */
export function newMaterial(): Buffer {
    return randomBytes(MATERIAL_SIZE);
}

export function sealMaterial(rootKey: Buffer, keyId: string, version: number, material: Buffer) {
    return wrapKey(rootKey, material, materialAad(keyId, version));
}

/**
 * Opens sealed material. A failure means the root key is not the one that sealed it, or the row
 * was damaged: KMSInternalException (500), never a client error, and no detail that helps an
 * attacker beyond "it did not open".
 */
export function unsealMaterial(
    rootKey: Buffer,
    keyId: string,
    version: number,
    sealed: Buffer,
): Buffer {
    try {
        return unwrapKey(rootKey, sealed, materialAad(keyId, version));
    } catch (error) {
        if (!(error instanceof IntegrityError)) throw error;
        throw new KmsError(
            'KMSInternalException',
            'Key material could not be unsealed: the root key does not match the one it was ' +
                'sealed with, or the key store is damaged.',
            { cause: error },
        );
    }
}

/** A new root-key check value to store on first start. */
export function sealRootCheck(rootKey: Buffer): Buffer {
    return wrapKey(rootKey, randomBytes(MATERIAL_SIZE), rootCheckAad());
}

/** True when `rootKey` opens the stored check value. */
export function rootCheckOpens(rootKey: Buffer, sealedCheck: Buffer): boolean {
    try {
        unwrapKey(rootKey, sealedCheck, rootCheckAad()).fill(0);
        return true;
    } catch (error) {
        if (error instanceof IntegrityError) return false;
        throw error;
    }
}

export function keyMaterialId(keyId: string, version: number): string {
    return createHash('sha256')
        .update(wrapAad(MATERIAL_ID_LABEL, keyId, String(version)))
        .digest('hex');
}

function materialAad(keyId: string, version: number): Buffer {
    return wrapAad(MATERIAL_LABEL, keyId, String(version));
}

function rootCheckAad(): Buffer {
    return wrapAad(ROOT_CHECK_LABEL, '', '');
}
