import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { batchOption, breakerOption, retryOption } from '../helpers/delivery-arbitraries';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import type { SinkOptions } from '../../lib/configuration/sink-options';
import { PartialDeliveryError } from '../../lib/core/errors/partial-delivery-error';
import type { LogEvent } from '../../lib/core/log-event';
import { SelfLog } from '../../lib/core/self-log';
import type { EmitResult, Sink } from '../../lib/core/sink';
import { metricsToPrometheus } from '../../lib/metrics/metrics-to-prometheus';
import type { Logger } from '../../lib/pipeline/logger';
import { mulberry32 } from '../helpers/model-run';

// What a Prometheus scrape sees, at every moment one can happen: between log calls, from a timer
// while batches are in flight, from inside a sink's emit (a batch taken, its result not yet in),
// from a SelfLog handler (a failure, a breaker turning) and after close, while the wall clock may
// step back. fast-check draws 1–3 sinks that take, throw, reject, write part of a batch, refuse
// events or leave some out, with random queue, batch, retry, breaker and fallback options. Each
// scrape is read back from the text, as Prometheus would: per sink received = delivered + dropped
// + failed + pending, the drops by reason add up to dropped, fallback ≤ delivered, the latency
// summary's _count is the events delivered (one latency each), the latency histogram's buckets are
// cumulative at the documented `le` edges with le="+Inf" = its _count = delivered, and no counter
// (nor a _count, _sum or _bucket) ever falls or vanishes.
// PROMETHEUS_BALANCE_RUNS / PROMETHEUS_BALANCE_SEED explore further.

type Act =
  | { kind: 'ok' }
  | { kind: 'throw' }
  | { kind: 'resolve'; afterMs: number }
  | { kind: 'reject'; afterMs: number }
  | { kind: 'partial'; written: number; afterMs: number | undefined }
  | { kind: 'result'; rejected: number; dropped: number; afterMs: number | undefined };

interface SinkPlan {
  script: Act[];
  queue: { limit: number; overflow: 'drop-oldest' | 'drop-newest' } | undefined;
  batch: { size: number; maxDelayMs: number } | undefined;
  retry: { attempts: number; initialDelayMs: number } | false | undefined;
  circuitBreaker: { failureThreshold: number; resetTimeoutMs: number } | false | undefined;
  fallback: Act[] | undefined;
}

type Step =
  | { kind: 'log'; count: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'scrapeLater'; ms: number }
  | { kind: 'clockBack'; ms: number };

const afterMs = fc.option(fc.integer({ min: 0, max: 80 }), { nil: undefined });
const act: fc.Arbitrary<Act> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Act>({ kind: 'ok' }) },
  { weight: 1, arbitrary: fc.constant<Act>({ kind: 'throw' }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 150 }).map<Act>((ms) => ({ kind: 'resolve', afterMs: ms })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 150 }).map<Act>((ms) => ({ kind: 'reject', afterMs: ms })) },
  {
    weight: 1,
    arbitrary: fc
      .record({ written: fc.integer({ min: 0, max: 4 }), afterMs })
      .map<Act>(({ written, afterMs: ms }) => ({ kind: 'partial', written, afterMs: ms })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ rejected: fc.integer({ min: 0, max: 3 }), dropped: fc.integer({ min: 0, max: 3 }), afterMs })
      .map<Act>(({ rejected, dropped, afterMs: ms }) => ({ kind: 'result', rejected, dropped, afterMs: ms })),
  },
);

const sinkPlan: fc.Arbitrary<SinkPlan> = fc.record({
  script: fc.array(act, { minLength: 1, maxLength: 5 }),
  queue: fc.option(
    fc.record({
      limit: fc.integer({ min: 1, max: 12 }),
      overflow: fc.constantFrom('drop-oldest' as const, 'drop-newest' as const),
    }),
    { nil: undefined },
  ),
  batch: batchOption(6, 100),
  retry: retryOption(60),
  circuitBreaker: breakerOption(300),
  fallback: fc.option(fc.array(act, { minLength: 1, maxLength: 3 }), { nil: undefined, freq: 2 }),
});

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 10 }).map<Step>((count) => ({ kind: 'log', count })) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 250 }).map<Step>((ms) => ({ kind: 'advance', ms })) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 200 }).map<Step>((ms) => ({ kind: 'scrapeLater', ms })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 5_000 }).map<Step>((ms) => ({ kind: 'clockBack', ms })) },
);

const ending = fc.record({
  strategy: fc.constantFrom('graceful' as const, 'immediate' as const, 'flush' as const),
  timeoutMs: fc.constantFrom(0, 30, 500),
});

/** A sink that follows its script, and has the exposition scraped each time a batch reaches it. */
class ScriptedSink implements Sink {
  calls = 0;

  constructor(
    readonly script: readonly Act[],
    readonly scrape: (where: string) => void,
  ) {}

