import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import type { Logger } from '../../lib/pipeline/logger';
import { MemorySink } from '../../lib/sinks/memory-sink';
import type { LoggerMetrics } from '../../lib/metrics/metrics-types';
import { metricsToPrometheus } from '../../lib/metrics/metrics-to-prometheus';
import { SinkMetricsRecorder } from '../../lib/metrics/sink-metrics-recorder';
import { loggerMetrics } from '../helpers/logger-metrics';
import { freeTcpPort } from '../node/syslog/syslog-test-servers';
import { poller } from '../helpers/poll-until';

const PROMETHEUS = '/usr/bin/prometheus';
const installed = existsSync(PROMETHEUS);
if (!installed) {
  console.warn(
    'SKIPPED spec/metrics/prometheus-scrape.spec.ts: prometheus not installed (`apt-get install prometheus`). metricsToPrometheus is not tested against a real Prometheus scrape.',
  );
}

/** Longest wait for Prometheus to start, scrape and answer, in milliseconds. */
const WAIT_MS = 20_000;
const POLL_MS = 100;

/** Calls `check` every 100 ms until it returns a value (a rejection is "not yet"), or fails after `WAIT_MS`. */
const pollUntil = poller({ waitMs: WAIT_MS, pollMs: POLL_MS, retryOnError: true });

const HOSTILE_NAMES = ['a"b', 'c\\d', 'e\nf', 'é😀', 'x} 1', 'g\rh'];

/** Metrics from elsewhere (JSON, by hand): values the format spells specially, and names with lone surrogates. */
function edgeMetrics(): LoggerMetrics {
  const edge = new SinkMetricsRecorder('edge');
  edge.received = 1e21;
  edge.delivered = Number.POSITIVE_INFINITY;
  edge.queueBytes = Number.NaN;
  edge.bytesWritten = 2 ** 53 + 2;
  edge.latency.record(0.0001);
  const sinks = Object.fromEntries(
    ['a\uD800', 'a\uDC00', 'a\uFFFD'].map((name) => [name, new SinkMetricsRecorder(name).snapshot()]),
  );
  return loggerMetrics(
    { edge: edge.snapshot(), ...sinks },
    {
      logged: 2 ** 53,
      filtered: -0,
      pipe: { entered: 5, left: 2, created: 0, dropped: 3, pending: 0, droppedBy: { unreported: 1, 'say "no"\\\n': 2 } },
    },
  );
}

