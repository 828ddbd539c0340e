/** Committing a written object's metadata, the last step of every write. */
import { CommitNotDurableError, type ObjectRecord, type WriteCondition } from '../store/types.js';
import { S3Error } from './errors.js';
import { releaseBlobs } from './objects.js';
import type { S3Request } from './types.js';

/**
 * Commits `record` (whose blobs are already durable), honouring a conditional write. On a
 * failed condition, or any failure before the commit, the new blobs are released so nothing is
 * left behind.
 */
export async function commitObject(
    req: S3Request,
    record: ObjectRecord,
    condition?: WriteCondition,
): Promise<void> {
    // Inline segments have no file: a refused commit leaves nothing of them behind.
    const newBlobs = record.segments.filter((s) => !s.inline).map((s) => s.blobId);
    let result;
    try {
        result = await req.services.metadata.putObject(record, condition);
    } catch (err) {
        // A commit that happened but may not be durable still references its blobs.
        if (!(err instanceof CommitNotDurableError)) await releaseBlobs(req, newBlobs);
        throw err;
    }
    if (result.outcome !== 'written') {
        await releaseBlobs(req, newBlobs);
        throw conditionFailure(result.outcome, req.key!);
    }
    await releaseBlobs(req, result.replaced.map((segment) => segment.blobId));
}

/** AWS's answer to a failed conditional write. */
export function conditionFailure(outcome: 'exists' | 'missing' | 'etag-mismatch', key: string) {
    if (outcome === 'missing') return new S3Error('NoSuchKey', undefined, { fields: { Key: key } });
    return new S3Error('PreconditionFailed', undefined, {
        fields: { Condition: outcome === 'exists' ? 'If-None-Match' : 'If-Match' },
    });
}