  emit(events: readonly LogEvent[]): void | EmitResult | Promise<void | EmitResult> {
    // The batch is taken and its outcome not yet known: what a scrape now sees must balance.
    this.scrape('inside emit');
    const next = this.script[this.calls++ % this.script.length];
    switch (next.kind) {
      case 'ok':
        return undefined;
      case 'throw':
        throw new Error('scripted throw');
      case 'resolve':
        return new Promise<void>((resolve) => setTimeout(resolve, next.afterMs));
      case 'reject':
        return new Promise<void>((_, reject) => setTimeout(() => reject(new Error('scripted reject')), next.afterMs));
      case 'partial': {
        const error = new PartialDeliveryError(next.written, new Error('scripted short write'));
        if (next.afterMs === undefined) throw error;
        return new Promise<void>((_, reject) => setTimeout(() => reject(error), next.afterMs));
      }
      case 'result': {
        const result: EmitResult = {
          rejected: Math.min(next.rejected, events.length),
          dropped: { count: next.dropped, reason: 'scripted "left out"\\' },
        };
        if (next.afterMs === undefined) return result;
        return new Promise<EmitResult>((resolve) => setTimeout(() => resolve(result), next.afterMs));
      }
    }
  }
}

/** Every sample of an exposition by series (`name{labels}`), as Prometheus reads it back. */
function samples(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    const sample = /^([^{ #]+)(\{.*\})? (\S+)$/.exec(line);
    if (sample !== null) series.set(`${sample[1]}${sample[2] ?? ''}`, Number(sample[3]));
  }
  return series;
}

/** The names of the counter samples (a counter family's, a summary's `_count` and `_sum`, a histogram's and its `_bucket`s). */
function counterNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (counter|summary|histogram)$/gm))
    if (type === 'counter') names.add(name);
    else if (type === 'summary') names.add(`${name}_count`).add(`${name}_sum`);
    else names.add(`${name}_count`).add(`${name}_sum`).add(`${name}_bucket`);
  return names;
}

/** The `le` edges of the latency histogram, in seconds as the text spells them: 2^k ms, 1 ms to 2^23 ms, then +Inf. */
const LE = [...Array.from({ length: 24 }, (_, power) => String(2 ** power / 1000)), '+Inf'];

class Scraper {
  last = '';
  scrapes = 0;
  #counters = new Map<string, number>();

  constructor(
    readonly names: readonly string[],
    readonly log: () => Logger | undefined,
  ) {}

  scrape(where: string): void {
    const log = this.log();
    if (log === undefined) return;
    const text = metricsToPrometheus(log.metrics());
    this.scrapes++;
    this.last = text;
    const series = samples(text);
    const value = (name: string, sink: string): number => {
      const found = series.get(`${name}{sink="${sink}"}`);
      if (found === undefined) throw new Error(`${where}: no ${name} for sink ${sink}`);
      return found;
    };
    for (const name of this.names) {
      // The label as the text spells it: `\\`, `\"` and `\n` escaped.
      const sink = name.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
      const received = value('rxlog_events_received_total', sink);
      const delivered = value('rxlog_events_delivered_total', sink);
      const dropped = value('rxlog_events_dropped_total', sink);
      const failed = value('rxlog_events_failed_total', sink);
      const pending = value('rxlog_events_pending', sink);
      if (pending < 0 || received !== delivered + dropped + failed + pending)
        throw new Error(
          `${where}: ${sink} received ${received} ≠ delivered ${delivered} + dropped ${dropped} + failed ${failed} + pending ${pending}`,
        );
      let byReason = 0;
      for (const [key, count] of series)
        if (key.startsWith(`rxlog_events_dropped_by_reason_total{sink="${sink}",`)) byReason += count;
      if (byReason !== dropped) throw new Error(`${where}: ${sink} drops by reason add up to ${byReason} ≠ dropped ${dropped}`);
      const fallback = value('rxlog_events_fallback_total', sink);
      if (fallback > delivered) throw new Error(`${where}: ${sink} fallback ${fallback} > delivered ${delivered}`);
      const latencies = value('rxlog_delivery_latency_seconds_count', sink);
      if (latencies !== delivered)
        throw new Error(
          `${where}: ${sink} latency _count ${latencies} ≠ delivered ${delivered} (one latency per delivered event)`,
        );
      // The histogram: cumulative buckets at the documented edges, +Inf = _count = delivered, as
      // histogram_quantile() and sum by (le) over replicas need.
      const prefix = `rxlog_delivery_duration_seconds_bucket{sink="${sink}",le="`;
      const buckets = [...series].filter(([key]) => key.startsWith(prefix));
      const edges = buckets.map(([key]) => key.slice(prefix.length, -2));
      if (edges.join(' ') !== LE.join(' '))
        throw new Error(`${where}: ${sink} histogram le ${edges.join(' ')} ≠ ${LE.join(' ')}`);
      buckets.forEach(([key, count], index) => {
        if (index > 0 && count < buckets[index - 1][1])
          throw new Error(`${where}: ${key} ${count} < the bucket before it, ${buckets[index - 1][1]}: not cumulative`);
      });
      const infinite = buckets[buckets.length - 1][1];
      const histogramCount = value('rxlog_delivery_duration_seconds_count', sink);
      if (infinite !== histogramCount || histogramCount !== delivered)
        throw new Error(
          `${where}: ${sink} histogram le="+Inf" ${infinite}, _count ${histogramCount}, delivered ${delivered}: not all equal`,
        );
      const sum = value('rxlog_delivery_duration_seconds_sum', sink);
      if (sum !== value('rxlog_delivery_latency_seconds_sum', sink))
        throw new Error(`${where}: ${sink} histogram _sum ${sum} ≠ summary _sum`);
    }
    // Prometheus reads a counter that falls as a reset, and a series that stops as gone.
    const counters = counterNames(text);
    for (const [key, last] of this.#counters) {
      const now = series.get(key);
      if (now === undefined) throw new Error(`${where}: series ${key} (last ${last}) is gone`);
      if (now < last) throw new Error(`${where}: counter ${key} fell from ${last} to ${now}`);
    }
    this.#counters = new Map([...series].filter(([key]) => counters.has(key.replace(/\{.*$/, ''))));
  }
}

