/**
 * Raw HTTP requests signed with AWS's own SigV4 signer (@smithy/signature-v4), for tests that
 * need to send what no SDK would: wrong bodies, bad digests, truncated uploads.
 */
import { createHash, createHmac } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { ACCESS_KEY, REGION, SECRET_KEY, type RunningServer } from './server.js';

/** A node:crypto SHA-256 with the interface the smithy signer expects. */
type SourceData = string | ArrayBuffer | ArrayBufferView;

function toBytes(data: SourceData): string | Buffer {
    if (typeof data === 'string') return data;
    if (data instanceof ArrayBuffer) return Buffer.from(data);
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

class NodeSha256 {
    private readonly hash;
    constructor(secret?: SourceData) {
        this.hash = secret ? createHmac('sha256', toBytes(secret)) : createHash('sha256');
    }
    update(data: SourceData): void {
        this.hash.update(toBytes(data));
    }
    async digest(): Promise<Uint8Array> {
        return this.hash.digest();
    }
}

export function signer(secretAccessKey = SECRET_KEY, accessKeyId = ACCESS_KEY) {
    return new SignatureV4({
        credentials: { accessKeyId, secretAccessKey },
        region: REGION,
        service: 's3',
        sha256: NodeSha256,
        uriEscapePath: false,
        applyChecksum: false,
    });
}

export interface RawRequest {
    method: string;
    /** Already URI-encoded path, e.g. /bucket/key%20name */
    path: string;
    query?: Record<string, string>;
    headers?: Record<string, string>;
    body?: Buffer | string;
    /** The x-amz-content-sha256 to sign (default: the body's real hash). */
    payloadHash?: string;
    /** The signing time (default: now), to send a stale X-Amz-Date. */
    signingDate?: Date;
    /** The access key id to sign with (default: the test root key). */
    accessKeyId?: string;
}

export interface RawResponse {
    status: number;
    headers: IncomingHttpHeaders;
    body: string;
}

export async function signedHeaders(server: RunningServer, req: RawRequest, secret?: string) {
    const body = req.body === undefined ? Buffer.alloc(0) : Buffer.from(req.body);
    const hash = req.payloadHash ?? createHash('sha256').update(body).digest('hex');
    const signed = await signer(secret, req.accessKeyId).sign(
        {
            method: req.method,
            protocol: 'http:',
            hostname: '127.0.0.1',
            port: server.port,
            path: req.path,
            query: req.query ?? {},
            headers: {
                host: `127.0.0.1:${server.port}`,
                'x-amz-content-sha256': hash,
                ...req.headers,
            },
        },
        { signingDate: req.signingDate },
    );
    return signed.headers as Record<string, string>;
}

export function queryString(query: Record<string, string> = {}): string {
    const pairs = Object.entries(query).map(
        ([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`,
    );
    return pairs.length ? `?${pairs.join('&')}` : '';
}

/** Sends a signed request and reads the whole response. */
export async function sendSigned(
    server: RunningServer,
    req: RawRequest,
    secret?: string,
): Promise<RawResponse> {
    const headers = await signedHeaders(server, req, secret);
    return sendRaw(server, req.method, req.path + queryString(req.query), headers, req.body);
}

export function sendRaw(
    server: RunningServer,
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: Buffer | string,
): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
        const outgoing = httpRequest(
            { host: '127.0.0.1', port: server.port, method, path, headers, agent: false },
            (res) => {
                const chunks: Buffer[] = [];
                res.on('data', (c: Buffer) => chunks.push(c));
                res.on('end', () =>
                    resolve({
                        status: res.statusCode ?? 0,
                        headers: res.headers,
                        body: Buffer.concat(chunks).toString('utf8'),
                    }),
                );
                res.on('error', reject);
            },
        );
        outgoing.on('error', reject);
        outgoing.end(body);
    });
}

/** The <Code> of an S3 XML error body. */
export function errorCode(body: string): string | undefined {
    return /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
}
