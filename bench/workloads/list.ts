/**
 * Listing: a bucket of `keys` empty objects, written once, listed whole with ListObjectsV2
 * (pages of 1,000) `passes` times a round; keys per second, server CPU per key. Every listing
 * must return exactly the keys written, in order.
 */
import type { BenchClient } from '../client.js';
import type { WorkloadContext } from './context.js';
import { ErrorLog, measure, runPool, sample, type PhaseReport } from './phase.js';

export interface ListConfig {
    keys: number;
    passes: number;
}

const WRITERS = 16;

export function listKeys(count: number): string[] {
    return Array.from({ length: count }, (_, i) => `list/${String(i).padStart(7, '0')}`);
}

/** Fills the bucket (not timed); returns the failures. */
export async function populateList(
    client: BenchClient,
    bucket: string,
    count: number,
): Promise<ErrorLog> {
    const keys = listKeys(count);
    const errors = new ErrorLog();
    await runPool(keys.length, WRITERS, async (i) => {
        const outcome = await client.putObject(bucket, { key: keys[i], seed: 0, size: 0 });
        errors.record(`PUT ${keys[i]}`, outcome);
    });
    return errors;
}

export async function listing(ctx: WorkloadContext, config: ListConfig): Promise<PhaseReport> {
    const expected = listKeys(config.keys);
    const errors = new ErrorLog();
    let listed = 0;
    const result = await measure(ctx, async () => {
        for (let pass = 0; pass < config.passes; pass++) {
            listed += await listOnce(ctx, expected, errors);
        }
    });
    const label = `LIST ${config.keys.toLocaleString('en-US')} keys`;
    const n = errors.count;
    return {
        phase: label,
        errors,
        peakRssMiB: result.peakRssMiB,
        samples: [
            sample('list', label, 'keys/s', 'higher', listed / result.seconds, n),
            sample(
                'list.cpu',
                `server CPU, ${label}`,
                'µs/key',
                'lower',
                (result.cpuSeconds * 1e6) / listed,
                n,
            ),
        ],
    };
}

/** Lists the whole bucket once; returns the keys listed when they are right, else 0. */
async function listOnce(
    ctx: WorkloadContext,
    expected: string[],
    errors: ErrorLog,
): Promise<number> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
        const page = await ctx.client.listPage(ctx.bucket, token);
        if (!page.outcome.ok) {
            errors.record('ListObjectsV2', page.outcome);
            return 0;
        }
        keys.push(...page.keys);
        token = page.next;
    } while (token !== undefined && keys.length <= expected.length);
    const wrong = keys.length !== expected.length || keys.some((key, i) => key !== expected[i]);
    if (wrong) {
        errors.fail(
            `ListObjectsV2 returned ${keys.length} keys, not the ${expected.length} written`,
        );
        return 0;
    }
    return keys.length;
}
