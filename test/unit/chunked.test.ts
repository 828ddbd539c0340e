/**
 * aws-chunked bodies through `openPayload`: AWS's two published examples (chunked upload and
 * trailing headers) end to end from `authenticate`, and bodies built by an encoder written here
 * from the AWS spec, fed whole, one byte at a time and in random slices, then damaged.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';

import { AwsCrc32c } from '@aws-crypto/crc32c';

import { authenticate, openPayload, type VerifiedRequest } from '../../src/auth/index.js';
import { S3Error } from '../../src/s3/errors.js';

const AK = 'AKIAIOSFODNN7EXAMPLE';
const SK = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const EMPTY = createHash('sha256').update('').digest('hex');

// ---- an aws-chunked encoder, written from the AWS documentation ----

const hmac = (key: Buffer | string, data: string) =>
    createHmac('sha256', key).update(data).digest();
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

interface Chain {
    key: Buffer;
    amzDate: string;
    scope: string;
    prev: string;
}

function chainFor(amzDate: string, seed: string, region = 'us-east-1'): Chain {
    const day = amzDate.slice(0, 8);
    let key = hmac('AWS4' + SK, day);
    for (const part of [region, 's3', 'aws4_request']) key = hmac(key, part);
    return { key, amzDate, scope: `${day}/${region}/s3/aws4_request`, prev: seed };
}

function signChunk(chain: Chain, data: Buffer): string {
    const sts = [
        'AWS4-HMAC-SHA256-PAYLOAD',
        chain.amzDate,
        chain.scope,
        chain.prev,
        EMPTY,
        sha256(data),
    ].join('\n');
    return (chain.prev = hmac(chain.key, sts).toString('hex'));
}

function signTrailer(chain: Chain, lines: string): string {
    const sts = [
        'AWS4-HMAC-SHA256-TRAILER',
        chain.amzDate,
        chain.scope,
        chain.prev,
        sha256(lines),
    ].join('\n');
    return (chain.prev = hmac(chain.key, sts).toString('hex'));
}

interface EncodeOptions {
    chunkSize: number;
    chain?: Chain;
    trailers?: Record<string, string>;
}

function encode(data: Buffer, opts: EncodeOptions): Buffer {
    const parts: Buffer[] = [];
    const frame = (chunk: Buffer) => {
        const ext = opts.chain ? `;chunk-signature=${signChunk(opts.chain, chunk)}` : '';
        parts.push(Buffer.from(`${chunk.length.toString(16)}${ext}\r\n`), chunk);
    };
    for (let at = 0; at < data.length; at += opts.chunkSize) {
        frame(data.subarray(at, at + opts.chunkSize));
        parts.push(Buffer.from('\r\n'));
    }
    frame(Buffer.alloc(0));
    if (opts.trailers === undefined) {
        parts.push(Buffer.from('\r\n'));
    } else {
        const lines = Object.entries(opts.trailers)
            .map(([k, v]) => `${k}:${v}\n`)
            .join('');
        let text = lines.replaceAll('\n', '\r\n');
        if (opts.chain) text += `x-amz-trailer-signature:${signTrailer(opts.chain, lines)}\r\n`;
        parts.push(Buffer.from(text + '\r\n'));
    }
    return Buffer.concat(parts);
}

// ---- feeding and reading ----

function mulberry32(seed: number) {
    return () => {
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

type Split = (buf: Buffer) => Buffer[];
const whole: Split = (buf) => [buf];
const bytewise: Split = (buf) =>
    Array.from({ length: buf.length }, (_, i) => buf.subarray(i, i + 1));
const randomSlices =
    (seed: number, max: number): Split =>
    (buf) => {
        const rand = mulberry32(seed);
        const out: Buffer[] = [];
        for (let at = 0; at < buf.length; ) {
            const n = 1 + Math.floor(rand() * max);
            out.push(buf.subarray(at, at + n));
            at += n;
        }
        return out;
    };

async function decode(
    body: Buffer,
    verified: VerifiedRequest | null,
    headers: IncomingHttpHeaders,
    split: Split = whole,
) {
    const raw = Readable.from(split(body), { objectMode: false });
    const opened = openPayload(raw, verified, headers);
    const chunks: Buffer[] = [];
    for await (const chunk of opened.body) chunks.push(chunk as Buffer);
    return { data: Buffer.concat(chunks), trailers: opened.trailers() };
}

async function decodeError(
    body: Buffer,
    verified: VerifiedRequest | null,
    headers: IncomingHttpHeaders,
    code: string,
    split: Split = whole,
): Promise<{ err: S3Error; emitted: number }> {
    const raw = Readable.from(split(body), { objectMode: false });
    const opened = openPayload(raw, verified, headers);
    let emitted = 0;
    // A 'data' listener sees each push as it happens, so `emitted` is exact at the error.
    opened.body.on('data', (chunk: Buffer) => (emitted += chunk.length));
    const outcome = await new Promise<unknown>((resolve) => {
        opened.body.once('error', resolve);
        opened.body.once('end', () => resolve(undefined));
    });
    if (outcome === undefined) assert.fail(`expected ${code}, the body decoded cleanly`);
    assert.ok(outcome instanceof S3Error, String(outcome));
    assert.equal(outcome.code, code, outcome.message);
    return { err: outcome, emitted };
}

function verifiedFor(
    chain: Chain | undefined,
    payload: VerifiedRequest['payload'],
): VerifiedRequest {
    const c = chain ?? chainFor('20260301T120000Z', 'f'.repeat(64));
    return {
        accessKeyId: AK,
        authType: 'REST-HEADER',
        signatureAgeMs: 0,
        region: 'us-east-1',
        service: 's3',
        payload,
        chunkSigning: {
            signingKey: c.key,
            seedSignature: c.prev,
            amzDate: c.amzDate,
            scope: c.scope,
        },
    };
}

// ---- AWS's published examples ----

const DOC_NOW = new Date('2013-05-24T00:00:00Z');
const DOC_DATA = Buffer.alloc(66560, 'a');

function docRequest(headers: IncomingHttpHeaders) {
    const all = {
        host: 's3.amazonaws.com',
        'x-amz-date': '20130524T000000Z',
        'x-amz-storage-class': 'REDUCED_REDUNDANCY',
        'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': '66560',
        ...headers,
    };
    const verified = authenticate(
        { method: 'PUT', rawUrl: '/examplebucket/chunkObject.txt', headers: all },
        { lookupSecret: () => SK, now: DOC_NOW, region: 'us-east-1', service: 's3' },
    );
    return { verified, headers: all };
}

function docBody(signatures: string[], tail: string): Buffer {
    const [s1, s2, s3] = signatures;
    return Buffer.concat([
        Buffer.from(`10000;chunk-signature=${s1}\r\n`),
        DOC_DATA.subarray(0, 65536),
        Buffer.from(`\r\n400;chunk-signature=${s2}\r\n`),
        DOC_DATA.subarray(65536),
        Buffer.from(`\r\n0;chunk-signature=${s3}\r\n${tail}`),
    ]);
}

describe('AWS example: PUT Object in chunks (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)', () => {
    const seed = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';
    const signatures = [
        'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
        '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
        'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
    ];
    const { verified, headers } = docRequest({
        'content-length': '66824',
        'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
        authorization:
            `AWS4-HMAC-SHA256 Credential=${AK}/20130524/us-east-1/s3/aws4_request,SignedHeaders=` +
            'content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;' +
            `x-amz-decoded-content-length;x-amz-storage-class,Signature=${seed}`,
    });
    const body = docBody(signatures, '\r\n');

    test('the seed signature verifies and the documented body decodes', async () => {
        assert.equal(verified?.chunkSigning.seedSignature, seed);
        assert.deepEqual(verified?.payload, { kind: 'streaming-signed', trailer: false });
        assert.equal(body.length, 66824); // the documented Content-Length
        for (const split of [whole, randomSlices(1, 9000), randomSlices(2, 40)]) {
            const { data, trailers } = await decode(body, verified, headers, split);
            assert.ok(data.equals(DOC_DATA));
            assert.equal(trailers.size, 0);
        }
    });

    test('our encoder reproduces the documented chunk signatures', () => {
        const ours = encode(DOC_DATA, {
            chunkSize: 65536,
            chain: chainFor('20130524T000000Z', seed),
        });
        assert.ok(ours.equals(body));
    });

    test('a changed byte fails its chunk, and none of that chunk is emitted', async () => {
        const damaged = Buffer.from(body);
        damaged[damaged.length - 200] = 0x62;
        const { emitted } = await decodeError(damaged, verified, headers, 'SignatureDoesNotMatch');
        assert.equal(emitted, 65536);
    });
});

describe('AWS example: trailing headers (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER)', () => {
    const seed = '106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e';
    const signatures = [
        'b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2',
        '1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7',
        '2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992',
    ];
    const trailerSig = 'd81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435';
    const { verified, headers } = docRequest({
        'x-amz-trailer': 'x-amz-checksum-crc32c',
        'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
        authorization:
            `AWS4-HMAC-SHA256 Credential=${AK}/20130524/us-east-1/s3/aws4_request,SignedHeaders=` +
            'content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;' +
            `x-amz-storage-class;x-amz-trailer,Signature=${seed}`,
    });
    const trailer = `x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:${trailerSig}\r\n`;

    test('decodes with the trailer, whatever the slicing', async () => {
        assert.equal(verified?.chunkSigning.seedSignature, seed);
        const body = docBody(signatures, trailer + '\r\n');
        for (const split of [whole, bytewise, randomSlices(3, 300)]) {
            const { data, trailers } = await decode(body, verified, headers, split);
            assert.ok(data.equals(DOC_DATA));
            assert.deepEqual([...trailers], [['x-amz-checksum-crc32c', 'sOO8/Q==']]);
        }
        // The trailer is the CRC32C of the data (an independent check of the vector).
        const crc = new AwsCrc32c();
        crc.update(DOC_DATA);
        assert.equal(Buffer.from(await crc.digest()).toString('base64'), 'sOO8/Q==');
    });

    test('the doc layout (blank line before the trailers, none after) decodes', async () => {
        const body = docBody(signatures, '\r\n' + trailer);
        const { trailers } = await decode(body, verified, headers, randomSlices(4, 50));
        assert.equal(trailers.get('x-amz-checksum-crc32c'), 'sOO8/Q==');
    });

    test('a changed trailer value or trailer signature is refused', async () => {
        const forged = docBody(signatures, trailer.replace('sOO8', 'sOO9') + '\r\n');
        await decodeError(forged, verified, headers, 'SignatureDoesNotMatch');
        const badSig = docBody(signatures, trailer.replace('d81f', 'd81e') + '\r\n');
        await decodeError(badSig, verified, headers, 'SignatureDoesNotMatch');
        const unsignedTrailer = docBody(signatures, 'x-amz-checksum-crc32c:sOO8/Q==\r\n\r\n');
        await decodeError(unsignedTrailer, verified, headers, 'SignatureDoesNotMatch');
    });
});

// ---- bodies from the encoder above ----

const SEEDED = chainFor('20260301T120000Z', 'c'.repeat(64));
const freshChain = () => ({ ...SEEDED });
const payload = Buffer.from(Array.from({ length: 200_003 }, (_, i) => (i * 7919) & 0xff));
const lengthHeader = { 'x-amz-decoded-content-length': String(payload.length) };

describe('signed chunks from our encoder', () => {
    const signed = verifiedFor(SEEDED, { kind: 'streaming-signed', trailer: false });
    const body = encode(payload, { chunkSize: 65536, chain: freshChain() });

    test('one byte at a time and in random slices', async () => {
        for (const split of [bytewise, randomSlices(5, 7), randomSlices(6, 70_000)]) {
            const { data } = await decode(body, signed, lengthHeader, split);
            assert.ok(data.equals(payload));
        }
    });

    test('reordered chunks break the chain', async () => {
        const a = encode(payload.subarray(0, 100), { chunkSize: 50, chain: freshChain() });
        const first = a.subarray(0, a.indexOf('\r\n', a.indexOf('\r\n') + 2) + 2);
        const second = a.subarray(first.length, first.length * 2);
        const swapped = Buffer.concat([second, first, a.subarray(first.length * 2)]);
        await decodeError(swapped, signed, {}, 'SignatureDoesNotMatch');
    });

    test('a signed body needs a signed request', () => {
        const headers = { 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' };
        assert.throws(
            () => openPayload(Readable.from([body]), null, headers),
            (err) => err instanceof S3Error && err.code === 'InvalidRequest',
        );
    });

    test('a signed chunk over the cap is refused at its header', async () => {
        const huge = Buffer.from(`1000001;chunk-signature=${'0'.repeat(64)}\r\n`);
        const { emitted } = await decodeError(huge, signed, {}, 'InvalidRequest');
        assert.equal(emitted, 0);
    });
});

describe('truncated and malformed framing', () => {
    const signed = verifiedFor(SEEDED, { kind: 'streaming-signed', trailer: false });
    const body = encode(payload, { chunkSize: 65536, chain: freshChain() });
    const cases: Array<[string, Buffer, IncomingHttpHeaders, string]> = [
        ['cut inside a chunk', body.subarray(0, 70_000), {}, 'IncompleteBody'],
        [
            'cut inside a chunk header',
            body.subarray(0, body.indexOf('\r\n') - 3),
            {},
            'IncompleteBody',
        ],
        [
            'cut between CR and LF',
            body.subarray(0, 65536 + body.indexOf('\r\n') + 3),
            {},
            'IncompleteBody',
        ],
        [
            'final chunk missing',
            body.subarray(0, body.lastIndexOf('0;chunk')),
            {},
            'IncompleteBody',
        ],
        ['final CRLF missing', body.subarray(0, body.length - 2), {}, 'IncompleteBody'],
        [
            'fewer bytes than declared',
            body,
            { 'x-amz-decoded-content-length': '200004' },
            'IncompleteBody',
        ],
        [
            'more bytes than declared',
            body,
            { 'x-amz-decoded-content-length': '200002' },
            'InvalidRequest',
        ],
        ['data after the end', Buffer.concat([body, Buffer.from('x')]), {}, 'InvalidRequest'],
        [
            'size not hex',
            Buffer.from(`zz;chunk-signature=${'0'.repeat(64)}\r\n`),
            {},
            'InvalidRequest',
        ],
        ['no chunk signature', Buffer.from('10\r\n0123456789abcdef\r\n'), {}, 'InvalidRequest'],
        ['header never ends', Buffer.alloc(5000, 0x31), {}, 'InvalidRequest'],
    ];
    for (const [name, input, headers, code] of cases) {
        test(name, async () => {
            await decodeError(input, signed, headers, code);
            await decodeError(input, signed, headers, code, randomSlices(7, 13));
        });
    }

    test('chunk data not followed by CRLF', async () => {
        const noCrlf = Buffer.from(body);
        noCrlf[body.indexOf('\r\n') + 2 + 65536] = 0x58;
        await decodeError(noCrlf, signed, {}, 'InvalidRequest');
    });

    test('x-amz-decoded-content-length must be a number', () => {
        assert.throws(
            () =>
                openPayload(Readable.from([body]), signed, {
                    'x-amz-decoded-content-length': '1e3',
                }),
            (err) => err instanceof S3Error && err.code === 'InvalidArgument',
        );
    });
});

describe('unsigned aws-chunked with trailers (STREAMING-UNSIGNED-PAYLOAD-TRAILER)', () => {
    const mode = { kind: 'streaming-unsigned-trailer' } as const;
    const trailers = { 'x-amz-checksum-crc32': 'AAAAAA==', 'X-Other': ' spaced value ' };
    const body = encode(payload, { chunkSize: 8192, trailers });

    test('signed and anonymous requests alike; trailers by lower-case name', async () => {
        const anonymous = { 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' };
        for (const [verified, headers] of [
            [verifiedFor(undefined, mode), lengthHeader],
            [null, anonymous],
        ] as const) {
            const got = await decode(body, verified, headers, randomSlices(8, 3000));
            assert.ok(got.data.equals(payload));
            assert.deepEqual(Object.fromEntries(got.trailers), {
                'x-amz-checksum-crc32': 'AAAAAA==',
                'x-other': 'spaced value',
            });
        }
    });

    test('unsigned chunks flow out before their chunk ends', async () => {
        const big = encode(Buffer.alloc(1 << 20, 1), { chunkSize: 1 << 20, trailers: {} });
        const raw = new Readable({ read() {} });
        const opened = openPayload(raw, verifiedFor(undefined, mode), {});
        raw.push(big.subarray(0, 1000));
        const first = await new Promise<Buffer>((resolve) => opened.body.once('data', resolve));
        assert.ok(first.length > 0 && first.length < 1000);
        raw.destroy();
    });

    test('a trailer section cut short is an incomplete body', async () => {
        const cut = body.subarray(0, body.length - 10);
        await decodeError(cut, verifiedFor(undefined, mode), {}, 'IncompleteBody');
    });
});
