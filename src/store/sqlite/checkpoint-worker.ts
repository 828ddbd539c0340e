/**
 * The worker thread of `BackgroundCheckpoints`: its own connection to the database, which
 * copies the WAL back into the database file (a PASSIVE checkpoint: it never waits for, nor
 * blocks, the server's connection) whenever the server asks, and reports the WAL's length. Its
 * fsyncs happen here, off the server's event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database((workerData as { path: string }).path);
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 5000');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');

parentPort!.on('message', (message: 'checkpoint' | 'close') => {
    if (message === 'close') {
        db.close();
        parentPort!.close();
        return;
    }
    try {
        // { busy, log, checkpointed }: frames in the WAL, and how many are in the database now.
        const { log } = checkpoint.get() as { log: number };
        parentPort!.postMessage({ done: true, walFrames: log });
    } catch (err) {
        parentPort!.postMessage({ done: false, error: String(err) });
    }
});
