import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import { ConfigurationError } from '../../../lib/core/errors/configuration-error';
import { SelfLog } from '../../../lib/core/self-log';
import { LokiSink } from '../../../lib/sinks/http/loki-sink';
import { makeEvent } from '../../helpers/events';
import { startTestServer, type ReceivedRequest, type Responder, type TestServer } from '../../helpers/http-test-server';

/** Loki's default `ingestion_burst_size_mb` (pkg/validation/limits.go): 6, in units of 1 048 576 bytes. */
const BURST_BYTES = 6 * 1_048_576;
/** Loki's default `max_line_size`, `256KB` as Go's humanize reads it (pkg/validation/limits.go). */
const MAX_LINE_BYTES = 256_000;
/** Loki's defaults `reject_old_samples_max_age` (168h) and `creation_grace_period` (10m). */
const MAX_AGE_MS = 168 * 3_600_000;
const GRACE_MS = 600_000;

interface Push {
  streams: { stream: Record<string, string>; values: [string, string][] }[];
}

/**
 * A stand-in for Loki's distributor (no Loki binary runs here; this is a real HTTP server on
 * 127.0.0.1 applying Loki's documented rules), written from Loki's source and docs
 * (`docs/sources/reference/loki-http-api.md`, "Ingest logs": `POST /loki/api/v1/push`, JSON
 * `streams[].stream` labels and `values[]` of [nanoseconds as a string, line];
 * `pkg/validation/limits.go` for the defaults; `pkg/distributor/distributor.go`,
 * `enforceIngestionRateLimits`: a push whose lines add up to more than the burst is answered 429,
 * "A reservation that isn't OK (bytes exceed the burst)", however long the client waits;
 * `pkg/distributor/validator.go`, `ValidateEntry`: a line over `max_line_size`, a timestamp older
 * than `reject_old_samples_max_age` or past `creation_grace_period` is refused and the other
 * entries stored, answered 400). Labels: Prometheus names, at most 15, values at most 2 048 bytes.
 */
function lokiStandIn(stored: [string, string][], now = () => Date.now()): Responder {
  return (request: ReceivedRequest) => {
    let push: Push;
    try {
      push = JSON.parse(request.body) as Push;
    } catch {
      return { status: 400, body: 'error parsing push request\n' };
    }
    let bytes = 0;
    let lines = 0;
    for (const { stream, values } of push.streams) {
      const names = Object.keys(stream).filter((name) => stream[name] !== '');
      if (names.length > 15 || names.some((name) => !/^[a-zA-Z_]\w*$/.test(name) || Buffer.byteLength(stream[name]) > 2048))
        return { status: 400, body: 'invalid labels\n' };
      for (const [, line] of values) {
        bytes += Buffer.byteLength(line);
        lines++;
      }
    }
    if (bytes > BURST_BYTES)
      return {
        status: 429,
        body: `ingestion rate limit exceeded for user fake (limit: 4194304 bytes/sec) while attempting to ingest '${lines}' lines totaling '${bytes}' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased\n`,
      };
    const refused: string[] = [];
    for (const { stream, values } of push.streams)
      for (const [nanos, line] of values) {
        const ms = Number(BigInt(nanos) / 1_000_000n);
        if (Buffer.byteLength(line) > MAX_LINE_BYTES) refused.push(`Max entry size '${MAX_LINE_BYTES}' bytes exceeded`);
        else if (ms < now() - MAX_AGE_MS) refused.push(`entry for stream '${JSON.stringify(stream)}' has timestamp too old`);
        else if (ms > now() + GRACE_MS) refused.push(`entry for stream '${JSON.stringify(stream)}' has timestamp too new`);
        else stored.push([nanos, line]);
      }
    return refused.length === 0 ? { status: 204 } : { status: 400, body: `${refused.join('; ')}\n` };
  };
}

