/**
 * The real `aws` CLI's low-level `s3api` commands against a real Coffer server: metadata and
 * standard headers, ranged reads, copies that replace metadata, tagging, delimiter listings, and
 * the errors the CLI shows for a missing key. Output is the CLI's JSON, parsed and checked.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { awsEnv, runCommand, startServer, testTools, writeAwsConfig } from '../helpers/server.js';
import type { CommandResult, RunningServer } from '../helpers/server.js';

const BUCKET = 'cli-api-compat';

let server: RunningServer;
let workDir: string;
let env: NodeJS.ProcessEnv;
const tools = testTools();
/** The object the header, range and copy tests share: 100 random bytes. */
const body = randomBytes(100);

before(async () => {
    server = await startServer();
    workDir = mkdtempSync(join(tmpdir(), 'coffer-aws-s3api-'));
    env = awsEnv(server, workDir);
    writeAwsConfig(workDir);
    writeFileSync(join(workDir, 'body.bin'), body);
});

after(async () => {
    await server?.stop();
    rmSync(workDir, { recursive: true, force: true });
    rmSync(server.dataDir, { recursive: true, force: true });
});

function aws(...args: string[]): Promise<CommandResult> {
    return runCommand(tools.aws, ['--endpoint-url', server.endpoint, ...args], {
        env,
        cwd: workDir,
    });
}

/** Runs an `s3api` command, fails unless it exits 0, and parses its JSON output (if any). */
async function s3api(...args: string[]): Promise<Record<string, unknown>> {
    const result = await aws('s3api', ...args);
    assert.equal(result.code, 0, `aws s3api ${args.join(' ')} failed:\n${result.stderr}`);
    return result.stdout.trim() === ''
        ? {}
        : (JSON.parse(result.stdout) as Record<string, unknown>);
}

function head(key: string): Promise<Record<string, unknown>> {
    return s3api('head-object', '--bucket', BUCKET, '--key', key);
}

const md5ETag = (data: Buffer) => `"${createHash('md5').update(data).digest('hex')}"`;

test('create-bucket', async () => {
    await s3api('create-bucket', '--bucket', BUCKET);
    await s3api('head-bucket', '--bucket', BUCKET);
});

test('put-object with metadata and standard headers, then head-object returns them', async () => {
    const put = await s3api(
        'put-object',
        '--bucket',
        BUCKET,
        '--key',
        'api/meta.bin',
        '--body',
        'body.bin',
        '--metadata',
        'color=blue,shape=round',
        '--content-type',
        'application/x-coffer-test',
        '--cache-control',
        'max-age=60',
    );
    assert.equal(put['ETag'], md5ETag(body));
    const meta = await head('api/meta.bin');
    assert.deepEqual(meta['Metadata'], { color: 'blue', shape: 'round' });
    assert.equal(meta['ContentType'], 'application/x-coffer-test');
    assert.equal(meta['CacheControl'], 'max-age=60');
    assert.equal(meta['ContentLength'], body.length);
    assert.equal(meta['ETag'], md5ETag(body));
    assert.equal(typeof meta['LastModified'], 'string');
});

test('get-object --range bytes=10-19 returns exactly those ten bytes', async () => {
    const out = join(workDir, 'range.bin');
    const got = await s3api(
        'get-object',
        '--bucket',
        BUCKET,
        '--key',
        'api/meta.bin',
        '--range',
        'bytes=10-19',
        out,
    );
    assert.equal(got['ContentRange'], `bytes 10-19/${body.length}`);
    assert.equal(got['ContentLength'], 10);
    assert.deepEqual(readFileSync(out), body.subarray(10, 20));
});

