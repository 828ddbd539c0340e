/**
 * SigV4 verification against independent signers: AWS's published examples, and requests
 * signed by AWS's own `@smithy/signature-v4` (header and presigned) with awkward paths, queries
 * and headers. Every accepted request is then altered by one byte to show the signature binds it.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';

import { SignatureV4 } from '@smithy/signature-v4';

import { authenticate, type SignedRequest, type VerifiedRequest } from '../../src/auth/index.js';
import { S3Error } from '../../src/s3/errors.js';

const AK = 'AKIAIOSFODNN7EXAMPLE';
const SK = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const DOC_NOW = new Date('2013-05-24T00:00:00Z');
const NOW = new Date('2026-03-01T12:00:00Z');
const HOST = '127.0.0.1:9000';

function verify(req: SignedRequest, now = NOW, secret = SK): VerifiedRequest | null {
    return authenticate(req, {
        lookupSecret: (ak) => (ak === AK ? secret : undefined),
        now,
        region: 'us-east-1',
        service: 's3',
    });
}

function rejects(req: SignedRequest, code: string, now = NOW, secret = SK): S3Error {
    let caught: unknown;
    assert.throws(
        () => verify(req, now, secret),
        (err) => ((caught = err), err instanceof S3Error && err.code === code),
    );
    return caught as S3Error;
}

type Bytes = string | ArrayBuffer | ArrayBufferView;

function toBytes(data: Bytes): string | Uint8Array {
    if (typeof data === 'string') return data;
    if (ArrayBuffer.isView(data)) {
        return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    }
    return new Uint8Array(data);
}

/** Node-crypto SHA-256 / HMAC in the shape smithy's signer takes. */
class NodeSha256 {
    private readonly hash;
    constructor(secret?: Bytes) {
        this.hash = secret ? createHmac('sha256', toBytes(secret)) : createHash('sha256');
    }
    update(data: Bytes) {
        this.hash.update(toBytes(data));
    }
    async digest() {
        return new Uint8Array(this.hash.digest());
    }
    reset() {}
}

const smithy = new SignatureV4({
    service: 's3',
    region: 'us-east-1',
    credentials: { accessKeyId: AK, secretAccessKey: SK },
    sha256: NodeSha256,
    uriEscapePath: false, // S3: the path is signed as sent, which the client encoded once.
});

/** AWS UriEncode as the S3 SDK applies it to keys (encodeURIComponent plus !'()*). */
function awsEncode(text: string): string {
    return encodeURIComponent(text).replace(/[!'()*]/g, (c) => {
        return '%' + c.charCodeAt(0).toString(16).toUpperCase();
    });
}

function encodeKeyPath(key: string): string {
    return '/bucket/' + key.split('/').map(awsEncode).join('/');
}

type Query = Record<string, string | string[]>;

function encodeQuery(query: Query): string {
    return Object.entries(query)
        .flatMap(([k, v]) =>
            (Array.isArray(v) ? v : [v]).map((x) => `${awsEncode(k)}=${awsEncode(x)}`),
        )
        .join('&');
}

