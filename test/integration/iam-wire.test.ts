/**
 * The IAM Query protocol on the wire, with requests no SDK would send: an unknown action and an
 * unsigned call must get IAM's XML error document (never HTML or plain text), and the routing
 * that tells IAM calls (form-encoded `POST /`) from S3 calls must not take an S3 request for an
 * IAM one. Requests are signed with @smithy/signature-v4 and sent with node:http.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { after, before, test } from 'node:test';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import {
    ACCESS_KEY,
    REGION,
    removeDataDir,
    s3Client,
    SECRET_KEY,
    startServer,
    type RunningServer,
} from '../helpers/server.js';

const DOMAIN = 's3.local';
const FORM = 'application/x-www-form-urlencoded; charset=utf-8';
let server: RunningServer;

before(async () => {
    server = await startServer({ args: ['--domain', DOMAIN] });
});

after(async () => {
    await server?.stop();
    if (server) removeDataDir(server);
});

interface Reply {
    status: number;
    headers: IncomingHttpHeaders;
    body: string;
}

interface Post {
    service: 'iam' | 's3';
    /** The Host the request is signed for and sent with (default 127.0.0.1:<port>). */
    host?: string;
    query?: Record<string, string>;
    headers: Record<string, string>;
    body: string;
    /** Sign it (default) or send it anonymously. */
    signed?: boolean;
}

/** A `POST /` signed with the root key for `service`, sent to the server with node:http. */
async function post(req: Post): Promise<Reply> {
    const host = req.host ?? `127.0.0.1:${server.port}`;
    let headers: Record<string, string> = { host, ...req.headers };
    if (req.signed !== false) {
        const signer = new SignatureV4({
            credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
            region: REGION,
            service: req.service,
            sha256: NodeSha256,
        });
        const [hostname, port] = host.split(':');
        const request = { method: 'POST', protocol: 'http:', hostname, port: Number(port) };
        const toSign = { ...request, path: '/', query: req.query ?? {}, headers, body: req.body };
        headers = (await signer.sign(toSign)).headers;
    }
    const query = new URLSearchParams(req.query).toString();
    const path = query === '' ? '/' : `/?${query.replace(/=$/, '')}`;
    return new Promise((resolve, reject) => {
        const options = { host: '127.0.0.1', port: server.port, method: 'POST', path, headers };
        const outgoing = httpRequest(options, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => {
                const body = Buffer.concat(chunks).toString('utf8');
                resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
            });
        });
        outgoing.on('error', reject);
        outgoing.end(req.body);
    });
}

test('an unknown action is an IAM XML InvalidAction error', async () => {
    const body = 'Action=Frobnicate&Version=2010-05-08';
    const res = await post({ service: 'iam', headers: { 'content-type': FORM }, body });
    assert.equal(res.status, 400);
    assert.equal(res.headers['content-type'], 'text/xml');
    assert.match(res.body, /^<\?xml version="1\.0" encoding="UTF-8"\?>\s*<ErrorResponse /);
    assert.match(res.body, /<Error><Type>Sender<\/Type><Code>InvalidAction<\/Code>/);
    assert.match(res.body, /<Message>Could not find operation Frobnicate for version 2010-05-08/);
    assert.match(res.body, /<RequestId>[^<]+<\/RequestId><\/ErrorResponse>$/);
});

test('an unsigned IAM call is refused in IAM XML too', async () => {
    const body = 'Action=ListUsers&Version=2010-05-08';
    const headers = { 'content-type': FORM };
    const res = await post({ service: 'iam', headers, body, signed: false });
    assert.equal(res.status, 403);
    assert.equal(res.headers['content-type'], 'text/xml');
    assert.match(res.body, /<ErrorResponse [^>]*><Error><Type>Sender<\/Type><Code>AccessDenied</);
});

test('an S3 DeleteObjects at a virtual-host root with a form content type stays S3', async () => {
    // The AWS SDK for Java v1 labels a request without a content type this way.
    const s3 = s3Client(server);
    await s3.send(new CreateBucketCommand({ Bucket: 'vhost' }));
    await s3.send(new PutObjectCommand({ Bucket: 'vhost', Key: 'gone.txt', Body: 'x' }));
    s3.destroy();
    const body = '<Delete><Object><Key>gone.txt</Key></Object></Delete>';
    const res = await post({
        service: 's3',
        host: `vhost.${DOMAIN}:${server.port}`,
        query: { delete: '' },
        headers: {
            'content-type': FORM,
            'content-md5': createHash('md5').update(body).digest('base64'),
            'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'),
        },
        body,
    });
    assert.equal(res.status, 200, res.body);
    assert.match(res.body, /<DeleteResult[^>]*><Deleted><Key>gone\.txt<\/Key><\/Deleted>/);
});

/** node:crypto's SHA-256 in the shape the smithy signer expects. */
class NodeSha256 {
    private readonly hash;
    constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
        this.hash =
            secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
    }
    update(data: string | ArrayBuffer | ArrayBufferView): void {
        this.hash.update(bytes(data));
    }
    async digest(): Promise<Uint8Array> {
        return this.hash.digest();
    }
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Buffer {
    if (typeof data === 'string') return data;
    if (data instanceof ArrayBuffer) return Buffer.from(data);
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
