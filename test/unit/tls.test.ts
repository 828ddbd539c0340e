/**
 * The self-signed certificate: generated once into <data-dir>/tls/, parseable by node's own
 * X.509 code, naming every local address and the domain, with a private key only the owner can
 * read, reused on restart and replaced when it no longer serves. A real TLS handshake checks
 * that a client given it as its CA accepts it for 127.0.0.1, ::1 and localhost.
 */
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, get } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import {
    ensureSelfSignedCertificate,
    loadTlsCredentials,
    selfSignedNames,
} from '../../src/server/tls.js';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-tls-'));
    dirs.push(dir);
    return dir;
}

/** A real pino logger whose JSON lines are kept for inspection. */
function capturingLogger() {
    const events: Array<Record<string, unknown>> = [];
    const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
            events.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
            done();
        },
    });
    return { log: pino({ level: 'debug' }, sink), events };
}

describe('selfSignedNames', () => {
    it('names the local addresses, and the domain with its wildcard', () => {
        assert.deepEqual(selfSignedNames(), { dns: ['localhost'], ips: ['127.0.0.1', '::1'] });
        assert.deepEqual(selfSignedNames('s3.example.test'), {
            dns: ['localhost', 's3.example.test', '*.s3.example.test'],
            ips: ['127.0.0.1', '::1'],
        });
        assert.deepEqual(selfSignedNames('192.0.2.8').ips, ['127.0.0.1', '::1', '192.0.2.8']);
    });
});

describe('ensureSelfSignedCertificate', () => {
    const dataDir = tempDir();
    const { log, events } = capturingLogger();
    let first: Awaited<ReturnType<typeof ensureSelfSignedCertificate>>;

    it('generates a parseable certificate with the SANs on first start', async () => {
        first = await ensureSelfSignedCertificate(dataDir, 's3.example.test', log);
        assert.equal(first.generated, true);
        assert.equal(first.certPath, join(dataDir, 'tls', 'cert.pem'));
        assert.equal(first.keyPath, join(dataDir, 'tls', 'key.pem'));
        const cert = new X509Certificate(readFileSync(first.certPath));
        assert.equal(cert.subject, 'CN=localhost');
        assert.equal(cert.ca, false);
        const sans = cert.subjectAltName!.split(', ');
        for (const name of ['localhost', 's3.example.test', '*.s3.example.test']) {
            assert.ok(sans.includes(`DNS:${name}`), `${name} in ${cert.subjectAltName}`);
        }
        assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
        assert.equal(cert.checkIP('::1'), '::1');
        assert.equal(cert.checkHost('bucket.s3.example.test'), '*.s3.example.test');
        assert.equal(cert.checkHost('example.test'), undefined);
        assert.ok(cert.checkPrivateKey(createPrivateKey(readFileSync(first.keyPath))));
        assert.ok(Date.parse(cert.validFrom) <= Date.now());
        assert.ok(Date.parse(cert.validTo) > Date.now() + 365 * 24 * 3600_000);
    });

    it('keeps the private key readable by its owner only', () => {
        assert.equal(statSync(first.keyPath).mode & 0o777, 0o600);
        assert.equal(statSync(join(dataDir, 'tls')).mode & 0o777, 0o700);
    });

    it('logs the certificate path once, never the key', () => {
        const generated = events.filter((event) => event['event'] === 'tls-certificate-generated');
        assert.equal(generated.length, 1);
        assert.equal(generated[0]!['path'], first.certPath);
        assert.ok(!JSON.stringify(events).includes('PRIVATE KEY'));
    });

    it('reuses the certificate on restart', async () => {
        const before = readFileSync(first.certPath, 'utf8');
        const again = await ensureSelfSignedCertificate(dataDir, 's3.example.test', log);
        assert.equal(again.generated, false);
        assert.equal(readFileSync(first.certPath, 'utf8'), before);
    });

    it('replaces it when the domain changes', async () => {
        const renamed = await ensureSelfSignedCertificate(dataDir, 'other.test', log);
        assert.equal(renamed.generated, true);
        const cert = new X509Certificate(readFileSync(renamed.certPath));
        assert.ok(cert.subjectAltName!.split(', ').includes('DNS:*.other.test'));
        assert.ok(events.some((event) => event['event'] === 'tls-certificate-replaced'));
    });

    it('replaces it when it is about to expire', async () => {
        const later = new Date(Date.now() + 820 * 24 * 3600_000);
        const renewed = await ensureSelfSignedCertificate(dataDir, 'other.test', log, later);
        assert.equal(renewed.generated, true);
        const cert = new X509Certificate(readFileSync(renewed.certPath));
        assert.ok(Date.parse(cert.validTo) > later.getTime() + 365 * 24 * 3600_000);
    });

    it('replaces a key that does not match the certificate', async () => {
        const dir = tempDir();
        const a = await ensureSelfSignedCertificate(dir, undefined, log);
        const other = await ensureSelfSignedCertificate(tempDir(), undefined, log);
        writeFileSync(a.keyPath, readFileSync(other.keyPath));
        const fixed = await ensureSelfSignedCertificate(dir, undefined, log);
        assert.equal(fixed.generated, true);
        const cert = new X509Certificate(readFileSync(fixed.certPath));
        assert.ok(cert.checkPrivateKey(createPrivateKey(readFileSync(fixed.keyPath))));
    });
});

