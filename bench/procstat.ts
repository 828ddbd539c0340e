/**
 * What a server process costs, read from Linux's /proc: CPU seconds (utime + stime from
 * /proc/<pid>/stat, threads included) and resident memory (VmRSS polled every 50 ms, VmHWM as
 * the kernel's own peak).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const SAMPLE_INTERVAL_MS = 50;

function clockTicksPerSecond(): number {
    try {
        return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
        return 100;
    }
}

const TICKS = clockTicksPerSecond();

/** User + system CPU seconds the process has used so far (NaN once it is gone). */
export function cpuSeconds(pid: number): number {
    let stat: string;
    try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
        return NaN;
    }
    // The command name (field 2) may hold spaces; the numeric fields follow its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** The named kB field of /proc/<pid>/status, in MiB (NaN when the process is gone). */
function statusMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
    try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
        return match ? Number(match[1]) / 1024 : NaN;
    } catch {
        return NaN;
    }
}

/** The kernel's record of the process's peak resident set, in MiB. */
export function highWaterMiB(pid: number): number {
    return statusMiB(pid, 'VmHWM');
}

/**
 * Polls a process's VmRSS every 50 ms. `mark()` starts a new window; `windowPeak()` is the
 * highest RSS seen since the last mark (one sample is taken on each call, so short windows
 * are never empty).
 */
export class RssSampler {
    private peak = 0;
    private readonly timer: NodeJS.Timeout;

    constructor(private readonly pid: number) {
        this.timer = setInterval(() => this.sample(), SAMPLE_INTERVAL_MS);
        this.timer.unref();
    }

    mark(): void {
        this.peak = 0;
        this.sample();
    }

    windowPeak(): number {
        this.sample();
        return this.peak;
    }

    stop(): void {
        clearInterval(this.timer);
    }

    private sample(): void {
        const rss = statusMiB(this.pid, 'VmRSS');
        if (rss > this.peak) this.peak = rss;
    }
}
