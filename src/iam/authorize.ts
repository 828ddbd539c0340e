/**
 * Authorization of IAM calls, with the policy engine's `decide`: the account root may do
 * anything in its own account; an IAM user needs an identity policy allowing `iam:<Action>` on
 * the action's resource, and an explicit Deny wins. Denials carry IAM's AccessDenied wording:
 * "User: <arn> is not authorized to perform: iam:<Action> on resource: <arn> because no
 * identity-based policy allows the iam:<Action> action" (or "with an explicit deny in an
 * identity-based policy").
 */
import type { IdentityDirectory } from '../identity/credentials.js';
import { IamError } from '../identity/errors.js';
import { decide, parseIdentityPolicy, type ParsedPolicy } from '../policy/index.js';
import type { IamCaller } from './action.js';

export interface IamAuthorization {
    caller: IamCaller;
    /** The action name without prefix, e.g. `CreateUser`. */
    action: string;
    resource: string;
    /** Request condition keys (lowercase names), from the server and the action. */
    conditionKeys: Map<string, string[] | undefined>;
    identities: IdentityDirectory;
}

/** Throws AccessDenied unless the caller may perform the action on the resource. */
export async function authorizeIam(input: IamAuthorization): Promise<void> {
    const { caller, action, resource } = input;
    const identityPolicies = await loadPolicies(input.identities, caller);
    const decision = decide({
        identityPolicies,
        bucketOwnerAccount: caller.accountId,
        req: {
            principal: caller,
            action: `iam:${action}`,
            resource,
            conditionKeys: input.conditionKeys,
        },
    });
    if (decision.allowed) return;
    const why =
        decision.reason === 'ExplicitDeny'
            ? 'with an explicit deny in an identity-based policy'
            : `because no identity-based policy allows the iam:${action} action`;
    throw new IamError(
        'AccessDenied',
        `User: ${caller.arn} is not authorized to perform: iam:${action} on resource: ` +
            `${resource} ${why}`,
    );
}

/** A stored policy the engine no longer accepts fails the call rather than being skipped. */
async function loadPolicies(identities: IdentityDirectory, caller: IamCaller) {
    const documents = await identities.policiesOf(caller);
    const parsed: Array<{ name: string; policy: ParsedPolicy }> = [];
    for (const { name, document } of documents) {
        try {
            parsed.push({ name, policy: parseIdentityPolicy(document) });
        } catch (error) {
            throw new IamError('ServiceFailure', `Policy ${name} could not be evaluated.`, {
                cause: error,
            });
        }
    }
    return parsed;
}
