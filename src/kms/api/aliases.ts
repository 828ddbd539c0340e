/** JSON members of the alias operations. */
import type { KmsOperation } from './operation.js';

export const ALIAS_OPERATIONS = {
    CreateAlias: (kms, f, caller) =>
        kms.createAlias(
            {
                AliasName: f.requiredString('AliasName'),
                TargetKeyId: f.requiredString('TargetKeyId'),
            },
            caller,
        ),
    UpdateAlias: (kms, f, caller) =>
        kms.updateAlias(
            {
                AliasName: f.requiredString('AliasName'),
                TargetKeyId: f.requiredString('TargetKeyId'),
            },
            caller,
        ),
    DeleteAlias: (kms, f, caller) =>
        kms.deleteAlias({ AliasName: f.requiredString('AliasName') }, caller),
    ListAliases: (kms, f, caller) =>
        kms.listAliases(
            { KeyId: f.string('KeyId'), Limit: f.integer('Limit'), Marker: f.string('Marker') },
            caller,
        ),
} satisfies Record<string, KmsOperation>;
