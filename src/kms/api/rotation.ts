/** JSON members of the rotation operations. */
import type { KmsOperation } from './operation.js';

export const ROTATION_OPERATIONS = {
    EnableKeyRotation: (kms, f, caller) =>
        kms.enableKeyRotation(
            {
                KeyId: f.requiredString('KeyId'),
                RotationPeriodInDays: f.integer('RotationPeriodInDays'),
            },
            caller,
        ),
    DisableKeyRotation: (kms, f, caller) =>
        kms.disableKeyRotation({ KeyId: f.requiredString('KeyId') }, caller),
    GetKeyRotationStatus: (kms, f, caller) =>
        kms.getKeyRotationStatus({ KeyId: f.requiredString('KeyId') }, caller),
    RotateKeyOnDemand: (kms, f, caller) =>
        kms.rotateKeyOnDemand({ KeyId: f.requiredString('KeyId') }, caller),
    ListKeyRotations: (kms, f, caller) =>
        kms.listKeyRotations(
            {
                KeyId: f.requiredString('KeyId'),
                Limit: f.integer('Limit'),
                Marker: f.string('Marker'),
            },
            caller,
        ),
} satisfies Record<string, KmsOperation>;
