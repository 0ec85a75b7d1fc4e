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
  ratio(1, 'end-to-end events/s ≥ 3 × pino default destination', rxEps, median(1, 'pino-sync', 'eventsPerSec'), 3, true);
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
    'caller ns/call ≤ 0.3 × pino default destination',
    median(1, 'rxlog', 'callerNsPerCall'),
    median(1, 'pino-sync', 'callerNsPerCall'),
    0.3,
    false,
  );

  ratio(2, 'disabled debug() ns/call ≤ 1.0 × pino', median(2, 'rxlog', 'nsPerCall'), median(2, 'pino', 'nsPerCall'), 1, false);

  for (const variant of ['rxlog', 'rxlog-large-queue']) {
    ratio(
      3,
      `${variant}: caller loop time ≤ pino sync: false`,
      median(3, variant, 'loopMs'),
      median(3, 'pino-async', 'loopMs'),
      1,
      false,
    );
    ratio(
      3,
      `${variant}: peak RSS ≤ pino sync: false`,
      median(3, variant, 'peakRssMiB'),
      median(3, 'pino-async', 'peakRssMiB'),
      1,
      false,
    );
    zero(3, `${variant}: drops counted exactly (delivered + dropped = sent)`, worst(3, variant, 'lost'));
  }
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
  return checks.filter((check) => scenarios.some((s) => s.id === check.scenario));
}