function toIncoming(headers: Record<string, string>): IncomingHttpHeaders {
    return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

interface Spec {
    method?: string;
    path: string;
    query?: Query;
    headers?: Record<string, string>;
    at?: Date;
}

async function headerSigned(spec: Spec): Promise<SignedRequest> {
    const signed = await smithy.sign(
        {
            method: spec.method ?? 'GET',
            protocol: 'http:',
            hostname: '127.0.0.1',
            port: 9000,
            path: spec.path,
            query: spec.query ?? {},
            headers: { host: HOST, 'x-amz-content-sha256': EMPTY, ...spec.headers },
        },
        { signingDate: spec.at ?? NOW },
    );
    const query = encodeQuery(spec.query ?? {});
    return {
        method: signed.method,
        rawUrl: spec.path + (query ? '?' + query : ''),
        headers: toIncoming(signed.headers),
    };
}

async function presigned(spec: Spec & { expiresIn?: number }): Promise<SignedRequest> {
    const signed = await smithy.presign(
        {
            method: spec.method ?? 'GET',
            protocol: 'http:',
            hostname: '127.0.0.1',
            port: 9000,
            path: spec.path,
            query: spec.query ?? {},
            headers: { host: HOST, ...spec.headers },
            // A streamed body: smithy then signs UNSIGNED-PAYLOAD, as S3 presigning requires.
            body: new PassThrough(),
        },
        { signingDate: spec.at ?? NOW, expiresIn: spec.expiresIn ?? 3600 },
    );
    return {
        method: signed.method,
        rawUrl: spec.path + '?' + encodeQuery(signed.query as Query),
        headers: toIncoming(signed.headers),
    };
}

describe('AWS documentation examples (S3 API reference, SigV4)', () => {
    const docHeaders = (extra: Record<string, string>) => ({
        host: 'examplebucket.s3.amazonaws.com',
        'x-amz-date': '20130524T000000Z',
        ...extra,
    });
    const auth = (signedHeaders: string, signature: string) =>
        `AWS4-HMAC-SHA256 Credential=${AK}/20130524/us-east-1/s3/aws4_request,` +
        `SignedHeaders=${signedHeaders},Signature=${signature}`;

    test('GET Object with a Range header', () => {
        const sig = 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41';
        const headers = docHeaders({
            range: 'bytes=0-9',
            'x-amz-content-sha256': EMPTY,
            authorization: auth('host;range;x-amz-content-sha256;x-amz-date', sig),
        });
        const v = verify({ method: 'GET', rawUrl: '/test.txt', headers }, DOC_NOW);
        assert.equal(v?.accessKeyId, AK);
        assert.equal(v?.chunkSigning.seedSignature, sig);
    });

    test('PUT Object: key with $, Date and x-amz-storage-class signed, signed payload', () => {
        const payload = '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072';
        const headers = docHeaders({
            date: 'Fri, 24 May 2013 00:00:00 GMT',
            'x-amz-storage-class': 'REDUCED_REDUNDANCY',
            'x-amz-content-sha256': payload,
            authorization: auth(
                'date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class',
                '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
            ),
        });
        const v = verify({ method: 'PUT', rawUrl: '/test%24file.text', headers }, DOC_NOW);
        assert.deepEqual(v?.payload, { kind: 'signed', sha256Hex: payload });
        // The same key sent unescaped canonicalises to the same URI.
        assert.ok(verify({ method: 'PUT', rawUrl: '/test$file.text', headers }, DOC_NOW));
    });

    test('GET Bucket lifecycle (?lifecycle, a parameter without value)', () => {
        const headers = docHeaders({
            'x-amz-content-sha256': EMPTY,
            authorization: auth(
                'host;x-amz-content-sha256;x-amz-date',
                'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543',
            ),
        });
        assert.ok(verify({ method: 'GET', rawUrl: '/?lifecycle', headers }, DOC_NOW));
    });

    test('GET Bucket (list objects): query parameters sorted', () => {
        const headers = docHeaders({
            'x-amz-content-sha256': EMPTY,
            authorization: auth(
                'host;x-amz-content-sha256;x-amz-date',
                '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7',
            ),
        });
        assert.ok(verify({ method: 'GET', rawUrl: '/?prefix=J&max-keys=2', headers }, DOC_NOW));
    });

    test('presigned GET Object (UNSIGNED-PAYLOAD implied)', () => {
        const rawUrl =
            '/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256' +
            `&X-Amz-Credential=${AK}%2F20130524%2Fus-east-1%2Fs3%2Faws4_request` +
            '&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host' +
            '&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';
        const headers = { host: 'examplebucket.s3.amazonaws.com' };
        const v = verify({ method: 'GET', rawUrl, headers }, DOC_NOW);
        assert.equal(v?.authType, 'REST-QUERY-STRING');
        assert.deepEqual(v?.payload, { kind: 'unsigned' });
        const dayLater = new Date(DOC_NOW.getTime() + 86400_000 + 1000);
        assert.equal(
            rejects({ method: 'GET', rawUrl, headers }, 'AccessDenied', dayLater).message,
            'Request has expired',
        );
    });
});

const TRICKY_KEYS = [
    'plain/file.txt',
    'unicode/héllo wörld/日本語.txt',
    'spaces and+plus=equals&amp.txt',
    '100%/per%cent%41.txt',
    '~tilde/_under-score.dot~',
    'emoji/😀🚀.bin',
    'double//slash///x',
    "reserved/it's (1)!*.txt",
    'punct/;:@$,[]{}|^`"<>\\#?.txt',
    'trailing/',
];

describe('header-signed requests cross-checked with @smithy/signature-v4', () => {
    for (const key of TRICKY_KEYS) {
        test(`key ${JSON.stringify(key)}`, async () => {
            const req = await headerSigned({ method: 'PUT', path: encodeKeyPath(key) });
            const v = verify(req);
            assert.equal(v?.authType, 'REST-HEADER');
            assert.equal(v?.signatureAgeMs, 0);
            assert.deepEqual(v?.payload, { kind: 'signed', sha256Hex: EMPTY });
            const path = req.rawUrl;
            const at = path.lastIndexOf('/') + 1 < path.length ? path.length - 1 : 8;
            const altered = path.slice(0, at) + (path[at] === 'Q' ? 'R' : 'Q') + path.slice(at + 1);
            rejects({ ...req, rawUrl: altered }, 'SignatureDoesNotMatch');
        });
    }

    test('query: repeated names, empty values, reserved characters', async () => {
        const query = {
            'list-type': '2',
            prefix: 'a b+c/é~!',
            'max-keys': '10',
            tag: ['b', 'a'],
            empty: '',
            'x-id': 'ListObjectsV2',
        };
        const req = await headerSigned({ path: '/bucket', query });
        assert.ok(verify(req));
        // One byte of one value changed.
        rejects(
            { ...req, rawUrl: req.rawUrl.replace('max-keys=10', 'max-keys=11') },
            'SignatureDoesNotMatch',
        );
        // Dropping a parameter or adding one is caught too.
        rejects({ ...req, rawUrl: req.rawUrl.replace('&empty=', '') }, 'SignatureDoesNotMatch');
        rejects({ ...req, rawUrl: req.rawUrl + '&versionId=1' }, 'SignatureDoesNotMatch');
    });

    test('equivalent escapings of the same path and query verify alike', async () => {
        // Signed in canonical form (smithy signs an S3 path exactly as given).
        const req = await headerSigned({
            path: '/bucket/~user/it%27s%20%C3%A9',
            query: { q: 'a~b' },
        });
        assert.ok(verify(req));
        // Sent with lower-case hex, `~` escaped, `'` bare: decoded, these are the same bytes.
        const variants = [
            "/bucket/%7euser/it's%20%c3%a9?q=a%7eb",
            '/bucket/%7E%75ser/it%27s%20%C3%A9?q=%61~b',
        ];
        for (const rawUrl of variants) assert.ok(verify({ ...req, rawUrl }), rawUrl);
        // A double-escaped path is a different key.
        const doubled = '/bucket/~user/it%2527s%20%C3%A9?q=a~b';
        rejects({ ...req, rawUrl: doubled }, 'SignatureDoesNotMatch');
    });

    test("query '+': a literal plus, or a form-encoded space, as S3 accepts both", async () => {
        const spaced = await headerSigned({ path: '/bucket', query: { prefix: 'a b' } });
        assert.equal(spaced.rawUrl, '/bucket?prefix=a%20b');
        assert.ok(verify({ ...spaced, rawUrl: '/bucket?prefix=a+b' }));
        // %2B is an explicit plus, never a space.
        rejects({ ...spaced, rawUrl: '/bucket?prefix=a%2Bb' }, 'SignatureDoesNotMatch');
        const plus = await headerSigned({ path: '/bucket', query: { prefix: 'a+b' } });
        assert.ok(verify({ ...plus, rawUrl: '/bucket?prefix=a+b' }));
        assert.ok(verify(plus));
        rejects({ ...plus, rawUrl: '/bucket?prefix=a%20b' }, 'SignatureDoesNotMatch');
    });

    test('header values: whitespace collapses, signed headers bind, unsigned do not', async () => {
        const req = await headerSigned({
            method: 'PUT',
            path: '/bucket/k',
            headers: {
                'x-amz-meta-note': '  two   spaces\tand tab  ',
                'content-type': 'text/plain',
            },
        });
        assert.ok(verify(req));
        const h = req.headers;
        rejects(
            { ...req, headers: { ...h, 'content-type': 'text/plaiN' } },
            'SignatureDoesNotMatch',
        );
        rejects(
            { ...req, headers: { ...h, 'x-amz-meta-note': 'two spaces and tab!' } },
            'SignatureDoesNotMatch',
        );
        assert.ok(verify({ ...req, headers: { ...h, 'x-amz-meta-note': 'two spaces and tab' } }));
        assert.ok(verify({ ...req, headers: { ...h, 'user-agent': 'not signed, not bound' } }));
    });

    test('one changed byte anywhere else is refused', async () => {
        const req = await headerSigned({ path: '/bucket/key', headers: { range: 'bytes=0-9' } });
        assert.ok(verify(req));
        const h = req.headers;
        rejects({ ...req, method: 'HEAD' }, 'SignatureDoesNotMatch');
        rejects({ ...req, headers: { ...h, range: 'bytes=0-8' } }, 'SignatureDoesNotMatch');
        rejects({ ...req, headers: { ...h, host: '127.0.0.1:9001' } }, 'SignatureDoesNotMatch');
        rejects(req, 'SignatureDoesNotMatch', NOW, SK.slice(0, -1) + 'Z');
        const later = '20260301T120001Z';
        rejects({ ...req, headers: { ...h, 'x-amz-date': later } }, 'SignatureDoesNotMatch');
        const auth = String(h.authorization);
        const last = auth.at(-1) === '0' ? '1' : '0';
        rejects(
            { ...req, headers: { ...h, authorization: auth.slice(0, -1) + last } },
            'SignatureDoesNotMatch',
        );
        const short = auth.slice(0, -1);
        rejects({ ...req, headers: { ...h, authorization: short } }, 'SignatureDoesNotMatch');
    });

    test('an x-amz-* header added after signing is refused as not signed', async () => {
        const req = await headerSigned({ method: 'PUT', path: '/bucket/k' });
        const err = rejects(
            { ...req, headers: { ...req.headers, 'x-amz-acl': 'public-read' } },
            'AccessDenied',
        );
        assert.equal(
            err.message,
            'There were headers present in the request which were not signed',
        );
        assert.equal(err.fields.HeadersNotSigned, 'x-amz-acl');
    });

    test('signature age and clock skew (15 minutes either way)', async () => {
        const at = new Date(NOW.getTime() - 14 * 60_000);
        const req = await headerSigned({ path: '/bucket/k', at });
        assert.equal(verify(req)?.signatureAgeMs, 14 * 60_000);
        const late = new Date(NOW.getTime() + 2 * 60_000);
        const err = rejects(req, 'RequestTimeTooSkewed', late);
        assert.equal(err.status, 403);
        assert.equal(err.fields.MaxAllowedSkewMilliseconds, 900000);
        const ahead = await headerSigned({
            path: '/bucket/k',
            at: new Date(NOW.getTime() + 16 * 60_000),
        });
        rejects(ahead, 'RequestTimeTooSkewed');
    });

    test('streaming payload modes are reported', async () => {
        const modes = {
            'STREAMING-AWS4-HMAC-SHA256-PAYLOAD': { kind: 'streaming-signed', trailer: false },
            'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER': {
                kind: 'streaming-signed',
                trailer: true,
            },
            'STREAMING-UNSIGNED-PAYLOAD-TRAILER': { kind: 'streaming-unsigned-trailer' },
            'UNSIGNED-PAYLOAD': { kind: 'unsigned' },
        };
        for (const [value, mode] of Object.entries(modes)) {
            const req = await headerSigned({
                method: 'PUT',
                path: '/bucket/k',
                headers: { 'x-amz-content-sha256': value },
            });
            assert.deepEqual(verify(req)?.payload, mode);
        }
    });
});

describe('presigned URLs cross-checked with @smithy/signature-v4', () => {
    for (const key of TRICKY_KEYS) {
        test(`key ${JSON.stringify(key)}`, async () => {
            const req = await presigned({
                path: encodeKeyPath(key),
                query: { 'x-id': 'GetObject' },
            });
            const v = verify(req);
            assert.equal(v?.authType, 'REST-QUERY-STRING');
            assert.deepEqual(v?.payload, { kind: 'unsigned' });
            const altered = req.rawUrl.replace('x-id=GetObject', 'x-id=GetObjecT');
            rejects({ ...req, rawUrl: altered }, 'SignatureDoesNotMatch');
        });
    }

    test('the hoisted X-Amz-Content-Sha256 parameter is the payload hash', async () => {
        const req = await presigned({
            method: 'PUT',
            path: '/bucket/k',
            headers: { 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD', 'x-amz-meta-a': 'b' },
        });
        assert.match(req.rawUrl, /X-Amz-Content-Sha256=UNSIGNED-PAYLOAD/);
        assert.match(req.rawUrl, /x-amz-meta-a=b/);
        assert.deepEqual(verify(req)?.payload, { kind: 'unsigned' });
    });

    test('expiry, signature age, and one-byte changes', async () => {
        const at = new Date(NOW.getTime() - 30 * 60_000);
        const req = await presigned({ path: '/bucket/k', at, expiresIn: 3600 });
        assert.equal(verify(req)?.signatureAgeMs, 30 * 60_000);
        const err = rejects(req, 'AccessDenied', new Date(at.getTime() + 3601_000));
        assert.equal(err.message, 'Request has expired');
        assert.equal(err.fields['X-Amz-Expires'], 3600);
        const expires = /X-Amz-Expires=3600/;
        rejects(
            { ...req, rawUrl: req.rawUrl.replace(expires, 'X-Amz-Expires=3601') },
            'SignatureDoesNotMatch',
        );
        rejects({ ...req, method: 'PUT' }, 'SignatureDoesNotMatch');
        rejects(req, 'SignatureDoesNotMatch', NOW, 'x' + SK.slice(1));
        const sig = /X-Amz-Signature=([0-9a-f]+)/.exec(req.rawUrl)![1]!;
        const flipped = sig.slice(0, 10) + (sig[10] === 'a' ? 'b' : 'a') + sig.slice(11);
        rejects({ ...req, rawUrl: req.rawUrl.replace(sig, flipped) }, 'SignatureDoesNotMatch');
    });

    test('a presigned URL from the future is not valid yet', async () => {
        const req = await presigned({
            path: '/bucket/k',
            at: new Date(NOW.getTime() + 20 * 60_000),
        });
        assert.equal(rejects(req, 'AccessDenied').message, 'Request is not valid yet');
    });

    test('presigned: signed headers bind, unsigned x-amz-* headers are refused', async () => {
        const req = await presigned({
            method: 'PUT',
            path: '/bucket/k',
            headers: { 'content-md5': '1B2M2Y8AsgTpgAmY7PhCfg==' },
        });
        assert.ok(verify(req));
        rejects(
            { ...req, headers: { ...req.headers, 'content-md5': 'X' } },
            'SignatureDoesNotMatch',
        );
        const sse = { ...req.headers, 'x-amz-server-side-encryption': 'AES256' };
        const err = rejects({ ...req, headers: sse }, 'AccessDenied');
        assert.equal(err.fields.HeadersNotSigned, 'x-amz-server-side-encryption');
    });
});
