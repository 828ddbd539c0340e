/**
 * IAM's XML (the AWS Query protocol, API version 2010-05-08):
 *
 *   <CreateUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
 *     <CreateUserResult><User>...</User></CreateUserResult>
 *     <ResponseMetadata><RequestId>...</RequestId></ResponseMetadata>
 *   </CreateUserResponse>
 *
 * Actions without output (DeleteUser, PutUserPolicy, ...) send no `<...Result>`. Lists are
 * `<member>` elements; timestamps are ISO 8601 in UTC to the second. Errors are
 *
 *   <ErrorResponse xmlns="..."><Error><Type>Sender</Type><Code>NoSuchEntity</Code>
 *   <Message>...</Message></Error><RequestId>...</RequestId></ErrorResponse>
 *
 * Sources: the "Examples" of each action in the IAM API reference, e.g.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html and
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetUserPolicy.html (the policy
 * document comes back URL-encoded, RFC 3986).
 */
import type { IamError } from '../identity/errors.js';
import { xmlDocument, type XmlElement } from '../s3/xml.js';
import type {
    AccessKeyRecord,
    AccountRecord,
    ManagedPolicyRecord,
    UserRecord,
} from '../store/identity-types.js';

export const IAM_XMLNS = 'https://iam.amazonaws.com/doc/2010-05-08/';
export const IAM_API_VERSION = '2010-05-08';
export const IAM_CONTENT_TYPE = 'text/xml';

/** The response document of `action`; `result` undefined for actions without output. */
export function responseXml(action: string, result: XmlElement | undefined, requestId: string) {
    const body: XmlElement = result === undefined ? {} : { [`${action}Result`]: result };
    body.ResponseMetadata = { RequestId: requestId };
    return xmlDocument(`${action}Response`, body, IAM_XMLNS);
}

export function errorXml(error: IamError, requestId: string): string {
    return xmlDocument(
        'ErrorResponse',
        {
            Error: { Type: error.type, Code: error.code, Message: error.message },
            RequestId: requestId,
        },
        IAM_XMLNS,
    );
}

/** ISO 8601 to the second, as IAM writes CreateDate. */
export function isoSeconds(ms: number): string {
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A list member: `<Name><member>..</member>...</Name>`. */
export function members(items: XmlElement[] | string[]): XmlElement {
    return { member: items };
}

export function userXml(user: UserRecord): XmlElement {
    return {
        Path: user.path,
        UserName: user.userName,
        UserId: user.userId,
        Arn: user.arn,
        CreateDate: isoSeconds(user.createdAt),
    };
}

/** GetUser as the root user: IAM answers with the account id as UserId and the root ARN. */
export function rootUserXml(account: AccountRecord): XmlElement {
    return {
        UserId: account.accountId,
        Arn: `arn:aws:iam::${account.accountId}:root`,
        CreateDate: isoSeconds(account.createdAt),
    };
}

/** AccessKeyMetadata; a root key has no UserName. */
export function accessKeyXml(key: AccessKeyRecord, secretAccessKey?: string): XmlElement {
    const element: XmlElement = {};
    if (key.user) element.UserName = key.user.userName;
    element.AccessKeyId = key.accessKeyId;
    element.Status = key.status;
    if (secretAccessKey !== undefined) element.SecretAccessKey = secretAccessKey;
    element.CreateDate = isoSeconds(key.createdAt);
    return element;
}

/** A Policy; `withDescription` for CreatePolicy and GetPolicy (list results omit it). */
export function policyXml(policy: ManagedPolicyRecord, withDescription: boolean): XmlElement {
    const element: XmlElement = {
        PolicyName: policy.policyName,
        PolicyId: policy.policyId,
        Arn: policy.arn,
        Path: policy.path,
        DefaultVersionId: policy.defaultVersionId,
        AttachmentCount: policy.attachmentCount,
        PermissionsBoundaryUsageCount: 0,
        IsAttachable: 'true',
    };
    if (withDescription && policy.description !== '') element.Description = policy.description;
    element.CreateDate = isoSeconds(policy.createdAt);
    element.UpdateDate = isoSeconds(policy.updatedAt);
    return element;
}

/** Policy documents travel URL-encoded in IAM's responses. */
export function encodeDocument(document: string): string {
    return encodeURIComponent(document);
}
