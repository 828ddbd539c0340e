/**
 * A real KMS for the KMS unit tests: SqliteKmsStore on a SQLite file in a temp dir, a random
 * root key, a clock the test moves, and the audit events collected in order.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { isKmsError, type KmsErrorCode } from '../../src/kms/errors.js';
import { Kms } from '../../src/kms/kms.js';
import type { KmsAuditEvent } from '../../src/kms/types.js';
import { SqliteKmsStore } from '../../src/store/sqlite/sqlite-kms-store.js';

export const REGION = 'us-east-1';
export const ACCOUNT = '111122223333';
export const CALLER = `arn:aws:iam::${ACCOUNT}:user/alice`;
export const DAY_MS = 86_400_000;

export interface KmsHarness {
    dir: string;
    dbPath: string;
    db: Database.Database;
    store: SqliteKmsStore;
    kms: Kms;
    rootKey: Buffer;
    events: KmsAuditEvent[];
    /** Moves the injected clock forward. */
    advance(ms: number): void;
    now(): Date;
    /** A second Kms on the same database file, e.g. with another root key. */
    reopen(rootKey: Buffer): Kms;
    close(): void;
}

export function openKms(): KmsHarness {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-kms-'));
    const dbPath = join(dir, 'kms.sqlite');
    const db = new Database(dbPath);
    db.pragma('journal_mode = WAL');
    const store = new SqliteKmsStore(db);
    const rootKey = randomBytes(32);
    const events: KmsAuditEvent[] = [];
    let clock = Date.parse('2026-03-01T12:00:00Z');
    const make = (key: Buffer) =>
        new Kms({
            store,
            rootKey: key,
            region: REGION,
            accountId: ACCOUNT,
            now: () => new Date(clock),
            audit: (event) => events.push(event),
        });
    return {
        dir,
        dbPath,
        db,
        store,
        kms: make(rootKey),
        rootKey,
        events,
        advance: (ms) => {
            clock += ms;
        },
        now: () => new Date(clock),
        reopen: make,
        close: () => {
            db.close();
            rmSync(dir, { recursive: true, force: true });
        },
    };
}

/** Asserts that `promise` rejects with a KmsError of `code` (and a message matching `message`). */
export async function rejectsWith(
    promise: Promise<unknown>,
    code: KmsErrorCode,
    message?: RegExp,
): Promise<void> {
    await assert.rejects(promise, (error: unknown) => {
        assert.ok(isKmsError(error), `expected KmsError ${code}, got ${String(error)}`);
        assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
        if (message) assert.match(error.message, message);
        return true;
    });
}

/** Creates a customer managed key and returns its id and ARN. */
export async function newKey(h: KmsHarness, description = 'test key') {
    const { KeyMetadata } = await h.kms.createKey({ Description: description }, CALLER);
    return { keyId: KeyMetadata.KeyId, arn: KeyMetadata.Arn };
}
