/**
 * Trusted reverse proxies: which peers' X-Forwarded-* headers count, and what they then mean
 * for aws:SecureTransport and aws:SourceIp.
 */
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { describe, it } from 'node:test';
import {
    NO_TRUSTED_PROXIES,
    isTrustedProxy,
    parseTrustedProxies,
    resolveTransport,
} from '../../src/server/trusted-proxy.js';

const proxies = parseTrustedProxies(['10.0.0.0/8', '192.0.2.10', 'fd00::/8']);

describe('parseTrustedProxies', () => {
    it('accepts IPv4 and IPv6 blocks and bare addresses', () => {
        assert.equal(proxies.blocks.length, 3);
        assert.deepEqual(
            proxies.blocks.map((block) => [block.version, block.prefix]),
            [
                [4, 8],
                [4, 32],
                [6, 8],
            ],
        );
    });

    for (const bad of ['10.0.0.0/33', 'fd00::/129', 'proxy.local', '10.0.0', '', '1.2.3.4/']) {
        it(`refuses ${JSON.stringify(bad)}`, () => {
            assert.throws(() => parseTrustedProxies([bad]), /invalid --trusted-proxy/);
        });
    }
});

describe('isTrustedProxy', () => {
    const cases: Array<[string, boolean]> = [
        ['10.1.2.3', true],
        ['11.0.0.1', false],
        ['192.0.2.10', true],
        ['192.0.2.11', false],
        ['fd12:3456::1', true],
        ['fe80::1', false],
        // What a dual-stack socket reports for an IPv4 peer.
        ['::ffff:10.9.9.9', true],
        ['::ffff:11.0.0.1', false],
        ['', false],
        ['not-an-ip', false],
    ];
    for (const [address, trusted] of cases) {
        it(`${JSON.stringify(address)} -> ${trusted}`, () => {
            assert.equal(isTrustedProxy(proxies, address), trusted);
        });
    }

    it('trusts nobody without blocks', () => {
        assert.equal(isTrustedProxy(NO_TRUSTED_PROXIES, '127.0.0.1'), false);
    });
});

describe('resolveTransport', () => {
    const forwarded = (proto: string | undefined, chain: string | undefined) => {
        const headers: IncomingHttpHeaders = {};
        if (proto !== undefined) headers['x-forwarded-proto'] = proto;
        if (chain !== undefined) headers['x-forwarded-for'] = chain;
        return headers;
    };

    it('ignores forwarded headers from an untrusted peer', () => {
        const headers = forwarded('https', '203.0.113.9');
        assert.deepEqual(resolveTransport(proxies, false, '198.51.100.4', headers), {
            secureTransport: false,
            sourceIp: '198.51.100.4',
        });
        assert.deepEqual(
            resolveTransport(proxies, true, '198.51.100.4', forwarded('http', undefined)),
            {
                secureTransport: true,
                sourceIp: '198.51.100.4',
            },
        );
    });

    it('ignores forwarded headers when no proxy is trusted', () => {
        const headers = forwarded('https', '203.0.113.9');
        assert.deepEqual(resolveTransport(NO_TRUSTED_PROXIES, false, '10.0.0.1', headers), {
            secureTransport: false,
            sourceIp: '10.0.0.1',
        });
    });

    const protoCases: Array<[string, string | undefined, boolean, boolean]> = [
        ['https from a trusted proxy on plain HTTP', 'https', false, true],
        ['HTTPS in capitals', 'HTTPS', false, true],
        ['http from a trusted proxy, even over TLS', 'http', true, false],
        ['no header: the listener decides (plain)', undefined, false, false],
        ['no header: the listener decides (TLS)', undefined, true, true],
        ['a chain with a plaintext hop', 'https, http', false, false],
        ['a chain of https hops', 'https,https', false, true],
        ['an unknown scheme', 'wss', false, false],
    ];
    for (const [name, proto, listenerSecure, secure] of protoCases) {
        it(`secure transport: ${name}`, () => {
            const facts = resolveTransport(
                proxies,
                listenerSecure,
                '10.0.0.1',
                forwarded(proto, undefined),
            );
            assert.equal(facts.secureTransport, secure);
        });
    }

    it('reads X-Forwarded-Proto sent more than once', () => {
        const headers: IncomingHttpHeaders = { 'x-forwarded-proto': ['https', 'http'] as never };
        assert.equal(resolveTransport(proxies, false, '10.0.0.1', headers).secureTransport, false);
    });

    const sourceCases: Array<[string, string | undefined, string, string]> = [
        ['the only hop', '203.0.113.7', '10.0.0.1', '203.0.113.7'],
        [
            'trusted hops are skipped',
            '203.0.113.7, 10.0.0.2, 192.0.2.10',
            '10.0.0.1',
            '203.0.113.7',
        ],
        // A client that writes its own X-Forwarded-For cannot push its claim past the proxy's.
        ['spoofed entries left of the client', '1.1.1.1, 203.0.113.7', '10.0.0.1', '203.0.113.7'],
        ['every hop trusted: the leftmost', '10.0.0.3, 10.0.0.2', '10.0.0.1', '10.0.0.3'],
        ['no header: the peer', undefined, '10.0.0.1', '10.0.0.1'],
        ['an empty header: the peer', '', '10.0.0.1', '10.0.0.1'],
        ['garbage stops the walk', 'garbage, 10.0.0.2', '10.0.0.1', '10.0.0.2'],
        ['garbage as the last hop', '203.0.113.7, garbage', '10.0.0.1', '10.0.0.1'],
        ['IPv6 client behind an IPv6 proxy', '2001:db8::5', 'fd00::1', '2001:db8::5'],
        ['IPv4 address with a port', '203.0.113.7:5555', '10.0.0.1', '203.0.113.7'],
        ['bracketed IPv6 with a port', '[2001:db8::5]:443', '10.0.0.1', '2001:db8::5'],
        ['mapped peer address', '203.0.113.7', '::ffff:10.0.0.1', '203.0.113.7'],
    ];
    for (const [name, chain, peer, source] of sourceCases) {
        it(`source ip: ${name}`, () => {
            const facts = resolveTransport(proxies, false, peer, forwarded(undefined, chain));
            assert.equal(facts.sourceIp, source);
        });
    }
});
