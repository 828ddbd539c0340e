/**
 * Who a request acts as. Identity and access management build on this shape: the account root,
 * an IAM user of an account, or nobody (anonymous).
 */
import { createHash } from 'node:crypto';

export type Principal =
    | { type: 'Anonymous' }
    | { type: 'Root'; accountId: string; arn: string; accessKeyId: string }
    | {
          type: 'User';
          accountId: string;
          userName: string;
          userId: string;
          arn: string;
          accessKeyId: string;
      };

export const ANONYMOUS: Principal = { type: 'Anonymous' };

/** The 64-hex canonical user id AWS shows as an Owner ID, derived from the account id. */
export function canonicalUserId(accountId: string): string {
    return createHash('sha256').update(`coffer-canonical-user:${accountId}`).digest('hex');
}

/** The name shown as an Owner's DisplayName. */
export function displayName(accountId: string): string {
    return `account-${accountId}`;
}
