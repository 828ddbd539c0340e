/**
 * The memory check: one object of `size` bytes (1 GiB; 256 MiB in quick runs), streamed up from
 * the generator and back down with every byte verified, while the server's RSS is sampled.
 * Passes when its peak stays within 64 MiB of the peak seen during the large-object phases:
 * a server that streams holds no more for a 1 GiB object than for a 64 MiB one.
 */
import { contentSha256 } from '../client.js';
import { seedFor } from '../content.js';
import { sizeLabel, type WorkloadContext } from './context.js';
import { ErrorLog, measure } from './phase.js';

export const RSS_ALLOWANCE_MIB = 64;
export const MEMORY_CHECK_KEY = 'memory-check';

export interface MemoryCheck {
    size: string;
    /** The server's peak RSS during the 1 GiB upload and download, MiB. */
    peakRssMiB: number;
    /** Its peak during the large-object phases, the baseline, MiB. */
    baselineMiB: number;
    passed: boolean;
    errors: ErrorLog;
    putMiBs: number;
    getMiBs: number;
}

export async function memoryCheck(
    ctx: WorkloadContext,
    size: number,
    baselineMiB: number,
): Promise<MemoryCheck> {
    const key = MEMORY_CHECK_KEY;
    const spec = { key, seed: seedFor(ctx.round, key), size };
    if (ctx.client.signsPayload) Object.assign(spec, { sha256: contentSha256(spec.seed, size) });
    const errors = new ErrorLog();
    let peak = 0;
    const timed = async (what: string, send: () => ReturnType<typeof ctx.client.getObject>) => {
        const result = await measure(ctx, async () => errors.record(what, await send()));
        peak = Math.max(peak, result.peakRssMiB);
        return size / (1024 * 1024) / result.seconds;
    };
    const putMiBs = await timed('PUT', () =>
        ctx.client.putObject(ctx.bucket, spec, ctx.mode.putHeaders),
    );
    const getMiBs = await timed('GET', () =>
        ctx.client.getObject(ctx.bucket, spec, ctx.mode.readHeaders),
    );
    errors.record('DELETE', await ctx.client.deleteObject(ctx.bucket, key));
    return {
        size: sizeLabel(size),
        peakRssMiB: peak,
        baselineMiB,
        passed: errors.count === 0 && peak <= baselineMiB + RSS_ALLOWANCE_MIB,
        errors,
        putMiBs,
        getMiBs,
    };
}
