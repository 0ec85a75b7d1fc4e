import * as path from 'node:path';

/** What a variant's child needs to know about its run: a scratch folder that the runner cleans. */
export interface RunContext {
  /** A folder for this run's log file; emptied after the child exits. */
  readonly dir: string;
}

/** One library (or one set-up of a library) within a scenario. */
export interface VariantPlan {
  /** Stable id, used in the JSON and by the targets. */
  readonly id: string;
  /** What the table shows. */
  readonly label: string;
  /** The scenario bundle to run (a file name in `scenarios/` without extension). */
  readonly script: string;
  /** Arguments for the child. */
  args(context: RunContext): string[];
}

/** One column of a child's result that the table shows. */
export interface MetricPlan {
  readonly key: string;
  readonly label: string;
  /** Decimal places in the table. */
  readonly digits: number;
}

/** One scenario of the suite. */
export interface ScenarioPlan {
  readonly id: number;
  readonly title: string;
  /** Fresh-process runs per variant. */
  readonly runs: number;
  /** Longest a child may take before it is killed and its run counted as failed, in milliseconds. */
  readonly timeoutMs: number;
  /** The variant the ratio column divides by (pino's, where pino takes part). */
  readonly reference?: string;
  readonly variants: readonly VariantPlan[];
  readonly metrics: readonly MetricPlan[];
}

/** Sizes of the suite: the numbers, or a smoke-test fraction of them. */
interface Sizes {
  readonly runs: number;
  readonly hotN: number;
  readonly disabledN: number;
  readonly disabledWinstonN: number;
  /** Calls per method per round in scenario 13 (each process times every method 11 rounds and keeps the fastest). */
  readonly methodsN: number;
  readonly burstN: number;
  readonly metricsN: number;
  readonly shutdownN: number;
  readonly richN: number;
  readonly httpN: number;
  readonly scaleN: number;
  readonly scaleRuns: number;
}

const FULL: Sizes = {
  runs: 5,
  hotN: 200_000,
  disabledN: 10_000_000,
  disabledWinstonN: 1_000_000,
  methodsN: 1_000_000,
  burstN: 100_000,
  metricsN: 500_000,
  shutdownN: 10_000,
  richN: 100_000,
  httpN: 20_000,
  scaleN: 100_000,
  scaleRuns: 3,
};
const QUICK: Sizes = {
  runs: 1,
  hotN: 20_000,
  disabledN: 1_000_000,
  disabledWinstonN: 100_000,
  methodsN: 500_000,
  burstN: 10_000,
  metricsN: 50_000,
  shutdownN: 10_000,
  richN: 10_000,
  httpN: 2_000,
  scaleN: 10_000,
  scaleRuns: 1,
};

const file = (context: RunContext): string => path.join(context.dir, 'events.log');

