/**
 * The one S3 client both targets are driven with: node:http over a keep-alive Agent, SigV4
 * header auth (UNSIGNED-PAYLOAD, or the body's SHA-256 with --signed-payload), bodies streamed
 * from the content generator and every GET checked byte for byte as it arrives.
 */
import { createHash } from 'node:crypto';
import { Agent, request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { RequestOptions } from 'node:http';
import { ContentVerifier, objectChunks } from './content.js';
import {
    EMPTY_SHA256,
    Signer,
    UNSIGNED_PAYLOAD,
    canonicalQuery,
    encodePath,
    type Credentials,
} from './sigv4.js';

/** One object to write or read: its content is a function of (seed, size). */
export interface ObjectSpec {
    key: string;
    seed: number;
    size: number;
    /** The body's SHA-256 (hex), needed only in signed-payload mode. */
    sha256?: string;
}

/** What one request came to: `ok` only for a 2xx whose body (if read) was verified. */
export interface Outcome {
    ok: boolean;
    status: number;
    ms: number;
    /** Why it failed: the S3 error code, a verification failure or a network error. */
    detail?: string;
    headers: IncomingHttpHeaders;
}

export interface ClientOptions {
    endpoint: string;
    credentials: Credentials;
    region: string;
    signedPayload: boolean;
    maxSockets: number;
}

type BodyReader = (res: IncomingMessage) => Promise<string | undefined>;

/** A request body: generated content of `size` bytes (none when `seed` is absent). */
interface BodySpec {
    seed?: number;
    size: number;
    sha256?: string;
}

const REQUEST_TIMEOUT_MS = 120_000;

/** SHA-256 (hex) of an object's content, streamed from the generator. */
export function contentSha256(seed: number, size: number): string {
    const hash = createHash('sha256');
    for (const chunk of objectChunks(seed, size)) hash.update(chunk);
    return hash.digest('hex');
}

export class BenchClient {
    private readonly agent: Agent;
    private readonly signer: Signer;
    private readonly url: URL;

    constructor(private readonly options: ClientOptions) {
        this.url = new URL(options.endpoint);
        this.agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets });
        this.signer = new Signer(options.credentials, options.region);
    }

    /** Whether PUT bodies must carry their SHA-256 (callers compute it before timing). */
    get signsPayload(): boolean {
        return this.options.signedPayload;
    }

    createBucket(bucket: string): Promise<Outcome> {
        return this.send('PUT', bucket, {}, {}, readError, { size: 0 });
    }

    deleteBucket(bucket: string): Promise<Outcome> {
        return this.send('DELETE', bucket, {}, {}, readError);
    }

    deleteObject(bucket: string, key: string): Promise<Outcome> {
        return this.send('DELETE', `${bucket}/${key}`, {}, {}, readError);
    }

    putObject(bucket: string, spec: ObjectSpec, headers: Record<string, string> = {}) {
        return this.send('PUT', `${bucket}/${spec.key}`, {}, headers, readError, spec);
    }

    /** GETs the object and checks every byte against the content it was written with. */
    getObject(bucket: string, spec: ObjectSpec, headers: Record<string, string> = {}) {
        const verify: BodyReader = async (res) => {
            if (!isSuccess(res.statusCode)) return readError(res);
            const verifier = new ContentVerifier(spec.seed, spec.size);
            for await (const chunk of res) verifier.accept(chunk as Buffer);
            return verifier.complete() ? undefined : 'BodyMismatch';
        };
        return this.send('GET', `${bucket}/${spec.key}`, {}, headers, verify);
    }

    /** HEADs the object and checks its Content-Length. */
    headObject(bucket: string, spec: ObjectSpec, headers: Record<string, string> = {}) {
        const check: BodyReader = async (res) => {
            res.resume();
            if (!isSuccess(res.statusCode)) return `HTTP ${res.statusCode}`;
            return res.headers['content-length'] === String(spec.size)
                ? undefined
                : 'LengthMismatch';
        };
        return this.send('HEAD', `${bucket}/${spec.key}`, {}, headers, check);
    }

    /** One ListObjectsV2 page of up to 1,000 keys. */
    async listPage(bucket: string, token?: string) {
        const query: Record<string, string> = { 'list-type': '2', 'max-keys': '1000' };
        if (token !== undefined) query['continuation-token'] = token;
        let xml = '';
        const read: BodyReader = async (res) => {
            xml = await readText(res);
            return isSuccess(res.statusCode) ? undefined : errorDetail(res.statusCode, xml);
        };
        const outcome = await this.send('GET', bucket, query, {}, read);
        const keys = [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => unescapeXml(m[1]));
        const next = /<NextContinuationToken>([^<]*)</.exec(xml)?.[1];
        const truncated = /<IsTruncated>true<\/IsTruncated>/.test(xml);
        return { outcome, keys, next: truncated && next ? unescapeXml(next) : undefined };
    }

    close(): void {
        this.agent.destroy();
    }

    private send(
        method: string,
        path: string,
        query: Record<string, string>,
        extraHeaders: Record<string, string>,
        readBody: BodyReader,
        body?: BodySpec,
    ): Promise<Outcome> {
        const started = performance.now();
        const options = this.requestOptions(method, path, query, extraHeaders, body);
        return new Promise<Outcome>((resolve) => {
            const finish = (status: number, detail: string | undefined, h: IncomingHttpHeaders) =>
                resolve({
                    ok: detail === undefined,
                    status,
                    ms: performance.now() - started,
                    detail,
                    headers: h,
                });
            const req = request(options, (res) => {
                readBody(res).then(
                    (detail) => finish(res.statusCode ?? 0, detail, res.headers),
                    (err: Error) =>
                        finish(res.statusCode ?? 0, `ResponseError ${err.message}`, res.headers),
                );
            });
            req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('timeout')));
            req.on('error', (err) => finish(0, `NetworkError ${err.message}`, {}));
            void writeBody(req, body);
        });
    }

    /** The signed request: path and query encoded once, the same way they were signed. */
    private requestOptions(
        method: string,
        path: string,
        query: Record<string, string>,
        extraHeaders: Record<string, string>,
        body?: BodySpec,
    ): RequestOptions {
        const payloadHash = this.payloadHash(body);
        const host = this.url.host;
        const headers = this.signer.sign({
            method,
            host,
            path,
            query,
            headers: extraHeaders,
            payloadHash,
        });
        if (body) headers['content-length'] = String(body.size);
        const qs = canonicalQuery(query);
        const fullPath = '/' + encodePath(path) + (qs ? `?${qs}` : '');
        const { hostname, port } = this.url;
        return { agent: this.agent, host: hostname, port, method, path: fullPath, headers };
    }

    private payloadHash(body?: BodySpec): string {
        if (!this.options.signedPayload) return UNSIGNED_PAYLOAD;
        if (!body || body.size === 0) return EMPTY_SHA256;
        return body.sha256 ?? contentSha256(body.seed ?? 0, body.size);
    }
}

