/**
 * boto3 (SigV4, signed payloads, path style, over HTTP) against a real Coffer server. The session
 * itself is test/compat/boto3_session.py: it runs its steps once and reports each as JSON; every
 * step is one test here. Presigned URLs boto3 made are then used with node's fetch.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { awsEnv, runCommand, startServer, testTools, writeAwsConfig } from '../helpers/server.js';
import type { CommandResult, RunningServer } from '../helpers/server.js';

const here = dirname(fileURLToPath(import.meta.url));
/** Python files are test data, not compiled: read from the source tree (tests run from dist/). */
const SCRIPT = resolve(here, '../../../test/compat/boto3_session.py');
const BUCKET = 'boto3-compat';

/** The steps the script must report, in its order; a step it skipped is a failure too. */
const STEPS = [
    'create_bucket',
    'put_get_metadata',
    'default_checksum',
    'explicit_checksums',
    'ranges_and_conditions',
    'wrong_checksum_refused',
    'multipart_upload_fileobj',
    'odd_keys_round_trip',
    'delete_objects',
    'presigned_urllib',
    'presigned_expired',
] as const;

interface SessionReport {
    steps: Record<string, { ok: boolean; error?: string }>;
    presigned: { key: string; put: string; get: string };
    observed: Record<string, Record<string, string>>;
}

let server: RunningServer;
let workDir: string;
let run: CommandResult;
let report: SessionReport | undefined;

before(async () => {
    server = await startServer();
    workDir = mkdtempSync(join(tmpdir(), 'coffer-boto3-'));
    writeAwsConfig(workDir);
    run = await runCommand(testTools().python, [SCRIPT, BUCKET], {
        env: awsEnv(server, workDir),
        cwd: workDir,
    });
    try {
        report = JSON.parse(run.stdout) as SessionReport;
    } catch {
        report = undefined;
    }
});

after(async () => {
    await server?.stop();
    rmSync(workDir, { recursive: true, force: true });
    rmSync(server.dataDir, { recursive: true, force: true });
});

function sessionReport(): SessionReport {
    assert.equal(run.code, 0, `boto3_session.py exited ${run.code}:\n${run.stderr}`);
    assert.ok(report, `boto3_session.py printed no JSON report:\n${run.stdout}\n${run.stderr}`);
    return report;
}

for (const step of STEPS) {
    test(`boto3: ${step.replaceAll('_', ' ')}`, (t) => {
        const result = sessionReport().steps[step];
        assert.ok(result, `the script did not run step ${step}`);
        assert.ok(result.ok, result.error);
        if (step === 'default_checksum' || step === 'multipart_upload_fileobj') {
            // What boto3 sent, for whoever reads the test output.
            const { observed } = sessionReport();
            const ops =
                step === 'default_checksum' ? ['PutObject'] : ['UploadPart', 'UploadPartCopy'];
            for (const op of ops) t.diagnostic(`${op} headers: ${JSON.stringify(observed[op])}`);
        }
    });
}

test('boto3 presigned PUT and GET URLs work with a plain HTTP client (fetch)', async () => {
    const { presigned } = sessionReport();
    const body = randomBytes(5000);
    const put = await fetch(presigned.put, { method: 'PUT', body });
    assert.equal(put.status, 200, await put.text());
    const get = await fetch(presigned.get);
    assert.equal(get.status, 200);
    assert.deepEqual(Buffer.from(await get.arrayBuffer()), body);

    // The signature covers the path: the GET URL does not open another key.
    const other = presigned.get.replace(presigned.key, `${presigned.key}.other`);
    const refused = await fetch(other);
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
});

test('the server answered no request of the session with a 5xx', () => {
    sessionReport();
    const failures = server.logs.filter(
        (entry) => entry['event'] === 'request' && Number(entry['status']) >= 500,
    );
    assert.deepEqual(failures, []);
});
