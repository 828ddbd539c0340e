/**
 * The KMS key store on SQLite (better-sqlite3). It takes an open `Database` so that it can share
 * the metadata store's file (one WAL, one fsync discipline) or use its own.
 *
 * Crypto-shredding: `destroyKey` overwrites every sealed material row with zeros before deleting
 * it, with `secure_delete` on for the connection, then truncates the WAL, so the destroyed
 * material does not linger in the database file or its journal. Copies outside this file
 * (backups, filesystem remnants) are out of reach; they stay sealed under the root key.
 */
import type Database from 'better-sqlite3';
import type {
    KmsAliasQuery,
    KmsAliasRecord,
    KmsKeyChange,
    KmsKeyRecord,
    KmsKeyStore,
    KmsKeyVersionRecord,
} from '../kms-types.js';

const KMS_SCHEMA = `
CREATE TABLE IF NOT EXISTS kms_keys (
    key_id TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    description TEXT NOT NULL,
    key_manager TEXT NOT NULL,
    internal_purpose TEXT UNIQUE,
    state TEXT NOT NULL,
    deletion_date INTEGER,
    rotation_period_days INTEGER,
    next_rotation_at INTEGER,
    current_version INTEGER NOT NULL,
    on_demand_rotations INTEGER NOT NULL,
    tags TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS kms_key_versions (
    key_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    sealed_material BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    rotation_type TEXT NOT NULL,
    PRIMARY KEY (key_id, version)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS kms_aliases (
    alias_name TEXT PRIMARY KEY,
    target_key_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS kms_aliases_by_target ON kms_aliases (target_key_id, alias_name);

CREATE TABLE IF NOT EXISTS kms_meta (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;
`;

/** Versions and aliases are read straight into their records' shapes. */
const VERSION_COLUMNS =
    'key_id AS keyId, version, sealed_material AS sealedMaterial, created_at AS createdAt, ' +
    'rotation_type AS rotationType';
const ALIAS_COLUMNS =
    'alias_name AS aliasName, target_key_id AS targetKeyId, created_at AS createdAt, ' +
    'updated_at AS updatedAt';

interface KeyRow {
    key_id: string;
    created_at: number;
    description: string;
    key_manager: string;
    internal_purpose: string | null;
    state: string;
    deletion_date: number | null;
    rotation_period_days: number | null;
    next_rotation_at: number | null;
    current_version: number;
    on_demand_rotations: number;
    tags: string;
}

/** Columns a KmsKeyChange may set, by field name. */
const CHANGE_COLUMNS: Record<keyof KmsKeyChange, string> = {
    description: 'description',
    state: 'state',
    deletionDate: 'deletion_date',
    rotationPeriodDays: 'rotation_period_days',
    nextRotationAt: 'next_rotation_at',
    onDemandRotations: 'on_demand_rotations',
    tags: 'tags',
};

export class SqliteKmsStore implements KmsKeyStore {
    private readonly db: Database.Database;
    private readonly stmt;

    /** Creates the `kms_*` tables if needed. The caller owns `db` and closes it. */
    constructor(db: Database.Database) {
        this.db = db;
        // Deleted rows are zeroed in the file, so destroyed key material does not survive in
        // free pages; FAST skips only the zeroing that would cost extra I/O (never for our rows).
        this.db.pragma('secure_delete = FAST');
        this.db.exec(KMS_SCHEMA);
        this.stmt = this.prepareStatements();
    }

    private prepareStatements() {
        return {
            ...keyStatements(this.db),
            ...versionStatements(this.db),
            ...aliasStatements(this.db),
        };
    }

    async createKey(
        key: KmsKeyRecord,
        first: KmsKeyVersionRecord,
        alias?: KmsAliasRecord,
    ): Promise<'created' | 'alias-exists' | 'purpose-exists'> {
        const create = this.db.transaction(() => {
            if (
                key.internalPurpose !== undefined &&
                this.stmt.findInternal.get(key.internalPurpose)
            ) {
                return 'purpose-exists' as const;
            }
            if (alias && this.stmt.getAlias.get(alias.aliasName)) return 'alias-exists' as const;
            this.stmt.insertKey.run(keyToRow(key));
            this.stmt.insertVersion.run(first);
            if (alias) this.stmt.insertAlias.run(alias);
            return 'created' as const;
        });
        return create.immediate();
    }

    async getKey(keyId: string): Promise<KmsKeyRecord | undefined> {
        const row = this.stmt.getKey.get(keyId) as KeyRow | undefined;
        return row && keyFromRow(row);
    }

    async findInternalKey(purpose: string): Promise<KmsKeyRecord | undefined> {
        const row = this.stmt.findInternal.get(purpose) as KeyRow | undefined;
        return row && keyFromRow(row);
    }

