/**
 * Reads a small request document (XML for DeleteObjects, Tagging, CreateBucket...)
 * with a size cap, verifying its Content-MD5 or additional checksum when the client sent one.
 */
import { createHasher } from '../checksum/index.js';
import { checksumRequestOf, contentMd5Of } from '../pipeline/checksum-request.js';
import { S3Error } from './errors.js';
import type { S3Request } from './types.js';

export const MAX_XML_BODY_BYTES = 2 * 1024 * 1024;

export async function readSmallBody(
    req: S3Request,
    limit: number = MAX_XML_BODY_BYTES,
    options: { requireIntegrityHeader?: boolean } = {},
): Promise<string> {
    const md5 = contentMd5Of(req.headers);
    const checksum = checksumRequestOf(req.headers);
    if (options.requireIntegrityHeader && !md5 && !checksum) {
        throw new S3Error(
            'InvalidRequest',
            'Missing required header for this request: Content-MD5',
        );
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req.body()) {
        size += (chunk as Buffer).length;
        if (size > limit) throw new S3Error('MalformedXML');
        chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks);
    if (md5 && !createDigest('MD5', body).equals(md5)) throw new S3Error('BadDigest');
    if (checksum) {
        const expected = checksum.trailerName
            ? req.trailers().get(checksum.trailerName)
            : checksum.expected;
        if (
            !expected ||
            !createDigest(checksum.algorithm, body).equals(Buffer.from(expected, 'base64'))
        ) {
            throw new S3Error(
                'BadDigest',
                `The ${checksum.algorithm} you specified did not match the calculated checksum.`,
            );
        }
    }
    return body.toString('utf8');
}

function createDigest(algorithm: Parameters<typeof createHasher>[0], body: Buffer): Buffer {
    const hasher = createHasher(algorithm);
    hasher.update(body);
    return hasher.digest();
}
