import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildScenarios } from './support/build-scenarios';
import { spawnChild } from './support/spawn-child';
import { summarizeProfile } from './support/summarize-profile';

// Profiles one scenario bundle with `node --cpu-prof` and prints its heaviest self-time frames.
// `npx tsx demos/bench/profile.ts [--script hot-path-rxlog] [--n 1000000] [--top 25] [--workload object]`
// (--workload is passed on to the workload-* scripts of scenarios 7–10.)
// Writes demos/bench/results/profile-<script>.cpuprofile (open it in Chrome DevTools) and .md.

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : (process.argv[at + 1] ?? fallback);
}

async function main(): Promise<void> {
  const script = option('script', 'hot-path-rxlog');
  const n = option('n', '1000000');
  const top = Number(option('top', '25'));
  const workload = option('workload', '');
  const bundles = await buildScenarios();
  const bundle = bundles.get(script);
  if (bundle === undefined) throw new Error(`no scenario named ${script}`);
  const resultsDir = path.join(__dirname, 'results');
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-profile-'));
  try {
    const args = ['--n', n, '--file', path.join(scratch, 'events.log'), ...(workload === '' ? [] : ['--workload', workload])];
    const outcome = await spawnChild(bundle, args, 120_000, [
      '--cpu-prof',
      '--cpu-prof-dir',
      scratch,
      '--cpu-prof-interval',
      '100',
    ]);
    if (!outcome.ok) throw new Error(`profiled run failed: ${outcome.error}`);
    const profileFile = fs.readdirSync(scratch).find((file) => file.endsWith('.cpuprofile'));
    if (profileFile === undefined) throw new Error('node wrote no .cpuprofile');
    const kept = path.join(resultsDir, `profile-${script}.cpuprofile`);
    fs.copyFileSync(path.join(scratch, profileFile), kept);
    const { totalMs, frames } = summarizeProfile(kept, bundle, top);
    const rows = frames.map((f) => `| ${f.selfMs.toFixed(1)} | ${f.selfPercent.toFixed(1)} % | \`${f.name}\` | ${f.where} |`);
    const text = [
      `Profile of ${script} --n ${n}${workload === '' ? '' : ` --workload ${workload}`}: ${totalMs.toFixed(0)} ms sampled; result ${JSON.stringify(outcome.result)}`,
      '',
      '| self ms | share | function | where |',
      '|---:|---:|---|---|',
      ...rows,
      '',
    ].join('\n');
    fs.writeFileSync(path.join(resultsDir, `profile-${script}.md`), text);
    process.stdout.write(text);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
