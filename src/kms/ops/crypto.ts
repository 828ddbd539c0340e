/**
 * The cryptographic operations: GenerateDataKey, GenerateDataKeyWithoutPlaintext, Encrypt,
 * Decrypt, ReEncrypt, GenerateRandom. They need an Enabled key (DisabledException /
 * KMSInvalidStateException otherwise), encrypt under the key's current material version, and
 * decrypt under the version the blob names (ciphertext.ts). The encryption context is bound to
 * the blob: Decrypt with any other context is InvalidCiphertextException.
 *
 * `internal` marks calls from inside Coffer (SSE-S3, SSE-KMS): those may use AWS managed and
 * internal keys, which the public API may not (their key policy allows only the service).
 */
import { randomBytes } from 'node:crypto';
import type { KmsKeyRecord } from '../../store/kms-types.js';
import { KmsError, constraintError } from '../errors.js';
import type { AuditScope, KmsCore } from '../core.js';
import { openCiphertext, readCiphertextHeader, sealCiphertext } from '../ciphertext.js';
import { resolveCreatingManaged } from '../managed-keys.js';
import { keyMaterialId } from '../material.js';
import type {
    CiphertextResult,
    DecryptRequest,
    EncryptionContext,
    EncryptRequest,
    GenerateDataKeyRequest,
} from '../types.js';
import {
    checkContext,
    checkEncryptionAlgorithm,
    checkEnum,
    checkLength,
    checkRange,
} from '../validate.js';

/** Who is calling, and whether from inside Coffer. */
export interface CryptoCaller {
    caller: string;
    internal: boolean;
}

/** What encrypting under a key yields, before an operation adds its own members. */
export type SealedResult = Omit<CiphertextResult, 'EncryptionAlgorithm'>;

export interface DataKeyResult extends SealedResult {
    Plaintext: Buffer;
}

/** The number of bytes a GenerateDataKey request asks for: KeySpec or NumberOfBytes, not both. */
export function dataKeyLength(
    request: Pick<GenerateDataKeyRequest, 'KeySpec' | 'NumberOfBytes'>,
): number {
    if (request.KeySpec !== undefined && request.NumberOfBytes !== undefined) {
        throw new KmsError(
            'ValidationException',
            'Please specify either number of bytes or key spec, not both.',
        );
    }
    if (request.KeySpec !== undefined) {
        checkEnum('keySpec', request.KeySpec, ['AES_256', 'AES_128'] as const);
        return request.KeySpec === 'AES_256' ? 32 : 16;
    }
    if (request.NumberOfBytes === undefined) {
        throw new KmsError(
            'ValidationException',
            'Please specify either number of bytes or key spec.',
        );
    }
    checkRange('numberOfBytes', request.NumberOfBytes, 1, 1024);
    return request.NumberOfBytes;
}

/** The key a crypto operation names, checked for state and (for public calls) key policy. */
export async function resolveForCrypto(
    core: KmsCore,
    keyRef: string,
    scope: AuditScope,
    who: CryptoCaller,
    action: string,
): Promise<KmsKeyRecord> {
    const key = await resolveCreatingManaged(core, keyRef, scope, {
        forms: 'key-or-alias',
        internal: who.internal,
    });
    core.requireEnabled(key);
    if (!who.internal) core.requireCustomerManaged(key, action, who.caller);
    return key;
}

/** Encrypts `plaintext` under the key's current version. */
export async function encryptUnder(
    core: KmsCore,
    key: KmsKeyRecord,
    plaintext: Buffer,
    context: EncryptionContext,
): Promise<SealedResult> {
    const version = await core.currentVersion(key);
    const material = await core.material(key.keyId, version);
    try {
        return {
            CiphertextBlob: sealCiphertext(
                { keyId: key.keyId, version },
                material,
                plaintext,
                context,
            ),
            KeyId: core.arn(key.keyId),
            KeyMaterialId: keyMaterialId(key.keyId, version),
        };
    } finally {
        material.fill(0);
    }
}

