/**
 * The AWS KMS JSON 1.1 protocol: `POST /` with `X-Amz-Target: TrentService.<Operation>` and a
 * JSON body; the answer is `application/x-amz-json-1.1`, and errors are
 * `{"__type": "<Exception>", "message": "..."}` with the exception's status (400, or 500 for
 * KMSInternalException). The server authenticates (SigV4, service `kms`) before calling this
 * and passes the caller's ARN and its authorizer; this module says which actions on which keys
 * each request needs (`access.ts`) and asks it before running the operation.
 *
 * Dispatch is a table the compiler checks. AWS KMS operations Coffer does not implement answer
 * UnsupportedOperationException; targets that are no KMS operation, UnknownOperationException.
 */
import { KmsError } from '../errors.js';
import type { Kms } from '../kms.js';
import { accessChecks, type KmsAccessCheck } from './access.js';
import { ALIAS_OPERATIONS } from './aliases.js';
import { CRYPTO_OPERATIONS } from './crypto.js';
import { Fields, toWire } from './fields.js';
import { KEY_OPERATIONS } from './keys.js';
import type { KmsOperation } from './operation.js';
import { ROTATION_OPERATIONS } from './rotation.js';
import { TAG_OPERATIONS } from './tags.js';

export interface KmsApiRequest {
    /** The X-Amz-Target header, e.g. `TrentService.CreateKey`. */
    target: string;
    body: string;
    /** The authenticated caller, for the audit log and AccessDenied messages. */
    callerArn: string;
    /** The caller's account: another account than the KMS's is told nothing of its keys. */
    callerAccount: string;
    /**
     * Throws (a KmsError, AccessDeniedException) unless the caller may do all of `checks`;
     * called once the operation is known and before it runs.
     */
    authorize(checks: KmsAccessCheck[]): Promise<void>;
}

export interface KmsApiResponse {
    status: number;
    headers: Record<string, string>;
    body: string;
}

export const KMS_TARGET_PREFIX = 'TrentService.';
export const KMS_CONTENT_TYPE = 'application/x-amz-json-1.1';

/** Every operation Coffer's KMS implements, by AWS name. */
export const KMS_OPERATIONS = {
    ...KEY_OPERATIONS,
    ...ALIAS_OPERATIONS,
    ...ROTATION_OPERATIONS,
    ...TAG_OPERATIONS,
    ...CRYPTO_OPERATIONS,
} satisfies Record<string, KmsOperation>;

export type KmsOperationName = keyof typeof KMS_OPERATIONS;

/** AWS KMS operations that exist but that Coffer's KMS does not implement. */
export const UNSUPPORTED_KMS_OPERATIONS = [
    'ConnectCustomKeyStore',
    'CreateCustomKeyStore',
    'CreateGrant',
    'DeleteCustomKeyStore',
    'DeleteImportedKeyMaterial',
    'DeriveSharedSecret',
    'DescribeCustomKeyStores',
    'DisconnectCustomKeyStore',
    'GenerateDataKeyPair',
    'GenerateDataKeyPairWithoutPlaintext',
    'GenerateMac',
    'GetKeyPolicy',
    'GetParametersForImport',
    'GetPublicKey',
    'ImportKeyMaterial',
    'ListGrants',
    'ListKeyPolicies',
    'ListRetirableGrants',
    'PutKeyPolicy',
    'ReplicateKey',
    'RetireGrant',
    'RevokeGrant',
    'Sign',
    'UpdateCustomKeyStore',
    'UpdatePrimaryRegion',
    'Verify',
    'VerifyMac',
] as const;

export interface KmsApiOptions {
    /**
     * Receives the cause of every KMSInternalException (a store failure, a root key that does
     * not open material), for the server's error log; the client sees only the code.
     */
    onInternalError?: (error: KmsError) => void;
}

/** Builds the protocol handler over one Kms. */
export function createKmsApi(
    kms: Kms,
    options: KmsApiOptions = {},
): (request: KmsApiRequest) => Promise<KmsApiResponse> {
    return async (request) => {
        try {
            const name = findOperation(request.target);
            const fields = Fields.parse(request.body);
            const sameAccount = request.callerAccount === kms.accountId;
            await request.authorize(await accessChecks(kms, name, fields, sameAccount));
            const result = await KMS_OPERATIONS[name](kms, fields, request.callerArn);
            return respond(200, JSON.stringify(toWire(result ?? {})));
        } catch (error) {
            const kmsError =
                error instanceof KmsError
                    ? error
                    : new KmsError('KMSInternalException', undefined, { cause: error });
            if (kmsError.code === 'KMSInternalException') options.onInternalError?.(kmsError);
            return respond(
                kmsError.status,
                JSON.stringify({ __type: kmsError.code, message: kmsError.message }),
            );
        }
    };
}

function findOperation(target: string): KmsOperationName {
    const name = target.startsWith(KMS_TARGET_PREFIX) ? target.slice(KMS_TARGET_PREFIX.length) : '';
    if (Object.hasOwn(KMS_OPERATIONS, name)) return name as KmsOperationName;
    if ((UNSUPPORTED_KMS_OPERATIONS as readonly string[]).includes(name)) {
        throw new KmsError(
            'UnsupportedOperationException',
            `${name} is not supported by Coffer's KMS.`,
        );
    }
    throw new KmsError('UnknownOperationException', `Unknown operation ${target}`);
}

function respond(status: number, body: string): KmsApiResponse {
    return { status, headers: { 'Content-Type': KMS_CONTENT_TYPE }, body };
}
