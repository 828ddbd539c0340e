/**
 * WAL checkpoints off the event loop.
 *
 * SQLite's automatic checkpoint runs inside the commit that crosses 1000 WAL pages: it copies
 * them into the database file and fsyncs it, in better-sqlite3's synchronous call, so every
 * request in flight waits (with inline objects, a few hundred small PUTs fill 1000 pages).
 * Here the server's connection never checkpoints; a worker thread with its own connection does,
 * every CHECKPOINT_EVERY commits. A checkpoint only copies what is already durable in the WAL,
 * so it changes no durability guarantee. Should the worker die, the connection goes back to
 * SQLite's automatic checkpoints.
 *
 * SQLite starts the WAL file over at a write that finds every frame checkpointed. Under a write
 * load without pauses the worker never quite catches up (commits land while it copies), and the
 * WAL (and the index readers search) would grow for as long as the load lasts: once it holds
 * MAX_WAL_FRAMES, the next commit finishes the checkpoint on the connection itself (only the
 * frames since the worker's last one are left to copy), so the following write starts over.
 */
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** Object commits write a few pages each: about every 500 pages, half SQLite's default. */
const CHECKPOINT_EVERY = 100;
/** SQLite's default `wal_autocheckpoint`, restored when the worker is gone. */
const SQLITE_AUTOCHECKPOINT = 1000;
/**
 * 64 MiB of 4 KiB pages, some 4,000 small PUTs: the commit that finishes the checkpoint stops
 * the event loop for its fsyncs, so it must be rarer than one request in a hundred.
 */
const MAX_WAL_FRAMES = 16384;

type CheckpointResult = { done: true; walFrames: number } | { done: false; error: string };

export class BackgroundCheckpoints {
    readonly #worker: Worker;
    #commits = 0;
    #running = false;
    #stopped = false;
    #walFull = false;
    readonly #checkpointHere: Database.Statement;

    constructor(
        private readonly db: Database.Database,
        private readonly onFailure: (err: unknown) => void,
    ) {
        db.pragma('wal_autocheckpoint = 0');
        this.#checkpointHere = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
        this.#worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), {
            workerData: { path: db.name },
        });
        this.#worker.unref();
        this.#worker.on('message', (result: CheckpointResult) => {
            this.#running = false;
            if (!result.done) this.onFailure(new Error(result.error));
            else if (result.walFrames >= MAX_WAL_FRAMES) this.#walFull = true;
        });
        this.#worker.on('error', (err) => this.#fallBack(err));
        this.#worker.on('exit', (code) => {
            if (!this.#stopped) this.#fallBack(new Error(`checkpoint worker exited (${code})`));
        });
    }

    /** Counts a commit; every CHECKPOINT_EVERY of them, asks the worker for a checkpoint. */
    committed(): void {
        if (this.#walFull && !this.#running && !this.#stopped) {
            this.#walFull = false;
            this.#commits = 0;
            try {
                this.#checkpointHere.run();
            } catch (err) {
                this.onFailure(err);
            }
            return;
        }
        if (++this.#commits < CHECKPOINT_EVERY || this.#running || this.#stopped) return;
        this.#commits = 0;
        this.#running = true;
        this.#worker.postMessage('checkpoint');
    }

    #fallBack(err: unknown): void {
        if (this.#stopped) return;
        this.#stopped = true;
        if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT}`);
        this.onFailure(err);
    }

    /** Lets the worker close its connection and end. */
    close(): void {
        if (this.#stopped) return;
        this.#stopped = true;
        this.#worker.postMessage('close');
    }
}
