/**
 * Expected S3 checksums, computed independently of Coffer's own `src/checksum/`: node:crypto for
 * the SHA family, node:zlib for CRC32, and AWS's npm packages for CRC32C and CRC64NVME.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { crc32c } from '@aws-crypto/crc32c';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';

export type Algorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256';

export const ALGORITHMS: readonly Algorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];

/** The raw digest (CRCs big-endian), as S3 puts it on the wire before base64. */
export async function digest(algorithm: Algorithm, data: Uint8Array): Promise<Buffer> {
    switch (algorithm) {
        case 'CRC32':
            return uint32(crc32(data));
        case 'CRC32C':
            return uint32(crc32c(data));
        case 'CRC64NVME': {
            const crc = new Crc64Nvme();
            crc.update(data);
            return Buffer.from(await crc.digest());
        }
        case 'SHA1':
            return createHash('sha1').update(data).digest();
        case 'SHA256':
            return createHash('sha256').update(data).digest();
    }
}

/** The base64 value of `x-amz-checksum-<alg>` for `data`. */
export async function checksumBase64(algorithm: Algorithm, data: Uint8Array): Promise<string> {
    return (await digest(algorithm, data)).toString('base64');
}

/**
 * A COMPOSITE multipart checksum: the checksum of the concatenated binary part checksums,
 * suffixed with `-<part count>`, as S3 documents it.
 */
export async function compositeBase64(algorithm: Algorithm, parts: Uint8Array[]): Promise<string> {
    const partDigests = await Promise.all(parts.map((part) => digest(algorithm, part)));
    const outer = await digest(algorithm, Buffer.concat(partDigests));
    return `${outer.toString('base64')}-${parts.length}`;
}

export function sha256Hex(data: Uint8Array): string {
    return createHash('sha256').update(data).digest('hex');
}

export function md5Hex(data: Uint8Array): string {
    return createHash('md5').update(data).digest('hex');
}

export function md5Base64(data: Uint8Array | string): string {
    return createHash('md5').update(data).digest('base64');
}

function uint32(value: number): Buffer {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(value >>> 0);
    return out;
}
