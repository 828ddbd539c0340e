/**
 * The HTTP and HTTPS listeners. `Expect: 100-continue` requests are dispatched like any other,
 * and the `100 Continue` is sent only once they are authenticated and authorized. SIGTERM stops
 * accepting connections and lets in-flight requests finish.
 */
import {
    createServer,
    type IncomingMessage,
    type Server as HttpServer,
    type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ListenAddress } from './config.js';
import { dispatch, type ListenerOptions } from './dispatch.js';
import type { ServerServices } from './services.js';

/** Either listener: both serve the same requests, the HTTPS one over TLS. */
export type Server = HttpServer | HttpsServer;

/** PEM certificate and key for an HTTPS listener. */
export interface ListenerTls {
    cert: string;
    key: string;
}

/** An HTTP listener, or an HTTPS one when `tls` is given (then `options.secure` should be true). */
export function createListener(
    services: ServerServices,
    options: ListenerOptions,
    tls?: ListenerTls,
): Server {
    // Uploads may take as long as they take; a stalled client is caught by the socket timeout.
    const timeouts = { requestTimeout: 0, headersTimeout: 60_000 };
    const server: Server =
        tls === undefined ? createServer(timeouts) : createTlsServer(services, timeouts, tls);
    server.keepAliveTimeout = 65_000;
    server.setTimeout(5 * 60_000);
    const handle = (expectContinue: boolean) => (req: IncomingMessage, res: ServerResponse) => {
        dispatch(services, options, req, res, expectContinue).catch((err: unknown) => {
            // dispatch answers every failure itself; reaching here is a bug in that path. One
            // broken request must not take the server down with it.
            services.log.error({ err }, 'request handling failed outside the error path');
            res.destroy();
        });
    };
    server.on('request', handle(false));
    server.on('checkContinue', handle(true));
    server.on('clientError', (err, socket) => {
        services.log.info({ event: 'client-error', err: err.message }, 'bad client request');
        if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
        else socket.destroy();
    });
    return server;
}

function createTlsServer(
    services: ServerServices,
    timeouts: { requestTimeout: number; headersTimeout: number },
    tls: ListenerTls,
): HttpsServer {
    const server = createHttpsServer({ ...timeouts, cert: tls.cert, key: tls.key });
    // A failed handshake (a client that does not trust the certificate, a scan) is no request.
    server.on('tlsClientError', (err) => {
        services.log.debug({ event: 'tls-client-error', err: err.message }, 'TLS handshake failed');
    });
    return server;
}

export async function listen(server: Server, address: ListenAddress): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(address.port, address.host, () => {
            server.off('error', reject);
            resolve();
        });
    });
    return server.address() as AddressInfo;
}

/** Stops accepting, closes idle keep-alive connections, and waits for in-flight requests. */
export async function drain(server: Server, graceMs = DRAIN_GRACE_MS): Promise<void> {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // close() ends only the connections idle at that moment. A keep-alive connection whose
    // request is still in flight turns idle once answered and would otherwise hold the process
    // for the whole keep-alive timeout, so idle connections are swept until the last is gone.
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    // A client that stalls mid-upload must not hold the shutdown forever. Its upload was never
    // acknowledged, so cutting it loses nothing; its temp file is collected at the next start.
    const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
    try {
        await closed;
    } finally {
        clearInterval(sweep);
        clearTimeout(deadline);
    }
}

/** How long SIGTERM waits for in-flight requests before cutting their connections. */
export const DRAIN_GRACE_MS = 30_000;
