/**
 * What a request says about the integrity of its body: Content-MD5, and one S3 additional
 * checksum, sent either as an `x-amz-checksum-<alg>` header or announced in `x-amz-trailer`
 * and sent after an aws-chunked body.
 */
import type { IncomingHttpHeaders } from 'node:http';
import {
    CHECKSUM_ALGORITHMS,
    checksumHeader,
    isValidBase64Digest,
    parseChecksumAlgorithm,
    type ChecksumAlgorithm,
} from '../checksum/index.js';
import { S3Error } from '../s3/errors.js';

export interface ChecksumRequest {
    algorithm: ChecksumAlgorithm;
    /** The base64 digest sent as a header; undefined when it comes as a trailer. */
    expected?: string;
    trailerName?: string;
}

/** Reads the additional checksum a request announces, validating its shape. */
export function checksumRequestOf(headers: IncomingHttpHeaders): ChecksumRequest | undefined {
    const sent = CHECKSUM_ALGORITHMS.filter((alg) => headers[checksumHeader(alg)] !== undefined);
    const trailer = headerText(headers, 'x-amz-trailer')?.trim().toLowerCase();
    const sdkAlgorithm = headerText(headers, 'x-amz-sdk-checksum-algorithm');
    if (sent.length + (trailer ? 1 : 0) > 1) {
        throw new S3Error(
            'InvalidRequest',
            'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
        );
    }
    if (trailer) return trailerRequest(trailer);
    if (sent.length === 1) {
        const algorithm = sent[0]!;
        const name = checksumHeader(algorithm);
        const expected = headerText(headers, name)!;
        if (!isValidBase64Digest(algorithm, expected)) {
            throw new S3Error('InvalidRequest', `Value for ${name} header is invalid.`);
        }
        return { algorithm, expected };
    }
    if (sdkAlgorithm !== undefined) {
        const algorithm = parseChecksumAlgorithm(sdkAlgorithm);
        if (!algorithm) {
            throw new S3Error(
                'InvalidRequest',
                'Value for x-amz-sdk-checksum-algorithm header is invalid.',
            );
        }
        return { algorithm };
    }
    return undefined;
}

function trailerRequest(trailer: string): ChecksumRequest {
    const algorithm = trailer.startsWith('x-amz-checksum-')
        ? parseChecksumAlgorithm(trailer.slice('x-amz-checksum-'.length))
        : undefined;
    if (!algorithm) {
        throw new S3Error('InvalidRequest', 'The value specified in the x-amz-trailer header is ' +
            'not supported');
    }
    return { algorithm, trailerName: trailer };
}

/** Decodes a Content-MD5 header; InvalidDigest when it is not 16 base64-encoded bytes. */
export function contentMd5Of(headers: IncomingHttpHeaders): Buffer | undefined {
    const value = headerText(headers, 'content-md5');
    if (value === undefined) return undefined;
    const digest = Buffer.from(value, 'base64');
    if (digest.length !== 16 || digest.toString('base64') !== value.trim()) {
        throw new S3Error('InvalidDigest');
    }
    return digest;
}

function headerText(headers: IncomingHttpHeaders, name: string): string | undefined {
    const value = headers[name];
    return Array.isArray(value) ? value.join(',') : value;
}
