/**
 * Naming keys: the four forms a KeyId parameter can take (key id, key ARN, alias name, alias
 * ARN), the ARNs Coffer answers with, and AWS's alias-name rules
 * (https://docs.aws.amazon.com/kms/latest/developerguide/alias-create.html).
 *
 * Parsing is pure; whether a named key exists is `resolve.ts`'s business.
 */
import { KmsError, constraintError } from './errors.js';

export type KeyRef = { kind: 'key'; keyId: string } | { kind: 'alias'; aliasName: string };

/** Which forms an operation's KeyId parameter accepts, per its API reference page. */
export type RefForms = 'key-only' | 'key-or-alias';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ALIAS_PATTERN = /^[a-zA-Z0-9:/_-]+$/;
/** AWS reserves this prefix for AWS managed keys. */
export const RESERVED_ALIAS_PREFIX = 'alias/aws/';
const MAX_KEY_ID_LENGTH = 2048;
const MAX_ALIAS_LENGTH = 256;

/** Where the KMS lives: ARNs are built from and checked against this. */
export interface KmsLocation {
    region: string;
    accountId: string;
}

export function keyArn(location: KmsLocation, keyId: string): string {
    return `arn:aws:kms:${location.region}:${location.accountId}:key/${keyId}`;
}

export function aliasArn(location: KmsLocation, aliasName: string): string {
    return `arn:aws:kms:${location.region}:${location.accountId}:${aliasName}`;
}

/** True for a key id as Coffer makes them: a lower-case UUID. */
export function isKeyId(value: string): boolean {
    return UUID.test(value);
}

/**
 * Parses a KeyId parameter. A key ARN or alias ARN of another region or account names nothing
 * here: NotFoundException, as AWS answers for a key it cannot see. A key id that is not a UUID
 * is NotFoundException too ("Invalid keyId"), as AWS answers.
 */
export function parseKeyRef(value: string, location: KmsLocation, forms: RefForms): KeyRef {
    if (value.length === 0 || value.length > MAX_KEY_ID_LENGTH) {
        throw constraintError('keyId', value, 'have length between 1 and 2048');
    }
    if (value.startsWith('arn:')) return parseArn(value, location, forms);
    if (value.startsWith('alias/')) {
        if (forms === 'key-only') throw new KmsError('NotFoundException', `Invalid keyId ${value}`);
        return { kind: 'alias', aliasName: value };
    }
    if (!isKeyId(value)) throw new KmsError('NotFoundException', `Invalid keyId ${value}`);
    return { kind: 'key', keyId: value };
}

function parseArn(value: string, location: KmsLocation, forms: RefForms): KeyRef {
    const parts = value.split(':');
    const resource = parts.slice(5).join(':');
    if (parts.length < 6 || parts[2] !== 'kms' || !/^(key|alias)\//.test(resource)) {
        throw new KmsError('InvalidArnException', `${value} is not a valid KMS ARN.`);
    }
    const [, partition, , region, account] = parts;
    const local =
        partition === 'aws' && region === location.region && account === location.accountId;
    if (resource.startsWith('alias/')) {
        if (forms === 'key-only') throw new KmsError('NotFoundException', `Invalid keyId ${value}`);
        if (!local) throw new KmsError('NotFoundException', `Alias ${value} is not found.`);
        return { kind: 'alias', aliasName: resource };
    }
    const keyId = resource.slice('key/'.length);
    if (!local || !isKeyId(keyId)) {
        throw new KmsError('NotFoundException', `Key '${value}' does not exist`);
    }
    return { kind: 'key', keyId };
}

/**
 * Checks an AliasName for CreateAlias, UpdateAlias and DeleteAlias. The `alias/aws/` prefix is
 * AWS's: NotAuthorizedException, as AWS answers (the API reference lists no code for it; this
 * is what AWS-compatible fakes recorded).
 */
export function validateAliasName(aliasName: string): void {
    if (aliasName.length === 0 || aliasName.length > MAX_ALIAS_LENGTH) {
        throw constraintError('aliasName', aliasName, 'have length between 1 and 256');
    }
    if (!ALIAS_PATTERN.test(aliasName)) {
        throw constraintError(
            'aliasName',
            aliasName,
            'satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$',
        );
    }
    if (!aliasName.startsWith('alias/')) {
        throw new KmsError(
            'ValidationException',
            'Alias must start with the prefix "alias/". Please see ' +
                'https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
        );
    }
    if (aliasName.includes(':')) {
        throw new KmsError(
            'ValidationException',
            `${aliasName} contains invalid characters for an alias`,
        );
    }
    if (aliasName === 'alias/') {
        throw new KmsError('InvalidAliasNameException', 'Alias name must not be empty.');
    }
    if (aliasName.startsWith(RESERVED_ALIAS_PREFIX)) {
        throw new KmsError(
            'NotAuthorizedException',
            `The alias prefix ${RESERVED_ALIAS_PREFIX} is reserved for AWS managed keys.`,
        );
    }
}

/**
 * A key reference for CreateAlias / UpdateAlias TargetKeyId: a key id or key ARN only. AWS
 * refuses an alias here with "Aliases must refer to keys. Not aliases".
 */
export function parseAliasTarget(value: string, location: KmsLocation): string {
    if (value.startsWith('alias/') || /^arn:[^:]*:kms:[^:]*:[^:]*:alias\//.test(value)) {
        throw new KmsError('ValidationException', 'Aliases must refer to keys. Not aliases');
    }
    const ref = parseKeyRef(value, location, 'key-only');
    return (ref as { kind: 'key'; keyId: string }).keyId;
}
