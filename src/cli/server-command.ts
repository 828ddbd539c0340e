/** `coffer server`: open the data dir, listen (HTTP, and HTTPS if asked), drain on SIGTERM. */
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import { parseListenAddress, type ServerConfig } from '../server/config.js';
import { openServices } from '../server/bootstrap.js';
import { createListener, drain, listen, type Server } from '../server/listener.js';
import type { ServerServices } from '../server/services.js';
import { caBundleHint, loadTlsCredentials, type TlsCredentials } from '../server/tls.js';
import { parseTrustedProxies } from '../server/trusted-proxy.js';

export interface ServerOptions {
    dataDir: string;
    listen: string;
    region: string;
    domain?: string;
    rootKeyFile?: string;
    logLevel: string;
    listenHttps?: string;
    tlsCert?: string;
    tlsKey?: string;
    trustedProxy?: string[];
    allowInsecureSsec?: boolean;
    defaultBlockSsec?: 'true' | 'false';
}

export async function runServer(options: ServerOptions): Promise<void> {
    const log = pino({ level: options.logLevel, base: { service: 'coffer' } });
    const config = serverConfig(options);
    const services = await openServices(config, log);
    if (config.allowInsecureSsec) {
        log.warn(
            { event: 'insecure-ssec' },
            'SSE-C keys accepted over plain HTTP (--allow-insecure-ssec): for local testing only',
        );
    }
    // Certificate problems surface before anything listens.
    const tls = config.listenHttps === undefined ? undefined : await tlsCredentials(config, log);
    const servers = [createListener(services, { secure: false })];
    const address = await listen(servers[0]!, config.listen);
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const https = tls === undefined ? undefined : await listenHttps(services, tls);
    if (https !== undefined) servers.push(https.server);
    log.info(
        {
            event: 'listening',
            address: `http://${host}:${address.port}`,
            httpsAddress: https?.url,
            dataDir: config.dataDir,
        },
        'Coffer is listening',
    );
    if (https?.selfSignedCert !== undefined) {
        process.stderr.write(caBundleHint(https.selfSignedCert, https.url));
    }
    stopOnSignals(servers, services, log);
}

function serverConfig(options: ServerOptions): ServerConfig {
    if ((options.tlsCert !== undefined || options.tlsKey !== undefined) && !options.listenHttps) {
        throw new Error('--tls-cert and --tls-key need --listen-https');
    }
    return {
        dataDir: resolve(options.dataDir),
        listen: parseListenAddress(options.listen),
        region: options.region,
        domain: options.domain,
        rootKeyFile: options.rootKeyFile,
        maxClockSkewMs: 15 * 60_000,
        listenHttps: options.listenHttps ? parseListenAddress(options.listenHttps) : undefined,
        tlsCertFile: options.tlsCert,
        tlsKeyFile: options.tlsKey,
        trustedProxies: parseTrustedProxies(options.trustedProxy ?? []),
        allowInsecureSsec: options.allowInsecureSsec === true,
        defaultBlockSsec: options.defaultBlockSsec !== 'false',
    };
}

interface HttpsListener {
    server: Server;
    url: string;
    /** The generated certificate's path, when Coffer made it (clients need it as CA bundle). */
    selfSignedCert?: string;
}

function tlsCredentials(config: ServerConfig, log: Logger): Promise<TlsCredentials> {
    return loadTlsCredentials(
        {
            dataDir: config.dataDir,
            domain: config.domain,
            certFile: config.tlsCertFile,
            keyFile: config.tlsKeyFile,
        },
        log,
    );
}

async function listenHttps(services: ServerServices, tls: TlsCredentials): Promise<HttpsListener> {
    const server = createListener(services, { secure: true }, tls);
    const address = await listen(server, services.config.listenHttps!);
    return {
        server,
        url: `https://${urlHost(address)}:${address.port}`,
        selfSignedCert: tls.selfSigned ? tls.certPath : undefined,
    };
}

/**
 * The host part of a URL clients can use: a wildcard bind is reached as `localhost` (a name
 * the self-signed certificate carries), an IPv6 address goes in brackets.
 */
function urlHost(address: AddressInfo): string {
    if (address.address === '0.0.0.0' || address.address === '::') return 'localhost';
    return address.family === 'IPv6' ? `[${address.address}]` : address.address;
}

function stopOnSignals(servers: Server[], services: ServerServices, log: Logger): void {
    let stopping = false;
    const stop = async (signal: string) => {
        if (stopping) {
            // A second signal means now: requests still running were never acknowledged, and
            // the lock and temp files they leave are taken over and collected at the next start.
            log.warn({ event: 'stopped-forcibly', signal }, 'stopping without waiting');
            process.exit(1);
        }
        stopping = true;
        log.info({ event: 'stopping', signal }, 'draining in-flight requests');
        await Promise.all(servers.map((server) => drain(server)));
        services.close();
        log.info({ event: 'stopped' }, 'stopped');
        process.exit(0);
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
}
