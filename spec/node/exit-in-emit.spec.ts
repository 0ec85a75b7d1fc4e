import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { map } from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import type { LogEvent } from '../../lib/core/log-event';
import type { SinkMetrics } from '../../lib/metrics/metrics-types';
import { MemorySink } from '../../lib/sinks/memory-sink';

const root = path.join(__dirname, '..', '..');

/** Runs exit-in-emit.ts: the exit report's sinks and what the second sink wrote. */
function run(
  mode: 'exit' | 'throw',
  feed: 'direct' | 'pipe' | 'filter' = 'direct',
): { report: Record<string, unknown> | undefined; written: number[] } {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'fixtures', 'exit-in-emit.ts'), mode, feed],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  const line = child.stderr.split('\n').find((text) => text.startsWith('{"'));
  if (line === undefined) throw new Error(`the child wrote no result; stderr: ${child.stderr}`);
  return JSON.parse(line) as { report: Record<string, unknown> | undefined; written: number[] };
}

// DESIGN.md's accounting: every event logged is written, dropped with a reason, or failed; one a
// process ends before is in the exit report as undelivered. A synchronous sink that ends the process
// from its emit stops the event on its way: the sinks after it never got it, and none counted it.
describe('a synchronous sink that calls process.exit() from its emit', () => {
  it('leaves the event in the exit report as undelivered by every sink after it', () => {
    const { report, written } = run('exit');
    expect(written).toEqual([0]);
    expect(report).toEqual({
      exits: { delivered: 1, dropped: 0, failed: 0, undelivered: 1 },
      after: { delivered: 1, dropped: 0, failed: 0, undelivered: 1 },
    });
  });

  // A sink with operators, or any sink behind a filter, is fed through the logger's Subject, not
  // by write() itself: the event was lost there, uncounted (`after: { delivered: 1, undelivered: 0 }`).
  it.each(['pipe', 'filter'] as const)('leaves it undelivered in a sink fed through the shared stream too (%s)', (feed) => {
    const { report, written } = run('exit', feed);
    expect(written).toEqual([0]);
    expect(report).toEqual({
      exits: { delivered: 1, dropped: 0, failed: 0, undelivered: 1 },
      after: { delivered: 1, dropped: 0, failed: 0, undelivered: 1 },
    });
  });

  it('that throws instead still hands the event to the sinks after it (its own retry holds it)', () => {
    const { report, written } = run('throw');
    expect(written).toEqual([0, 1, 2]);
    expect(report).toEqual({
      exits: { delivered: 1, dropped: 0, failed: 0, undelivered: 2 },
      after: { delivered: 3, dropped: 0, failed: 0, undelivered: 0 },
    });
  });
});

describe('log.metrics() read from a synchronous sink’s emit', () => {
  it('counts the event being handed on received and pending in the sinks after it (not one whose level keeps it out)', () => {
    const seen: Record<string, SinkMetrics>[] = [];
    const log = new LoggerConfiguration().writeTo
      .sink({ kind: 'reads', emit: () => void seen.push(log.metrics().sinks) }, { name: 'reads' })
      .writeTo.sink(new MemorySink(), { name: 'after' })
      .writeTo.sink(new MemorySink(), { name: 'errors', minimumLevel: 'error' })
      .createLogger();
    log.information('Event');
    const [during] = seen;
    expect(during.after).toMatchObject({ received: 1, delivered: 0, pending: 1 });
    expect(during.errors).toMatchObject({ received: 0, pending: 0 });
    expect(log.metrics().sinks.after).toMatchObject({ received: 1, delivered: 1, pending: 0 });
  });
});

describe('log.metrics() read from the emit of a sink fed through the shared stream', () => {
  const through = {
    'a filter': (configuration: LoggerConfiguration) => configuration.filter.byExcluding(() => false),
    'an operator of .pipe()': (configuration: LoggerConfiguration) => configuration.pipe(map((event: LogEvent) => event)),
    'operators of each sink': (configuration: LoggerConfiguration) => configuration,
  };
  it.each(Object.keys(through) as (keyof typeof through)[])(
    'counts the event received and pending in the sinks it has not reached yet, behind %s',
    (name) => {
      const seen: Record<string, SinkMetrics>[] = [];
      const pipe = name === 'operators of each sink' ? [map((event: LogEvent) => event)] : [];
      const log = through[name](new LoggerConfiguration())
        .writeTo.sink(new MemorySink(), { name: 'before', pipe })
        .writeTo.sink({ kind: 'reads', emit: () => void seen.push(log.metrics().sinks) }, { name: 'reads', pipe })
        .writeTo.sink(new MemorySink(), { name: 'after', pipe })
        .writeTo.sink(new MemorySink(), { name: 'errors', minimumLevel: 'error', pipe })
        .createLogger();
      log.information('Event');
      const [during] = seen;
      expect(during.before).toMatchObject({ received: 1, delivered: 1, pending: 0 });
      expect(during.after).toMatchObject({ received: 1, delivered: 0, pending: 1 });
      expect(during.errors).toMatchObject({ received: 0, pending: 0 });
      const after = log.metrics().sinks;
      expect(after.after).toMatchObject({ received: 1, delivered: 1, pending: 0 });
      expect(after.reads).toMatchObject({ received: 1, delivered: 1, pending: 0 });
    },
  );
});
