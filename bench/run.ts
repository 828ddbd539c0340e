/**
 * `npm run bench`: Coffer against a peer S3 server, driven by the same client, round by round
 * (A B A B ...) so that drift of a shared machine falls on both. See bench/README.md.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { closeRig, cofferLanes, emptyAndDelete, peerLane, rigTarget, type Lane, type TargetRig } from './lanes.js';
import type { ModeProbe } from './modes.js';
import { parseOptions, type BenchOptions } from './options.js';
import { measurePrimitives, type PrimitiveRates } from './primitives.js';
import { newestProfile, topSelfTime } from './profile.js';
import { renderFailures, renderPrimitives, type Failure } from './report.js';
import { finish, type MemoryResult } from './results.js';
import { contextFor, runLaneRound } from './round.js';
import { Collector } from './stats.js';
import { abortAll, externalPeer, startCoffer, startS3rver, stopAll, type Target } from './targets.js';
import { memoryCheck } from './workloads/memory.js';
import { ErrorLog, type PhaseReport } from './workloads/phase.js';

const RESULTS_DIR = fileURLToPath(new URL('../../bench/results/', import.meta.url));
const PROFILE_DIR = `${RESULTS_DIR}profiles`;

/** Everything measured, handed to the report. */
export interface Measurements {
    options: BenchOptions;
    startedAt: Date;
    rates: PrimitiveRates;
    probes: ModeProbe[];
    cofferLanes: Lane[];
    peer: Lane;
    collector: Collector;
    failures: Failure[];
    memory: MemoryResult[];
}

async function main(): Promise<number> {
    const options = parseOptions(process.argv.slice(2));
    const startedAt = new Date();
    const { plan } = options;
    console.log(`Coffer bench (${options.quick ? 'quick' : 'full'}): ${plan.rounds} round(s), ` +
        `${options.signedPayload ? 'signed payloads' : 'UNSIGNED-PAYLOAD'}`);
    const rates = measurePrimitives(plan.primitiveBytes);
    console.log(`\n${renderPrimitives(rates)}\n`);
    const rigs: TargetRig[] = [];
    try {
        const setup = new ErrorLog();
        const coffer = await rigTarget(await startCofferTarget(options), options, setup);
        rigs.push(coffer);
        const peer = await rigTarget(await startPeer(options), options, setup);
        rigs.push(peer);
        const { lanes, probes } = await cofferLanes(coffer);
        for (const p of probes) console.log(`Coffer mode ${p.mode.name}: ${p.available ? 'measured' : `NOT AVAILABLE (${p.reason})`}`);
        const failures: Failure[] = [];
        if (setup.count > 0) failures.push({ lane: 'setup', round: 0, phase: 'setup', count: setup.count, examples: setup.examples });
        const collector = new Collector();
        const largePeaks = await runRounds([...lanes, peerLane(peer)], options, collector, failures);
        const memory = await runMemoryChecks(lanes, options, largePeaks, failures);
        const measured = { options, startedAt, rates, probes, cofferLanes: lanes, peer: peerLane(peer), collector, failures, memory };
        await stopTargets(rigs, options);
        const profile = options.cpuProf ? profileSummary() : undefined;
        finish(measured, RESULTS_DIR, profile);
        return failures.length > 0 ? 1 : 0;
    } finally {
        await stopTargets(rigs, options);
    }
}

async function startCofferTarget(options: BenchOptions): Promise<Target> {
    const nodeFlags = options.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR] : [];
    if (options.cpuProf) mkdirSync(PROFILE_DIR, { recursive: true });
    return startCoffer({ nodeFlags });
}

function startPeer(options: BenchOptions): Promise<Target> {
    const peer = options.peer;
    return peer ? Promise.resolve(externalPeer(peer.endpoint, peer.credentials)) : startS3rver();
}

/** A B A B: every lane takes its turn each round. Returns each lane's large-object RSS peak. */
async function runRounds(lanes: Lane[], options: BenchOptions, collector: Collector, failures: Failure[]) {
    const largePeaks = new Map<Lane, number>();
    for (let round = 1; round <= options.plan.rounds; round++) {
        const listings = new Map<TargetRig, PhaseReport>();
        for (const lane of lanes) {
            const shared = listings.get(lane.rig);
            const result = await runLaneRound(lane, round, options.plan, shared);
            listings.set(lane.rig, result.listing);
            const own = shared ? result.reports : [...result.reports, result.listing];
            for (const report of own) {
                console.log(`[round ${round}] ${lane.name.padEnd(20)} ${report.phase.padEnd(20)} ` +
                    report.samples.filter((s) => !s.id.endsWith('.cpu')).map((s) => `${s.value.toFixed(1)} ${s.unit}`).join('  ') +
                    (report.errors.count ? `  !! ${report.errors.count} ERRORS` : ''));
                if (report.errors.count > 0) failures.push({ lane: lane.name, round, phase: report.phase, count: report.errors.count, examples: report.errors.examples });
            }
            collector.add(lane.name, result.samples);
            largePeaks.set(lane, Math.max(largePeaks.get(lane) ?? 0, result.largePeakMiB));
        }
    }
    return largePeaks;
}

async function runMemoryChecks(lanes: Lane[], options: BenchOptions, peaks: Map<Lane, number>, failures: Failure[]) {
    const results: MemoryResult[] = [];
    for (const lane of lanes) {
        if (lane.rig.target.pid === undefined) continue;
        const ctx = contextFor(lane, options.plan.rounds + 1);
        const check = await memoryCheck(ctx, options.plan.memoryCheckBytes, peaks.get(lane) ?? NaN);
        if (check.errors.count > 0) failures.push({ lane: lane.name, round: 0, phase: `memory check ${check.size}`, count: check.errors.count, examples: check.errors.examples });
        results.push({ lane: lane.name, check });
    }
    return results;
}

async function stopTargets(rigs: TargetRig[], options: BenchOptions): Promise<void> {
    for (const rig of rigs.splice(0)) {
        if (rig.target.pid === undefined) await emptyAndDelete(rig, options).catch(() => undefined);
        closeRig(rig);
    }
    await stopAll();
}

function profileSummary() {
    const path = newestProfile(PROFILE_DIR);
    return path ? { path, top: topSelfTime(path, 25) } : undefined;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
        console.error(`\n${signal}: stopping the servers the bench started`);
        void abortAll().finally(() => process.exit(130));
    });
}

main().then(
    (code) => process.exit(code),
    async (err: unknown) => {
        console.error('bench failed:', err);
        await stopAll();
        process.exit(2);
    },
);
