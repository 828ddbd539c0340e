/**
 * The read side as operations use it: checking a GET, HEAD or copy's SSE headers against the
 * object (AWS-SEMANTICS.md section 3.3), opening its data key, and streaming its plaintext.
 *
 * A stored object that fails authentication (a tampered blob, a wrapped key that does not open)
 * is a 500 InternalError; the server log gets an error line naming bucket and key. When that
 * happens mid-stream the connection breaks: no byte of a package that failed is ever sent.
 */
import type { Readable } from 'node:stream';
import { IntegrityError } from '../crypto/index.js';
import { isKmsError } from '../kms/errors.js';
import { readObjectRange, type SegmentDecryption } from '../pipeline/read.js';
import { S3Error } from '../s3/errors.js';
import type { S3Request } from '../s3/types.js';
import type { ObjectEncryption, ObjectRecord, UploadRecord } from '../store/types.js';
import {
    customerKeyMatches,
    customerKeyOf,
    wrongCustomerKey,
    type CustomerKey,
    type CustomerKeyHeaders,
} from './customer-key.js';
import { openDataKey } from './data-keys.js';
import { s3ErrorOfKms } from './kms-errors.js';
import { refuseSseChoiceHeaders } from './request-headers.js';
import { kmsCallerOf, refuseAnonymousKms } from './write.js';

const STORED_WITH_SSE =
    'The object was stored using a form of Server Side Encryption. The correct parameters must ' +
    'be provided to retrieve the object.';
const NOT_APPLICABLE = 'The encryption parameters are not applicable to this object.';

/** A record's encryption; one without is never served (no raw blob bytes leave the server). */
export function requireEncryption(
    req: S3Request,
    record: Pick<ObjectRecord | UploadRecord, 'bucket' | 'key' | 'encryption'>,
): ObjectEncryption {
    if (record.encryption) return record.encryption;
    throw integrityFailure(req, record, new IntegrityError('record has no encryption metadata'));
}

/**
 * GET and HEAD: refuses SSE headers that do not fit the object and returns the customer key of
 * an SSE-C object, proved against its stored MAC.
 */
export function readCustomerKeyOf(req: S3Request, record: ObjectRecord): CustomerKey | undefined {
    refuseSseChoiceHeaders(req);
    return checkedCustomerKey(req, record, 'target');
}

/** CopyObject and UploadPartCopy: the same checks with the copy-source SSE-C headers. */
export function copySourceCustomerKeyOf(
    req: S3Request,
    record: ObjectRecord,
): CustomerKey | undefined {
    return checkedCustomerKey(req, record, 'source');
}

function checkedCustomerKey(
    req: S3Request,
    record: ObjectRecord,
    which: CustomerKeyHeaders,
): CustomerKey | undefined {
    const encryption = requireEncryption(req, record);
    const customerKey = customerKeyOf(req, which, 'read');
    if (encryption.mode !== 'SSE-C') {
        if (customerKey) throw new S3Error('InvalidRequest', NOT_APPLICABLE);
        if (encryption.mode === 'SSE-KMS') refuseAnonymousKms(req);
        return undefined;
    }
    if (!customerKey) throw new S3Error('InvalidRequest', STORED_WITH_SSE);
    if (!customerKeyMatches(encryption, customerKey)) throw wrongCustomerKey();
    return customerKey;
}

/**
 * The data key and object id that open `record`'s blobs. Every call of this enforces the KMS
 * key's state (a disabled key blocks the read).
 */
export async function openObject(
    req: S3Request,
    record: ObjectRecord,
    customerKey: CustomerKey | undefined,
): Promise<SegmentDecryption> {
    const encryption = requireEncryption(req, record);
    const dataKey = await openRecordKey(req, record, encryption, customerKey);
    return { dataKey, objectId: Buffer.from(encryption.objectId, 'base64') };
}

/**
 * The data key of an object or upload. A wrapped key that does not open (or that the KMS calls
 * an invalid ciphertext) is damaged metadata: logged with the object's name, a 500.
 */
export async function openRecordKey(
    req: S3Request,
    record: Pick<ObjectRecord, 'bucket' | 'key'>,
    encryption: ObjectEncryption,
    customerKey: CustomerKey | undefined,
): Promise<Buffer> {
    const who = kmsCallerOf(req);
    try {
        return await openDataKey(who, record.bucket, record.key, encryption, customerKey);
    } catch (err) {
        const damaged =
            err instanceof IntegrityError ||
            isKmsError(err, 'InvalidCiphertextException') ||
            isKmsError(err, 'IncorrectKeyException');
        if (damaged) throw integrityFailure(req, record, err as Error);
        throw s3ErrorOfKms(err);
    }
}

/** Plaintext bytes [start, end] of `record`; an integrity failure is logged with its name. */
export function readPlaintext(
    req: S3Request,
    record: ObjectRecord,
    decryption: SegmentDecryption,
    start: number,
    end: number,
): Readable {
    const stream = readObjectRange(req.services.blobs, record.segments, start, end, decryption);
    stream.once('error', (err) => {
        if (err instanceof IntegrityError) logIntegrityFailure(req, record, err);
    });
    return stream;
}

/** Logs a failed check of stored data with the object's name and answers InternalError. */
export function integrityFailure(
    req: S3Request,
    record: Pick<ObjectRecord, 'bucket' | 'key'>,
    err: Error,
): S3Error {
    logIntegrityFailure(req, record, err);
    return new S3Error('InternalError', undefined, { cause: err });
}

function logIntegrityFailure(
    req: S3Request,
    record: Pick<ObjectRecord, 'bucket' | 'key'>,
    err: Error,
): void {
    req.ctx.log.error(
        { event: 'integrity-failure', bucket: record.bucket, key: record.key, reason: err.message },
        'stored object failed its integrity check',
    );
}
