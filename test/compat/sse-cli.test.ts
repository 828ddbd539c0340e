/**
 * Server-side encryption with the real `aws` CLI, as a person would use it: `aws kms` to make a
 * key and an alias, `aws s3 cp` up and down with `--sse AES256`, `--sse aws:kms --sse-kms-key-id
 * alias/...` and `--sse-c AES256 --sse-c-key fileb://key.bin` (a small file and a 40 MiB
 * multipart one each, compared byte for byte), `s3api head-object`, the key states
 * (`disable-key`, `enable-key`, `schedule-key-deletion`) as the CLI reports them, and
 * `put-bucket-encryption` / `get-bucket-encryption`.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import {
    closeSync,
    createReadStream,
    mkdtempSync,
    openSync,
    rmSync,
    writeFileSync,
    writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { awsEnv, runCommand, startServer, testTools, writeAwsConfig } from '../helpers/server.js';
import type { CommandResult, RunningServer } from '../helpers/server.js';

const BUCKET = 'sse-cli';
const MiB = 1024 * 1024;

let server: RunningServer;
let workDir: string;
let env: NodeJS.ProcessEnv;
const tools = testTools();
const digests = new Map<string, string>();
let keyArn: string;

before(async () => {
    server = await startServer({ args: ['--allow-insecure-ssec'] });
    workDir = mkdtempSync(join(tmpdir(), 'coffer-sse-cli-'));
    env = awsEnv(server, workDir);
    writeAwsConfig(workDir);
    writeFileSync(join(workDir, 'key.bin'), randomBytes(32));
    digests.set('small.bin', writeRandomFile(join(workDir, 'small.bin'), 300 * 1024 + 7));
    digests.set('large.bin', writeRandomFile(join(workDir, 'large.bin'), 40 * MiB));
});

after(async () => {
    await server?.stop();
    rmSync(workDir, { recursive: true, force: true });
    if (server) rmSync(server.dataDir, { recursive: true, force: true });
});

function aws(...args: string[]): Promise<CommandResult> {
    return runCommand(tools.aws, ['--endpoint-url', server.endpoint, ...args], {
        env,
        cwd: workDir,
    });
}

async function awsOk(...args: string[]): Promise<string> {
    const result = await aws(...args);
    assert.equal(result.code, 0, `aws ${args.join(' ')} failed:\n${result.stderr}${result.stdout}`);
    return result.stdout;
}

async function awsJson(...args: string[]): Promise<Record<string, any>> {
    const out = await awsOk(...args);
    return out.trim() === '' ? {} : (JSON.parse(out) as Record<string, any>);
}

function writeRandomFile(path: string, size: number): string {
    const hash = createHash('sha256');
    const fd = openSync(path, 'w');
    for (let written = 0; written < size; written += MiB) {
        const chunk = randomBytes(Math.min(MiB, size - written));
        hash.update(chunk);
        writeSync(fd, chunk);
    }
    closeSync(fd);
    return hash.digest('hex');
}

function sha256File(path: string): Promise<string> {
    return new Promise((done, fail) => {
        const hash = createHash('sha256');
        createReadStream(path)
            .on('data', (chunk) => hash.update(chunk))
            .on('end', () => done(hash.digest('hex')))
            .on('error', fail);
    });
}

const SSE_C = ['--sse-c', 'AES256', '--sse-c-key', 'fileb://key.bin'];
const HEAD_SSE_C = ['--sse-customer-algorithm', 'AES256', '--sse-customer-key', 'fileb://key.bin'];

test('aws kms create-key and create-alias; the bucket allows SSE-C', async () => {
    await awsOk('s3', 'mb', `s3://${BUCKET}`);
    const created = await awsJson('kms', 'create-key', '--description', 'cli sse test');
    keyArn = created['KeyMetadata'].Arn;
    assert.match(keyArn, /^arn:aws:kms:us-east-1:\d{12}:key\/[0-9a-f-]{36}$/);
    await awsOk('kms', 'create-alias', '--alias-name', 'alias/cli-sse', '--target-key-id', keyArn);
    const rule = {
        ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
        BlockedEncryptionTypes: { EncryptionType: ['NONE'] },
    };
    await awsOk(
        's3api',
        'put-bucket-encryption',
        '--bucket',
        BUCKET,
        '--server-side-encryption-configuration',
        JSON.stringify({ Rules: [rule] }),
    );
});

const MODES: Array<[name: string, upload: string[], download: string[], head: string[]]> = [
    ['aes256', ['--sse', 'AES256'], [], []],
    ['kms', ['--sse', 'aws:kms', '--sse-kms-key-id', 'alias/cli-sse'], [], []],
    ['sse-c', SSE_C, SSE_C, HEAD_SSE_C],
];

for (const [mode, upload, download, headArgs] of MODES) {
    describe(`aws s3 cp ${upload.slice(0, 2).join(' ')}`, () => {
        for (const file of ['small.bin', 'large.bin']) {
            test(`${file} up and down, byte for byte`, async () => {
                const key = `${mode}/${file}`;
                await awsOk('s3', 'cp', file, `s3://${BUCKET}/${key}`, '--no-progress', ...upload);
                const out = join(workDir, `${mode}-${file}.out`);
                await awsOk('s3', 'cp', `s3://${BUCKET}/${key}`, out, '--no-progress', ...download);
                assert.equal(await sha256File(out), digests.get(file));
                rmSync(out);
                const head = await awsJson(
                    's3api',
                    'head-object',
                    '--bucket',
                    BUCKET,
                    '--key',
                    key,
                    ...headArgs,
                );
                if (mode === 'aes256') assert.equal(head['ServerSideEncryption'], 'AES256');
                if (mode === 'kms') {
                    assert.equal(head['ServerSideEncryption'], 'aws:kms');
                    assert.equal(head['SSEKMSKeyId'], keyArn);
                }
                if (mode === 'sse-c') {
                    assert.equal(head['ServerSideEncryption'], undefined);
                    assert.equal(head['SSECustomerAlgorithm'], 'AES256');
                }
                if (file === 'large.bin') assert.match(head['ETag'], /-5"$/);
            });
        }
    });
}

test('an SSE-C object cannot be downloaded without its key', async () => {
    const result = await aws(
        's3',
        'cp',
        `s3://${BUCKET}/sse-c/small.bin`,
        join(workDir, 'nokey.out'),
    );
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /\(400\)|Bad Request/);
});

test('put-bucket-encryption aws:kms with a bucket key; get-bucket-encryption', async () => {
    const rule = {
        ApplyServerSideEncryptionByDefault: {
            SSEAlgorithm: 'aws:kms',
            KMSMasterKeyID: 'alias/cli-sse',
        },
        BucketKeyEnabled: true,
    };
    const config = JSON.stringify({ Rules: [rule] });
    await awsOk(
        's3api',
        'put-bucket-encryption',
        '--bucket',
        BUCKET,
        '--server-side-encryption-configuration',
        config,
    );
    const got = await awsJson('s3api', 'get-bucket-encryption', '--bucket', BUCKET);
    const stored = got['ServerSideEncryptionConfiguration'].Rules[0];
    assert.deepEqual(
        stored.ApplyServerSideEncryptionByDefault,
        rule.ApplyServerSideEncryptionByDefault,
    );
    assert.equal(stored.BucketKeyEnabled, true);
    await awsOk('s3', 'cp', 'small.bin', `s3://${BUCKET}/default/small.bin`, '--no-progress');
    const head = await awsJson(
        's3api',
        'head-object',
        '--bucket',
        BUCKET,
        '--key',
        'default/small.bin',
    );
    assert.equal(head['ServerSideEncryption'], 'aws:kms');
    assert.equal(head['SSEKMSKeyId'], keyArn);
    assert.equal(head['BucketKeyEnabled'], true);
    await awsOk('s3api', 'delete-bucket-encryption', '--bucket', BUCKET);
});

test('disable-key, enable-key, schedule-key-deletion as the CLI reports them', async () => {
    const get = () =>
        aws('s3', 'cp', `s3://${BUCKET}/kms/small.bin`, join(workDir, 'kms.out'), '--no-progress');
    await awsOk('kms', 'disable-key', '--key-id', keyArn);
    const disabled = await get();
    assert.notEqual(disabled.code, 0);
    assert.match(disabled.stderr, /KMS\.DisabledException/);
    await awsOk('kms', 'enable-key', '--key-id', keyArn);
    assert.equal((await get()).code, 0);
    assert.equal(await sha256File(join(workDir, 'kms.out')), digests.get('small.bin'));
    const scheduled = await awsJson(
        'kms',
        'schedule-key-deletion',
        '--key-id',
        keyArn,
        '--pending-window-in-days',
        '7',
    );
    assert.equal(scheduled['KeyState'], 'PendingDeletion');
    const pending = await get();
    assert.notEqual(pending.code, 0);
    assert.match(pending.stderr, /KMS\.KMSInvalidStateException/);
});