test('copy-object keeps metadata by default and replaces it with REPLACE', async () => {
    await s3api(
        'copy-object',
        '--bucket',
        BUCKET,
        '--key',
        'api/copy-kept.bin',
        '--copy-source',
        `${BUCKET}/api/meta.bin`,
    );
    const kept = await head('api/copy-kept.bin');
    assert.deepEqual(kept['Metadata'], { color: 'blue', shape: 'round' });
    assert.equal(kept['ContentType'], 'application/x-coffer-test');

    const copied = await s3api(
        'copy-object',
        '--bucket',
        BUCKET,
        '--key',
        'api/copy-replaced.bin',
        '--copy-source',
        `${BUCKET}/api/meta.bin`,
        '--metadata-directive',
        'REPLACE',
        '--metadata',
        'flavor=mint',
        '--content-type',
        'text/plain',
    );
    assert.equal((copied['CopyObjectResult'] as Record<string, unknown>)['ETag'], md5ETag(body));
    const replaced = await head('api/copy-replaced.bin');
    assert.deepEqual(replaced['Metadata'], { flavor: 'mint' });
    assert.equal(replaced['ContentType'], 'text/plain');
    assert.equal(replaced['CacheControl'], undefined, 'REPLACE drops the old Cache-Control');
    assert.equal(replaced['ContentLength'], body.length);
    assert.equal(replaced['ETag'], md5ETag(body));
});

test('put-object-tagging, get-object-tagging, delete-object-tagging', async () => {
    const key = ['--bucket', BUCKET, '--key', 'api/meta.bin'];
    await s3api(
        'put-object-tagging',
        ...key,
        '--tagging',
        'TagSet=[{Key=env,Value=test},{Key=team,Value=core data}]',
    );
    const tagged = await s3api('get-object-tagging', ...key);
    const byKey = (a: { Key: string }, b: { Key: string }) => a.Key.localeCompare(b.Key);
    assert.deepEqual((tagged['TagSet'] as Array<{ Key: string }>).sort(byKey), [
        { Key: 'env', Value: 'test' },
        { Key: 'team', Value: 'core data' },
    ]);
    await s3api('delete-object-tagging', ...key);
    assert.deepEqual((await s3api('get-object-tagging', ...key))['TagSet'], []);
});

test('list-objects-v2 with --prefix and --delimiter groups common prefixes', async () => {
    const dir = join(workDir, 'listing');
    for (const path of ['a.txt', 'sub1/b.txt', 'sub1/deeper/c.txt', 'sub2/d.txt']) {
        mkdirSync(join(dir, path, '..'), { recursive: true });
        writeFileSync(join(dir, path), path);
    }
    const upload = await aws('s3', 'cp', dir, `s3://${BUCKET}/api/list/`, '--recursive');
    assert.equal(upload.code, 0, upload.stderr);

    // --no-paginate: the CLI's paginator keeps only Contents and CommonPrefixes, not KeyCount.
    const listed = await s3api(
        'list-objects-v2',
        '--no-paginate',
        '--bucket',
        BUCKET,
        '--prefix',
        'api/list/',
        '--delimiter',
        '/',
    );
    const keys = (listed['Contents'] as Array<{ Key: string; Size: number }>).map((c) => c.Key);
    assert.deepEqual(keys, ['api/list/a.txt']);
    const prefixes = (listed['CommonPrefixes'] as Array<{ Prefix: string }>).map((p) => p.Prefix);
    assert.deepEqual(prefixes, ['api/list/sub1/', 'api/list/sub2/']);
    assert.equal(listed['KeyCount'], 3);

    const all = await s3api('list-objects-v2', '--bucket', BUCKET, '--prefix', 'api/list/sub1/');
    const deep = (all['Contents'] as Array<{ Key: string; Size: number }>).map((c) => [
        c.Key,
        c.Size,
    ]);
    assert.deepEqual(deep, [
        ['api/list/sub1/b.txt', 'sub1/b.txt'.length],
        ['api/list/sub1/deeper/c.txt', 'sub1/deeper/c.txt'.length],
    ]);
});

test('conditional reads: If-None-Match gives (304), a wrong If-Match gives (412)', async () => {
    const key = ['--bucket', BUCKET, '--key', 'api/meta.bin'];
    const notModified = await aws('s3api', 'head-object', ...key, '--if-none-match', md5ETag(body));
    assert.notEqual(notModified.code, 0);
    assert.match(notModified.stderr, /\(304\)/);
    const failed = await aws(
        's3api',
        'head-object',
        ...key,
        '--if-match',
        '"0123456789abcdef0123456789abcdef"',
    );
    assert.notEqual(failed.code, 0);
    assert.match(failed.stderr, /\(412\)/);
    const matched = await s3api('head-object', ...key, '--if-match', md5ETag(body));
    assert.equal(matched['ETag'], md5ETag(body));
});

