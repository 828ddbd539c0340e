/** JSON members of the key lifecycle operations (API reference pages of the same names). */
import type { KmsOperation } from './operation.js';

export const KEY_OPERATIONS = {
    CreateKey: (kms, f, caller) =>
        kms.createKey(
            {
                Description: f.string('Description'),
                KeyUsage: f.string('KeyUsage'),
                KeySpec: f.string('KeySpec'),
                CustomerMasterKeySpec: f.string('CustomerMasterKeySpec'),
                Origin: f.string('Origin'),
                Policy: f.string('Policy'),
                Tags: f.tags('Tags'),
                MultiRegion: f.boolean('MultiRegion'),
                CustomKeyStoreId: f.string('CustomKeyStoreId'),
                BypassPolicyLockoutSafetyCheck: f.boolean('BypassPolicyLockoutSafetyCheck'),
            },
            caller,
        ),
    DescribeKey: (kms, f, caller) => kms.describeKey({ KeyId: f.requiredString('KeyId') }, caller),
    ListKeys: (kms, f, caller) =>
        kms.listKeys({ Limit: f.integer('Limit'), Marker: f.string('Marker') }, caller),
    EnableKey: (kms, f, caller) => kms.enableKey({ KeyId: f.requiredString('KeyId') }, caller),
    DisableKey: (kms, f, caller) => kms.disableKey({ KeyId: f.requiredString('KeyId') }, caller),
    UpdateKeyDescription: (kms, f, caller) =>
        kms.updateKeyDescription(
            { KeyId: f.requiredString('KeyId'), Description: f.requiredString('Description') },
            caller,
        ),
    ScheduleKeyDeletion: (kms, f, caller) =>
        kms.scheduleKeyDeletion(
            {
                KeyId: f.requiredString('KeyId'),
                PendingWindowInDays: f.integer('PendingWindowInDays'),
            },
            caller,
        ),
    CancelKeyDeletion: (kms, f, caller) =>
        kms.cancelKeyDeletion({ KeyId: f.requiredString('KeyId') }, caller),
} satisfies Record<string, KmsOperation>;
