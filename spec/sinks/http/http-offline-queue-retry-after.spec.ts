import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import type { OfflineStore } from '../../../lib/sinks/http/http-offline-queue';
import { installPageHideFlush } from '../../../lib/sinks/http/http-page-hide';
import { HttpSink } from '../../../lib/sinks/http/http-sink';
import { installFakePage, type FakePage } from '../../helpers/fake-page';
import { FakeStorage } from '../../helpers/fake-storage';
import { limitedFetch } from '../../helpers/limited-fetch';

// Found by a review: a server's Retry-After held the offline store's requests only in the memory
// of the page that was answered. A page reload (or another tab on the same store) replayed the
// stored batches at once, straight into the server's rate limit or maintenance window. The hold
// is now kept in the store next to the batches.

const URL = 'http://127.0.0.1:1/ingest';
const KEY = `rxlog:offline:${URL}`;
const HOLD = `${KEY}#until#`;

/** A store that lists its keys, as localStorage does: each batch under a key of its own. */
function keyedStorage(storage: FakeStorage): FakeStorage {
  return Object.defineProperties(storage, {
    key: { value: (index: number): string | null => [...storage.items.keys()][index] ?? null },
    length: { get: () => storage.items.size },
  });
}

const lines = (body: string): number[] => body.split('\n').map((line) => (JSON.parse(line) as { N: number }).N);

