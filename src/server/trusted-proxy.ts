/**
 * What a request's transport was, once trusted reverse proxies are taken into account. The
 * answer feeds `aws:SecureTransport` and `aws:SourceIp`, so a client must never be able to
 * claim either through headers it sends itself.
 *
 * Rules (documented in README "HTTPS"):
 * 1. A peer not inside a `--trusted-proxy` block is the client: `X-Forwarded-For` and
 *    `X-Forwarded-Proto` are ignored, the transport is the listener's (TLS or not) and the
 *    source IP is the peer's address.
 * 2. A trusted peer's `X-Forwarded-Proto` says how the client reached the proxy: the transport
 *    is secure only when every value in it is `https` (a chain of proxies that lists `http`
 *    anywhere had a plaintext hop). Without the header, the listener's transport counts.
 * 3. A trusted peer's `X-Forwarded-For` is read from the right (the hop nearest to Coffer):
 *    trusted addresses are skipped, and the first address that is not trusted is the client.
 *    Entries left of it were written by parties nobody vouches for. When every entry is a
 *    trusted proxy, the leftmost is the source; an entry that is not an IP address stops the
 *    walk, and the last good address to its right (or the peer) is the source.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { cidrContains, parseCidr, parseIp, type Cidr } from '../policy/conditions/ip.js';

/** The `--trusted-proxy` blocks, parsed once at startup. */
export interface TrustedProxies {
    readonly blocks: readonly Cidr[];
}

/** How the request reached the proxy chain's client-facing end, as far as Coffer can trust. */
export interface TransportFacts {
    secureTransport: boolean;
    sourceIp: string;
}

/** No trusted proxies: every peer is the client. */
export const NO_TRUSTED_PROXIES: TrustedProxies = { blocks: [] };

/**
 * Parses `--trusted-proxy` values (IPv4 or IPv6, with or without `/prefix`); throws an Error
 * naming the first value that is not a CIDR block.
 */
export function parseTrustedProxies(values: readonly string[]): TrustedProxies {
    const blocks = values.map((value) => {
        const block = parseCidr(value.trim());
        if (block === undefined)
            throw new Error(`invalid --trusted-proxy ${JSON.stringify(value)}`);
        return block;
    });
    return { blocks };
}

/** Whether `address` (as a socket or X-Forwarded-For reports it) lies in a trusted block. */
export function isTrustedProxy(proxies: TrustedProxies, address: string): boolean {
    const ip = parseIp(address);
    return ip !== undefined && proxies.blocks.some((block) => cidrContains(block, ip));
}

/** Applies the module's rules to one request. */
export function resolveTransport(
    proxies: TrustedProxies,
    listenerSecure: boolean,
    peerAddress: string,
    headers: IncomingHttpHeaders,
): TransportFacts {
    if (!isTrustedProxy(proxies, peerAddress)) {
        return { secureTransport: listenerSecure, sourceIp: peerAddress };
    }
    const protocols = headerValues(headers['x-forwarded-proto']);
    const secureTransport =
        protocols.length === 0
            ? listenerSecure
            : protocols.every((protocol) => protocol.toLowerCase() === 'https');
    const sourceIp = forwardedClient(
        proxies,
        headerValues(headers['x-forwarded-for']),
        peerAddress,
    );
    return { secureTransport, sourceIp };
}

/** The rightmost untrusted X-Forwarded-For address (rule 3). */
function forwardedClient(proxies: TrustedProxies, hops: string[], peerAddress: string): string {
    let source = peerAddress;
    for (let at = hops.length - 1; at >= 0; at--) {
        const address = stripPort(hops[at]);
        if (parseIp(address) === undefined) return source;
        source = address;
        if (!isTrustedProxy(proxies, address)) return address;
    }
    return source;
}

/** Comma-separated values of a header that may also have been sent more than once. */
function headerValues(header: string | string[] | undefined): string[] {
    if (header === undefined) return [];
    const joined = Array.isArray(header) ? header.join(',') : header;
    return joined
        .split(',')
        .map((value) => value.trim())
        .filter((value) => value.length > 0);
}

/**
 * Some proxies write `address:port` (or `[v6]:port`) into X-Forwarded-For; the port is no part
 * of the client's identity.
 */
function stripPort(entry: string): string {
    const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(entry);
    if (bracketed) return bracketed[1];
    const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(entry);
    return v4WithPort ? v4WithPort[1] : entry;
}
