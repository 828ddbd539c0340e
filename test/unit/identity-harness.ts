/**
 * Real identities for the identity and IAM unit tests: SqliteIdentityStore on a SQLite file in a
 * temp dir, a sealing key derived from a random root key, a StoreBackedDirectory whose default
 * account root has random credentials, and the IAM API on top.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { XMLParser } from 'fast-xml-parser';
import type { CredentialRecord } from '../../src/identity/credentials.js';
import { StoreBackedDirectory } from '../../src/identity/directory.js';
import { isIamError, type IamErrorCode } from '../../src/identity/errors.js';
import type { Principal } from '../../src/identity/principal.js';
import { deriveCredentialSealingKey } from '../../src/identity/sealing-key.js';
import { createIamApi, type IamApi } from '../../src/iam/index.js';
import { SqliteIdentityStore } from '../../src/store/sqlite/sqlite-identity-store.js';

export const ACCOUNT = '111122223333';
export const ROOT_KEY_ID = 'AKIAROOTTESTKEY00001';

export interface IdentityHarness {
    dir: string;
    dbPath: string;
    db: Database.Database;
    store: SqliteIdentityStore;
    rootKey: Buffer;
    sealingKey: Buffer;
    directory: StoreBackedDirectory;
    root: CredentialRecord;
    iam: IamApi;
    internalErrors: unknown[];
    close(): void;
}

export async function openIdentities(refreshIntervalMs = 0): Promise<IdentityHarness> {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-identity-'));
    const dbPath = join(dir, 'metadata.sqlite');
    const db = new Database(dbPath);
    db.pragma('journal_mode = WAL');
    const rootKey = randomBytes(32);
    const sealingKey = deriveCredentialSealingKey(rootKey);
    const store = new SqliteIdentityStore(db, sealingKey);
    const root: CredentialRecord = {
        accessKeyId: ROOT_KEY_ID,
        secretAccessKey: randomBytes(30).toString('base64'),
        principal: {
            type: 'Root',
            accountId: ACCOUNT,
            arn: `arn:aws:iam::${ACCOUNT}:root`,
            accessKeyId: ROOT_KEY_ID,
        },
    };
    const directory = await StoreBackedDirectory.open({
        store,
        defaultRoot: root,
        refreshIntervalMs,
    });
    const internalErrors: unknown[] = [];
    const iam = createIamApi({ directory, onInternalError: (error) => internalErrors.push(error) });
    return {
        dir,
        dbPath,
        db,
        store,
        rootKey,
        sealingKey,
        directory,
        root,
        iam,
        internalErrors,
        close() {
            directory.close();
            if (db.open) db.close();
            rmSync(dir, { recursive: true, force: true });
        },
    };
}

/** Asserts that `promise` rejects with an IamError of `code` (and a message matching `message`). */
export async function rejectsWith(
    promise: Promise<unknown>,
    code: IamErrorCode,
    message?: RegExp,
): Promise<void> {
    await assert.rejects(promise, (error: unknown) => {
        assert.ok(isIamError(error), `expected IamError ${code}, got ${String(error)}`);
        assert.equal(error.code, code);
        if (message) assert.match(error.message, message);
        return true;
    });
}

const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: false,
    isArray: (name) => name === 'member',
});

/** An IAM API answer with its body parsed (fast-xml-parser, `member` always a list). */
export interface IamAnswer {
    status: number;
    headers: Record<string, string>;
    body: string;
    // Parsed XML is untyped by nature: tests navigate it and assert on what they find.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    xml: any;
}

let requestCounter = 0;

/** Calls the IAM API as `caller` with `Action` and form parameters. */
export async function callIam(
    h: IdentityHarness,
    caller: Principal,
    action: string,
    params: Record<string, string> = {},
): Promise<IamAnswer> {
    const form = new URLSearchParams({ Action: action, Version: '2010-05-08', ...params });
    const requestId = `req-${++requestCounter}`;
    const answer = await h.iam({ params: form, caller, requestId });
    return { ...answer, xml: parser.parse(answer.body) };
}

/** Asserts IAM's error document shape and returns the parsed Error element. */
export function assertIamError(answer: IamAnswer, status: number, code: string) {
    assert.equal(answer.status, status, answer.body);
    const response = answer.xml.ErrorResponse;
    assert.ok(response, answer.body);
    assert.equal(response['@_xmlns'], 'https://iam.amazonaws.com/doc/2010-05-08/');
    assert.equal(response.Error.Code, code);
    assert.equal(response.Error.Type, status >= 500 ? 'Receiver' : 'Sender');
    assert.match(response.RequestId, /^req-\d+$/);
    assert.equal(answer.headers['content-type'], 'text/xml');
    return response.Error as { Code: string; Message: string; Type: string };
}

/** The `<Action>Result` of a successful answer (asserting status 200 and the envelope). */
export function resultOf(answer: IamAnswer, action: string) {
    assert.equal(answer.status, 200, answer.body);
    const response = answer.xml[`${action}Response`];
    assert.ok(response, answer.body);
    assert.equal(response['@_xmlns'], 'https://iam.amazonaws.com/doc/2010-05-08/');
    assert.match(response.ResponseMetadata.RequestId, /^req-\d+$/);
    return response[`${action}Result`];
}
