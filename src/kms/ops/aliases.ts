/**
 * CreateAlias, UpdateAlias, DeleteAlias, ListAliases. An alias is unique in the account and
 * region and names one key; `alias/aws/` belongs to AWS managed keys
 * (https://docs.aws.amazon.com/kms/latest/developerguide/alias-about.html). Aliases can point at
 * Enabled or Disabled keys, not at keys pending deletion (key-state.html).
 */
import { KmsError } from '../errors.js';
import { aliasNotFound, type KmsCore } from '../core.js';
import { aliasArn, parseAliasTarget, validateAliasName } from '../key-ref.js';
import type { AliasListEntry, ListPage, ListRequest } from '../types.js';
import { decodeMarker, pageLimit, toPage } from '../validate.js';
import { sweepExpiredKeys } from './keys.js';

export interface AliasRequest {
    AliasName: string;
    TargetKeyId: string;
}

export async function createAlias(
    core: KmsCore,
    request: AliasRequest,
    caller: string,
): Promise<void> {
    await core.audited('CreateAlias', caller, async (scope) => {
        validateAliasName(request.AliasName);
        const targetRef = parseAliasTarget(request.TargetKeyId, core.location);
        if (await core.store.getAlias(request.AliasName))
            throw aliasExists(core, request.AliasName);
        const key = await core.resolve(targetRef, scope, { forms: 'key-only' });
        core.requireCustomerManaged(key, 'CreateAlias', caller);
        core.requireNotPendingDeletion(key);
        const now = core.now();
        const alias = {
            aliasName: request.AliasName,
            targetKeyId: key.keyId,
            createdAt: now,
            updatedAt: now,
        };
        if ((await core.store.createAlias(alias)) === 'exists')
            throw aliasExists(core, request.AliasName);
    });
}

/** AWS names the alias by its ARN in this message. */
function aliasExists(core: KmsCore, aliasName: string): KmsError {
    return new KmsError(
        'AlreadyExistsException',
        `An alias with the name ${aliasArn(core.location, aliasName)} already exists`,
    );
}

/** The new target must not be pending deletion; the old one may be in any state. */
export async function updateAlias(
    core: KmsCore,
    request: AliasRequest,
    caller: string,
): Promise<void> {
    await core.audited('UpdateAlias', caller, async (scope) => {
        validateAliasName(request.AliasName);
        const targetRef = parseAliasTarget(request.TargetKeyId, core.location);
        if (!(await core.store.getAlias(request.AliasName))) {
            throw aliasNotFound(core.location, request.AliasName);
        }
        const key = await core.resolve(targetRef, scope, { forms: 'key-only' });
        core.requireCustomerManaged(key, 'UpdateAlias', caller);
        core.requireNotPendingDeletion(key);
        if (!(await core.store.retargetAlias(request.AliasName, key.keyId, core.now()))) {
            throw aliasNotFound(core.location, request.AliasName);
        }
    });
}

export async function deleteAlias(
    core: KmsCore,
    request: { AliasName: string },
    caller: string,
): Promise<void> {
    await core.audited('DeleteAlias', caller, async (scope) => {
        validateAliasName(request.AliasName);
        const alias = await core.store.getAlias(request.AliasName);
        if (!alias) throw aliasNotFound(core.location, request.AliasName);
        scope.keyArn = core.arn(alias.targetKeyId);
        scope.keyRef = request.AliasName;
        if (!(await core.store.deleteAlias(request.AliasName))) {
            throw aliasNotFound(core.location, request.AliasName);
        }
    });
}

/** KeyId (a key id or key ARN) narrows the list to one key's aliases. */
export async function listAliases(
    core: KmsCore,
    request: ListRequest & { KeyId?: string },
    caller: string,
): Promise<{ Aliases: AliasListEntry[] } & ListPage> {
    return core.audited('ListAliases', caller, async (scope) => {
        const limit = pageLimit(request.Limit, 50, 100);
        const after = decodeMarker(request.Marker);
        await sweepExpiredKeys(core);
        let targetKeyId: string | undefined;
        if (request.KeyId !== undefined) {
            targetKeyId = (await core.resolve(request.KeyId, scope, { forms: 'key-only' })).keyId;
        }
        const fetched = await core.store.listAliases({ targetKeyId, after, limit: limit + 1 });
        const page = toPage(fetched, limit, (alias) => alias.aliasName);
        const Aliases = page.items.map((alias) => ({
            AliasName: alias.aliasName,
            AliasArn: aliasArn(core.location, alias.aliasName),
            TargetKeyId: alias.targetKeyId,
            CreationDate: new Date(alias.createdAt),
            LastUpdatedDate: new Date(alias.updatedAt),
        }));
        return {
            Aliases,
            Truncated: page.truncated,
            ...(page.nextMarker && { NextMarker: page.nextMarker }),
        };
    });
}