describe('LokiSink against the rules Loki validates a push by', () => {
  let server: TestServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  // Found by a review: Loki answers 429 to a push whose lines add up to more than its ingestion
  // burst (6 MiB by default) on every try, as the request can never fit the rate limiter's bucket.
  // The sink had no byte bound: 1 000 error events of 8 KB (a burst of stack traces) made one push
  // of 8 MB, retried and failed whole, every event lost. Promtail and Alloy cut batches at 1 MiB.
  it('cuts a batch into pushes Loki’s default ingestion burst admits, so a burst of large events is stored, not refused 429 on every try', async () => {
    const stored: [string, string][] = [];
    server = await startTestServer(lokiStandIn(stored));
    const log = new LoggerConfiguration().writeTo
      .sink(new LokiSink({ url: server.url }), {
        batch: { size: 1_000, maxDelayMs: 60_000 },
        retry: { attempts: 2, initialDelayMs: 1, maxDelayMs: 1 },
      })
      .createLogger();
    for (let i = 0; i < 1_000; i++) log.error('Request {N} failed: {Stack}', i, 'x'.repeat(8_000));
    await log.flush();
    expect(log.metrics().sinks.loki).toMatchObject({ delivered: 1_000, failed: 0 });
    expect(stored).toHaveLength(1_000);
    expect(server.requests.every((request) => request.body.length <= 1_048_576)).toBe(true);
    await log.close();
  });

  it('sends what Loki takes of a hostile batch and counts what it refuses failed, with a SelfLog line', async () => {
    const stored: [string, string][] = [];
    const diagnostics: string[] = [];
    const subscription = SelfLog.events$.subscribe((d) => diagnostics.push(d.message));
    server = await startTestServer(lokiStandIn(stored));
    const at = new Date(Math.floor(Date.now() / 1000) * 1000);
    const earlier = new Date(at.getTime() - 60_000);
    const levels = ['verbose', 'debug', 'information', 'warning', 'error', 'fatal'] as const;
    const events = [
      // Every level (six streams in one batch), all of one millisecond with the same line.
      ...levels.map((level) => makeEvent({ level, text: 'same', timestamp: at })),
      // The same line twice in one millisecond of one stream, then events out of order.
      makeEvent({ text: 'same', timestamp: at }),
      makeEvent({ text: 'earlier', timestamp: earlier }),
      makeEvent({ text: 'Huge {Body}', timestamp: earlier, properties: { Body: 'y'.repeat(5_000_000) } }),
      // Past reject_old_samples_max_age: Loki refuses it and stores the rest.
      makeEvent({ text: 'a week ago', timestamp: new Date(at.getTime() - MAX_AGE_MS - 60_000) }),
    ];
    const result = await new LokiSink({ url: server.url, labels: { app: 'shop', empty: '' } }).emit(events);
    subscription.unsubscribe();
    expect(result).toEqual({ rejected: 1 });
    expect(stored).toHaveLength(9);
    // Entries of one millisecond a nanosecond apart: Loki keeps each, even those of the same line.
    expect(new Set(stored.map(([nanos]) => nanos)).size).toBe(9);
    // The 5 MB line was cut to Loki's max_line_size, which Loki would refuse, and SelfLog said so.
    expect(Math.max(...stored.map(([, line]) => Buffer.byteLength(line)))).toBe(MAX_LINE_BYTES);
    expect(diagnostics.filter((message) => message.includes('is cut to maxLineBytes (256000)'))).toHaveLength(1);
    expect(diagnostics.filter((message) => message.includes('Loki ignored 1 of the'))).toHaveLength(1);
  });

  it('refuses at build time labels Loki would refuse on every push, naming them', () => {
    const url = 'http://127.0.0.1:9';
    for (const labels of [
      { 'app.name': 'x' },
      { 'app-name': 'x' },
      { '1app': 'x' },
      { '': 'x' },
      Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`l${i}`, 'v'])),
      { app: 'v'.repeat(10_240) },
      { app: 'a\ud800b' },
    ])
      expect(() => new LokiSink({ url, labels })).toThrow(ConfigurationError);
    expect(() => new LokiSink({ url, labels: { 'app.name': 'x' } })).toThrow(/"app\.name" is not a valid Loki label name/);
  });
});