async function run(
  plans: readonly SinkPlan[],
  steps: readonly Step[],
  end: { strategy: 'graceful' | 'immediate' | 'flush'; timeoutMs: number },
  seed: number,
): Promise<Scraper> {
  jest.spyOn(Math, 'random').mockImplementation(mulberry32(seed));
  let logger: Logger | undefined;
  const names = plans.map((_, index) => `s"${index}\\\n`);
  const scraper = new Scraper(names, () => logger);
  const failures: unknown[] = [];
  /** A failed check inside the pipeline (a sink, SelfLog) must fail the run, not be taken as a sink failure. */
  const scrape = (where: string): void => {
    try {
      scraper.scrape(where);
    } catch (error) {
      failures.push(error);
    }
  };
  const selfLog = SelfLog.events$.subscribe((event) => scrape(`as SelfLog writes "${event.message.split('\n')[0]}"`));
  try {
    let configuration = new LoggerConfiguration().minimumLevel.verbose();
    plans.forEach((plan, index) => {
      const options: SinkOptions = { name: names[index] };
      if (plan.queue !== undefined) options.queue = plan.queue;
      if (plan.batch !== undefined) options.batch = plan.batch;
      if (plan.retry !== undefined) options.retry = plan.retry;
      if (plan.circuitBreaker !== undefined) options.circuitBreaker = plan.circuitBreaker;
      if (plan.fallback !== undefined) options.fallback = new ScriptedSink(plan.fallback, scrape);
      configuration = configuration.writeTo.sink(new ScriptedSink(plan.script, scrape), options);
    });
    logger = configuration.createLogger();
    const log = logger;
    let seq = 0;
    for (const [index, next] of steps.entries()) {
      if (next.kind === 'log') for (let i = 0; i < next.count; i++) log.information('Event {Seq}', seq++);
      else if (next.kind === 'advance') await jest.advanceTimersByTimeAsync(next.ms);
      // The wall clock steps back (NTP): a latency measured across it is negative, and counts as 0.
      else if (next.kind === 'clockBack') jest.setSystemTime(Date.now() - next.ms);
      else setTimeout(() => scrape(`a timer ${next.ms} ms after step ${index}`), next.ms);
      scrape(`after step ${index} (${next.kind})`);
    }
    let closed = false;
    void log.close(end).then(() => (closed = true));
    scrape('as close() begins');
    for (let waited = 0; waited < 120_000 && !closed; waited += 1_000) await jest.advanceTimersByTimeAsync(1_000);
    if (!closed) throw new Error(`close(${JSON.stringify(end)}) did not settle`);
    scrape('after close');
    if (failures.length > 0) throw failures[0];
    return scraper;
  } finally {
    selfLog.unsubscribe();
    jest.restoreAllMocks();
  }
}

const promtool = spawnSync('promtool', ['--version']).status === 0;
if (!promtool)
  console.warn(
    'promtool is not on PATH (Debian package "prometheus"): the scrapes of spec/metrics/prometheus-balance.property.spec.ts are not checked with `promtool check metrics`',
  );

describe('the Prometheus exposition of a logger, scraped at any moment', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.clearAllTimers();
    jest.useRealTimers();
  });

  it('balances every sink, adds drops by reason up to dropped, keeps one latency per delivery in the summary and the cumulative histogram and never lowers a counter', async () => {
    const texts: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.array(sinkPlan, { minLength: 1, maxLength: 3 }),
        fc.array(step, { maxLength: 16 }),
        ending,
        fc.integer(),
        async (plans, steps, end, seed) => {
          const scraper = await run(plans, steps, end, seed);
          if (scraper.scrapes === 0) throw new Error('nothing was scraped');
          if (texts.length < 5) texts.push(scraper.last);
        },
      ),
      {
        numRuns: Number(process.env.PROMETHEUS_BALANCE_RUNS ?? 80),
        seed: Number(process.env.PROMETHEUS_BALANCE_SEED ?? 20261205),
      },
    );
    // The hostile sink names and drop reasons above still make a valid exposition.
    if (promtool)
      for (const text of texts) {
        const result = spawnSync('promtool', ['check', 'metrics'], { input: text });
        expect(`${result.stdout.toString()}${result.stderr.toString()}`).toBe('');
        expect(result.status).toBe(0);
      }
  }, 120_000);
});
