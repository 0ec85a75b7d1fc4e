import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildScenarios } from './support/build-scenarios';
import { evaluateTargets } from './support/evaluate-targets';
import { renderMarkdown } from './support/render-markdown';
import { scenarioPlan } from './support/scenario-plan';
import { spawnChild } from './support/spawn-child';
import type { ScenarioResults, VariantResults } from './support/suite-results';
import { summarize } from './support/summarize';

// `npm run bench`: every scenario, each (scenario, variant, run) in a fresh Node process running
// an esbuild bundle, variants rotated run by run, then medians, ranges, ratios and targets.
// Options: --quick (1 run, smaller sizes: a smoke run), --only 1,3 (those scenarios), --build-only
// (bundle into results/.build for profiling by hand).

interface Options {
  readonly quick: boolean;
  readonly only: ReadonlySet<number> | undefined;
  readonly buildOnly: boolean;
}

function readOptions(argv: readonly string[]): Options {
  const onlyAt = argv.indexOf('--only');
  let only: Set<number> | undefined;
  if (onlyAt !== -1) {
    const list = argv[onlyAt + 1] ?? '';
    only = new Set(list.split(',').map(Number));
    if (only.size === 0 || [...only].some((id) => !Number.isInteger(id) || id < 1 || id > 16)) {
      throw new Error(`--only: expected scenario numbers 1–16 separated by commas, got "${list}"`);
    }
  }
  return { quick: argv.includes('--quick'), only, buildOnly: argv.includes('--build-only') };
}

function log(text: string): void {
  process.stderr.write(`${text}\n`);
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  const started = new Date();
  // Other work on the machine skews timings; the load average is recorded so a reader can tell.
  const loadBefore = os.loadavg()[0];
  const bundles = await buildScenarios();
  if (options.buildOnly) {
    log(`bundles written: ${[...bundles.values()].join(' ')}`);
    return;
  }
  const plan = scenarioPlan(options.quick).filter((scenario) => options.only === undefined || options.only.has(scenario.id));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-bench-'));
  const results: ScenarioResults[] = [];
  try {
    for (const scenario of plan) {
      log(`\nScenario ${scenario.id}: ${scenario.title}`);
      const variants: VariantResults[] = scenario.variants.map((v) => ({
        id: v.id,
        label: v.label,
        runs: [],
        errors: [],
        stats: {},
      }));
      for (let run = 0; run < scenario.runs; run++) {
        // Rotate the order each run so that no library always goes first (or last) on a warm disk.
        for (let k = 0; k < scenario.variants.length; k++) {
          const index = (k + run) % scenario.variants.length;
          const variant = scenario.variants[index];
          const dir = fs.mkdtempSync(path.join(scratch, `s${scenario.id}-`));
          const script = bundles.get(variant.script);
          if (script === undefined) throw new Error(`no bundle for scenario script ${variant.script}`);
          const began = Date.now();
          const outcome = await spawnChild(script, variant.args({ dir }), scenario.timeoutMs);
          fs.rmSync(dir, { recursive: true, force: true });
          const target = variants[index];
          if (outcome.ok) target.runs.push(outcome.result);
          else target.errors.push(outcome.error);
          log(
            `  run ${run + 1}/${scenario.runs} ${variant.label}: ${outcome.ok ? 'ok' : `FAILED ${outcome.error}`} (${((Date.now() - began) / 1000).toFixed(1)} s)`,
          );
        }
      }
      for (const variant of variants) {
        for (const metric of scenario.metrics) {
          const values = variant.runs.map((r) => r[metric.key]).filter((v): v is number => typeof v === 'number');
          const spread = summarize(values);
          if (spread !== undefined) variant.stats[metric.key] = spread;
        }
      }
      results.push({
        id: scenario.id,
        title: scenario.title,
        reference: scenario.reference,
        runsPlanned: scenario.runs,
        metrics: scenario.metrics,
        variants,
      });
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const targets = evaluateTargets(results);
  const finished = new Date();
  const markdown = renderMarkdown(results, targets);
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()}`;
  const load = `load average ${loadBefore.toFixed(2)} before, ${os.loadavg()[0].toFixed(2)} after`;
  const header = `rxlog benchmark suite, ${started.toISOString()}${options.quick ? ' (--quick: not for comparison)' : ''}\n${machine}; ${load}; ${((finished.getTime() - started.getTime()) / 1000).toFixed(0)} s\n`;
  const resultsDir = path.join(__dirname, 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(path.join(resultsDir, 'latest.md'), `${header}\n${markdown}`);
  fs.writeFileSync(
    path.join(resultsDir, 'latest.json'),
    `${JSON.stringify({ startedAt: started, finishedAt: finished, quick: options.quick, machine, load, scenarios: results, targets }, null, 2)}\n`,
  );
  process.stdout.write(`\n${header}\n${markdown}\nWritten: demos/bench/results/latest.json and latest.md\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
