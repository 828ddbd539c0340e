/**
 * Key lifecycle: CreateKey, DescribeKey, ListKeys, EnableKey, DisableKey, UpdateKeyDescription,
 * ScheduleKeyDeletion, CancelKeyDeletion, and the sweep that destroys keys whose deletion date
 * has passed. Key states and their errors follow
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html.
 */
import { KmsError } from '../errors.js';
import type { KmsCore } from '../core.js';
import { resolveCreatingManaged } from '../managed-keys.js';
import type {
    CreateKeyRequest,
    KeyIdRequest,
    KeyMetadata,
    ListPage,
    ListRequest,
} from '../types.js';
import {
    checkEnum,
    checkLength,
    checkRange,
    decodeMarker,
    mergeTags,
    pageLimit,
    toPage,
} from '../validate.js';

const KEY_SPECS = [
    'SYMMETRIC_DEFAULT',
    'RSA_2048',
    'RSA_3072',
    'RSA_4096',
    'ECC_NIST_P256',
    'ECC_NIST_P384',
    'ECC_NIST_P521',
    'ECC_SECG_P256K1',
    'ECC_NIST_EDWARDS25519',
    'HMAC_224',
    'HMAC_256',
    'HMAC_384',
    'HMAC_512',
    'SM2',
    'ML_DSA_44',
    'ML_DSA_65',
    'ML_DSA_87',
] as const;
const KEY_USAGES = [
    'ENCRYPT_DECRYPT',
    'SIGN_VERIFY',
    'GENERATE_VERIFY_MAC',
    'KEY_AGREEMENT',
] as const;
const ORIGINS = ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] as const;
const DAY_MS = 86_400_000;

export async function createKey(
    core: KmsCore,
    request: CreateKeyRequest,
    caller: string,
): Promise<{ KeyMetadata: KeyMetadata }> {
    return core.audited('CreateKey', caller, async (scope) => {
        checkCreateKey(request);
        const tags = mergeTags([], request.Tags ?? []);
        const description = request.Description ?? '';
        const key = await core.createKey({ description, keyManager: 'CUSTOMER', tags });
        if (key === 'exists') throw new KmsError('KMSInternalException');
        scope.keyArn = core.arn(key.keyId);
        return { KeyMetadata: core.metadata(key) };
    });
}

/**
 * Coffer's KMS has one kind of key: symmetric, ENCRYPT_DECRYPT, material it made itself. Other
 * valid choices are refused with UnsupportedOperationException; invalid values and impossible
 * combinations with ValidationException, as AWS answers them.
 */
function checkCreateKey(request: CreateKeyRequest): void {
    if (request.Description !== undefined) checkLength('description', request.Description, 0, 8192);
    const spec = request.KeySpec ?? request.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT';
    checkEnum('keySpec', spec, KEY_SPECS);
    if (
        request.KeySpec &&
        request.CustomerMasterKeySpec &&
        request.KeySpec !== request.CustomerMasterKeySpec
    ) {
        throw new KmsError('ValidationException', 'KeySpec and CustomerMasterKeySpec differ.');
    }
    const usage = request.KeyUsage ?? 'ENCRYPT_DECRYPT';
    checkEnum('keyUsage', usage, KEY_USAGES);
    const origin = request.Origin ?? 'AWS_KMS';
    checkEnum('origin', origin, ORIGINS);
    if (spec !== 'SYMMETRIC_DEFAULT') {
        throw unsupported(
            `KeySpec ${spec} is not supported; Coffer's KMS makes SYMMETRIC_DEFAULT keys only.`,
        );
    }
    if (usage !== 'ENCRYPT_DECRYPT') {
        throw new KmsError(
            'ValidationException',
            `KeyUsage ${usage} is not compatible with KeySpec ${spec}`,
        );
    }
    if (origin !== 'AWS_KMS') throw unsupported(`Origin ${origin} is not supported.`);
    if (request.MultiRegion) throw unsupported('Multi-Region keys are not supported.');
    if (request.CustomKeyStoreId !== undefined)
        throw unsupported('Custom key stores are not supported.');
    // A key policy Coffer would silently ignore would be a false promise of access control.
    if (request.Policy !== undefined) {
        throw unsupported('Key policies are not supported; use IAM identity policies.');
    }
}

function unsupported(message: string): KmsError {
    return new KmsError('UnsupportedOperationException', message);
}

/** Works in every key state (and creates `alias/aws/s3` when named before it exists). */
export async function describeKey(
    core: KmsCore,
    request: KeyIdRequest,
    caller: string,
): Promise<{ KeyMetadata: KeyMetadata }> {
    return core.audited('DescribeKey', caller, async (scope) => {
        const key = await resolveCreatingManaged(core, request.KeyId, scope, {
            forms: 'key-or-alias',
        });
        return { KeyMetadata: core.metadata(key) };
    });
}

