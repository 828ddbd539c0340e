/**
 * A real built-in KMS over its own temp SQLite file, for tests that build `ServerServices` by
 * hand rather than starting a server.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createKmsApi } from '../../src/kms/api/handler.js';
import { Kms } from '../../src/kms/kms.js';
import { SqliteKmsStore } from '../../src/store/sqlite/sqlite-kms-store.js';
import { openSqliteDatabase } from '../../src/store/sqlite/sqlite-metadata-store.js';

export function testKmsServices(dir: string, accountId: string, region = 'us-east-1') {
    const kms = new Kms({
        store: new SqliteKmsStore(openSqliteDatabase(join(dir, 'kms-test.sqlite'))),
        rootKey: randomBytes(32),
        region,
        accountId,
        audit: () => {},
    });
    return { kms, kmsApi: createKmsApi(kms) };
}
