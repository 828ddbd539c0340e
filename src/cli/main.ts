#!/usr/bin/env node
/** The `coffer` command. */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { adminCommand } from './admin-command.js';
import { policyCommand } from './policy-command.js';
import { runServer } from './server-command.js';

const program = new Command()
    .name('coffer')
    .description('Coffer: a self-hosted, S3-compatible object store.')
    .version(packageVersion());

program
    .command('server')
    .description('Run the S3 server on the embedded store (SQLite metadata, blobs on disk).')
    .option('--data-dir <dir>', 'where metadata, blobs and generated keys live', './data')
    .option('--listen <host:port>', 'HTTP listen address', '127.0.0.1:9000')
    .option('--region <region>', 'the region the server answers for', 'us-east-1')
    .option('--domain <domain>', 'base domain for virtual-host style requests (<bucket>.<domain>)')
    .option(
        '--root-key-file <file>',
        'KMS root key (32 bytes, raw or base64); default: COFFER_ROOT_KEY, else ' +
            '<data-dir>/kms-root-key, generated (mode 0600) on first start',
    )
    .option('--listen-https <host:port>', 'HTTPS listen address (in addition to --listen)')
    .option('--tls-cert <file>', 'PEM certificate (chain) for HTTPS; default: self-signed')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option(
        '--trusted-proxy <cidr>',
        'a reverse proxy whose X-Forwarded-For/-Proto are believed (repeatable; IPv4 or IPv6)',
        (value: string, previous: string[]) => [...previous, value],
        [],
    )
    .option(
        '--allow-insecure-ssec',
        'accept SSE-C keys over plain HTTP (for local testing only: the key crosses the network ' +
            'in the clear; AWS refuses this)',
    )
    .addOption(
        new Option(
            '--default-block-ssec <bool>',
            'whether new buckets block SSE-C writes until PutBucketEncryption unblocks them',
        )
            .choices(['true', 'false'])
            .default('true'),
    )
    .addOption(
        new Option('--log-level <level>', 'log level')
            .choices(['trace', 'debug', 'info', 'warn', 'error', 'silent'])
            .default('info'),
    )
    .addHelpText(
        'after',
        `
Environment:
  COFFER_ROOT_ACCESS_KEY, COFFER_ROOT_SECRET_KEY
      The root account's access key pair. When both are unset, a pair is generated on first
      start, stored in <data-dir>/root-credentials.json (mode 0600) and printed once.
  COFFER_ROOT_KEY
      The KMS root key, base64 of 32 bytes (instead of --root-key-file). It seals every KMS
      key; losing it loses every SSE-KMS and SSE-S3 object.

HTTPS:
  Without --tls-cert/--tls-key, a self-signed certificate for localhost, 127.0.0.1, ::1 (and
  --domain, *.<domain>) is generated into <data-dir>/tls/ on first start and reused; give its
  path to clients as their CA bundle (aws --ca-bundle <data-dir>/tls/cert.pem ...).

Signals:
  SIGTERM, SIGINT   stop accepting connections, finish in-flight requests (up to 30 s), exit.`,
    )
    .action(runServer);

program.addCommand(policyCommand());
program.addCommand(adminCommand());

function packageVersion(): string {
    const url = new URL('../../../package.json', import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

try {
    await program.parseAsync(process.argv);
} catch (err) {
    // A bad flag or an unusable data dir is the operator's to fix: one line, no stack trace.
    process.stderr.write(`coffer: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
}
