/**
 * boto3 and the three SSE modes against a real Coffer server (with --allow-insecure-ssec, the
 * session being plain HTTP). The session is test/compat/sse_boto3.py: it makes the bucket and a
 * KMS key with boto3, writes and reads a small and a multipart object per mode, and reports the
 * SSE fields boto3 parsed; each check is one test here.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { awsEnv, runCommand, startServer, testTools, writeAwsConfig } from '../helpers/server.js';
import type { CommandResult, RunningServer } from '../helpers/server.js';

const here = dirname(fileURLToPath(import.meta.url));
/** Python files are test data, not compiled: read from the source tree (tests run from dist/). */
const SCRIPT = resolve(here, '../../../test/compat/sse_boto3.py');

type Fields = Record<string, string | boolean | undefined>;
interface ModeReport {
    put: Fields;
    get: Fields;
    head: Fields;
    multipart: Fields;
    body_ok: boolean;
    multipart_ok: boolean;
    md5: string;
}
interface Report {
    kms_key_arn: string;
    customer_key_md5: string;
    modes: Record<'SSE-S3' | 'SSE-KMS' | 'SSE-C', ModeReport>;
}

let server: RunningServer;
let workDir: string;
let run: CommandResult;
let report: Report;

before(async () => {
    server = await startServer({ args: ['--allow-insecure-ssec'] });
    workDir = mkdtempSync(join(tmpdir(), 'coffer-sse-boto3-'));
    writeAwsConfig(workDir);
    run = await runCommand(testTools().python, [SCRIPT, 'sse-boto3'], {
        env: awsEnv(server, workDir),
        cwd: workDir,
    });
    assert.equal(run.code, 0, `sse_boto3.py failed:\n${run.stderr}`);
    report = JSON.parse(run.stdout) as Report;
});

after(async () => {
    await server?.stop();
    rmSync(workDir, { recursive: true, force: true });
    if (server) rmSync(server.dataDir, { recursive: true, force: true });
});

test('every mode reads back byte for byte, single-part and multipart', () => {
    for (const [mode, r] of Object.entries(report.modes)) {
        assert.equal(r.body_ok, true, mode);
        assert.equal(r.multipart_ok, true, mode);
        assert.match(String(r.multipart['ETag']), /^"[0-9a-f]{32}-3"$/, mode);
    }
});

test('SSE-S3: AES256 on put, get and head; the ETag is the MD5', () => {
    const r = report.modes['SSE-S3'];
    for (const fields of [r.put, r.get, r.head, r.multipart]) {
        assert.equal(fields['ServerSideEncryption'], 'AES256');
        assert.equal(fields['SSEKMSKeyId'], undefined);
    }
    assert.equal(r.put['ETag'], `"${r.md5}"`);
});

test('SSE-KMS: aws:kms and the key ARN on put, get and head; the ETag is not the MD5', () => {
    const r = report.modes['SSE-KMS'];
    for (const fields of [r.put, r.get, r.head, r.multipart]) {
        assert.equal(fields['ServerSideEncryption'], 'aws:kms');
        assert.equal(fields['SSEKMSKeyId'], report.kms_key_arn);
    }
    assert.notEqual(r.put['ETag'], `"${r.md5}"`);
});

test('SSE-C: the algorithm and key MD5, no x-amz-server-side-encryption', () => {
    const r = report.modes['SSE-C'];
    for (const fields of [r.put, r.get, r.head, r.multipart]) {
        assert.equal(fields['ServerSideEncryption'], undefined);
        assert.equal(fields['SSECustomerAlgorithm'], 'AES256');
        assert.equal(fields['SSECustomerKeyMD5'], report.customer_key_md5);
    }
    assert.notEqual(r.put['ETag'], `"${r.md5}"`);
});
