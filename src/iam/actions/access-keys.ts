/** CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey. */
import { checkAccessKeyId, checkStatus } from '../../identity/validate.js';
import { keyOwner, ownerResource, type IamAction } from '../action.js';
import { pageFields, paginate } from '../params.js';
import { accessKeyXml, members } from '../xml.js';

const createAccessKey: IamAction = async (ctx) => {
    const owner = keyOwner(ctx, ctx.params.optional('UserName'));
    return {
        resource: await ownerResource(ctx, owner),
        run: async () => {
            const created = await ctx.admin.createAccessKey(owner);
            return { AccessKey: accessKeyXml(created.key, created.secretAccessKey) };
        },
    };
};

const listAccessKeys: IamAction = async (ctx) => {
    const owner = keyOwner(ctx, ctx.params.optional('UserName'));
    ctx.params.maxItems();
    ctx.params.marker();
    return {
        resource: await ownerResource(ctx, owner),
        run: async () => {
            const keys = await ctx.admin.listAccessKeys(owner);
            const page = paginate(keys, (key) => key.accessKeyId, ctx.params);
            const metadata = members(page.items.map((key) => accessKeyXml(key)));
            const head =
                owner.userName === undefined
                    ? {}
                    : {
                          UserName: (await ctx.admin.getUser(ctx.accountId, owner.userName))
                              .userName,
                      };
            return { ...head, AccessKeyMetadata: metadata, ...pageFields(page) };
        },
    };
};

const updateAccessKey: IamAction = async (ctx) => {
    const accessKeyId = checkAccessKeyId(ctx.params.required('AccessKeyId', 'accessKeyId'));
    const status = checkStatus(ctx.params.required('Status', 'status'));
    const owner = keyOwner(ctx, ctx.params.optional('UserName'));
    return {
        resource: await ownerResource(ctx, owner),
        run: async () => {
            await ctx.admin.updateAccessKey(owner, accessKeyId, status);
            return undefined;
        },
    };
};

const deleteAccessKey: IamAction = async (ctx) => {
    const accessKeyId = checkAccessKeyId(ctx.params.required('AccessKeyId', 'accessKeyId'));
    const owner = keyOwner(ctx, ctx.params.optional('UserName'));
    return {
        resource: await ownerResource(ctx, owner),
        run: async () => {
            await ctx.admin.deleteAccessKey(owner, accessKeyId);
            return undefined;
        },
    };
};

export const ACCESS_KEY_ACTIONS = {
    CreateAccessKey: createAccessKey,
    ListAccessKeys: listAccessKeys,
    UpdateAccessKey: updateAccessKey,
    DeleteAccessKey: deleteAccessKey,
} satisfies Record<string, IamAction>;
