/**
 * Every way `authenticate` refuses a request, with the code, status and message AWS uses.
 * These requests fail before their signature is compared, so the signature is a placeholder;
 * signatures themselves are tested in sigv4.test.ts.
 */
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { describe, test } from 'node:test';

import { authenticate, type SignedRequest } from '../../src/auth/index.js';
import { S3Error } from '../../src/s3/errors.js';

const AK = 'AKIDEXAMPLE';
const NOW = new Date('2026-03-01T12:00:00Z');
const AMZ_NOW = '20260301T120000Z';
const SIG = 'a'.repeat(64);
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function verify(req: SignedRequest) {
    return authenticate(req, {
        lookupSecret: (ak) => (ak === AK ? 'secret' : undefined),
        now: NOW,
        region: 'eu-west-1',
        service: 's3',
    });
}

function expectError(req: SignedRequest, code: string, status: number, message?: string | RegExp) {
    let caught: S3Error | undefined;
    assert.throws(
        () => verify(req),
        (err) => {
            caught = err as S3Error;
            return err instanceof S3Error;
        },
    );
    assert.equal(caught!.code, code, caught!.message);
    assert.equal(caught!.status, status);
    if (typeof message === 'string') assert.equal(caught!.message, message);
    if (message instanceof RegExp) assert.match(caught!.message, message);
    return caught!;
}

function authHeader(opts: { credential?: string; signed?: string; signature?: string } = {}) {
    const credential = opts.credential ?? `${AK}/20260301/eu-west-1/s3/aws4_request`;
    const signed = opts.signed ?? 'host;x-amz-content-sha256;x-amz-date';
    return `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=${signed}, Signature=${
        opts.signature ?? SIG
    }`;
}

function headerReq(headers: IncomingHttpHeaders, rawUrl = '/b/k'): SignedRequest {
    const base = {
        host: 'localhost',
        'x-amz-date': AMZ_NOW,
        'x-amz-content-sha256': EMPTY,
        authorization: authHeader(),
    };
    const merged: IncomingHttpHeaders = { ...base, ...headers };
    for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
    return { method: 'GET', rawUrl, headers: merged };
}