/** Streams the body from the generator, honouring back-pressure; stops if the request dies. */
async function writeBody(req: ReturnType<typeof request>, body?: BodySpec): Promise<void> {
    if (body && body.seed !== undefined && body.size > 0) {
        for (const chunk of objectChunks(body.seed, body.size)) {
            if (req.destroyed) return;
            if (!req.write(chunk) && !(await drainedOrClosed(req))) return;
        }
    }
    req.end();
}

/** Resolves true on 'drain', false if the request closed first; leaves no listener behind. */
function drainedOrClosed(req: ReturnType<typeof request>): Promise<boolean> {
    return new Promise((done) => {
        const onDrain = () => settle(true);
        const onClose = () => settle(false);
        const settle = (drained: boolean) => {
            req.off('drain', onDrain);
            req.off('close', onClose);
            done(drained);
        };
        req.on('drain', onDrain);
        req.on('close', onClose);
    });
}

function isSuccess(status: number | undefined): boolean {
    return status !== undefined && status >= 200 && status < 300;
}

async function readText(res: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
}

async function readError(res: IncomingMessage): Promise<string | undefined> {
    const text = await readText(res);
    return isSuccess(res.statusCode) ? undefined : errorDetail(res.statusCode, text);
}

function errorDetail(status: number | undefined, body: string): string {
    const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
    return `HTTP ${status}${code ? ` ${code}` : ''}`;
}

function unescapeXml(text: string): string {
    return text
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&apos;/g, "'")
        .replace(/&amp;/g, '&');
}
