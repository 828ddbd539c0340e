/**
 * The headers an object keeps: the standard representation headers and `x-amz-meta-*` user
 * metadata, read from a write request and returned on GET and HEAD.
 */
import { checksumHeader, parseChecksumAlgorithm } from '../checksum/index.js';
import type { ObjectRecord, StoredHeaders } from '../store/types.js';
import { httpDate, quoteEtag } from './common.js';
import { S3Error } from './errors.js';
import { header, type ResponseHeaders, type S3Request } from './types.js';

const STORED_HEADERS = [
    'content-type',
    'cache-control',
    'content-disposition',
    'content-encoding',
    'content-language',
    'expires',
] as const;

/** S3's limit on user-defined metadata: names and values, in UTF-8 bytes. */
const MAX_USER_METADATA_BYTES = 2048;
const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

export function storedHeadersOf(req: S3Request): StoredHeaders {
    const stored: StoredHeaders = {};
    for (const name of STORED_HEADERS) {
        const value = header(req, name);
        if (value !== undefined) stored[name] = value;
    }
    // aws-chunked is transfer framing, not a property of the object.
    const encoding = stored['content-encoding']
        ?.split(',')
        .map((e) => e.trim())
        .filter((e) => e !== '' && e.toLowerCase() !== 'aws-chunked')
        .join(',');
    if (encoding) stored['content-encoding'] = encoding;
    else delete stored['content-encoding'];
    stored['content-type'] ??= DEFAULT_CONTENT_TYPE;
    return stored;
}

export function userMetadataOf(req: S3Request): Record<string, string> {
    const metadata: Record<string, string> = {};
    let bytes = 0;
    for (const [name, raw] of Object.entries(req.headers)) {
        if (!name.startsWith('x-amz-meta-') || raw === undefined) continue;
        const key = name.slice('x-amz-meta-'.length);
        const value = Array.isArray(raw) ? raw.join(',') : raw;
        metadata[key] = value;
        bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
    }
    if (bytes > MAX_USER_METADATA_BYTES) {
        throw new S3Error('MetadataTooLarge', undefined, {
            fields: { Size: bytes, MaxSizeAllowed: MAX_USER_METADATA_BYTES },
        });
    }
    return metadata;
}

/**
 * The headers GET and HEAD return for an object. Checksums describe the whole object, so a
 * ranged read (a Range or a partNumber) does not carry them, as on AWS.
 */
export function objectResponseHeaders(
    record: ObjectRecord,
    req: S3Request,
    ranged: boolean,
): ResponseHeaders {
    const headers: ResponseHeaders = {
        'last-modified': httpDate(record.lastModified),
        etag: quoteEtag(record.etag),
        'accept-ranges': 'bytes',
        ...record.headers,
    };
    for (const [key, value] of Object.entries(record.userMetadata)) {
        headers[`x-amz-meta-${key}`] = value;
    }
    if (record.tags.length > 0) headers['x-amz-tagging-count'] = record.tags.length;
    if (record.partSizes && req.query.has('partNumber')) {
        headers['x-amz-mp-parts-count'] = record.partSizes.length;
    }
    const mode = header(req, 'x-amz-checksum-mode');
    if (mode?.toUpperCase() === 'ENABLED' && record.checksum && !ranged) {
        Object.assign(headers, checksumResponseHeaders(record.checksum));
    }
    return headers;
}

/** `x-amz-checksum-<alg>` and `x-amz-checksum-type` for a stored checksum. */
export function checksumResponseHeaders(checksum: ObjectRecord['checksum']): ResponseHeaders {
    const algorithm = checksum && parseChecksumAlgorithm(checksum.algorithm);
    if (!checksum || !algorithm) return {};
    return {
        [checksumHeader(algorithm)]: checksum.value,
        'x-amz-checksum-type': checksum.type,
    };
}

/** GetObject's `response-*` query parameters, which override stored headers. */
export function responseOverrides(req: S3Request): ResponseHeaders {
    const overrides: ResponseHeaders = {};
    for (const name of STORED_HEADERS) {
        const value = req.query.get(`response-${name}`);
        if (value !== null) overrides[name] = value;
    }
    if (Object.keys(overrides).length > 0 && req.ctx.principal.type === 'Anonymous') {
        throw new S3Error(
            'InvalidRequest',
            'Request specific response headers cannot be used for anonymous GET requests.',
        );
    }
    return overrides;
}
