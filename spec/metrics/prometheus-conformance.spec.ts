import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { filter } from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import type { LoggerMetrics, SinkMetrics } from '../../lib/metrics/metrics-types';
import { metricsToPrometheus } from '../../lib/metrics/metrics-to-prometheus';
import { SinkMetricsRecorder } from '../../lib/metrics/sink-metrics-recorder';
import { loggerMetrics } from '../helpers/logger-metrics';
import { filterEvents } from '../../lib/operators/filter-events';
import { sampleEvents } from '../../lib/operators/sample-events';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { parsePrometheusStrictly } from '../helpers/strict-prometheus-parser';

// metricsToPrometheus read back by a strict reader of the text format 0.0.4 (spec/helpers/
// strict-prometheus-parser.ts: expfmt's rules, and what a scrape needs beyond them: no series
// twice, a family's lines together, histograms cumulative up to le="+Inf" = _count) and by
// `promtool check metrics`, for hostile names and values.

const promtool = spawnSync('promtool', ['--version']).status === 0;
if (!promtool)
  console.warn(
    'promtool is not on PATH (Debian package "prometheus"): spec/metrics/prometheus-conformance.spec.ts reads the text with its own strict parser only',
  );

function promtoolSays(text: string): string {
  if (!promtool) return '';
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text });
  return `${result.stdout.toString()}${result.stderr.toString()}${result.status === 0 ? '' : `exit ${String(result.status)}`}`;
}

const HOSTILE_SINK_NAMES = [
  'é😀',
  'say "hi"',
  'back\\slash',
  'new\nline',
  'carriage\rreturn',
  'tab\there',
  'nul\u0000',
  'x} 1\n# TYPE x counter',
  'line\u2028separator',
  'x'.repeat(10_000),
];

