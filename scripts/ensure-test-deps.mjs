#!/usr/bin/env node
// Finds (or installs) the real clients the compatibility tests drive: the aws CLI and a python3
// with boto3. The machine's own python3 comes first; Debian's packages are the fallback on a
// machine without them. Writes what it found to .test-tools/tools.json for the tests.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';

function works(cmd, args) {
    const run = spawnSync(cmd, args, { encoding: 'utf8' });
    return run.status === 0 ? (run.stdout + run.stderr).trim() || 'ok' : undefined;
}

function findPythonWithBoto3() {
    for (const python of ['python3', '/usr/bin/python3']) {
        if (works(python, ['-c', 'import boto3'])) return python;
    }
    return undefined;
}

function findAws() {
    for (const aws of ['aws', '/usr/bin/aws']) if (works(aws, ['--version'])) return aws;
    return undefined;
}

let python = findPythonWithBoto3();
let aws = findAws();
if ((!python || !aws) && process.getuid?.() === 0) {
    console.log('ensure-test-deps: installing awscli and python3-boto3 from Debian packages');
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', 'awscli', 'python3-boto3'], {
        stdio: 'inherit',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    python = findPythonWithBoto3();
    aws = findAws();
}
if (!python || !aws) {
    console.error('ensure-test-deps: the aws CLI and boto3 are required (apt-get install awscli python3-boto3)');
    process.exit(1);
}
mkdirSync('.test-tools', { recursive: true });
writeFileSync('.test-tools/tools.json', JSON.stringify({ python, aws }, null, 2) + '\n');
console.log(`ensure-test-deps: aws = ${works(aws, ['--version'])}; python with boto3 = ${python}`);
