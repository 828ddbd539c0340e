/**
 * SSE-C: the customer's key as the request headers carry it, and what Coffer keeps instead.
 *
 * Recipe, version 1 (labels frozen: stored salts and MACs depend on them):
 * 1. A request carries K (base64 of 32 bytes) and MD5(K) (base64). The MD5 is checked; K is used
 *    for this request only and is never stored or logged, nor is its MD5.
 * 2. salt = 16 random bytes, stored with the object (or multipart upload).
 *    wrapping key = HKDF-SHA256(K, salt, "coffer/sse-c/v1/wrap-key"), 32 bytes;
 *    MAC key      = HKDF-SHA256(K, salt, "coffer/sse-c/v1/mac-key"), 32 bytes.
 * 3. The object's data key is stored as wrapKey(wrapping key, data key,
 *    wrapAad('sse-c', bucket, key)): bound to this bucket and key.
 * 4. customerKeyMac = HMAC-SHA256(MAC key, "coffer sse-c key check v1") is stored, so a later
 *    request proves it holds K without K being kept (AWS keeps a salted HMAC for the same
 *    purpose); compared in constant time. With 256 random bits in K, the MAC gives an attacker
 *    holding the metadata nothing to guess from.
 */
import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { unwrapKey, wrapAad, wrapKey } from '../crypto/index.js';
import { S3Error } from '../s3/errors.js';
import { header, type S3Request } from '../s3/types.js';
import type { ObjectEncryption } from '../store/types.js';

/** A customer key taken from a request, with the MD5 responses echo. */
export interface CustomerKey {
    key: Buffer;
    /** base64 MD5 of the key, as the request sent it (and as verified). */
    keyMd5: string;
}

/** Which SSE-C headers: the object written or read, or a copy's source. */
export type CustomerKeyHeaders = 'target' | 'source';

const PREFIXES: Record<CustomerKeyHeaders, string> = {
    target: 'x-amz-server-side-encryption-customer-',
    source: 'x-amz-copy-source-server-side-encryption-customer-',
};

const WRAP_LABEL = Buffer.from('coffer/sse-c/v1/wrap-key', 'latin1');
const MAC_LABEL = Buffer.from('coffer/sse-c/v1/mac-key', 'latin1');
const MAC_MESSAGE = Buffer.from('coffer sse-c key check v1', 'latin1');
const SALT_SIZE = 16;
const SSE_C_PURPOSE = 'sse-c';

const MESSAGES = {
    algorithm:
        'Requests specifying Server Side Encryption with Customer provided keys must provide a ' +
        'valid encryption algorithm.',
    key:
        'Requests specifying Server Side Encryption with Customer provided keys must provide an ' +
        'appropriate secret key.',
    invalidKey: 'The secret key was invalid for the specified algorithm.',
    md5: 'The calculated MD5 hash of the key did not match the hash that was provided.',
    insecure:
        'Requests specifying Server Side Encryption with Customer provided keys must be made ' +
        'over a secure connection.',
    wrongKey:
        'Requests specifying Server Side Encryption with Customer provided keys must provide the ' +
        'correct secret key.',
};

/** The 403 AWS answers when a request's customer key is not the object's. */
export function wrongCustomerKey(): S3Error {
    return new S3Error('AccessDenied', MESSAGES.wrongKey);
}

/** True when the request carries any SSE-C header of this kind. */
export function hasCustomerKeyHeaders(req: S3Request, which: CustomerKeyHeaders): boolean {
    const prefix = PREFIXES[which];
    return ['algorithm', 'key', 'key-md5'].some((name) => header(req, prefix + name) !== undefined);
}

/**
 * The request's customer key, validated as AWS validates it, or undefined when it sends none.
 * `use` decides the one case AWS answers differently: an MD5 header left out of a read is
 * treated as a wrong key (403), of a write as an invalid one (400).
 */