test('put-object --tagging, then get-object reports TagCount', async () => {
    await s3api(
        'put-object',
        '--bucket',
        BUCKET,
        '--key',
        'api/tagged.bin',
        '--body',
        'body.bin',
        '--tagging',
        'project=coffer&stage=compat%20tests',
    );
    const out = join(workDir, 'tagged.bin');
    const got = await s3api('get-object', '--bucket', BUCKET, '--key', 'api/tagged.bin', out);
    assert.equal(got['TagCount'], 2);
    const tags = await s3api('get-object-tagging', '--bucket', BUCKET, '--key', 'api/tagged.bin');
    assert.deepEqual(
        (tags['TagSet'] as Array<{ Key: string }>).sort((a, b) => a.Key.localeCompare(b.Key)),
        [
            { Key: 'project', Value: 'coffer' },
            { Key: 'stage', Value: 'compat tests' },
        ],
    );
});

test('low-level multipart: create, upload-part, list-parts, list uploads, abort', async () => {
    const key = ['--bucket', BUCKET, '--key', 'api/mpu.bin'];
    const created = await s3api('create-multipart-upload', ...key);
    const uploadId = String(created['UploadId']);
    assert.ok(uploadId.length > 0);
    // `--upload-id=ID`, so this test checks the flow whatever the id looks like (see below).
    const id = `--upload-id=${uploadId}`;
    const part = await s3api('upload-part', ...key, id, '--part-number', '1', '--body', 'body.bin');
    assert.equal(part['ETag'], md5ETag(body));
    const parts = await s3api('list-parts', ...key, id);
    const listed = parts['Parts'] as Array<{ PartNumber: number; ETag: string; Size: number }>;
    assert.deepEqual(
        listed.map((p) => [p.PartNumber, p.ETag, p.Size]),
        [[1, md5ETag(body), body.length]],
    );
    const uploads = await s3api('list-multipart-uploads', '--bucket', BUCKET);
    const open = (uploads['Uploads'] as Array<{ Key: string; UploadId: string }>) ?? [];
    assert.deepEqual(
        open.map((u) => [u.Key, u.UploadId]),
        [['api/mpu.bin', uploadId]],
    );

    await s3api('abort-multipart-upload', ...key, id);
    const after = await s3api('list-multipart-uploads', '--bucket', BUCKET);
    assert.equal(after['Uploads'], undefined);
    const gone = await aws('s3api', 'list-parts', ...key, id);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /NoSuchUpload/);
});

test('an upload id can be passed as `--upload-id ID` (it must not start with "-")', async () => {
    const key = ['--bucket', BUCKET, '--key', 'api/mpu-id.bin'];
    const uploadId = String((await s3api('create-multipart-upload', ...key))['UploadId']);
    // The CLI's argument parser reads a value starting with "-" as an option, so a person
    // copying the id from create-multipart-upload's output gets "expected one argument".
    const abort = await aws('s3api', 'abort-multipart-upload', ...key, '--upload-id', uploadId);
    if (abort.code !== 0)
        await aws('s3api', 'abort-multipart-upload', ...key, `--upload-id=${uploadId}`);
    assert.equal(abort.code, 0, `upload id ${JSON.stringify(uploadId)}:\n${abort.stderr}`);
});

test('get-bucket-location and get-object-acl', async () => {
    const location = await s3api('get-bucket-location', '--bucket', BUCKET);
    assert.equal(location['LocationConstraint'], null, 'us-east-1 is reported as null');
    const acl = await s3api('get-object-acl', '--bucket', BUCKET, '--key', 'api/meta.bin');
    const grants = acl['Grants'] as Array<{ Permission: string; Grantee: { ID?: string } }>;
    const owner = acl['Owner'] as { ID: string };
    assert.equal(grants.length, 1);
    assert.equal(grants[0]!.Permission, 'FULL_CONTROL');
    assert.equal(grants[0]!.Grantee.ID, owner.ID);
});

test('head-object of a missing key fails with (404)', async () => {
    const result = await aws('s3api', 'head-object', '--bucket', BUCKET, '--key', 'api/missing');
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /\(404\)/);
});

test('get-object of a missing key fails with NoSuchKey', async () => {
    const out = join(workDir, 'missing.bin');
    const result = await aws(
        's3api',
        'get-object',
        '--bucket',
        BUCKET,
        '--key',
        'api/missing',
        out,
    );
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /NoSuchKey/);
});
