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

const MiB = 1024 * 1024;

export interface LaneRound {
    samples: MetricSample[];
    /** The listing phase, run once per target a round and shared by all its lanes. */
    listing?: PhaseReport;
    /** The phases this lane ran itself (a shared listing is not among them). */
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

/**
 * A short untimed pass through the lane's code paths before round 1, so that JIT warm-up (and
 * first-use work such as creating a KMS key) does not land on whichever lane goes first. Its
 * failures still count.
 */
export async function warmUp(lane: Lane, plan: Plan): Promise<PhaseReport[]> {
    const ctx = contextFor(lane, 0);
    const reports: PhaseReport[] = [];
    if (plan.workloads.has('large') || plan.workloads.has('memory')) {
        reports.push(...(await largeObjects(ctx, { size: 4 * MiB, streams: 8, count: 8 })));
    }
    if (plan.workloads.has('small')) {
        reports.push(...(await smallObjects(ctx, { ...plan.small, count: 160 })));
    }
    return reports;
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
    if (plan.workloads.has('large')) {
        for (const config of plan.large) reports.push(...(await largeObjects(ctx, config)));
    }
    const largePeakMiB = reports.length ? Math.max(...reports.map((r) => r.peakRssMiB)) : NaN;
    if (plan.workloads.has('small')) reports.push(...(await smallObjects(ctx, plan.small)));
    let listReport = sharedListing;
    if (!listReport && plan.workloads.has('list')) {
        listReport = await listing({ ...ctx, bucket: lane.rig.listBucket }, plan.list);
        reports.push(listReport);
    }
    const all = listReport && listReport === sharedListing ? [...reports, listReport] : reports;
    const pid = lane.rig.target.pid;
    const peak = Math.max(...all.map((r) => r.peakRssMiB));
    const samples = [
        ...all.flatMap((r) => r.samples),
        sample('rss.peak', 'server peak RSS (VmRSS every 50 ms)', 'MiB', 'lower', peak, 0),
        sample(
            'rss.hwm',
            'server VmHWM (since start)',
            'MiB',
            'lower',
            pid ? highWaterMiB(pid) : NaN,
            0,
        ),
    ];
    return { samples, listing: listReport, reports, largePeakMiB };
}
