import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { LoggerMetrics } from '../../lib/metrics/metrics-types';
import { metricsToPrometheus } from '../../lib/metrics/metrics-to-prometheus';
import { SinkMetricsRecorder } from '../../lib/metrics/sink-metrics-recorder';
import { cpuMs } from '../helpers/cpu-time';
import { loggerMetrics } from '../helpers/logger-metrics';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import type { EmitResult, Sink } from '../../lib/core/sink';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { parsePrometheusStrictly } from '../helpers/strict-prometheus-parser';
import { sampleEvents } from '../../lib/operators/sample-events';
import { filterEvents } from '../../lib/operators/filter-events';
import { filter } from 'rxjs';

function sample(): LoggerMetrics {
  const file = new SinkMetricsRecorder('file');
  file.received = 10;
  file.delivered = 7;
  file.dropped = 1;
  file.failed = 1;
  file.pending = 1;
  file.retried = 2;
  file.fallback = 3;
  file.queueDepth = 1;
  file.queueBytes = 120;
  file.bytesWritten = 2048;
  file.breaker = 'half-open';
  file.latency.record(250);
  const http = new SinkMetricsRecorder('http "eu"\\\nprimary');
  return {
    timestamp: new Date(0),
    logged: 12,
    filtered: 2,
    rejectedAfterClose: 1,
    rejectedReentrant: 0,
    rejectedInvalidLevel: 3,
    sinks: { file: file.snapshot(), [http.name]: http.snapshot() },
  };
}

const promtool = spawnSync('promtool', ['--version']).status === 0;
if (!promtool)
  console.warn('promtool is not on PATH (Debian package "prometheus"): the exposition-format check against promtool is SKIPPED');
const withPromtool = promtool ? it : it.skip;

