/**
 * The numbers: samples of one metric (one per round), their median and range, latency
 * percentiles, and the Coffer/peer ratio.
 */

/** Which way is good: throughput is 'higher', latency, CPU and memory are 'lower'. */
export type Better = 'higher' | 'lower';

/** One measured value of one metric in one round, with the errors of the phase it came from. */
export interface MetricSample {
    id: string;
    label: string;
    unit: string;
    better: Better;
    value: number;
    errors: number;
}

/** A metric's samples over all rounds. */
export interface Series {
    id: string;
    label: string;
    unit: string;
    better: Better;
    values: number[];
    errors: number;
}

export interface Summary {
    median: number;
    min: number;
    max: number;
    n: number;
}

/** The q-quantile (0..1) by linear interpolation between closest ranks. */
export function quantile(values: readonly number[], q: number): number {
    if (values.length === 0) return NaN;
    const sorted = [...values].sort((a, b) => a - b);
    const rank = q * (sorted.length - 1);
    const low = Math.floor(rank);
    const high = Math.ceil(rank);
    return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

export function summarize(values: readonly number[]): Summary {
    const finite = values.filter(Number.isFinite);
    if (finite.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
    return {
        median: quantile(finite, 0.5),
        min: Math.min(...finite),
        max: Math.max(...finite),
        n: finite.length,
    };
}

/** Coffer's median over the peer's (NaN when either is missing). */
export function ratio(coffer: Summary, peer: Summary): number {
    return peer.median > 0 ? coffer.median / peer.median : NaN;
}

/** Gathers samples into series keyed by (series name, metric id), in first-seen order. */
export class Collector {
    private readonly series = new Map<string, Map<string, Series>>();

    add(seriesName: string, samples: readonly MetricSample[]): void {
        let byId = this.series.get(seriesName);
        if (!byId) this.series.set(seriesName, (byId = new Map()));
        for (const sample of samples) {
            let series = byId.get(sample.id);
            if (!series) {
                const { id, label, unit, better } = sample;
                byId.set(id, (series = { id, label, unit, better, values: [], errors: 0 }));
            }
            series.values.push(sample.value);
            series.errors += sample.errors;
        }
    }

    get(seriesName: string): Series[] {
        return [...(this.series.get(seriesName)?.values() ?? [])];
    }

    names(): string[] {
        return [...this.series.keys()];
    }
}
