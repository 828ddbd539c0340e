/**
 * A performance sanity print, not an assertion on speed: list 10,000 keys through the
 * ListObjectsV2 handler in pages of 1000 (store query, records, XML) and print keys/s.
 * The benchmark target is 40,000 keys/s. It does assert the walk saw every key once.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { listObjectsV2 } from '../../src/s3/list.js';
import {
    BUCKET,
    call,
    keysOf,
    objectRecord,
    openStore,
    request,
    type Fixture,
} from './listing-fixture.js';

const KEYS = 10_000;
let fx: Fixture;

before(async () => {
    fx = await openStore();
    for (let i = 0; i < KEYS; i++) {
        const day = String(1 + (i % 28)).padStart(2, '0');
        const key = `logs/2026/01/${day}/part-${String(i).padStart(6, '0')}.json.gz`;
        await fx.store.putObject(objectRecord(key, { size: 1000 + i }));
    }
});
after(() => fx.close());

async function walk(): Promise<{ keys: number; pages: number }> {
    let keys = 0;
    let pages = 0;
    let token: string | undefined;
    do {
        const cursor = token ? `&continuation-token=${encodeURIComponent(token)}` : '';
        const page = await call(listObjectsV2, fx.store, `list-type=2&max-keys=1000${cursor}`);
        keys += keysOf(page).length;
        pages++;
        token = page.NextContinuationToken;
    } while (token);
    return { keys, pages };
}

test('list 10,000 keys in pages of 1000 and print keys/s', async () => {
    assert.deepEqual(await walk(), { keys: KEYS, pages: 10 }); // warm-up, and correctness
    const rounds = 5;
    const started = performance.now();
    for (let i = 0; i < rounds; i++) await walk();
    const seconds = (performance.now() - started) / 1000;
    const perSecond = Math.round((rounds * KEYS) / seconds);

    // The handler without parsing: what a client would wait for.
    const handlerStart = performance.now();
    let token: string | undefined;
    let served = 0;
    do {
        const cursor = token ? `&continuation-token=${encodeURIComponent(token)}` : '';
        const response = await listObjectsV2(request(fx.store, `list-type=2${cursor}`, BUCKET));
        const body = String(response.body);
        served += body.split('<Key>').length - 1;
        token = /<NextContinuationToken>([^<]*)</.exec(body)?.[1];
    } while (token);
    const handlerRate = Math.round(served / ((performance.now() - handlerStart) / 1000));
    console.log(
        `listing: ${perSecond} keys/s through handler + XML parse in the test; ` +
            `${handlerRate} keys/s handler only (target >= 40000)`,
    );
    assert.equal(served, KEYS);
});
