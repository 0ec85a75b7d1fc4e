import type { TargetCheck } from './evaluate-targets';
import type { ScenarioResults } from './suite-results';

function formatNumber(value: number, digits: number): string {
  return value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/**
 * The results as one markdown table (scenario, variant, metric, median, min–max, ratio to the
 * scenario's reference variant, successful runs) followed by the targets. Failed runs show up in
 * the runs column and their reasons are listed, so nothing is hidden.
 */
export function renderMarkdown(scenarios: readonly ScenarioResults[], targets: readonly TargetCheck[]): string {
  const rows: string[] = [
    '| # | Variant | Metric | Median | Min–max | Ratio vs ref | Runs |',
    '|---|---|---|---:|---:|---:|---:|',
  ];
  const failures: string[] = [];
  for (const scenario of scenarios) {
    const reference = scenario.variants.find((v) => v.id === scenario.reference);
    for (const variant of scenario.variants) {
      const label = variant.id === scenario.reference ? `${variant.label} (ref)` : variant.label;
      const ok = `${variant.runs.length}/${scenario.runsPlanned}`;
      for (const error of variant.errors) failures.push(`- S${scenario.id} ${variant.label}: ${error}`);
      for (const metric of scenario.metrics) {
        const spread = variant.stats[metric.key];
        if (spread === undefined) {
          rows.push(`| ${scenario.id} | ${label} | ${metric.label} | — | — | — | ${ok} |`);
          continue;
        }
        const base = reference?.stats[metric.key]?.median;
        const ratio = base === undefined || base === 0 ? '—' : `${(spread.median / base).toFixed(2)}×`;
        const range = `${formatNumber(spread.min, metric.digits)}–${formatNumber(spread.max, metric.digits)}`;
        rows.push(
          `| ${scenario.id} | ${label} | ${metric.label} | ${formatNumber(spread.median, metric.digits)} | ${range} | ${ratio} | ${ok} |`,
        );
      }
    }
  }
  const titles = scenarios.map((s) => `${s.id}. ${s.title}`);
  const checks = targets.map(
    (t) => `- ${t.pass === null ? '❔' : t.pass ? '✅' : '❌'} S${t.scenario} ${t.target}: ${t.measured}`,
  );
  return [
    ...titles,
    '',
    ...rows,
    '',
    'Targets (medians of this run; losses use the worst run):',
    '',
    ...checks,
    ...(failures.length === 0 ? [] : ['', 'Failed runs (left out of the medians):', '', ...failures]),
    '',
  ].join('\n');
}
