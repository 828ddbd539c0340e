/**
 * `npm run bench`: Coffer against a peer S3 server, driven by the same client, round by round
 * (A B A B ...) so that drift of a shared machine falls on both. See bench/README.md.
 */
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { closeRig, cofferLanes, emptyAndDelete, peerLane, rigTarget } from './lanes.js';
import type { Lane, TargetRig } from './lanes.js';
import type { ModeProbe } from './modes.js';
import { parseOptions, type BenchOptions } from './options.js';
import { bestOf, measurePrimitives, type PrimitiveRates } from './primitives.js';
import { newestProfile, topSelfTime } from './profile.js';
import { renderPrimitives, type Failure } from './report.js';
import { finish, type MemoryResult } from './results.js';
import { contextFor, runLaneRound, warmUp } from './round.js';
import { Collector } from './stats.js';
import { abortAll, externalPeer, startCoffer, startS3rver, stopAll } from './targets.js';
import type { Target } from './targets.js';
import { memoryCheck } from './workloads/memory.js';
import { ErrorLog, type PhaseReport } from './workloads/phase.js';

const RESULTS_DIR = fileURLToPath(new URL('../../bench/results/', import.meta.url));
const PROFILE_DIR = `${RESULTS_DIR}profiles`;

/** Everything measured, handed to the report. */
export interface Measurements {
    options: BenchOptions;
    startedAt: Date;
    /** The 1, 5 and 15 minute load averages when the run began. */
    loadAtStart: number[];
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
    const loadAtStart = loadavg();
    announce(options);
    // Measured before the servers start and again after they stop; the better of the two
    // counts, since the primitives' single-core speed is a property of the machine and a
    // busy moment only ever lowers it.
    const before = measurePrimitives(options.plan.primitiveBytes);
    const rigs: TargetRig[] = [];
    try {
        const failures: Failure[] = [];
        const { lanes, peer, probes } = await setUp(options, rigs, failures);
        const collector = new Collector();
        const largePeaks = await runRounds([...lanes, peer], options, collector, failures);
        const memory = options.plan.workloads.has('memory')
            ? await runMemoryChecks(lanes, options, largePeaks, failures)
            : [];
        for (const rig of rigs) assertAlive(rig.target);
        await stopTargets(rigs, options);
        const rates = bestOf(before, measurePrimitives(options.plan.primitiveBytes));
        console.log(`\n${renderPrimitives(rates)}`);
        const profile = options.cpuProf ? profileSummary() : undefined;
        const measured = { options, startedAt, loadAtStart, rates, probes, cofferLanes: lanes };
        finish({ ...measured, peer, collector, failures, memory }, RESULTS_DIR, profile);
        return failures.length > 0 ? 1 : 0;
    } finally {
        await stopTargets(rigs, options);
    }
}

function announce(options: BenchOptions): void {
    const payload = options.signedPayload ? 'signed payloads' : 'UNSIGNED-PAYLOAD';
    const kind = options.quick ? 'quick' : 'full';
    console.log(`Coffer bench (${kind}): ${options.plan.rounds} round(s), ${payload}`);
    warnIfBusy();
}

/** Starts both servers (pushing each onto `rigs` at once, for cleanup) and probes the modes. */
async function setUp(options: BenchOptions, rigs: TargetRig[], failures: Failure[]) {
    const setup = new ErrorLog();
    const coffer = await rigTarget(await startCofferTarget(options), options, setup);
    rigs.push(coffer);
    const peer = await rigTarget(await startPeer(options), options, setup);
    rigs.push(peer);
    if (setup.count > 0) failures.push(failure('setup', 0, 'setup', setup));
    const { lanes, probes } = await cofferLanes(coffer);
    assertAlive(coffer.target);
    for (const p of probes) {
        const state = p.available ? 'measured' : `NOT AVAILABLE (${p.reason})`;
        console.log(`Coffer mode ${p.mode.name}: ${state}`);
        if (p.broken) {
            const errors = new ErrorLog();
            errors.fail(`${p.mode.name} probe: ${p.reason}`);
            failures.push(failure(coffer.target.name, 0, `${p.mode.name} probe`, errors));
        }
    }
    return { lanes, peer: peerLane(peer), probes };
}

/** Other work on the machine skews both targets; the alternation evens it out, not away. */
function warnIfBusy(): void {
    const load = loadavg()[0];
    const cores = cpus().length;
    if (load > cores / 2) {
        console.log(
            `NOTE: load average ${load.toFixed(1)} on ${cores} cores: expect noisy numbers`,
        );
    }
}

/** A server that died mid-run makes every later number meaningless: stop, and say why. */
function assertAlive(target: Target): void {
    const death = target.death();
    if (death) throw new Error(`${target.name} ${death}`);
}

function failure(lane: string, round: number, phase: string, errors: ErrorLog): Failure {
    return { lane, round, phase, count: errors.count, examples: errors.examples };
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
async function runRounds(
    lanes: Lane[],
    options: BenchOptions,
    collector: Collector,
    failures: Failure[],
): Promise<Map<Lane, number>> {
    const largePeaks = new Map<Lane, number>();
    for (const lane of lanes) {
        for (const report of await warmUp(lane, options.plan)) {
            if (report.errors.count > 0) {
                failures.push(failure(lane.name, 0, `warm-up ${report.phase}`, report.errors));
            }
        }
    }
    for (let round = 1; round <= options.plan.rounds; round++) {
        const listings = new Map<TargetRig, PhaseReport>();
        for (const lane of lanes) {
            assertAlive(lane.rig.target);
            const result = await runLaneRound(lane, round, options.plan, listings.get(lane.rig));
            if (result.listing) listings.set(lane.rig, result.listing);
            for (const report of result.reports) {
                console.log(progressLine(round, lane, report));
                if (report.errors.count > 0) {
                    failures.push(failure(lane.name, round, report.phase, report.errors));
                }
            }
            collector.add(lane.name, result.samples);
            const peak = Math.max(largePeaks.get(lane) ?? 0, result.largePeakMiB);
            largePeaks.set(lane, peak);
        }
    }
    return largePeaks;
}

function progressLine(round: number, lane: Lane, report: PhaseReport): string {
    const values = report.samples
        .filter((s) => !s.id.endsWith('.cpu'))
        .map((s) => `${s.value.toFixed(1)} ${s.unit}`);
    const errors = report.errors.count ? `  !! ${report.errors.count} ERRORS` : '';
    const where = `[round ${round}] ${lane.name.padEnd(20)} ${report.phase.padEnd(18)}`;
    return `${where} ${values.join('  ')}${errors}`;
}

async function runMemoryChecks(
    lanes: Lane[],
    options: BenchOptions,
    largePeaks: Map<Lane, number>,
    failures: Failure[],
): Promise<MemoryResult[]> {
    const results: MemoryResult[] = [];
    for (const lane of lanes) {
        const ctx = contextFor(lane, options.plan.rounds + 1);
        const bytes = options.plan.memoryCheckBytes;
        const check = await memoryCheck(ctx, bytes, largePeaks.get(lane) ?? NaN);
        if (check.errors.count > 0) {
            failures.push(failure(lane.name, 0, `memory check ${check.size}`, check.errors));
        }
        results.push({ lane: lane.name, check });
    }
    return results;
}

/** Closes the clients (so a draining server has no connection to wait for), then stops. */
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
        console.error(`\nBENCH FAILED: ${err instanceof Error ? err.message : String(err)}`);
        await abortAll();
        process.exit(2);
    },
);
