/**
 * Starting and stopping the servers under test: Coffer (the compiled CLI over a fresh temp data
 * dir), s3rver from npm as the default peer (its own child process, so its CPU and memory are
 * its own), or any S3 endpoint given on the command line. Every process started here is
 * tracked, so `stopAll` can end them all on failure or Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Credentials } from './sigv4.js';

/** A server the bench drives. `pid` is absent for an external peer (nothing to measure). */
export interface Target {
    name: string;
    endpoint: string;
    credentials: Credentials;
    pid?: number;
    /** Why the server process is gone (exit code and its last output), or undefined if alive. */
    death(): string | undefined;
    stop(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const COFFER_CLI = resolve(here, '../src/cli/main.js');
const COFFER_CREDENTIALS = {
    accessKeyId: 'AKIACOFFERBENCH00001',
    secretAccessKey: 'coffer-bench-secret-key-000000000000000000',
};
/** s3rver's built-in account. */
const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 30_000;

/** How long an interrupted run waits for a server's own shutdown before SIGKILL. */
const ABORT_GRACE_MS = 2_000;

type Stop = (graceMs?: number) => Promise<void>;
const running = new Set<Stop>();
let aborting = false;

/** Stops every server this module started that is still running. */
export async function stopAll(graceMs = STOP_TIMEOUT_MS): Promise<void> {
    await Promise.allSettled([...running].map((stop) => stop(graceMs)));
}

/**
 * Ctrl-C: stops everything at once, and any server still starting is stopped as soon as it
 * is spawned (the run may be mid-setup; a graceful drain would wait on the bench's own
 * connections).
 */
export async function abortAll(): Promise<void> {
    aborting = true;
    await stopAll(ABORT_GRACE_MS);
}

/** The node flags Coffer's launchers give it (`bin/coffer`, `npm start`): see bin/coffer. */
const COFFER_NODE_FLAGS = ['--initial-old-space-size=64'];

export interface CofferOptions {
    /** Extra node flags for the server process (e.g. --cpu-prof). */
    nodeFlags: string[];
}

/** Starts Coffer on a free loopback port over a fresh temp data dir. */
export async function startCoffer(options: CofferOptions): Promise<Target> {
    const dataDir = mkdtempSync(join(tmpdir(), 'coffer-bench-'));
    // At --log-level warn Coffer prints nothing on start (and no per-request line, as s3rver
    // runs silent too), so the bench picks the port and waits for it to accept connections.
    const port = await freePort();
    const args = [...options.nodeFlags, ...COFFER_NODE_FLAGS, COFFER_CLI, 'server'];
    args.push('--data-dir', dataDir);
    args.push('--listen', `127.0.0.1:${port}`, '--log-level', 'warn');
    // SSE-C over plain HTTP, and on new buckets, so the SSE-C mode can be measured at all:
    // the bench talks only to 127.0.0.1, and TLS would add its own cost to that mode's rows.
    args.push('--allow-insecure-ssec', '--default-block-ssec', 'false');
    const child = spawnTracked(args, {
        COFFER_ROOT_ACCESS_KEY: COFFER_CREDENTIALS.accessKeyId,
        COFFER_ROOT_SECRET_KEY: COFFER_CREDENTIALS.secretAccessKey,
    });
    const stop = register(child, dataDir);
    try {
        await waitForPort(port, child);
    } catch (err) {
        await stop();
        throw err;
    }
    return {
        name: 'Coffer',
        endpoint: `http://127.0.0.1:${port}`,
        credentials: COFFER_CREDENTIALS,
        pid: child.process.pid,
        death: () => deathOf(child),
        stop,
    };
}

/** Starts s3rver (npm) on a free loopback port over a fresh temp directory. */
export async function startS3rver(): Promise<Target> {
    const require = createRequire(import.meta.url);
    const packageJson = require.resolve('s3rver/package.json');
    const version = (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
    const dataDir = mkdtempSync(join(tmpdir(), 's3rver-bench-'));
    const bin = join(dirname(packageJson), 'bin', 's3rver.js');
    // s3rver's ListObjectsV2 continuation tokens use DES, which OpenSSL 3 keeps in its legacy
    // provider: without the flag every listing past one page answers 500.
    const args = ['--openssl-legacy-provider', bin, '-d', dataDir, '-a', '127.0.0.1', '-p', '0'];
    args.push('-s', '--no-vhost-buckets');
    const child = spawnTracked(args, {});
    const stop = register(child, dataDir);
    try {
        const port = await child.waitForLine(/listening on 127\.0\.0\.1:(\d+)/);
        return {
            name: `s3rver ${version}`,
            endpoint: `http://127.0.0.1:${port}`,
            credentials: S3RVER_CREDENTIALS,
            pid: child.process.pid,
            death: () => deathOf(child),
            stop,
        };
    } catch (err) {
        await stop();
        throw err;
    }
}

/** Any S3 server already running: driven the same way, but its CPU and memory are unknown. */
export function externalPeer(endpoint: string, credentials: Credentials): Target {
    const name = `peer ${endpoint}`;
    return {
        name,
        endpoint,
        credentials,
        death: () => undefined,
        stop: async () => {},
    };
}

function deathOf(child: TrackedChild): string | undefined {
    const { exitCode, signalCode } = child.process;
    if (exitCode === null && signalCode === null) return undefined;
    return `exited (${exitCode ?? signalCode}); its last output:\n${child.output()}`;
}

interface TrackedChild {
    process: ChildProcess;
    /** The last few KiB of output, for error messages. */
    output(): string;
    /** Resolves with the first capture group of the first stdout line matching `pattern`. */
    waitForLine(pattern: RegExp): Promise<string>;
}

function spawnTracked(args: string[], env: Record<string, string>): TrackedChild {
    const child = spawn(process.execPath, args, {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const waiters: Array<(line: string) => void> = [];
    const keep = (chunk: Buffer) => {
        tail = (tail + chunk.toString()).slice(-8192);
        for (const waiter of waiters) waiter(tail);
    };
    // Both pipes are always drained: a full pipe would stall the server.
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    return {
        process: child,
        output: () => tail,
        waitForLine: (pattern) =>
            new Promise((resolveLine, reject) => {
                const timer = setTimeout(
                    () => reject(new Error(`no start line: ${tail}`)),
                    START_TIMEOUT_MS,
                );
                waiters.push((text) => {
                    const match = pattern.exec(text);
                    if (match) {
                        clearTimeout(timer);
                        resolveLine(match[1]);
                    }
                });
                child.once('exit', (code) =>
                    reject(new Error(`exited (${code}) on start: ${tail}`)),
                );
            }),
    };
}

/** Registers a child for stopAll and returns its idempotent stop: SIGTERM, then SIGKILL. */
function register(child: TrackedChild, dataDir: string): Stop {
    const proc = child.process;
    const exited = new Promise<void>((done) => {
        if (proc.exitCode !== null || proc.signalCode !== null) done();
        else proc.once('exit', () => done());
    });
    let stopping: Promise<void> | undefined;
    const stop: Stop = (graceMs = STOP_TIMEOUT_MS) => {
        stopping ??= (async () => {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
            const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
            await exited;
            clearTimeout(timer);
            rmSync(dataDir, { recursive: true, force: true });
            running.delete(stop);
        })();
        return stopping;
    };
    running.add(stop);
    if (aborting) void stop(ABORT_GRACE_MS);
    return stop;
}

async function freePort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const address = server.address();
    await new Promise<void>((done) => server.close(() => done()));
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
}

/** Waits until something accepts connections on the port, or the child dies first. */
async function waitForPort(port: number, child: TrackedChild): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
        const proc = child.process;
        if (proc.exitCode !== null || proc.signalCode !== null) {
            throw new Error(
                `Coffer exited (${proc.exitCode ?? proc.signalCode}): ${child.output()}`,
            );
        }
        if (await connects(port)) return;
        await new Promise((done) => setTimeout(done, 50));
    }
    throw new Error(`Coffer did not listen within ${START_TIMEOUT_MS} ms: ${child.output()}`);
}

function connects(port: number): Promise<boolean> {
    return new Promise((done) => {
        const socket = createConnection({ host: '127.0.0.1', port });
        socket.once('connect', () => {
            socket.destroy();
            done(true);
        });
        socket.once('error', () => done(false));
    });
}
