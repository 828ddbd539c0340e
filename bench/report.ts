/**
 * The output: one table per Coffer mode (medians, min-max, Coffer/peer ratio, goal, errors),
 * the primitive ceilings, the memory check and, loudly, every failure.
 */
import { GOALS } from './goals.js';
import type { Limit, PrimitiveRates } from './primitives.js';
import { ratio, summarize, type Series, type Summary } from './stats.js';
import type { MemoryCheck } from './workloads/memory.js';
import { RSS_ALLOWANCE_MIB } from './workloads/memory.js';

export interface ComparisonRow {
    id: string;
    label: string;
    unit: string;
    coffer: Summary;
    peer: Summary;
    ratio: number;
    goal?: string;
    met?: boolean;
    cofferErrors: number;
    peerErrors: number;
}

/** One row per metric Coffer's lane measured, next to the peer's same metric. */
export function compare(coffer: Series[], peer: Series[]): ComparisonRow[] {
    const peerById = new Map(peer.map((s) => [s.id, s]));
    return coffer.map((series) => {
        const other = peerById.get(series.id);
        const c = summarize(series.values);
        const p = summarize(other?.values ?? []);
        const goal = GOALS[series.id];
        return {
            id: series.id,
            label: series.label,
            unit: series.unit,
            coffer: c,
            peer: p,
            ratio: ratio(c, p),
            goal: goal?.text,
            met: goal?.met(series, other),
            cofferErrors: series.errors,
            peerErrors: other?.errors ?? 0,
        };
    });
}

/** 3 significant figures, at most; '-' for a missing value. */
export function num(value: number): string {
    if (!Number.isFinite(value)) return '-';
    const abs = Math.abs(value);
    const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
    return value.toLocaleString('en-US', {
        maximumFractionDigits: digits,
        minimumFractionDigits: digits,
    });
}

function cell(summary: Summary): string {
    if (summary.n === 0) return '-';
    if (summary.n === 1) return num(summary.median);
    return `${num(summary.median)} [${num(summary.min)}-${num(summary.max)}]`;
}

function renderRows(header: string[], rows: string[][]): string {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) =>
        cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join(
        '\n',
    );
}

export function renderComparison(title: string, peerName: string, rows: ComparisonRow[]): string {
    const header = [
        'metric',
        'unit',
        'Coffer',
        peerName,
        'Coffer/peer',
        'goal',
        'met',
        'errors C/P',
    ];
    const body = rows.map((row) => {
        const errors = `${row.cofferErrors}/${row.peerErrors}`;
        return [
            row.label,
            row.unit,
            cell(row.coffer),
            cell(row.peer),
            Number.isFinite(row.ratio) ? `${row.ratio.toFixed(2)}x` : '-',
            row.goal ?? '',
            row.met === undefined ? '' : row.met ? 'yes' : 'NO',
            row.cofferErrors + row.peerErrors > 0 ? `!! ${errors} !!` : errors,
        ];
    });
    return `${title}\n${renderRows(header, body)}`;
}

export function renderPrimitives(rates: PrimitiveRates): string {
    const rows = Object.entries(rates).map(([name, rate]) => [name, num(rate)]);
    const title =
        'Primitives, one core of the bench process (MiB/s, 64 KiB updates; the better of a ' +
        'median of 3 before and after the run)';
    return `${title}\n${renderRows(['primitive', 'MiB/s'], rows)}`;
}

export interface CeilingUse {
    lane: string;
    put: Limit;
    get: Limit;
    /** Coffer's median rate over the ceiling, by metric id (put.large.c1 ...). */
    fractions: Record<string, number>;
}

function percent(fraction: number): string {
    return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(1)}%` : '-';
}

function ceilingText(limit: Limit): string {
    return `${num(limit.mibPerSecond)} MiB/s (${limit.chain.join(' + ')})`;
}

export function renderCeilings(uses: CeilingUse[]): string {
    const lines = uses.map((use) => {
        const parts = Object.entries(use.fractions).map(([id, f]) => `${id} ${percent(f)}`);
        return [
            `${use.lane}: PUT ceiling ${ceilingText(use.put)}`,
            `  GET ceiling ${ceilingText(use.get)}`,
            `  Coffer's median as a share of its ceiling: ${parts.join(', ')}`,
        ].join('\n');
    });
    return `Coffer against its single-core primitive ceiling\n${lines.join('\n')}`;
}

export function renderMemory(lane: string, check: MemoryCheck): string {
    const verdict = check.passed ? 'PASS' : 'FAIL';
    const growth = check.peakRssMiB - check.baselineMiB;
    const sign = growth >= 0 ? '+' : '';
    return (
        `Memory check, ${lane}, one ${check.size} object: peak RSS ${num(check.peakRssMiB)} MiB ` +
        `vs ${num(check.baselineMiB)} MiB with the large objects (${sign}${num(growth)}, ` +
        `allowed +${RSS_ALLOWANCE_MIB}): ${verdict}; PUT ${num(check.putMiBs)} MiB/s, ` +
        `GET ${num(check.getMiBs)} MiB/s, errors ${check.errors.count}`
    );
}

export interface Failure {
    lane: string;
    round: number;
    phase: string;
    count: number;
    examples: string[];
}

/** The loud part: how many answers were wrong or failed, and the first few of them. */
export function renderFailures(failures: Failure[]): string {
    const total = failures.reduce((sum, f) => sum + f.count, 0);
    if (total === 0) return 'Errors: none (every GET verified byte for byte, every listing exact).';
    const bar = '!'.repeat(78);
    const lines = failures.map(
        (f) =>
            `  ${f.lane}, round ${f.round}, ${f.phase}: ${f.count} failed\n` +
            f.examples.map((e) => `      ${e}`).join('\n'),
    );
    return [
        bar,
        `!! ${total} FAILED OR WRONG ANSWERS: the rates above include no failed request, but a`,
        '!! server that answers wrongly is broken, not fast. This run FAILS.',
        ...lines,
        bar,
    ].join('\n');
}
