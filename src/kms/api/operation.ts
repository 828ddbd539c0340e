/** The shape every KMS API operation handler has: typed members in, a response object out. */
import type { Kms } from '../kms.js';
import type { Fields } from './fields.js';

/** Returns the response members (before wire encoding), or nothing for an empty response. */
export type KmsOperation = (kms: Kms, fields: Fields, caller: string) => Promise<object | void>;
