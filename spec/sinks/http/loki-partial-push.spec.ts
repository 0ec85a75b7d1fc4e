import { asapScheduler } from 'rxjs';
import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import type { Logger } from '../../../lib/pipeline/logger';
import type { SinkMetrics } from '../../../lib/metrics/metrics-types';
import { SelfLog } from '../../../lib/core/self-log';
import { MemorySink } from '../../../lib/sinks/memory-sink';
import { LokiSink } from '../../../lib/sinks/http/loki-sink';
import { TextFormatter } from '../../../lib/formatting/text-formatter';
import { type ReceivedRequest, startTestServer, type TestServer } from '../../helpers/http-test-server';
import { answeringServer } from '../../helpers/http-answers';
import { makeEvent } from '../../helpers/events';
import type { LogEvent } from '../../../lib/core/log-event';

/*
 * What Loki answers to a push it takes in part, copied from grafana/loki's source:
 *
 * pkg/ingester/stream.go, errorForFailedEntries (v3.7.6, lines 276-282; the same since v2.9.0):
 *   fmt.Fprintf(&buf, "entry with timestamp %s ignored, reason: '%s',\n", entryWithError.entry.Timestamp.String(), entryWithError.e.Error())
 *   fmt.Fprintf(&buf, "user '%s', total ignored: %d out of %d for stream: %s", s.tenant, len(failedEntriesWithError), totalEntries, streamName)
 *   return httpgrpc.Errorf(statusCode, "%s", buf.String())   // 400 when the last failed entry is out of order / too far behind
 * v2.8.0 (line 237): "user '%s', total ignored: %d out of %d" (entry lines end "' for stream: %s,\n");
 * v1.6.0 to v2.7 (v2.6.0 line 331): "total ignored: %d out of %d", len(failedEntriesWithError), len(entries)
 * pkg/chunkenc/interface.go (v3.7.6): "entry too far behind, entry timestamp is: %s, oldest acceptable timestamp is: %s" (RFC 3339)
 * pkg/ingester/instance.go, Push: `_, appendErr = s.Push(...)` for each stream of the push in turn, so the
 *   answer is the last stream's (nil when the last stream was fine).
 * pkg/distributor/http.go -> pkg/loghttp/push/push.go HTTPError -> net/http http.Error(w, body, code),
 *   which sets text/plain; charset=utf-8 and nosniff and writes the body with a newline (Fprintln).
 */

type LokiVersion = 'v3' | 'v2.8' | 'v2.6';

interface PushBody {
  streams: { stream: Record<string, string>; values: [string, string][] }[];
}

