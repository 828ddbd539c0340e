/**
 * The real `aws` CLI's high-level `s3` commands against a real Coffer server, used as a person
 * would: make a bucket, copy small and multipart files up and down, list, sync a tree both ways,
 * remove everything and remove the bucket. The `s3api` commands live in aws-s3api.test.ts.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, mkdirSync, mkdtempSync, openSync } from 'node:fs';
import { readdirSync, readFileSync, rmSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { awsEnv, runCommand, startServer, testTools, writeAwsConfig } from '../helpers/server.js';
import type { CommandResult, RunningServer } from '../helpers/server.js';

const BUCKET = 'cli-compat';
const MiB = 1024 * 1024;

let server: RunningServer;
let workDir: string;
let env: NodeJS.ProcessEnv;
const tools = testTools();

before(async () => {
    server = await startServer();
    workDir = mkdtempSync(join(tmpdir(), 'coffer-aws-cli-'));
    env = awsEnv(server, workDir);
    writeAwsConfig(workDir);
});

after(async () => {
    await server?.stop();
    rmSync(workDir, { recursive: true, force: true });
    rmSync(server.dataDir, { recursive: true, force: true });
});

async function aws(...args: string[]): Promise<CommandResult> {
    return runCommand(tools.aws, ['--endpoint-url', server.endpoint, ...args], {
        env,
        cwd: workDir,
    });
}

/** Runs the CLI and fails the test, showing its stderr, unless it exits 0. */
async function awsOk(...args: string[]): Promise<string> {
    const result = await aws(...args);
    assert.equal(result.code, 0, `aws ${args.join(' ')} failed:\n${result.stderr}${result.stdout}`);
    return result.stdout;
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

/** Writes `size` random bytes a MiB at a time and returns their sha256. */
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

/** Every file under `root` as relative path -> sha256 of its content. */
function treeDigest(root: string): Map<string, string> {
    const digest = new Map<string, string>();
    const walk = (dir: string) => {
        for (const entry of readdirSync(dir, { withFileTypes: true })) {
            const path = join(dir, entry.name);
            if (entry.isDirectory()) walk(path);
            else
                digest.set(
                    relative(root, path),
                    createHash('sha256').update(readFileSync(path)).digest('hex'),
                );
        }
    };
    walk(root);
    return digest;
}

/** `aws s3 ls --recursive` lines are `date time size key`; returns key -> size. */
function parseRecursiveListing(stdout: string): Map<string, number> {
    const listing = new Map<string, number>();
    for (const line of stdout.split('\n').filter((l) => l.trim() !== '')) {
        const match = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +(\d+) (.+)$/.exec(line);
        assert.ok(match, `unexpected listing line: ${JSON.stringify(line)}`);
        listing.set(match[2]!, Number(match[1]));
    }
    return listing;
}

test('s3 mb makes a bucket that s3 ls lists', async () => {
    const out = await awsOk('s3', 'mb', `s3://${BUCKET}`);
    assert.match(out, new RegExp(`make_bucket: ${BUCKET}`));
    const buckets = (await awsOk('s3', 'ls')).split('\n').filter((l) => l !== '');
    assert.ok(
        buckets.some((line) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (.+)$/.exec(line)?.[1] === BUCKET),
        `bucket missing from:\n${buckets.join('\n')}`,
    );
});

test('s3 cp uploads and downloads a small file', async () => {
    const source = join(workDir, 'small.txt');
    const content = `hello from the aws CLI ${randomBytes(8).toString('hex')}\n`;
    writeFileSync(source, content);
    await awsOk('s3', 'cp', source, `s3://${BUCKET}/docs/small.txt`, '--no-progress');
    const copy = join(workDir, 'small.down.txt');
    await awsOk('s3', 'cp', `s3://${BUCKET}/docs/small.txt`, copy, '--no-progress');
    assert.equal(readFileSync(copy, 'utf8'), content);
});

test('s3 cp of a 40 MiB file goes multipart and comes back byte for byte', async () => {
    const source = join(workDir, 'big.bin');
    const sha = writeRandomFile(source, 40 * MiB);
    await awsOk('s3', 'cp', source, `s3://${BUCKET}/big/big.bin`, '--no-progress');
    const head = JSON.parse(
        await awsOk('s3api', 'head-object', '--bucket', BUCKET, '--key', 'big/big.bin'),
    ) as { ETag: string; ContentLength: number };
    // The CLI's default 8 MiB parts: five of them, so a multipart ETag ending in -5.
    assert.match(head.ETag, /^"[0-9a-f]{32}-5"$/);
    assert.equal(head.ContentLength, 40 * MiB);
    const copy = join(workDir, 'big.down.bin');
    await awsOk('s3', 'cp', `s3://${BUCKET}/big/big.bin`, copy, '--no-progress');
    assert.equal(await sha256File(copy), sha);
    rmSync(copy);
    rmSync(source);

    // Bucket to bucket, the CLI copies a large object part by part (UploadPartCopy).
    await awsOk('s3', 'cp', `s3://${BUCKET}/big/big.bin`, `s3://${BUCKET}/big/copy.bin`);
    const copied = JSON.parse(
        await awsOk('s3api', 'head-object', '--bucket', BUCKET, '--key', 'big/copy.bin'),
    ) as { ETag: string; ContentLength: number };
    assert.match(copied.ETag, /^"[0-9a-f]{32}-5"$/);
    assert.equal(copied.ContentLength, 40 * MiB);
    await awsOk('s3', 'cp', `s3://${BUCKET}/big/copy.bin`, copy, '--no-progress');
    assert.equal(await sha256File(copy), sha);
    rmSync(copy);
});

test('s3 cp streams from stdin (multipart of unknown size) and to stdout', async () => {
    const source = join(workDir, 'stream.bin');
    const sha = writeRandomFile(source, 12 * MiB + 123);
    const up = await runCommand(
        tools.aws,
        ['--endpoint-url', server.endpoint, 's3', 'cp', '-', `s3://${BUCKET}/stream/stdin.bin`],
        { env, cwd: workDir, stdinFile: source },
    );
    assert.equal(up.code, 0, up.stderr);
    const copy = join(workDir, 'stream.down.bin');
    await awsOk('s3', 'cp', `s3://${BUCKET}/stream/stdin.bin`, copy, '--no-progress');
    assert.equal(await sha256File(copy), sha);
    rmSync(copy);
    rmSync(source);

    const small = readFileSync(join(workDir, 'small.txt'), 'utf8');
    assert.equal(await awsOk('s3', 'cp', `s3://${BUCKET}/docs/small.txt`, '-'), small);
});

test('s3 presign: a SigV2 URL is refused, a SigV4 URL works with fetch', async () => {
    const target = `s3://${BUCKET}/docs/small.txt`;
    // awscli v1 presigns with SigV2 unless told otherwise (v2 with SigV4); Coffer, like AWS's
    // newer regions, accepts only SigV4 and says so.
    const byDefault = (await awsOk('s3', 'presign', target)).trim();
    const answer = await fetch(byDefault);
    if (/[?&]Signature=/.test(byDefault)) {
        assert.equal(answer.status, 400);
        assert.match(await answer.text(), /<Code>InvalidRequest<\/Code>.*AWS4-HMAC-SHA256/s);
    } else {
        assert.equal(answer.status, 200, await answer.text());
    }

    const v4Config = join(workDir, 'aws-config-sigv4');
    writeFileSync(
        v4Config,
        readFileSync(join(workDir, 'aws-config'), 'utf8') + '    signature_version = s3v4\n',
    );
    const v4 = await runCommand(
        tools.aws,
        ['--endpoint-url', server.endpoint, 's3', 'presign', target, '--expires-in', '120'],
        { env: { ...env, AWS_CONFIG_FILE: v4Config }, cwd: workDir },
    );
    assert.equal(v4.code, 0, v4.stderr);
    assert.match(v4.stdout, /X-Amz-Signature=[0-9a-f]{64}/);
    const response = await fetch(v4.stdout.trim());
    assert.equal(response.status, 200);
    assert.equal(await response.text(), readFileSync(join(workDir, 'small.txt'), 'utf8'));
});

test('s3 mv moves an object within the bucket', async () => {
    await awsOk('s3', 'cp', `s3://${BUCKET}/docs/small.txt`, `s3://${BUCKET}/docs/to-move.txt`);
    await awsOk('s3', 'mv', `s3://${BUCKET}/docs/to-move.txt`, `s3://${BUCKET}/docs/moved.txt`);
    const listing = parseRecursiveListing(
        await awsOk('s3', 'ls', `s3://${BUCKET}/docs/`, '--recursive'),
    );
    assert.deepEqual([...listing.keys()].sort(), ['docs/moved.txt', 'docs/small.txt']);
});

test('s3 ls --recursive prints every key with its size', async () => {
    const listing = parseRecursiveListing(await awsOk('s3', 'ls', `s3://${BUCKET}`, '--recursive'));
    assert.deepEqual([...listing.keys()].sort(), [
        'big/big.bin',
        'big/copy.bin',
        'docs/moved.txt',
        'docs/small.txt',
        'stream/stdin.bin',
    ]);
    assert.equal(listing.get('big/big.bin'), 40 * MiB);
    assert.equal(listing.get('stream/stdin.bin'), 12 * MiB + 123);
    assert.equal(listing.get('docs/small.txt'), readFileSync(join(workDir, 'small.txt')).length);
    const top = await awsOk('s3', 'ls', `s3://${BUCKET}/`);
    assert.deepEqual(
        top
            .split('\n')
            .filter((l) => l !== '')
            .map((l) => l.trim())
            .sort(),
        ['PRE big/', 'PRE docs/', 'PRE stream/'],
    );
});

const TREE: Record<string, string | Buffer> = {
    'top.txt': 'top level\n',
    'empty.txt': '',
    'a/one.txt': 'one\n',
    'a/b/two.bin': randomBytes(70_000),
    'a/b/c/three.txt': 'three levels down\n',
    'with space/and+plus %.txt': 'odd names\n',
};

test('s3 sync: a nested tree up, a no-op second sync, down again, --delete', async () => {
    const up = join(workDir, 'tree-up');
    const past = new Date(Date.now() - 3600_000);
    for (const [path, content] of Object.entries(TREE)) {
        mkdirSync(dirname(join(up, path)), { recursive: true });
        writeFileSync(join(up, path), content);
        // An mtime well before the upload, so LastModified decides "unchanged" without a race.
        utimesSync(join(up, path), past, past);
    }
    const first = await awsOk('s3', 'sync', up, `s3://${BUCKET}/tree`, '--no-progress');
    assert.equal(first.match(/^upload: /gm)?.length, Object.keys(TREE).length, first);
    assert.equal(await awsOk('s3', 'sync', up, `s3://${BUCKET}/tree`, '--no-progress'), '');

    const down = join(workDir, 'tree-down');
    mkdirSync(down);
    await awsOk('s3', 'sync', `s3://${BUCKET}/tree`, down, '--no-progress');
    assert.deepEqual([...treeDigest(down).entries()].sort(), [...treeDigest(up).entries()].sort());

    rmSync(join(up, 'a/b/two.bin'));
    const pruned = await awsOk('s3', 'sync', up, `s3://${BUCKET}/tree`, '--delete');
    assert.equal(pruned.trim(), `delete: s3://${BUCKET}/tree/a/b/two.bin`);
    const left = parseRecursiveListing(
        await awsOk('s3', 'ls', `s3://${BUCKET}/tree/`, '--recursive'),
    );
    assert.equal(left.size, Object.keys(TREE).length - 1);
    assert.equal(left.has('tree/a/b/two.bin'), false);
});

test('s3 rm --recursive empties the bucket and s3 rb removes it', async () => {
    await awsOk('s3', 'rm', `s3://${BUCKET}`, '--recursive');
    const after = await aws('s3', 'ls', `s3://${BUCKET}`, '--recursive');
    assert.equal(after.stdout, '', after.stderr);
    const listed = JSON.parse(
        await awsOk('s3api', 'list-objects-v2', '--no-paginate', '--bucket', BUCKET),
    ) as { KeyCount: number; Contents?: unknown[] };
    assert.equal(listed.KeyCount, 0);
    assert.equal(listed.Contents, undefined);

    assert.match(await awsOk('s3', 'rb', `s3://${BUCKET}`), new RegExp(`remove_bucket: ${BUCKET}`));
    assert.doesNotMatch(await awsOk('s3', 'ls'), new RegExp(BUCKET));
    const head = await aws('s3api', 'head-bucket', '--bucket', BUCKET);
    assert.notEqual(head.code, 0);
    assert.match(head.stderr, /\(404\)/);
});
