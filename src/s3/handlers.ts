/** Every supported operation's handler, checked by the compiler against the router's list. */
import type { OperationName } from '../server/router.js';
import { getBucketAcl, getObjectAcl, putBucketAcl, putObjectAcl } from './acl.js';
import {
    deleteBucketEncryption,
    getBucketEncryption,
    putBucketEncryption,
} from './bucket-encryption.js';
import {
    deleteBucketPolicy,
    getBucketPolicy,
    getBucketPolicyStatus,
    putBucketPolicy,
} from './bucket-policy.js';
import {
    createBucket,
    deleteBucket,
    getBucketLocation,
    headBucket,
    listBuckets,
} from './buckets.js';
import { copyObject } from './copy.js';
import { deleteObjects } from './delete-objects.js';
import { listMultipartUploads, listObjects, listObjectsV2, listObjectVersions } from './list.js';
import {
    abortMultipartUpload,
    completeMultipartUpload,
    createMultipartUpload,
    listParts,
    uploadPart,
    uploadPartCopy,
} from './multipart.js';
import { deleteObjectTagging, getObjectTagging, putObjectTagging } from './object-tagging.js';
import { deleteObject, getObject, headObject, putObject } from './objects.js';
import {
    deletePublicAccessBlock,
    getPublicAccessBlock,
    putPublicAccessBlock,
} from './public-access-block.js';
import type { OperationHandler } from './types.js';

export const OPERATION_HANDLERS = {
    ListBuckets: listBuckets,
    CreateBucket: createBucket,
    HeadBucket: headBucket,
    DeleteBucket: deleteBucket,
    GetBucketLocation: getBucketLocation,
    GetBucketAcl: getBucketAcl,
    PutBucketAcl: putBucketAcl,
    ListObjects: listObjects,
    ListObjectsV2: listObjectsV2,
    ListObjectVersions: listObjectVersions,
    ListMultipartUploads: listMultipartUploads,
    DeleteObjects: deleteObjects,
    PutObject: putObject,
    CopyObject: copyObject,
    GetObject: getObject,
    HeadObject: headObject,
    DeleteObject: deleteObject,
    GetObjectAcl: getObjectAcl,
    PutObjectAcl: putObjectAcl,
    GetObjectTagging: getObjectTagging,
    PutObjectTagging: putObjectTagging,
    DeleteObjectTagging: deleteObjectTagging,
    CreateMultipartUpload: createMultipartUpload,
    UploadPart: uploadPart,
    UploadPartCopy: uploadPartCopy,
    CompleteMultipartUpload: completeMultipartUpload,
    AbortMultipartUpload: abortMultipartUpload,
    ListParts: listParts,
    GetBucketPolicy: getBucketPolicy,
    PutBucketPolicy: putBucketPolicy,
    DeleteBucketPolicy: deleteBucketPolicy,
    GetBucketPolicyStatus: getBucketPolicyStatus,
    GetPublicAccessBlock: getPublicAccessBlock,
    PutPublicAccessBlock: putPublicAccessBlock,
    DeletePublicAccessBlock: deletePublicAccessBlock,
    GetBucketEncryption: getBucketEncryption,
    PutBucketEncryption: putBucketEncryption,
    DeleteBucketEncryption: deleteBucketEncryption,
} satisfies Record<OperationName, OperationHandler>;
