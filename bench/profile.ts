/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and ranks functions by self time: the samples in
 * which the function itself, not a callee, was on top of the stack.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
}

export interface SelfTimeEntry {
    function: string;
    location: string;
    selfMs: number;
    percent: number;
}

/**
 * The newest main-thread .cpuprofile in the directory, if any. Node names them
 * `CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile`; worker threads (Coffer checkpoints
 * SQLite's WAL on one) write their own, with a thread id other than 0.
 */
export function newestProfile(dir: string): string | undefined {
    let newest: { path: string; mtime: number } | undefined;
    for (const name of safeReaddir(dir)) {
        if (!/^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(name)) continue;
        const path = join(dir, name);
        const mtime = statSync(path).mtimeMs;
        if (!newest || mtime > newest.mtime) newest = { path, mtime };
    }
    return newest?.path;
}

function safeReaddir(dir: string): string[] {
    try {
        return readdirSync(dir);
    } catch {
        return [];
    }
}

/** The `limit` functions with the most self time, idle and GC included as V8 names them. */
export function topSelfTime(path: string, limit = 20): SelfTimeEntry[] {
    const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const totals = new Map<
        string,
        { entry: Omit<SelfTimeEntry, 'selfMs' | 'percent'>; us: number }
    >();
    let all = 0;
    profile.samples.forEach((id, i) => {
        const frame = byId.get(id)?.callFrame;
        const us = profile.timeDeltas[i] ?? 0;
        all += us;
        if (!frame) return;
        const location = frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : '(native)';
        const name = frame.functionName || '(anonymous)';
        const key = `${name} ${location}`;
        const total = totals.get(key) ?? { entry: { function: name, location }, us: 0 };
        total.us += us;
        totals.set(key, total);
    });
    return [...totals.values()]
        .sort((a, b) => b.us - a.us)
        .slice(0, limit)
        .map(({ entry, us }) => ({ ...entry, selfMs: us / 1000, percent: (100 * us) / all }));
}

/** The path from dist/ or node_modules/ on, which is what identifies a frame. */
function shortUrl(url: string): string {
    const match = /(?:\/dist\/|\/node_modules\/|node:).*$/.exec(url);
    return match ? match[0].replace(/^\//, '') : url;
}
