/**
 * The shape of one IAM action. An action first reads and validates its parameters and names
 * the resource it acts on (its `ActionPlan`); the API authorizes `iam:<Action>` on that resource
 * and only then runs the plan. So invalid input is a ValidationError for anyone, and a missing
 * entity is NoSuchEntity only for callers allowed to ask.
 */
import type { IdentityAdmin, KeyOwner } from '../identity/admin.js';
import type { PolicyAdmin } from '../identity/policy-admin.js';
import type { Principal } from '../identity/principal.js';
import type { XmlElement } from '../s3/xml.js';
import { userArn } from '../store/identity-types.js';
import { checkUserName } from '../identity/validate.js';
import type { IamParams } from './params.js';

/** An authenticated caller: the account root or an IAM user. */
export type IamCaller = Exclude<Principal, { type: 'Anonymous' }>;

export interface ActionContext {
    params: IamParams;
    caller: IamCaller;
    /** The account acted on: always the caller's own. */
    accountId: string;
    admin: IdentityAdmin;
    policies: PolicyAdmin;
}

export interface ActionPlan {
    /** The ARN `iam:<Action>` is authorized against (`*` for actions without resource types). */
    resource: string;
    /** Action-specific condition keys (lowercase names), e.g. `iam:policyarn`. */
    conditionKeys?: Record<string, string[]>;
    /** Does the work; returns the `<Action>Result` content, undefined for actions without one. */
    run(): Promise<XmlElement | undefined>;
}

export type IamAction = (ctx: ActionContext) => Promise<ActionPlan>;

/** The ARN a user is authorized by: its real one (with path) if it exists, else `user/<name>`. */
export async function userResource(ctx: ActionContext, userName: string): Promise<string> {
    const user = await ctx.admin.findUser(ctx.accountId, userName);
    return user?.arn ?? userArn(ctx.accountId, '/', userName);
}

/**
 * The key owner an optional UserName names: that user, or when absent the caller itself ("IAM
 * determines the user name implicitly based on the access key ID signing the request").
 */
export function keyOwner(ctx: ActionContext, userName: string | undefined): KeyOwner {
    if (userName !== undefined)
        return { accountId: ctx.accountId, userName: checkUserName(userName) };
    if (ctx.caller.type === 'User')
        return { accountId: ctx.accountId, userName: ctx.caller.userName };
    return { accountId: ctx.accountId };
}

/** The resource of a key owner: the user's ARN, or the root's. */
export async function ownerResource(ctx: ActionContext, owner: KeyOwner): Promise<string> {
    if (owner.userName === undefined) return `arn:aws:iam::${ctx.accountId}:root`;
    return userResource(ctx, owner.userName);
}
