/**
 * What one KMS API request must be allowed to do: its `kms:` actions and the resources each
 * acts on, as the Service Authorization Reference lists them for AWS KMS (https://docs.aws.
 * amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html).
 *
 * - Most operations are `kms:<Operation>` on the key their KeyId names (an alias resolves to
 *   its key). Decrypt acts on the key its ciphertext blob names; ReEncrypt is kms:ReEncryptFrom
 *   on the source key and kms:ReEncryptTo on the destination key.
 * - The alias operations act on the alias and on every key involved: CreateAlias on the target,
 *   UpdateAlias on the old and the new target, DeleteAlias on the current one.
 * - CreateKey (and kms:TagResource when it carries tags), ListKeys, ListAliases and
 *   GenerateRandom name no key: their resource is `*`.
 *
 * A reference that names no key (malformed, unknown alias, another account's ARN) adds no
 * check: the operation itself then fails on that same reference, before doing anything.
 */
import type { Kms } from '../kms.js';
import type { EncryptionContext } from '../types.js';
import type { Fields } from './fields.js';
import type { KmsOperationName } from './handler.js';

/** One action on one resource that the caller must be allowed. */
export interface KmsAccessCheck {
    action: string;
    resource: string;
    /** The request's encryption context, for the kms:EncryptionContext condition keys. */
    encryptionContext?: EncryptionContext;
}

const UNSCOPED = new Set<KmsOperationName>(['ListKeys', 'ListAliases', 'GenerateRandom']);
const ALIAS_OPERATIONS = new Set<KmsOperationName>(['CreateAlias', 'UpdateAlias', 'DeleteAlias']);
const CONTEXT_FIELD: Partial<Record<KmsOperationName, string>> = {
    Encrypt: 'EncryptionContext',
    Decrypt: 'EncryptionContext',
    GenerateDataKey: 'EncryptionContext',
    GenerateDataKeyWithoutPlaintext: 'EncryptionContext',
};

/** The checks `operation` with these fields needs; malformed fields add none (module comment). */
export async function accessChecks(
    kms: Kms,
    operation: KmsOperationName,
    fields: Fields,
): Promise<KmsAccessCheck[]> {
    const action = `kms:${operation}`;
    if (UNSCOPED.has(operation)) return [{ action, resource: '*' }];
    if (operation === 'CreateKey') {
        const tagged = (optional(() => fields.tags('Tags')) ?? []).length > 0;
        const checks = [{ action, resource: '*' }];
        return tagged ? [...checks, { action: 'kms:TagResource', resource: '*' }] : checks;
    }
    if (ALIAS_OPERATIONS.has(operation)) return aliasChecks(kms, action, fields);
    if (operation === 'ReEncrypt') return reEncryptChecks(kms, fields);
    const encryptionContext = contextOf(fields, CONTEXT_FIELD[operation]);
    const resource =
        operation === 'Decrypt'
            ? blobKeyArn(kms, fields, 'CiphertextBlob')
            : await keyArn(kms, optional(() => fields.string('KeyId')));
    return resource === undefined ? [] : [{ action, resource, encryptionContext }];
}

async function aliasChecks(kms: Kms, action: string, fields: Fields): Promise<KmsAccessCheck[]> {
    const aliasName = optional(() => fields.string('AliasName'));
    if (aliasName === undefined) return [];
    const resources = [kms.aliasArnOf(aliasName)];
    if (action !== 'kms:CreateAlias') resources.push(...present(await kms.keyArnOf(aliasName)));
    if (action !== 'kms:DeleteAlias') {
        resources.push(...present(await keyArn(kms, optional(() => fields.string('TargetKeyId')))));
    }
    return resources.map((resource) => ({ action, resource }));
}

async function reEncryptChecks(kms: Kms, fields: Fields): Promise<KmsAccessCheck[]> {
    const checks: KmsAccessCheck[] = [];
    const source = blobKeyArn(kms, fields, 'CiphertextBlob');
    if (source !== undefined) {
        const encryptionContext = contextOf(fields, 'SourceEncryptionContext');
        checks.push({ action: 'kms:ReEncryptFrom', resource: source, encryptionContext });
    }
    const destination = await keyArn(kms, optional(() => fields.string('DestinationKeyId')));
    if (destination !== undefined) {
        const encryptionContext = contextOf(fields, 'DestinationEncryptionContext');
        checks.push({ action: 'kms:ReEncryptTo', resource: destination, encryptionContext });
    }
    return checks;
}

async function keyArn(kms: Kms, keyRef: string | undefined): Promise<string | undefined> {
    return keyRef === undefined ? undefined : kms.keyArnOf(keyRef);
}

function blobKeyArn(kms: Kms, fields: Fields, name: string): string | undefined {
    const blob = optional(() => fields.blob(name));
    return blob === undefined ? undefined : kms.ciphertextKeyArn(blob);
}

function contextOf(fields: Fields, name: string | undefined): EncryptionContext | undefined {
    return name === undefined ? undefined : optional(() => fields.stringMap(name));
}

/** A field the operation will refuse anyway (wrong type) names nothing to check. */
function optional<T>(read: () => T): T | undefined {
    try {
        return read();
    } catch {
        return undefined;
    }
}

function present(value: string | undefined): string[] {
    return value === undefined ? [] : [value];
}