export function customerKeyOf(
    req: S3Request,
    which: CustomerKeyHeaders,
    use: 'write' | 'read',
): CustomerKey | undefined {
    if (!hasCustomerKeyHeaders(req, which)) return undefined;
    const prefix = PREFIXES[which];
    if (!req.ctx.secureTransport && !req.services.config.allowInsecureSsec) {
        throw new S3Error('InvalidRequest', MESSAGES.insecure);
    }
    const algorithm = header(req, `${prefix}algorithm`);
    if (algorithm === undefined) throw invalidArgument(MESSAGES.algorithm, `${prefix}algorithm`);
    if (algorithm !== 'AES256') {
        throw new S3Error('InvalidEncryptionAlgorithmError', undefined, {
            fields: { ArgumentName: `${prefix}algorithm`, ArgumentValue: algorithm },
        });
    }
    const encoded = header(req, `${prefix}key`);
    if (encoded === undefined) throw invalidArgument(MESSAGES.key, `${prefix}key`);
    const key = strictBase64(encoded);
    if (key?.length !== 32) throw invalidArgument(MESSAGES.invalidKey, `${prefix}key`);
    const sentMd5 = header(req, `${prefix}key-md5`);
    if (sentMd5 === undefined) {
        if (use === 'read') throw wrongCustomerKey();
        throw invalidArgument(MESSAGES.invalidKey, `${prefix}key`);
    }
    const md5 = createHash('md5').update(key).digest();
    const sent = strictBase64(sentMd5);
    if (sent?.length !== md5.length || !timingSafeEqual(sent, md5)) {
        throw invalidArgument(MESSAGES.md5, `${prefix}key-MD5`);
    }
    return { key, keyMd5: md5.toString('base64') };
}

/** Wraps `dataKey` under the customer key; the fields an SSE-C ObjectEncryption stores. */
export function sealWithCustomerKey(
    customer: CustomerKey,
    dataKey: Buffer,
    bucket: string,
    key: string,
): Pick<ObjectEncryption, 'wrappedKey' | 'customerKeySalt' | 'customerKeyMac'> {
    const salt = randomBytes(SALT_SIZE);
    const derived = deriveKeys(customer.key, salt);
    const wrapped = wrapKey(derived.wrapKey, dataKey, wrapAad(SSE_C_PURPOSE, bucket, key));
    return {
        wrappedKey: wrapped.toString('base64'),
        customerKeySalt: salt.toString('base64'),
        customerKeyMac: derived.mac.toString('base64'),
    };
}

/** Whether `customer` is the key `encryption` was made with (constant-time). */
export function customerKeyMatches(encryption: ObjectEncryption, customer: CustomerKey): boolean {
    if (!encryption.customerKeySalt || !encryption.customerKeyMac) return false;
    const { mac } = deriveKeys(customer.key, Buffer.from(encryption.customerKeySalt, 'base64'));
    const stored = Buffer.from(encryption.customerKeyMac, 'base64');
    return stored.length === mac.length && timingSafeEqual(stored, mac);
}

/** The data key of an SSE-C object; IntegrityError if the wrapped key does not open. */
export function openWithCustomerKey(
    encryption: ObjectEncryption,
    customer: CustomerKey,
    bucket: string,
    key: string,
): Buffer {
    const salt = Buffer.from(encryption.customerKeySalt ?? '', 'base64');
    const { wrapKey: wrappingKey } = deriveKeys(customer.key, salt);
    const wrapped = Buffer.from(encryption.wrappedKey, 'base64');
    return unwrapKey(wrappingKey, wrapped, wrapAad(SSE_C_PURPOSE, bucket, key));
}

function deriveKeys(customerKey: Buffer, salt: Buffer): { wrapKey: Buffer; mac: Buffer } {
    const wrapping = Buffer.from(hkdfSync('sha256', customerKey, salt, WRAP_LABEL, 32));
    const macKey = Buffer.from(hkdfSync('sha256', customerKey, salt, MAC_LABEL, 32));
    const mac = createHmac('sha256', macKey).update(MAC_MESSAGE).digest();
    macKey.fill(0);
    return { wrapKey: wrapping, mac };
}

/** Decodes base64 that round-trips exactly, so stray characters are not silently dropped. */
function strictBase64(text: string): Buffer | undefined {
    const bytes = Buffer.from(text.trim(), 'base64');
    return bytes.toString('base64') === text.trim() ? bytes : undefined;
}

/** InvalidArgument naming the header at fault; a key's value is never echoed. */
function invalidArgument(message: string, argumentName: string): S3Error {
    return new S3Error('InvalidArgument', message, { fields: { ArgumentName: argumentName } });
}
