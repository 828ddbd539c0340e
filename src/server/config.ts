/** The server's configuration, as resolved from the command line and environment. */
import type { TrustedProxies } from './trusted-proxy.js';

export interface ListenAddress {
    host: string;
    port: number;
}

export interface ServerConfig {
    dataDir: string;
    listen: ListenAddress;
    region: string;
    /** Base domain for virtual-host style addressing (`<bucket>.<domain>`). */
    domain?: string;
    /** The KMS root key file; else COFFER_ROOT_KEY, else generated in the data dir. */
    rootKeyFile?: string;
    /** Largest allowed difference between a request's signing time and the server clock. */
    maxClockSkewMs: number;
    /** HTTPS listen address; no HTTPS listener when absent. */
    listenHttps?: ListenAddress;
    /** Operator-supplied certificate and key; a self-signed pair is generated when absent. */
    tlsCertFile?: string;
    tlsKeyFile?: string;
    /** Peers whose X-Forwarded-For / X-Forwarded-Proto are believed (see trusted-proxy.ts). */
    trustedProxies?: TrustedProxies;
    /**
     * Accept SSE-C keys over plain HTTP. For local testing only: AWS refuses them, since the
     * key would cross the network in the clear.
     */
    allowInsecureSsec?: boolean;
    /** Whether new buckets block SSE-C writes (AWS's default since April 2026); default true. */
    defaultBlockSsec?: boolean;
}

/** Parses `HOST:PORT` (IPv6 hosts in brackets: `[::1]:9000`). */
export function parseListenAddress(value: string): ListenAddress {
    const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
    const port = match ? Number(match[3]) : NaN;
    if (!match || port > 65535) throw new Error(`invalid listen address ${JSON.stringify(value)}`);
    return { host: match[1] ?? match[2] ?? '', port };
}