export async function generateDataKey(
    core: KmsCore,
    request: GenerateDataKeyRequest,
    who: CryptoCaller,
    operation: 'GenerateDataKey' | 'GenerateDataKeyWithoutPlaintext',
): Promise<DataKeyResult> {
    return core.audited(operation, who.caller, async (scope) => {
        const length = dataKeyLength(request);
        const context = checkContext(request.EncryptionContext);
        scope.encryptionContext = context;
        const key = await resolveForCrypto(core, request.KeyId, scope, who, operation);
        const plaintext = randomBytes(length);
        return { ...(await encryptUnder(core, key, plaintext, context)), Plaintext: plaintext };
    });
}

export async function encrypt(
    core: KmsCore,
    request: EncryptRequest,
    who: CryptoCaller,
): Promise<CiphertextResult> {
    return core.audited('Encrypt', who.caller, async (scope) => {
        checkLength('plaintext', request.Plaintext, 1, 4096);
        const context = checkContext(request.EncryptionContext);
        scope.encryptionContext = context;
        const key = await resolveForCrypto(core, request.KeyId, scope, who, 'Encrypt');
        checkEncryptionAlgorithm(core.arn(key.keyId), request.EncryptionAlgorithm);
        const sealed = await encryptUnder(core, key, request.Plaintext, context);
        return { ...sealed, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    });
}

export interface DecryptResult {
    Plaintext: Buffer;
    KeyId: string;
    KeyMaterialId: string;
    EncryptionAlgorithm: 'SYMMETRIC_DEFAULT';
}

export async function decrypt(
    core: KmsCore,
    request: DecryptRequest,
    who: CryptoCaller,
): Promise<DecryptResult> {
    return core.audited('Decrypt', who.caller, async (scope) => {
        const context = checkContext(request.EncryptionContext);
        scope.encryptionContext = context;
        return decryptBlob(core, request, context, scope, who, 'Decrypt');
    });
}

/**
 * Opens a blob: the key is the one its header names; a KeyId in the request must name that same
 * key (IncorrectKeyException otherwise, as AWS answers).
 */
export async function decryptBlob(
    core: KmsCore,
    request: Pick<DecryptRequest, 'CiphertextBlob' | 'KeyId' | 'EncryptionAlgorithm'>,
    context: EncryptionContext,
    scope: AuditScope,
    who: CryptoCaller,
    action: string,
): Promise<DecryptResult> {
    checkLength('ciphertextBlob', request.CiphertextBlob, 1, 6144);
    const header = readCiphertextHeader(request.CiphertextBlob);
    if (request.KeyId !== undefined) {
        const named = await resolveCreatingManaged(
            core,
            request.KeyId,
            {},
            {
                forms: 'key-or-alias',
                internal: who.internal,
            },
        );
        if (named.keyId !== header.keyId) throw new KmsError('IncorrectKeyException');
    }
    const key = await resolveForCrypto(core, header.keyId, scope, who, action);
    checkEncryptionAlgorithm(core.arn(key.keyId), request.EncryptionAlgorithm);
    const material = await core.material(key.keyId, header.version);
    try {
        return {
            Plaintext: openCiphertext(request.CiphertextBlob, material, context),
            KeyId: core.arn(key.keyId),
            KeyMaterialId: keyMaterialId(key.keyId, header.version),
            EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        };
    } finally {
        material.fill(0);
    }
}

/** GenerateRandom: 1..1024 random bytes, no key involved. */
export async function generateRandom(
    core: KmsCore,
    request: { NumberOfBytes?: number },
    caller: string,
): Promise<{ Plaintext: Buffer }> {
    return core.audited('GenerateRandom', caller, async () => {
        if (request.NumberOfBytes === undefined) {
            throw constraintError('numberOfBytes', undefined, 'not be null');
        }
        checkRange('numberOfBytes', request.NumberOfBytes, 1, 1024);
        return { Plaintext: randomBytes(request.NumberOfBytes) };
    });
}
