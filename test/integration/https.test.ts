/**
 * HTTPS end to end: a real server with `--listen-https 127.0.0.1:0` generates its self-signed
 * certificate; the AWS SDK (given it as CA) and the real aws CLI (`--ca-bundle`) use the HTTPS
 * listener while the HTTP one keeps serving. The access log's `secureTransport` shows what
 * `aws:SecureTransport` will be: true over TLS, false over plain HTTP, and true over HTTP only
 * through a `--trusted-proxy` that says `X-Forwarded-Proto: https`. SIGTERM drains both
 * listeners, and a restart reuses the certificate.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
    CreateBucketCommand,
    GetObjectCommand,
    PutObjectCommand,
    type S3Client,
} from '@aws-sdk/client-s3';
import { eventually } from '../helpers/expect.js';
import {
    awsEnv,
    runCommand,
    s3Client,
    startServer,
    testTools,
    writeAwsConfig,
    type RunningServer,
} from '../helpers/server.js';

const BUCKET = 'tls-bucket';
let server: RunningServer;
let overHttps: S3Client;
let overHttp: S3Client;
let workDir: string;

before(async () => {
    // 192.0.2.0/24 (TEST-NET-1) is trusted, so requests from 127.0.0.1 are not from a proxy.
    server = await startServer({ https: true, args: ['--trusted-proxy', '192.0.2.0/24'] });
    const ca = readFileSync(server.caBundle!);
    overHttps = s3Client(server, {
        endpoint: server.httpsEndpoint,
        requestHandler: { httpsAgent: new HttpsAgent({ ca, keepAlive: true }) },
    });
    overHttp = s3Client(server);
    workDir = mkdtempSync(join(tmpdir(), 'coffer-https-'));
    writeAwsConfig(workDir);
});

after(async () => {
    overHttps?.destroy();
    overHttp?.destroy();
    await server?.stop();
    rmSync(workDir, { recursive: true, force: true });
    rmSync(server.dataDir, { recursive: true, force: true });
});

/** The access-log line of `operation` on `key`, once the server has written it. */
async function accessLog(
    target: RunningServer,
    match: (entry: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
    const find = () => target.logs.find((entry) => entry['event'] === 'request' && match(entry));
    assert.ok(await eventually(() => find() !== undefined, 5000), 'access log line not written');
    return find()!;
}

test('the first start generates a certificate and tells the user how to trust it', () => {
    assert.match(server.httpsEndpoint!, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(server.httpsPort, server.port);
    const generated = server.logs.filter((e) => e['event'] === 'tls-certificate-generated');
    assert.deepEqual(
        generated.map((e) => e['path']),
        [server.caBundle],
    );
    const cert = new X509Certificate(readFileSync(server.caBundle!));
    assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
    assert.ok(server.output.join('').includes(`aws --ca-bundle ${server.caBundle} `));
});

test('the SDK puts and gets an object over HTTPS; the log says secureTransport', async () => {
    await overHttps.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const body = 'sent over TLS';
    await overHttps.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'tls.txt', Body: body }));
    const got = await overHttps.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'tls.txt' }));
    assert.equal(await got.Body!.transformToString(), body);
    const put = await accessLog(
        server,
        (e) => e['operation'] === 'PutObject' && e['key'] === 'tls.txt',
    );
    assert.equal(put['secureTransport'], true);
    assert.equal(put['status'], 200);
});

test('plain HTTP keeps working on the same data, with secureTransport false', async () => {
    const got = await overHttp.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'tls.txt' }));
    assert.equal(await got.Body!.transformToString(), 'sent over TLS');
    await overHttp.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'plain.txt', Body: 'plain' }));
    const put = await accessLog(
        server,
        (e) => e['operation'] === 'PutObject' && e['key'] === 'plain.txt',
    );
    assert.equal(put['secureTransport'], false);
    assert.equal(put['sourceIp'], '127.0.0.1');
});

test('the aws CLI lists buckets over HTTPS with --ca-bundle, and refuses without it', async () => {
    const tools = testTools();
    const env = awsEnv(server, workDir);
    const base = ['--endpoint-url', server.httpsEndpoint!];
    const listed = await runCommand(
        tools.aws,
        [...base, '--ca-bundle', server.caBundle!, 's3', 'ls'],
        {
            env,
        },
    );
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`\\s${BUCKET}\\n`));
    const refused = await runCommand(tools.aws, [...base, 's3', 'ls'], { env });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /SSL|certificate/i);
});

test('forwarded headers from an untrusted peer change nothing', async () => {
    await forwardedRequest(server, 'untrusted-probe');
    const entry = await accessLog(server, (e) => e['bucket'] === 'untrusted-probe');
    assert.equal(entry['secureTransport'], false);
    assert.equal(entry['sourceIp'], '127.0.0.1');
});

test('SIGTERM drains both listeners; a restart reuses the cert and trusts its proxy', async () => {
    const cert = readFileSync(server.caBundle!, 'utf8');
    // The SDK's keep-alive connection to the HTTPS listener is idle now: draining must close it
    // rather than wait out the 65 s keep-alive timeout.
    const stopping = Date.now();
    await server.stop();
    assert.ok(Date.now() - stopping < 10_000, `stop took ${Date.now() - stopping} ms`);
    assert.deepEqual(await server.exited, { code: 0, signal: null });
    assert.ok(server.logs.some((e) => e['event'] === 'stopped'));

    const again = await startServer({
        dataDir: server.dataDir,
        https: true,
        args: ['--trusted-proxy', '127.0.0.1/32'],
    });
    try {
        assert.equal(readFileSync(again.caBundle!, 'utf8'), cert);
        assert.ok(!again.logs.some((e) => e['event'] === 'tls-certificate-generated'));
        await forwardedRequest(again, 'trusted-probe');
        const entry = await accessLog(again, (e) => e['bucket'] === 'trusted-probe');
        assert.equal(entry['secureTransport'], true);
        assert.equal(entry['sourceIp'], '203.0.113.7');
    } finally {
        await again.stop();
    }
    assert.ok(existsSync(server.caBundle!));
});

/** An unsigned HTTP request carrying the headers a TLS-terminating proxy adds. */
function forwardedRequest(target: RunningServer, bucket: string): Promise<number> {
    return new Promise((resolve, reject) => {
        const req = httpRequest(
            {
                host: '127.0.0.1',
                port: target.port,
                path: `/${bucket}`,
                headers: {
                    'x-forwarded-proto': 'https',
                    'x-forwarded-for': '198.51.100.1, 203.0.113.7',
                },
            },
            (res) => {
                res.resume();
                res.on('end', () => resolve(res.statusCode ?? 0));
            },
        );
        req.on('error', reject);
        req.end();
    });
}
