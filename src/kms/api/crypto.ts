/**
 * JSON members of the cryptographic operations. Plaintext and CiphertextBlob travel as base64;
 * GrantTokens are accepted and ignored (Coffer has no grants, and a token only ever adds
 * permissions). DryRun is refused rather than ignored, so a dry run never really happens.
 */
import { KmsError } from '../errors.js';
import type { Fields } from './fields.js';
import type { KmsOperation } from './operation.js';

function refuseDryRun(f: Fields): void {
    if (f.boolean('DryRun')) {
        throw new KmsError('UnsupportedOperationException', 'DryRun is not supported.');
    }
    f.stringList('GrantTokens');
}

function dataKeyRequest(f: Fields) {
    refuseDryRun(f);
    return {
        KeyId: f.requiredString('KeyId'),
        KeySpec: f.string('KeySpec'),
        NumberOfBytes: f.integer('NumberOfBytes'),
        EncryptionContext: f.stringMap('EncryptionContext'),
    };
}

export const CRYPTO_OPERATIONS = {
    GenerateDataKey: (kms, f, caller) => kms.generateDataKey(dataKeyRequest(f), caller),
    GenerateDataKeyWithoutPlaintext: (kms, f, caller) =>
        kms.generateDataKeyWithoutPlaintext(dataKeyRequest(f), caller),
    Encrypt: (kms, f, caller) => {
        refuseDryRun(f);
        const request = {
            KeyId: f.requiredString('KeyId'),
            Plaintext: f.requiredBlob('Plaintext'),
            EncryptionContext: f.stringMap('EncryptionContext'),
            EncryptionAlgorithm: f.string('EncryptionAlgorithm'),
        };
        return kms.encrypt(request, caller);
    },
    Decrypt: (kms, f, caller) => {
        refuseDryRun(f);
        const request = {
            CiphertextBlob: f.requiredBlob('CiphertextBlob'),
            KeyId: f.string('KeyId'),
            EncryptionContext: f.stringMap('EncryptionContext'),
            EncryptionAlgorithm: f.string('EncryptionAlgorithm'),
        };
        return kms.decrypt(request, caller);
    },
    ReEncrypt: (kms, f, caller) => {
        refuseDryRun(f);
        const request = {
            CiphertextBlob: f.requiredBlob('CiphertextBlob'),
            DestinationKeyId: f.requiredString('DestinationKeyId'),
            SourceKeyId: f.string('SourceKeyId'),
            SourceEncryptionContext: f.stringMap('SourceEncryptionContext'),
            DestinationEncryptionContext: f.stringMap('DestinationEncryptionContext'),
            SourceEncryptionAlgorithm: f.string('SourceEncryptionAlgorithm'),
            DestinationEncryptionAlgorithm: f.string('DestinationEncryptionAlgorithm'),
        };
        return kms.reEncrypt(request, caller);
    },
    GenerateRandom: (kms, f, caller) => {
        if (f.string('CustomKeyStoreId') !== undefined) {
            throw new KmsError(
                'UnsupportedOperationException',
                'Custom key stores are not supported.',
            );
        }
        return kms.generateRandom({ NumberOfBytes: f.integer('NumberOfBytes') }, caller);
    },
} satisfies Record<string, KmsOperation>;
