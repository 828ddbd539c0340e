/**
 * Streaming hashers behind one small interface, and the MultiHasher the object pipeline feeds
 * every upload chunk through (MD5 for the ETag, the client's checksum, CRC64NVME by default).
 */
import { createHash, type Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { ChecksumAlgorithm } from './algorithms.js';
import { crc32c } from './crc32c.js';
import { Crc64Nvme } from './crc64nvme.js';

/** An algorithm a hasher can compute: the S3 checksums plus MD5 (ETag and Content-MD5). */
export type HashAlgorithm = ChecksumAlgorithm | 'MD5';

/** A streaming digest. `digest()` ends it: call it once, after the last `update`. */
export interface Hasher {
    update(chunk: Buffer): void;
    /** The raw digest; CRCs are big-endian, the byte order S3 base64-encodes. */
    digest(): Buffer;
}

const NODE_HASH_NAMES = { MD5: 'md5', SHA1: 'sha1', SHA256: 'sha256' } as const;

class NodeHasher implements Hasher {
    private readonly hash: Hash;

    constructor(name: string) {
        this.hash = createHash(name);
    }

    update(chunk: Buffer): void {
        this.hash.update(chunk);
    }

    digest(): Buffer {
        return this.hash.digest();
    }
}

/** A 32-bit CRC held as a finished value and extended with a zlib.crc32-style function. */
class Crc32Hasher implements Hasher {
    private crc = 0;

    constructor(private readonly extend: (data: Uint8Array, previous: number) => number) {}

    update(chunk: Buffer): void {
        this.crc = this.extend(chunk, this.crc);
    }

    digest(): Buffer {
        const out = Buffer.allocUnsafe(4);
        out.writeUInt32BE(this.crc, 0);
        return out;
    }
}

/**
 * Creates a fresh streaming hasher. MD5/SHA1/SHA256 come from node:crypto and CRC32 from
 * node:zlib (native); CRC32C and CRC64NVME are our own table-driven code (see their modules).
 */
export function createHasher(alg: HashAlgorithm): Hasher {
    switch (alg) {
        case 'MD5':
        case 'SHA1':
        case 'SHA256':
            return new NodeHasher(NODE_HASH_NAMES[alg]);
        case 'CRC32':
            return new Crc32Hasher(crc32);
        case 'CRC32C':
            return new Crc32Hasher(crc32c);
        case 'CRC64NVME':
            return new Crc64Nvme();
    }
}

/** One-shot digest of a whole buffer. */
export function digestOf(alg: HashAlgorithm, data: Buffer): Buffer {
    const hasher = createHasher(alg);
    hasher.update(data);
    return hasher.digest();
}

/**
 * Feeds each chunk to several hashers at once: always MD5 (the ETag), the checksum the client
 * asked for, and CRC64NVME when the client sent none (S3 then stores that one by default).
 * Duplicate algorithms are computed once.
 */
export class MultiHasher {
    private readonly algorithms: readonly HashAlgorithm[];
    private readonly hashers: readonly Hasher[];

    constructor(algs: readonly HashAlgorithm[]) {
        this.algorithms = [...new Set(algs)];
        this.hashers = this.algorithms.map(createHasher);
    }

    update(chunk: Buffer): void {
        // A plain indexed loop: this runs for every chunk of every upload.
        const hashers = this.hashers;
        for (let i = 0; i < hashers.length; i++) hashers[i].update(chunk);
    }

    /** Ends every hasher and returns its digest by algorithm; call once. */
    digests(): Map<HashAlgorithm, Buffer> {
        return new Map(this.algorithms.map((alg, i) => [alg, this.hashers[i].digest()]));
    }
}
