/**
 * Turns the measurements into the printed report and the JSON file under bench/results/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { getLimit, putLimit } from './primitives.js';
import type { SelfTimeEntry } from './profile.js';
import {
    compare,
    num,
    renderCeilings,
    renderComparison,
    renderFailures,
    renderMemory,
    type CeilingUse,
    type ComparisonRow,
} from './report.js';
import type { Measurements } from './run.js';
import { summarize } from './stats.js';
import type { MemoryCheck } from './workloads/memory.js';

export interface MemoryResult {
    lane: string;
    check: MemoryCheck;
}

export interface ProfileSummary {
    path: string;
    top: SelfTimeEntry[];
}

const CEILING_METRICS = ['put.large.c1', 'put.large.c8', 'get.large.c1', 'get.large.c8'];

function ceilings(m: Measurements): CeilingUse[] {
    return m.cofferLanes.map((lane) => {
        const put = putLimit(m.rates, lane.mode, m.options.signedPayload);
        const get = getLimit(m.rates, lane.mode);
        const series = new Map(m.collector.get(lane.name).map((s) => [s.id, s]));
        const fractions: Record<string, number> = {};
        for (const id of CEILING_METRICS) {
            const median = summarize(series.get(id)?.values ?? []).median;
            fractions[id] = median / (id.startsWith('put') ? put : get).mibPerSecond;
        }
        return { lane: lane.name, put, get, fractions };
    });
}

function machine(loadAtStart: number[]) {
    const cores = cpus();
    return {
        cpu: cores[0]?.model,
        cores: cores.length,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        loadAverageAtStart: loadAtStart.map((l) => Number(l.toFixed(2))),
        loadAverageAtEnd: loadavg().map((l) => Number(l.toFixed(2))),
    };
}

function renderProfile(profile: ProfileSummary): string {
    const lines = profile.top.map((e) => {
        const share = `${num(e.percent)}%`.padStart(7);
        return `${share}  ${num(e.selfMs).padStart(9)} ms  ${e.function}  ${e.location}`;
    });
    return `Coffer CPU profile, top self time (${profile.path})\n${lines.join('\n')}`;
}

/** Prints the report and writes the JSON; returns the JSON file's path. */
export function finish(m: Measurements, dir: string, profile?: ProfileSummary): string {
    const peerSeries = m.collector.get(m.peer.name);
    const tables: Record<string, ComparisonRow[]> = {};
    const rounds = m.options.plan.rounds;
    for (const lane of m.cofferLanes) {
        tables[lane.name] = compare(m.collector.get(lane.name), peerSeries);
        const title = `${lane.name} vs ${m.peer.name}: median [min-max] of ${rounds} round(s)`;
        console.log(`\n${renderComparison(title, m.peer.name, tables[lane.name])}`);
    }
    for (const probe of m.probes.filter((p) => !p.available)) {
        console.log(`Coffer (${probe.mode.name}): not available, ${probe.reason}`);
    }
    const ceilingUses = ceilings(m);
    console.log(`\n${renderCeilings(ceilingUses)}`);
    for (const { lane, check } of m.memory) console.log(`\n${renderMemory(lane, check)}`);
    if (profile) console.log(`\n${renderProfile(profile)}`);
    console.log(`\n${renderFailures(m.failures)}`);
    const path = writeJson(m, dir, { tables, ceilings: ceilingUses, profile });
    console.log(`\nResults: ${path}`);
    return path;
}

interface Derived {
    tables: Record<string, ComparisonRow[]>;
    ceilings: CeilingUse[];
    profile?: ProfileSummary;
}

function writeJson(m: Measurements, dir: string, derived: Derived): string {
    const { plan } = m.options;
    const json = {
        startedAt: m.startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        quick: m.options.quick,
        signedPayload: m.options.signedPayload,
        plan: { ...plan, workloads: [...plan.workloads] },
        machine: machine(m.loadAtStart),
        peer: m.peer.name,
        primitivesMiBs: m.rates,
        modes: m.probes.map(({ mode, available, reason }) => ({
            mode: mode.name,
            available,
            reason,
        })),
        tables: derived.tables,
        series: Object.fromEntries(m.collector.names().map((n) => [n, m.collector.get(n)])),
        ceilings: derived.ceilings,
        memoryChecks: m.memory.map(({ lane, check }) => ({
            lane,
            ...check,
            errors: check.errors.count,
        })),
        failures: m.failures,
        profile: derived.profile,
    };
    mkdirSync(dir, { recursive: true });
    const stamp = m.startedAt.toISOString().replace(/[:.]/g, '-');
    const path = join(dir, `bench-${stamp}${m.options.quick ? '-quick' : ''}.json`);
    writeFileSync(path, JSON.stringify(json, null, 2) + '\n');
    return path;
}