describe('HttpSink offline store keeping a Retry-After across page loads (fake timers)', () => {
  let page: FakePage;
  let storage: FakeStorage;

  beforeEach(() => {
    jest.useFakeTimers({ now: Date.parse('2026-10-21T07:00:00Z') });
    page = installFakePage();
    storage = new FakeStorage();
  });

  afterEach(() => {
    page.restore();
    jest.useRealTimers();
  });

  /** Puts a batch of one event into the store as an earlier page would have. */
  const stored = (store: FakeStorage, n: number, keyed: boolean): void => {
    if (keyed) store.items.set(`${KEY}#00000000${n}-a`, JSON.stringify({ count: 1, body: `{"N":${n}}` }));
    else
      store.items.set(
        KEY,
        JSON.stringify([
          ...(JSON.parse(store.items.get(KEY) ?? '[]') as unknown[]),
          { id: `a${n}`, count: 1, body: `{"N":${n}}` },
        ]),
      );
  };
  const sinkWith = (fetch: typeof globalThis.fetch, store: OfflineStore = storage): HttpSink =>
    new HttpSink({ url: URL, fetch, offline: { store } });

  it.each([
    ['one value under the key', false],
    ['a key of its own for each batch (localStorage)', true],
  ])('waits for the Retry-After an earlier page was answered with before its first replay (store: %s)', async (_case, keyed) => {
    const store = keyed ? keyedStorage(storage) : storage;
    stored(store, 1, keyed);
    const server = limitedFetch(30_000, 503);
    const first = sinkWith(server.fetch, store);
    await jest.advanceTimersByTimeAsync(10);
    expect(server.at).toHaveLength(1);
    // The page is reloaded 5 s into the wait.
    first.close();
    await jest.advanceTimersByTimeAsync(5_000);
    const next = sinkWith(server.fetch, store);
    await jest.advanceTimersByTimeAsync(10);
    expect(server.at).toHaveLength(1);
    expect(next.offline).toMatchObject({ pending: 1, dropped: 0 });
    await jest.advanceTimersByTimeAsync(server.opensAt - Date.now() - 1);
    expect(server.at).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(server.at).toEqual([server.at[0], server.opensAt]);
    expect(server.bodies).toEqual([[1]]);
    expect(next.offline).toMatchObject({ replayed: 1, dropped: 0, pending: 0 });
    // Over, and the server took the batch: nothing left to hold the next page.
    expect([...store.items.keys()]).toEqual([]);
    next.close();
  });

  it('holds the live batches of a reloaded page too, and sends them after the stored ones once the wait is over', async () => {
    stored(storage, 1, false);
    const server = limitedFetch(30_000, 503);
    const first = sinkWith(server.fetch);
    await jest.advanceTimersByTimeAsync(10);
    first.close();
    const sink = sinkWith(server.fetch);
    const log = new LoggerConfiguration().writeTo.sink(sink, { batch: { size: 100, maxDelayMs: 1_000 } }).createLogger();
    for (let n = 2; n < 12; n++) {
      log.information('Event {N}', n);
      await jest.advanceTimersByTimeAsync(1_000);
    }
    expect(server.at).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(server.opensAt - Date.now());
    expect(server.at.slice(1)).toEqual([server.opensAt]);
    expect(server.bodies.flat()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(log.metrics().sinks.http).toMatchObject({ received: 10, delivered: 10, failed: 0, pending: 0 });
    await log.close();
  });

  it.each([
    ['over (a second ago)', () => String(Date.now() - 1_000)],
    ['not a time', () => 'garbage'],
    ['empty', () => ''],
    ['a number in another form', () => `${Date.now() + 30_000}.5`],
    ['negative', () => String(-(Date.now() + 30_000))],
    ['further than the longest wait (10 minutes and 1 s away)', () => String(Date.now() + 601_000)],
  ])('replays at once, and takes the kept hold out, when it is %s', async (_case, value) => {
    stored(storage, 1, false);
    storage.items.set(HOLD, value());
    const server = limitedFetch(0, 503);
    const sink = sinkWith(server.fetch);
    await jest.advanceTimersByTimeAsync(10);
    expect(server.bodies).toEqual([[1]]);
    expect(sink.offline).toMatchObject({ replayed: 1, dropped: 0, pending: 0 });
    expect(storage.items.has(HOLD)).toBe(false);
    sink.close();
  });

  it('honours a kept hold of exactly the longest wait, 10 minutes', async () => {
    stored(storage, 1, false);
    storage.items.set(HOLD, String(Date.now() + 600_000));
    const server = limitedFetch(0, 503);
    const sink = sinkWith(server.fetch);
    await jest.advanceTimersByTimeAsync(600_000 - 1);
    expect(server.at).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(server.bodies).toEqual([[1]]);
    sink.close();
  });

  // A tab whose request was in flight when another tab was answered 429 sees it taken: the server
  // takes requests again, and the next page must not wait for a window that is over.
  it('takes the kept hold out when a request succeeds: the next page sends at once', async () => {
    const server = limitedFetch(30_000, 429);
    // Answers its first request when told to, the others at once.
    let answer: ((response: Response) => void) | undefined;
    const tabBodies: number[][] = [];
    const slowFetch = (_url: unknown, init?: RequestInit): Promise<Response> => {
      tabBodies.push(lines(init?.body as string));
      if (answer !== undefined) return Promise.resolve(new Response('', { status: 200 }));
      return new Promise((resolve) => (answer = resolve));
    };
    const tab = new LoggerConfiguration().writeTo.sink(sinkWith(slowFetch), { batch: { size: 1, maxDelayMs: 1 } }).createLogger();
    tab.information('Event {N}', 1);
    await jest.advanceTimersByTimeAsync(10);
    // Another tab (another sink on the same store) is answered 429 meanwhile, and keeps the hold.
    stored(storage, 2, false);
    const other = sinkWith(server.fetch);
    await jest.advanceTimersByTimeAsync(10);
    expect(server.at).toHaveLength(1);
    expect(Number(storage.items.get(HOLD))).toBe(server.at[0] + 30_000);
    answer!(new Response('', { status: 200 }));
    await jest.advanceTimersByTimeAsync(10);
    expect(tab.metrics().sinks.http).toMatchObject({ delivered: 1, pending: 0 });
    expect(storage.items.has(HOLD)).toBe(false);
    // The server took the tab's request: the tab goes on with the store.
    expect(tabBodies).toEqual([[1], [2]]);
    other.close();
    stored(storage, 3, false);
    const next = sinkWith(limitedFetch(0, 503).fetch);
    await jest.advanceTimersByTimeAsync(10);
    expect(next.offline).toMatchObject({ replayed: 1, pending: 0 });
    next.close();
    await tab.close();
  });

  it('ends the kept hold when its timer fires, whatever the clock says meanwhile', async () => {
    stored(storage, 1, false);
    stored(storage, 2, false);
    // 503 with Retry-After: 30, then a 500 (no Retry-After, no success to take the hold out).
    const statuses = [503, 500];
    const at: number[] = [];
    const fetch = (): Promise<Response> => {
      at.push(Date.now());
      const status = statuses[at.length - 1] ?? 200;
      return Promise.resolve(new Response('', { status, headers: status === 503 ? { 'Retry-After': '30' } : {} }));
    };
    const sink = sinkWith(fetch);
    await jest.advanceTimersByTimeAsync(10);
    expect(storage.items.has(HOLD)).toBe(true);
    // The device's clock is set back 5 minutes during the wait: the kept time seems 5 minutes away.
    jest.setSystemTime(Date.now() - 300_000);
    await jest.advanceTimersByTimeAsync(30_000);
    expect(at).toHaveLength(2);
    expect(storage.items.has(HOLD)).toBe(false);
    sink.close();
    // The next page does not wait for it either.
    const next = sinkWith(fetch);
    await jest.advanceTimersByTimeAsync(10);
    expect(at).toHaveLength(3);
    expect(next.offline).toMatchObject({ replayed: 2, pending: 0 });
    next.close();
  });

  it('keeps the hold in memory, throwing nothing, when the store refuses the write', async () => {
    stored(storage, 1, false);
    storage.refuse = true;
    const server = limitedFetch(30_000, 503);
    const sink = sinkWith(server.fetch);
    await jest.advanceTimersByTimeAsync(10);
    expect(server.at).toHaveLength(1);
    expect(storage.items.has(HOLD)).toBe(false);
    // This page still waits: the online event starts no replay before the end.
    goOnline(page);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(server.at).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(server.opensAt - Date.now());
    expect(server.at.slice(1)).toEqual([server.opensAt]);
    expect(sink.offline).toMatchObject({ replayed: 1, pending: 0 });
    sink.close();
  });

  it('keeps to the Retry-After the replay it waited for was answered with, when two pages start together', async () => {
    stored(storage, 1, false);
    // The second page's replay asks for its turn while the first one's request is on its way.
    const server = limitedFetch(30_000, 429, 100);
    const first = sinkWith(server.fetch);
    const second = sinkWith(server.fetch);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(server.at).toHaveLength(1);
    // The wait starts when the answer comes, 100 ms after the request.
    await jest.advanceTimersByTimeAsync(server.at[0] + 100 + 30_000 - Date.now());
    expect(server.at.slice(1)).toEqual([server.at[0] + 100 + 30_000]);
    await jest.advanceTimersByTimeAsync(100);
    expect(server.bodies).toEqual([[1]]);
    expect(first.offline!.replayed + second.offline!.replayed).toBe(1);
    first.close();
    second.close();
  });

  it('reads the hold another tab kept before sending a batch, while the store holds nothing to replay', async () => {
    const server = limitedFetch(30_000, 429);
    const sink = sinkWith(server.fetch);
    const log = new LoggerConfiguration().writeTo.sink(sink, { batch: { size: 100, maxDelayMs: 1_000 } }).createLogger();
    await jest.advanceTimersByTimeAsync(10);
    storage.items.set(HOLD, String(server.opensAt));
    log.information('Event {N}', 1);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(server.at).toEqual([]);
    expect(sink.offline).toMatchObject({ stored: 1, pending: 1 });
    await jest.advanceTimersByTimeAsync(server.opensAt - Date.now());
    expect(server.at).toEqual([server.opensAt]);
    expect(server.bodies).toEqual([[1]]);
    await log.close();
  });

  it('puts what a tab hides with into the store, not into a beacon, during the hold another tab kept', async () => {
    const server = limitedFetch(30_000, 429);
    const sink = sinkWith(server.fetch);
    const log = new LoggerConfiguration().writeTo.sink(sink, { batch: { size: 100, maxDelayMs: 60_000 } }).createLogger();
    const uninstall = installPageHideFlush(log, page.target);
    await jest.advanceTimersByTimeAsync(10);
    storage.items.set(HOLD, String(server.opensAt));
    log.information('Event {N}', 1);
    page.setVisibility('hidden');
    expect(page.calls).toBe(0);
    expect(sink.offline).toMatchObject({ stored: 1, pending: 1 });
    page.setVisibility('visible');
    await jest.advanceTimersByTimeAsync(server.opensAt - Date.now());
    expect(server.at).toEqual([server.opensAt]);
    expect(server.bodies).toEqual([[1]]);
    uninstall();
    await log.close();
  });

  // Tabs share the store, and so the hold: a tab already open reads it before each request.
  it('holds a tab already open to the Retry-After another tab was answered with: its batches go into the store until then', async () => {
    const server = limitedFetch(30_000, 429);
    const tab = sinkWith(server.fetch);
    const log = new LoggerConfiguration().writeTo.sink(tab, { batch: { size: 100, maxDelayMs: 1_000 } }).createLogger();
    const uninstall = installPageHideFlush(log, page.target);
    await jest.advanceTimersByTimeAsync(10);
    stored(storage, 1, false);
    const other = sinkWith(server.fetch);
    await jest.advanceTimersByTimeAsync(10);
    expect(server.at).toHaveLength(1);
    for (let n = 2; n < 7; n++) {
      log.information('Event {N}', n);
      await jest.advanceTimersByTimeAsync(1_000);
    }
    // The online event and a page hide with an open batch: no request, no beacon.
    goOnline(page);
    log.information('Event {N}', 7);
    page.setVisibility('hidden');
    page.setVisibility('visible');
    await jest.advanceTimersByTimeAsync(10);
    expect(server.at).toHaveLength(1);
    expect(page.calls).toBe(0);
    expect(tab.offline).toMatchObject({ stored: 6, pending: 7 });
    await jest.advanceTimersByTimeAsync(server.at[0] + 30_000 - Date.now());
    expect(server.at.slice(1)).toEqual([server.at[0] + 30_000]);
    expect(server.bodies.flat()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(log.metrics().sinks.http).toMatchObject({ received: 6, delivered: 6, failed: 0, pending: 0 });
    uninstall();
    other.close();
    await log.close();
  });
});

function goOnline(page: FakePage): void {
  page.target.dispatchEvent(new Event('online'));
}
