import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import { HttpSink } from '../../../lib/sinks/http/http-sink';
import { installFakePage, type FakePage } from '../../helpers/fake-page';
import { FakeStorage } from '../../helpers/fake-storage';

const URL = 'http://127.0.0.1:1/ingest';
const KEY = `rxlog:offline:${URL}`;
/** The most UTF-8 bytes of body the server takes; it answers 413 to a larger one. */
const LIMIT = 1_000;

const lines = (body: string): number[] => body.split('\n').map((line) => (JSON.parse(line) as { N: number }).N);

// Found by a review: a stored batch of several events larger than the size a 413 had taught the
// sink (from a live batch, or a joined replay) was sent whole once more, refused again, and only
// then cut. It is now cut in the store before it is sent, as a live batch is cut below that size,
// and the store holds no more bytes for it: a line body's halves are its lines.
describe('HttpSink offline store and the size a 413 taught (fake timers)', () => {
  let page: FakePage;
  let storage: FakeStorage;

  beforeEach(() => {
    jest.useFakeTimers();
    page = installFakePage();
    storage = new FakeStorage();
  });

  afterEach(() => {
    page.restore();
    jest.useRealTimers();
  });

  it('cuts a stored batch larger than the size a 413 taught in the store before sending it, not after a refusal', async () => {
    /** Each request's event numbers, and whether the server refused it. */
    const requests: { events: number[]; refused: boolean }[] = [];
    const fetch = (_url: unknown, init?: RequestInit): Promise<Response> => {
      const body = init?.body as string;
      const refused = Buffer.byteLength(body) > LIMIT;
      requests.push({ events: lines(body), refused });
      return Promise.resolve(new Response('', { status: refused ? 413 : 200 }));
    };
    const sink = new HttpSink({ url: URL, fetch, offline: { store: storage } });
    const log = new LoggerConfiguration().writeTo.sink(sink, { batch: { size: 40, maxDelayMs: 1_000 } }).createLogger();
    const padding = 'x'.repeat(60);
    // A live batch of 40 events (some 4 KB) teaches the sink that the server refuses large bodies.
    for (let n = 0; n < 40; n++) log.information('Event {N} {Padding}', n, padding);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(requests.some((request) => request.refused)).toBe(true);
    expect(log.metrics().sinks.http).toMatchObject({ delivered: 40, failed: 0 });
    // Another tab keeps a batch of 20 events (some 2 KB) meanwhile; the network comes back.
    const stored = Array.from({ length: 20 }, (_, n) => JSON.stringify({ N: 100 + n, Padding: padding })).join('\n');
    storage.items.set(KEY, JSON.stringify([{ id: 'a', count: 20, body: stored }]));
    const before = requests.length;
    page.target.dispatchEvent(new Event('online'));
    await jest.advanceTimersByTimeAsync(1_000);
    const replay = requests.slice(before);
    expect(replay.filter((request) => request.refused)).toEqual([]);
    expect(replay.flatMap((request) => request.events)).toEqual(Array.from({ length: 20 }, (_, n) => 100 + n));
    expect(sink.offline).toMatchObject({ replayed: 20, dropped: 0, pending: 0 });
    await log.close();
  });
});
