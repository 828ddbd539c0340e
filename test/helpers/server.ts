/**
 * Starts a real Coffer server process on 127.0.0.1 (an ephemeral port) over a temp data dir,
 * and stops it. Tests talk to it over HTTP with real clients.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';

const here = dirname(fileURLToPath(import.meta.url));
/** The compiled CLI (tests run from dist/test/...). */
export const CLI = resolve(here, '../../src/cli/main.js');

export const ACCESS_KEY = 'AKIACOFFERTEST000001';
export const SECRET_KEY = 'coffer-test-secret-key-0000000000000000000';
export const REGION = 'us-east-1';

export interface RunningServer {
    endpoint: string;
    port: number;
    /** Set when started with `https: true`: the HTTPS listener's endpoint and port. */
    httpsEndpoint?: string;
    httpsPort?: number;
    /** With `https: true`: the self-signed certificate, to give clients as their CA bundle. */
    caBundle?: string;
    dataDir: string;
    /** Every JSON log line the server wrote. */
    logs: Array<Record<string, unknown>>;
    /** Raw stdout and stderr text, to check that no secret is ever printed. */
    output: string[];
    process: ChildProcess;
    stop(): Promise<void>;
    kill9(): Promise<void>;
    /** Resolves when the process has exited, with how it ended. */
    exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface StartOptions {
    dataDir?: string;
    args?: string[];
    env?: Record<string, string>;
    /** Also listen for HTTPS on an ephemeral port (self-signed certificate in the data dir). */
    https?: boolean;
}

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'coffer-test-'));
    const child = spawn(
        process.execPath,
        [
            CLI,
            'server',
            '--data-dir',
            dataDir,
            '--listen',
            '127.0.0.1:0',
            ...(options.https ? ['--listen-https', '127.0.0.1:0'] : []),
            ...(options.args ?? []),
        ],
        {
            env: {
                ...process.env,
                COFFER_ROOT_ACCESS_KEY: ACCESS_KEY,
                COFFER_ROOT_SECRET_KEY: SECRET_KEY,
                ...options.env,
            },
            stdio: ['ignore', 'pipe', 'pipe'],
        },
    );
    const logs: Array<Record<string, unknown>> = [];
    const output: string[] = [];
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const listening = await new Promise<Record<string, unknown>>((resolveListening, reject) => {
        const lines = createInterface({ input: child.stdout! });
        lines.on('line', (line) => {
            output.push(line);
            try {
                const entry = JSON.parse(line) as Record<string, unknown>;
                logs.push(entry);
                if (entry['event'] === 'listening') resolveListening(entry);
            } catch {
                // Not a log line (a banner, say): kept in `output` only.
            }
        });
        child.once('exit', (code) =>
            reject(new Error(`server exited (${code}) before listening: ${output.join('')}`)),
        );
    });
    const port = portOf(listening['address']);
    const httpsPort = listening['httpsAddress'] ? portOf(listening['httpsAddress']) : undefined;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
        child.once('exit', (code, signal) => done({ code, signal })),
    );
    return {
        endpoint: `http://127.0.0.1:${port}`,
        port,
        httpsEndpoint: httpsPort === undefined ? undefined : `https://127.0.0.1:${httpsPort}`,
        httpsPort,
        caBundle: httpsPort === undefined ? undefined : join(dataDir, 'tls', 'cert.pem'),
        dataDir,
        logs,
        output,
        process: child,
        exited,
        async stop() {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await exited;
        },
        async kill9() {
            child.kill('SIGKILL');
            await exited;
        },
    };
}

/** The port of a logged listen URL (`http://127.0.0.1:9000`, `https://[::1]:9443`). */
function portOf(url: unknown): number {
    return Number(String(url).split(':').pop());
}

export function removeDataDir(server: RunningServer): void {
    rmSync(server.dataDir, { recursive: true, force: true });
}

/** An SDK v3 client with its default checksum behaviour, path-style. */
export function s3Client(
    server: RunningServer,
    overrides: Partial<ConstructorParameters<typeof S3Client>[0]> = {},
) {
    return new S3Client({
        endpoint: server.endpoint,
        region: REGION,
        forcePathStyle: true,
        credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
        ...overrides,
    });
}

/** Environment for the aws CLI and boto3 pointed at the server, isolated from ~/.aws. */
export function awsEnv(server: RunningServer, workDir: string): NodeJS.ProcessEnv {
    return {
        ...process.env,
        AWS_ACCESS_KEY_ID: ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY: SECRET_KEY,
        AWS_DEFAULT_REGION: REGION,
        AWS_CONFIG_FILE: join(workDir, 'aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(workDir, 'aws-credentials'),
        AWS_ENDPOINT_URL: server.endpoint,
        COFFER_ENDPOINT: server.endpoint,
    };
}

/** The real clients `scripts/ensure-test-deps.mjs` found: a python3 with boto3, and the aws CLI. */
export interface TestTools {
    python: string;
    aws: string;
}

/** Reads `.test-tools/tools.json` (written by `node scripts/ensure-test-deps.mjs`). */
export function testTools(): TestTools {
    const file = resolve(here, '../../../.test-tools/tools.json');
    if (!existsSync(file)) {
        throw new Error(`${file} is missing: run \`node scripts/ensure-test-deps.mjs\` first`);
    }
    return JSON.parse(readFileSync(file, 'utf8')) as TestTools;
}

/** What a finished client process returned. */
export interface CommandResult {
    code: number | null;
    stdout: string;
    stderr: string;
}

/**
 * Runs a client (the aws CLI, a python script) to completion, capturing its output as text.
 * `stdinFile` is piped to its standard input (otherwise it has none).
 */
export function runCommand(
    command: string,
    args: string[],
    options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; stdinFile?: string } = {},
): Promise<CommandResult> {
    return new Promise((done, fail) => {
        const stdin = options.stdinFile === undefined ? 'ignore' : openSync(options.stdinFile, 'r');
        const child = spawn(command, args, {
            env: options.env ?? process.env,
            cwd: options.cwd,
            stdio: [stdin, 'pipe', 'pipe'],
            timeout: options.timeoutMs ?? 120_000,
        });
        if (typeof stdin === 'number') closeSync(stdin);
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
        child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
        child.once('error', fail);
        child.once('close', (code) =>
            done({
                code,
                stdout: Buffer.concat(stdout).toString('utf8'),
                stderr: Buffer.concat(stderr).toString('utf8'),
            }),
        );
    });
}

/**
 * Writes the config file `awsEnv` points the CLI and boto3 at: path-style addressing, and no
 * retries, since a retry would hide a 5xx or a dropped connection that a test should see.
 */
export function writeAwsConfig(workDir: string): void {
    const config = [
        '[default]',
        `region = ${REGION}`,
        'retry_mode = standard',
        'max_attempts = 1',
        // aws CLI v2 would page output through `less`; v1 ignores this.
        'cli_pager =',
        's3 =',
        '    addressing_style = path',
        '',
    ];
    writeFileSync(join(workDir, 'aws-config'), config.join('\n'));
}
