/**
 * The checksum algorithms S3 accepts in `x-amz-checksum-*` headers and trailers, their wire
 * names, digest sizes, and which multipart checksum types each supports.
 */

/** An S3 additional-checksum algorithm, spelled as in `x-amz-checksum-algorithm`. */
export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256';

/** A CRC algorithm: the only kind whose per-part values can be combined into a full-object CRC. */
export type CrcAlgorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME';

/**
 * How a multipart object's checksum is built from its parts (`x-amz-checksum-type`):
 * FULL_OBJECT is the checksum of all the bytes; COMPOSITE is a checksum of the part checksums.
 */
export type ChecksumType = 'FULL_OBJECT' | 'COMPOSITE';

/** Every supported algorithm, in the order AWS documents them. */
export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = Object.freeze([
    'CRC32',
    'CRC32C',
    'CRC64NVME',
    'SHA1',
    'SHA256',
]);

/**
 * Raw digest sizes in bytes. Frozen: a stored or received checksum of any other size is invalid.
 * MD5 is here because it shares the hasher machinery (it makes the ETag and checks Content-MD5).
 */
export const DIGEST_LENGTHS: Readonly<Record<ChecksumAlgorithm | 'MD5', number>> = Object.freeze({
    CRC32: 4,
    CRC32C: 4,
    CRC64NVME: 8,
    SHA1: 20,
    SHA256: 32,
    MD5: 16,
});

/**
 * Which multipart checksum types S3 allows per algorithm: CRC64NVME is full-object only, the SHA
 * family composite only (a hash cannot be combined from part hashes), CRC32/CRC32C both.
 */
const SUPPORTED_TYPES: Readonly<Record<ChecksumAlgorithm, readonly ChecksumType[]>> = {
    CRC32: ['FULL_OBJECT', 'COMPOSITE'],
    CRC32C: ['FULL_OBJECT', 'COMPOSITE'],
    CRC64NVME: ['FULL_OBJECT'],
    SHA1: ['COMPOSITE'],
    SHA256: ['COMPOSITE'],
};

const BY_UPPER_NAME: ReadonlyMap<string, ChecksumAlgorithm> = new Map(
    CHECKSUM_ALGORITHMS.map((alg) => [alg, alg]),
);

/** Parses an algorithm name case-insensitively (`crc32c`, `Sha256`); undefined if unknown. */
export function parseChecksumAlgorithm(value: string): ChecksumAlgorithm | undefined {
    return BY_UPPER_NAME.get(value.toUpperCase());
}

/** The request/response header carrying this algorithm's value, e.g. `x-amz-checksum-crc32`. */
export function checksumHeader(alg: ChecksumAlgorithm): string {
    return `x-amz-checksum-${alg.toLowerCase()}`;
}

/** True for the CRC algorithms, whose part values combine into a full-object value. */
export function isCrcAlgorithm(alg: ChecksumAlgorithm): alg is CrcAlgorithm {
    return alg === 'CRC32' || alg === 'CRC32C' || alg === 'CRC64NVME';
}

/** Whether S3 accepts this algorithm with this multipart checksum type. */
export function supportsChecksumType(alg: ChecksumAlgorithm, type: ChecksumType): boolean {
    return SUPPORTED_TYPES[alg].includes(type);
}

const BASE64_PADDED = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Whether `value` is canonical padded base64 of exactly the algorithm's digest size. Canonical
 * means it re-encodes to itself: Buffer's decoder silently skips junk characters and ignores
 * stray low bits, so without this check malformed headers would decode to "some" digest.
 */
export function isValidBase64Digest(alg: ChecksumAlgorithm, value: string): boolean {
    if (!BASE64_PADDED.test(value)) return false;
    const raw = Buffer.from(value, 'base64');
    return raw.length === DIGEST_LENGTHS[alg] && raw.toString('base64') === value;
}
