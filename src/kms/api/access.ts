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
 * - An alias that names no key (an unknown one, or `alias/aws/s3` before its first use, which
 *   the operation would create) is checked on its own ARN, so no reference goes unchecked.
 * - A caller of another account (always refused, kms-permissions.ts) is checked on what it
 *   named, never on what an alias points to, so a refusal does not tell it an alias's key or
 *   whether the alias exists; a request of its naming nothing checkable is checked on `*`.
 *
 * A malformed reference (or another account's ARN) adds no check: the operation then fails on
 * that same reference, before it looks anything up.
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

/**
 * The checks `operation` with these fields needs, asked by a caller of the KMS's own account
 * (`sameAccount`) or of another one; malformed fields add none (module comment).
 */
export async function accessChecks(
    kms: Kms,
    operation: KmsOperationName,
    fields: Fields,
    sameAccount: boolean,
): Promise<KmsAccessCheck[]> {
    const action = `kms:${operation}`;
    const checks = await checksOf(kms, operation, fields, sameAccount);
    if (!sameAccount && checks.length === 0) return [{ action, resource: '*' }];
    return checks;
}

async function checksOf(
    kms: Kms,
    operation: KmsOperationName,
    fields: Fields,
    sameAccount: boolean,
): Promise<KmsAccessCheck[]> {
    const action = `kms:${operation}`;
    if (UNSCOPED.has(operation)) return [{ action, resource: '*' }];
    if (operation === 'CreateKey') {
        const tagged = (optional(() => fields.tags('Tags')) ?? []).length > 0;
        const checks = [{ action, resource: '*' }];
        return tagged ? [...checks, { action: 'kms:TagResource', resource: '*' }] : checks;
    }
    if (ALIAS_OPERATIONS.has(operation)) return aliasChecks(kms, action, fields, sameAccount);
    if (operation === 'ReEncrypt') return reEncryptChecks(kms, fields, sameAccount);
    const encryptionContext = contextOf(fields, CONTEXT_FIELD[operation]);
    const resource =
        operation === 'Decrypt'
            ? blobKeyArn(kms, fields, 'CiphertextBlob')
            : await resourceOf(kms, optional(() => fields.string('KeyId')), sameAccount);
    return resource === undefined ? [] : [{ action, resource, encryptionContext }];
}

async function aliasChecks(
    kms: Kms,
    action: string,
    fields: Fields,
    sameAccount: boolean,
): Promise<KmsAccessCheck[]> {
    const aliasName = optional(() => fields.string('AliasName'));
    if (aliasName === undefined) return [];
    const resources = [kms.aliasArnOf(aliasName)];
    if (action !== 'kms:CreateAlias' && sameAccount) {
        resources.push(...present(await kms.keyArnOf(aliasName)));
    }
    if (action !== 'kms:DeleteAlias') {
        const target = optional(() => fields.string('TargetKeyId'));
        resources.push(...present(await resourceOf(kms, target, sameAccount)));
    }
    return resources.map((resource) => ({ action, resource }));
}

async function reEncryptChecks(
    kms: Kms,
    fields: Fields,
    sameAccount: boolean,
): Promise<KmsAccessCheck[]> {
    const checks: KmsAccessCheck[] = [];
    const source = blobKeyArn(kms, fields, 'CiphertextBlob');
    if (source !== undefined) {
        const encryptionContext = contextOf(fields, 'SourceEncryptionContext');
        checks.push({ action: 'kms:ReEncryptFrom', resource: source, encryptionContext });
    }
    const destinationRef = optional(() => fields.string('DestinationKeyId'));
    const destination = await resourceOf(kms, destinationRef, sameAccount);
    if (destination !== undefined) {
        const encryptionContext = contextOf(fields, 'DestinationEncryptionContext');
        checks.push({ action: 'kms:ReEncryptTo', resource: destination, encryptionContext });
    }
    return checks;
}

/**
 * What a KeyId is checked on: the key it names, for a caller of the key's account; otherwise,
 * or when an alias names no key, the ARN it names as written (module comment).
 */
async function resourceOf(
    kms: Kms,
    keyRef: string | undefined,
    sameAccount: boolean,
): Promise<string | undefined> {
    const named = keyRef === undefined ? undefined : kms.referenceArn(keyRef);
    if (named === undefined || !sameAccount) return named;
    return (await kms.keyArnOf(keyRef!)) ?? named;
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
