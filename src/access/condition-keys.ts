/**
 * The condition keys of one request, as S3 fills them: lowercase names, and a key the request
 * does not carry is ABSENT (never an empty string), because `Null`, the negated operators and
 * `...IfExists` all turn on absence (AWS-SEMANTICS §6.1).
 * Sources: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 * and https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
 *
 * 1. Global keys, every request: aws:SecureTransport, aws:SourceIp (an IPv4 client seen on a
 *    dual-stack socket as `::ffff:a.b.c.d` is `a.b.c.d`), aws:CurrentTime, aws:EpochTime,
 *    aws:UserAgent, aws:Referer, and s3:x-amz-content-sha256, s3:TlsVersion (HTTPS only).
 * 2. Signed requests only: the principal keys (aws:PrincipalArn, aws:PrincipalAccount,
 *    aws:PrincipalType, aws:userid, aws:username for IAM users), s3:signatureversion,
 *    s3:authType, s3:signatureAge. For anonymous callers the policy engine derives
 *    aws:userid = `anonymous` and aws:PrincipalType = `Anonymous`, as AWS's variable table says.
 * 3. Per action, only where S3 defines them: the SSE, ACL, copy and tagging request headers for
 *    s3:PutObject; s3:prefix / s3:delimiter / s3:max-keys for the bucket listings (present only
 *    when the query names them); s3:ExistingObjectTag/<key> for the object-tag reads and tag
 *    and ACL writes; s3:RequestObjectTag/<key> and s3:RequestObjectTagKeys for PutObject (from
 *    `x-amz-tagging`) and PutObjectTagging (from its body, supplied by the handler).
 * 4. UploadPart, UploadPartCopy and CompleteMultipartUpload cannot carry the SSE headers, so
 *    their SSE keys are those CreateMultipartUpload recorded in the upload (`uploadSseHeaders`).
 *    AWS does not document this; it is the only reading under which AWS's own "require
 *    AES256" policy lets `aws s3 cp --sse AES256` upload a large file (AWS-SEMANTICS §6.2).
 *    Tags and ACL headers are not inherited: field reports show AWS does not either.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { VerifiedRequest } from '../auth/index.js';
import type { Principal } from '../identity/principal.js';
import { parseCopySource } from '../s3/copy-source.js';

/** Condition keys: lowercase name to values; a key absent from the request is not in the map. */
export type ConditionKeys = Map<string, string[] | undefined>;

/** The object tags a key lookup reports (tag keys keep their case; key names fold it). */
export type Tags = ReadonlyArray<readonly [string, string]>;

/** Everything about a request that condition keys are drawn from. */
export interface RequestFacts {
    principal: Principal;
    auth: VerifiedRequest | null;
    secureTransport: boolean;
    sourceIp: string;
    headers: IncomingHttpHeaders;
    query: URLSearchParams;
    /** `1.2`, `1.3`: the negotiated TLS version, absent over plain HTTP. */
    tlsVersion?: string;
    now: Date;
}

/** What the action-specific keys need beyond the request itself. */
export interface ActionKeyInputs {
    /** Tags of the object the action reads or changes, when it exists. */
    existingTags?: Tags;
    /** The SSE headers recorded at CreateMultipartUpload (multipart parts and completion). */
    uploadSse?: Readonly<Record<string, string>>;
}

/** The SSE request headers S3 exposes as condition keys, frozen: uploads store them by name. */
export const SSE_CONDITION_HEADERS = Object.freeze([
    'x-amz-server-side-encryption',
    'x-amz-server-side-encryption-aws-kms-key-id',
    'x-amz-server-side-encryption-customer-algorithm',
] as const);

const PUT_OBJECT_HEADERS = [
    'x-amz-acl',
    'x-amz-copy-source',
    'x-amz-metadata-directive',
    'x-amz-storage-class',
] as const;
const ACL_ACTIONS = new Set([
    's3:putobject',
    's3:putobjectacl',
    's3:putbucketacl',
    's3:createbucket',
]);
const LIST_ACTIONS = new Set(['s3:listbucket', 's3:listbucketversions']);
const EXISTING_TAG_ACTIONS: ReadonlySet<string> = new Set([
    's3:getobject',
    's3:getobjectacl',
    's3:getobjecttagging',
    's3:putobjectacl',
    's3:putobjecttagging',
    's3:deleteobjecttagging',
]);

/** True when S3 fills s3:ExistingObjectTag/* for this action (lookups cost a metadata read). */
export function usesExistingObjectTags(action: string): boolean {
    return EXISTING_TAG_ACTIONS.has(action.toLowerCase());
}

/** The keys of every request (module comment, 1 and 2). */
export function globalConditionKeys(facts: RequestFacts): ConditionKeys {
    const keys: ConditionKeys = new Map();
    keys.set('aws:securetransport', [facts.secureTransport ? 'true' : 'false']);
    if (facts.sourceIp !== '') keys.set('aws:sourceip', [facts.sourceIp.replace(/^::ffff:/i, '')]);
    keys.set('aws:currenttime', [facts.now.toISOString().replace(/\.\d{3}Z$/, 'Z')]);
    keys.set('aws:epochtime', [String(Math.floor(facts.now.getTime() / 1000))]);
    setHeader(keys, 'aws:useragent', facts.headers, 'user-agent');
    setHeader(keys, 'aws:referer', facts.headers, 'referer');
    setHeader(keys, 's3:x-amz-content-sha256', facts.headers, 'x-amz-content-sha256');
    if (facts.tlsVersion !== undefined) keys.set('s3:tlsversion', [facts.tlsVersion]);
    addPrincipalKeys(keys, facts.principal);
    if (facts.auth !== null) {
        keys.set('s3:signatureversion', ['AWS4-HMAC-SHA256']);
        keys.set('s3:authtype', [facts.auth.authType]);
        keys.set('s3:signatureage', [String(facts.auth.signatureAgeMs)]);
    }
    return keys;
}

