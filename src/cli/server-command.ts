/** `coffer server`: open the data directory, listen, and drain on SIGTERM. */
import { resolve } from 'node:path';
import { pino } from 'pino';
import { parseListenAddress, type ServerConfig } from '../server/config.js';
import { openServices } from '../server/bootstrap.js';
import { createListener, drain, listen } from '../server/listener.js';

export interface ServerOptions {
    dataDir: string;
    listen: string;
    region: string;
    domain?: string;
    logLevel: string;
}

export async function runServer(options: ServerOptions): Promise<void> {
    const log = pino({ level: options.logLevel, base: { service: 'coffer' } });
    const config: ServerConfig = {
        dataDir: resolve(options.dataDir),
        listen: parseListenAddress(options.listen),
        region: options.region,
        domain: options.domain,
        maxClockSkewMs: 15 * 60_000,
    };
    const services = await openServices(config, log);
    const server = createListener(services, { secure: false });
    const address = await listen(server, config.listen);
    log.info(
        { event: 'listening', address: `http://${address.address}:${address.port}`, dataDir: config.dataDir },
        'Coffer is listening',
    );

    let stopping = false;
    const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ event: 'stopping', signal }, 'draining in-flight requests');
        await drain(server);
        services.metadata.close();
        log.info({ event: 'stopped' }, 'stopped');
        process.exit(0);
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
}
