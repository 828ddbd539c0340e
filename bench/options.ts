/** The bench's command line, and the plan (sizes and counts) for a full or a quick run. */
import { parseArgs } from 'node:util';
import type { Credentials } from './sigv4.js';
import type { ListConfig } from './workloads/list.js';
import type { LargeConfig } from './workloads/large.js';
import type { SmallConfig } from './workloads/small.js';

/** The parts of a run; --only picks some (to profile one of them, say). */
export type Workload = 'large' | 'small' | 'list' | 'memory';
const WORKLOADS: readonly Workload[] = ['large', 'small', 'list', 'memory'];

export interface Plan {
    rounds: number;
    workloads: ReadonlySet<Workload>;
    large: LargeConfig[];
    small: SmallConfig;
    list: ListConfig;
    memoryCheckBytes: number;
    primitiveBytes: number;
}

export interface BenchOptions {
    quick: boolean;
    plan: Plan;
    signedPayload: boolean;
    cpuProf: boolean;
    region: string;
    /** An external peer; absent means: start s3rver. */
    peer?: { endpoint: string; credentials: Credentials };
}

const MiB = 1024 * 1024;

const FULL: Plan = {
    rounds: 3,
    workloads: new Set(WORKLOADS),
    large: [
        { size: 64 * MiB, streams: 1, count: 4 },
        { size: 64 * MiB, streams: 8, count: 16 },
    ],
    small: { size: 4096, clients: 16, count: 4000 },
    list: { keys: 10_000, passes: 3 },
    memoryCheckBytes: 1024 * MiB,
    primitiveBytes: 256 * MiB,
};

const QUICK: Plan = {
    rounds: 1,
    workloads: new Set(WORKLOADS),
    large: [
        { size: 16 * MiB, streams: 1, count: 3 },
        { size: 16 * MiB, streams: 8, count: 8 },
    ],
    small: { size: 4096, clients: 16, count: 800 },
    list: { keys: 2_000, passes: 3 },
    memoryCheckBytes: 256 * MiB,
    primitiveBytes: 64 * MiB,
};

const USAGE = `npm run bench -- [options]
  --quick                 a short run (1 round, 16 MiB objects, 2,000 keys; under 3 minutes)
  --rounds N              rounds of the A B alternation (default 3, quick 1)
  --signed-payload        sign each body's SHA-256 instead of UNSIGNED-PAYLOAD
  --peer-endpoint URL     compare against this S3 server instead of starting s3rver
  --peer-access-key K     its access key
  --peer-secret-key S     its secret key
  --region R              the region to sign for (default us-east-1)
  --only W[,W...]         run only these workloads: large, small, list, memory
  --cpu-prof              run Coffer under node --cpu-prof (profiles in bench/results/profiles)`;

export function parseOptions(argv: string[]): BenchOptions {
    const { values } = parseArgs({
        args: argv,
        options: {
            quick: { type: 'boolean', default: false },
            rounds: { type: 'string' },
            only: { type: 'string' },
            'signed-payload': { type: 'boolean', default: false },
            'peer-endpoint': { type: 'string' },
            'peer-access-key': { type: 'string' },
            'peer-secret-key': { type: 'string' },
            region: { type: 'string', default: 'us-east-1' },
            'cpu-prof': { type: 'boolean', default: false },
            help: { type: 'boolean', default: false },
        },
    });
    if (values.help) {
        console.log(USAGE);
        process.exit(0);
    }
    const plan = { ...(values.quick ? QUICK : FULL) };
    if (values.rounds !== undefined) {
        plan.rounds = Number(values.rounds);
        if (!Number.isInteger(plan.rounds) || plan.rounds < 1)
            throw new Error('--rounds must be >= 1');
    }
    if (values.only !== undefined) plan.workloads = parseWorkloads(values.only);
    return {
        quick: values.quick,
        plan,
        signedPayload: values['signed-payload'],
        cpuProf: values['cpu-prof'],
        region: values.region,
        peer: peerOption(values),
    };
}

function peerOption(values: Record<string, unknown>): BenchOptions['peer'] {
    const endpoint = values['peer-endpoint'] as string | undefined;
    if (endpoint === undefined) return undefined;
    const accessKeyId = values['peer-access-key'] as string | undefined;
    const secretAccessKey = values['peer-secret-key'] as string | undefined;
    if (!accessKeyId || !secretAccessKey) {
        throw new Error('--peer-endpoint needs --peer-access-key and --peer-secret-key');
    }
    const url = new URL(endpoint);
    if (url.protocol !== 'http:') throw new Error('the bench client speaks plain http only');
    return { endpoint: url.origin, credentials: { accessKeyId, secretAccessKey } };
}

function parseWorkloads(list: string): Set<Workload> {
    const names = list.split(',').map((name) => name.trim());
    for (const name of names) {
        if (!WORKLOADS.includes(name as Workload))
            throw new Error(`--only: unknown workload ${name}`);
    }
    return new Set(names as Workload[]);
}
