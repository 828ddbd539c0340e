/**
 * The IAM error catalogue: every IAM error code Coffer answers with, its HTTP status and a default
 * message. Codes are permanent (SDKs turn them into exception classes, e.g. `NoSuchEntity` into
 * `NoSuchEntityException`); messages may change. Statuses are those of the IAM API reference
 * ("Errors" of each action and "Common Errors"):
 * https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html
 *
 * Identity administration throws `IamError`; `src/iam/` turns one into an `<ErrorResponse>`, and
 * `coffer admin` prints its message.
 */

export const IAM_ERRORS = {
    AccessDenied: [403, 'Access denied.'],
    DeleteConflict: [409, 'The entity still has subordinate entities.'],
    EntityAlreadyExists: [409, 'The entity already exists.'],
    InvalidAction: [400, 'The action or operation requested is invalid.'],
    InvalidInput: [400, 'An input parameter has an invalid or out-of-range value.'],
    LimitExceeded: [409, 'The request would exceed an account limit.'],
    MalformedPolicyDocument: [400, 'The policy document is malformed.'],
    MissingAction: [400, 'The request is missing an action.'],
    NoSuchEntity: [404, 'The entity does not exist.'],
    ServiceFailure: [500, 'The request processing has failed because of an unknown error.'],
    ValidationError: [400, 'The input fails to satisfy the constraints.'],
} as const satisfies Record<string, readonly [number, string]>;

export type IamErrorCode = keyof typeof IAM_ERRORS;

/** An IAM error: the code a client matches on, its HTTP status, and a message without secrets. */
export class IamError extends Error {
    readonly code: IamErrorCode;
    readonly status: number;

    constructor(code: IamErrorCode, message?: string, options?: { cause?: unknown }) {
        super(message ?? IAM_ERRORS[code][1], options);
        this.name = 'IamError';
        this.code = code;
        this.status = IAM_ERRORS[code][0];
    }

    /** `Sender` for client errors, `Receiver` for the server's own failures, as IAM sends. */
    get type(): 'Sender' | 'Receiver' {
        return this.status >= 500 ? 'Receiver' : 'Sender';
    }
}

/** True for an IamError carrying `code` (any code when omitted). */
export function isIamError(error: unknown, code?: IamErrorCode): error is IamError {
    return error instanceof IamError && (code === undefined || error.code === code);
}

/**
 * AWS's wording for an input constraint failure, e.g. `1 validation error detected: Value 'a b'
 * at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern:
 * [\w+=,.@-]+`. A missing value reads `Value null at 'userName' ... Member must not be null`.
 */
export function validationError(field: string, value: string | undefined, constraint: string) {
    const shown = value === undefined ? 'null' : `'${value}'`;
    return new IamError(
        'ValidationError',
        `1 validation error detected: Value ${shown} at '${field}' failed to satisfy ` +
            `constraint: Member must ${constraint}`,
    );
}
