/**
 * A lane is one row set of the table: a target driven in one mode (Coffer once per available
 * mode, the peer in plaintext). Setting lanes up creates each target's buckets, probes Coffer's
 * modes and fills the listing bucket; tearing down removes what the bench wrote on an external
 * peer (the servers the bench starts are removed with their temp directories).
 */
import { randomBytes } from 'node:crypto';
import { BenchClient } from './client.js';
import { MODES, probeMode, type Mode, type ModeProbe } from './modes.js';
import type { BenchOptions } from './options.js';
import { RssSampler } from './procstat.js';
import type { Target } from './targets.js';
import { ErrorLog, runPool } from './workloads/phase.js';
import { largeKey } from './workloads/large.js';
import { listKeys, populateList } from './workloads/list.js';
import { MEMORY_CHECK_KEY } from './workloads/memory.js';
import { smallKey } from './workloads/small.js';

/** One target with its client, buckets and RSS sampler, shared by its lanes. */
export interface TargetRig {
    target: Target;
    client: BenchClient;
    sampler?: RssSampler;
    dataBucket: string;
    listBucket: string;
}

export interface Lane {
    /** The series name in the table and the JSON: "Coffer (plaintext)", "s3rver 3.7.1". */
    name: string;
    rig: TargetRig;
    mode: Mode;
}

/** The most connections any phase opens at once (8 streams, 16 small-object clients). */
const MAX_SOCKETS = 16;

export async function rigTarget(
    target: Target,
    options: BenchOptions,
    errors: ErrorLog,
): Promise<TargetRig> {
    const client = new BenchClient({
        endpoint: target.endpoint,
        credentials: target.credentials,
        region: options.region,
        signedPayload: options.signedPayload,
        maxSockets: MAX_SOCKETS,
    });
    const prefix = `coffer-bench-${randomBytes(3).toString('hex')}`;
    const rig: TargetRig = {
        target,
        client,
        sampler: target.pid === undefined ? undefined : new RssSampler(target.pid),
        dataBucket: `${prefix}-data`,
        listBucket: `${prefix}-list`,
    };
    for (const bucket of [rig.dataBucket, rig.listBucket]) {
        errors.record(`${target.name}: CreateBucket ${bucket}`, await client.createBucket(bucket));
    }
    if (options.plan.workloads.has('list')) {
        const populated = await populateList(client, rig.listBucket, options.plan.list.keys);
        errors.count += populated.count;
        errors.examples.push(...populated.examples.map((e) => `${target.name}: ${e}`));
    }
    return rig;
}

/** Coffer's lanes, one per mode the server applies; every probe is returned for the report. */
export async function cofferLanes(rig: TargetRig): Promise<{ lanes: Lane[]; probes: ModeProbe[] }> {
    const probes: ModeProbe[] = [];
    for (const mode of MODES) probes.push(await probeMode(rig.client, rig.dataBucket, mode));
    const lanes = probes
        .filter((probe) => probe.available)
        .map((probe) => ({
            name: `${rig.target.name} (${probe.mode.name})`,
            rig,
            mode: probe.mode,
        }));
    return { lanes, probes };
}

export function peerLane(rig: TargetRig): Lane {
    return { name: rig.target.name, rig, mode: MODES[0] };
}

/** Deletes every key the bench may have written, then the buckets (for an external peer). */
export async function emptyAndDelete(rig: TargetRig, options: BenchOptions): Promise<void> {
    const { plan } = options;
    const dataKeys = [
        ...plan.large.flatMap((c) =>
            Array.from({ length: c.count }, (_, i) => largeKey(c.streams, i)),
        ),
        ...Array.from({ length: plan.small.count }, (_, i) => smallKey(i)),
        MEMORY_CHECK_KEY,
    ];
    const jobs = [
        ...dataKeys.map((key) => [rig.dataBucket, key]),
        ...listKeys(plan.list.keys).map((key) => [rig.listBucket, key]),
    ];
    await runPool(jobs.length, MAX_SOCKETS, async (i) => {
        await rig.client.deleteObject(jobs[i][0], jobs[i][1]);
    });
    await rig.client.deleteBucket(rig.dataBucket);
    await rig.client.deleteBucket(rig.listBucket);
}

export function closeRig(rig: TargetRig): void {
    rig.sampler?.stop();
    rig.client.close();
}
