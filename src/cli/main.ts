#!/usr/bin/env node
/** The `coffer` command. */
import { Command, Option } from 'commander';
import { runServer } from './server-command.js';

const program = new Command()
    .name('coffer')
    .description('Coffer: a self-hosted, S3-compatible object store.');

program
    .command('server')
    .description('Run the S3 server on the embedded store (SQLite metadata, blobs on disk).')
    .option('--data-dir <dir>', 'where metadata, blobs and generated keys live', './data')
    .option('--listen <host:port>', 'HTTP listen address', '127.0.0.1:9000')
    .option('--region <region>', 'the region the server answers for', 'us-east-1')
    .option('--domain <domain>', 'base domain for virtual-host style requests (<bucket>.<domain>)')
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

Signals:
  SIGTERM, SIGINT   stop accepting connections, finish in-flight requests, then exit.`,
    )
    .action(runServer);

await program.parseAsync(process.argv);