    async listKeys(after: string | undefined, limit: number): Promise<KmsKeyRecord[]> {
        const rows = this.stmt.listKeys.all(after ?? '', limit) as KeyRow[];
        return rows.map(keyFromRow);
    }

    async updateKey(keyId: string, change: KmsKeyChange): Promise<boolean> {
        return this.applyChange(keyId, change);
    }

    async addVersion(
        version: KmsKeyVersionRecord,
        change: KmsKeyChange,
    ): Promise<'added' | 'conflict' | 'missing'> {
        const add = this.db.transaction(() => {
            const row = this.stmt.getKey.get(version.keyId) as KeyRow | undefined;
            if (!row) return 'missing' as const;
            if (row.current_version !== version.version - 1) return 'conflict' as const;
            this.stmt.insertVersion.run(version);
            this.stmt.setCurrentVersion.run(version.version, version.keyId);
            this.applyChange(version.keyId, change);
            return 'added' as const;
        });
        return add.immediate();
    }

    async getVersion(keyId: string, version: number): Promise<KmsKeyVersionRecord | undefined> {
        return this.stmt.getVersion.get(keyId, version) as KmsKeyVersionRecord | undefined;
    }

    async listVersions(keyId: string): Promise<KmsKeyVersionRecord[]> {
        return this.stmt.listVersions.all(keyId) as KmsKeyVersionRecord[];
    }

    async destroyKey(keyId: string): Promise<boolean> {
        const destroy = this.db.transaction(() => {
            this.stmt.zeroVersions.run(keyId);
            this.stmt.deleteVersions.run(keyId);
            this.stmt.deleteAliasesOf.run(keyId);
            return this.stmt.deleteKey.run(keyId).changes > 0;
        });
        const destroyed = destroy.immediate();
        // Old page images with the sealed material may sit in the WAL until a checkpoint;
        // TRUNCATE copies the zeroed pages back and empties the WAL file. Best effort: a reader
        // holding an old snapshot makes it partial, and the next checkpoint finishes the job.
        if (destroyed && this.db.pragma('journal_mode', { simple: true }) === 'wal') {
            this.db.pragma('wal_checkpoint(TRUNCATE)');
        }
        return destroyed;
    }

    async keysDueForDeletion(now: number): Promise<string[]> {
        return this.stmt.dueForDeletion.all(now) as string[];
    }

    async keysDueForRotation(now: number): Promise<string[]> {
        return this.stmt.dueForRotation.all(now) as string[];
    }

    async createAlias(alias: KmsAliasRecord): Promise<'created' | 'exists'> {
        return this.stmt.insertAlias.run(alias).changes > 0 ? 'created' : 'exists';
    }

    async getAlias(aliasName: string): Promise<KmsAliasRecord | undefined> {
        return this.stmt.getAlias.get(aliasName) as KmsAliasRecord | undefined;
    }

    async retargetAlias(
        aliasName: string,
        targetKeyId: string,
        updatedAt: number,
    ): Promise<boolean> {
        return this.stmt.retargetAlias.run(targetKeyId, updatedAt, aliasName).changes > 0;
    }

    async deleteAlias(aliasName: string): Promise<boolean> {
        return this.stmt.deleteAlias.run(aliasName).changes > 0;
    }

    async listAliases(query: KmsAliasQuery): Promise<KmsAliasRecord[]> {
        const after = query.after ?? '';
        const rows =
            query.targetKeyId === undefined
                ? this.stmt.listAliases.all(after, query.limit)
                : this.stmt.listAliasesOf.all(query.targetKeyId, after, query.limit);
        return rows as KmsAliasRecord[];
    }

    async getMeta(name: string): Promise<Buffer | undefined> {
        return this.stmt.getMeta.get(name) as Buffer | undefined;
    }

    async putMetaIfAbsent(name: string, value: Buffer): Promise<boolean> {
        return this.stmt.putMeta.run(name, value).changes > 0;
    }

    private applyChange(keyId: string, change: KmsKeyChange): boolean {
        const sets: string[] = [];
        const values: unknown[] = [];
        for (const [field, column] of Object.entries(CHANGE_COLUMNS)) {
            const value = change[field as keyof KmsKeyChange];
            if (value === undefined) continue;
            sets.push(`${column} = ?`);
            values.push(field === 'tags' ? JSON.stringify(value) : value);
        }
        if (sets.length === 0) return this.stmt.getKey.get(keyId) !== undefined;
        const sql = `UPDATE kms_keys SET ${sets.join(', ')} WHERE key_id = ?`;
        return this.db.prepare(sql).run(...values, keyId).changes > 0;
    }
}

function keyToRow(key: KmsKeyRecord): KeyRow {
    return {
        key_id: key.keyId,
        created_at: key.createdAt,
        description: key.description,
        key_manager: key.keyManager,
        internal_purpose: key.internalPurpose ?? null,
        state: key.state,
        deletion_date: key.deletionDate ?? null,
        rotation_period_days: key.rotationPeriodDays ?? null,
        next_rotation_at: key.nextRotationAt ?? null,
        current_version: key.currentVersion,
        on_demand_rotations: key.onDemandRotations,
        tags: JSON.stringify(key.tags),
    };
}

