/**
 * Durable SQLite commits that do not block the event loop, and that concurrent writers share.
 *
 * With `synchronous = FULL` every commit fsyncs the WAL inside better-sqlite3's synchronous
 * call: the whole server stops for the fsync, and 16 concurrent PUTs pay 16 fsyncs one after
 * another. Here a commit runs with `synchronous = NORMAL` (in WAL mode: written to the WAL, not
 * yet fsynced; checkpoints still sync) and its caller then awaits an fdatasync of the WAL file
 * on the thread pool. Commits that land while one fdatasync runs share the next one (group
 * commit). Nobody is told their write happened before that fdatasync has returned, so the
 * guarantee is FULL's: an acknowledged write survives a crash or power loss. A concurrent reader
 * may see a commit before it is durable, as it could see one whose acknowledgement is in flight.
 *
 * An fdatasync that fails fails its commits with CommitNotDurableError, and every commit after
 * it is refused before it runs: after a failed sync the kernel may have dropped the dirty pages,
 * so a later sync that succeeds proves nothing about them (PostgreSQL's "fsyncgate"). The server
 * then needs a restart, which recovers the database from what is really on disk.
 *
 * The connection is back at `synchronous = FULL` whenever such a commit is not running, so the
 * KMS and identity stores sharing it keep their own fsync-per-commit.
 */
import { closeSync, existsSync, fdatasync, openSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { CommitNotDurableError } from '../types.js';
import { BackgroundCheckpoints } from './background-checkpoints.js';

interface Waiter {
    resolve: () => void;
    reject: (err: Error) => void;
}

export class DurableCommits {
    readonly #relaxed: Database.Statement;
    readonly #full: Database.Statement;
    /** One transaction wrapper for every commit: better-sqlite3 builds a new one per call. */
    readonly #transaction: (write: () => unknown) => unknown;
    /** The WAL file, kept open: SQLite removes it only when the last connection closes. */
    readonly #walFd: number | undefined;
    #waiting: Waiter[] = [];
    #syncing = false;
    #closed = false;
    /** The first failed fdatasync; from then on no commit runs. */
    #failure: Error | undefined;
    #checkpoints: BackgroundCheckpoints | undefined;

    constructor(private readonly db: Database.Database) {
        this.#relaxed = db.prepare('PRAGMA synchronous = NORMAL');
        this.#full = db.prepare('PRAGMA synchronous = FULL');
        this.#transaction = db.transaction((write: () => unknown) => write());
        const walPath = `${db.name}-wal`;
        const inWalMode = db.pragma('journal_mode', { simple: true }) === 'wal';
        // Without a WAL file of its own (an in-memory database, another journal mode) every
        // commit stays a plain synchronous = FULL one.
        const hasWal = inWalMode && !db.memory && existsSync(walPath);
        this.#walFd = hasWal ? openSync(walPath, 'r+') : undefined;
    }

    /** Checkpoints the WAL on a worker thread from now on (see BackgroundCheckpoints). */
    checkpointInBackground(onFailure: (err: unknown) => void): void {
        if (this.#walFd === undefined || this.#checkpoints) return;
        this.#checkpoints = new BackgroundCheckpoints(this.db, onFailure);
    }

    /** Runs `write` as one transaction; resolves with its result once the commit is durable. */
    async commit<T>(write: () => T): Promise<T> {
        if (this.#walFd === undefined) return this.#transaction(write) as T;
        this.#relaxed.run();
        let result: T;
        try {
            result = this.#transaction(write) as T;
        } finally {
            this.#full.run();
        }
        this.#checkpoints?.committed();
        await this.#synced();
        return result;
    }

    /** Resolves after an fdatasync of the WAL that started after this call. */
    #synced(): Promise<void> {
        return new Promise((resolve, reject) => {
            this.#waiting.push({ resolve, reject });
            if (!this.#syncing) this.#syncNext();
        });
    }

    #syncNext(): void {
        const batch = this.#waiting;
        this.#waiting = [];
        this.#syncing = true;
        fdatasync(this.#walFd!, (err) => {
            this.#syncing = false;
            if (err) this.#failure ??= err;
            const failure = this.#failure;
            for (const waiter of batch) {
                if (failure) waiter.reject(new CommitNotDurableError({ cause: failure }));
                else waiter.resolve();
            }
            if (this.#closed) this.#closeFile();
            else if (this.#waiting.length > 0) this.#syncNext();
        });
    }

    /** Closes the WAL file (after a running fdatasync); the database is closed by its owner. */
    close(): void {
        this.#checkpoints?.close();
        this.#closed = true;
        if (!this.#syncing) this.#closeFile();
    }

    #closeFile(): void {
        if (this.#walFd !== undefined) closeSync(this.#walFd);
        for (const waiter of this.#waiting.splice(0)) waiter.reject(new Error('store closed'));
    }
}
