/**
 * The S3 error catalogue: every error code Coffer can answer, with the HTTP status and default
 * message AWS uses for it. Codes are permanent (clients match on them); messages may change.
 *
 * Handlers throw `S3Error`; only `server/` turns one into an XML body. Anything thrown that is
 * not an `S3Error` becomes a 500 InternalError whose cause goes to the log, never to the client.
 */

export const S3_ERRORS = {
    AccessDenied: [403, 'Access Denied'],
    AuthorizationHeaderMalformed: [400, 'The authorization header is malformed.'],
    AuthorizationQueryParametersError: [400, 'Error parsing the X-Amz-Credential parameter.'],
    BadRequest: [400, 'Bad Request'],
    AccessControlListNotSupported: [400, 'The bucket does not allow ACLs'],
    IllegalLocationConstraintException: [
        400,
        'The unspecified location constraint is incompatible for the region specific endpoint ' +
            'this request was sent to.',
    ],
    InvalidBucketAclWithObjectOwnership: [
        400,
        'Bucket cannot have ACLs set with ObjectOwnership\'s BucketOwnerEnforced setting',
    ],
    BadDigest: [400, 'The Content-MD5 you specified did not match what we received.'],
    BucketAlreadyExists: [409, 'The requested bucket name is not available.'],
    BucketAlreadyOwnedByYou: [
        409,
        'Your previous request to create the named bucket succeeded and you already own it.',
    ],
    BucketNotEmpty: [409, 'The bucket you tried to delete is not empty'],
    EntityTooLarge: [400, 'Your proposed upload exceeds the maximum allowed size'],
    EntityTooSmall: [400, 'Your proposed upload is smaller than the minimum allowed object size.'],
    IncompleteBody: [
        400,
        'You did not provide the number of bytes specified by the Content-Length HTTP header',
    ],
    InternalError: [500, 'We encountered an internal error. Please try again.'],
    InvalidAccessKeyId: [
        403,
        'The AWS Access Key Id you provided does not exist in our records.',
    ],
    InvalidArgument: [400, 'Invalid Argument'],
    InvalidBucketName: [400, 'The specified bucket is not valid.'],
    InvalidDigest: [400, 'The Content-MD5 you specified is not valid.'],
    InvalidEncryptionAlgorithmError: [
        400,
        'The Encryption request you specified is not valid. Supported value: AES256.',
    ],
    InvalidPart: [
        400,
        'One or more of the specified parts could not be found.  The part may not have been ' +
            'uploaded, or the specified entity tag may not match the part\'s entity tag.',
    ],
    InvalidPartOrder: [
        400,
        'The list of parts was not in ascending order. Parts must be ordered by part number.',
    ],
    InvalidPartNumber: [416, 'The requested partnumber is not satisfiable'],
    InvalidRange: [416, 'The requested range is not satisfiable'],
    InvalidRequest: [400, 'Invalid Request'],
    InvalidURI: [400, "Couldn't parse the specified URI."],
    InvalidStorageClass: [400, 'The storage class you specified is not valid'],
    InvalidTag: [400, 'The TagKey you have provided is invalid'],
    KeyTooLongError: [400, 'Your key is too long'],
    // SSE-KMS: S3 answers a KMS exception as `KMS.<exception>`, status 400, KMS's message.
    'KMS.DisabledException': [400, 'The KMS key is disabled.'],
    'KMS.KMSInvalidStateException': [400, 'The key state is not valid for this request.'],
    'KMS.NotFoundException': [400, 'The specified KMS key does not exist.'],
    MalformedPolicy: [400, 'The policy is not valid.'],
    MalformedXML: [
        400,
        'The XML you provided was not well-formed or did not validate against our published schema',
    ],
    MetadataTooLarge: [400, 'Your metadata headers exceed the maximum allowed metadata size.'],
    MethodNotAllowed: [405, 'The specified method is not allowed against this resource.'],
    MissingContentLength: [411, 'You must provide the Content-Length HTTP header.'],
    MissingSecurityHeader: [400, 'Your request was missing a required header'],
    NoSuchBucket: [404, 'The specified bucket does not exist'],
    NoSuchBucketPolicy: [404, 'The bucket policy does not exist'],
    NoSuchPublicAccessBlockConfiguration: [
        404,
        'The public access block configuration was not found',
    ],
    NoSuchKey: [404, 'The specified key does not exist.'],
    NoSuchVersion: [404, 'The specified version does not exist.'],
    NoSuchTagSet: [404, 'There is no tag set associated with the bucket.'],
    NoSuchUpload: [
        404,
        'The specified upload does not exist. The upload ID may be invalid, or the upload may ' +
            'have been aborted or completed.',
    ],
    NotImplemented: [501, 'A header you provided implies functionality that is not implemented'],
    NotModified: [304, 'Not Modified'],
    PreconditionFailed: [412, 'At least one of the pre-conditions you specified did not hold'],
    RequestTimeTooSkewed: [
        403,
        'The difference between the request time and the current time is too large.',
    ],
    RequestTimeout: [
        400,
        'Your socket connection to the server was not read from or written to within the ' +
            'timeout period.',
    ],
    SignatureDoesNotMatch: [
        403,
        'The request signature we calculated does not match the signature you provided. ' +
            'Check your key and signing method.',
    ],
    TooManyParts: [400, 'You have attempted to upload more than the maximum number of parts.'],
    XAmzContentSHA256Mismatch: [
        400,
        'The provided \'x-amz-content-sha256\' header does not match what was computed.',
    ],
} as const satisfies Record<string, readonly [number, string]>;

export type S3ErrorCode = keyof typeof S3_ERRORS;

/** Extra elements some errors carry in their XML body, as AWS sends them. */
export type S3ErrorFields = Record<string, string | number>;

/** An error answered to the client as an S3 XML error body. */
export class S3Error extends Error {
    readonly code: S3ErrorCode;
    readonly status: number;
    readonly fields: S3ErrorFields;
    /** Response headers the error carries (Content-Range on a 416, say). */
    readonly headers: Record<string, string>;

    constructor(
        code: S3ErrorCode,
        message?: string,
        options: { fields?: S3ErrorFields; headers?: Record<string, string>; cause?: unknown } = {},
    ) {
        const [status, defaultMessage] = S3_ERRORS[code];
        super(message ?? defaultMessage, { cause: options.cause });
        this.name = 'S3Error';
        this.code = code;
        this.status = status;
        this.fields = options.fields ?? {};
        this.headers = options.headers ?? {};
    }
}

export function isS3Error(err: unknown): err is S3Error {
    return err instanceof S3Error;
}
