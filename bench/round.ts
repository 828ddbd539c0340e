/**
 * One lane's turn in one round: the large-object phases, the small-object phases, and (once
 * per target) the listing, plus the server's peak RSS over the turn.
 */
import type { Lane } from './lanes.js';
import type { Plan } from './options.js';
import { highWaterMiB } from './procstat.js';
import type { MetricSample } from './stats.js';
import type { WorkloadContext } from './workloads/context.js';
import { largeObjects } from './workloads/large.js';
import { listing } from './workloads/list.js';
import { sample, type PhaseReport } from './workloads/phase.js';
import { smallObjects } from './workloads/small.js';

export interface LaneRound {
    samples: MetricSample[];
    /** The listing phase, run once per target a round and shared by all its lanes. */
    listing: PhaseReport;
    reports: PhaseReport[];
    /** The server's peak RSS during the large-object phases (the memory check's baseline). */
    largePeakMiB: number;
}

export function contextFor(lane: Lane, round: number): WorkloadContext {
    const { rig, mode } = lane;
    return {
        target: rig.target,
        sampler: rig.sampler,
        client: rig.client,
        bucket: rig.dataBucket,
        mode,
        round,
    };
}

export async function runLaneRound(
    lane: Lane,
    round: number,
    plan: Plan,
    /** The target's listing this round, when an earlier lane of the target already ran it. */
    sharedListing?: PhaseReport,
): Promise<LaneRound> {
    const ctx = contextFor(lane, round);
    const reports: PhaseReport[] = [];
    for (const config of plan.large) reports.push(...(await largeObjects(ctx, config)));
    const largePeakMiB = Math.max(...reports.map((r) => r.peakRssMiB));
    reports.push(...(await smallObjects(ctx, plan.small)));
    const listReport =
        sharedListing ?? (await listing({ ...ctx, bucket: lane.rig.listBucket }, plan.list));
    const peaks = [...reports, listReport].map((r) => r.peakRssMiB);
    const pid = lane.rig.target.pid;
    const samples = [
        ...reports.flatMap((r) => r.samples),
        ...listReport.samples,
        sample('rss.peak', 'server peak RSS (VmRSS every 50 ms)', 'MiB', 'lower', Math.max(...peaks), 0),
        sample('rss.hwm', 'server VmHWM (since start)', 'MiB', 'lower', pid ? highWaterMiB(pid) : NaN, 0),
    ];
    return { samples, listing: listReport, reports, largePeakMiB };
}