describe('metricsToPrometheus, read strictly', () => {
  // The reader is the oracle of the tests below: it must refuse what a scrape refuses or mis-reads,
  // including what promtool lets through (a series twice, a histogram that is not cumulative).
  it.each([
    ['a series twice', 'a_total{s="a"} 1\na_total{s="a"} 2'],
    ['a series twice once empty labels are dropped', 'a_total{s=""} 1\na_total 2'],
    ['an escape the format does not have', 'a_total{s="a\\r"} 1'],
    ['an unescaped quote', 'a_total{s="a"b"} 1'],
    ['a label name twice', 'a_total{s="a",s="b"} 1'],
    ['a TYPE after samples', 'a_total 1\n# TYPE a_total counter'],
    ['a family split by another', '# HELP b_total b\n# TYPE b_total counter\nb_total 1\na_total 1'],
    ['a value Go cannot parse', 'a_total 0x1'],
  ])('refuses %s', (_, lines) => {
    const text = `# HELP a_total a\n# TYPE a_total counter\n${lines}\n`;
    expect(() => parsePrometheusStrictly(text)).toThrow();
    expect(() =>
      parsePrometheusStrictly('# HELP a_total a\n# TYPE a_total counter\na_total{s="\\\\ \\" \\n"} 1\n'),
    ).not.toThrow();
  });

  it.each([
    ['buckets that fall', 'h_bucket{le="1"} 5\nh_bucket{le="+Inf"} 3\nh_sum 1\nh_count 3'],
    ['+Inf unequal to _count', 'h_bucket{le="1"} 1\nh_bucket{le="+Inf"} 3\nh_sum 1\nh_count 4'],
    ['no +Inf bucket', 'h_bucket{le="1"} 1\nh_sum 1\nh_count 1'],
    ['edges out of order', 'h_bucket{le="2"} 1\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1'],
    // prometheus/common's expfmt (promtool 3): "negative bucket population", "negative count for histogram".
    ['a negative bucket count', 'h_bucket{le="1"} -1\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1'],
    ['a negative count', 'h_bucket{le="+Inf"} -1\nh_sum 1\nh_count -1'],
  ])('refuses a histogram with %s', (_, lines) => {
    expect(() => parsePrometheusStrictly(`# HELP h h\n# TYPE h histogram\n${lines}\n`)).toThrow();
  });

  it('writes a real logger with hostile sink and logger names as a text a strict reader and promtool accept, each label reading back as its name', async () => {
    const build = (): ReturnType<LoggerConfiguration['createLogger']> => {
      let configuration = new LoggerConfiguration().minimumLevel.verbose().pipe(
        filter((event) => event.level !== 'verbose'),
        filterEvents((event) => event.level !== 'debug'),
      );
      HOSTILE_SINK_NAMES.forEach((name, index) => {
        configuration = configuration.writeTo.sink(new MemorySink(), {
          name,
          queue: { limit: 1, overflow: 'drop-newest' },
          ...(index % 2 === 0 ? { pipe: [sampleEvents({ rate: 0.5, key: 'N' })] } : {}),
        });
      });
      return configuration.createLogger();
    };
    const logs = [build(), build()];
    for (const log of logs) {
      for (let n = 0; n < 20; n++) log.write(n % 4 === 0 ? 'verbose' : n % 4 === 1 ? 'debug' : 'information', 'Event {N}', n);
      await log.flush();
    }
    await logs[1].close();
    const text = metricsToPrometheus([
      ['', logs[0].metrics()],
      ['say "hi"\\\n😀', logs[1].metrics()],
      ['say "hi"\\\n😀', logs[0].metrics()],
      ['', logs[1].metrics()],
    ]);

    const families = parsePrometheusStrictly(text);
    expect(promtoolSays(text)).toBe('');
    const received = families.get('rxlog_events_received_total')?.samples ?? [];
    const byLogger = new Map<string | undefined, string[]>();
    for (const { labels } of received) byLogger.set(labels.logger, [...(byLogger.get(labels.logger) ?? []), labels.sink]);
    expect([...byLogger.keys()]).toEqual([undefined, 'say "hi"\\\n😀', 'say "hi"\\\n😀-2', '-2']);
    for (const sinks of byLogger.values()) expect(sinks).toEqual(HOSTILE_SINK_NAMES);
    // The drops the text reports add up per sink, by reason, to the sink's dropped.
    const dropped = families.get('rxlog_events_dropped_total')?.samples ?? [];
    const byReason = families.get('rxlog_events_dropped_by_reason_total')?.samples ?? [];
    for (const { labels, value } of dropped) {
      const reasons = byReason.filter((sample) => sample.labels.logger === labels.logger && sample.labels.sink === labels.sink);
      expect(reasons.reduce((sum, sample) => sum + sample.value, 0)).toBe(value);
    }
    expect(byReason.some((sample) => sample.labels.reason === 'sampleEvents.sampledOut' && sample.value > 0)).toBe(true);
    // What RxJS's filter removed is counted at close: in the closed logger's series alone.
    const hi = 'say "hi"\\\n😀';
    expect(
      families
        .get('rxlog_pipe_events_dropped_by_reason_total')
        ?.samples.map(({ labels, value }) => [labels.logger, labels.reason, value]),
    ).toEqual([
      [undefined, 'filterEvents.excluded', 5],
      [hi, 'filterEvents.excluded', 5],
      [hi, 'unreported', 5],
      [`${hi}-2`, 'filterEvents.excluded', 5],
      ['-2', 'filterEvents.excluded', 5],
      ['-2', 'unreported', 5],
    ]);
    await logs[0].close();
  });

  // Values a hand-built or JSON-read LoggerMetrics may hold; numbers are written, the rest left out.
  const value = fc.oneof(
    fc.nat({ max: 1_000 }),
    fc.constantFrom<unknown>(Number.NaN, Infinity, -Infinity, -0, 1e21, 5e-324, 2 ** 53 + 2, -1, 0.1, null, undefined, 'x', {}),
  );
  const name = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.constantFrom('', '-2', 'a\uD800', 'a\uFFFD', 'queue_full'),
  );

  /** How the sink's latencies were read back: whole, or as JSON from an earlier version, or broken. */
  const era = fc.constantFrom('whole', 'no buckets', 'no count', 'no latency', 'null latency', 'hand-built');
  /** Buckets built by hand: any edges and counts, sorted or not, with their own count. */
  const handBuilt = fc.record({
    le: fc.array(fc.oneof(value, fc.double(), fc.constantFrom(0, 5e-324, 1, 1 + 2 ** -52)), { maxLength: 5 }),
    counts: fc.array(fc.oneof(value, fc.double()), { maxLength: 5 }),
    count: value,
  });
  const earlier = (
    snapshot: SinkMetrics,
    made: string,
    hand: { le: unknown[]; counts: unknown[]; count: unknown },
  ): Partial<Record<keyof SinkMetrics, unknown>> => {
    if (made === 'hand-built')
      return { latencyBuckets: { le: hand.le, counts: hand.counts }, latencyMs: { ...snapshot.latencyMs, count: hand.count } };
    const { count: _, sum: __, ...summary } = snapshot.latencyMs;
    if (made === 'no buckets') return { latencyBuckets: undefined };
    if (made === 'no count') return { latencyBuckets: undefined, latencyMs: summary };
    if (made === 'no latency') return { latencyBuckets: undefined, latencyMs: undefined };
    if (made === 'null latency') return { latencyMs: null };
    return {};
  };

  it('writes any metrics, with any names and any values, as a text a strict reader accepts', () => {
    const texts: string[] = [];
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            name,
            fc.array(
              fc.tuple(
                name,
                fc.array(fc.tuple(name, value), { maxLength: 4 }),
                fc.array(value, { minLength: 6, maxLength: 6 }),
                fc.array(fc.double({ min: 0, max: 1e10, noNaN: true }), { maxLength: 5 }),
                era,
                handBuilt,
              ),
              { maxLength: 4 },
            ),
            fc.option(fc.array(fc.tuple(name, value), { maxLength: 4 }), { nil: undefined }),
          ),
          { maxLength: 4 },
        ),
        (loggers) => {
          const given = loggers.map(([loggerName, sinks, pipeDrops]): [string, LoggerMetrics] => {
            const records: Record<string, SinkMetrics> = {};
            for (const [
              sinkName,
              drops,
              [received, delivered, dropped, failed, pending, atClose],
              latencies,
              made,
              hand,
            ] of sinks) {
              const recorder = new SinkMetricsRecorder(sinkName);
              for (const latency of latencies) recorder.latency.record(latency);
              const snapshot = {
                ...recorder.snapshot(),
                ...earlier(recorder.snapshot(), made, hand),
                received,
                delivered,
                dropped,
                failed,
                pending,
                droppedAtClose: atClose,
                droppedBy: Object.fromEntries(drops),
              } as unknown as SinkMetrics;
              // An earlier version, without latencyMs.count, wrote the summary's _count from delivered,
              // a number: without either, the quantiles are left with no _count (out of this test).
              const countless = made === 'no count' || (made === 'hand-built' && typeof hand.count != 'number');
              if (countless && typeof delivered != 'number') snapshot.delivered = 0;
              Object.defineProperty(records, sinkName, { value: snapshot, enumerable: true, configurable: true, writable: true });
            }
            const pipe =
              pipeDrops === undefined
                ? undefined
                : {
                    entered: 1,
                    left: 0,
                    created: 0,
                    dropped: 1,
                    pending: 0,
                    droppedBy: Object.fromEntries(pipeDrops) as Record<string, number>,
                  };
            return [loggerName, loggerMetrics(records, { logged: 1, pipe })];
          });
          const text = metricsToPrometheus(given);
          parsePrometheusStrictly(text);
          if (texts.length < 10) texts.push(text);
        },
      ),
      { numRuns: 300 },
    );
    for (const text of texts) expect(promtoolSays(text)).toBe('');
  });
});