/** The scenarios of the suite, sized for a full run or a `--quick` smoke run. */
export function scenarioPlan(quick: boolean): ScenarioPlan[] {
  const size = quick ? QUICK : FULL;
  const n = (count: number): string[] => ['--n', String(count)];
  const hot = (id: string, label: string, script: string, extra: string[] = []): VariantPlan => ({
    id,
    label,
    script,
    args: (context) => [...n(size.hotN), '--file', file(context), ...extra],
  });
  return [
    {
      id: 1,
      title: `Hot path to a file: ${size.hotN.toLocaleString('en')} information() calls, end to end until closed and fsynced`,
      runs: size.runs,
      timeoutMs: 60_000,
      reference: 'pino-sync',
      variants: [
        hot('rxlog', 'rxlog FileSink (batch 512 / 100 ms)', 'hot-path-rxlog'),
        hot('pino-sync', 'pino destination (default, sync)', 'hot-path-pino', ['--mode', 'sync']),
        hot('pino-buffered', 'pino destination, sync, minLength 4096', 'hot-path-pino', ['--mode', 'buffered']),
        hot('pino-async', 'pino destination sync: false', 'hot-path-pino', ['--mode', 'async']),
        hot('pino-transport', 'pino transport pino/file (worker)', 'hot-path-pino', ['--mode', 'transport']),
        hot('winston', 'winston File transport', 'hot-path-winston'),
        hot('node', 'floor: JSON.stringify + 64 KiB writeSync', 'hot-path-node'),
      ],
      metrics: [
        { key: 'callerNsPerCall', label: 'caller ns/call', digits: 0 },
        { key: 'eventsPerSec', label: 'end-to-end events/s', digits: 0 },
        { key: 'lostLines', label: 'lost lines', digits: 0 },
        { key: 'peakRssMiB', label: 'peak RSS MiB', digits: 0 },
      ],
    },
    {
      id: 2,
      title: `Disabled level: debug() at minimum level information, ${size.disabledN.toLocaleString('en')} calls`,
      runs: size.runs,
      timeoutMs: 60_000,
      reference: 'pino',
      variants: [
        { id: 'rxlog', label: 'rxlog', script: 'disabled-level-rxlog', args: () => n(size.disabledN) },
        { id: 'pino', label: 'pino', script: 'disabled-level-pino', args: () => n(size.disabledN) },
        {
          id: 'winston',
          label: `winston (${size.disabledWinstonN.toLocaleString('en')} calls)`,
          script: 'disabled-level-winston',
          args: () => n(size.disabledWinstonN),
        },
      ],
      metrics: [{ key: 'nsPerCall', label: 'ns/call', digits: 1 }],
    },
    {
      id: 3,
      title: `Burst into a slow reader: ${size.burstN.toLocaleString('en')} events into a FIFO drained at 10 000 lines/s`,
      runs: size.runs,
      timeoutMs: 120_000,
      reference: 'pino-async',
      variants: [
        {
          id: 'rxlog',
          label: 'rxlog FileSink, default options',
          script: 'slow-reader-rxlog',
          args: () => [...n(size.burstN), '--queue', '0'],
        },
        {
          id: 'rxlog-large-queue',
          label: `rxlog FileSink, queue ${size.burstN.toLocaleString('en')}`,
          script: 'slow-reader-rxlog',
          args: () => [...n(size.burstN), '--queue', String(size.burstN)],
        },
        {
          id: 'pino-async',
          label: 'pino destination sync: false',
          script: 'slow-reader-pino',
          args: () => [...n(size.burstN), '--mode', 'async'],
        },
        {
          id: 'pino-transport',
          label: 'pino worker transport pino/file',
          script: 'slow-reader-pino',
          args: () => [...n(size.burstN), '--mode', 'transport'],
        },
      ],
      metrics: [
        { key: 'loopMs', label: 'caller loop ms', digits: 0 },
        { key: 'longestCallMs', label: 'longest call ms', digits: 1 },
        { key: 'peakRssMiB', label: 'peak RSS MiB', digits: 0 },
        { key: 'delivered', label: 'delivered', digits: 0 },
        { key: 'dropped', label: 'dropped (counted)', digits: 0 },
        { key: 'lost', label: 'lost (uncounted)', digits: 0 },
        { key: 'closeMs', label: 'close ms', digits: 0 },
      ],
    },
    {
      id: 4,
      title: `Metrics on versus off: ${size.metricsN.toLocaleString('en')} information() calls to a file`,
      runs: size.runs,
      timeoutMs: 60_000,
      reference: 'off',
      variants: [
        {
          id: 'off',
          label: 'rxlog, no metrics consumer',
          script: 'metrics-rxlog',
          args: (context) => [...n(size.metricsN), '--file', file(context), '--metrics', 'off'],
        },
        {
          id: 'on',
          label: 'rxlog, metrics$ (10 ms) + snapshots',
          script: 'metrics-rxlog',
          args: (context) => [...n(size.metricsN), '--file', file(context), '--metrics', 'on'],
        },
        {
          id: 'on+tap',
          label: 'rxlog, metrics$ + snapshots + lane tap()',
          script: 'metrics-rxlog',
          args: (context) => [...n(size.metricsN), '--file', file(context), '--metrics', 'on+tap'],
        },
      ],
      metrics: [
        { key: 'eventsPerSec', label: 'end-to-end events/s', digits: 0 },
        { key: 'callerNsPerCall', label: 'caller ns/call', digits: 0 },
        { key: 'lostLines', label: 'lost lines', digits: 0 },
      ],
    },
    {
      id: 5,
      title: `Shutdown latency: close() with ${size.shutdownN.toLocaleString('en')} events waiting for a file (fsync on)`,
      runs: size.runs,
      timeoutMs: 60_000,
      reference: 'pino-async',
      variants: [
        {
          id: 'rxlog-open-batch',
          label: 'rxlog, all in the open batch',
          script: 'shutdown-rxlog',
          args: (context) => [...n(size.shutdownN), '--file', file(context), '--mode', 'open-batch'],
        },
        {
          id: 'rxlog-queued',
          label: 'rxlog, async sink, in the queue',
          script: 'shutdown-rxlog',
          args: (context) => [...n(size.shutdownN), '--file', file(context), '--mode', 'queued'],
        },
        {
          id: 'pino-async',
          label: 'pino sync: false, end()',
          script: 'shutdown-pino',
          args: (context) => [...n(size.shutdownN), '--file', file(context)],
        },
      ],
      metrics: [
        { key: 'closeMs', label: 'close ms', digits: 1 },
        { key: 'lostLines', label: 'lost lines', digits: 0 },
      ],
    },
    {
      id: 6,
      title: 'Breaker recovery: a sink recovers the moment its breaker opens (default options)',
      runs: size.runs,
      timeoutMs: 60_000,
      variants: [
        {
          id: 'rxlog',
          label: 'rxlog, one event every 2 ms',
          script: 'breaker-recovery-rxlog',
          args: () => ['--offset', '0', '--every', '2'],
        },
      ],
      metrics: [
        { key: 'recoveryMs', label: 'recovery → first delivery ms', digits: 0 },
        { key: 'openAfterMs', label: 'first failure → open ms', digits: 0 },
      ],
    },
    ...richScenarios(size),
    httpScenario(size),
    scalingScenario(size),
    disabledMethodsScenario(size),
    ...basicScenarios(size),
  ];
}

