/**
 * What a CompleteMultipartUpload request asks for: the `<CompleteMultipartUpload>` part list,
 * read with a size cap, and the whole-object checksum headers.
 *
 * Unlike other small documents, the body is not checked against `x-amz-checksum-*`: on this
 * operation those headers carry the finished object's checksum. Content-MD5 is the body's.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
    CHECKSUM_ALGORITHMS,
    checksumHeader,
    isValidBase64Digest,
    type ChecksumAlgorithm,
    type ChecksumType,
} from '../checksum/index.js';
import { S3Error } from './errors.js';
import { checksumElement } from './multipart-common.js';
import { parseChecksumType } from './multipart-create.js';
import { header, type S3Request } from './types.js';
import { childElements, childText, parseXmlBody } from './xml.js';

/**
 * The largest body accepted. 10,000 parts with every checksum element stay well below it; a
 * larger body is not a part list, and reading it whole would let a client exhaust memory.
 */
export const MAX_COMPLETE_BODY_BYTES = 1024 * 1024;

export interface RequestedPart {
    partNumber: number;
    /** The ETag as sent, quotes removed. */
    etag: string;
    /** Part checksums sent in the XML, by algorithm (base64). */
    checksums: Map<ChecksumAlgorithm, string>;
}

/** The whole-object checksum a Complete request may carry in headers. */
export interface RequestedObjectChecksum {
    type?: ChecksumType;
    algorithm?: ChecksumAlgorithm;
    value?: string;
}

/**
 * Reads and parses the part list; MalformedXML if empty, too large, or not a part list, and
 * BadDigest if it does not match the Content-MD5 sent with it.
 */
export async function readRequestedParts(
    body: Readable,
    contentMd5: Buffer | undefined,
): Promise<RequestedPart[]> {
    const bytes = await readCapped(body, MAX_COMPLETE_BODY_BYTES);
    if (contentMd5 && !createHash('md5').update(bytes).digest().equals(contentMd5)) {
        throw new S3Error('BadDigest');
    }
    return parseRequestedParts(bytes.toString('utf8'));
}

/** Parses `<CompleteMultipartUpload><Part>...</Part>...</CompleteMultipartUpload>`. */
export function parseRequestedParts(text: string): RequestedPart[] {
    const root = parseXmlBody(text, 'CompleteMultipartUpload', ['Part']);
    const parts = childElements(root, 'Part').map((part): RequestedPart => {
        const number = childText(part, 'PartNumber')?.trim() ?? '';
        if (!/^\d{1,9}$/.test(number)) throw new S3Error('MalformedXML');
        const checksums = new Map<ChecksumAlgorithm, string>();
        for (const alg of CHECKSUM_ALGORITHMS) {
            const value = childText(part, checksumElement(alg));
            if (value !== undefined) checksums.set(alg, value.trim());
        }
        const etag = childText(part, 'ETag')?.trim().replace(/^"|"$/g, '') ?? '';
        return { partNumber: Number(number), etag, checksums };
    });
    if (parts.length === 0) throw new S3Error('MalformedXML');
    for (let i = 1; i < parts.length; i++) {
        if (parts[i]!.partNumber <= parts[i - 1]!.partNumber) {
            throw new S3Error('InvalidPartOrder');
        }
    }
    return parts;
}

/** `x-amz-checksum-type` and at most one `x-amz-checksum-<alg>` of the finished object. */
export function requestedObjectChecksum(req: S3Request): RequestedObjectChecksum {
    const rawType = header(req, 'x-amz-checksum-type');
    const type = rawType === undefined ? undefined : parseChecksumType(rawType);
    const sent = CHECKSUM_ALGORITHMS.filter(
        (alg) => header(req, checksumHeader(alg)) !== undefined,
    );
    if (sent.length > 1) {
        throw new S3Error(
            'InvalidRequest',
            'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
        );
    }
    const algorithm = sent[0];
    if (!algorithm) return { type };
    const value = header(req, checksumHeader(algorithm))!.trim();
    // A COMPOSITE value carries its `-<parts>` suffix; only the digest must be well formed.
    if (!isValidBase64Digest(algorithm, value.replace(/-\d+$/, ''))) {
        throw new S3Error(
            'InvalidRequest',
            `Value for ${checksumHeader(algorithm)} header is invalid.`,
        );
    }
    return { type, algorithm, value };
}

async function readCapped(body: Readable, cap: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > cap) throw new S3Error('MalformedXML');
        chunks.push(chunk);
    }
    return Buffer.concat(chunks);
}
