/**
 * Authorization. Until accounts, users and policies exist, the rule is the one AWS applies to a
 * bucket with no policy: the owning account's principals may do everything, anonymous nothing.
 */
import type { RequestContext } from '../server/request-context.js';
import type { ServerServices } from '../server/services.js';
import { S3Error } from '../s3/errors.js';

export function authorize(ctx: RequestContext, services: ServerServices): void {
    const principal = ctx.principal;
    if (principal.type === 'Anonymous' || principal.accountId !== services.accountId) {
        ctx.log.info(
            { event: 'authorization', operation: ctx.operation, decision: 'implicit deny' },
            'access denied',
        );
        throw new S3Error('AccessDenied');
    }
}