/**
 * pino's basic benchmark (scenario 14: `info('hello world')` to a file, against its default and
 * its buffered destination) and its Node-stream variant (scenario 15: the hot path's event as
 * JSON into an fs.WriteStream, rxlog's StreamSink against `pino(stream)`).
 */
function basicScenarios(size: Sizes): ScenarioPlan[] {
  const variant = (id: string, label: string, script: string, extra: string[]): VariantPlan => ({
    id,
    label,
    script,
    args: (context) => ['--n', String(size.hotN), '--file', file(context), ...extra],
  });
  const metrics: MetricPlan[] = [
    { key: 'callerNsPerCall', label: 'caller ns/call', digits: 0 },
    { key: 'eventsPerSec', label: 'end-to-end events/s', digits: 0 },
    { key: 'lostLines', label: 'lost lines', digits: 0 },
    { key: 'peakRssMiB', label: 'peak RSS MiB', digits: 0 },
  ];
  return [
    {
      id: 14,
      title: `Simple message: ${size.hotN.toLocaleString('en')} information('hello world') calls to a file, end to end until closed and fsynced`,
      runs: size.runs,
      timeoutMs: 60_000,
      reference: 'pino-sync',
      variants: [
        variant('rxlog', 'rxlog FileSink (defaults)', 'basic-rxlog', ['--to', 'file']),
        variant('pino-sync', 'pino destination (default, sync)', 'basic-pino', ['--to', 'file', '--mode', 'sync']),
        variant('pino-buffered', 'pino destination, sync, minLength 4096', 'basic-pino', ['--to', 'file', '--mode', 'buffered']),
      ],
      metrics,
    },
    {
      id: 15,
      title: `JSON to a Node stream: ${size.hotN.toLocaleString('en')} calls with two properties into an fs.WriteStream, end to end until ended and fsynced`,
      runs: size.runs,
      timeoutMs: 60_000,
      reference: 'pino',
      variants: [
        variant('rxlog', `rxlog StreamSink (CLEF), queue ${size.hotN.toLocaleString('en')}`, 'basic-rxlog', [
          ...['--to', 'stream', '--queue', String(size.hotN)],
        ]),
        variant('pino', 'pino(fs.createWriteStream(file))', 'basic-pino', ['--to', 'stream', '--mode', 'stream']),
      ],
      metrics,
    },
  ];
}

