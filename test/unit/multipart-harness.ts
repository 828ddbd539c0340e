/**
 * Drives the multipart handlers directly against the real stores: a SqliteMetadataStore and an
 * FsBlobStore in a temp dir, request bodies as real streams, a silent pino logger.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { XMLParser } from 'fast-xml-parser';
import { pino } from 'pino';
import { RootOnlyDirectory } from '../../src/identity/credentials.js';
import type { Principal } from '../../src/identity/principal.js';
import { S3Error } from '../../src/s3/errors.js';
import {
    completeMultipartUpload,
    createMultipartUpload,
    uploadPart,
} from '../../src/s3/multipart.js';
import type { S3Request, S3Response } from '../../src/s3/types.js';
import type { RequestContext } from '../../src/server/request-context.js';
import type { ServerServices } from '../../src/server/services.js';
import { FsBlobStore } from '../../src/store/fs/fs-blob-store.js';
import { SqliteMetadataStore } from '../../src/store/sqlite/sqlite-metadata-store.js';
import { testKmsServices } from '../helpers/kms.js';

export const BUCKET = 'mpu-bucket';
export const ACCOUNT = '111122223333';
export const MiB = 1024 * 1024;

export interface Harness {
    dir: string;
    services: ServerServices;
    metadata: SqliteMetadataStore;
    blobs: FsBlobStore;
    close(): void;
}

export async function openHarness(): Promise<Harness> {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-mpu-'));
    const metadata = new SqliteMetadataStore(join(dir, 'meta.db'));
    const blobs = new FsBlobStore(join(dir, 'data'));
    const log = pino({ level: 'silent' });
    const principal = rootPrincipal();
    const services: ServerServices = {
        config: {
            dataDir: dir,
            listen: { host: '127.0.0.1', port: 0 },
            region: 'us-east-1',
            maxClockSkewMs: 900_000,
        },
        metadata,
        blobs,
        identities: new RootOnlyDirectory({
            accessKeyId: 'AKIAMULTIPARTTEST000',
            secretAccessKey: 'not-used-by-these-tests',
            principal,
        }),
        ...(await testKmsServices(dir, ACCOUNT)),
        accountId: ACCOUNT,
        log,
    };
    await metadata.createBucket({
        name: BUCKET,
        ownerAccountId: ACCOUNT,
        region: 'us-east-1',
        createdAt: Date.now(),
    });
    return {
        dir,
        services,
        metadata,
        blobs,
        close() {
            metadata.close();
            rmSync(dir, { recursive: true, force: true });
        },
    };
}

function rootPrincipal(): Principal {
    return {
        type: 'Root',
        accountId: ACCOUNT,
        arn: `arn:aws:iam::${ACCOUNT}:root`,
        accessKeyId: 'AKIAMULTIPARTTEST000',
    };
}

export interface RequestInit {
    method?: string;
    key?: string;
    query?: Record<string, string>;
    headers?: Record<string, string>;
    body?: Buffer | string;
}

/** An S3Request whose body is a real stream over `init.body`. */
export function request(h: Harness, init: RequestInit): S3Request {
    const body = Buffer.from(init.body ?? '');
    const ctx: RequestContext = {
        requestId: '0123456789ABCDEF',
        hostId: 'host',
        startedAt: process.hrtime.bigint(),
        secureTransport: false,
        sourceIp: '127.0.0.1',
        log: h.services.log,
        principal: rootPrincipal(),
        auth: null,
        bytesIn: 0,
        bytesOut: 0,
    };
    return {
        ctx,
        services: h.services,
        method: init.method ?? 'PUT',
        bucket: BUCKET,
        key: init.key,
        query: new URLSearchParams(init.query ?? {}),
        headers: { host: '127.0.0.1:9000', ...init.headers },
        body: () => Readable.from([body]),
        trailers: () => new Map(),
    };
}

export function parseXml(response: S3Response): Record<string, any> {
    assert.equal(response.headers?.['content-type'], 'application/xml');
    assert.equal(typeof response.body, 'string');
    const parser = new XMLParser({ parseTagValue: false, isArray: (name) => name === 'Part' });
    return parser.parse(response.body as string);
}

export async function startUpload(
    h: Harness,
    key: string,
    headers: Record<string, string> = {},
): Promise<string> {
    const response = await createMultipartUpload(
        request(h, { method: 'POST', key, query: { uploads: '' }, headers }),
    );
    return parseXml(response).InitiateMultipartUploadResult.UploadId;
}

export function sendPart(
    h: Harness,
    key: string,
    uploadId: string,
    partNumber: number | string,
    data: Buffer,
    headers: Record<string, string> = {},
): Promise<S3Response> {
    return uploadPart(
        request(h, {
            key,
            query: { uploadId, partNumber: String(partNumber) },
            headers: { 'content-length': String(data.length), ...headers },
            body: data,
        }),
    );
}

export interface CompletePart {
    PartNumber: number;
    ETag: string;
    [checksumElement: string]: string | number;
}

export function completeXml(parts: CompletePart[]): string {
    const items = parts.map(
        (part) =>
            '<Part>' +
            Object.entries(part)
                .map(([name, value]) => `<${name}>${value}</${name}>`)
                .join('') +
            '</Part>',
    );
    const xmlns = 'http://s3.amazonaws.com/doc/2006-03-01/';
    return `<CompleteMultipartUpload xmlns="${xmlns}">${items.join('')}</CompleteMultipartUpload>`;
}

export function complete(
    h: Harness,
    key: string,
    uploadId: string,
    body: string,
    headers: Record<string, string> = {},
): Promise<S3Response> {
    return completeMultipartUpload(
        request(h, { method: 'POST', key, query: { uploadId }, headers, body }),
    );
}

export function blobExists(h: Harness, blobId: string): boolean {
    return existsSync(join(h.dir, 'data', 'blobs', blobId.slice(0, 2), blobId));
}

export async function readAll(stream: Readable): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
}

/** An assert.rejects matcher for an S3Error with this code (and these extra fields). */
export function s3Error(
    code: string,
    fields: Record<string, string | number> = {},
    message?: string,
) {
    return (err: unknown): boolean => {
        assert.ok(err instanceof S3Error, `expected S3Error ${code}, got ${String(err)}`);
        assert.equal(err.code, code, err.message);
        for (const [name, value] of Object.entries(fields)) assert.equal(err.fields[name], value);
        if (message !== undefined) assert.equal(err.message, message);
        return true;
    };
}
