/**
 * The KMS error catalogue: every AWS KMS exception Coffer's KMS can answer with, its HTTP status
 * and a default message. Codes are permanent (SDKs turn `__type` into exception classes and
 * clients match on them); messages may change. AWS KMS answers 400 for every client-side
 * exception and 500 for KMSInternalException.
 *
 * Operations throw `KmsError`; `api/handler.ts` turns one into `{"__type", "message"}`, and the S3
 * layer turns one into `KMS.<code>` (AWS-SEMANTICS.md section 11).
 */

export const KMS_ERRORS = {
    AccessDeniedException: [400, 'Access denied.'],
    AlreadyExistsException: [400, 'The resource already exists.'],
    DisabledException: [400, 'The KMS key is disabled.'],
    IncorrectKeyException: [
        400,
        'The key ID in the request does not identify a CMK that can perform this operation.',
    ],
    InvalidAliasNameException: [400, 'The alias name is not valid.'],
    InvalidArnException: [400, 'The ARN is not valid.'],
    InvalidCiphertextException: [400, ''],
    InvalidKeyUsageException: [400, 'The key usage is not valid for this operation.'],
    InvalidMarkerException: [400, 'The marker is not valid.'],
    KMSInternalException: [500, 'An internal error occurred.'],
    KMSInvalidStateException: [400, 'The key state is not valid for this request.'],
    LimitExceededException: [400, 'A quota was exceeded.'],
    NotAuthorizedException: [400, 'You are not authorized to perform this operation.'],
    NotFoundException: [400, 'The specified entity or resource could not be found.'],
    SerializationException: [400, 'The request could not be parsed.'],
    TagException: [400, 'One or more tags are not valid.'],
    UnknownOperationException: [400, 'The operation is not known.'],
    UnsupportedOperationException: [400, 'The operation is not supported.'],
    ValidationException: [400, 'The input fails to satisfy the constraints.'],
} as const satisfies Record<string, readonly [number, string]>;

export type KmsErrorCode = keyof typeof KMS_ERRORS;

/** An AWS KMS exception: the code a client matches on, the HTTP status, a safe message. */
export class KmsError extends Error {
    readonly code: KmsErrorCode;
    readonly status: number;

    /** `message` defaults to the catalogue's; it never carries key material or plaintext. */
    constructor(code: KmsErrorCode, message?: string, options?: { cause?: unknown }) {
        super(message ?? KMS_ERRORS[code][1], options);
        this.name = 'KmsError';
        this.code = code;
        this.status = KMS_ERRORS[code][0];
    }
}

/** True for a KmsError carrying `code`; lets tests and callers branch without string matching. */
export function isKmsError(error: unknown, code?: KmsErrorCode): error is KmsError {
    return error instanceof KmsError && (code === undefined || error.code === code);
}

/**
 * AWS's wording for a constraint failure found while validating input, e.g.
 * `1 validation error detected: Value '5' at 'pendingWindowInDays' failed to satisfy
 * constraint: Member must have value greater than or equal to 7`.
 */
export function constraintError(member: string, value: unknown, constraint: string): KmsError {
    const text = value === undefined || value === null ? 'Value null' : `Value '${String(value)}'`;
    return new KmsError(
        'ValidationException',
        `1 validation error detected: ${text} at '${member}' failed to satisfy constraint: ` +
            `Member must ${constraint}`,
    );
}