/** Go's `time.Time.String()` in UTC, as Loki writes an ignored entry's timestamp. */
function goTime(nanos: string): string {
  const ns = BigInt(nanos);
  const iso = new Date(Number(ns / 1_000_000n)).toISOString();
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction === '' ? '' : `.${fraction}`} +0000 UTC`;
}

function rfc3339(nanos: string | bigint): string {
  return `${new Date(Number(BigInt(nanos) / 1_000_000n)).toISOString().slice(0, 19)}Z`;
}

/** Prometheus' `labels.String()`, as Loki's `s.labelsString`: `{app="shop", level="info"}`, sorted. */
function labelsString(stream: Record<string, string>): string {
  const names = Object.keys(stream).sort();
  return `{${names.map((name) => `${name}=${JSON.stringify(stream[name])}`).join(', ')}}`;
}

/**
 * A Loki ingester's answer to a push: entries whose line contains "stale" are too far behind (a
 * later entry of the stream is over an hour newer); each stream is judged in turn and the answer is
 * the last stream's, as `instance.Push` does.
 */
function lokiAnswer(
  request: ReceivedRequest,
  version: LokiVersion = 'v3',
): { status: number; headers?: Record<string, string>; body?: string } {
  const push = JSON.parse(request.body) as PushBody;
  let answer: string | undefined;
  for (const { stream, values } of push.streams) {
    const newest = values.reduce((max, [nanos]) => (BigInt(nanos) > max ? BigInt(nanos) : max), 0n);
    const cutoff = newest - 3_600_000_000_000n;
    const ignored = values.filter(([, line]) => line.includes('stale'));
    const name = labelsString(stream);
    if (ignored.length === 0) {
      answer = undefined;
      continue;
    }
    let body = '';
    for (const [nanos] of ignored.slice(0, 10)) {
      const reason = `entry too far behind, entry timestamp is: ${rfc3339(nanos)}, oldest acceptable timestamp is: ${rfc3339(cutoff)}`;
      body += `entry with timestamp ${goTime(nanos)} ignored, reason: '${reason}'${version === 'v3' ? '' : ` for stream: ${name}`},\n`;
    }
    if (version === 'v3') body += `user 'fake', total ignored: ${ignored.length} out of ${values.length} for stream: ${name}`;
    else if (version === 'v2.8') body += `user 'fake', total ignored: ${ignored.length} out of ${values.length}`;
    else body += `total ignored: ${ignored.length} out of ${values.length}`;
    answer = body;
  }
  return answer === undefined
    ? { status: 204 }
    : {
        status: 400,
        headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
        body: `${answer}\n`,
      };
}

/** Logs `lines` at their levels, 5 an hour apart unless "stale" (two hours before the first). */
function logLines(log: Logger, lines: readonly [level: 'information' | 'error', text: string][]): void {
  const start = 1_700_000_000_000;
  const spy = jest.spyOn(Date, 'now');
  try {
    lines.forEach(([level, text], i) => {
      spy.mockReturnValue(text.includes('stale') ? start - 7_200_000 : start + i * 1_000);
      log.write(level, text);
    });
  } finally {
    spy.mockRestore();
  }
}

function expectAllCounted(metrics: SinkMetrics): void {
  expect(metrics.received).toBe(metrics.delivered + metrics.dropped + metrics.failed + metrics.pending);
}

describe('LokiSink and a push Loki takes in part', () => {
  let server: TestServer | undefined;
  let diagnostics: string[];

  beforeEach(() => {
    diagnostics = [];
    SelfLog.enable((message) => diagnostics.push(message));
  });

  afterEach(async () => {
    SelfLog.disable();
    await server?.close();
    server = undefined;
  });

  function logger(url: string, fallback?: MemorySink, batchSize = 5): Logger {
    return new LoggerConfiguration()
      .useScheduler(asapScheduler)
      .writeTo.sink(new LokiSink({ url, labels: { app: 'shop' } }), {
        batch: { size: batchSize, maxDelayMs: 0 },
        retry: { attempts: 3, initialDelayMs: 0 },
        fallback,
      })
      .createLogger();
  }

  /** Starts a Loki of `version`, logs `lines` through a logger with a fallback, and flushes. */
  async function pushLines(
    lines: readonly [level: 'information' | 'error', text: string][],
    version?: LokiVersion,
  ): Promise<{ loki: TestServer; log: Logger; fallback: MemorySink; metrics: SinkMetrics }> {
    const loki = await startTestServer((request) => lokiAnswer(request, version));
    server = loki;
    const fallback = new MemorySink();
    const log = logger(loki.url, fallback);
    logLines(log, lines);
    await log.flush();
    return { loki, log, fallback, metrics: log.metrics().sinks.loki };
  }

  it.each<LokiVersion>(['v3', 'v2.8', 'v2.6'])(
    'counts only the entries a %s Loki ignored failed, the rest delivered, and sends none again',
    async (version) => {
      const { loki, log, fallback, metrics } = await pushLines(
        [
          ['information', 'a'],
          ['information', 'stale b'],
          ['information', 'c'],
          ['information', 'stale d'],
          ['information', 'e'],
        ],
        version,
      );
      // Loki stored a, c and e, and says it ignored the other 2 of the 5 entries: they would be ignored again.
      expect(metrics).toMatchObject({ received: 5, delivered: 3, failed: 2, dropped: 0, pending: 0, retried: 0, fallback: 0 });
      expect(metrics.breaker).toBe('closed');
      expectAllCounted(metrics);
      expect(loki.requests).toHaveLength(1);
      expect(loki.requests[0].body.match(/\["/g)).toHaveLength(5);
      // Loki does not say which in a way rxlog can match to events: none goes to the fallback.
      expect(fallback.events).toHaveLength(0);
      expect(metrics.lastError).toBe('the receiver refused 2 of 5 events');
      const said = diagnostics.join('\n');
      expect(said).toContain('Loki ignored 2 of the 5 entries of a push and stored the rest');
      expect(said).toContain("ignored, reason: 'entry too far behind, entry timestamp is: 2023-11-14T20:13:20Z");
      expect((await log.close()).sinks.loki).toMatchObject({ delivered: 3, failed: 2, dropped: 0, undelivered: 0 });
    },
  );

  // Found by a review: Loki answers a push with its last stream's outcome (instance.Push), so a batch
  // of two levels whose first stream lost entries and whose last was fine was answered 204 and
  // counted delivered whole, the entries Loki ignored lost without a count.
  it('counts the entries Loki ignored in a stream that is not the last of the batch failed (one push per stream)', async () => {
    const { loki, log, fallback, metrics } = await pushLines([
      ['information', 'stale a'],
      ['information', 'b'],
      ['error', 'c'],
      ['information', 'd'],
    ]);
    expect(metrics).toMatchObject({ received: 4, delivered: 3, failed: 1, dropped: 0, retried: 0, fallback: 0 });
    // One stream per push, in the order of each level's first event: each answer is that stream's.
    expect(loki.requests.map((request) => (JSON.parse(request.body) as PushBody).streams.map((s) => s.stream.level))).toEqual([
      ['info'],
      ['error'],
    ]);
    expect(metrics.lastError).toBe('the receiver refused 1 of 4 events');
    expectAllCounted(metrics);
    expect(fallback.events).toHaveLength(0);
    await log.close();
  });

  it("fails a batch whose new stream is over the tenant's stream limit, though the stream after it was fine", async () => {
    // pkg/ingester/instance.go, onStreamCreationError: a new stream past max_global_streams_per_user
    // is refused with 429 (validation.StreamLimitErrorMsg), and the push is answered with its last
    // stream's outcome: before, a batch of an error and then an info event was answered 204 and both
    // counted delivered, the error event lost.
    const known = new Set<string>();
    const loki = await startTestServer((request) => {
      let answer: { status: number; body?: string } = { status: 204 };
      for (const { stream } of (JSON.parse(request.body) as PushBody).streams) {
        const name = labelsString(stream);
        if (!known.has(name) && known.size >= 1) {
          answer = {
            status: 429,
            body: `Maximum active stream limit exceeded when trying to create stream ${name}, reduce the number of active streams (reduce labels or reduce label values), or contact your Loki administrator to see if the limit can be increased, user: 'fake'\n`,
          };
          continue;
        }
        known.add(name);
        answer = { status: 204 };
      }
      return answer;
    });
    server = loki;
    const fallback = new MemorySink();
    const log = logger(loki.url, fallback);
    logLines(log, [['information', 'first']]);
    await log.flush();
    logLines(log, [
      ['error', 'boom'],
      ['information', 'after'],
    ]);
    await log.flush();
    const metrics = log.metrics().sinks.loki;
    // The fallback's deliveries count delivered: the two events of the failed batch went there.
    expect(metrics).toMatchObject({ received: 3, delivered: 3, failed: 0, retried: 2, fallback: 2 });
    expect(metrics.lastError).toContain('answered 429 Too Many Requests: Maximum active stream limit exceeded');
    expect(fallback.events.map((event) => event.messageTemplate.text)).toEqual(['boom', 'after']);
    // Each attempt stopped at the refused stream: the info event was not stored behind it uncounted.
    expect(loki.requests.slice(1).map((request) => (JSON.parse(request.body) as PushBody).streams[0].stream.level)).toEqual([
      'error',
      'error',
      'error',
    ]);
    expectAllCounted(metrics);
    await log.close();
  });

  // Found by a review (round 37): a retry pushed the streams Loki had stored again, which Loki drops
  // only while an entry of the same time and line is in its head block (pkg/chunkenc/unordered.go,
  // unorderedHeadBlock.Append; pkg/ingester/stream.go, validateEntries, compares with the last line
  // only): a retry after the block was cut stored them twice.
  it('says which streams Loki stored before a later push of the batch failed, and does not push them again on the retry', async () => {
    server = await startTestServer((_, index) =>
      index === 1 ? { status: 503, body: 'ingester unavailable\n' } : { status: 204 },
    );
    const log = logger(server.url);
    logLines(log, [
      ['information', 'a'],
      ['error', 'b'],
    ]);
    await log.close({ strategy: 'flush' });
    expect(log.metrics().sinks.loki).toMatchObject({ received: 2, delivered: 2, failed: 0, retried: 1 });
    const bodies = server.requests.map((request) => request.body);
    // info, error (503), then the retry: error only, with the same timestamps.
    expect(bodies).toHaveLength(3);
    expect(bodies[2]).toBe(bodies[1]);
    expect(diagnostics.join('\n')).toContain(
      'a push failed after Loki stored 1 entries of its batch, which count with the batch and are not pushed again when it is sent again',
    );
  });

  // Found by a review: a sink shared by two loggers (docs/sinks.md's wrapper) or the fallback of
  // several sinks is sent two batches at once. What each stored before its failure was remembered
  // as what was remembered when it began plus its own, so the second failure replaced the first's
  // and that batch's retry pushed its stored level again (Loki drops a repeat only while it is in
  // its head block).
  it('does not push again what Loki stored of either of two batches sent at once, when both fail and are retried', async () => {
    const failed = new Set<string>();
    server = await startTestServer((request) => {
      const { values } = (JSON.parse(request.body) as PushBody).streams[0];
      const line = values[0][1];
      // Each error level's first push is refused 503; every other push is stored.
      if (!line.startsWith('error') || failed.has(line)) return { status: 204 };
      failed.add(line);
      return { status: 503, body: 'ingester unavailable\n' };
    });
    const sink = new LokiSink({ url: server.url, formatter: new TextFormatter('{Message}') });
    const batch = (name: string): LogEvent[] => [
      makeEvent({ text: `info ${name}` }),
      makeEvent({ text: `error ${name}`, level: 'error' }),
    ];
    const [first, second] = [batch('a'), batch('b')];
    const outcomes = await Promise.allSettled([sink.emit(first), sink.emit(second)]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    // The delivery stage retries each batch.
    await expect(sink.emit(first)).resolves.toBeUndefined();
    await expect(sink.emit(second)).resolves.toBeUndefined();
    const lines = server.requests.flatMap((request) =>
      (JSON.parse(request.body) as PushBody).streams.flatMap(({ values }) => values.map(([, line]) => line)),
    );
    // Each info line once; each error line twice (refused, then stored).
    expect(lines.filter((line) => line.startsWith('info')).sort()).toEqual(['info a', 'info b']);
    expect(lines.filter((line) => line.startsWith('error')).sort()).toEqual(['error a', 'error a', 'error b', 'error b']);
    sink.close();
  });

  it('keeps what Loki stored of a failed batch while a batch begun before it ends', async () => {
    // A fetch that answers in the order the test lets it: the first push of "error f" and "error g"
    // 503, the others 204, and "info c" only once released.
    const lines: string[] = [];
    const failed = new Set<string>();
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const fetch = async (_: unknown, init?: RequestInit): Promise<Response> => {
      const line = (JSON.parse(init?.body as string) as PushBody).streams[0].values[0][1];
      lines.push(line);
      if (line === 'info c') await released;
      if (line === 'error c' || !line.startsWith('error') || failed.has(line)) return new Response(null, { status: 204 });
      failed.add(line);
      return new Response('ingester unavailable\n', { status: 503 });
    };
    const sink = new LokiSink({ url: 'http://127.0.0.1:9/', formatter: new TextFormatter('{Message}'), fetch });
    const batch = (name: string): LogEvent[] => [
      makeEvent({ text: `info ${name}` }),
      makeEvent({ text: `error ${name}`, level: 'error' }),
    ];
    const [f, c, g] = [batch('f'), batch('c'), batch('g')];
    await expect(sink.emit(f)).rejects.toMatchObject({ status: 503 });
    // c begins while Loki's "info f" is remembered; f's retry then pushes "error f" alone and ends
    // that memory, and g stores "info g" and fails.
    const slow = sink.emit(c);
    await expect(sink.emit(f)).resolves.toBeUndefined();
    await expect(sink.emit(g)).rejects.toMatchObject({ status: 503 });
    release();
    await expect(slow).resolves.toBeUndefined();
    // g's retry: "error g" alone.
    await expect(sink.emit(g)).resolves.toBeUndefined();
    expect(lines).toEqual(['info f', 'error f', 'info c', 'error f', 'info g', 'error g', 'error c', 'error g']);
    sink.close();
  });

  it('retries only the stream over the tenant limit (429) after the others were stored; a batch that fails for good still goes whole to the fallback', async () => {
    // A stand-in for Loki's ingester (pkg/ingester/instance.go, onStreamCreationError): a new stream
    // past the tenant's stream limit (1 here) is refused with 429 (validation.StreamLimitErrorMsg),
    // which Loki's clients retry: streams may go idle and free the limit.
    const known = new Set<string>();
    server = await startTestServer((request) => {
      const name = labelsString((JSON.parse(request.body) as PushBody).streams[0].stream);
      if (!known.has(name) && known.size >= 1) return { status: 429, body: 'Maximum active stream limit exceeded\n' };
      known.add(name);
      return { status: 204 };
    });
    const fallback = new MemorySink();
    const log = logger(server.url, fallback);
    logLines(log, [['information', 'first']]);
    await log.flush();
    logLines(log, [
      ['information', 'x'],
      ['error', 'boom'],
    ]);
    await log.flush();
    expect(server.requests.slice(1).map((request) => (JSON.parse(request.body) as PushBody).streams[0].stream.level)).toEqual([
      'info',
      'error',
      'error',
      'error',
    ]);
    // The delivery stage holds the batch whole: the fallback gets the stored info event too (SelfLog says so).
    expect(fallback.events.map((event) => event.messageTemplate.text)).toEqual(['x', 'boom']);
    expect(diagnostics.join('\n')).toContain('a push failed after Loki stored 1 entries of its batch');
    expectAllCounted(log.metrics().sinks.loki);
    await log.close();
  });

  it("counts Loki's count of a stored stream once when the batch is retried without it", async () => {
    // The info stream: 1 of 2 entries ignored (too far behind), then the error stream answers 503 once.
    let calls = 0;
    server = await startTestServer((request) => {
      calls++;
      return calls === 2 ? { status: 503, body: 'ingester unavailable\n' } : lokiAnswer(request);
    });
    const log = logger(server.url);
    logLines(log, [
      ['information', 'stale a'],
      ['information', 'b'],
      ['error', 'c'],
    ]);
    await log.close({ strategy: 'flush' });
    expect(log.metrics().sinks.loki).toMatchObject({ received: 3, delivered: 2, failed: 1, retried: 1 });
    expect(server.requests.map((request) => (JSON.parse(request.body) as PushBody).streams[0].stream.level)).toEqual([
      'info',
      'error',
      'error',
    ]);
  });

  // A gateway in front of Loki (nginx's client_max_body_size) answers 413 to a level's push after an
  // earlier level's push was stored, and HttpSink sends the batch again in halves: before, each half
  // pushed the stored level's entries again, which Loki drops only while they are in
  // its head block (a cut block keeps a second copy).
  it('does not push again the entries of a level Loki stored when a later level is answered 413 and the batch goes in halves', async () => {
    // A stand-in for a gateway with a body limit in front of Loki (no Loki binary here): 413 past 3 000 bytes.
    server = await startTestServer((request) =>
      request.body.length > 3_000 ? { status: 413, body: 'Request Entity Too Large\n' } : { status: 204 },
    );
    const log = logger(server.url, undefined, 4);
    const big = 'x'.repeat(2_000);
    logLines(log, [
      ['information', 'a'],
      ['error', `E1 ${big}`],
      ['information', 'b'],
      ['error', `E2 ${big}`],
    ]);
    await log.close({ strategy: 'flush' });
    expect(log.metrics().sinks.loki).toMatchObject({ received: 4, delivered: 4, failed: 0 });
    const stored = server.requests
      .filter((request) => request.body.length <= 3_000)
      .flatMap((request) => (JSON.parse(request.body) as PushBody).streams.flatMap((stream) => stream.values))
      .map(([, line]) => /"@mt":"(E\d|a|b)/.exec(line)?.[1]);
    // Each entry reached Loki once.
    expect(stored.sort()).toEqual(['E1', 'E2', 'a', 'b']);
  });

  // Found by a review: HttpSink learns from a 413 the size the server takes (the largest body it
  // took, at least half the one it refused) and cuts later batches below it before sending them. A
  // body of several levels goes as a push per level, each smaller, so its acceptance taught a size
  // the gateway never took: every later batch of one level between the gateway's limit and that size
  // was uploaded whole and refused once more before its halves went.
  it("cuts batches of one level below a gateway's limit after a 413, whatever size bodies of several levels went at", async () => {
    // A stand-in for a gateway with a body limit in front of Loki (no Loki binary here): 413 past 3 000 bytes.
    server = await startTestServer((request) =>
      request.body.length > 3_000 ? { status: 413, body: 'Request Entity Too Large\n' } : { status: 204 },
    );
    const log = logger(server.url, undefined, 100);
    const line = (size: number): string => 'x'.repeat(size);
    // A body of about 4 200 bytes, two pushes of about 2 100 each: both stored.
    log.information(line(1_900));
    log.error(line(1_900));
    await log.flush();
    // Bodies of one level, each over 3 000 bytes: the first is refused and goes in halves.
    for (const size of [2_000, 1_800, 1_700, 1_600]) {
      log.information(line(size));
      log.information(line(size));
      await log.flush();
    }
    expect(log.metrics().sinks.loki).toMatchObject({ received: 10, delivered: 10, failed: 0 });
    // Only the first was refused: the later ones were cut below the size the gateway took.
    expect(server.requests.filter((request) => request.body.length > 3_000)).toHaveLength(1);
    await log.close();
  });

  it('counts the entries Loki ignored of a stored level once, and pushes none of them again, when the halves of a 413 are split again', async () => {
    // The info stream: 2 of its 4 entries ignored ("stale", as lokiAnswer does), the rest stored;
    // then a gateway's 413 past 3 000 bytes (no Loki binary here) to the error stream, whose halves go on.
    server = await startTestServer((request) =>
      request.body.length > 3_000 ? { status: 413, body: 'Request Entity Too Large\n' } : lokiAnswer(request),
    );
    const log = logger(server.url, undefined, 6);
    const big = 'x'.repeat(2_000);
    logLines(log, [
      ['information', 'stale a'],
      ['error', `E1 ${big}`],
      ['error', `E2 ${big}`],
      ['information', 'stale b'],
      ['information', 'c'],
      ['information', 'd'],
    ]);
    await log.close({ strategy: 'flush' });
    const metrics = log.metrics().sinks.loki;
    expect(metrics).toMatchObject({ received: 6, delivered: 4, failed: 2, dropped: 0 });
    expectAllCounted(metrics);
    const pushed = server.requests
      .filter((request) => request.body.length <= 3_000)
      .flatMap((request) => (JSON.parse(request.body) as PushBody).streams.flatMap((stream) => stream.values))
      .map(([, line]) => /"@mt":"(E\d|stale a|stale b|c|d)"?/.exec(line)?.[1]);
    expect(pushed.sort()).toEqual(['E1', 'E2', 'c', 'd', 'stale a', 'stale b']);
  });

  it("sends each push of a batch of several levels with the tenant and basic auth, and counts a proxy's 200 with a body delivered", async () => {
    server = await startTestServer(() => ({
      status: 200,
      headers: { 'Content-Type': 'text/plain' },
      body: 'ok\n'.repeat(10_000),
    }));
    const url = server.url.replace('http://', 'http://user:secret@');
    const log = new LoggerConfiguration()
      .useScheduler(asapScheduler)
      .writeTo.sink(new LokiSink({ url, tenantId: 'team-a', labels: { app: 'shop' } }), { batch: { size: 3, maxDelayMs: 0 } })
      .createLogger();
    logLines(log, [
      ['information', 'a'],
      ['error', 'b'],
      ['information', 'c'],
    ]);
    await log.close({ strategy: 'flush' });
    expect(log.metrics().sinks.loki).toMatchObject({ received: 3, delivered: 3, failed: 0, retried: 0 });
    expect(server.requests.map((request) => [request.headers['x-scope-orgid'], request.headers.authorization])).toEqual([
      ['team-a', `Basic ${Buffer.from('user:secret').toString('base64')}`],
      ['team-a', `Basic ${Buffer.from('user:secret').toString('base64')}`],
    ]);
    expect(server.requests.map((request) => (JSON.parse(request.body) as PushBody).streams)).toEqual([
      [{ stream: { app: 'shop', level: 'info' }, values: [expect.any(Array), expect.any(Array)] }],
      [{ stream: { app: 'shop', level: 'error' }, values: [expect.any(Array)] }],
    ]);
  });

  it("counts Loki's count of a stream of a batch of several levels, now that each level is its own push", async () => {
    // Before, the push carried both streams and Loki's "1 out of 2 for stream: {…level="error"}" said
    // nothing of the info stream: the whole batch failed (to the fallback) though Loki stored 4 entries.
    const { loki, log, fallback, metrics } = await pushLines([
      ['information', 'a'],
      ['information', 'b'],
      ['error', 'stale c'],
      ['information', 'd'],
      ['error', 'e'],
    ]);
    expect(loki.requests.map((request) => request.body.match(/\["/g)?.length)).toEqual([3, 2]);
    expect(metrics).toMatchObject({ received: 5, delivered: 4, failed: 1, fallback: 0, retried: 0 });
    expect(metrics.lastError).toBe('the receiver refused 1 of 5 events');
    expectAllCounted(metrics);
    expect(fallback.events).toHaveLength(0);
    expect(diagnostics.join('\n')).toContain('Loki ignored 1 of the 2 entries of a push and stored the rest');
    await log.close();
  });

  /**
   * A stand-in for Loki's distributor (Loki itself cannot run here), written from grafana/loki
   * 65e30f84: pkg/distributor/validator.go lines 101-122, ValidateEntry: an entry older than
   * reject_old_samples_max_age is refused with GreaterThanMaxSampleAgeErrorMsg, a line longer than
   * max_line_size with LineTooLongErrorMsg (pkg/validation/validate.go); pkg/distributor/distributor.go
   * lines 767-771 and 921-932: the refused entries are left out, the other entries and streams of the
   * push are stored, and the push is answered 400 with util.GroupedErrors' text (pkg/util/errors/
   * errors.go, the same since v2.9.0): the distinct messages joined by "; ", each after "N errors
   * like: " unless there is one message, once. Here an entry whose line contains "ancient" is too
   * old, one whose line contains "long" too long.
   */
  function distributor(stored: string[]): (request: ReceivedRequest) => { status: number; body?: string } {
    return (request) => {
      const errors = new Map<string, number>();
      for (const { stream, values } of (JSON.parse(request.body) as PushBody).streams)
        for (const [nanos, line] of values) {
          const error = line.includes('ancient')
            ? `entry for stream '${labelsString(stream)}' has timestamp too old: ${rfc3339(nanos)}, oldest acceptable timestamp is: 2023-11-07T22:13:20Z`
            : line.includes('long')
              ? `max entry size '64' bytes exceeded for stream '${labelsString(stream)}' while adding an entry with length '${Buffer.byteLength(line)}' bytes`
              : undefined;
          if (error === undefined) stored.push(line);
          else errors.set(error, (errors.get(error) ?? 0) + 1);
        }
      if (errors.size === 0) return { status: 204 };
      const grouped = Array.from(errors, ([error, n]) => (errors.size > 1 || n > 1 ? `${n} errors like: ${error}` : error));
      return {
        status: 400,
        headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
        body: `${grouped.join('; ')}\n`,
      } as { status: number; body?: string };
    };
  }

  // Found by a review (round 39): Loki's distributor stores the entries of a push it finds valid and
  // answers 400 naming (and, since v2.9, counting) those it refused; a one-level batch with one entry
  // too old failed whole, to the fallback, its stored entries counted failed and written there too.
  it.each([
    ['one entry', ['a', 'ancient b', 'c'], 2, 1, 'entry for stream \'{app="shop", level="info"}\' has timestamp too old'],
    [
      'several entries, for several reasons',
      ['a', 'ancient b', 'long line c is longer than sixty-four bytes, the max_line_size of this Loki', 'd', 'ancient e'],
      2,
      3,
      'errors like: ',
    ],
  ] as const)(
    "counts only the entries Loki's distributor refused (%s) failed, the rest delivered, and sends none again",
    async (_, lines, delivered, failed, reason) => {
      const stored: string[] = [];
      server = await startTestServer(distributor(stored));
      const fallback = new MemorySink();
      const log = logger(server.url, fallback);
      logLines(
        log,
        lines.map((line) => ['information', line]),
      );
      await log.flush();
      const metrics = log.metrics().sinks.loki;
      expect(metrics).toMatchObject({ received: lines.length, delivered, failed, retried: 0, fallback: 0 });
      expect(metrics.lastError).toBe(`the receiver refused ${failed} of ${lines.length} events`);
      expect(metrics.breaker).toBe('closed');
      expectAllCounted(metrics);
      expect(fallback.events).toHaveLength(0);
      expect(server.requests).toHaveLength(1);
      expect(stored).toHaveLength(delivered);
      expect(diagnostics.join('\n')).toContain(
        `Loki ignored ${failed} of the ${lines.length} entries of a push and stored the rest: `,
      );
      expect(diagnostics.join('\n')).toContain(reason);
      expect((await log.close()).sinks.loki).toMatchObject({ delivered, failed, undelivered: 0 });
    },
  );

  it("counts the entries Loki's distributor refused in one level of a batch of several failed, the rest delivered", async () => {
    const stored: string[] = [];
    server = await startTestServer(distributor(stored));
    const log = logger(server.url);
    logLines(log, [
      ['information', 'a'],
      ['information', 'ancient b'],
      ['error', 'c'],
      ['information', 'ancient d'],
      ['information', 'e'],
    ]);
    await log.flush();
    const metrics = log.metrics().sinks.loki;
    expect(metrics).toMatchObject({ received: 5, delivered: 3, failed: 2, retried: 0, fallback: 0 });
    expect(metrics.lastError).toBe('the receiver refused 2 of 5 events');
    expect(server.requests).toHaveLength(2);
    expect(stored).toHaveLength(3);
    expectAllCounted(metrics);
    await log.close();
  });

  it("reads the distributor's refusal of a line too long as Loki 2.9 to 3.3 write it ('Max entry size')", async () => {
    // pkg/validation/validate.go at v2.9.0 and v3.0.0: LineTooLongErrorMsg starts with a capital M.
    server = await startTestServer(() => ({
      status: 400,
      body: `Max entry size '64' bytes exceeded for stream '{app="shop", level="info"}' while adding an entry with length '100' bytes\n`,
    }));
    const log = logger(server.url);
    logLines(log, [
      ['information', 'a'],
      ['information', 'b'],
      ['information', 'c'],
    ]);
    await log.close({ strategy: 'flush' });
    expect(log.metrics().sinks.loki).toMatchObject({ received: 3, delivered: 2, failed: 1, retried: 0 });
  });

  it("fails a push whole when Loki's distributor refused the stream rather than entries (a policy's required labels)", async () => {
    // pkg/distributor/distributor.go lines 757-762: MissingEnforcedLabelsErrorMsg, one error for the whole stream.
    server = await startTestServer(() => ({
      status: 400,
      body: "missing required labels 'team' for user 'fake' for stream '{app=\"shop\", level=\"info\"}' (policy: '')\n",
    }));
    const log = logger(server.url);
    logLines(log, [
      ['information', 'a'],
      ['information', 'b'],
    ]);
    await log.close({ strategy: 'flush' });
    expect(log.metrics().sinks.loki).toMatchObject({ received: 2, delivered: 0, failed: 2, retried: 0 });
  });

  // Found by a review (round 37): a stream Loki refused with a 400 failed its whole batch to the
  // fallback, the streams Loki stored before it included (there twice, and counted failed), and the
  // streams after it were never sent.
  it.each([
    ['after', ['information', 'error', 'information']],
    ['before', ['error', 'information', 'information']],
  ] as const)(
    'counts a stream Loki refuses with a 400 failed alone, the streams %s it delivered, and sends none again',
    async (_, levels) => {
      const stored: string[] = [];
      server = await startTestServer(distributor(stored));
      const fallback = new MemorySink();
      const log = logger(server.url, fallback);
      logLines(
        log,
        levels.map((level, i) => [level, level === 'error' ? 'ancient' : `line ${i}`]),
      );
      await log.flush();
      const metrics = log.metrics().sinks.loki;
      expect(metrics).toMatchObject({ received: 3, delivered: 2, failed: 1, retried: 0, fallback: 0 });
      expect(metrics.lastError).toBe('the receiver refused 1 of 3 events');
      expectAllCounted(metrics);
      expect(fallback.events).toHaveLength(0);
      // One push per stream, each once: Loki has the two info entries, neither twice.
      expect(server.requests).toHaveLength(2);
      expect(stored.map((line) => (JSON.parse(line) as { '@mt': string })['@mt']).sort()).toEqual(
        levels[0] === 'error' ? ['line 1', 'line 2'] : ['line 0', 'line 2'],
      );
      expect(diagnostics.join('\n')).toContain(
        `Loki refused the 1 entries of the error stream of a batch, which count failed; the other streams are sent: entry for stream '{app="shop", level="error"}' has timestamp too old`,
      );
      expect((await log.close()).sinks.loki).toMatchObject({ delivered: 2, failed: 1, undelivered: 0 });
    },
  );

  // Found by review: bytesWritten added the body HttpSink built of a batch whenever its last push
  // succeeded: with the bytes of a level Loki refused whole (a 400), and, on the retry after a later
  // level failed, with the level Loki had stored before and the retry left out; what a push stored
  // before a failure that lasted was never counted. It counts the pushes Loki took now, each once.
  it.each([
    ['a level Loki refuses whole with a 400', 'ancient b', 2],
    ['a retry after a later level failed (503)', 'b', 3],
  ])('counts in bytesWritten the bytes of the pushes Loki took: %s', async (_, errorLine, requests) => {
    const stored: string[] = [];
    const answer = distributor(stored);
    const taken: number[] = [];
    server = await startTestServer((request, index) => {
      const given = errorLine === 'b' && index === 1 ? { status: 503, body: 'ingester unavailable\n' } : answer(request);
      if (given.status < 300) taken.push(Buffer.byteLength(request.body));
      return given;
    });
    const log = logger(server.url);
    logLines(log, [
      ['information', 'a'],
      ['error', errorLine],
    ]);
    await log.flush();
    expect(server.requests).toHaveLength(requests);
    expect(taken).toHaveLength(errorLine === 'b' ? 2 : 1);
    expect(log.metrics().sinks.loki.bytesWritten).toBe(taken.reduce((sum, bytes) => sum + bytes, 0));
    await log.close();
  });

  it('counts nothing in bytesWritten for a one-level batch Loki refuses whole, and a push it stored in part whole', async () => {
    const stored: string[] = [];
    const answer = distributor(stored);
    server = await startTestServer(answer);
    const log = logger(server.url);
    logLines(log, [['information', 'ancient a']]);
    await log.flush();
    expect(log.metrics().sinks.loki).toMatchObject({ failed: 1, bytesWritten: 0 });
    logLines(log, [
      ['information', 'b'],
      ['information', 'ancient c'],
    ]);
    await log.flush();
    expect(log.metrics().sinks.loki).toMatchObject({
      delivered: 1,
      failed: 2,
      bytesWritten: Buffer.byteLength(server.requests[1].body),
    });
    await log.close();
  });

  it('fails a batch whose every stream Loki refuses with a 400 whole, to the fallback, as a one-stream batch', async () => {
    const stored: string[] = [];
    server = await startTestServer(distributor(stored));
    const fallback = new MemorySink();
    const log = logger(server.url, fallback);
    logLines(log, [
      ['information', 'ancient a'],
      ['error', 'ancient b'],
    ]);
    await log.flush();
    const metrics = log.metrics().sinks.loki;
    expect(metrics).toMatchObject({ received: 2, retried: 0, fallback: 2 });
    expect(metrics.lastError).toContain('answered 400 Bad Request: entry for stream \'{app="shop", level="error"}\'');
    expect(fallback.events.map((event) => event.messageTemplate.text)).toEqual(['ancient a', 'ancient b']);
    expect(stored).toEqual([]);
    expectAllCounted(metrics);
    await log.close();
  });

  it('counts the whole batch failed, as before, when Loki ignored every entry', async () => {
    server = await startTestServer((request) => lokiAnswer(request));
    const log = logger(server.url);
    logLines(log, [
      ['information', 'stale a'],
      ['information', 'stale b'],
    ]);
    await log.close({ strategy: 'flush' });
    const metrics = log.metrics().sinks.loki;
    expect(metrics).toMatchObject({ received: 2, delivered: 0, failed: 2, retried: 0 });
    expect(metrics.lastError).toContain('answered 400 Bad Request: entry with timestamp');
    expectAllCounted(metrics);
  });

  it('counts the entries of a push right when a line or a label value ends with "["', async () => {
    // In the JSON push, such a string's "[" and its closing quote read `["`, the opening of an entry:
    // the push was counted 3 + 3 entries, Loki's "1 out of 3" did not match, and all 3 counted failed.
    server = await startTestServer((request) => lokiAnswer(request));
    const log = new LoggerConfiguration()
      .useScheduler(asapScheduler)
      .writeTo.sink(new LokiSink({ url: server.url, labels: { app: 'shop [' }, formatter: new TextFormatter('{Message}') }), {
        batch: { size: 3, maxDelayMs: 0 },
      })
      .createLogger();
    logLines(log, [
      ['information', 'items: ['],
      ['information', 'stale ["1", ['],
      ['information', 'c'],
    ]);
    await log.flush();
    const metrics = log.metrics().sinks.loki;
    expect(metrics).toMatchObject({ received: 3, delivered: 2, failed: 1, retried: 0 });
    expect(metrics.lastError).toBe('the receiver refused 1 of 3 events');
    await log.close();
  });

  it("compares Loki's count with the half of a batch a 413 split sent", async () => {
    server = await startTestServer((request, index) =>
      index === 0 ? { status: 413, body: 'request too large' } : lokiAnswer(request),
    );
    const log = logger(server.url, undefined, 6);
    logLines(log, [
      ['information', 'a'],
      ['information', 'stale b'],
      ['information', 'c'],
      ['information', 'd'],
      ['information', 'e'],
      ['information', 'f'],
    ]);
    await log.flush();
    const metrics = log.metrics().sinks.loki;
    expect(server.requests.map((request) => request.body.match(/\["/g)?.length)).toEqual([6, 3, 3]);
    expect(metrics).toMatchObject({ received: 6, delivered: 5, failed: 1, retried: 0 });
    expectAllCounted(metrics);
    await log.close();
  });

  it('leaves a 429 with a count (a stream over its rate limit) to be retried, as before', async () => {
    // pkg/ingester/stream.go: the same body, status 429 when the last failed entry hit the stream's rate limit.
    server = await startTestServer((_, index) =>
      index === 0
        ? { status: 429, body: 'user \'fake\', total ignored: 1 out of 2 for stream: {app="shop", level="info"}\n' }
        : { status: 204 },
    );
    const log = logger(server.url);
    logLines(log, [
      ['information', 'a'],
      ['information', 'b'],
    ]);
    await log.close({ strategy: 'flush' });
    expect(log.metrics().sinks.loki).toMatchObject({ received: 2, delivered: 2, failed: 0, retried: 1 });
    expect(server.requests).toHaveLength(2);
  });

  // Found by a review: a tenant whose ingestion Loki's operator blocked (`block_ingestion_until`) has
  // every push dropped whole and answered 260 (`block_ingestion_status_code`'s default, a 2xx so that
  // clients do not retry), with the reason (pkg/validation/validate.go, BlockedIngestionErrorMsg):
  // each batch counted delivered, nothing said, the fallback unused.
  it('fails a batch Loki dropped because the tenant is blocked (260), not retried, to the fallback', async () => {
    const blocked = "ingestion blocked for user fake until '2026-12-05T00:00:00Z' with status code '260'\n";
    server = await startTestServer(() => ({
      status: 260,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      body: blocked,
    }));
    const fallback = new MemorySink();
    const log = logger(`${server.url}/?token=secret`, fallback);
    logLines(log, [
      ['information', 'a'],
      ['error', 'b'],
    ]);
    await log.close({ strategy: 'flush' });
    const metrics = log.metrics().sinks.loki;
    // The fallback's deliveries count delivered, as for any batch a sink failed.
    expect(metrics).toMatchObject({ received: 2, delivered: 2, failed: 0, retried: 0, fallback: 2 });
    expect(metrics.lastError).toMatch(/answered 260 .*: ingestion blocked for user fake until '2026-12-05T00:00:00Z'/);
    expect(metrics.lastError).not.toContain('secret');
    expect(fallback.events.map((event) => event.messageTemplate.text)).toEqual(['a', 'b']);
    // A push per level: a blocked answer may be one level's policy's (below), and Loki drops each.
    expect(server.requests).toHaveLength(2);
    expect(diagnostics.join('\n')).toContain('ingestion blocked for user fake');
    // Without a fallback, counted failed.
    const alone = logger(server.url);
    logLines(alone, [['information', 'c']]);
    await alone.close({ strategy: 'flush' });
    expect(alone.metrics().sinks.loki).toMatchObject({ received: 1, delivered: 0, failed: 1, retried: 0 });
  });

  // Found by a review: since Loki 3.5 an operator can block one ingestion policy
  // (`block_ingestion_policy_until`, a policy being the streams its `policy_stream_mapping` selectors
  // match), and Loki's distributor then drops only those streams of a push, stores the others and
  // answers `block_ingestion_status_code` (pkg/distributor/distributor.go, 65e30f84, lines 785-800:
  // `continue` for a blocked stream, the others pushed, `ingestionBlockedError` returned after them),
  // with BlockedIngestionPolicyErrorMsg, which starts as the tenant's does. The first level blocked
  // failed the batch whole: the levels after it were never pushed, though Loki would have stored
  // them, and those before it went to the fallback too, there twice.
  // Found by a review: Loki's answer to one level of a batch of several went to SelfLog as it was,
  // so a gateway's 400 that echoed the request (its ?token=, the URL's password) showed them there,
  // where the same answer to a batch of one level is redacted, as every HttpSink error is.
  it("hides the URL's password and query values in the SelfLog line of a level refused, as in a one-level batch's error", async () => {
    server = await startTestServer((request) =>
      request.body.includes('"level":"error"')
        ? { status: 400, body: `refused POST ${request.url} for ${String(request.headers.authorization)} (ann:pa55w0rd)\n` }
        : { status: 204 },
    );
    const url = `${server.url.replace('http://', 'http://ann:pa55w0rd@')}/loki/api/v1/push?token=s3cr3t-t0ken`;
    const log = new LoggerConfiguration()
      .useScheduler(asapScheduler)
      .writeTo.sink(new LokiSink({ url }), { batch: { size: 3, maxDelayMs: 0 }, retry: { attempts: 1 } })
      .createLogger();
    logLines(log, [
      ['information', 'a'],
      ['error', 'b'],
    ]);
    log.write('error', 'c');
    await log.close({ strategy: 'flush' });
    const metrics = log.metrics().sinks.loki;
    expect(metrics).toMatchObject({ received: 3, delivered: 1, failed: 2 });
    const seen = [metrics.lastError, ...diagnostics].join('\n');
    expect(seen).toContain('refused POST /loki/api/v1/push?token=*** for');
    expect(seen).not.toContain('s3cr3t-t0ken');
    expect(seen).not.toContain('pa55w0rd');
  });

  it("counts a level whose ingestion policy Loki blocks (260) failed alone, and still sends the batch's other levels", async () => {
    const stored: string[] = [];
    server = await startTestServer((request) => {
      const { streams } = JSON.parse(request.body) as PushBody;
      if (streams.some(({ stream }) => stream.level === 'error'))
        return {
          status: 260,
          headers: { 'Content-Type': 'text/plain; charset=utf-8' },
          body: "ingestion blocked for user fake until 'errors' with status code '2026-12-05T00:00:00Z'%!(EXTRA int=260)\n",
        };
      for (const { values } of streams) for (const [, line] of values) stored.push(line);
      return { status: 204 };
    });
    const fallback = new MemorySink();
    const log = logger(server.url, fallback);
    logLines(log, [
      ['error', 'a'],
      ['information', 'b'],
      ['error', 'c'],
      ['information', 'd'],
    ]);
    await log.flush();
    const metrics = log.metrics().sinks.loki;
    expect(metrics).toMatchObject({ received: 4, delivered: 2, failed: 2, retried: 0, fallback: 0 });
    expect(metrics.lastError).toBe('the receiver refused 2 of 4 events');
    expect(metrics.breaker).toBe('closed');
    expectAllCounted(metrics);
    expect(fallback.events).toHaveLength(0);
    expect(stored.map((line) => (JSON.parse(line) as { '@mt': string })['@mt'])).toEqual(['b', 'd']);
    expect(server.requests).toHaveLength(2);
    expect(diagnostics.join('\n')).toContain(
      "Loki refused the 2 entries of the error stream of a batch, which count failed; the other streams are sent: ingestion blocked for user fake until 'errors'",
    );
    expect((await log.close()).sinks.loki).toMatchObject({ delivered: 2, failed: 2, undelivered: 0 });
  });

  // Found by a review: a batch of only the level an ingestion policy blocks (a quiet service logging
  // its Information, a policy blocking it) failed with the 260 as the sink's fault (`permanent:
  // 'sink'`, as a 401 is), so five such batches opened the circuit breaker, and the Error logged next
  // went to the fallback unsent, though Loki stores that level. The sink cannot tell a policy's answer
  // from the tenant's (the same message), so a blocked answer is the batch's fault, as a 400 is.
  it('does not open the circuit breaker on batches of one level whose ingestion policy Loki blocks (260), so the other levels reach it', async () => {
    const stored: string[] = [];
    server = await startTestServer((request) => {
      const { streams } = JSON.parse(request.body) as PushBody;
      if (streams.some(({ stream }) => stream.level === 'info'))
        return {
          status: 260,
          headers: { 'Content-Type': 'text/plain; charset=utf-8' },
          body: "ingestion blocked for user fake until '2026-12-05T00:00:00Z' with status code '260'\n",
        };
      for (const { values } of streams) for (const [, line] of values) stored.push(line);
      return { status: 204 };
    });
    const fallback = new MemorySink();
    const log = logger(server.url, fallback, 1);
    const infos = Array.from({ length: 8 }, (_, i): ['information', string] => ['information', `i${i}`]);
    logLines(log, [...infos, ['error', 'e']]);
    await log.flush();
    const metrics = log.metrics().sinks.loki;
    expect(metrics.breaker).toBe('closed');
    expect(stored.map((line) => (JSON.parse(line) as { '@mt': string })['@mt'])).toEqual(['e']);
    // Each blocked batch fails at once, not retried, to the fallback, as before.
    expect(metrics).toMatchObject({ received: 9, delivered: 9, failed: 0, retried: 0, fallback: 8 });
    expect(fallback.events.map((event) => event.messageTemplate.text)).toEqual(infos.map(([, text]) => text));
    expect(server.requests).toHaveLength(9);
    expect(diagnostics.join('\n')).not.toContain('refuses every batch');
    await log.close();
  });

  it('counts a 2xx with any other body delivered, as before', async () => {
    server = await startTestServer((_, index) => ({
      status: [200, 260, 202][index],
      body: 'ok: ingestion blocked for user x\n',
    }));
    const log = logger(server.url, undefined, 1);
    logLines(log, [
      ['information', 'a'],
      ['information', 'b'],
      ['information', 'c'],
    ]);
    await log.close({ strategy: 'flush' });
    expect(log.metrics().sinks.loki).toMatchObject({ received: 3, delivered: 3, failed: 0, retried: 0 });
  });

  const tooOld = `entry for stream '{app="shop", level="info"}' has timestamp too old: 2023-11-14T20:13:20Z, oldest acceptable timestamp is: 2023-11-07T22:13:20Z`;
  const labelsRefused = `stream '{app="shop", level="info"}' has label value too long: 'x'`;
  const summary = (counts: string): string => `user 'fake', total ignored: ${counts} for stream: {app="shop", level="info"}\n`;

  it.each([
    ['more ignored than sent', summary('6 out of 5')],
    ['more ignored than its total', summary('4 out of 3')],
    ['a total other than the entries sent', summary('1 out of 6')],
    ['a total of one stream when the push had more', summary('2 out of 4')],
    ['none ignored', summary('0 out of 5')],
    ['a negative count', summary('-1 out of 5')],
    ['a fractional count', summary('1.5 out of 5')],
    ['an exponent', summary('1e0 out of 5')],
    ['a count past 2^53', summary('9007199254740993 out of 5')],
    ['digits of another script', summary('٢ out of 5')],
    ['the count not at the end', `${summary('2 out of 5')}and then something else\n`],
    ['no count', 'ingester unavailable\n'],
    ["the distributor's refusal of as many entries as were sent", `5 errors like: ${tooOld}\n`],
    ["the distributor's refusals of more entries than were sent", `3 errors like: ${tooOld}; 3 errors like: ${tooOld}\n`],
    ["the distributor's refusal of none", `0 errors like: ${tooOld}\n`],
    ["the distributor's refusal of an entry and of a stream", `1 errors like: ${tooOld}; 1 errors like: ${labelsRefused}\n`],
    ["the distributor's refusal of an entry and an unknown message", `1 errors like: ${tooOld}; 1 errors like: boom\n`],
    ["the distributor's refusal of an entry and then something else", `${tooOld}\nand then something else\n`],
    ["the distributor's refusals, the first without its count", `${tooOld}; 2 errors like: ${tooOld}\n`],
    ['an empty body', ''],
  ])('counts the whole batch failed on a 400 with %s', async (_, body) => {
    server = await startTestServer(() => ({ status: 400, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body }));
    const log = logger(server.url);
    logLines(log, [
      ['information', 'a'],
      ['information', 'b'],
      ['information', 'c'],
      ['information', 'd'],
      ['information', 'e'],
    ]);
    await log.close({ strategy: 'flush' });
    const metrics = log.metrics().sinks.loki;
    expect(metrics).toMatchObject({ received: 5, delivered: 0, failed: 5, retried: 0 });
    expect(metrics.lastError).toContain('answered 400 Bad Request');
    expectAllCounted(metrics);
    expect(server.requests).toHaveLength(1);
  });

  describe('bodies a raw server sends', () => {
    const answering = answeringServer();
    afterEach(() => answering.close());

    /** A server that answers 400 and writes `chunk(0)`, `chunk(1)` … until one is undefined, noting how many it wrote before the client went away. */
    async function startRaw(chunk: (index: number) => Buffer | undefined): Promise<{ url: string; written: () => number }> {
      let written = 0;
      const url = await answering.start((response) => {
        response.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
        const next = (): void => {
          for (;;) {
            const piece = chunk(written);
            if (piece === undefined || response.destroyed) {
              response.end();
              return;
            }
            written++;
            if (!response.write(piece)) {
              response.once('drain', next);
              return;
            }
          }
        };
        response.on('close', () => undefined);
        next();
      });
      return { url, written: () => written };
    }

    async function failedBatch(url: string): Promise<SinkMetrics> {
      const log = logger(url);
      logLines(log, [
        ['information', 'a'],
        ['information', 'b'],
        ['information', 'c'],
        ['information', 'd'],
        ['information', 'e'],
      ]);
      await log.close({ strategy: 'flush' });
      return log.metrics().sinks.loki;
    }

    it('counts the whole batch failed on a 400 of binary bytes', async () => {
      const bytes = Buffer.from(Array.from({ length: 4_096 }, (_, i) => (i * 131 + 7) % 256));
      const { url } = await startRaw((index) => (index === 0 ? bytes : undefined));
      const metrics = await failedBatch(url);
      expect(metrics).toMatchObject({ received: 5, delivered: 0, failed: 5, retried: 0 });
      expectAllCounted(metrics);
    });

    it('counts the whole batch failed on a 400 whose first 16 KiB end with a count, and that goes on', async () => {
      const tail = summary('2 out of 5');
      const reasons = 'x'.repeat(16 * 1024 - tail.length - 1);
      const { url } = await startRaw((index) =>
        index === 0 ? Buffer.from(`${reasons}\n${tail}and more reasons after the first 16 KiB\n`) : undefined,
      );
      const metrics = await failedBatch(url);
      expect(metrics).toMatchObject({ received: 5, delivered: 0, failed: 5, retried: 0 });
      expectAllCounted(metrics);
    });

    it('counts the whole batch failed on a 400 past 16 KiB that ends with a count, and reads no more of it', async () => {
      // 64 MiB of reasons at most, then a count that would be believed were it read.
      const line = Buffer.from(
        `entry with timestamp 2023-11-14 20:13:20 +0000 UTC ignored, reason: 'entry out of order',\n`.repeat(180),
      );
      const tail = Buffer.from(summary('2 out of 5'));
      const { url, written } = await startRaw((index) => (index < 4_096 ? line : index === 4_096 ? tail : undefined));
      const metrics = await failedBatch(url);
      expect(metrics).toMatchObject({ received: 5, delivered: 0, failed: 5, retried: 0 });
      expect(metrics.lastError).toContain(
        "answered 400 Bad Request: entry with timestamp 2023-11-14 20:13:20 +0000 UTC ignored, reason: 'entry out of order'",
      );
      expectAllCounted(metrics);
      // The client stopped reading: the server could not write its 4 097 chunks.
      expect(written()).toBeLessThan(4_097);
    });
  });
});
