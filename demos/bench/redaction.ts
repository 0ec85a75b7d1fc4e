import { LoggerConfiguration, type Logger, type LogEvent } from '../../lib/index';

// `npx tsx demos/bench/redaction.ts`: the cost of a capture-time redaction policy on a log call.
// The same call (a template with three holes, one of them a small object) runs against a logger
// with no policy, with a 5-path policy, and with the 5 paths plus a key pattern; each variant runs
// in rounds, rotated, and the fastest round's ns per call is reported (the least disturbed by other work).

const CALLS = 50_000;
const ROUNDS = 21;

function logger(variant: 'none' | 'paths' | 'paths+keys'): Logger {
  let delivered = 0;
  const sink = {
    emit(events: readonly LogEvent[]): void {
      delivered += events.length;
    },
    get count(): number {
      return delivered;
    },
  };
  let configuration = new LoggerConfiguration();
  const paths = ['Password', 'User.password', '*.token', 'Headers.authorization', 'Card.number'];
  if (variant === 'paths') configuration = configuration.destructure.redact({ paths });
  if (variant === 'paths+keys')
    configuration = configuration.destructure.redact({ paths, keys: /pass(word)?|secret|token|api[-_]?key/i });
  return configuration.writeTo.sink(sink, { name: 'null' }).createLogger();
}

function run(log: Logger): number {
  const user = { name: 'ann', password: 'hunter2', roles: ['admin', 'ops'] };
  const started = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) log.information('User {@User} ordered {OrderId} for {Total}', user, i, 12.5);
  return Number(process.hrtime.bigint() - started) / CALLS;
}

// The fastest round is the one least disturbed by other work on the machine.
function fastest(values: number[]): number {
  return Math.min(...values);
}

const variants = ['none', 'paths', 'paths+keys'] as const;
const loggers = Object.fromEntries(variants.map((v) => [v, logger(v)])) as Record<(typeof variants)[number], Logger>;
for (const v of variants) run(loggers[v]); // warm up
const results: Record<string, number[]> = { none: [], paths: [], 'paths+keys': [] };
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < variants.length; k++) {
    const v = variants[(round + k) % variants.length];
    results[v].push(run(loggers[v]));
  }
}
const base = fastest(results.none);
for (const v of variants) {
  const ns = fastest(results[v]);
  process.stdout.write(`${v.padEnd(11)} ${ns.toFixed(0).padStart(6)} ns/call  ${(ns / base).toFixed(2)}x\n`);
}
for (const v of variants) void loggers[v].close();
