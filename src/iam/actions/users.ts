/** CreateUser, GetUser, ListUsers, DeleteUser. */
import { checkPath, checkPathPrefix, checkUserName } from '../../identity/validate.js';
import { userArn } from '../../store/identity-types.js';
import { userResource, type IamAction } from '../action.js';
import { pageFields, paginate } from '../params.js';
import { members, rootUserXml, userXml } from '../xml.js';

const createUser: IamAction = async (ctx) => {
    const userName = checkUserName(ctx.params.required('UserName', 'userName'), 64);
    const path = checkPath(ctx.params.optional('Path') ?? '/');
    return {
        resource: userArn(ctx.accountId, path, userName),
        run: async () => ({
            User: userXml(await ctx.admin.createUser(ctx.accountId, userName, path)),
        }),
    };
};

/** Without UserName: the caller itself, the root user included. */
const getUser: IamAction = async (ctx) => {
    const named = ctx.params.optional('UserName');
    const userName = named ?? (ctx.caller.type === 'User' ? ctx.caller.userName : undefined);
    if (userName === undefined) {
        return {
            resource: `arn:aws:iam::${ctx.accountId}:root`,
            run: async () => ({ User: rootUserXml(await ctx.admin.getAccount(ctx.accountId)) }),
        };
    }
    checkUserName(userName);
    return {
        resource: await userResource(ctx, userName),
        run: async () => ({ User: userXml(await ctx.admin.getUser(ctx.accountId, userName)) }),
    };
};

/** Authorized on `arn:aws:iam::<account>:user<PathPrefix>`, as IAM's AccessDenied names it. */
const listUsers: IamAction = async (ctx) => {
    const pathPrefix = checkPathPrefix(ctx.params.optional('PathPrefix') ?? '/');
    ctx.params.maxItems();
    ctx.params.marker();
    return {
        resource: `arn:aws:iam::${ctx.accountId}:user${pathPrefix}`,
        run: async () => {
            const users = await ctx.admin.listUsers(ctx.accountId, pathPrefix);
            const page = paginate(users, (user) => user.userName.toLowerCase(), ctx.params);
            return { Users: members(page.items.map(userXml)), ...pageFields(page) };
        },
    };
};

const deleteUser: IamAction = async (ctx) => {
    const userName = checkUserName(ctx.params.required('UserName', 'userName'));
    return {
        resource: await userResource(ctx, userName),
        run: async () => {
            await ctx.admin.deleteUser(ctx.accountId, userName);
            return undefined;
        },
    };
};

export const USER_ACTIONS = {
    CreateUser: createUser,
    GetUser: getUser,
    ListUsers: listUsers,
    DeleteUser: deleteUser,
} satisfies Record<string, IamAction>;
