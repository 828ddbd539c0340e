/**
 * The SSE request headers of a write (PutObject, CopyObject's target, CreateMultipartUpload),
 * validated as AWS validates them (AWS-SEMANTICS.md sections 3.1 and 3.2), and the headers
 * other operations must not carry.
 */
import type { EncryptionContext } from '../kms/types.js';
import { S3Error } from '../s3/errors.js';
import { header, type S3Request } from '../s3/types.js';
import { customerKeyOf, type CustomerKey } from './customer-key.js';

/** What a write's headers ask for, before the bucket default fills in what they leave open. */
export type SseWriteHeaders =
    | { mode: 'default'; bucketKeyEnabled?: boolean }
    | { mode: 'SSE-S3' }
    | {
          mode: 'SSE-KMS';
          keyId?: string;
          context: EncryptionContext;
          bucketKeyEnabled?: boolean;
      }
    | { mode: 'SSE-C'; customerKey: CustomerKey };

const SSE = 'x-amz-server-side-encryption';
const KMS_KEY_ID = 'x-amz-server-side-encryption-aws-kms-key-id';
const CONTEXT = 'x-amz-server-side-encryption-context';
const BUCKET_KEY = 'x-amz-server-side-encryption-bucket-key-enabled';

/** The headers that choose SSE-S3 or SSE-KMS; none may appear where the choice is not made. */
export const SSE_CHOICE_HEADERS = [SSE, KMS_KEY_ID, CONTEXT, BUCKET_KEY] as const;

/** True when the request names any encryption for the object it writes. */
export function hasSseWriteHeaders(req: S3Request): boolean {
    return (
        SSE_CHOICE_HEADERS.some((name) => header(req, name) !== undefined) ||
        header(req, 'x-amz-server-side-encryption-customer-algorithm') !== undefined
    );
}

/** Parses and validates a write's SSE headers. */
export function sseWriteHeadersOf(req: S3Request): SseWriteHeaders {
    const algorithm = header(req, SSE);
    const customerKey = customerKeyOf(req, 'target', 'write');
    if (customerKey) {
        if (algorithm !== undefined) {
            throw new S3Error(
                'InvalidArgument',
                'Server Side Encryption with Customer provided key is incompatible with the ' +
                    'encryption method specified',
                { fields: { ArgumentName: SSE, ArgumentValue: algorithm } },
            );
        }
        refuseKmsHeaders(req);
        return { mode: 'SSE-C', customerKey };
    }
    const bucketKeyEnabled = bucketKeyHeader(req);
    if (algorithm === undefined) {
        refuseKmsHeaders(req);
        return { mode: 'default', bucketKeyEnabled };
    }
    if (algorithm === 'AES256') {
        refuseKmsHeaders(req);
        return { mode: 'SSE-S3' };
    }
    if (algorithm === 'aws:kms') {
        return {
            mode: 'SSE-KMS',
            keyId: nonEmpty(header(req, KMS_KEY_ID), KMS_KEY_ID),
            context: contextOf(req),
            bucketKeyEnabled,
        };
    }
    if (algorithm === 'aws:kms:dsse') {
        throw new S3Error(
            'NotImplemented',
            'DSSE-KMS (aws:kms:dsse) is not implemented by Coffer.',
        );
    }
    throw new S3Error('InvalidArgument', 'The encryption method specified is not supported', {
        fields: { ArgumentName: SSE, ArgumentValue: algorithm },
    });
}

/**
 * UploadPart and UploadPartCopy inherit the upload's SSE-S3/SSE-KMS choice; GET and HEAD read
 * the object's. AWS refuses the headers there.
 */
export function refuseSseChoiceHeaders(req: S3Request): void {
    const sent = SSE_CHOICE_HEADERS.find((name) => header(req, name) !== undefined);
    if (sent === undefined) return;
    throw new S3Error(
        'InvalidArgument',
        'x-amz-server-side-encryption header is not supported for this operation.',
        { fields: { ArgumentName: sent, ArgumentValue: header(req, sent)! } },
    );
}

/** A KMS key id or context without `x-amz-server-side-encryption: aws:kms`. */
function refuseKmsHeaders(req: S3Request): void {
    const sent = [KMS_KEY_ID, CONTEXT].find((name) => header(req, name) !== undefined);
    if (sent === undefined) return;
    throw new S3Error(
        'InvalidArgument',
        'Server Side Encryption with AWS KMS managed key requires HTTP header ' +
            'x-amz-server-side-encryption : aws:kms',
        { fields: { ArgumentName: sent } },
    );
}

function bucketKeyHeader(req: S3Request): boolean | undefined {
    const value = header(req, BUCKET_KEY);
    if (value === undefined) return undefined;
    const lower = value.trim().toLowerCase();
    if (lower === 'true' || lower === 'false') return lower === 'true';
    throw new S3Error(
        'InvalidArgument',
        'Invalid value for x-amz-server-side-encryption-bucket-key-enabled',
        {
            fields: { ArgumentName: BUCKET_KEY, ArgumentValue: value },
        },
    );
}

/**
 * `x-amz-server-side-encryption-context`: base64 of a JSON object of string values. S3 adds
 * `aws:s3:arn` itself, so a caller may not set it.
 */
function contextOf(req: S3Request): EncryptionContext {
    const raw = header(req, CONTEXT);
    if (raw === undefined) return {};
    let parsed: unknown;
    try {
        // Parse boundary: any JSON may arrive; the shape is checked below.
        parsed = JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
    } catch {
        parsed = undefined;
    }
    const valid =
        typeof parsed === 'object' &&
        parsed !== null &&
        !Array.isArray(parsed) &&
        Object.values(parsed).every((value) => typeof value === 'string') &&
        !Object.hasOwn(parsed, 'aws:s3:arn');
    if (!valid) {
        throw new S3Error(
            'InvalidArgument',
            "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 " +
                'string holding JSON which represents a string-string map',
            { fields: { ArgumentName: CONTEXT } },
        );
    }
    return parsed as EncryptionContext;
}

function nonEmpty(value: string | undefined, name: string): string | undefined {
    if (value === undefined || value.trim() !== '') return value?.trim();
    throw new S3Error('InvalidArgument', `The ${name} header must not be empty.`, {
        fields: { ArgumentName: name },
    });
}
