/**
 * Single-core throughput of the primitives on Coffer's data path, measured in this process,
 * and the ceilings they put on one core's PUT and GET rates: a PUT runs every byte through MD5
 * and a CRC (CRC64NVME unless the client sends its own), plus SHA-256 for signed payloads and
 * AES-256-GCM once encrypted; a plaintext GET is a memory copy, an encrypted one AES-GCM.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { createHasher, type HashAlgorithm } from '../src/checksum/index.js';
import type { Mode } from './modes.js';

const PACKAGE = 64 * 1024;
const MiB = 1024 * 1024;
const source = randomBytes(MiB);
const packages = Array.from({ length: MiB / PACKAGE }, (_, i) =>
    source.subarray(i * PACKAGE, (i + 1) * PACKAGE),
);

/** MiB/s of each primitive (median of three runs). */
export type PrimitiveRates = Record<PrimitiveName, number>;

export type PrimitiveName =
    | 'MD5'
    | 'CRC32'
    | 'CRC32C'
    | 'CRC64NVME'
    | 'SHA-256'
    | 'AES-256-GCM seal'
    | 'AES-256-GCM open'
    | 'memory copy';

function hashing(alg: HashAlgorithm) {
    return (bytes: number) => {
        const hasher = createHasher(alg);
        for (let done = 0, i = 0; done < bytes; done += PACKAGE, i++)
            hasher.update(packages[i % 16]);
        hasher.digest();
    };
}

const key = randomBytes(32);

/** Each 64 KiB package sealed on its own with a fresh nonce, as an encrypted object is. */
function seal(bytes: number): void {
    for (let done = 0, i = 0; done < bytes; done += PACKAGE, i++) {
        const cipher = createCipheriv('aes-256-gcm', key, randomBytes(12));
        cipher.update(packages[i % 16]);
        cipher.final();
        cipher.getAuthTag();
    }
}

function open(bytes: number): void {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    const sealed = Buffer.concat([cipher.update(packages[0]), cipher.final()]);
    const tag = cipher.getAuthTag();
    for (let done = 0; done < bytes; done += PACKAGE) {
        const decipher = createDecipheriv('aes-256-gcm', key, nonce);
        decipher.setAuthTag(tag);
        decipher.update(sealed);
        decipher.final();
    }
}

function copy(bytes: number): void {
    const target = Buffer.allocUnsafe(MiB);
    for (let done = 0, i = 0; done < bytes; done += PACKAGE, i++) {
        packages[i % 16].copy(target, (i % 16) * PACKAGE);
    }
}

const PRIMITIVES: Record<PrimitiveName, (bytes: number) => void> = {
    MD5: hashing('MD5'),
    CRC32: (bytes) => {
        let crc = 0;
        for (let done = 0, i = 0; done < bytes; done += PACKAGE, i++)
            crc = crc32(packages[i % 16], crc);
    },
    CRC32C: hashing('CRC32C'),
    CRC64NVME: hashing('CRC64NVME'),
    'SHA-256': (bytes) => {
        const hash = createHash('sha256');
        for (let done = 0, i = 0; done < bytes; done += PACKAGE, i++) hash.update(packages[i % 16]);
        hash.digest();
    },
    'AES-256-GCM seal': seal,
    'AES-256-GCM open': open,
    'memory copy': copy,
};

/** Measures every primitive over `bytesPerRun` bytes, three times, keeping the median. */
export function measurePrimitives(bytesPerRun: number): PrimitiveRates {
    const rates = {} as PrimitiveRates;
    for (const [name, run] of Object.entries(PRIMITIVES) as Array<
        [PrimitiveName, (n: number) => void]
    >) {
        run(8 * MiB); // warm-up: let V8 optimise the JavaScript CRCs before timing
        const runs = [0, 1, 2].map(() => {
            const started = performance.now();
            run(bytesPerRun);
            return bytesPerRun / MiB / ((performance.now() - started) / 1000);
        });
        rates[name] = runs.sort((a, b) => a - b)[1];
    }
    return rates;
}

/** Each primitive's better rate of two measurements. */
export function bestOf(a: PrimitiveRates, b: PrimitiveRates): PrimitiveRates {
    const best = { ...a };
    for (const name of Object.keys(b) as PrimitiveName[]) best[name] = Math.max(a[name], b[name]);
    return best;
}

/** The primitives one byte passes through, and the single-core rate that chain allows. */
export interface Limit {
    chain: PrimitiveName[];
    mibPerSecond: number;
}

function chainLimit(rates: PrimitiveRates, chain: PrimitiveName[]): Limit {
    return { chain, mibPerSecond: 1 / chain.reduce((sum, name) => sum + 1 / rates[name], 0) };
}

/** PUT ceiling: MD5 + CRC64NVME (+ SHA-256 when payloads are signed, + AES-GCM if encrypted). */
export function putLimit(rates: PrimitiveRates, mode: Mode, signedPayload: boolean): Limit {
    const chain: PrimitiveName[] = ['MD5', 'CRC64NVME'];
    if (signedPayload) chain.push('SHA-256');
    if (mode.encrypted) chain.push('AES-256-GCM seal');
    return chainLimit(rates, chain);
}

/** GET ceiling: AES-GCM opening when encrypted, else a memory copy. */
export function getLimit(rates: PrimitiveRates, mode: Mode): Limit {
    return chainLimit(rates, [mode.encrypted ? 'AES-256-GCM open' : 'memory copy']);
}
