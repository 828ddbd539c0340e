/**
 * `coffer policy check` and `coffer policy simulate`, run as a user runs them: the compiled CLI
 * on policy files in a temp dir, judged by its output and exit status (0 OK/allow, 1 error,
 * 2 deny).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The compiled CLI, whether this file runs from dist/ (npm test) or from source (tsx). */
const CLI = here.includes(`${sep}dist${sep}`)
    ? resolve(here, '../../src/cli/main.js')
    : resolve(here, '../../dist/src/cli/main.js');

const dir = mkdtempSync(join(tmpdir(), 'coffer-policy-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function policyFile(name: string, document: unknown, raw?: string): string {
    const file = join(dir, name);
    writeFileSync(file, raw ?? JSON.stringify(document, null, 2) + '\n');
    return file;
}

function coffer(...args: string[]) {
    const run = spawnSync(process.execPath, [CLI, 'policy', ...args], { encoding: 'utf8' });
    return { code: run.status, stdout: run.stdout.trim(), stderr: run.stderr.trim() };
}

const ALICE = 'arn:aws:iam::111122223333:user/alice';
const BUCKET_POLICY = policyFile('bucket-policy.json', {
    Version: '2012-10-17',
    Statement: [
        {
            Sid: 'DenyUnencrypted',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:PutObject',
            Resource: 'arn:aws:s3:::photos/*',
            Condition: { Null: { 's3:x-amz-server-side-encryption': 'true' } },
        },
        {
            Effect: 'Allow',
            Principal: { AWS: ALICE },
            Action: ['s3:PutObject', 's3:GetObject'],
            Resource: 'arn:aws:s3:::photos/*',
        },
        {
            Sid: 'PublicReadFromTags',
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:GetObject',
            Resource: 'arn:aws:s3:::photos/public/*',
            Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'project'] } },
        },
    ],
});
const IDENTITY_POLICY = policyFile('alice-policy.json', {
    Version: '2012-10-17',
    Statement: [
        {
            Sid: 'OwnPrefix',
            Effect: 'Allow',
            Action: 's3:*',
            Resource: 'arn:aws:s3:::photos/${aws:username}/*',
        },
    ],
});

describe('coffer policy check', () => {
    it('prints OK for a valid policy', () => {
        assert.deepEqual(coffer('check', BUCKET_POLICY, '--bucket', 'photos'), {
            code: 0,
            stdout: 'OK',
            stderr: '',
        });
    });

    it('refuses resources outside --bucket with the MalformedPolicy message', () => {
        const run = coffer('check', BUCKET_POLICY, '--bucket', 'videos');
        assert.equal(run.code, 1);
        assert.equal(run.stdout, '');
        assert.match(run.stderr, /MalformedPolicy: Policy has invalid resource$/);
    });

    it('refuses what PutBucketPolicy refuses: a first byte other than {', () => {
        const file = policyFile('indented.json', undefined, '  {"Version":"2012-10-17"}');
        const run = coffer('check', file, '--bucket', 'photos');
        assert.equal(run.code, 1);
        assert.match(run.stderr, /MalformedPolicy: Policies must be valid JSON and the first byte/);
    });

    it('refuses an unknown action', () => {
        const file = policyFile('bad-action.json', {
            Version: '2012-10-17',
            Statement: [
                {
                    Effect: 'Allow',
                    Principal: '*',
                    Action: 's3:GetObjekt',
                    Resource: 'arn:aws:s3:::photos/*',
                },
            ],
        });
        const run = coffer('check', file, '--bucket', 'photos');
        assert.equal(run.code, 1);
        assert.match(run.stderr, /MalformedPolicy: Policy has invalid action/);
    });

    it('needs --bucket, and says so in its help that principals are not looked up', () => {
        const run = coffer('check', BUCKET_POLICY);
        assert.equal(run.code, 1);
        assert.match(run.stderr, /--bucket/);
        assert.match(coffer('check', '--help').stdout, /taken to exist/);
    });

    it('reports an unreadable file', () => {
        const run = coffer('check', join(dir, 'missing.json'), '--bucket', 'photos');
        assert.equal(run.code, 1);
        assert.match(run.stderr, /cannot read .*missing\.json/);
    });
});

