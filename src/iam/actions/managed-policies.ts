/**
 * CreatePolicy, GetPolicy, GetPolicyVersion, DeletePolicy, ListPolicies, and attaching managed
 * policies to users. ListPolicies lists the account's own policies (Scope Local or All); Coffer
 * has no AWS managed policies, so Scope AWS lists none.
 */
import {
    checkDescription,
    checkPath,
    checkPathPrefix,
    checkPolicyArn,
    checkPolicyDocument,
    checkPolicyName,
    checkUserName,
} from '../../identity/validate.js';
import { IamError } from '../../identity/errors.js';
import { policyArn } from '../../store/identity-types.js';
import { userResource, type ActionContext, type IamAction, type ActionPlan } from '../action.js';
import { pageFields, paginate } from '../params.js';
import { encodeDocument, isoSeconds, members, policyXml } from '../xml.js';

const SCOPES = ['All', 'AWS', 'Local'] as const;

const createPolicy: IamAction = async (ctx) => {
    const policyName = checkPolicyName(ctx.params.required('PolicyName', 'policyName'));
    const document = checkPolicyDocument(ctx.params.required('PolicyDocument', 'policyDocument'));
    const path = checkPath(ctx.params.optional('Path') ?? '/');
    const description = checkDescription(ctx.params.optional('Description') ?? '');
    return {
        resource: policyArn(ctx.accountId, path, policyName),
        run: async () => {
            const input = { policyName, path, document, description };
            return {
                Policy: policyXml(await ctx.policies.createPolicy(ctx.accountId, input), true),
            };
        },
    };
};

function policyArnParam(ctx: ActionContext): string {
    return checkPolicyArn(ctx.params.required('PolicyArn', 'policyArn'));
}

const getPolicy: IamAction = async (ctx) => {
    const arn = policyArnParam(ctx);
    return {
        resource: arn,
        run: async () => ({
            Policy: policyXml(await ctx.policies.getPolicy(ctx.accountId, arn), true),
        }),
    };
};

/** Coffer keeps one version of each policy, `v1`, the default. */
const getPolicyVersion: IamAction = async (ctx) => {
    const arn = policyArnParam(ctx);
    const versionId = ctx.params.required('VersionId', 'versionId');
    return {
        resource: arn,
        run: async () => {
            const policy = await ctx.policies.getPolicy(ctx.accountId, arn);
            if (versionId !== policy.defaultVersionId) {
                throw new IamError(
                    'NoSuchEntity',
                    `Policy ${arn} version ${versionId} does not exist.`,
                );
            }
            const version = {
                Document: encodeDocument(policy.document),
                VersionId: policy.defaultVersionId,
                IsDefaultVersion: 'true',
                CreateDate: isoSeconds(policy.createdAt),
            };
            return { PolicyVersion: version };
        },
    };
};

const deletePolicy: IamAction = async (ctx) => {
    const arn = policyArnParam(ctx);
    return {
        resource: arn,
        run: async () => {
            await ctx.policies.deletePolicy(ctx.accountId, arn);
            return undefined;
        },
    };
};

/** ListPolicies supports no resource-level permissions: policies must grant it on `*`. */
const listPolicies: IamAction = async (ctx) => {
    const scope = ctx.params.choice('Scope', 'scope', SCOPES, 'All');
    const onlyAttached = ctx.params.optionalBoolean('OnlyAttached', 'onlyAttached') ?? false;
    const pathPrefix = checkPathPrefix(ctx.params.optional('PathPrefix') ?? '/');
    ctx.params.maxItems();
    ctx.params.marker();
    return {
        resource: '*',
        run: async () => {
            const filter = { pathPrefix, onlyAttached };
            const all =
                scope === 'AWS' ? [] : await ctx.policies.listPolicies(ctx.accountId, filter);
            const page = paginate(all, (p) => p.policyName.toLowerCase(), ctx.params);
            const policies = members(page.items.map((p) => policyXml(p, false)));
            return { Policies: policies, ...pageFields(page) };
        },
    };
};

/** Attach and detach are authorized on the user, with `iam:PolicyARN` naming the policy. */
async function attachmentPlan(
    ctx: ActionContext,
    change: (userName: string, arn: string) => Promise<void>,
): Promise<ActionPlan> {
    const userName = checkUserName(ctx.params.required('UserName', 'userName'));
    const arn = policyArnParam(ctx);
    return {
        resource: await userResource(ctx, userName),
        conditionKeys: { 'iam:policyarn': [arn] },
        run: async () => {
            await change(userName, arn);
            return undefined;
        },
    };
}

const attachUserPolicy: IamAction = (ctx) =>
    attachmentPlan(ctx, (user, arn) => ctx.policies.attachUserPolicy(ctx.accountId, user, arn));

const detachUserPolicy: IamAction = (ctx) =>
    attachmentPlan(ctx, (user, arn) => ctx.policies.detachUserPolicy(ctx.accountId, user, arn));

const listAttachedUserPolicies: IamAction = async (ctx) => {
    const userName = checkUserName(ctx.params.required('UserName', 'userName'));
    const pathPrefix = checkPathPrefix(ctx.params.optional('PathPrefix') ?? '/');
    ctx.params.maxItems();
    ctx.params.marker();
    return {
        resource: await userResource(ctx, userName),
        run: async () => {
            const attached = await ctx.policies.listAttachedUserPolicies(
                ctx.accountId,
                userName,
                pathPrefix,
            );
            const page = paginate(attached, (p) => p.policyName.toLowerCase(), ctx.params);
            const items = page.items.map((p) => ({ PolicyName: p.policyName, PolicyArn: p.arn }));
            return { AttachedPolicies: members(items), ...pageFields(page) };
        },
    };
};

export const MANAGED_POLICY_ACTIONS = {
    CreatePolicy: createPolicy,
    GetPolicy: getPolicy,
    GetPolicyVersion: getPolicyVersion,
    DeletePolicy: deletePolicy,
    ListPolicies: listPolicies,
    AttachUserPolicy: attachUserPolicy,
    DetachUserPolicy: detachUserPolicy,
    ListAttachedUserPolicies: listAttachedUserPolicies,
} satisfies Record<string, IamAction>;