export async function listKeys(
    core: KmsCore,
    request: ListRequest,
    caller: string,
): Promise<{ Keys: Array<{ KeyId: string; KeyArn: string }> } & ListPage> {
    return core.audited('ListKeys', caller, async () => {
        const limit = pageLimit(request.Limit, 100, 1000);
        const after = decodeMarker(request.Marker);
        await sweepExpiredKeys(core);
        const page = toPage(await core.store.listKeys(after, limit + 1), limit, (key) => key.keyId);
        const Keys = page.items.map((key) => ({ KeyId: key.keyId, KeyArn: core.arn(key.keyId) }));
        return {
            Keys,
            Truncated: page.truncated,
            ...(page.nextMarker && { NextMarker: page.nextMarker }),
        };
    });
}

export async function enableKey(core: KmsCore, request: KeyIdRequest, caller: string) {
    await setEnabled(core, request, caller, true);
}

export async function disableKey(core: KmsCore, request: KeyIdRequest, caller: string) {
    await setEnabled(core, request, caller, false);
}

async function setEnabled(core: KmsCore, request: KeyIdRequest, caller: string, enabled: boolean) {
    const operation = enabled ? 'EnableKey' : 'DisableKey';
    await core.audited(operation, caller, async (scope) => {
        const key = await core.resolve(request.KeyId, scope, { forms: 'key-only' });
        core.requireCustomerManaged(key, operation, caller);
        core.requireNotPendingDeletion(key);
        await core.store.updateKey(key.keyId, { state: enabled ? 'Enabled' : 'Disabled' });
    });
}

export async function updateKeyDescription(
    core: KmsCore,
    request: KeyIdRequest & { Description: string },
    caller: string,
): Promise<void> {
    await core.audited('UpdateKeyDescription', caller, async (scope) => {
        checkLength('description', request.Description, 0, 8192);
        const key = await core.resolve(request.KeyId, scope, { forms: 'key-only' });
        core.requireCustomerManaged(key, 'UpdateKeyDescription', caller);
        core.requireNotPendingDeletion(key);
        await core.store.updateKey(key.keyId, { description: request.Description });
    });
}

export interface ScheduleKeyDeletionResult {
    KeyId: string;
    DeletionDate: Date;
    KeyState: 'PendingDeletion';
    PendingWindowInDays: number;
}

/** 7 to 30 days, 30 by default (API_ScheduleKeyDeletion.html). */
export async function scheduleKeyDeletion(
    core: KmsCore,
    request: KeyIdRequest & { PendingWindowInDays?: number },
    caller: string,
): Promise<ScheduleKeyDeletionResult> {
    return core.audited('ScheduleKeyDeletion', caller, async (scope) => {
        const days = request.PendingWindowInDays ?? 30;
        checkRange('pendingWindowInDays', days, 7, 30);
        const key = await core.resolve(request.KeyId, scope, { forms: 'key-only' });
        core.requireCustomerManaged(key, 'ScheduleKeyDeletion', caller);
        core.requireNotPendingDeletion(key);
        const deletionDate = core.now() + days * DAY_MS;
        await core.store.updateKey(key.keyId, { state: 'PendingDeletion', deletionDate });
        return {
            KeyId: core.arn(key.keyId),
            DeletionDate: new Date(deletionDate),
            KeyState: 'PendingDeletion',
            PendingWindowInDays: days,
        };
    });
}

/** Leaves the key Disabled, as AWS does (deleting-keys-cancelling-key-deletion.html). */
export async function cancelKeyDeletion(
    core: KmsCore,
    request: KeyIdRequest,
    caller: string,
): Promise<{ KeyId: string }> {
    return core.audited('CancelKeyDeletion', caller, async (scope) => {
        const key = await core.resolve(request.KeyId, scope, { forms: 'key-only' });
        core.requireCustomerManaged(key, 'CancelKeyDeletion', caller);
        if (key.state !== 'PendingDeletion') {
            throw new KmsError(
                'KMSInvalidStateException',
                `${core.arn(key.keyId)} is not pending deletion.`,
            );
        }
        await core.store.updateKey(key.keyId, { state: 'Disabled', deletionDate: null });
        return { KeyId: core.arn(key.keyId) };
    });
}

/** Destroys every key whose deletion date has passed; returns their key ids. */
export async function sweepExpiredKeys(core: KmsCore): Promise<string[]> {
    const destroyed: string[] = [];
    for (const keyId of await core.store.keysDueForDeletion(core.now())) {
        if (await core.destroy(keyId)) destroyed.push(keyId);
    }
    return destroyed;
}
