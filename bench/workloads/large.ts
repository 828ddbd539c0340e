/**
 * Large objects: PUT then GET `count` objects of `size` bytes on `streams` concurrent
 * connections; MiB/s and the server's CPU seconds per GiB. Each round writes new content, so a
 * GET that returned an earlier round's bytes would fail verification.
 */
import { contentSha256, type ObjectSpec } from '../client.js';
import { seedFor } from '../content.js';
import { sizeLabel, type WorkloadContext } from './context.js';
import { sample, timedRequests, type PhaseReport, type RequestsResult } from './phase.js';

export interface LargeConfig {
    size: number;
    streams: number;
    count: number;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export function largeKey(streams: number, index: number): string {
    return `large/${streams}/${index}`;
}

export async function largeObjects(
    ctx: WorkloadContext,
    config: LargeConfig,
): Promise<PhaseReport[]> {
    const specs: ObjectSpec[] = Array.from({ length: config.count }, (_, i) => {
        const key = largeKey(config.streams, i);
        return { key, seed: seedFor(ctx.round, key), size: config.size };
    });
    // In signed-payload mode the client must hash each body before sending it; done here,
    // before the clock starts, so client hashing does not count against either server.
    if (ctx.client.signsPayload) {
        for (const spec of specs) spec.sha256 = contentSha256(spec.seed, spec.size);
    }
    const label = `${sizeLabel(config.size)} ×${config.streams}`;
    const put = await timedRequests(ctx, `PUT ${label}`, specs.length, config.streams, (i) =>
        ctx.client.putObject(ctx.bucket, specs[i], ctx.mode.putHeaders),
    );
    const get = await timedRequests(ctx, `GET ${label}`, specs.length, config.streams, (i) =>
        ctx.client.getObject(ctx.bucket, specs[i], ctx.mode.readHeaders),
    );
    return [report('put', `PUT ${label}`, config, put), report('get', `GET ${label}`, config, get)];
}

function report(
    op: string,
    label: string,
    config: LargeConfig,
    result: RequestsResult,
): PhaseReport {
    const id = `${op}.large.c${config.streams}`;
    const bytes = result.latencies.length * config.size;
    const errors = result.errors.count;
    const { seconds, cpuSeconds, peakRssMiB } = result.measure;
    return {
        phase: label,
        errors: result.errors,
        peakRssMiB,
        samples: [
            sample(id, label, 'MiB/s', 'higher', bytes / MiB / seconds, errors),
            sample(
                `${id}.cpu`,
                `server CPU, ${label}`,
                's/GiB',
                'lower',
                cpuSeconds / (bytes / GiB),
                errors,
            ),
        ],
    };
}
