/**
 * ReEncrypt: decrypts under the key the blob names and encrypts the plaintext under another key
 * (or the same key's current version, after a rotation) without the plaintext leaving the KMS.
 * It needs ReEncryptFrom on the source and ReEncryptTo on the destination; both keys must be
 * Enabled. One audit event names both keys.
 */
import type { KmsCore } from '../core.js';
import type { ReEncryptRequest } from '../types.js';
import { checkContext, checkEncryptionAlgorithm } from '../validate.js';
import {
    decryptBlob,
    encryptUnder,
    resolveForCrypto,
    type CryptoCaller,
    type SealedResult,
} from './crypto.js';

export interface ReEncryptResult {
    CiphertextBlob: Buffer;
    SourceKeyId: string;
    KeyId: string;
    SourceKeyMaterialId: string;
    DestinationKeyMaterialId: string;
    SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT';
    DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT';
}

export async function reEncrypt(
    core: KmsCore,
    request: ReEncryptRequest,
    who: CryptoCaller,
): Promise<ReEncryptResult> {
    return core.audited('ReEncrypt', who.caller, async (scope) => {
        const sourceContext = checkContext(request.SourceEncryptionContext);
        const destinationContext = checkContext(request.DestinationEncryptionContext);
        scope.encryptionContext = sourceContext;
        const destinationScope = {};
        const destination = await resolveForCrypto(
            core,
            request.DestinationKeyId,
            destinationScope,
            who,
            'ReEncryptTo',
        );
        checkEncryptionAlgorithm(
            core.arn(destination.keyId),
            request.DestinationEncryptionAlgorithm,
        );
        scope.destinationKeyArn = core.arn(destination.keyId);
        const source = await decryptBlob(
            core,
            {
                CiphertextBlob: request.CiphertextBlob,
                KeyId: request.SourceKeyId,
                EncryptionAlgorithm: request.SourceEncryptionAlgorithm,
            },
            sourceContext,
            scope,
            who,
            'ReEncryptFrom',
        );
        let result: SealedResult;
        try {
            result = await encryptUnder(core, destination, source.Plaintext, destinationContext);
        } finally {
            source.Plaintext.fill(0);
        }
        return {
            CiphertextBlob: result.CiphertextBlob,
            SourceKeyId: source.KeyId,
            KeyId: result.KeyId,
            SourceKeyMaterialId: source.KeyMaterialId,
            DestinationKeyMaterialId: result.KeyMaterialId,
            SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
            DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        };
    });
}
