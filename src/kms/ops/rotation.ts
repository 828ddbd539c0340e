/**
 * Rotation: EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand,
 * ListKeyRotations, and the periodic task that applies automatic rotations that have come due.
 * A rotation adds a key material version; older versions stay and keep decrypting
 * (https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html).
 */
import { KmsError } from '../errors.js';
import type { KmsCore } from '../core.js';
import { MANAGED_ROTATION_DAYS } from '../managed-keys.js';
import { keyMaterialId } from '../material.js';
import type {
    KeyIdRequest,
    ListPage,
    ListRequest,
    RotationEntry,
    RotationStatus,
} from '../types.js';
import { checkRange, decodeMarker, pageLimit, toPage } from '../validate.js';

const DAY_MS = 86_400_000;
/**
 * On-demand rotations allowed per key: 25 in the current developer guide
 * (rotating-keys-on-demand.html; older API pages still say 10). Not adjustable on AWS.
 */
export const MAX_ON_DEMAND_ROTATIONS = 25;

/** RotationPeriodInDays 90..2560, 365 by default (API_EnableKeyRotation.html). */
export async function enableKeyRotation(
    core: KmsCore,
    request: KeyIdRequest & { RotationPeriodInDays?: number },
    caller: string,
): Promise<void> {
    await core.audited('EnableKeyRotation', caller, async (scope) => {
        const days = request.RotationPeriodInDays ?? 365;
        checkRange('rotationPeriodInDays', days, 90, 2560);
        const key = await core.resolve(request.KeyId, scope, { forms: 'key-only' });
        core.requireCustomerManaged(key, 'EnableKeyRotation', caller);
        core.requireEnabled(key);
        await core.store.updateKey(key.keyId, {
            rotationPeriodDays: days,
            nextRotationAt: core.now() + days * DAY_MS,
        });
    });
}

export async function disableKeyRotation(
    core: KmsCore,
    request: KeyIdRequest,
    caller: string,
): Promise<void> {
    await core.audited('DisableKeyRotation', caller, async (scope) => {
        const key = await core.resolve(request.KeyId, scope, { forms: 'key-only' });
        core.requireCustomerManaged(key, 'DisableKeyRotation', caller);
        core.requireEnabled(key);
        await core.store.updateKey(key.keyId, { rotationPeriodDays: null, nextRotationAt: null });
    });
}

/** Works in every key state; AWS managed keys always report yearly rotation. */
export async function getKeyRotationStatus(
    core: KmsCore,
    request: KeyIdRequest,
    caller: string,
): Promise<RotationStatus> {
    return core.audited('GetKeyRotationStatus', caller, async (scope) => {
        const key = await core.resolve(request.KeyId, scope, { forms: 'key-only' });
        if (key.rotationPeriodDays === undefined) {
            return { KeyId: key.keyId, KeyRotationEnabled: false };
        }
        const status: RotationStatus = {
            KeyId: key.keyId,
            KeyRotationEnabled: true,
            RotationPeriodInDays:
                key.keyManager === 'AWS' ? MANAGED_ROTATION_DAYS : key.rotationPeriodDays,
        };
        if (key.nextRotationAt !== undefined)
            status.NextRotationDate = new Date(key.nextRotationAt);
        return status;
    });
}

/** Adds a version now, whether or not automatic rotation is on; needs an Enabled key. */
export async function rotateKeyOnDemand(
    core: KmsCore,
    request: KeyIdRequest,
    caller: string,
): Promise<{ KeyId: string }> {
    return core.audited('RotateKeyOnDemand', caller, async (scope) => {
        const key = await core.resolve(request.KeyId, scope, { forms: 'key-only' });
        core.requireCustomerManaged(key, 'RotateKeyOnDemand', caller);
        core.requireEnabled(key);
        if (key.onDemandRotations >= MAX_ON_DEMAND_ROTATIONS) {
            throw new KmsError(
                'LimitExceededException',
                `${core.arn(key.keyId)} has reached the limit of ` +
                    `${MAX_ON_DEMAND_ROTATIONS} on-demand rotations.`,
            );
        }
        await core.rotate(key, 'ON_DEMAND');
        return { KeyId: key.keyId };
    });
}

/** Completed rotations, oldest first; the material made with the key is not a rotation. */
export async function listKeyRotations(
    core: KmsCore,
    request: KeyIdRequest & ListRequest,
    caller: string,
): Promise<{ Rotations: RotationEntry[] } & ListPage> {
    return core.audited('ListKeyRotations', caller, async (scope) => {
        const limit = pageLimit(request.Limit, 100, 1000);
        const after = Number(decodeMarker(request.Marker) ?? '0');
        const key = await core.resolve(request.KeyId, scope, { forms: 'key-only' });
        const versions = (await core.store.listVersions(key.keyId)).filter(
            (version) => version.rotationType !== 'INITIAL' && version.version > after,
        );
        const page = toPage(versions.slice(0, limit + 1), limit, (version) =>
            String(version.version),
        );
        const Rotations = page.items.map((version) => ({
            KeyId: key.keyId,
            KeyMaterialId: keyMaterialId(key.keyId, version.version),
            RotationDate: new Date(version.createdAt),
            RotationType: version.rotationType as RotationEntry['RotationType'],
        }));
        return {
            Rotations,
            Truncated: page.truncated,
            ...(page.nextMarker && { NextMarker: page.nextMarker }),
        };
    });
}

/** Applies every automatic rotation that has come due; returns the rotated key ids. */
export async function rotateDueKeys(core: KmsCore): Promise<string[]> {
    const rotated: string[] = [];
    for (const keyId of await core.store.keysDueForRotation(core.now())) {
        await core.audited('RotateKey', 'coffer:kms', async (scope) => {
            scope.keyArn = core.arn(keyId);
            const key = await core.liveKey(keyId);
            if (key?.state !== 'Enabled' || (key.nextRotationAt ?? Infinity) > core.now()) return;
            await core.rotate(key, 'AUTOMATIC');
            rotated.push(keyId);
        });
    }
    return rotated;
}
