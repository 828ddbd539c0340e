/**
 * The services a hand-built `ServerServices` needs beyond its stores: a real built-in KMS and a
 * real IAM API over their own temp SQLite file, for tests that do not start a server.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { StoreBackedDirectory } from '../../src/identity/directory.js';
import { createIamApi } from '../../src/iam/index.js';
import { createKmsApi } from '../../src/kms/api/handler.js';
import { Kms } from '../../src/kms/kms.js';
import { SqliteIdentityStore } from '../../src/store/sqlite/sqlite-identity-store.js';
import { SqliteKmsStore } from '../../src/store/sqlite/sqlite-kms-store.js';
import { openSqliteDatabase } from '../../src/store/sqlite/sqlite-metadata-store.js';

export async function testKmsServices(dir: string, accountId: string, region = 'us-east-1') {
    const db = openSqliteDatabase(join(dir, 'services-test.sqlite'));
    const kms = new Kms({
        store: new SqliteKmsStore(db),
        rootKey: randomBytes(32),
        region,
        accountId,
        audit: () => {},
    });
    const directory = await StoreBackedDirectory.open({
        store: new SqliteIdentityStore(db, randomBytes(32)),
        defaultRoot: {
            accessKeyId: 'AKIAHANDBUILTROOT000',
            secretAccessKey: randomBytes(20).toString('hex'),
            principal: {
                type: 'Root',
                accountId,
                arn: `arn:aws:iam::${accountId}:root`,
                accessKeyId: 'AKIAHANDBUILTROOT000',
            },
        },
        refreshIntervalMs: 0,
    });
    return {
        kms,
        kmsApi: createKmsApi(kms),
        iamApi: createIamApi({ directory }),
        close() {
            directory.close();
            db.close();
        },
    };
}
