/**
 * The IAM Query API: `POST /` with a form body (`Content-Type:
 * application/x-www-form-urlencoded; charset=utf-8`) such as
 * `Action=CreateUser&UserName=bob&Version=2010-05-08`, signed with SigV4 for service `iam`
 * (region `us-east-1`, as AWS's global endpoint). Answers are IAM's XML (see xml.ts), `text/xml`.
 *
 * How the server calls it:
 * 1. Authenticate the request (SigV4 with service `iam`); anonymous callers may be passed on,
 *    they get AccessDenied.
 * 2. Parse the body (and, for GET, the query string) into `URLSearchParams`.
 * 3. `await iam({ params, caller, requestId, conditionKeys })` and write `status`, `headers`
 *    and `body` as they are. It never throws: every failure is an `<ErrorResponse>`, and
 *    unexpected ones are 500 ServiceFailure, reported to `onInternalError` with their cause.
 *
 * Per call: the caller must be authenticated; `Action` must name an implemented action
 * (else InvalidAction, 400); parameters are validated (ValidationError); `iam:<Action>` is
 * authorized on the action's resource (authorize.ts); then the action runs in the caller's own
 * account.
 */
import type { IdentityAdmin } from '../identity/admin.js';
import type { IdentityDirectory } from '../identity/credentials.js';
import { IamError } from '../identity/errors.js';
import type { PolicyAdmin } from '../identity/policy-admin.js';
import type { Principal } from '../identity/principal.js';
import type { ActionContext, IamAction, IamCaller } from './action.js';
import { ACCESS_KEY_ACTIONS } from './actions/access-keys.js';
import { MANAGED_POLICY_ACTIONS } from './actions/managed-policies.js';
import { USER_POLICY_ACTIONS } from './actions/user-policies.js';
import { USER_ACTIONS } from './actions/users.js';
import { authorizeIam } from './authorize.js';
import { IamParams } from './params.js';
import { errorXml, IAM_API_VERSION, IAM_CONTENT_TYPE, responseXml } from './xml.js';

/** Every IAM action Coffer implements, by AWS name. */
export const IAM_ACTIONS = {
    ...USER_ACTIONS,
    ...ACCESS_KEY_ACTIONS,
    ...USER_POLICY_ACTIONS,
    ...MANAGED_POLICY_ACTIONS,
} satisfies Record<string, IamAction>;

export type IamActionName = keyof typeof IAM_ACTIONS;

export interface IamApiDeps {
    /** The identity directory with its administration (a StoreBackedDirectory). */
    directory: IdentityDirectory & { admin: IdentityAdmin; policies: PolicyAdmin };
    /** Told about failures answered as 500 ServiceFailure; the client sees only the request id. */
    onInternalError?: (error: unknown, requestId: string) => void;
}

export interface IamApiRequest {
    /** The form parameters: `Action`, `Version` and the action's own. */
    params: URLSearchParams;
    /** Who signed the request (SigV4, service `iam`). */
    caller: Principal;
    requestId: string;
    /** Condition keys the server derived (lowercase names: `aws:sourceip`, ...). */
    conditionKeys?: Map<string, string[] | undefined>;
}

export interface IamApiResponse {
    status: number;
    headers: Record<string, string>;
    body: string;
}

export type IamApi = (req: IamApiRequest) => Promise<IamApiResponse>;

/** The IAM API handler; see the module comment for how to call it. */
export function createIamApi(deps: IamApiDeps): IamApi {
    return async (req) => {
        try {
            const { action, result } = await handle(deps, req);
            return respond(200, responseXml(action, result, req.requestId), req.requestId);
        } catch (error) {
            const iamError =
                error instanceof IamError
                    ? error
                    : new IamError('ServiceFailure', undefined, { cause: error });
            if (iamError.status >= 500) {
                deps.onInternalError?.(iamError.cause ?? iamError, req.requestId);
            }
            return respond(iamError.status, errorXml(iamError, req.requestId), req.requestId);
        }
    };
}

async function handle(deps: IamApiDeps, req: IamApiRequest) {
    const caller = authenticated(req.caller);
    const action = actionOf(req.params);
    const { directory } = deps;
    const ctx: ActionContext = {
        params: new IamParams(req.params),
        caller,
        accountId: caller.accountId,
        admin: directory.admin,
        policies: directory.policies,
    };
    const plan = await IAM_ACTIONS[action](ctx);
    const conditionKeys = new Map(req.conditionKeys);
    for (const [key, values] of Object.entries(plan.conditionKeys ?? {})) {
        conditionKeys.set(key, values);
    }
    const resource = plan.resource;
    await authorizeIam({ caller, action, resource, conditionKeys, identities: directory });
    return { action, result: await plan.run() };
}

function authenticated(caller: Principal): IamCaller {
    if (caller.type === 'Anonymous') {
        throw new IamError('AccessDenied', 'IAM requests must be signed by an account or a user.');
    }
    return caller;
}

function actionOf(params: URLSearchParams): IamActionName {
    const action = params.get('Action');
    if (action === null || action === '') throw new IamError('MissingAction', 'Missing Action');
    const version = params.get('Version') ?? IAM_API_VERSION;
    if (version !== IAM_API_VERSION || !Object.hasOwn(IAM_ACTIONS, action)) {
        throw new IamError(
            'InvalidAction',
            `Could not find operation ${action} for version ${version}`,
        );
    }
    return action as IamActionName;
}

function respond(status: number, body: string, requestId: string): IamApiResponse {
    return {
        status,
        headers: { 'content-type': IAM_CONTENT_TYPE, 'x-amzn-requestid': requestId },
        body,
    };
}
