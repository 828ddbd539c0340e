/**
 * One server per data directory. A second server would collect the first one's in-flight temp
 * files and freshly committed blobs as orphans, destroying acknowledged objects, so start-up
 * takes this lock before it touches anything.
 *
 * The lock is a file holding the owner's pid, created exclusively. A lock whose pid no longer
 * runs (the server was killed with -9) is stale and taken over.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'coffer.lock';

export class DataDirInUseError extends Error {}

/** Takes the data dir's lock for this process; returns the function that releases it. */
export function lockDataDir(dataDir: string): () => void {
    const path = join(dataDir, LOCK_FILE);
    for (let attempt = 0; attempt < 2; attempt++) {
        try {
            writeFileSync(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
            return () => rmSync(path, { force: true });
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
        const owner = Number.parseInt(readFileSync(path, 'utf8'), 10);
        if (Number.isInteger(owner) && owner !== process.pid && isRunning(owner)) {
            throw new DataDirInUseError(
                `the data dir ${dataDir} is in use by another Coffer process (pid ${owner}); ` +
                    `stop it first, or remove ${path} if that process is not Coffer`,
            );
        }
        rmSync(path, { force: true });
    }
    throw new DataDirInUseError(`could not take the lock ${path}`);
}

function isRunning(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (err) {
        // EPERM: the process exists but belongs to someone else.
        return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
}
