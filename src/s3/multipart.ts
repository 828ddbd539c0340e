/**
 * Multipart upload operations: CreateMultipartUpload, UploadPart, UploadPartCopy,
 * CompleteMultipartUpload, AbortMultipartUpload and ListParts.
 *
 * 1. Create records the upload: the finished object's headers, metadata, tags, and its checksum
 *    algorithm and type. Ids sort by creation time.
 * 2. Each part is ingested into its own durable blob, hashed with MD5 (its ETag) and the
 *    upload's checksum algorithm (CRC64NVME when none); a re-sent part number frees the old blob.
 * 3. Complete assembles the object from the parts' blobs without copying: the object's segments
 *    are the part blobs, its ETag and checksum are built from the stored part digests.
 * 4. Abort and Complete remove the upload in one metadata transaction, then delete the blobs
 *    nothing references any more.
 */
export { createMultipartUpload } from './multipart-create.js';
export { uploadPart } from './multipart-part.js';
export { uploadPartCopy } from './multipart-copy.js';
export { completeMultipartUpload } from './multipart-complete.js';
export { abortMultipartUpload, listParts } from './multipart-list.js';
