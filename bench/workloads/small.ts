/**
 * Small objects: PUT, GET and HEAD of `count` objects of `size` bytes (4 KiB) from `clients`
 * concurrent clients; operations per second, p50 and p99 latency, server CPU per operation.
 */
import { contentSha256, type ObjectSpec } from '../client.js';
import { seedFor } from '../content.js';
import { quantile } from '../stats.js';
import { sizeLabel, type WorkloadContext } from './context.js';
import { sample, timedRequests, type PhaseReport, type RequestsResult } from './phase.js';

export interface SmallConfig {
    size: number;
    clients: number;
    count: number;
}

export function smallKey(index: number): string {
    return `small/${String(index).padStart(6, '0')}`;
}

export async function smallObjects(
    ctx: WorkloadContext,
    config: SmallConfig,
): Promise<PhaseReport[]> {
    const specs: ObjectSpec[] = Array.from({ length: config.count }, (_, i) => {
        const key = smallKey(i);
        const seed = seedFor(ctx.round, key);
        const sha256 = ctx.client.signsPayload ? contentSha256(seed, config.size) : undefined;
        return { key, seed, size: config.size, sha256 };
    });
    const { client, bucket, mode } = ctx;
    const run = (op: string, send: (spec: ObjectSpec) => ReturnType<typeof client.headObject>) =>
        timedRequests(ctx, `${op} small`, specs.length, config.clients, (i) => send(specs[i]));
    const put = await run('PUT', (spec) => client.putObject(bucket, spec, mode.putHeaders));
    const get = await run('GET', (spec) => client.getObject(bucket, spec, mode.readHeaders));
    const head = await run('HEAD', (spec) => client.headObject(bucket, spec, mode.readHeaders));
    const label = `${sizeLabel(config.size)} ×${config.clients}`;
    return [
        report('put', `PUT ${label}`, put),
        report('get', `GET ${label}`, get),
        report('head', `HEAD ${label}`, head),
    ];
}

function report(op: string, label: string, result: RequestsResult): PhaseReport {
    const id = `${op}.small`;
    const ops = result.latencies.length;
    const errors = result.errors.count;
    const { seconds, cpuSeconds, peakRssMiB } = result.measure;
    return {
        phase: label,
        errors: result.errors,
        peakRssMiB,
        samples: [
            sample(id, label, 'ops/s', 'higher', ops / seconds, errors),
            sample(
                `${id}.p50`,
                `${label} p50`,
                'ms',
                'lower',
                quantile(result.latencies, 0.5),
                errors,
            ),
            sample(
                `${id}.p99`,
                `${label} p99`,
                'ms',
                'lower',
                quantile(result.latencies, 0.99),
                errors,
            ),
            sample(
                `${id}.cpu`,
                `server CPU, ${label}`,
                'ms/op',
                'lower',
                (cpuSeconds * 1000) / ops,
                errors,
            ),
        ],
    };
}
