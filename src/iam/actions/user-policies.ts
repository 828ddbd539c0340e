/** PutUserPolicy, GetUserPolicy, DeleteUserPolicy, ListUserPolicies: inline user policies. */
import { checkPolicyDocument, checkPolicyName, checkUserName } from '../../identity/validate.js';
import { userResource, type ActionContext, type IamAction } from '../action.js';
import { pageFields, paginate } from '../params.js';
import { encodeDocument, members } from '../xml.js';

function userAndPolicyName(ctx: ActionContext): { userName: string; policyName: string } {
    return {
        userName: checkUserName(ctx.params.required('UserName', 'userName')),
        policyName: checkPolicyName(ctx.params.required('PolicyName', 'policyName')),
    };
}

const putUserPolicy: IamAction = async (ctx) => {
    const { userName, policyName } = userAndPolicyName(ctx);
    const document = checkPolicyDocument(ctx.params.required('PolicyDocument', 'policyDocument'));
    return {
        resource: await userResource(ctx, userName),
        run: async () => {
            await ctx.policies.putUserPolicy(ctx.accountId, userName, policyName, document);
            return undefined;
        },
    };
};

const getUserPolicy: IamAction = async (ctx) => {
    const { userName, policyName } = userAndPolicyName(ctx);
    return {
        resource: await userResource(ctx, userName),
        run: async () => {
            const { user, policy } = await ctx.policies.getUserPolicy(
                ctx.accountId,
                userName,
                policyName,
            );
            return {
                UserName: user.userName,
                PolicyName: policy.policyName,
                PolicyDocument: encodeDocument(policy.document),
            };
        },
    };
};

const deleteUserPolicy: IamAction = async (ctx) => {
    const { userName, policyName } = userAndPolicyName(ctx);
    return {
        resource: await userResource(ctx, userName),
        run: async () => {
            await ctx.policies.deleteUserPolicy(ctx.accountId, userName, policyName);
            return undefined;
        },
    };
};

const listUserPolicies: IamAction = async (ctx) => {
    const userName = checkUserName(ctx.params.required('UserName', 'userName'));
    ctx.params.maxItems();
    ctx.params.marker();
    return {
        resource: await userResource(ctx, userName),
        run: async () => {
            const policies = await ctx.policies.listUserPolicies(ctx.accountId, userName);
            const page = paginate(policies, (p) => p.policyName.toLowerCase(), ctx.params);
            const names = page.items.map((p) => p.policyName);
            return { PolicyNames: members(names), ...pageFields(page) };
        },
    };
};

export const USER_POLICY_ACTIONS = {
    PutUserPolicy: putUserPolicy,
    GetUserPolicy: getUserPolicy,
    DeleteUserPolicy: deleteUserPolicy,
    ListUserPolicies: listUserPolicies,
} satisfies Record<string, IamAction>;