(installed ? describe : describe.skip)('metricsToPrometheus scraped by a real Prometheus', () => {
  let dir: string;
  let server: Server;
  /** Answers the same text labelled OpenMetrics, as a server that echoes the scrape's Accept would. */
  let echoing: Server;
  /** The Accept header of each scrape of the rxlog target. */
  const accepts: string[] = [];
  let prometheus: ChildProcess | undefined;
  let prometheusLog = '';
  let promPort: number;
  let log: Logger;
  /** Set when the installed prometheus cannot start here (a sandbox, no loopback): the test is skipped, saying so. */
  let unavailable = false;
  /** Two replicas' `worker` sinks: each scrape finds one more round of deliveries recorded in each. */
  const replicas = [new SinkMetricsRecorder('worker'), new SinkMetricsRecorder('worker')];
  const exposition = (): string => {
    // Replica 1 delivers 95 events in 5 ms and 5 in 100 ms a round, replica 2 100 in 5 ms: 200
    // latencies, whose 198th (p99) is 100 ms, where the replicas' own p99s, 100 and 5 ms,
    // averaged would say 52.5 ms.
    replicas[0].latency.record(5, 95);
    replicas[0].latency.record(100, 5);
    replicas[1].latency.record(5, 100);
    for (const replica of replicas) replica.delivered = replica.latency.count;
    return metricsToPrometheus([
      ['', log.metrics()],
      ['app', log.metrics()],
      ['a"b\\\n😀', edgeMetrics()],
      ['app', edgeMetrics()],
      ['replica-1', { ...edgeMetrics(), pipe: undefined, sinks: { worker: replicas[0].snapshot() } }],
      ['replica-2', { ...edgeMetrics(), pipe: undefined, sinks: { worker: replicas[1].snapshot() } }],
    ]);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rxlog-prometheus-'));
    let config = new LoggerConfiguration().minimumLevel.verbose();
    for (const name of HOSTILE_NAMES) config = config.writeTo.sink(new MemorySink(), { name });
    log = config.createLogger();
    for (let i = 0; i < 7; i++) log.information('Event {N}', i);
    await log.flush();
    server = createServer((req, res) => {
      accepts.push(req.headers.accept ?? '');
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(exposition());
    });
    echoing = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/openmetrics-text; version=1.0.0; charset=utf-8' });
      res.end(exposition());
    });
    const listen = async (http: Server): Promise<number> => {
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      const address = http.address();
      return typeof address == 'object' && address !== null ? address.port : 0;
    };
    const targetPort = await listen(server);
    const echoingPort = await listen(echoing);
    promPort = await freeTcpPort();
    const configFile = join(dir, 'prometheus.yml');
    writeFileSync(
      configFile,
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        'scrape_configs:',
        '  - job_name: rxlog',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${targetPort}']`,
        '  - job_name: echoing',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${echoingPort}']`,
        '',
      ].join('\n'),
    );
    prometheus = spawn(
      PROMETHEUS,
      [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stdout?.on('data', (chunk: Buffer) => (prometheusLog += chunk.toString()));
    prometheus.stderr?.on('data', (chunk: Buffer) => (prometheusLog += chunk.toString()));
    let exited = false;
    prometheus.on('exit', () => (exited = true));
    const ready = await pollUntil(
      async () => (exited ? false : (await fetch(`http://127.0.0.1:${promPort}/-/ready`)).ok || undefined),
      () => 'not ready',
    ).catch(() => false);
    if (!ready) {
      unavailable = true;
      console.warn(`SKIPPED spec/metrics/prometheus-scrape.spec.ts: prometheus did not start; it said:\n${prometheusLog}`);
    }
  }, WAIT_MS + 5_000);

  afterAll(async () => {
    prometheus?.kill('SIGKILL');
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await new Promise<void>((resolve) => echoing.close(() => resolve()));
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function api(path: string): Promise<unknown> {
    const response = await fetch(`http://127.0.0.1:${promPort}${path}`);
    return response.json();
  }

  async function query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
    const body = (await api(`/api/v1/query?query=${encodeURIComponent(promql)}`)) as {
      data: { result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    return body.data.result;
  }

  it(
    'scrapes every series of one exposition, hostile logger and sink names included, each with its value',
    async () => {
      if (unavailable) return;
      const target = await pollUntil(
        async () => {
          const body = (await api('/api/v1/targets')) as {
            data: { activeTargets: { health: string; lastError: string; labels: Record<string, string> }[] };
          };
          const first = body.data.activeTargets.find(({ labels }) => labels.job === 'rxlog');
          return first !== undefined && first.health !== 'unknown' ? first : undefined;
        },
        () => `no scrape; Prometheus said:\n${prometheusLog}`,
      );
      expect(target.lastError).toBe('');
      expect(target.health).toBe('up');
      for (const name of HOSTILE_NAMES) {
        const unlabelled = await query(`rxlog_events_delivered_total{logger="",sink=${JSON.stringify(name)}}`);
        expect(unlabelled.map(({ metric, value }) => [metric.sink, value[1]])).toEqual([[name, '7']]);
        const app = await query(`rxlog_events_delivered_total{logger="app",sink=${JSON.stringify(name)}}`);
        expect(app.map(({ value }) => value[1])).toEqual(['7']);
        // The latency summary's _count: the deliveries its quantiles cover.
        const count = await query(`rxlog_delivery_latency_seconds_count{logger="app",sink=${JSON.stringify(name)}}`);
        expect(count.map(({ value }) => value[1])).toEqual(['7']);
        // The histogram's: its +Inf bucket and _count are the deliveries too.
        const inf = await query(`rxlog_delivery_duration_seconds_bucket{logger="app",sink=${JSON.stringify(name)},le="+Inf"}`);
        expect(inf.map(({ value }) => value[1])).toEqual(['7']);
        const histogramCount = await query(`rxlog_delivery_duration_seconds_count{logger="app",sink=${JSON.stringify(name)}}`);
        expect(histogramCount.map(({ value }) => value[1])).toEqual(['7']);
      }
      const edge = await query('rxlog_events_delivered_total{sink="edge"}');
      expect(edge.map(({ metric, value }) => [metric.logger, value[1]]).sort()).toEqual([
        ['a"b\\\n😀', '+Inf'],
        ['app-2', '+Inf'],
      ]);
      expect((await query('rxlog_events_received_total{logger="app-2",sink="edge"}'))[0].value[1]).toBe('1e+21');
      expect((await query('rxlog_queue_bytes{logger="app-2",sink="edge"}'))[0].value[1]).toBe('NaN');
      expect((await query('rxlog_events_logged_total{logger="app-2"}'))[0].value[1]).toBe('9007199254740992');
      // The latency summary's _sum: 0.0001 ms, in seconds, the same double once read back.
      expect(Number((await query('rxlog_delivery_latency_seconds_sum{logger="app-2",sink="edge"}'))[0].value[1])).toBe(
        0.0001 / 1000,
      );
      // The .pipe() operators' drops by reason, a hostile reason included, summing to their total.
      const pipeDrops = await query('rxlog_pipe_events_dropped_by_reason_total{logger="app-2"}');
      expect(pipeDrops.map(({ metric, value }) => [metric.reason, value[1]]).sort()).toEqual([
        ['say "no"\\\n', '2'],
        ['unreported', '1'],
      ]);
      expect((await query('sum(rxlog_pipe_events_dropped_by_reason_total{logger="app-2"})'))[0].value[1]).toBe(
        (await query('rxlog_pipe_events_dropped_total{logger="app-2"}'))[0].value[1],
      );
      // Every sample of the exposition is one series in Prometheus: none merged, none refused.
      const exposed = exposition()
        .split('\n')
        .filter((line) => line !== '' && !line.startsWith('#')).length;
      const [count] = await query('count({job="rxlog",__name__=~"rxlog_.*"})');
      expect(Number(count.value[1])).toBe(exposed);
    },
    WAIT_MS + 5_000,
  );

  it(
    'gives a windowed p99 from the latency histogram, of one replica or summed across replicas, where the summary cannot',
    async () => {
      if (unavailable) return;
      // The buckets as Prometheus stored them: every power of two of a millisecond from 1 ms to 2^23 ms, in seconds, then +Inf.
      const buckets = await pollUntil(
        async () => {
          const found = await query('rxlog_delivery_duration_seconds_bucket{logger="replica-1",sink="worker"}');
          return found.length > 0 ? found : undefined;
        },
        () => `no histogram scraped; Prometheus said:\n${prometheusLog}`,
      );
      const le = buckets.map(({ metric }) => metric.le);
      const edge = (value: string): number => (value === '+Inf' ? Number.POSITIVE_INFINITY : Number(value));
      expect(le.sort((a, b) => edge(a) - edge(b))).toEqual([
        ...Array.from({ length: 24 }, (_, power) => String(2 ** power / 1000)),
        '+Inf',
      ]);
      // rate() needs two scrapes in the window: a scrape each second.
      const quantile = async (promql: string): Promise<number> =>
        pollUntil(
          async () => {
            const [result] = await query(promql);
            const value = result === undefined ? Number.NaN : Number(result.value[1]);
            return Number.isFinite(value) ? value : undefined;
          },
          () => `no value for ${promql}; Prometheus said:\n${prometheusLog}`,
        );
      // Linear within a bucket: replica 1's p99, the 99th of 100, is 4/5 into (64 ms, 128 ms]: 115.2 ms.
      expect(
        await quantile(
          'histogram_quantile(0.99, rate(rxlog_delivery_duration_seconds_bucket{logger="replica-1",sink="worker"}[1m]))',
        ),
      ).toBeCloseTo(0.1152, 6);
      // Both replicas: the 198th of 200 is 3/5 into (64 ms, 128 ms], 102.4 ms, about the true 100 ms.
      const both = await quantile(
        'histogram_quantile(0.99, sum by (le) (rate(rxlog_delivery_duration_seconds_bucket{sink="worker"}[1m])))',
      );
      expect(both).toBeCloseTo(0.1024, 6);
      expect(both).toBeGreaterThan(0.064);
      expect(both).toBeLessThanOrEqual(0.128);
      // The summary's quantiles cannot be added up: averaged, the replicas' p99s say 52.5 ms.
      const [averaged] = await query('avg(rxlog_delivery_latency_seconds{sink="worker",quantile="0.99"})');
      expect(Number(averaged.value[1])).toBeCloseTo(0.0525, 6);
      // The mean from _sum and _count, windowed as well: (195 × 5 ms + 5 × 100 ms) / 200.
      expect(
        await quantile(
          'sum(rate(rxlog_delivery_duration_seconds_sum{sink="worker"}[1m])) / sum(rate(rxlog_delivery_duration_seconds_count{sink="worker"}[1m]))',
        ),
      ).toBeCloseTo(0.007375, 6);
    },
    WAIT_MS + 5_000,
  );

  it(
    'is scraped as the 0.0.4 text although Prometheus asks for OpenMetrics first; labelled OpenMetrics, the same text fails the scrape',
    async () => {
      if (unavailable) return;
      const targets = await pollUntil(
        async () => {
          const body = (await api('/api/v1/targets')) as {
            data: { activeTargets: { health: string; lastError: string; labels: Record<string, string> }[] };
          };
          const health = new Map(
            body.data.activeTargets.map(({ labels, health, lastError }) => [labels.job, { health, lastError }]),
          );
          return health.get('rxlog')?.health === 'unknown' || health.get('echoing')?.health === 'unknown' ? undefined : health;
        },
        () => `no scrape; Prometheus said:\n${prometheusLog}`,
      );
      // Prometheus prefers OpenMetrics, and takes the text format (q=0.5 in 2.x, listed last in 3.x).
      expect(accepts[0]).toMatch(/^application\/openmetrics-text;\s*version=/);
      expect(accepts[0]).toMatch(/text\/plain;\s*version=0\.0\.4/);
      expect(targets.get('rxlog')).toEqual({ health: 'up', lastError: '' });
      // Echoing the Accept's content type does not make the text OpenMetrics: no `# EOF`, and
      // counters' TYPE lines keep `_total`. The scrape fails, so the answer's type must stay 0.0.4.
      expect(targets.get('echoing')?.health).toBe('down');
      expect(targets.get('echoing')?.lastError).toMatch(/# EOF/);
    },
    WAIT_MS + 5_000,
  );
});
