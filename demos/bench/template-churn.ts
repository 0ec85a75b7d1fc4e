import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LoggerConfiguration } from '../../lib/index';
import { FileSink } from '../../lib/node/file/file-sink';
import { cpuMsSince } from './support/clock';

// `npx tsx demos/bench/template-churn.ts [--n 20000] [--rounds 9] [--only cached,plain]`: the CPU cost of a template
// text that is new on every call, against one that repeats. Each round logs N events into a
// FileSink (CLEF, batched) and closes it; the CPU time of the process (user and system, so it
// does not grow while other processes hold the cores) from the first call to the end of close(),
// divided by N, is the round's µs per event. Variants run in rotated order; medians and ranges.
//
// - cached:        'User {User} did {Action}' with two arguments (the same text every call)
// - interpolated:  `User ${i} did {Action}` with one argument (a new text with a hole per call)
// - plain:         `User ${i} did login` (a new text without holes per call)
// - many:          one of 5000 texts with holes, in turn (more templates than the cache's 1000)

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}

const N = option('n', 20_000);
const ROUNDS = option('rounds', 9);
const MANY = Array.from({ length: 5000 }, (_, i) => `Job ${i} of {Queue} took {Elapsed} ms`);

type Variant = 'cached' | 'interpolated' | 'plain' | 'many';
const ALL: readonly Variant[] = ['cached', 'interpolated', 'plain', 'many'];
// --only interpolated,plain: those variants alone (for a profile of one of them).
const onlyAt = process.argv.indexOf('--only');
const VARIANTS = onlyAt === -1 ? ALL : ALL.filter((v) => (process.argv[onlyAt + 1] ?? '').split(',').includes(v));

async function round(variant: Variant, file: string): Promise<number> {
  const log = new LoggerConfiguration().writeTo.sink(new FileSink(file), { name: 'file' }).createLogger();
  const start = process.cpuUsage();
  switch (variant) {
    case 'cached':
      for (let i = 0; i < N; i++) log.information('User {User} did {Action}', `u${i & 7}`, 'login');
      break;
    case 'interpolated':
      for (let i = 0; i < N; i++) log.information(`User ${i} did {Action}`, 'login');
      break;
    case 'plain':
      for (let i = 0; i < N; i++) log.information(`User ${i} did login`);
      break;
    case 'many':
      for (let i = 0; i < N; i++) log.information(MANY[i % MANY.length], 'default', i);
      break;
  }
  await log.close({ strategy: 'flush' });
  const us = (cpuMsSince(start) * 1000) / N;
  fs.rmSync(file, { force: true });
  return us;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-churn-'));
  const file = path.join(dir, 'events.log');
  try {
    for (const v of VARIANTS) await round(v, file); // warm up
    const results = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
    for (let r = 0; r < ROUNDS; r++) {
      for (let k = 0; k < VARIANTS.length; k++) {
        const v = VARIANTS[(r + k) % VARIANTS.length];
        results.get(v)?.push(await round(v, file));
      }
    }
    const base = median(results.get('cached') ?? results.get(VARIANTS[0]) ?? []);
    process.stdout.write(
      `${N} events per round, ${ROUNDS} rounds, Node ${process.version}, load ${os.loadavg()[0].toFixed(1)}\n`,
    );
    for (const v of VARIANTS) {
      const values = results.get(v) ?? [];
      const m = median(values);
      const range = `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;
      process.stdout.write(
        `${v.padEnd(13)} median ${m.toFixed(2).padStart(6)} µs CPU/event  (range ${range})  ${(m / base).toFixed(2)}× cached\n`,
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
