/**
 * The classic "require encryption, require TLS" bucket, end to end with the real `aws` CLI as a
 * person would run it: the account root creates the IAM user alice with `aws iam`, gives her an
 * inline policy, makes the bucket and puts AWS's documented "deny unencrypted uploads" policy;
 * alice's uploads without `--sse AES256` (small and multipart) and with `--sse aws:kms` are
 * refused, with it they pass. A third statement then refuses GetObject over plain HTTP, and
 * alice reads the object over HTTPS with `--ca-bundle`.
 *
 * Every CLI call's command line and output go to the test's diagnostics (`t.diagnostic`), so the
 * transcript can be quoted word for word; secret access keys are redacted from it.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { serverFailures } from '../helpers/expect.js';
import { awsEnv, CLI, REGION, runCommand, startServer, testTools } from '../helpers/server.js';
import type { CommandResult, RunningServer } from '../helpers/server.js';

const BUCKET = 'classic-policy';
const MiB = 1024 * 1024;
const tools = testTools();

let server: RunningServer;
let workDir: string;
let rootEnv: NodeJS.ProcessEnv;
let aliceEnv: NodeJS.ProcessEnv;
let aliceArn: string;
/** The sha256 of the 40 MiB file alice uploaded with AES256. */
let bigSha: string;

before(async () => {
    server = await startServer({ https: true });
    workDir = mkdtempSync(join(tmpdir(), 'coffer-classic-'));
    rootEnv = awsEnv(server, workDir);
    writeCliConfig(workDir);
});

after(async () => {
    await server?.stop();
    rmSync(workDir, { recursive: true, force: true });
    if (server) rmSync(server.dataDir, { recursive: true, force: true });
});

/**
 * As writeAwsConfig, but with two attempts: with one, botocore marks every error "reached max
 * retries: 0" and the CLI's line is no longer the plain one a user sees. A retried 5xx is still
 * caught: the last test asserts the server logged none.
 */
function writeCliConfig(dir: string): void {
    const lines = ['[default]', `region = ${REGION}`, 'retry_mode = standard', 'max_attempts = 2'];
    lines.push('s3 =', '    addressing_style = path', '');
    writeFileSync(join(dir, 'aws-config'), lines.join('\n'));
}

/**
 * Runs `aws <command>` in the work dir (the command is split on spaces: no argument here has
 * one) and records `$ aws ...`, its output and its exit status.
 */
async function aws(t: TestContext, env: NodeJS.ProcessEnv, command: string) {
    const result = await runCommand(tools.aws, command.split(' '), { env, cwd: workDir });
    const output = redactSecrets(result.stdout + result.stderr).trimEnd();
    t.diagnostic(`$ aws ${command}\n${output}${output ? '\n' : ''}(exit ${result.code})`);
    return result;
}

async function awsOk(t: TestContext, env: NodeJS.ProcessEnv, command: string): Promise<string> {
    const result = await aws(t, env, command);
    assert.equal(result.code, 0, `aws ${command} failed:\n${result.stderr}`);
    return result.stdout;
}

/** Asserts that the command fails with `expected` in its error line, and returns that line. */
async function awsRefused(
    t: TestContext,
    env: NodeJS.ProcessEnv,
    command: string,
    expected: string,
): Promise<string> {
    const result = await aws(t, env, command);
    assert.notEqual(result.code, 0, `aws ${command} should have failed`);
    const line = result.stderr.split('\n').find((l) => l.includes('An error occurred'));
    assert.ok(
        line?.includes(expected),
        `expected ${JSON.stringify(expected)} in:\n${result.stderr}`,
    );
    return line!;
}

