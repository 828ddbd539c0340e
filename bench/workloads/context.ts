/** What a workload runs against in one round: a client, a bucket, a mode, the round number. */
import type { BenchClient } from '../client.js';
import type { Mode } from '../modes.js';
import type { PhaseTarget } from './phase.js';

export interface WorkloadContext extends PhaseTarget {
    client: BenchClient;
    bucket: string;
    mode: Mode;
    round: number;
}

const MiB = 1024 * 1024;

/** "1 GiB", "64 MiB", "4 KiB": sizes as the table prints them. */
export function sizeLabel(bytes: number): string {
    if (bytes >= 1024 * MiB) return `${bytes / (1024 * MiB)} GiB`;
    return bytes >= MiB ? `${bytes / MiB} MiB` : `${bytes / 1024} KiB`;
}
