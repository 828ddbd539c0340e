/** CreateMultipartUpload: records what the finished object will carry, and its checksum type. */
import {
    parseChecksumAlgorithm,
    supportsChecksumType,
    type ChecksumAlgorithm,
    type ChecksumType,
} from '../checksum/index.js';
import { uploadSseHeaders } from '../access/condition-keys.js';
import { encryptionHeaders, prepareWriteEncryption } from '../sse/index.js';
import type { UploadRecord } from '../store/types.js';
import { requireBucket } from './common.js';
import { S3Error } from './errors.js';
import { newUploadId, xmlResponse } from './multipart-common.js';
import { storedHeadersOf, userMetadataOf } from './object-headers.js';
import { validateObjectKey, validateWriteAcl } from './object-rules.js';
import { parseTaggingHeader } from './tagging.js';
import { header, type ResponseHeaders, type S3Request, type S3Response } from './types.js';

interface ChecksumSettings {
    algorithm: ChecksumAlgorithm;
    type: ChecksumType;
}

export async function createMultipartUpload(req: S3Request): Promise<S3Response> {
    const key = validateObjectKey(req.key!);
    const bucket = await requireBucket(req);
    validateWriteAcl(req);
    const checksum = checksumSettingsOf(req);
    // The encryption and data key of every part; the data key is kept only wrapped.
    const sse = await prepareWriteEncryption(req, bucket.name, key);
    sse.dataKey.fill(0);
    const principal = req.ctx.principal;
    const upload: UploadRecord = {
        uploadId: newUploadId(),
        bucket: bucket.name,
        key,
        initiatedAt: Date.now(),
        // The SSE request headers too: the parts' and completion's policy checks read them.
        headers: { ...storedHeadersOf(req), ...uploadSseHeaders(req.headers) },
        userMetadata: userMetadataOf(req),
        tags: parseTaggingHeader(header(req, 'x-amz-tagging')),
        checksumAlgorithm: checksum?.algorithm,
        checksumType: checksum?.type,
        ownerAccountId:
            principal.type === 'Anonymous' ? bucket.ownerAccountId : principal.accountId,
        encryption: sse.encryption,
    };
    await req.services.metadata.createUpload(upload);

    const headers: ResponseHeaders = encryptionHeaders(sse.encryption, {
        customerKeyMd5: sse.customerKeyMd5,
        withContext: true,
    });
    if (checksum) {
        headers['x-amz-checksum-algorithm'] = checksum.algorithm;
        headers['x-amz-checksum-type'] = checksum.type;
    }
    return xmlResponse(
        'InitiateMultipartUploadResult',
        { Bucket: bucket.name, Key: key, UploadId: upload.uploadId },
        headers,
    );
}

/**
 * `x-amz-checksum-algorithm` and `x-amz-checksum-type`. The type defaults to COMPOSITE, except
 * for CRC64NVME which S3 only offers as FULL_OBJECT; SHA1/SHA256 cannot be FULL_OBJECT (a hash
 * cannot be combined from part hashes). Messages are those AWS answers.
 */
export function checksumSettingsOf(req: S3Request): ChecksumSettings | undefined {
    const rawAlgorithm = header(req, 'x-amz-checksum-algorithm');
    const rawType = header(req, 'x-amz-checksum-type');
    const type = rawType === undefined ? undefined : parseChecksumType(rawType);
    if (rawAlgorithm === undefined) {
        if (rawType === undefined) return undefined;
        throw new S3Error(
            'InvalidRequest',
            'The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm ' +
                'header.',
        );
    }
    const algorithm = parseChecksumAlgorithm(rawAlgorithm);
    if (!algorithm) {
        throw new S3Error(
            'InvalidRequest',
            'Checksum algorithm provided is unsupported. Please try again with any of the valid ' +
                'types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]',
        );
    }
    const chosen = type ?? (algorithm === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE');
    if (!supportsChecksumType(algorithm, chosen)) {
        throw new S3Error(
            'InvalidRequest',
            `The ${chosen} checksum type cannot be used with the ${algorithm.toLowerCase()} ` +
                'checksum algorithm.',
        );
    }
    return { algorithm, type: chosen };
}

/** FULL_OBJECT or COMPOSITE; anything else is InvalidRequest. */
export function parseChecksumType(value: string): ChecksumType {
    const upper = value.trim().toUpperCase();
    if (upper === 'FULL_OBJECT' || upper === 'COMPOSITE') return upper;
    throw new S3Error('InvalidRequest', 'Value for x-amz-checksum-type header is invalid.');
}