describe('loadTlsCredentials', () => {
    const { log } = capturingLogger();

    it('uses the operator files when both are given', async () => {
        const source = await ensureSelfSignedCertificate(tempDir(), undefined, log);
        const dataDir = tempDir();
        const tls = await loadTlsCredentials(
            { dataDir, certFile: source.certPath, keyFile: source.keyPath },
            log,
        );
        assert.equal(tls.selfSigned, false);
        assert.equal(tls.certPath, source.certPath);
        assert.equal(tls.cert, readFileSync(source.certPath, 'utf8'));
        assert.throws(() => statSync(join(dataDir, 'tls')), /ENOENT/);
    });

    it('refuses a certificate with the wrong key, or only one of the two', async () => {
        const a = await ensureSelfSignedCertificate(tempDir(), undefined, log);
        const b = await ensureSelfSignedCertificate(tempDir(), undefined, log);
        const dataDir = tempDir();
        await assert.rejects(
            loadTlsCredentials({ dataDir, certFile: a.certPath, keyFile: b.keyPath }, log),
            /does not match the private key/,
        );
        await assert.rejects(
            loadTlsCredentials({ dataDir, certFile: a.certPath }, log),
            /both --tls-cert and --tls-key/,
        );
    });

    it('is accepted by a TLS client given it as CA, for every local name', async () => {
        const tls = await loadTlsCredentials({ dataDir: tempDir() }, log);
        assert.equal(tls.selfSigned, true);
        const server = createServer({ cert: tls.cert, key: tls.key }, (_req, res) => res.end('hi'));
        await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
        const { port } = server.address() as AddressInfo;
        try {
            for (const servername of [undefined, 'localhost']) {
                assert.equal(await fetchText(port, tls.cert, servername), 'hi');
            }
            // Without the CA the same client refuses the certificate: the check above is real.
            await assert.rejects(fetchText(port, undefined, undefined), /self-signed|self signed/);
        } finally {
            server.close();
        }
    });
});

function fetchText(port: number, ca: string | undefined, servername: string | undefined) {
    return new Promise<string>((resolve, reject) => {
        const req = get(
            { host: '127.0.0.1', port, path: '/', ca, servername, agent: false },
            (res) => {
                let text = '';
                res.on('data', (chunk: Buffer) => (text += chunk.toString()));
                res.on('end', () => resolve(text));
            },
        );
        req.on('error', reject);
    });
}
