import { LokiSink } from '../../../lib/sinks/http/loki-sink';
import { TextFormatter } from '../../../lib/formatting/text-formatter';
import { makeEvent } from '../../helpers/events';
import { startTestServer, type ReceivedRequest, type Responder, type TestServer } from '../../helpers/http-test-server';

interface Push {
  streams: { stream: Record<string, string>; values: [string, string][] }[];
}

/** Loki's default `max_chunk_age` (2h): an entry more than half of it behind the stream's newest is too far behind. */
const HALF_MAX_CHUNK_AGE_NS = 3_600_000_000_000n;

/**
 * A stand-in for Loki's ingester (no Loki binary runs here: a real HTTP server on 127.0.0.1 that
 * answers as Loki does), judging each stream's entries in the order the push gives them, as
 * grafana/loki's `pkg/ingester/stream.go` does: `validateEntries` refuses an entry more than
 * `max_chunk_age / 2` behind the newest entry judged before it (`highestTs`, raised entry by entry:
 * `entry too far behind`), and with unordered writes off (Loki before 2.4, `unordered_writes:
 * false`) the ordered head block (`pkg/chunkenc/memchunk.go`, `headBlock.Append`) refuses one older
 * than the entry before it (`entry out of order`). The others are stored; the answer is
 * `errorForFailedEntries`'s 400, `total ignored: N out of M for stream: …`.
 */
function ingesterStandIn(ordered: boolean, stored: string[]): Responder {
  const newest = new Map<string, bigint>();
  return (request: ReceivedRequest) => {
    const push = JSON.parse(request.body) as Push;
    let answer: string | undefined;
    for (const { stream, values } of push.streams) {
      const name = JSON.stringify(stream);
      let ignored = '';
      let count = 0;
      for (const [nanos, line] of values) {
        const ts = BigInt(nanos);
        const highest = newest.get(name);
        const reason =
          highest === undefined
            ? undefined
            : ordered && ts < highest
              ? 'entry out of order'
              : ts < highest - HALF_MAX_CHUNK_AGE_NS
                ? 'entry too far behind'
                : undefined;
        if (reason !== undefined) {
          ignored += `entry with timestamp ${nanos} ignored, reason: '${reason}',\n`;
          count++;
          continue;
        }
        if (highest === undefined || ts > highest) newest.set(name, ts);
        stored.push(line);
      }
      answer =
        count === 0 ? undefined : `${ignored}user 'fake', total ignored: ${count} out of ${values.length} for stream: ${name}`;
    }
    return answer === undefined ? { status: 204 } : { status: 400, body: `${answer}\n` };
  };
}

describe('LokiSink and the order of a stream’s entries', () => {
  let server: TestServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const at = 1_700_000_000_000;
  const event = (text: string, ms: number, level: 'information' | 'error' = 'information') =>
    makeEvent({ text, level, timestamp: new Date(at + ms) });

  // Found by a review: a stream's entries went in the order the events came, and an event that came
  // after a later one (a clock stepped back, a timestamp taken before a delay, events merged from
  // several sources) was refused by a Loki that takes no out-of-order writes, and by any Loki when
  // it came more than an hour behind: counted failed, though sorted it would have been stored.
  it.each([
    ['with unordered writes off (Loki before 2.4)', true, [event('c', 2_000), event('a', 0), event('b', 1_000)]],
    ['an hour behind an entry before it, with unordered writes on', false, [event('b', 7_300_000), event('a', 0)]],
  ])('pushes each stream in time order, so Loki stores every entry (%s)', async (_, ordered, events) => {
    const stored: string[] = [];
    server = await startTestServer(ingesterStandIn(ordered, stored));
    const sink = new LokiSink({ url: server.url, formatter: new TextFormatter('{Message}') });

    const result = await sink.emit(events);

    expect(result).toBeUndefined();
    expect(stored).toEqual(['a', 'b', 'c'].slice(0, events.length));
  });

  it('sorts each stream of a batch of several levels on its own, stably, each event once', async () => {
    const stored: string[] = [];
    server = await startTestServer(ingesterStandIn(true, stored));
    const sink = new LokiSink({ url: server.url, formatter: new TextFormatter('{Message}') });
    const events = [
      event('info 3', 3),
      event('error 2', 2, 'error'),
      event('info 1a', 1),
      event('error 1', 1, 'error'),
      event('info 1b', 1),
      event('info 2', 2),
    ];

    await expect(sink.emit(events)).resolves.toBeUndefined();

    const pushes = server.requests.map((request) => (JSON.parse(request.body) as Push).streams[0]);
    expect(pushes.map(({ stream, values }) => [stream.level, values.map(([, line]) => line)])).toEqual([
      // Of one millisecond, in the order they were logged (a nanosecond apart).
      ['info', ['info 1a', 'info 1b', 'info 2', 'info 3']],
      ['error', ['error 1', 'error 2']],
    ]);
    for (const { values } of pushes) {
      const nanos = values.map(([ns]) => BigInt(ns));
      expect(nanos.every((ns, i) => i === 0 || ns > nanos[i - 1])).toBe(true);
    }
  });

  it('sorts times before 1970 too, which are negative nanoseconds', async () => {
    const stored: string[] = [];
    server = await startTestServer(ingesterStandIn(true, stored));
    const sink = new LokiSink({ url: server.url, formatter: new TextFormatter('{Message}') });
    const before = (text: string, ms: number) => makeEvent({ text, timestamp: new Date(ms) });

    await expect(
      sink.emit([before('1970', 5), before('1969', -1_000), before('1900', -2_208_988_800_000), before('1969b', -999)]),
    ).resolves.toBeUndefined();

    expect(stored).toEqual(['1900', '1969', '1969b', '1970']);
  });
});
