/**
 * Buckets and objects through the AWS SDK v3 with its default checksum behaviour (a CRC32 on
 * every upload), against a real Coffer process.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
    CreateBucketCommand,
    DeleteBucketCommand,
    DeleteObjectCommand,
    DeleteObjectsCommand,
    GetBucketLocationCommand,
    GetObjectCommand,
    HeadBucketCommand,
    HeadObjectCommand,
    ListBucketsCommand,
    PutObjectCommand,
    type S3Client,
} from '@aws-sdk/client-s3';
import { rejectsWithS3, serverFailures } from '../helpers/expect.js';
import { removeDataDir, s3Client, startServer, type RunningServer } from '../helpers/server.js';
import { errorCode, sendSigned } from '../helpers/signing.js';

let server: RunningServer;
let s3: S3Client;
const BUCKET = 'objects-bucket';
const BODY = randomBytes(1000);

before(async () => {
    server = await startServer();
    s3 = s3Client(server);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'data.bin', Body: BODY }));
});

after(async () => {
    s3?.destroy();
    await server?.stop();
    if (server) removeDataDir(server);
});

async function getBytes(
    key: string,
    extra: Partial<ConstructorParameters<typeof GetObjectCommand>[0]> = {},
) {
    const res = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, ...extra }));
    return { res, bytes: Buffer.from(await res.Body!.transformToByteArray()) };
}

describe('buckets', () => {
    test('CreateBucket refuses names that break the naming rules', async () => {
        for (const name of ['ab', 'UpperCase', 'under_score', '-leading', 'a..b', '192.168.1.1']) {
            const res = await sendSigned(server, { method: 'PUT', path: `/${name}` });
            assert.equal(res.status, 400, name);
            assert.equal(errorCode(res.body), 'InvalidBucketName', name);
        }
        await rejectsWithS3(
            s3.send(new CreateBucketCommand({ Bucket: 'xn--bucket' })),
            'InvalidBucketName',
            400,
        );
    });

    test('CreateBucket of an owned bucket is BucketAlreadyOwnedByYou', async () => {
        await rejectsWithS3(
            s3.send(new CreateBucketCommand({ Bucket: BUCKET })),
            'BucketAlreadyOwnedByYou',
            409,
        );
    });

    test('HeadBucket, ListBuckets and GetBucketLocation see a new bucket', async () => {
        await s3.send(new CreateBucketCommand({ Bucket: 'listed-bucket' }));
        const head = await s3.send(new HeadBucketCommand({ Bucket: 'listed-bucket' }));
        assert.equal(head.$metadata.httpStatusCode, 200);
        assert.equal(head.BucketRegion, 'us-east-1');
        const list = await s3.send(new ListBucketsCommand({}));
        const names = (list.Buckets ?? []).map((b) => b.Name);
        assert.ok(names.includes('listed-bucket') && names.includes(BUCKET), names.join(','));
        assert.ok(list.Buckets!.every((b) => b.CreationDate instanceof Date));
        assert.ok(list.Owner?.ID);
        const location = await s3.send(new GetBucketLocationCommand({ Bucket: 'listed-bucket' }));
        // us-east-1 is the one region whose LocationConstraint is empty.
        assert.equal(location.LocationConstraint ?? '', '');
        await rejectsWithS3(
            s3.send(new HeadBucketCommand({ Bucket: 'no-such-bucket-x' })),
            'NotFound',
            404,
        );
    });

    test('DeleteBucket refuses a bucket with objects, then deletes it once empty', async () => {
        await s3.send(new CreateBucketCommand({ Bucket: 'doomed-bucket' }));
        await s3.send(new PutObjectCommand({ Bucket: 'doomed-bucket', Key: 'k', Body: 'x' }));
        await rejectsWithS3(
            s3.send(new DeleteBucketCommand({ Bucket: 'doomed-bucket' })),
            'BucketNotEmpty',
            409,
        );
        await s3.send(new DeleteObjectCommand({ Bucket: 'doomed-bucket', Key: 'k' }));
        const deleted = await s3.send(new DeleteBucketCommand({ Bucket: 'doomed-bucket' }));
        assert.equal(deleted.$metadata.httpStatusCode, 204);
        await rejectsWithS3(
            s3.send(new HeadBucketCommand({ Bucket: 'doomed-bucket' })),
            'NotFound',
            404,
        );
        await rejectsWithS3(
            s3.send(new DeleteBucketCommand({ Bucket: 'doomed-bucket' })),
            'NoSuchBucket',
            404,
        );
    });
});

describe('object headers and metadata', () => {
    const expires = new Date('2030-01-02T03:04:05Z');
    const stored = {
        ContentType: 'text/plain; charset=utf-8',
        CacheControl: 'max-age=60, public',
        ContentDisposition: 'attachment; filename="notes.txt"',
        ContentEncoding: 'identity',
        ContentLanguage: 'fr-CA',
        Expires: expires,
        Metadata: { colour: 'blue', 'two-words': 'hello world' },
    };

    before(async () => {
        await s3.send(
            new PutObjectCommand({ Bucket: BUCKET, Key: 'meta.txt', Body: 'bonjour', ...stored }),
        );
    });

    function assertStored(res: {
        ContentType?: string;
        CacheControl?: string;
        ContentDisposition?: string;
        ContentEncoding?: string;
        ContentLanguage?: string;
        ExpiresString?: string;
        Metadata?: Record<string, string>;
    }) {
        assert.equal(res.ContentType, stored.ContentType);
        assert.equal(res.CacheControl, stored.CacheControl);
        assert.equal(res.ContentDisposition, stored.ContentDisposition);
        assert.equal(res.ContentEncoding, stored.ContentEncoding);
        assert.equal(res.ContentLanguage, stored.ContentLanguage);
        assert.equal(Date.parse(res.ExpiresString ?? ''), expires.getTime());
        assert.deepEqual(res.Metadata, stored.Metadata);
    }

    test('HeadObject returns every stored header and the user metadata', async () => {
        const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'meta.txt' }));
        assertStored(head);
        assert.equal(head.ContentLength, 7);
    });

    test('GetObject returns them with the body', async () => {
        const { res, bytes } = await getBytes('meta.txt');
        assertStored(res);
        assert.equal(bytes.toString(), 'bonjour');
    });

    test('response-* query parameters override the stored headers', async () => {
        const { res } = await getBytes('meta.txt', {
            ResponseContentType: 'application/x-override',
            ResponseCacheControl: 'no-store',
            ResponseContentDisposition: 'inline',
            ResponseContentEncoding: 'x-custom',
            ResponseContentLanguage: 'de',
            ResponseExpires: new Date('2031-05-06T07:08:09Z'),
        });
        assert.equal(res.ContentType, 'application/x-override');
        assert.equal(res.CacheControl, 'no-store');
        assert.equal(res.ContentDisposition, 'inline');
        assert.equal(res.ContentEncoding, 'x-custom');
        assert.equal(res.ContentLanguage, 'de');
        assert.equal(Date.parse(res.ExpiresString ?? ''), Date.parse('2031-05-06T07:08:09Z'));
    });

    test('an object put without Content-Type is binary/octet-stream', async () => {
        // The SDK always names a type, so this PUT is sent raw.
        const put = await sendSigned(server, {
            method: 'PUT',
            path: `/${BUCKET}/untyped`,
            body: 'x',
        });
        assert.equal(put.status, 200, put.body);
        const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'untyped' }));
        assert.equal(head.ContentType, 'binary/octet-stream');
    });
});

describe('ranges', () => {
    test('a closed range is 206 with its bytes and Content-Range', async () => {
        const { res, bytes } = await getBytes('data.bin', { Range: 'bytes=10-19' });
        assert.equal(res.$metadata.httpStatusCode, 206);
        assert.equal(res.ContentRange, `bytes 10-19/${BODY.length}`);
        assert.equal(res.ContentLength, 10);
        assert.deepEqual(bytes, BODY.subarray(10, 20));
    });

    test('an open-ended range runs to the end', async () => {
        const { res, bytes } = await getBytes('data.bin', { Range: 'bytes=900-' });
        assert.equal(res.$metadata.httpStatusCode, 206);
        assert.equal(res.ContentRange, `bytes 900-999/${BODY.length}`);
        assert.deepEqual(bytes, BODY.subarray(900));
    });

    test('a suffix range is the last n bytes', async () => {
        const { res, bytes } = await getBytes('data.bin', { Range: 'bytes=-37' });
        assert.equal(res.$metadata.httpStatusCode, 206);
        assert.equal(res.ContentRange, `bytes 963-999/${BODY.length}`);
        assert.deepEqual(bytes, BODY.subarray(963));
    });

    test('a range past the end is cut to the object', async () => {
        const { res, bytes } = await getBytes('data.bin', { Range: 'bytes=990-5000' });
        assert.equal(res.ContentRange, `bytes 990-999/${BODY.length}`);
        assert.deepEqual(bytes, BODY.subarray(990));
    });

    test('an unsatisfiable range is 416 InvalidRange', async () => {
        await rejectsWithS3(
            s3.send(
                new GetObjectCommand({ Bucket: BUCKET, Key: 'data.bin', Range: 'bytes=1000-' }),
            ),
            'InvalidRange',
            416,
        );
    });
});

describe('conditional requests', () => {
    let etag: string;
    let lastModified: Date;
    const past = new Date(Date.now() - 24 * 3600_000);
    const future = new Date(Date.now() + 24 * 3600_000);

    before(async () => {
        const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'data.bin' }));
        etag = head.ETag!;
        lastModified = head.LastModified!;
    });

    const get = (conditions: Partial<ConstructorParameters<typeof GetObjectCommand>[0]>) =>
        s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'data.bin', ...conditions }));

    test('conditions that hold serve the object', async () => {
        for (const conditions of [
            { IfMatch: etag },
            { IfNoneMatch: '"0123456789abcdef0123456789abcdef"' },
            { IfModifiedSince: past },
            { IfUnmodifiedSince: future },
            { IfUnmodifiedSince: lastModified },
        ]) {
            const res = await get(conditions);
            assert.equal(res.$metadata.httpStatusCode, 200, JSON.stringify(conditions));
            assert.deepEqual(Buffer.from(await res.Body!.transformToByteArray()), BODY);
        }
    });

    test('If-Match with another ETag and If-Unmodified-Since in the past are 412', async () => {
        await rejectsWithS3(
            get({ IfMatch: '"0123456789abcdef0123456789abcdef"' }),
            'PreconditionFailed',
            412,
        );
        await rejectsWithS3(get({ IfUnmodifiedSince: past }), 'PreconditionFailed', 412);
    });

    test('If-None-Match with the ETag and If-Modified-Since its date are 304', async () => {
        await rejectsWithS3(get({ IfNoneMatch: etag }), undefined, 304);
        await rejectsWithS3(get({ IfModifiedSince: lastModified }), undefined, 304);
        await rejectsWithS3(
            s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'data.bin', IfNoneMatch: etag })),
            undefined,
            304,
        );
    });

    test('a 304 carries the ETag and Last-Modified, and no body (RFC 7232)', async () => {
        for (const method of ['GET', 'HEAD']) {
            const res = await sendSigned(server, {
                method,
                path: `/${BUCKET}/data.bin`,
                headers: { 'if-none-match': etag },
            });
            assert.equal(res.status, 304, method);
            assert.equal(res.headers['etag'], etag, method);
            assert.equal(res.headers['last-modified'], lastModified.toUTCString(), method);
            assert.equal(res.body, '', method);
        }
    });

    test('If-Match beats If-Unmodified-Since (RFC 7232)', async () => {
        const res = await get({ IfMatch: etag, IfUnmodifiedSince: past });
        assert.equal(res.$metadata.httpStatusCode, 200);
        await res.Body!.transformToByteArray();
    });

    test('If-None-Match: * on PutObject refuses an existing key only', async () => {
        await rejectsWithS3(
            s3.send(
                new PutObjectCommand({
                    Bucket: BUCKET,
                    Key: 'data.bin',
                    Body: 'no',
                    IfNoneMatch: '*',
                }),
            ),
            'PreconditionFailed',
            412,
        );
        const { bytes } = await getBytes('data.bin');
        assert.deepEqual(bytes, BODY, 'the refused write left the object alone');
        const put = await s3.send(
            new PutObjectCommand({
                Bucket: BUCKET,
                Key: 'fresh-key',
                Body: 'yes',
                IfNoneMatch: '*',
            }),
        );
        assert.equal(put.$metadata.httpStatusCode, 200);
    });
});

describe('deleting objects', () => {
    test('DeleteObject removes a key and is 204 for a missing one too', async () => {
        await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'gone', Body: 'x' }));
        const res = await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'gone' }));
        assert.equal(res.$metadata.httpStatusCode, 204);
        await rejectsWithS3(
            s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'gone' })),
            'NoSuchKey',
            404,
        );
        await rejectsWithS3(
            s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'gone' })),
            'NotFound',
            404,
        );
        const again = await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'gone' }));
        assert.equal(again.$metadata.httpStatusCode, 204);
    });

    test('in an unversioned bucket only the version id "null" names an object', async () => {
        await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'versioned', Body: 'v' }));
        const get = await s3.send(
            new GetObjectCommand({ Bucket: BUCKET, Key: 'versioned', VersionId: 'null' }),
        );
        assert.equal(await get.Body!.transformToString(), 'v');
        const other = '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY';
        await rejectsWithS3(
            s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'versioned', VersionId: other })),
            'NoSuchVersion',
            404,
        );
        await rejectsWithS3(
            s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'versioned', VersionId: other })),
            undefined,
            404,
        );
        // Deleting a version that does not exist must not delete the object.
        await assert.rejects(
            s3.send(
                new DeleteObjectCommand({ Bucket: BUCKET, Key: 'versioned', VersionId: other }),
            ),
        );
        const still = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'versioned' }));
        assert.equal(still.ContentLength, 1);
        const deleted = await s3.send(
            new DeleteObjectCommand({ Bucket: BUCKET, Key: 'versioned', VersionId: 'null' }),
        );
        assert.equal(deleted.$metadata.httpStatusCode, 204);
        await rejectsWithS3(
            s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'versioned' })),
            'NotFound',
            404,
        );
    });

    test('DeleteObjects, verbose, lists every deleted key', async () => {
        const keys = ['multi/a', 'multi/b', 'multi/c'];
        for (const key of keys)
            await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
        const res = await s3.send(
            new DeleteObjectsCommand({
                Bucket: BUCKET,
                Delete: { Objects: [...keys, 'multi/never-existed'].map((Key) => ({ Key })) },
            }),
        );
        const deleted = (res.Deleted ?? []).map((d) => d.Key).sort();
        assert.deepEqual(deleted, [...keys, 'multi/never-existed'].sort());
        assert.equal(res.Errors?.length ?? 0, 0);
        for (const key of keys) {
            await rejectsWithS3(
                s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })),
                'NotFound',
                404,
            );
        }
    });

    test('DeleteObjects, quiet, deletes and reports nothing', async () => {
        const keys = ['quiet/a', 'quiet/b'];
        for (const key of keys)
            await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
        const res = await s3.send(
            new DeleteObjectsCommand({
                Bucket: BUCKET,
                Delete: { Quiet: true, Objects: keys.map((Key) => ({ Key })) },
            }),
        );
        assert.equal(res.Deleted?.length ?? 0, 0);
        assert.equal(res.Errors?.length ?? 0, 0);
        for (const key of keys) {
            await rejectsWithS3(
                s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })),
                'NotFound',
                404,
            );
        }
    });
});

test('no request failed on the server side (5xx)', () => {
    assert.deepEqual(serverFailures(server.logs), []);
});