function keyFromRow(row: KeyRow): KmsKeyRecord {
    return {
        keyId: row.key_id,
        createdAt: row.created_at,
        description: row.description,
        keyManager: row.key_manager as KmsKeyRecord['keyManager'],
        internalPurpose: row.internal_purpose ?? undefined,
        state: row.state as KmsKeyRecord['state'],
        deletionDate: row.deletion_date ?? undefined,
        rotationPeriodDays: row.rotation_period_days ?? undefined,
        nextRotationAt: row.next_rotation_at ?? undefined,
        currentVersion: row.current_version,
        onDemandRotations: row.on_demand_rotations,
        tags: JSON.parse(row.tags) as Array<[string, string]>,
    };
}

/** Statements on keys and the meta table. */
function keyStatements(db: Database.Database) {
    return {
        insertKey: db.prepare(
            'INSERT INTO kms_keys VALUES (@key_id, @created_at, @description, @key_manager, ' +
                '@internal_purpose, @state, @deletion_date, @rotation_period_days, ' +
                '@next_rotation_at, @current_version, @on_demand_rotations, @tags)',
        ),
        getKey: db.prepare('SELECT * FROM kms_keys WHERE key_id = ?'),
        findInternal: db.prepare('SELECT * FROM kms_keys WHERE internal_purpose = ?'),
        listKeys: db.prepare(
            'SELECT * FROM kms_keys WHERE internal_purpose IS NULL AND key_id > ? ' +
                'ORDER BY key_id LIMIT ?',
        ),
        deleteKey: db.prepare('DELETE FROM kms_keys WHERE key_id = ?'),
        dueForDeletion: db
            .prepare(
                "SELECT key_id FROM kms_keys WHERE state = 'PendingDeletion' " +
                    'AND deletion_date <= ? ORDER BY key_id',
            )
            .pluck(),
        dueForRotation: db
            .prepare(
                "SELECT key_id FROM kms_keys WHERE state = 'Enabled' " +
                    'AND next_rotation_at <= ? ORDER BY key_id',
            )
            .pluck(),
        getMeta: db.prepare('SELECT value FROM kms_meta WHERE name = ?').pluck(),
        putMeta: db.prepare('INSERT OR IGNORE INTO kms_meta (name, value) VALUES (?, ?)'),
    };
}

/** Statements on sealed material versions. */
function versionStatements(db: Database.Database) {
    return {
        insertVersion: db.prepare(
            'INSERT INTO kms_key_versions VALUES ' +
                '(@keyId, @version, @sealedMaterial, @createdAt, @rotationType)',
        ),
        setCurrentVersion: db.prepare('UPDATE kms_keys SET current_version = ? WHERE key_id = ?'),
        getVersion: db.prepare(
            `SELECT ${VERSION_COLUMNS} FROM kms_key_versions WHERE key_id = ? AND version = ?`,
        ),
        listVersions: db.prepare(
            `SELECT ${VERSION_COLUMNS} FROM kms_key_versions WHERE key_id = ? ORDER BY version`,
        ),
        zeroVersions: db.prepare(
            'UPDATE kms_key_versions SET sealed_material = zeroblob(length(sealed_material)) ' +
                'WHERE key_id = ?',
        ),
        deleteVersions: db.prepare('DELETE FROM kms_key_versions WHERE key_id = ?'),
    };
}

/** Statements on aliases. */
function aliasStatements(db: Database.Database) {
    return {
        insertAlias: db.prepare(
            'INSERT OR IGNORE INTO kms_aliases VALUES ' +
                '(@aliasName, @targetKeyId, @createdAt, @updatedAt)',
        ),
        getAlias: db.prepare(`SELECT ${ALIAS_COLUMNS} FROM kms_aliases WHERE alias_name = ?`),
        retargetAlias: db.prepare(
            'UPDATE kms_aliases SET target_key_id = ?, updated_at = ? WHERE alias_name = ?',
        ),
        deleteAlias: db.prepare('DELETE FROM kms_aliases WHERE alias_name = ?'),
        deleteAliasesOf: db.prepare('DELETE FROM kms_aliases WHERE target_key_id = ?'),
        listAliases: db.prepare(
            `SELECT ${ALIAS_COLUMNS} FROM kms_aliases WHERE alias_name > ? ` +
                'ORDER BY alias_name LIMIT ?',
        ),
        listAliasesOf: db.prepare(
            `SELECT ${ALIAS_COLUMNS} FROM kms_aliases WHERE target_key_id = ? AND alias_name > ? ` +
                'ORDER BY alias_name LIMIT ?',
        ),
    };
}