function addPrincipalKeys(keys: ConditionKeys, principal: Principal): void {
    if (principal.type === 'Anonymous') return;
    keys.set('aws:principalaccount', [principal.accountId]);
    keys.set('aws:principalarn', [principal.arn]);
    if (principal.type === 'Root') {
        keys.set('aws:principaltype', ['Account']);
        keys.set('aws:userid', [principal.accountId]);
    } else {
        keys.set('aws:principaltype', ['User']);
        keys.set('aws:userid', [principal.userId]);
        keys.set('aws:username', [principal.userName]);
    }
}

/** The keys S3 defines for one action (module comment, 3 and 4), added to `keys`. */
export function addActionKeys(
    keys: ConditionKeys,
    action: string,
    facts: RequestFacts,
    inputs: ActionKeyInputs = {},
): ConditionKeys {
    const name = action.toLowerCase();
    const { headers, query } = facts;
    if (name === 's3:putobject') addPutObjectKeys(keys, headers, inputs.uploadSse);
    if (ACL_ACTIONS.has(name)) addAclKeys(keys, headers);
    if (LIST_ACTIONS.has(name)) {
        for (const param of ['prefix', 'delimiter', 'max-keys']) {
            const value = query.get(param);
            if (value !== null) keys.set(`s3:${param}`, [value]);
        }
    }
    if (inputs.existingTags && EXISTING_TAG_ACTIONS.has(name)) {
        addTagKeys(keys, 's3:existingobjecttag/', inputs.existingTags);
    }
    return keys;
}

function addPutObjectKeys(
    keys: ConditionKeys,
    headers: IncomingHttpHeaders,
    uploadSse: Readonly<Record<string, string>> | undefined,
): void {
    for (const header of SSE_CONDITION_HEADERS) {
        const value = uploadSse ? uploadSse[header] : headerValue(headers, header);
        if (value !== undefined) keys.set(`s3:${header}`, [value]);
    }
    for (const header of PUT_OBJECT_HEADERS) setHeader(keys, `s3:${header}`, headers, header);
    const source = keys.get('s3:x-amz-copy-source')?.[0];
    if (source !== undefined) keys.set('s3:x-amz-copy-source', [copySourceKey(source)]);
    const tagging = headerValue(headers, 'x-amz-tagging');
    if (tagging !== undefined) {
        addTagKeys(keys, 's3:requestobjecttag/', [...new URLSearchParams(tagging)]);
    }
}

function addAclKeys(keys: ConditionKeys, headers: IncomingHttpHeaders): void {
    setHeader(keys, 's3:x-amz-acl', headers, 'x-amz-acl');
    for (const name of Object.keys(headers)) {
        if (name.startsWith('x-amz-grant-')) setHeader(keys, `s3:${name}`, headers, name);
    }
}

/**
 * `s3:RequestObjectTag/<key>` (or ExistingObjectTag) per tag, plus `s3:RequestObjectTagKeys`
 * for request tags. Key names ignore case, so tags differing only in case share one key.
 */
export function addTagKeys(keys: ConditionKeys, prefix: string, tags: Tags): void {
    for (const [tagKey, value] of tags) {
        const name = prefix + tagKey.toLowerCase();
        keys.set(name, [...(keys.get(name) ?? []), value]);
    }
    if (prefix === 's3:requestobjecttag/' && tags.length > 0) {
        keys.set(
            's3:requestobjecttagkeys',
            tags.map(([tagKey]) => tagKey),
        );
    }
}

/** The request-tag keys of a tag set a handler parsed from its body (PutObjectTagging). */
export function requestTagKeys(tags: Tags): ConditionKeys {
    const keys: ConditionKeys = new Map();
    addTagKeys(keys, 's3:requestobjecttag/', tags);
    return keys;
}

/** The SSE headers of a CreateMultipartUpload, kept in the upload record (module comment, 4). */
export function uploadSseHeaders(headers: IncomingHttpHeaders): Record<string, string> {
    const recorded: Record<string, string> = {};
    for (const name of SSE_CONDITION_HEADERS) {
        const value = headerValue(headers, name);
        if (value !== undefined) recorded[name] = value;
    }
    return recorded;
}

/** `TLSv1.3` (node's name) to `1.3` (the value s3:TlsVersion compares numerically). */
export function tlsVersionOf(socket: object): string | undefined {
    if (!('getProtocol' in socket) || typeof socket.getProtocol !== 'function') return undefined;
    const protocol: unknown = socket.getProtocol();
    const match = typeof protocol === 'string' ? /^TLSv(\d(?:\.\d)?)$/.exec(protocol) : null;
    if (match === null) return undefined;
    return match[1]!.includes('.') ? match[1] : `${match[1]}.0`;
}

/**
 * `s3:x-amz-copy-source` as AWS's examples write it: `bucket/key`, decoded, without the
 * optional leading slash or version; a header that does not parse is kept as sent.
 */
function copySourceKey(raw: string): string {
    try {
        const { bucket, key } = parseCopySource(raw);
        return `${bucket}/${key}`;
    } catch {
        return raw;
    }
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
    const value = headers[name];
    return Array.isArray(value) ? value.join(',') : value;
}

function setHeader(keys: ConditionKeys, key: string, headers: IncomingHttpHeaders, name: string) {
    const value = headerValue(headers, name);
    if (value !== undefined) keys.set(key, [value]);
}
