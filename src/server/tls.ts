/**
 * The HTTPS listener's certificate: the operator's (`--tls-cert` / `--tls-key`), or a
 * self-signed one Coffer generates into `<data-dir>/tls/` on first start and reuses after.
 *
 * The self-signed certificate names every address a local client uses (`localhost`,
 * `127.0.0.1`, `::1`) plus `--domain` and `*.<domain>` for virtual-host requests, so clients can
 * verify it once given it as their CA bundle (`aws --ca-bundle`). It is regenerated only when it
 * no longer serves: unreadable, not matching its key, expiring within a week, or missing a name
 * the current flags need (a new `--domain`). Generation uses the `selfsigned` library (WebCrypto
 * underneath); no ASN.1 is built here.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { generate } from 'selfsigned';

/** Where the generated certificate lives, relative to the data dir. */
export const TLS_DIR = 'tls';
export const CERT_FILE = 'cert.pem';
export const KEY_FILE = 'key.pem';

/** 825 days: the longest validity Apple platforms accept for a TLS server certificate. */
const VALIDITY_DAYS = 825;
/** A certificate this close to expiry is replaced at startup rather than left to fail later. */
const RENEW_BEFORE_MS = 7 * 24 * 3600_000;
const DAY_MS = 24 * 3600_000;

/** PEM texts the HTTPS server is built from, and where the certificate came from. */
export interface TlsCredentials {
    cert: string;
    key: string;
    certPath: string;
    /** True when Coffer generated the certificate (clients need it as their CA bundle). */
    selfSigned: boolean;
}

export interface TlsOptions {
    dataDir: string;
    domain?: string;
    certFile?: string;
    keyFile?: string;
}

/** The names a self-signed certificate must carry for `domain` (or for local use only). */
export function selfSignedNames(domain?: string): { dns: string[]; ips: string[] } {
    const dns = ['localhost'];
    const ips = ['127.0.0.1', '::1'];
    if (domain !== undefined && domain.length > 0) {
        if (isIP(domain) !== 0) ips.push(domain);
        else dns.push(domain, `*.${domain}`);
    }
    return { dns, ips };
}

/** Loads the operator's certificate, or the self-signed one (generating it when needed). */
export async function loadTlsCredentials(
    options: TlsOptions,
    log: Logger,
): Promise<TlsCredentials> {
    if (options.certFile !== undefined && options.keyFile !== undefined) {
        const cert = readFileSync(options.certFile, 'utf8');
        const key = readFileSync(options.keyFile, 'utf8');
        const problem = unusableReason(cert, key);
        if (problem !== undefined) throw new Error(`--tls-cert/--tls-key: ${problem}`);
        return { cert, key, certPath: options.certFile, selfSigned: false };
    }
    if (options.certFile !== undefined || options.keyFile !== undefined) {
        throw new Error('give both --tls-cert and --tls-key, or neither');
    }
    const { certPath, keyPath } = await ensureSelfSignedCertificate(
        options.dataDir,
        options.domain,
        log,
    );
    return {
        cert: readFileSync(certPath, 'utf8'),
        key: readFileSync(keyPath, 'utf8'),
        certPath,
        selfSigned: true,
    };
}

/**
 * Makes sure `<dataDir>/tls/` holds a usable self-signed certificate for `domain`, generating
 * one when it does not; `generated` tells which happened.
 */
export async function ensureSelfSignedCertificate(
    dataDir: string,
    domain: string | undefined,
    log: Logger,
    now: Date = new Date(),
): Promise<{ certPath: string; keyPath: string; generated: boolean }> {
    const dir = join(dataDir, TLS_DIR);
    const certPath = join(dir, CERT_FILE);
    const keyPath = join(dir, KEY_FILE);
    const names = selfSignedNames(domain);
    if (existsSync(certPath) && existsSync(keyPath)) {
        const cert = readFileSync(certPath, 'utf8');
        const key = readFileSync(keyPath, 'utf8');
        const problem = unusableReason(cert, key, now) ?? missingName(cert, names);
        if (problem === undefined) return { certPath, keyPath, generated: false };
        log.warn({ event: 'tls-certificate-replaced', path: certPath, reason: problem }, problem);
    }
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const pems = await generateSelfSigned(names, now);
    // The key first: a certificate on disk without its key would be taken for a usable pair.
    writeAtomically(keyPath, pems.private, 0o600);
    writeAtomically(certPath, pems.cert, 0o644);
    log.info({ event: 'tls-certificate-generated', path: certPath }, 'self-signed certificate');
    return { certPath, keyPath, generated: true };
}

/** The line printed to stderr so a user can point the aws CLI at the self-signed certificate. */
export function caBundleHint(certPath: string, httpsUrl: string): string {
    return (
        `\nCoffer's HTTPS certificate is self-signed; trust it with its path as the CA bundle:\n` +
        `  aws --ca-bundle ${certPath} --endpoint-url ${httpsUrl} s3 ls\n\n`
    );
}

async function generateSelfSigned(names: { dns: string[]; ips: string[] }, now: Date) {
    // Back-dated an hour so a client whose clock runs slightly behind still accepts it.
    const notBeforeDate = new Date(now.getTime() - 3600_000);
    const notAfterDate = new Date(now.getTime() + VALIDITY_DAYS * DAY_MS);
    return generate([{ name: 'commonName', value: 'localhost' }], {
        keyType: 'ec',
        curve: 'P-256',
        algorithm: 'sha256',
        notBeforeDate,
        notAfterDate,
        extensions: [
            { name: 'basicConstraints', cA: false, critical: true },
            { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
            { name: 'extKeyUsage', serverAuth: true },
            {
                name: 'subjectAltName',
                altNames: [
                    ...names.dns.map((value) => ({ type: 2 as const, value })),
                    ...names.ips.map((ip) => ({ type: 7 as const, ip })),
                ],
            },
        ],
    });
}

/** Why a certificate/key pair cannot serve (undefined when it can). */
function unusableReason(cert: string, key: string, now?: Date): string | undefined {
    let certificate: X509Certificate;
    try {
        certificate = new X509Certificate(cert);
        if (!certificate.checkPrivateKey(createPrivateKey(key))) {
            return 'the certificate does not match the private key';
        }
    } catch (err) {
        return `unreadable certificate or key (${(err as Error).message})`;
    }
    if (now !== undefined && Date.parse(certificate.validTo) - now.getTime() < RENEW_BEFORE_MS) {
        return `the certificate expires ${certificate.validTo}`;
    }
    return undefined;
}

function missingName(cert: string, names: { dns: string[]; ips: string[] }): string | undefined {
    const certificate = new X509Certificate(cert);
    const sans = (certificate.subjectAltName ?? '').split(', ');
    const dns = names.dns.find((name) => !sans.includes(`DNS:${name}`));
    if (dns !== undefined) return `the certificate does not name ${dns}`;
    const ip = names.ips.find((address) => certificate.checkIP(address) === undefined);
    return ip === undefined ? undefined : `the certificate does not name ${ip}`;
}

function writeAtomically(path: string, text: string, mode: number): void {
    const temp = `${path}.tmp`;
    // A leftover from a crash keeps its old mode; the file is made anew so `mode` applies.
    rmSync(temp, { force: true });
    writeFileSync(temp, text, { mode, flag: 'wx' });
    renameSync(temp, path);
}
