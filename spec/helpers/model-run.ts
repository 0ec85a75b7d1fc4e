import type { LogEvent } from '../../lib/core/log-event';
import type { LogLevelName } from '../../lib/core/log-level';
import type { SelfLogEvent } from '../../lib/core/self-log';
import type { SinkMetrics } from '../../lib/metrics/metrics-types';
import { SUPPRESSED_TEMPLATE } from '../../lib/operators/throttle-events';
import type { SinkShutdownSummary } from '../../lib/pipeline/shutdown-report';
import { collectSelfLog } from './self-log';

/** The six levels, lowest first: what the model tests draw a level from. */
export const LEVELS: readonly LogLevelName[] = ['verbose', 'debug', 'information', 'warning', 'error', 'fatal'];

/**
 * A small seeded random source (mulberry32): a scenario's sinks decide from it, so a run replays
 * exactly from its fast-check seed.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Runs `body` with `Math.random` drawn from `mulberry32(seed)` and every SelfLog line it writes
 * collected in `diagnostics`, so a scenario replays exactly from its seed; both are put back after.
 */
export async function seededRun(seed: number, body: (diagnostics: SelfLogEvent[]) => Promise<void>): Promise<void> {
  const spy = jest.spyOn(Math, 'random').mockImplementation(mulberry32(seed));
  const { diagnostics, stop } = collectSelfLog();
  try {
    await body(diagnostics);
  } finally {
    stop();
    spy.mockRestore();
  }
}

/** Calls `call`, turning a throw into the caller into a failure of the model named by `what`. */
export function noThrow<T>(what: string, call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw new Error(`${what} threw into the caller`, { cause: error });
  }
}

/**
 * An event's `Seq` number, as the model tests log it; -1 for an event an operator made (a throttle
 * summary). A summary of one suppressed event carries that event's properties, `Seq` among them
 * (they are all "common"): it is still the operator's event, not the logged one.
 */
export function seqOf(event: LogEvent): number {
  if (event.messageTemplate.text === SUPPRESSED_TEMPLATE) return -1;
  const seq = event.properties.Seq;
  return typeof seq === 'number' ? seq : -1;
}

/**
 * Throws unless a close report's summary of a sink says what its metrics say after the close:
 * delivered, dropped and failed alike, and undelivered as the metrics' pending and undelivered.
 */
export function checkSummaryAgainstMetrics(name: string, summary: SinkShutdownSummary, metrics: SinkMetrics): void {
  const pairs: [string, number, number][] = [
    ['delivered', summary.delivered, metrics.delivered],
    ['dropped', summary.dropped, metrics.dropped],
    ['failed', summary.failed, metrics.failed],
    ['undelivered (pending)', summary.undelivered, metrics.pending],
    ['undelivered (undelivered)', summary.undelivered, metrics.undelivered ?? 0],
  ];
  for (const [field, reported, measured] of pairs)
    if (reported !== measured) throw new Error(`${name}: report ${field} ${reported} ≠ metrics ${measured}`);
}