/** The rich workloads against pino doing the same work (scenarios 7–10 and 16). */
function richScenarios(size: Sizes): ScenarioPlan[] {
  const workloads = [
    {
      id: 7,
      workload: 'object',
      title: 'an object of 15 fields, two levels deep, captured with {@Order} (pino: info({ Order }))',
    },
    {
      id: 8,
      workload: 'child',
      title: 'a child with 4 bound properties, an AsyncLocalStorage context and 2 enrichers (pino: child bindings + mixin)',
    },
    { id: 9, workload: 'error', title: 'error(err, …) with a stack and a cause (pino: the err serializer)' },
    { id: 10, workload: 'redact', title: 'redaction of 5 paths (pino: redact with the same paths)' },
    {
      id: 16,
      workload: 'interpolated',
      title:
        'an interpolated message, a new template text per call: `User ${i} did {Action}` (pino: info(`User ${i} did login`)); ' +
        'rxlog with holes beside it',
    },
  ];
  return workloads.map(({ id, workload, title }) => ({
    id,
    title: `Rich workload: ${size.richN.toLocaleString('en')} calls, ${title}, to a file until closed and fsynced`,
    runs: size.runs,
    timeoutMs: 60_000,
    reference: 'pino',
    variants: [
      {
        id: 'rxlog',
        label: 'rxlog FileSink (defaults)',
        script: 'workload-rxlog',
        args: (context: RunContext) => ['--n', String(size.richN), '--file', file(context), '--workload', workload],
      },
      {
        id: 'pino',
        label: 'pino destination (default, sync)',
        script: 'workload-pino',
        args: (context: RunContext) => ['--n', String(size.richN), '--file', file(context), '--workload', workload],
      },
      {
        id: 'pino-buffered',
        label: 'pino destination, sync, minLength 4096',
        script: 'workload-pino',
        args: (context: RunContext) => [
          ...['--n', String(size.richN), '--file', file(context), '--workload', workload],
          ...['--min-length', '4096'],
        ],
      },
      // What the docs advise instead of interpolation: the same event with the id in a hole.
      ...(workload === 'interpolated'
        ? [
            {
              id: 'rxlog-holes',
              label: "rxlog, holes: 'User {User} did {Action}'",
              script: 'workload-rxlog',
              args: (context: RunContext) => ['--n', String(size.richN), '--file', file(context), '--workload', 'holes'],
            },
          ]
        : []),
    ],
    metrics: [
      { key: 'callerNsPerCall', label: 'caller ns/call', digits: 0 },
      { key: 'eventsPerSec', label: 'end-to-end events/s', digits: 0 },
      { key: 'lostLines', label: 'lost lines', digits: 0 },
      { key: 'peakRssMiB', label: 'peak RSS MiB', digits: 0 },
    ],
  }));
}

/** Shipping over HTTP to a receiver process on 127.0.0.1 (scenario 11). */
function httpScenario(size: Sizes): ScenarioPlan {
  const n = ['--n', String(size.httpN)];
  return {
    id: 11,
    title: `Shipping over HTTP: ${size.httpN.toLocaleString('en')} events to a receiver process on 127.0.0.1, until all arrived`,
    runs: size.runs,
    timeoutMs: 120_000,
    reference: 'otel',
    variants: [
      // Each rxlog sink with the default transport (global fetch) and with rxlog/node's nodeHttpFetch.
      ...(['otlp', 'seq'] as const).flatMap((sink) =>
        (['fetch', 'node-http'] as const).map((transport) => ({
          id: transport === 'fetch' ? `rxlog-${sink}` : `rxlog-${sink}-node-http`,
          label: `rxlog ${sink === 'otlp' ? 'OtlpSink' : 'SeqSink'}${transport === 'fetch' ? ' (defaults: global fetch)' : ', fetch: nodeHttpFetch (rxlog/node)'}`,
          script: 'http-ship-rxlog',
          args: () => [...n, '--sink', sink, '--transport', transport],
        })),
      ),
      { id: 'otel', label: 'OpenTelemetry SDK batch processor + OTLP/HTTP JSON', script: 'http-ship-otel', args: () => n },
      {
        id: 'pino',
        label: 'pino worker transport posting NDJSON batches of 512',
        script: 'http-ship-pino',
        args: () => [...n, '--transport', path.join(__dirname, 'pino-http-transport.mjs')],
      },
    ],
    metrics: [
      { key: 'callerNsPerCall', label: 'caller ns/call', digits: 0 },
      { key: 'eventsPerSec', label: 'delivered events/s', digits: 0 },
      { key: 'bytesPerEvent', label: 'bytes/event on the wire', digits: 0 },
      { key: 'requests', label: 'requests', digits: 0 },
      { key: 'cpuMs', label: 'process CPU ms', digits: 0 },
      { key: 'lost', label: 'lost', digits: 0 },
    ],
  };
}