function redactSecrets(text: string): string {
    return text.replace(/("SecretAccessKey": ")[^"]+"/g, '$1<redacted>"');
}

function writeRandomFile(name: string, size: number): string {
    const hash = createHash('sha256');
    const fd = openSync(join(workDir, name), 'w');
    for (let written = 0; written < size; written += MiB) {
        const chunk = randomBytes(Math.min(MiB, size - written));
        hash.update(chunk);
        writeSync(fd, chunk);
    }
    closeSync(fd);
    return hash.digest('hex');
}

const sha256Of = (name: string) =>
    createHash('sha256')
        .update(readFileSync(join(workDir, name)))
        .digest('hex');

function writeJson(name: string, value: unknown): string {
    writeFileSync(join(workDir, name), JSON.stringify(value, null, 2));
    return `file://${name}`;
}

const OBJECTS = `arn:aws:s3:::${BUCKET}/*`;
const REQUIRE_AES256 = [
    {
        Sid: 'DenyIncorrectEncryptionHeader',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:PutObject',
        Resource: OBJECTS,
        Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' } },
    },
    {
        Sid: 'DenyUnEncryptedObjectUploads',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:PutObject',
        Resource: OBJECTS,
        Condition: { Null: { 's3:x-amz-server-side-encryption': 'true' } },
    },
];
const REQUIRE_TLS_FOR_GET = {
    Sid: 'DenyInsecureGet',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:GetObject',
    Resource: OBJECTS,
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
};

const DENIED_BY_BUCKET_POLICY = 'with an explicit deny in a resource-based policy';

test('the root creates alice with aws iam, her policy, the bucket and its policy', async (t) => {
    const user = JSON.parse(await awsOk(t, rootEnv, 'iam create-user --user-name alice'));
    aliceArn = user.User.Arn;
    assert.match(aliceArn, /^arn:aws:iam::\d{12}:user\/alice$/);
    const keyOut = await awsOk(t, rootEnv, 'iam create-access-key --user-name alice');
    const { AccessKey } = JSON.parse(keyOut) as {
        AccessKey: { AccessKeyId: string; SecretAccessKey: string; Status: string };
    };
    assert.equal(AccessKey.Status, 'Active');
    aliceEnv = {
        ...rootEnv,
        AWS_ACCESS_KEY_ID: AccessKey.AccessKeyId,
        AWS_SECRET_ACCESS_KEY: AccessKey.SecretAccessKey,
    };
    const identityPolicy = writeJson('alice-policy.json', {
        Version: '2012-10-17',
        Statement: [
            { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: OBJECTS },
            { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${BUCKET}` },
        ],
    });
    await awsOk(
        t,
        rootEnv,
        `iam put-user-policy --user-name alice --policy-name classic-s3 ` +
            `--policy-document ${identityPolicy}`,
    );
    assert.match(await awsOk(t, rootEnv, `s3 mb s3://${BUCKET}`), /^make_bucket: /);
    const policy = writeJson('bucket-policy.json', {
        Version: '2012-10-17',
        Statement: REQUIRE_AES256,
    });
    await awsOk(t, rootEnv, `s3api put-bucket-policy --bucket ${BUCKET} --policy ${policy}`);
});

test('alice: a plain upload is refused, --sse AES256 passes, --sse aws:kms is not', async (t) => {
    writeFileSync(join(workDir, 'f'), `classic ${randomBytes(8).toString('hex')}\n`);
    const refused = 'An error occurred (AccessDenied) when calling the PutObject operation:';
    const line = await awsRefused(t, aliceEnv, `s3 cp f s3://${BUCKET}/f --no-progress`, refused);
    // alice is of the bucket owner's account: AWS's extended message names the policy kind.
    const message =
        `User: ${aliceArn} is not authorized to perform: s3:PutObject on resource: ` +
        `"arn:aws:s3:::${BUCKET}/f" ${DENIED_BY_BUCKET_POLICY}`;
    assert.equal(line, `upload failed: ./f to s3://${BUCKET}/f ${refused} ${message}`);

    const ok = await awsOk(t, aliceEnv, `s3 cp f s3://${BUCKET}/f --sse AES256 --no-progress`);
    assert.equal(ok.trim(), `upload: ./f to s3://${BUCKET}/f`);
    const head = JSON.parse(
        await awsOk(t, aliceEnv, `s3api head-object --bucket ${BUCKET} --key f`),
    );
    assert.equal(head.ServerSideEncryption, 'AES256');

    const kms = `s3 cp f s3://${BUCKET}/f-kms --sse aws:kms --no-progress`;
    assert.ok((await awsRefused(t, aliceEnv, kms, refused)).endsWith(DENIED_BY_BUCKET_POLICY));
});

test('alice: a 40 MiB multipart upload passes with --sse AES256, is refused without', async (t) => {
    bigSha = writeRandomFile('big', 40 * MiB);
    await awsOk(t, aliceEnv, `s3 cp big s3://${BUCKET}/big --sse AES256 --no-progress`);
    const head = JSON.parse(
        await awsOk(t, aliceEnv, `s3api head-object --bucket ${BUCKET} --key big`),
    );
    // The CLI's default 8 MiB parts: five of them.
    assert.match(head.ETag, /^"[0-9a-f]{32}-5"$/);
    assert.equal(head.ContentLength, 40 * MiB);
    assert.equal(head.ServerSideEncryption, 'AES256');

    const refused =
        'An error occurred (AccessDenied) when calling the CreateMultipartUpload operation:';
    const plain = `s3 cp big s3://${BUCKET}/big-plain --no-progress`;
    assert.ok((await awsRefused(t, aliceEnv, plain, refused)).endsWith(DENIED_BY_BUCKET_POLICY));
    const listed = await awsOk(t, rootEnv, `s3api list-multipart-uploads --bucket ${BUCKET}`);
    assert.equal(JSON.parse(listed).Uploads, undefined, 'a refused upload leaves nothing behind');
});

test('with aws:SecureTransport required for GetObject, alice reads over HTTPS only', async (t) => {
    const policy = writeJson('bucket-policy-tls.json', {
        Version: '2012-10-17',
        Statement: [...REQUIRE_AES256, REQUIRE_TLS_FOR_GET],
    });
    await awsOk(t, rootEnv, `s3api put-bucket-policy --bucket ${BUCKET} --policy ${policy}`);
    const get = `s3api get-object --bucket ${BUCKET} --key f f.http`;
    const refused = 'An error occurred (AccessDenied) when calling the GetObject operation:';
    assert.ok((await awsRefused(t, aliceEnv, get, refused)).endsWith(DENIED_BY_BUCKET_POLICY));
    // `s3 cp` asks HeadObject first; a HEAD error has no body, so the CLI shows the status only.
    const headRefused = 'An error occurred (403) when calling the HeadObject operation: Forbidden';
    await awsRefused(t, aliceEnv, `s3 cp s3://${BUCKET}/f f.http --no-progress`, headRefused);

    const overTls = `--endpoint-url ${server.httpsEndpoint} --ca-bundle ${server.caBundle}`;
    const got = await awsOk(t, aliceEnv, `${overTls} s3 cp s3://${BUCKET}/f f.https --no-progress`);
    assert.equal(got.trim(), `download: s3://${BUCKET}/f to ./f.https`);
    assert.deepEqual(readFileSync(join(workDir, 'f.https')), readFileSync(join(workDir, 'f')));
    await awsOk(t, aliceEnv, `${overTls} s3 cp s3://${BUCKET}/big big.https --no-progress`);
    assert.equal(sha256Of('big.https'), bigSha);
});

test('coffer policy simulate names the statement that refuses the plain upload', async (t) => {
    const simulate = async (context: string[]) => {
        const args = ['policy', 'simulate', '--policy', 'bucket-policy.json'];
        args.push('--principal', aliceArn, '--action', 's3:PutObject');
        args.push('--resource', `arn:aws:s3:::${BUCKET}/f`);
        args.push('--identity-policy', 'alice-policy.json');
        for (const entry of context) args.push('--context', entry);
        const result = await runCommand(process.execPath, [CLI, ...args], { cwd: workDir });
        t.diagnostic(`$ coffer ${args.join(' ')}\n${result.stdout}(exit ${result.code})`);
        return result;
    };
    // Without the header both Deny statements apply (a negated operator is true on an absent
    // key); the first in the document is named.
    const byHeaderCheck =
        'DENY (explicit) by BucketPolicy statement ' + '"DenyIncorrectEncryptionHeader" (#0)';
    const cases: Array<[string[], number, string]> = [
        [[], 2, byHeaderCheck],
        [['s3:x-amz-server-side-encryption=aws:kms'], 2, byHeaderCheck],
        [
            ['s3:x-amz-server-side-encryption=AES256'],
            0,
            'ALLOW by alice-policy.json statement (#0)',
        ],
    ];
    for (const [context, code, verdict] of cases) {
        const result = await simulate(context);
        assert.equal(result.code, code, result.stderr);
        assert.equal(result.stdout, `${verdict}\n`);
    }
});

test('no request failed on the server side (a retried 5xx would hide in the CLI)', () => {
    assert.deepEqual(serverFailures(server.logs), []);
});
