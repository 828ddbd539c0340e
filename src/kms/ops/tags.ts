/**
 * TagResource, UntagResource, ListResourceTags. Tags change in Enabled and Disabled states and
 * are listed in every state (key-state.html); AWS managed keys can be listed, not tagged.
 */
import type { KmsCore } from '../core.js';
import type { KeyIdRequest, ListPage, ListRequest, Tag } from '../types.js';
import { checkLength, decodeMarker, mergeTags, pageLimit, toPage } from '../validate.js';

export async function tagResource(
    core: KmsCore,
    request: KeyIdRequest & { Tags: Tag[] },
    caller: string,
): Promise<void> {
    await core.audited('TagResource', caller, async (scope) => {
        const key = await core.resolve(request.KeyId, scope, { forms: 'key-only' });
        core.requireCustomerManaged(key, 'TagResource', caller);
        core.requireNotPendingDeletion(key);
        await core.store.updateKey(key.keyId, { tags: mergeTags(key.tags, request.Tags) });
    });
}

/** Removing a tag the key does not have is not an error, as on AWS. */
export async function untagResource(
    core: KmsCore,
    request: KeyIdRequest & { TagKeys: string[] },
    caller: string,
): Promise<void> {
    await core.audited('UntagResource', caller, async (scope) => {
        for (const tagKey of request.TagKeys) checkLength('tagKeys', tagKey, 1, 128);
        const key = await core.resolve(request.KeyId, scope, { forms: 'key-only' });
        core.requireCustomerManaged(key, 'UntagResource', caller);
        core.requireNotPendingDeletion(key);
        const removed = new Set(request.TagKeys);
        const tags = key.tags.filter(([tagKey]) => !removed.has(tagKey));
        await core.store.updateKey(key.keyId, { tags });
    });
}

/** Tags sorted by key, so that a marker (the last key returned) pages stably. */
export async function listResourceTags(
    core: KmsCore,
    request: KeyIdRequest & ListRequest,
    caller: string,
): Promise<{ Tags: Tag[] } & ListPage> {
    return core.audited('ListResourceTags', caller, async (scope) => {
        const limit = pageLimit(request.Limit, 50, 50);
        const after = decodeMarker(request.Marker);
        const key = await core.resolve(request.KeyId, scope, { forms: 'key-only' });
        const sorted = [...key.tags].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        const remaining = sorted.filter(([tagKey]) => after === undefined || tagKey > after);
        const page = toPage(remaining.slice(0, limit + 1), limit, ([tagKey]) => tagKey);
        const Tags = page.items.map(([TagKey, TagValue]) => ({ TagKey, TagValue }));
        return {
            Tags,
            Truncated: page.truncated,
            ...(page.nextMarker && { NextMarker: page.nextMarker }),
        };
    });
}