/** Per-event cost against properties, depth and sinks (scenario 12; rxlog alone, ratios to the smallest case). */
function scalingScenario(size: Sizes): ScenarioPlan {
  const variant = (id: string, label: string, extra: string[]): VariantPlan => ({
    id,
    label,
    script: 'scaling-rxlog',
    args: (context) => ['--n', String(size.scaleN), '--dir', context.dir, ...extra],
  });
  return {
    id: 12,
    title: `Scaling: ${size.scaleN.toLocaleString('en')} calls, per-event cost against properties, nesting depth and sinks`,
    runs: size.scaleRuns,
    timeoutMs: 120_000,
    reference: 'props-1',
    variants: [
      variant('props-1', '1 property', ['--props', '1']),
      variant('props-5', '5 properties', ['--props', '5']),
      variant('props-20', '20 properties', ['--props', '20']),
      variant('depth-1', '{@Value} depth 1', ['--depth', '1']),
      variant('depth-5', '{@Value} depth 5', ['--depth', '5']),
      variant('depth-10', '{@Value} depth 10', ['--depth', '10']),
      variant('sinks-1', '1 sink (2 properties)', ['--sinks', '1']),
      variant('sinks-3', '3 sinks', ['--sinks', '3']),
      variant('sinks-8', '8 sinks', ['--sinks', '8']),
    ],
    metrics: [
      { key: 'callerNsPerCall', label: 'caller ns/call', digits: 0 },
      { key: 'endToEndNsPerEvent', label: 'end-to-end ns/event', digits: 0 },
      { key: 'lostLines', label: 'lost lines', digits: 0 },
    ],
  };
}

/** Scenario 13's columns: each level method on a logger (pino reports its trace, info and warn in the same columns), then through Log. */
const METHOD_METRICS = ['verbose', 'trace', 'information', 'info', 'warning', 'warn'].map((name) => ({
  key: `${name}Ns`,
  label: `log.${name}() ns/call`,
  digits: 1,
}));
const FACADE_METRICS = ['verbose', 'trace', 'information', 'info', 'warning', 'warn'].map((name) => ({
  key: `facade${name[0].toUpperCase()}${name.slice(1)}Ns`,
  label: `Log.${name}() ns/call`,
  digits: 1,
}));

/**
 * Scenario 13: the disabled-level cost of every level method, the aliases (trace, info, warn)
 * beside their canonical twins, each process timing all of them in rotating rounds.
 */
function disabledMethodsScenario(size: Sizes): ScenarioPlan {
  const args = (): string[] => ['--n', String(size.methodsN)];
  return {
    id: 13,
    title: `Disabled level by method name: each level method below the minimum level (error), ${size.methodsN.toLocaleString('en')} calls × 11 rounds in one process (the fastest round), on a logger and through Log`,
    runs: size.runs,
    timeoutMs: 120_000,
    reference: 'pino',
    variants: [
      { id: 'rxlog', label: 'rxlog', script: 'disabled-methods-rxlog', args },
      { id: 'pino', label: 'pino (trace, info, warn)', script: 'disabled-methods-pino', args },
    ],
    metrics: [...METHOD_METRICS, ...FACADE_METRICS],
  };
}