function presignUrl(overrides: Record<string, string | undefined> = {}): string {
    const params: Record<string, string | undefined> = {
        'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
        'X-Amz-Credential': `${AK}/20260301/eu-west-1/s3/aws4_request`,
        'X-Amz-Date': AMZ_NOW,
        'X-Amz-Expires': '300',
        'X-Amz-SignedHeaders': 'host',
        'X-Amz-Signature': SIG,
        ...overrides,
    };
    const query = Object.entries(params)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${encodeURIComponent(v!)}`)
        .join('&');
    return `/b/k?${query}`;
}

const presignReq = (overrides: Record<string, string | undefined> = {}): SignedRequest => ({
    method: 'GET',
    rawUrl: presignUrl(overrides),
    headers: { host: 'localhost' },
});

describe('which mechanism', () => {
    test('no credentials at all is anonymous', () => {
        assert.equal(verify({ method: 'GET', rawUrl: '/b/k?versionId=3', headers: {} }), null);
        assert.equal(verify({ method: 'GET', rawUrl: '/', headers: { authorization: ' ' } }), null);
    });

    test('SigV2 header and query are not supported', () => {
        const message =
            'The authorization mechanism you have provided is not supported. ' +
            'Please use AWS4-HMAC-SHA256.';
        expectError(
            headerReq({ authorization: 'AWS AKID:c2lnbmF0dXJl' }),
            'InvalidRequest',
            400,
            message,
        );
        const v2Query = {
            method: 'GET',
            rawUrl: '/b/k?AWSAccessKeyId=AKID&Expires=1&Signature=x',
            headers: {},
        };
        expectError(v2Query, 'InvalidRequest', 400, message);
    });

    test('an unknown scheme is InvalidArgument, without echoing the value', () => {
        const err = expectError(
            headerReq({ authorization: 'Bearer secret-token' }),
            'InvalidArgument',
            400,
            'Unsupported Authorization Type',
        );
        assert.equal(err.fields.ArgumentName, 'Authorization');
        assert.ok(!JSON.stringify(err.fields).includes('secret-token'));
    });

    test('header and query authentication together', () => {
        const req = {
            ...presignReq(),
            headers: { host: 'localhost', authorization: authHeader() },
        };
        expectError(req, 'InvalidArgument', 400, /^Only one auth mechanism allowed/);
    });
});

describe('Authorization header', () => {
    test('missing components', () => {
        const msg =
            'The authorization header is malformed; the authorization header requires three ' +
            'components: Credential, SignedHeaders, and Signature.';
        for (const authorization of [
            `AWS4-HMAC-SHA256 Credential=${AK}/20260301/eu-west-1/s3/aws4_request, ` +
                `Signature=${SIG}`,
            'AWS4-HMAC-SHA256',
            `${authHeader()}, Signature=${SIG}`,
            `${authHeader()}, Extra=1`,
        ]) {
            expectError(headerReq({ authorization }), 'AuthorizationHeaderMalformed', 400, msg);
        }
    });

    test('credential scope faults', () => {
        const cases: Array<[string, string]> = [
            [
                `${AK}/20260301/eu-west-1/s3`,
                'the Credential is mal-formed; expecting ' +
                    '"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
            ],
            [
                `${AK}/2026031/eu-west-1/s3/aws4_request`,
                'the Credential is mal-formed; expecting ' +
                    '"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
            ],
            [
                `${AK}/20260301/us-east-1/s3/aws4_request`,
                "the region 'us-east-1' is wrong; expecting 'eu-west-1'",
            ],
            [
                `${AK}/20260301/eu-west-1/ec2/aws4_request`,
                'incorrect service "ec2". This endpoint belongs to "s3".',
            ],
            [
                `${AK}/20260301/eu-west-1/s3/aws4_requestx`,
                'incorrect terminal "aws4_requestx". This endpoint uses "aws4_request".',
            ],
            [
                `${AK}/20260302/eu-west-1/s3/aws4_request`,
                'Invalid credential date "20260302". ' +
                    'This date is not the same as X-Amz-Date: "20260301".',
            ],
        ];
        for (const [credential, detail] of cases) {
            const err = expectError(
                headerReq({ authorization: authHeader({ credential }) }),
                'AuthorizationHeaderMalformed',
                400,
                'The authorization header is malformed; ' + detail,
            );
            if (detail.includes('region')) assert.equal(err.fields.Region, 'eu-west-1');
        }
    });

    test('unknown access key', () => {
        const credential = 'AKIDUNKNOWN/20260301/eu-west-1/s3/aws4_request';
        const err = expectError(
            headerReq({ authorization: authHeader({ credential }) }),
            'InvalidAccessKeyId',
            403,
        );
        assert.equal(err.fields.AWSAccessKeyId, 'AKIDUNKNOWN');
    });

    test('x-amz-content-sha256 missing or not a known value', () => {
        expectError(
            headerReq({ 'x-amz-content-sha256': undefined }),
            'InvalidRequest',
            400,
            'Missing required header for this request: x-amz-content-sha256',
        );
        for (const bad of ['abc', EMPTY.slice(1), 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD']) {
            const err = expectError(
                headerReq({ 'x-amz-content-sha256': bad }),
                'InvalidArgument',
                400,
                /^x-amz-content-sha256 must be UNSIGNED-PAYLOAD/,
            );
            assert.equal(err.fields.ArgumentValue, bad);
        }
    });

    test('request time: missing, malformed, skewed', () => {
        const denied = 'AWS authentication requires a valid Date or x-amz-date header';
        expectError(headerReq({ 'x-amz-date': undefined }), 'AccessDenied', 403, denied);
        for (const bad of ['20260301T120000', '20261301T120000Z', '2026-03-01T12:00:00Z']) {
            expectError(headerReq({ 'x-amz-date': bad }), 'AccessDenied', 403, denied);
        }
        expectError(
            headerReq({ 'x-amz-date': undefined, date: '2026-03-01 12:00' }),
            'AccessDenied',
            403,
            denied,
        );
        // Fourteen minutes off passes the clock check and fails only on the placeholder signature.
        expectError(headerReq({ 'x-amz-date': '20260301T114600Z' }), 'SignatureDoesNotMatch', 403);
        const skewed = expectError(
            headerReq({ 'x-amz-date': '20260301T114459Z' }),
            'RequestTimeTooSkewed',
            403,
        );
        assert.equal(skewed.fields.RequestTime, '20260301T114459Z');
        assert.equal(skewed.fields.ServerTime, NOW.toISOString());
    });

    test('host and the Date header used as time must be signed', () => {
        const noHost = headerReq({
            authorization: authHeader({ signed: 'x-amz-content-sha256;x-amz-date' }),
        });
        assert.equal(expectError(noHost, 'AccessDenied', 403).fields.HeadersNotSigned, 'host');
        const byDate = headerReq({
            'x-amz-date': undefined,
            date: 'Sun, 01 Mar 2026 12:00:00 GMT',
            authorization: authHeader({ signed: 'host;x-amz-content-sha256' }),
        });
        assert.equal(expectError(byDate, 'AccessDenied', 403).fields.HeadersNotSigned, 'date');
    });

    test('malformed SignedHeaders and signatures of the wrong shape', () => {
        expectError(
            headerReq({ authorization: authHeader({ signed: 'host;;x-amz-date' }) }),
            'AuthorizationHeaderMalformed',
            400,
        );
        expectError(
            headerReq({ authorization: authHeader({ signed: 'Host;x-amz-date' }) }),
            'AuthorizationHeaderMalformed',
            400,
        );
        for (const signature of ['', 'zz'.repeat(32), SIG + 'a', SIG.slice(1)]) {
            expectError(
                headerReq({ authorization: authHeader({ signature }) }),
                'SignatureDoesNotMatch',
                403,
            );
        }
    });
});

describe('presigned URL parameters', () => {
    const missing =
        'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, ' +
        'X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.';

    test('each required parameter', () => {
        for (const name of [
            'X-Amz-Algorithm',
            'X-Amz-Date',
            'X-Amz-Expires',
            'X-Amz-SignedHeaders',
            'X-Amz-Signature',
            'X-Amz-Credential',
        ]) {
            // Any one of Algorithm, Credential or Signature marks the request as presigned.
            expectError(
                presignReq({ [name]: undefined }),
                'AuthorizationQueryParametersError',
                400,
                missing,
            );
        }
    });

    test('algorithm, date and expiry values', () => {
        const e = 'AuthorizationQueryParametersError';
        expectError(
            presignReq({ 'X-Amz-Algorithm': 'AWS4-ECDSA-P256-SHA256' }),
            e,
            400,
            'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"',
        );
        expectError(
            presignReq({ 'X-Amz-Date': '2026-03-01T12:00:00Z' }),
            e,
            400,
            /^X-Amz-Date must be in the ISO8601 Long Format/,
        );
        expectError(
            presignReq({ 'X-Amz-Expires': '604801' }),
            e,
            400,
            'X-Amz-Expires must be less than a week (in seconds) that is 604800',
        );
        expectError(
            presignReq({ 'X-Amz-Expires': '-1' }),
            e,
            400,
            'X-Amz-Expires must be non-negative',
        );
        expectError(
            presignReq({ 'X-Amz-Expires': '1h' }),
            e,
            400,
            'X-Amz-Expires should be a number',
        );
        // The largest allowed value parses (and then fails only on the placeholder signature).
        expectError(presignReq({ 'X-Amz-Expires': '604800' }), 'SignatureDoesNotMatch', 403);
    });

    test('credential faults use the query-string wording', () => {
        const err = expectError(
            presignReq({ 'X-Amz-Credential': `${AK}/20260301/us-west-2/s3/aws4_request` }),
            'AuthorizationQueryParametersError',
            400,
            "Error parsing the X-Amz-Credential parameter; the region 'us-west-2' is wrong; " +
                "expecting 'eu-west-1'",
        );
        assert.equal(err.fields.Region, 'eu-west-1');
        expectError(
            presignReq({ 'X-Amz-Credential': 'nonsense' }),
            'AuthorizationQueryParametersError',
            400,
            /the Credential is mal-formed/,
        );
        expectError(
            presignReq({ 'X-Amz-Credential': `NOPE/20260301/eu-west-1/s3/aws4_request` }),
            'InvalidAccessKeyId',
            403,
        );
    });

    test('a repeated parameter is refused', () => {
        const req = presignReq();
        req.rawUrl += '&X-Amz-Expires=600';
        expectError(req, 'AuthorizationQueryParametersError', 400, /appears more than once/);
    });

    test('expired and not yet valid', () => {
        const expired = expectError(
            presignReq({ 'X-Amz-Date': '20260301T115455Z' }),
            'AccessDenied',
            403,
            'Request has expired',
        );
        assert.equal(expired.fields.Expires, '2026-03-01T11:59:55Z');
        assert.equal(expired.fields.ServerTime, '2026-03-01T12:00:00Z');
        expectError(
            presignReq({ 'X-Amz-Date': '20260301T121600Z' }),
            'AccessDenied',
            403,
            'Request is not valid yet',
        );
        // Zero seconds of validity: expired as soon as the clock moves past X-Amz-Date.
        expectError(
            presignReq({ 'X-Amz-Date': '20260301T115959Z', 'X-Amz-Expires': '0' }),
            'AccessDenied',
            403,
            'Request has expired',
        );
    });
});
