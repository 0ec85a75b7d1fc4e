import { type ScenarioResults, spreadOf } from './suite-results';

/** One target of the issue, checked against this run's medians. */
export interface TargetCheck {
  readonly scenario: number;
  readonly target: string;
  /** What was measured, with the ratio or value that decides it. */
  readonly measured: string;
  /** `null` when a number it needs is missing (scenario not run, or every run failed). */
  readonly pass: boolean | null;
}

const ratioText = (ratio: number): string => `${ratio.toFixed(2)}×`;

/** Checks the targets against the medians (and, for losses, the worst run) of this suite run. */
export function evaluateTargets(scenarios: readonly ScenarioResults[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const median = (scenario: number, variant: string, metric: string): number | undefined =>
    spreadOf(scenarios, scenario, variant, metric)?.median;
  const worst = (scenario: number, variant: string, metric: string): number | undefined =>
    spreadOf(scenarios, scenario, variant, metric)?.max;
  const ratio = (
    scenario: number,
    target: string,
    top: number | undefined,
    bottom: number | undefined,
    bound: number,
    atLeast: boolean,
  ): void => {
    if (top === undefined || bottom === undefined || bottom === 0) {
      checks.push({ scenario, target, measured: 'not measured', pass: null });
      return;
    }
    const value = top / bottom;
    checks.push({ scenario, target, measured: ratioText(value), pass: atLeast ? value >= bound : value <= bound });
  };
  const below = (scenario: number, target: string, value: number | undefined, bound: number, unit: string, detail = ''): void => {
    checks.push({
      scenario,
      target,
      measured: value === undefined ? 'not measured' : `${value.toFixed(1)} ${unit}${detail}`,
      pass: value === undefined ? null : value < bound,
    });
  };
  const zero = (scenario: number, target: string, value: number | undefined): void => {
    checks.push({
      scenario,
      target,
      measured: value === undefined ? 'not measured' : `worst run ${value}`,
      pass: value === undefined ? null : value === 0,
    });
  };

  const rxEps = median(1, 'rxlog', 'eventsPerSec');
  ratio(1, 'end-to-end events/s ≥ 4 × pino default destination', rxEps, median(1, 'pino-sync', 'eventsPerSec'), 4, true);
  const asyncModes = [median(1, 'pino-async', 'eventsPerSec'), median(1, 'pino-transport', 'eventsPerSec')].filter(
    (v): v is number => v !== undefined,
  );
  ratio(
    1,
    'end-to-end events/s ≥ 2 × pino best async mode',
    rxEps,
    asyncModes.length === 0 ? undefined : Math.max(...asyncModes),
    2,
    true,
  );
  zero(1, 'zero lost lines (rxlog)', worst(1, 'rxlog', 'lostLines'));
  ratio(
    1,
    'caller ns/call ≤ 0.22 × pino default destination',
    median(1, 'rxlog', 'callerNsPerCall'),
    median(1, 'pino-sync', 'callerNsPerCall'),
    0.22,
    false,
  );

  // Faster than pino on the same work: pino with a write buffer writes few, large chunks with
  // writeSync, as rxlog's FileSink does with its batches.
  ratio(1, 'end-to-end events/s ≥ 1 × pino buffered destination', rxEps, median(1, 'pino-buffered', 'eventsPerSec'), 1, true);
  ratio(
    1,
    'caller ns/call ≤ 1 × pino buffered destination',
    median(1, 'rxlog', 'callerNsPerCall'),
    median(1, 'pino-buffered', 'callerNsPerCall'),
    1,
    false,
  );

  ratio(2, 'disabled debug() ns/call ≤ 1.0 × pino', median(2, 'rxlog', 'nsPerCall'), median(2, 'pino', 'nsPerCall'), 1, false);

  // With default options, a burst into the slow reader loses nothing, holds no more memory than pino
  // sync: false and returns to the caller no later than pino's worker transport.
  ratio(
    3,
    'rxlog defaults: caller loop ≤ pino worker transport',
    median(3, 'rxlog', 'loopMs'),
    median(3, 'pino-transport', 'loopMs'),
    1,
    false,
  );
  ratio(
    3,
    'rxlog defaults: peak RSS ≤ pino sync: false',
    median(3, 'rxlog', 'peakRssMiB'),
    median(3, 'pino-async', 'peakRssMiB'),
    1,
    false,
  );
  zero(3, 'rxlog defaults: 0 dropped', worst(3, 'rxlog', 'dropped'));
  for (const variant of ['rxlog', 'rxlog-large-queue'])
    zero(3, `${variant}: drops counted exactly (delivered + dropped = sent)`, worst(3, variant, 'lost'));
  zero(3, 'rxlog-large-queue: 0 dropped with a queue as large as the burst', worst(3, 'rxlog-large-queue', 'dropped'));

  ratio(
    4,
    'metrics on keep ≥ 0.95 × throughput (cost < 5 %)',
    median(4, 'on', 'eventsPerSec'),
    median(4, 'off', 'eventsPerSec'),
    0.95,
    true,
  );
  ratio(
    4,
    'metrics on + lane tap() keep ≥ 0.95 × throughput',
    median(4, 'on+tap', 'eventsPerSec'),
    median(4, 'off', 'eventsPerSec'),
    0.95,
    true,
  );

  for (const variant of ['rxlog-open-batch', 'rxlog-queued']) {
    const max = worst(5, variant, 'closeMs');
    below(
      5,
      `${variant}: close() < 100 ms`,
      median(5, variant, 'closeMs'),
      100,
      'ms median',
      max === undefined ? '' : `, worst ${max.toFixed(1)} ms`,
    );
  }

  const worstRecovery = worst(6, 'rxlog', 'recoveryMs');
  below(
    6,
    'recovery → first delivered batch < 500 ms',
    median(6, 'rxlog', 'recoveryMs'),
    500,
    'ms median',
    worstRecovery === undefined ? '' : `, worst ${worstRecovery.toFixed(1)} ms`,
  );
  for (const id of [7, 8, 9, 10]) {
    for (const [peer, who] of [
      ['pino', 'pino'],
      ['pino-buffered', 'pino buffered'],
    ] as const) {
      ratio(
        id,
        `end-to-end events/s ≥ 1 × ${who}`,
        median(id, 'rxlog', 'eventsPerSec'),
        median(id, peer, 'eventsPerSec'),
        1,
        true,
      );
      ratio(
        id,
        `caller ns/call ≤ 1 × ${who}`,
        median(id, 'rxlog', 'callerNsPerCall'),
        median(id, peer, 'callerNsPerCall'),
        1,
        false,
      );
    }
    zero(id, 'zero lost lines (rxlog)', worst(id, 'rxlog', 'lostLines'));
  }

  // The defaults (global fetch) and the opt-in node:http transport are judged on separate lines.
  for (const sink of ['rxlog-otlp', 'rxlog-otlp-node-http', 'rxlog-seq', 'rxlog-seq-node-http']) {
    for (const peer of ['otel', 'pino']) {
      ratio(
        11,
        `${sink}: delivered events/s ≥ 1 × ${peer}`,
        median(11, sink, 'eventsPerSec'),
        median(11, peer, 'eventsPerSec'),
        1,
        true,
      );
      ratio(
        11,
        `${sink}: caller ns/call ≤ 1 × ${peer}`,
        median(11, sink, 'callerNsPerCall'),
        median(11, peer, 'callerNsPerCall'),
        1,
        false,
      );
    }
    zero(11, `${sink}: zero lost`, worst(11, sink, 'lost'));
  }

  for (const [id, peers] of [
    [14, ['pino-sync', 'pino-buffered']],
    [15, ['pino']],
  ] as const) {
    for (const peer of peers) {
      ratio(
        id,
        `end-to-end events/s ≥ 1 × ${peer}`,
        median(id, 'rxlog', 'eventsPerSec'),
        median(id, peer, 'eventsPerSec'),
        1,
        true,
      );
      ratio(
        id,
        `caller ns/call ≤ 1 × ${peer}`,
        median(id, 'rxlog', 'callerNsPerCall'),
        median(id, peer, 'callerNsPerCall'),
        1,
        false,
      );
    }
    zero(id, 'zero lost lines (rxlog)', worst(id, 'rxlog', 'lostLines'));
  }

  // Linear growth: the cost at k units is at most k times the cost at one unit.
  for (const [family, top] of [
    ['props', 20],
    ['depth', 10],
    ['sinks', 8],
  ] as const) {
    ratio(
      12,
      `${family}: end-to-end ns/event at ${top} ≤ ${top} × at 1 (no worse than linear)`,
      median(12, `${family}-${top}`, 'endToEndNsPerEvent'),
      median(12, `${family}-1`, 'endToEndNsPerEvent'),
      top,
      false,
    );
  }
  // The aliases cost what their canonical twins cost (within the noise of 10 %), and no more than pino's.
  for (const [alias, canonical] of [
    ['trace', 'verbose'],
    ['info', 'information'],
    ['warn', 'warning'],
  ] as const) {
    for (const [prefix, who] of [
      ['', 'log'],
      ['facade', 'Log'],
    ] as const) {
      const key = (name: string): string => (prefix === '' ? `${name}Ns` : `${prefix}${name[0].toUpperCase()}${name.slice(1)}Ns`);
      const a = median(13, 'rxlog', key(alias));
      const c = median(13, 'rxlog', key(canonical));
      checks.push({
        scenario: 13,
        target: `disabled ${who}.${alias}() within 10 % of ${who}.${canonical}()`,
        measured: a === undefined || c === undefined || c === 0 ? 'not measured' : ratioText(a / c),
        pass: a === undefined || c === undefined || c === 0 ? null : Math.abs(a / c - 1) <= 0.1,
      });
    }
    ratio(
      13,
      `disabled log.${alias}() ns/call ≤ 1.0 × pino ${alias}()`,
      median(13, 'rxlog', `${alias}Ns`),
      median(13, 'pino', `${alias}Ns`),
      1,
      false,
    );
  }
  return checks.filter((check) => scenarios.some((s) => s.id === check.scenario));
}
