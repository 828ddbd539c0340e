/**
 * What every workload phase shares: running N requests on C concurrent clients, timing them,
 * reading the server's CPU and peak RSS around them, and keeping count of every failure.
 */
import { execFileSync } from 'node:child_process';
import type { Outcome } from '../client.js';
import type { Better, MetricSample } from '../stats.js';
import { cpuSeconds, type RssSampler } from '../procstat.js';
import type { Target } from '../targets.js';

/** Failures of one phase: a count, and the first few reasons for the report. */
export class ErrorLog {
    count = 0;
    readonly examples: string[] = [];

    record(what: string, outcome: Outcome): void {
        if (outcome.ok) return;
        this.count++;
        if (this.examples.length < 5) this.examples.push(`${what}: ${outcome.detail}`);
    }

    fail(what: string): void {
        this.count++;
        if (this.examples.length < 5) this.examples.push(what);
    }
}

export interface PhaseMeasure {
    seconds: number;
    /** Server CPU seconds used during the phase (NaN for an external peer). */
    cpuSeconds: number;
    /** Server's highest VmRSS seen during the phase, MiB (NaN for an external peer). */
    peakRssMiB: number;
}

/** Where a phase runs: the target, and its RSS sampler when the bench owns the process. */
export interface PhaseTarget {
    target: Target;
    sampler?: RssSampler;
}

/**
 * Writes every dirty page out before a phase starts: a server that does not fsync (s3rver)
 * leaves its writes to the kernel's writeback, which would otherwise run during, and be paid
 * by, whatever phase or target comes next.
 */
function flushDisks(): void {
    try {
        execFileSync('sync');
    } catch {
        // No sync(1): phases then share writeback, as they would without this step.
    }
}

/** Runs `body` (after a flush) and measures its wall time, the server's CPU and peak RSS. */
export async function measure(
    where: PhaseTarget,
    body: () => Promise<void>,
): Promise<PhaseMeasure> {
    flushDisks();
    const pid = where.target.pid;
    where.sampler?.mark();
    const cpuBefore = pid === undefined ? NaN : cpuSeconds(pid);
    const started = performance.now();
    await body();
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = pid === undefined ? NaN : cpuSeconds(pid);
    return {
        seconds,
        cpuSeconds: cpuAfter - cpuBefore,
        peakRssMiB: where.sampler?.windowPeak() ?? NaN,
    };
}

/** Runs `task(i)` for i in [0, count) on `concurrency` workers, each taking the next index. */
export async function runPool(
    count: number,
    concurrency: number,
    task: (index: number) => Promise<void>,
): Promise<void> {
    let next = 0;
    const worker = async () => {
        while (next < count) await task(next++);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** One phase's outcome: its metric samples and its failures. */
export interface PhaseReport {
    phase: string;
    samples: MetricSample[];
    errors: ErrorLog;
    peakRssMiB: number;
}

export interface RequestsResult {
    measure: PhaseMeasure;
    errors: ErrorLog;
    /** Latency in ms of each successful request. */
    latencies: number[];
}

/** Times `count` requests on `concurrency` workers; every failed outcome is logged. */
export async function timedRequests(
    where: PhaseTarget,
    name: string,
    count: number,
    concurrency: number,
    send: (index: number) => Promise<Outcome>,
): Promise<RequestsResult> {
    const errors = new ErrorLog();
    const latencies: number[] = [];
    const result = await measure(where, () =>
        runPool(count, concurrency, async (i) => {
            const outcome = await send(i);
            if (outcome.ok) latencies.push(outcome.ms);
            else errors.record(`${name} #${i}`, outcome);
        }),
    );
    return { measure: result, errors, latencies };
}

/** A sample carrying its phase's error count. */
export function sample(
    id: string,
    label: string,
    unit: string,
    better: Better,
    value: number,
    errors: number,
): MetricSample {
    return { id, label, unit, better, value, errors };
}