describe('coffer policy simulate', () => {
    const simulate = (...args: string[]) => coffer('simulate', '--policy', BUCKET_POLICY, ...args);
    const put = ['--action', 's3:PutObject', '--resource', 'arn:aws:s3:::photos/alice/a.jpg'];
    const encrypted = ['--context', 's3:x-amz-server-side-encryption=AES256'];

    it('names the explicit Deny that decided', () => {
        const run = simulate('--principal', ALICE, ...put);
        assert.equal(
            run.stdout,
            'DENY (explicit) by BucketPolicy statement "DenyUnencrypted" (#0)',
        );
        assert.equal(run.code, 2);
    });

    it('names an Allow without a Sid by its position (same account)', () => {
        const run = simulate('--principal', ALICE, ...put, ...encrypted);
        assert.equal(run.stdout, 'ALLOW by BucketPolicy statement (#1)');
        assert.equal(run.code, 0);
    });

    it('needs both sides across accounts: implicit deny without an identity policy', () => {
        const owner = ['--bucket-owner', '444455556666'];
        const denied = simulate('--principal', ALICE, ...put, ...encrypted, ...owner);
        assert.equal(denied.stdout, 'DENY (implicit): no statement allows it');
        assert.equal(denied.code, 2);
        const allowed = simulate(
            '--principal',
            ALICE,
            ...put,
            ...encrypted,
            ...owner,
            '--identity-policy',
            IDENTITY_POLICY,
        );
        assert.equal(allowed.stdout, 'ALLOW by BucketPolicy statement (#1)');
        assert.equal(allowed.code, 0);
    });

    it('derives aws:username from the user ARN for identity policies', () => {
        const identityOnly = (resource: string) =>
            coffer(
                'simulate',
                '--principal',
                ALICE,
                '--action',
                's3:GetObject',
                '--resource',
                resource,
                '--identity-policy',
                IDENTITY_POLICY,
            );
        const own = identityOnly('arn:aws:s3:::photos/alice/a.jpg');
        assert.equal(own.stdout, 'ALLOW by alice-policy.json statement "OwnPrefix" (#0)');
        const other = identityOnly('arn:aws:s3:::photos/bob/a.jpg');
        assert.equal(other.stdout, 'DENY (implicit): no statement allows it');
        assert.equal(other.code, 2);
    });

    it('treats a repeated --context key as multi-valued and a missing one as absent', () => {
        const get = ['--action', 's3:GetObject', '--resource', 'arn:aws:s3:::photos/public/x'];
        const tags = (...values: string[]) =>
            values.flatMap((v) => ['--context', `aws:TagKeys=${v}`]);
        const inSet = simulate('--principal', 'anonymous', ...get, ...tags('team', 'project'));
        assert.equal(inSet.stdout, 'ALLOW by BucketPolicy statement "PublicReadFromTags" (#2)');
        const outside = simulate('--principal', '*', ...get, ...tags('team', 'secret'));
        assert.equal(outside.stdout, 'DENY (implicit): no statement allows it');
        // ForAllValues over an absent key holds (AWS's documented pitfall).
        const absent = simulate('--principal', '*', ...get);
        assert.equal(absent.code, 0);
    });

    it("lets the owner account's root in without a statement, but not past a Deny", () => {
        const root = ['--principal', 'arn:aws:iam::111122223333:root'];
        const get = ['--action', 's3:GetObject', '--resource', 'arn:aws:s3:::photos/a.jpg'];
        const allowed = simulate(...root, ...get);
        assert.match(allowed.stdout, /^ALLOW \(the account's root user needs no statement/);
        assert.equal(allowed.code, 0);
        const denied = simulate(...root, ...put);
        assert.match(
            denied.stdout,
            /^DENY \(explicit\) by BucketPolicy statement "DenyUnencrypted"/,
        );
    });

    it('reports bad arguments and malformed policies with exit status 1', () => {
        const badPrincipal = simulate('--principal', 'alice', ...put);
        assert.equal(badPrincipal.code, 1);
        assert.match(badPrincipal.stderr, /--principal "alice"/);
        const badContext = simulate('--principal', '*', ...put, '--context', 'novalue');
        assert.equal(badContext.code, 1);
        assert.match(badContext.stderr, /expected key=value/);
        const malformed = policyFile('malformed.json', undefined, '{"Statement": [}');
        const run = coffer('simulate', '--policy', malformed, '--principal', '*', ...put);
        assert.equal(run.code, 1);
        assert.match(run.stderr, /MalformedPolicy: This policy contains invalid Json/);
    });
});
