/**
 * How S3 answers when the KMS refuses: the KMS exception name prefixed with `KMS.`, status 400,
 * KMS's message (AWS-SEMANTICS.md sections 3.1 and 11). Exceptions a correct request cannot
 * cause (a ciphertext that does not open, a KMS failure) are a 500: the stored key material
 * or metadata is damaged, which is the server's problem, not the client's.
 */
import { KmsError } from '../kms/errors.js';
import { S3Error } from '../s3/errors.js';

/** The S3 error for a KmsError; anything else is returned unchanged. */
export function s3ErrorOfKms(err: unknown): unknown {
    if (!(err instanceof KmsError)) return err;
    const options = { cause: err };
    switch (err.code) {
        case 'NotFoundException':
        // A malformed or foreign ARN names no key this KMS can see; AWS says NotFound.
        case 'InvalidArnException':
            return new S3Error('KMS.NotFoundException', err.message, options);
        case 'DisabledException':
            return new S3Error('KMS.DisabledException', err.message, options);
        case 'KMSInvalidStateException':
            return new S3Error('KMS.KMSInvalidStateException', err.message, options);
        case 'ValidationException':
            return new S3Error('InvalidArgument', err.message, {
                ...options,
                fields: { ArgumentName: 'x-amz-server-side-encryption-aws-kms-key-id' },
            });
        case 'AccessDeniedException':
            return new S3Error('AccessDenied', undefined, options);
        default:
            return new S3Error('InternalError', undefined, options);
    }
}

/** Runs `call`, answering a KMS refusal as S3 does. */
export async function withKmsErrors<T>(call: () => Promise<T>): Promise<T> {
    try {
        return await call();
    } catch (err) {
        throw s3ErrorOfKms(err);
    }
}
