/**
 * What `@aws-sdk/client-s3` really sends: a tiny HTTP server on 127.0.0.1 runs every request
 * through `authenticate` and `openPayload` and records the outcome, while the SDK uploads with
 * its default checksum behaviour (`requestChecksumCalculation: 'WHEN_SUPPORTED'`).
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';

import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

import { authenticate, openPayload, type VerifiedRequest } from '../../src/auth/index.js';
import { S3Error } from '../../src/s3/errors.js';

const AK = 'AKIDCOFFERTEST';
const SK = 'c0ffer/secret+key/for/tests';

interface Seen {
    verified: VerifiedRequest | null;
    headers: IncomingMessage['headers'];
    data?: Buffer;
    trailers?: Map<string, string>;
    error?: unknown;
}

/** CRC-32 (IEEE, reflected, the checksum S3 calls CRC32), bit by bit: slow but plain. */
function crc32(data: Buffer): number {
    let crc = 0xffffffff;
    for (const byte of data) {
        crc ^= byte;
        for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
    }
    return (crc ^ 0xffffffff) >>> 0;
}

async function handle(req: IncomingMessage): Promise<Seen> {
    const headers = req.headers;
    const verified = authenticate(
        { method: req.method ?? 'GET', rawUrl: req.url ?? '/', headers },
        {
            lookupSecret: (ak) => (ak === AK ? SK : undefined),
            now: new Date(),
            region: 'us-east-1',
            service: 's3',
        },
    );
    const opened = openPayload(req, verified, headers);
    const chunks: Buffer[] = [];
    for await (const chunk of opened.body) chunks.push(chunk as Buffer);
    return { verified, headers, data: Buffer.concat(chunks), trailers: opened.trailers() };
}

describe('bodies sent by @aws-sdk/client-s3', () => {
    const seen: Seen[] = [];
    let server: Server;
    let client: S3Client;

    before(async () => {
        server = createServer((req, res) => {
            handle(req)
                .then((record) => {
                    seen.push(record);
                    res.writeHead(200, { etag: '"0"' }).end();
                })
                .catch((error: unknown) => {
                    seen.push({ verified: null, headers: req.headers, error });
                    const status = error instanceof S3Error ? error.status : 500;
                    res.writeHead(status).end();
                });
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        const { port } = server.address() as AddressInfo;
        client = new S3Client({
            endpoint: `http://127.0.0.1:${port}`,
            region: 'us-east-1',
            forcePathStyle: true,
            credentials: { accessKeyId: AK, secretAccessKey: SK },
            requestChecksumCalculation: 'WHEN_SUPPORTED',
            maxAttempts: 1,
        });
    });

    after(async () => {
        client.destroy();
        await new Promise((resolve) => server.close(resolve));
    });

    const data = Buffer.from(Array.from({ length: 300_001 }, (_, i) => (i * 31 + 7) & 0xff));
    const crc32Base64 = (buf: Buffer) => {
        const out = Buffer.alloc(4);
        out.writeUInt32BE(crc32(buf));
        return out.toString('base64');
    };

    test('the CRC-32 used below is the standard one', () => {
        assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
    });

    test('a stream body: aws-chunked with a checksum trailer', async () => {
        const slices = [
            data.subarray(0, 100_000),
            data.subarray(100_000, 250_000),
            data.subarray(250_000),
        ];
        await client.send(
            new PutObjectCommand({
                Bucket: 'bucket',
                Key: 'dir/streamed é+.bin',
                Body: Readable.from(slices),
                ContentLength: data.length,
            }),
        );
        const record = seen.at(-1)!;
        assert.equal(record.error, undefined, String(record.error));
        assert.equal(record.headers['content-encoding'], 'aws-chunked');
        assert.ok(record.verified, 'the SDK signed the request');
        assert.equal(record.verified.payload.kind, 'streaming-unsigned-trailer');
        assert.ok(record.data!.equals(data));
        const trailerName = String(record.headers['x-amz-trailer']);
        assert.equal(trailerName, 'x-amz-checksum-crc32');
        assert.equal(record.trailers!.get(trailerName), crc32Base64(data));
    });

    test('a buffer body: signed payload hash, checksum in a header', async () => {
        await client.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'buffered', Body: data }));
        const record = seen.at(-1)!;
        assert.equal(record.error, undefined, String(record.error));
        assert.ok(record.verified);
        assert.equal(record.verified.authType, 'REST-HEADER');
        assert.equal(record.verified.payload.kind, 'signed');
        assert.ok(record.data!.equals(data));
        const checksum =
            record.headers['x-amz-checksum-crc32'] ?? record.trailers!.get('x-amz-checksum-crc32');
        assert.equal(checksum, crc32Base64(data));
    });

    test('a wrong secret is refused before the body is read', async () => {
        const wrong = new S3Client({
            endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
            region: 'us-east-1',
            forcePathStyle: true,
            credentials: { accessKeyId: AK, secretAccessKey: SK + 'x' },
            maxAttempts: 1,
        });
        await assert.rejects(
            wrong.send(
                new PutObjectCommand({
                    Bucket: 'bucket',
                    Key: 'k',
                    Body: Readable.from([data]),
                    ContentLength: data.length,
                }),
            ),
        );
        wrong.destroy();
        const record = seen.at(-1)!;
        assert.ok(record.error instanceof S3Error);
        assert.equal(record.error.code, 'SignatureDoesNotMatch');
    });
});
