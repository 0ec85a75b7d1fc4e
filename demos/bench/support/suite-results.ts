import type { ScenarioResult } from './report-result';
import type { MetricPlan } from './scenario-plan';
import type { Spread } from './summarize';

/** Every run of one variant, and the spread of each metric over the successful ones. */
export interface VariantResults {
  readonly id: string;
  readonly label: string;
  readonly runs: ScenarioResult[];
  /** Why each failed run failed; failed runs are left out of the spreads, never retried silently. */
  readonly errors: string[];
  stats: Partial<Record<string, Spread>>;
}

/** One scenario's results. */
export interface ScenarioResults {
  readonly id: number;
  readonly title: string;
  readonly reference?: string;
  readonly runsPlanned: number;
  readonly metrics: readonly MetricPlan[];
  readonly variants: VariantResults[];
}

/** The spread of `metric` for one variant of one scenario, if it was measured. */
export function spreadOf(
  scenarios: readonly ScenarioResults[],
  scenario: number,
  variant: string,
  metric: string,
): Spread | undefined {
  return scenarios.find((s) => s.id === scenario)?.variants.find((v) => v.id === variant)?.stats[metric];
}
