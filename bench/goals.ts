/**
 * The targets Coffer is held to (issue "benchmark"): ratios against the peer's median, or
 * absolute bounds on Coffer's own numbers.
 */
import { ratio, summarize, type Series } from './stats.js';

export interface Goal {
    text: string;
    /** Whether Coffer's series (and the peer's, for ratios) meets the goal; undefined = unknown. */
    met(coffer: Series, peer?: Series): boolean | undefined;
}

function atLeastTimesPeer(factor: number): Goal {
    return {
        text: `>= ${factor}x peer`,
        met: (coffer, peer) => {
            const r = peer ? ratio(summarize(coffer.values), summarize(peer.values)) : NaN;
            return Number.isFinite(r) ? r >= factor : undefined;
        },
    };
}

function bound(text: string, test: (value: number) => boolean, pick: 'median' | 'max'): Goal {
    return {
        text,
        met: (coffer) => {
            const summary = summarize(coffer.values);
            const value = pick === 'median' ? summary.median : summary.max;
            return Number.isFinite(value) ? test(value) : undefined;
        },
    };
}

const P99_GOAL = bound('< 20 ms', (ms) => ms < 20, 'median');

/** Goals by metric id. */
export const GOALS: Readonly<Record<string, Goal>> = {
    'put.large.c1': atLeastTimesPeer(1.3),
    'put.large.c8': atLeastTimesPeer(1.3),
    'get.large.c1': atLeastTimesPeer(1.5),
    'get.large.c8': atLeastTimesPeer(1.5),
    'put.small': atLeastTimesPeer(2),
    'get.small': atLeastTimesPeer(3),
    'head.small': atLeastTimesPeer(3),
    'put.small.p99': P99_GOAL,
    'get.small.p99': P99_GOAL,
    'head.small.p99': P99_GOAL,
    list: bound('>= 40,000/s', (keys) => keys >= 40_000, 'median'),
    'rss.peak': bound('< 200 MiB (max)', (mib) => mib < 200, 'max'),
};