describe('metricsToPrometheus', () => {
  withPromtool('passes `promtool check metrics`', () => {
    const pipe = { entered: 5, left: 3, created: 0, dropped: 1, pending: 1, droppedBy: { 'operator-failed': 1 } };
    for (const metrics of [sample(), { ...sample(), sinks: {} }, { ...sample(), pipe }]) {
      expect(() =>
        execFileSync('promtool', ['check', 'metrics'], { input: metricsToPrometheus(metrics), stdio: ['pipe', 'pipe', 'pipe'] }),
      ).not.toThrow();
    }
  });

  withPromtool('passes `promtool check metrics` for any sink name', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (name) => {
        const recorder = new SinkMetricsRecorder(name);
        const text = metricsToPrometheus(loggerMetrics({ [name]: recorder.snapshot() }));
        const result = spawnSync('promtool', ['check', 'metrics'], { input: text });
        expect(`${result.stdout.toString()}${result.stderr.toString()}`).toBe('');
        expect(result.status).toBe(0);
      }),
      { numRuns: 25 },
    );
  });

  // Cardinality is planned from the documented bound: 64 reasons kept, `other` for the rest, and
  // `queue_full` and `already_shutdown` beside them.
  withPromtool('writes at most the documented number of drop-reason series per sink, reached by a sink with more reasons', () => {
    let write = 0;
    const sink: Sink = { emit: (events) => ({ rejected: 0, dropped: { count: events.length, reason: `reason-${write++}` } }) };
    const log = new LoggerConfiguration().writeTo.sink(sink, { name: 'chatty' }).createLogger();
    for (let i = 0; i < 80; i++) log.information('Event {N}', i);
    const text = metricsToPrometheus(log.metrics());
    const series = text.split('\n').filter((line) => line.startsWith('rxlog_events_dropped_by_reason_total{sink="chatty",'));
    expect(series.reduce((sum, line) => sum + Number(line.split(' ')[1]), 0)).toBe(80);
    const documented = /at most (\d+) series per sink/.exec(readFileSync(join(__dirname, '../../docs/metrics.md'), 'utf8'));
    expect(Number(documented?.[1])).toBe(series.length);
    expect(() => execFileSync('promtool', ['check', 'metrics'], { input: text, stdio: ['pipe', 'pipe', 'pipe'] })).not.toThrow();
  });

  it('writes one series per sink whatever the names, lone UTF-16 surrogates included, once encoded as UTF-8', () => {
    // A lone surrogate has no UTF-8 form: an encoder writes U+FFFD, so 'a\uD800' and 'a\uDC00' would be one series twice.
    const char = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)),
      fc.constantFrom('\uFFFD', '-', '2', '"', '\\', '\n'),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ unit: char, minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }),
        (names) => {
          const sinks = Object.fromEntries(names.map((name) => [name, new SinkMetricsRecorder(name).snapshot()]));
          const text = Buffer.from(metricsToPrometheus({ ...sample(), sinks }), 'utf8').toString('utf8');
          const series = text
            .split('\n')
            .filter((line) => line !== '' && !line.startsWith('#'))
            .map((line) => line.slice(0, line.lastIndexOf(' ')));
          expect(series.length - new Set(series).size).toBe(0);
          expect(series.filter((line) => line.startsWith('rxlog_events_received_total{'))).toHaveLength(names.length);
        },
      ),
      { numRuns: 100 },
    );
  });

  withPromtool('passes `promtool check metrics` for sink names with lone surrogates that meet after encoding', () => {
    const sinks = Object.fromEntries(
      ['a\uD800', 'a\uDC00', 'a\uFFFD'].map((name) => [name, new SinkMetricsRecorder(name).snapshot()]),
    );
    const result = spawnSync('promtool', ['check', 'metrics'], { input: metricsToPrometheus({ ...sample(), sinks }) });
    expect(`${result.stdout.toString()}${result.stderr.toString()}`).toBe('');
    expect(result.status).toBe(0);
  });

  withPromtool('passes `promtool check metrics` with NaN, ±Infinity, huge and tiny values', () => {
    const sink = new SinkMetricsRecorder('edge');
    sink.received = 1e21;
    sink.delivered = Number.POSITIVE_INFINITY;
    sink.queueBytes = Number.NaN;
    sink.bytesWritten = Number.MAX_VALUE;
    sink.latency.record(0.0001);
    const text = metricsToPrometheus({ ...sample(), logged: 2 ** 53 + 2, filtered: -0, sinks: { edge: sink.snapshot() } });
    expect(text).toContain('rxlog_events_received_total{sink="edge"} 1e+21\n');
    expect(text).toContain('rxlog_events_delivered_total{sink="edge"} +Inf\n');
    expect(text).toContain('rxlog_queue_bytes{sink="edge"} NaN\n');
    expect(text).toContain('rxlog_events_filtered_total 0\n');
    const result = spawnSync('promtool', ['check', 'metrics'], { input: text });
    expect(`${result.stdout.toString()}${result.stderr.toString()}`).toBe('');
    expect(result.status).toBe(0);
  });

  withPromtool(
    'passes `promtool check metrics` for hostile logger and sink names: quotes, backslashes, newlines, controls, Unicode, empty',
    () => {
      const names = [
        '',
        '"',
        '\\',
        '\n',
        '\\n',
        '\r',
        '\0',
        '\t',
        '\u2028',
        '\uFEFF',
        '\u0085',
        'é',
        '😀',
        'a"b\\c\nd',
        'x} 1\ny 2',
        '# HELP',
      ];
      const sinks = Object.fromEntries(names.map((name) => [name, new SinkMetricsRecorder(name).snapshot()]));
      const text = metricsToPrometheus(names.map((name) => [name, { ...sample(), sinks }] as const));
      const result = spawnSync('promtool', ['check', 'metrics'], { input: text });
      expect(`${result.stdout.toString()}${result.stderr.toString()}`).toBe('');
      expect(result.status).toBe(0);
      // Every name round-trips through the format's escapes: one series per logger and sink.
      const received = text.split('\n').filter((line) => line.startsWith('rxlog_events_received_total'));
      expect(received).toHaveLength(names.length * names.length);
      expect(received).toContain('rxlog_events_received_total{logger="a\\"b\\\\c\\nd",sink="x} 1\\ny 2"} 0');
    },
  );

  withPromtool(
    'leaves out a sample whose value is not a number (metrics from JSON, or from another version), so the scrape still parses',
    () => {
      // Before: `rxlog_events_rejected_invalid_level_total undefined`, and Prometheus fails the whole scrape.
      const file = { ...sample().sinks.file, queueBytes: null as never, retried: '2' as never };
      const text = metricsToPrometheus({ ...sample(), rejectedInvalidLevel: undefined as never, sinks: { file } });
      const result = spawnSync('promtool', ['check', 'metrics'], { input: text });
      expect(`${result.stdout.toString()}${result.stderr.toString()}`).toBe('');
      expect(result.status).toBe(0);
      expect(text).toContain('# TYPE rxlog_events_rejected_invalid_level_total counter\n# HELP rxlog_events_received_total');
      expect(text).not.toMatch(/^rxlog_(events_rejected_invalid_level_total|queue_bytes|batches_retried_total)\b/m);
      expect(text).toContain('rxlog_events_delivered_total{sink="file"} 7\n');
    },
  );

  withPromtool(
    'writes what it can of metrics whose records are missing or null (built by hand, or JSON from elsewhere), never throwing',
    () => {
      // Before: TypeError "Cannot read properties of null (reading 'max')", so the endpoint failed the whole scrape.
      const file = sample().sinks.file;
      const inputs: unknown[] = [
        { ...sample(), sinks: { file: { ...file, latencyMs: null } } },
        { ...sample(), sinks: { file: { ...file, latencyMs: undefined } } },
        { ...sample(), pipe: null },
        { ...sample(), sinks: { file, broken: null, odd: 'x' } },
        { ...sample(), sinks: undefined },
        [
          ['app', null],
          [undefined, sample()],
          ['audit', sample()],
        ],
        undefined,
      ];
      for (const input of inputs) {
        const text = metricsToPrometheus(input as LoggerMetrics);
        const result = spawnSync('promtool', ['check', 'metrics'], { input: text });
        expect(`${result.stdout.toString()}${result.stderr.toString()}`).toBe('');
        expect(result.status).toBe(0);
      }
      const text = metricsToPrometheus(inputs[0] as LoggerMetrics);
      expect(text).toContain('rxlog_events_delivered_total{sink="file"} 7\n');
      expect(text).not.toMatch(/^rxlog_delivery_latency_(max_)?seconds\{sink="file"/m);
      const pairs = metricsToPrometheus(inputs[5] as LoggerMetrics);
      expect(pairs).toContain('\nrxlog_events_logged_total 12\n');
      expect(pairs).toContain('rxlog_events_logged_total{logger="audit"} 12\n');
      expect(pairs).not.toMatch(/logger="app"/);
    },
  );

  withPromtool(
    'writes an entry of the pairs that is not a [name, metrics] pair as a logger without a name, never throwing',
    () => {
      // Before: TypeError "object is not iterable" for `[log.metrics(), audit.metrics()]` from JavaScript, failing every scrape.
      const inputs: unknown[] = [[sample(), { ...sample(), logged: 5 }], [null], [5, ['audit', sample()]]];
      for (const input of inputs) {
        const text = metricsToPrometheus(input as readonly (readonly [string, LoggerMetrics])[]);
        const result = spawnSync('promtool', ['check', 'metrics'], { input: text });
        expect(`${result.stdout.toString()}${result.stderr.toString()}`).toBe('');
        expect(result.status).toBe(0);
      }
      const text = metricsToPrometheus(inputs[0] as readonly (readonly [string, LoggerMetrics])[]);
      expect(text).toContain('\nrxlog_events_logged_total 12\n');
      expect(text).toContain('\nrxlog_events_logged_total{logger="-2"} 5\n');
      expect(metricsToPrometheus(inputs[2] as readonly (readonly [string, LoggerMetrics])[])).toContain(
        '\nrxlog_events_logged_total{logger="audit"} 12\n',
      );
    },
  );

  // Each repeat of a name searched its -n from -2 again: k loggers of one name (or k metrics given
  // without names, `workers.map((w) => w.metrics())`) took k²/2 lookups, 13 s of CPU for 16 000,
  // where 16 000 distinct names take a tenth of a second: a scrape handler that blocked the process.
  it('names many loggers of one name -2, -3 … in time linear in their number', async () => {
    const count = 16_000;
    const metrics = loggerMetrics({}, { logged: 1 });
    const same = Array.from({ length: count }, () => ['worker', metrics] as const);
    const distinct = Array.from({ length: count }, (_, index) => [`worker-${index + 1}`, metrics] as const);
    let text = '';
    const baseline = await cpuMs(() => void metricsToPrometheus(distinct));
    const spent = await cpuMs(() => void (text = metricsToPrometheus(same)));
    // Linear: about the baseline; quadratic: some 25 times it at this count. CPU time, which a loaded machine does not stretch.
    expect(spent).toBeLessThan(3 * baseline + 300);
    const loggers = [...text.matchAll(/^rxlog_events_logged_total\{logger="([^"]*)"\} 1$/gm)].map((match) => match[1]);
    expect(loggers).toEqual(['worker', ...distinct.slice(1).map(([name]) => name)]);
    // A name another logger has already: skipped, as before.
    const labels = metricsToPrometheus([
      ['a', metrics],
      ['a', metrics],
      ['a-2', metrics],
      ['a', metrics],
    ]).match(/^rxlog_events_logged_total\{logger="[^"]*"\}/gm);
    expect(labels).toEqual(['a', 'a-3', 'a-2', 'a-4'].map((name) => `rxlog_events_logged_total{logger="${name}"}`));
  });

  it('writes the counters of the .pipe() operators only when the logger has them', () => {
    expect(metricsToPrometheus(sample())).not.toContain('rxlog_pipe_');
    const text = metricsToPrometheus({
      ...sample(),
      pipe: { entered: 9, left: 4, created: 1, dropped: 5, pending: 1, droppedBy: { unreported: 5 } },
    });
    expect(text).toContain('# TYPE rxlog_pipe_events_dropped_total counter\nrxlog_pipe_events_dropped_total 5\n');
    expect(text).toContain('# TYPE rxlog_pipe_events_pending gauge\nrxlog_pipe_events_pending 1\n');
    expect(text).toContain(
      '# TYPE rxlog_pipe_events_dropped_by_reason_total counter\nrxlog_pipe_events_dropped_by_reason_total{reason="unreported"} 5\n',
    );
  });

  // rxlog_pipe_events_dropped_total had no reason: what an app's .pipe() filtered out by design and
  // what it swallowed without a report were one number, while metricsToOpenTelemetry told them apart.
  withPromtool('writes what the .pipe() operators dropped by reason, summing to rxlog_pipe_events_dropped_total', async () => {
    const log = new LoggerConfiguration()
      .pipe(
        filterEvents((event) => event.properties.N !== 0),
        filter((event) => event.properties.N !== 1),
      )
      .writeTo.sink(new MemorySink(), { name: 'memory' })
      .createLogger();
    for (let i = 0; i < 5; i++) log.information('Event {N}', i % 3);
    await log.close();
    const metrics = log.metrics();
    const text = metricsToPrometheus(metrics);
    const result = spawnSync('promtool', ['check', 'metrics'], { input: text });
    expect(`${result.stdout.toString()}${result.stderr.toString()}`).toBe('');
    expect(result.status).toBe(0);
    const family = 'rxlog_pipe_events_dropped_by_reason_total';
    const lines = text.split('\n');
    // N = 0, 1, 2, 0, 1: two excluded by filterEvents, two removed by RxJS's filter without a report.
    expect(lines).toEqual(
      expect.arrayContaining([
        'rxlog_pipe_events_dropped_total 4',
        `# TYPE ${family} counter`,
        `${family}{reason="filterEvents.excluded"} 2`,
        `${family}{reason="unreported"} 2`,
      ]),
    );
    expect(lines.filter((line) => line.startsWith(`${family}{`))).toHaveLength(2);
    expect(metrics.logged).toBe(metrics.pipe!.dropped + metrics.sinks.memory.received);
  });

  it('writes the logger counters and every per-sink family with a sink label', () => {
    const text = metricsToPrometheus(sample());
    for (const line of [
      '# TYPE rxlog_events_logged_total counter',
      'rxlog_events_logged_total 12',
      'rxlog_events_filtered_total 2',
      'rxlog_events_rejected_after_close_total 1',
      '# TYPE rxlog_events_rejected_invalid_level_total counter',
      'rxlog_events_rejected_invalid_level_total 3',
      'rxlog_events_received_total{sink="file"} 10',
      'rxlog_events_delivered_total{sink="file"} 7',
      'rxlog_events_dropped_total{sink="file"} 1',
      'rxlog_events_failed_total{sink="file"} 1',
      'rxlog_events_pending{sink="file"} 1',
      'rxlog_batches_retried_total{sink="file"} 2',
      'rxlog_events_fallback_total{sink="file"} 3',
      '# TYPE rxlog_queue_depth gauge',
      'rxlog_queue_depth{sink="file"} 1',
      'rxlog_queue_bytes{sink="file"} 120',
      'rxlog_bytes_written_total{sink="file"} 2048',
      '# TYPE rxlog_delivery_latency_seconds summary',
      'rxlog_delivery_latency_seconds{sink="file",quantile="0.5"} 0.25',
      'rxlog_delivery_latency_seconds{sink="file",quantile="0.99"} 0.25',
      'rxlog_delivery_latency_max_seconds{sink="file"} 0.25',
      'rxlog_breaker_state{sink="file",state="closed"} 0',
      'rxlog_breaker_state{sink="file",state="open"} 0',
      'rxlog_breaker_state{sink="file",state="half-open"} 1',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
  });

  // Two loggers' texts joined are no exposition: the format allows one HELP and TYPE line per
  // metric name and one sample per name and labels (exposition_formats.md, "Text format details"),
  // and promtool fails the join with 'second HELP line for metric name "rxlog_events_logged_total"'.
  withPromtool('writes several loggers as one exposition, told apart by a logger label', () => {
    const pipe = { entered: 1, left: 1, created: 0, dropped: 0, pending: 0, droppedBy: {} };
    const text = metricsToPrometheus([
      ['app', sample()],
      ['audit "eu"', { ...sample(), logged: 5, pipe }],
    ]);
    const result = spawnSync('promtool', ['check', 'metrics'], { input: text });
    expect(String(result.stderr)).toBe('');
    expect(result.status).toBe(0);
    const lines = text.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'rxlog_events_logged_total{logger="app"} 12',
        'rxlog_events_logged_total{logger="audit \\"eu\\""} 5',
        'rxlog_pipe_events_pending{logger="audit \\"eu\\""} 0',
        'rxlog_events_received_total{logger="app",sink="file"} 10',
        'rxlog_events_received_total{logger="audit \\"eu\\"",sink="file"} 10',
        'rxlog_delivery_latency_seconds{logger="app",sink="file",quantile="0.5"} 0.25',
        'rxlog_breaker_state{logger="app",sink="file",state="half-open"} 1',
      ]),
    );
    expect(lines.filter((line) => line.startsWith('# HELP rxlog_events_logged_total'))).toHaveLength(1);
    expect(lines.filter((line) => line.startsWith('rxlog_pipe_events_pending'))).toHaveLength(1);
    // A name met twice gets -2: no duplicate series.
    const twice = metricsToPrometheus([
      ['app', sample()],
      ['app', sample()],
    ]);
    expect(twice).toContain('rxlog_events_logged_total{logger="app-2"} 12');
    expect(spawnSync('promtool', ['check', 'metrics'], { input: twice }).status).toBe(0);
    // One logger without a name: the same text as before.
    expect(metricsToPrometheus([['', sample()]])).toBe(metricsToPrometheus(sample()));
  });

  // HELP is what Prometheus and Grafana show beside a series. rxlog_events_dropped_total said
  // "queue overflow, an immediate shutdown or the operators of the sink pipe", so a drop the
  // sink itself reported (EmitResult.dropped: SeqSink below Seq's level) had no cause in it; and
  // rxlog_events_rejected_after_close_total said "after the logger was closed" of a call made
  // while a graceful close was still under way.
  it('says in HELP each cause its dropped and rejected-after-close counts have', async () => {
    const skipping: Sink = {
      emit: (events): EmitResult => ({ rejected: 0, dropped: { count: events.length, reason: 'test.skipped' } }),
    };
    const log = new LoggerConfiguration().writeTo.sink(skipping, { name: 'skipping' }).createLogger();
    log.information('Sent');
    const closing = log.close();
    log.information('Logged while the close is under way');
    await closing;
    const text = metricsToPrometheus(log.metrics());
    expect(text.split('\n')).toEqual(
      expect.arrayContaining(['rxlog_events_dropped_total{sink="skipping"} 1', 'rxlog_events_rejected_after_close_total 1']),
    );
    const help = (name: string): string | undefined => text.split('\n').find((line) => line.startsWith(`# HELP ${name} `));
    expect(help('rxlog_events_dropped_total')).toMatch(/by the sink itself/);
    expect(help('rxlog_events_dropped_total')).toMatch(/after its close began/);
    expect(help('rxlog_events_rejected_after_close_total')).toMatch(/after close\(\) began/);
  });

  // rxlog_events_dropped_total has no reason: an alert on it fired for sampling and throttling,
  // drops made by design. metricsToOpenTelemetry tells them apart by error.type; this family uses
  // the same names, and rxlog_events_dropped_total keeps its series as they were.
  withPromtool(
    'writes each sink’s drops by reason as metricsToOpenTelemetry names them, summing to rxlog_events_dropped_total',
    async () => {
      // A sink that chooses not to send each batch, under a reason of its own for each: hostile
      // text, one of the names rxlog computes, and more reasons than the 64 kept.
      const reasons = ['say "no"\\\nnow', 'queue_full', 'lone \uD800', 'lone \uDC00'];
      for (let i = 0; i < 70; i++) reasons.push(`reason-${i}`);
      let batch = 0;
      const skipping: Sink = {
        emit: (events): EmitResult => ({ rejected: 0, dropped: { count: events.length, reason: reasons[batch++] } }),
      };
      const designed = new LoggerConfiguration().writeTo
        .sink(new MemorySink(), { name: 'sampled', pipe: [sampleEvents({ rate: 0 })] })
        .writeTo.sink(skipping, { name: 'skipping', batch: { size: 1, maxDelayMs: 0 } })
        .createLogger();
      for (let i = 0; i < reasons.length; i++) designed.information('Event {N}', i);
      await designed.close();
      // One in flight, three queued (dropped by an immediate close), two dropped by the full queue.
      let open = (): void => undefined;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const queued = new LoggerConfiguration().writeTo
        .sink({ emit: () => gate }, { name: 'queued', queue: { limit: 3 } })
        .createLogger();
      for (let i = 0; i < 6; i++) queued.information('Event {N}', i);
      const closing = queued.close({ strategy: 'immediate' });
      open();
      await closing;

      const text = metricsToPrometheus([
        ['designed', designed.metrics()],
        ['queued', queued.metrics()],
      ]);
      const result = spawnSync('promtool', ['check', 'metrics'], { input: text });
      expect(String(result.stderr)).toBe('');
      expect(result.status).toBe(0);
      const lines = text.split('\n');
      const family = 'rxlog_events_dropped_by_reason_total';
      expect(lines).toEqual(
        expect.arrayContaining([
          expect.stringMatching(new RegExp(`^# HELP ${family} .*queue_full.*already_shutdown.*sampleEvents\\.sampledOut`)),
          `# TYPE ${family} counter`,
          `${family}{logger="designed",sink="sampled",reason="sampleEvents.sampledOut"} ${reasons.length}`,
          `${family}{logger="designed",sink="sampled",reason="queue_full"} 0`,
          `${family}{logger="designed",sink="sampled",reason="already_shutdown"} 0`,
          `${family}{logger="designed",sink="skipping",reason="say \\"no\\"\\\\\\nnow"} 1`,
          // The sink's own queue_full reason adds to the series, as in metricsToOpenTelemetry.
          `${family}{logger="designed",sink="skipping",reason="queue_full"} 1`,
          // Two reasons that are one label once encoded as UTF-8: one series, their sum.
          `${family}{logger="designed",sink="skipping",reason="lone \uFFFD"} 2`,
          `${family}{logger="designed",sink="skipping",reason="other"} ${reasons.length - 64}`,
          `${family}{logger="queued",sink="queued",reason="queue_full"} 2`,
          `${family}{logger="queued",sink="queued",reason="already_shutdown"} 3`,
        ]),
      );
      // Bounded: 64 reasons and `other`, and the two rxlog computes (one of them among the 64 here).
      expect(lines.filter((line) => line.startsWith(`${family}{logger="designed",sink="skipping",`)).length).toBeLessThanOrEqual(
        66,
      );
      // Every sink's reasons sum to its rxlog_events_dropped_total, which has no reason label still.
      const total = (prefix: string): number =>
        lines.filter((line) => line.startsWith(prefix)).reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
      for (const labels of [
        'logger="designed",sink="sampled"',
        'logger="designed",sink="skipping"',
        'logger="queued",sink="queued"',
      ])
        expect([labels, total(`${family}{${labels},`)]).toEqual([labels, total(`rxlog_events_dropped_total{${labels}}`)]);
      expect(lines).toContain(`rxlog_events_dropped_total{logger="queued",sink="queued"} 5`);
    },
  );

  // OpenTelemetry's Prometheus and OpenMetrics Compatibility spec (Prometheus metric points to
  // OTLP, Summaries): "If `_count` is not present, the metric MUST be dropped", and a missing
  // `_sum` is read as 0. Scraped by an OpenTelemetry Collector's prometheus receiver, the latency
  // summary without `_count` vanished, quantiles and all; without `_sum` no mean latency could be
  // computed (rate(_sum) / rate(_count)), since the histogram kept no total.
  withPromtool('writes the latency summary with _count and _sum, the latencies recorded and their total in seconds', async () => {
    jest.useFakeTimers();
    try {
      const releases: (() => void)[] = [];
      const slow: Sink = { emit: () => new Promise<void>((resolve) => releases.push(resolve)) };
      const log = new LoggerConfiguration().writeTo
        .sink(slow, { name: 'slow', batch: { size: 1, maxDelayMs: 0 } })
        .createLogger();
      log.information('First');
      log.information('Second');
      // The first is written at once and accepted 40 ms later; the second, queued behind it, 20 ms after that.
      await jest.advanceTimersByTimeAsync(40);
      releases[0]();
      await jest.advanceTimersByTimeAsync(20);
      releases[1]();
      await jest.advanceTimersByTimeAsync(0);
      const metrics = log.metrics();
      const closing = log.close();
      await jest.advanceTimersByTimeAsync(0);
      await closing;
      expect(metrics.sinks.slow).toMatchObject({ delivered: 2, latencyMs: { count: 2, sum: 100, max: 60 } });
      const text = metricsToPrometheus(metrics);
      const result = spawnSync('promtool', ['check', 'metrics'], { input: text });
      expect(`${result.stdout.toString()}${result.stderr.toString()}`).toBe('');
      expect(result.status).toBe(0);
      const lines = text.split('\n');
      const type = lines.indexOf('# TYPE rxlog_delivery_latency_seconds summary');
      const next = lines.findIndex((line, index) => index > type && line.startsWith('# HELP'));
      expect(lines.slice(type + 1, next).filter((line) => !line.includes('quantile='))).toEqual([
        'rxlog_delivery_latency_seconds_count{sink="slow"} 2',
        'rxlog_delivery_latency_seconds_sum{sink="slow"} 0.1',
      ]);
    } finally {
      jest.useRealTimers();
    }
  });

  // A summary without `_count` is dropped by an OTLP converter, one without `_sum` gets a sum of
  // 0, and OpenMetrics forbids a NaN or negative Count or Sum: before, each of these was written.
  withPromtool('leaves a sink out of the latency summary when its count or total is missing, NaN or negative', () => {
    const file = sample().sinks.file;
    const { p50, p95, p99, max, count, sum } = file.latencyMs;
    const kept = { ...file, latencyMs: { p50, p95, p99, max, count, sum } };
    const given: Record<string, unknown> = {
      kept,
      old: { ...file, latencyMs: { p50, p95, p99, max } },
      noSum: { ...file, latencyMs: { p50, p95, p99, max, count } },
      noCount: { ...file, delivered: undefined, latencyMs: { p50, p95, p99, max, sum } },
      nanSum: { ...file, latencyMs: { p50, p95, p99, max, count, sum: Number.NaN } },
      negativeCount: { ...file, latencyMs: { p50, p95, p99, max, count: -1, sum } },
    };
    const text = metricsToPrometheus({ ...sample(), sinks: given as LoggerMetrics['sinks'] });
    const summary = text.split('\n').filter((line) => line.startsWith('rxlog_delivery_latency_seconds'));
    expect(summary).toEqual([
      'rxlog_delivery_latency_seconds{sink="kept",quantile="0.5"} 0.25',
      'rxlog_delivery_latency_seconds{sink="kept",quantile="0.95"} 0.25',
      'rxlog_delivery_latency_seconds{sink="kept",quantile="0.99"} 0.25',
      'rxlog_delivery_latency_seconds_count{sink="kept"} 1',
      'rxlog_delivery_latency_seconds_sum{sink="kept"} 0.25',
    ]);
    // The max gauge stays for every sink; the histogram writes no NaN _sum.
    expect(text.split('\n').filter((line) => line.startsWith('rxlog_delivery_latency_max_seconds{'))).toHaveLength(6);
    expect(text).not.toContain('rxlog_delivery_duration_seconds_sum{sink="nanSum"}');
    const result = spawnSync('promtool', ['check', 'metrics'], { input: text });
    expect(`${result.stdout.toString()}${result.stderr.toString()}`).toBe('');
    expect(result.status).toBe(0);
  });

  it('writes the latencies as a histogram too: cumulative buckets at every power of two of a millisecond, in seconds, +Inf equal to _count', () => {
    const file = new SinkMetricsRecorder('file');
    for (const ms of [0, 1, 3, 250, 250, 9_000_000]) file.latency.record(ms);
    file.delivered = 6;
    const metrics: LoggerMetrics = { ...sample(), sinks: { file: file.snapshot() } };
    const text = metricsToPrometheus(metrics);
    const lines = text.split('\n').filter((line) => line.startsWith('rxlog_delivery_duration_seconds'));
    // 2^k ms as seconds: never a whole number, so no client spells an `le` another way (`1` or `1.0`).
    const at = (le: string, count: number): string => `rxlog_delivery_duration_seconds_bucket{sink="file",le="${le}"} ${count}`;
    expect(lines).toEqual([
      at('0.001', 2),
      at('0.002', 2),
      at('0.004', 3),
      ...['0.008', '0.016', '0.032', '0.064', '0.128'].map((le) => at(le, 3)),
      ...['0.256', '0.512', '1.024', '2.048', '4.096', '8.192', '16.384', '32.768', '65.536', '131.072'].map((le) => at(le, 5)),
      ...['262.144', '524.288', '1048.576', '2097.152', '4194.304', '8388.608'].map((le) => at(le, 5)),
      // 9 000 s is past the last edge: only +Inf has it.
      at('+Inf', 6),
      'rxlog_delivery_duration_seconds_sum{sink="file"} 9000.504',
      'rxlog_delivery_duration_seconds_count{sink="file"} 6',
    ]);
    expect(text).toContain('# TYPE rxlog_delivery_duration_seconds histogram\n');
    expect(text).toMatch(/^# HELP rxlog_delivery_duration_seconds \S/m);
    // The summary and its names stay as they were.
    expect(text).toContain('\nrxlog_delivery_latency_seconds_count{sink="file"} 6\n');
    expect(text).toContain('# TYPE rxlog_delivery_latency_seconds summary\n');
    // Read back from JSON, the metrics give the same text.
    expect(metricsToPrometheus(JSON.parse(JSON.stringify(metrics)) as LoggerMetrics)).toBe(text);
    if (promtool) expect(() => execFileSync('promtool', ['check', 'metrics'], { input: text, stdio: 'pipe' })).not.toThrow();
  });

  it('leaves a sink out of the histogram when its metrics have no buckets or no count (an earlier version, JSON from elsewhere), never throwing', () => {
    const { latencyBuckets, ...file } = sample().sinks.file;
    expect(latencyBuckets).toBeDefined();
    for (const odd of [
      file,
      { ...file, latencyBuckets, latencyMs: { ...file.latencyMs, count: undefined } },
      { ...file, latencyBuckets: null },
      { ...file, latencyBuckets: { le: 'x', counts: [] } },
      { ...file, latencyBuckets: { le: [1, 2], counts: null } },
    ]) {
      const text = metricsToPrometheus({ ...sample(), sinks: { file: odd as never } });
      expect(text).not.toMatch(/^rxlog_delivery_duration_seconds_/m);
      // The summary is written whole, so without a count it goes too; the max gauge stays.
      expect(text.includes('rxlog_delivery_latency_seconds{sink="file",quantile="0.99"} 0.25')).toBe(odd.latencyMs.count === 1);
      expect(text).toContain('rxlog_delivery_latency_max_seconds{sink="file"} 0.25');
      if (promtool) expect(() => execFileSync('promtool', ['check', 'metrics'], { input: text, stdio: 'pipe' })).not.toThrow();
    }
    // A bucket whose edge or count is not a number is left out, the rest written.
    const odd = { ...file, latencyBuckets: { le: [1, 'x', 4], counts: [0, 1, null] } };
    const text = metricsToPrometheus({ ...sample(), sinks: { file: odd as never } });
    expect(text.split('\n').filter((line) => line.startsWith('rxlog_delivery_duration_seconds'))).toEqual([
      'rxlog_delivery_duration_seconds_bucket{sink="file",le="0.001"} 0',
      'rxlog_delivery_duration_seconds_bucket{sink="file",le="+Inf"} 1',
      'rxlog_delivery_duration_seconds_sum{sink="file"} 0.25',
      'rxlog_delivery_duration_seconds_count{sink="file"} 1',
    ]);
  });

  // Found by a review: hand-built buckets were written in the order given, so repeated or unsorted `le` values made a
  // histogram Prometheus rejects (le not ascending, a series written twice).
  it('sorts hand-built buckets and merges a repeated edge, and leaves out a sink whose buckets no histogram can have', () => {
    const { latencyBuckets: _, ...file } = sample().sinks.file;
    const count = file.latencyMs.count ?? 0;
    const histogram = (le: number[], counts: number[]): string[] =>
      metricsToPrometheus({ ...sample(), sinks: { file: { ...file, latencyBuckets: { le, counts } } } })
        .split('\n')
        .filter((line) => line.startsWith('rxlog_delivery_duration_seconds_bucket'));
    const at = (le: string, n: number): string => `rxlog_delivery_duration_seconds_bucket{sink="file",le="${le}"} ${n}`;
    const written = [at('0.001', 0), at('0.004', count), at('+Inf', count)];
    expect(histogram([4, 1], [count, 0])).toEqual(written);
    expect(histogram([1, 4, 1, 4], [0, count, 0, count])).toEqual(written);
    for (const [le, counts] of [
      [
        [1, 1],
        [0, count],
      ],
      [
        [1, 4],
        [count, 0],
      ],
      [
        [1, 4],
        [0, count + 1],
      ],
      [
        [1, Number.NaN],
        [0, count],
      ],
      [
        [1, Number.POSITIVE_INFINITY],
        [0, count],
      ],
    ]) {
      expect(histogram(le, counts)).toEqual([]);
    }
    const unsorted = metricsToPrometheus({
      ...sample(),
      sinks: { file: { ...file, latencyBuckets: { le: [4, 1, 4], counts: [count, 0, count] } } },
    });
    expect(() => parsePrometheusStrictly(unsorted)).not.toThrow();
    if (promtool) expect(() => execFileSync('promtool', ['check', 'metrics'], { input: unsorted, stdio: 'pipe' })).not.toThrow();
  });

  // Found by a review: a negative or NaN count passed the checks (expfmt, so promtool 3, fails the
  // whole text at a negative one; NaN is no cumulative count), and edges were compared in milliseconds
  // but written in seconds, where 0 and 5e-324 ms are one `le`: the series twice.
  it('leaves out a sink whose hand-built buckets have a negative or NaN count, or two edges that are one le in seconds', () => {
    const { latencyBuckets: _, ...file } = sample().sinks.file;
    const count = file.latencyMs.count ?? 0;
    const written = (latencyMs: LoggerMetrics['sinks'][string]['latencyMs'], le: number[], counts: number[]): string => {
      const text = metricsToPrometheus({ ...sample(), sinks: { file: { ...file, latencyMs, latencyBuckets: { le, counts } } } });
      expect(() => parsePrometheusStrictly(text)).not.toThrow();
      return text
        .split('\n')
        .filter((line) => line.startsWith('rxlog_delivery_duration_seconds'))
        .join('\n');
    };
    for (const [latencyMs, le, counts] of [
      [file.latencyMs, [1, 4], [-1, count]],
      [file.latencyMs, [1, 4], [Number.NaN, count]],
      [file.latencyMs, [1, 4], [0, Number.NaN]],
      [{ ...file.latencyMs, count: -1 }, [], []],
      [{ ...file.latencyMs, count: Number.NaN }, [1], [0]],
      [file.latencyMs, [0, 5e-324], [0, count]],
    ] as const) {
      expect(written(latencyMs, [...le], [...counts])).toBe('');
    }
    // Edges that are one number of seconds with one count are that edge once.
    expect(written(file.latencyMs, [5e-324, 0], [0, 0])).toBe(
      [
        'rxlog_delivery_duration_seconds_bucket{sink="file",le="0"} 0',
        `rxlog_delivery_duration_seconds_bucket{sink="file",le="+Inf"} ${count}`,
        'rxlog_delivery_duration_seconds_sum{sink="file"} 0.25',
        `rxlog_delivery_duration_seconds_count{sink="file"} ${count}`,
      ].join('\n'),
    );
  });

  it('escapes backslashes, quotes and newlines in label values', () => {
    expect(metricsToPrometheus(sample())).toContain('rxlog_events_received_total{sink="http \\"eu\\"\\\\\\nprimary"} 0');
  });

  it('gives every family one HELP and one TYPE line and ends with a newline', () => {
    const text = metricsToPrometheus(sample());
    const types = text.split('\n').filter((line) => line.startsWith('# TYPE '));
    const helps = text.split('\n').filter((line) => line.startsWith('# HELP '));
    expect(types).toHaveLength(helps.length);
    expect(new Set(types.map((line) => line.split(' ')[2])).size).toBe(types.length);
    expect(text.endsWith('\n')).toBe(true);
  });
});
