/**
 * IP addresses and CIDR blocks for IpAddress / NotIpAddress. Addresses are held as bigints so
 * IPv4 and IPv6 share one masking rule. An IPv4-mapped IPv6 source (`::ffff:192.0.2.1`, what a
 * dual-stack Node socket reports for IPv4 clients) matches IPv4 blocks as its IPv4 address.
 */

import { isIPv4, isIPv6 } from 'node:net';

export interface IpAddress {
    version: 4 | 6;
    value: bigint;
}

export interface Cidr {
    version: 4 | 6;
    network: bigint;
    prefix: number;
}

const MAPPED_PREFIX = 0xffffn << 32n;
const LOW_32_BITS = 0xffffffffn;

/** Parses a textual IPv4 or IPv6 address; undefined if it is not one (zone ids refused). */
export function parseIp(text: string): IpAddress | undefined {
    if (isIPv4(text)) return { version: 4, value: ipv4ToBigInt(text) };
    if (isIPv6(text) && !text.includes('%')) return { version: 6, value: ipv6ToBigInt(text) };
    return undefined;
}

/** Parses `address` or `address/prefix`; a bare address is a single-host block. */
export function parseCidr(text: string): Cidr | undefined {
    const slash = text.indexOf('/');
    const address = parseIp(slash < 0 ? text : text.slice(0, slash));
    if (address === undefined) return undefined;
    const width = address.version === 4 ? 32 : 128;
    if (slash < 0) return { version: address.version, network: address.value, prefix: width };
    const prefixText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText)) return undefined;
    const prefix = Number(prefixText);
    if (prefix > width) return undefined;
    return { version: address.version, network: address.value, prefix };
}

/** True when `ip` lies inside `cidr`, treating IPv4-mapped IPv6 and IPv4 as the same address. */
export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
    const candidate = sameFamily(ip, cidr.version);
    if (candidate === undefined) return false;
    const shift = BigInt((cidr.version === 4 ? 32 : 128) - cidr.prefix);
    return candidate >> shift === cidr.network >> shift;
}

function sameFamily(ip: IpAddress, version: 4 | 6): bigint | undefined {
    if (ip.version === version) return ip.value;
    if (version === 6) return MAPPED_PREFIX | ip.value;
    return ip.value >> 32n === 0xffffn ? ip.value & LOW_32_BITS : undefined;
}

function ipv4ToBigInt(text: string): bigint {
    return text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

/** Expands `::` and a dotted IPv4 tail, then packs the eight 16-bit groups. */
function ipv6ToBigInt(text: string): bigint {
    let normal = text;
    const lastColon = normal.lastIndexOf(':');
    const tail = normal.slice(lastColon + 1);
    if (tail.includes('.')) {
        const v4 = ipv4ToBigInt(tail);
        const high = ((v4 >> 16n) & 0xffffn).toString(16);
        const low = (v4 & 0xffffn).toString(16);
        normal = `${normal.slice(0, lastColon + 1)}${high}:${low}`;
    }
    const [left, right] = normal.includes('::') ? normal.split('::') : [normal, undefined];
    const leftGroups = left.length > 0 ? left.split(':') : [];
    const rightGroups = right !== undefined && right.length > 0 ? right.split(':') : [];
    const zeros = new Array<string>(8 - leftGroups.length - rightGroups.length).fill('0');
    const groups = right === undefined ? leftGroups : [...leftGroups, ...zeros, ...rightGroups];
    return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}
