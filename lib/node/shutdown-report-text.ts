import { escapeControlCharacters } from '../core/escape-control-characters';
import type { ShutdownReport } from '../pipeline/shutdown-report';

/** The drop reasons of a logger's metrics: each sink's `droppedBy`, and `pipe.droppedBy` for `.pipe()`. */
export interface DropReasons {
  readonly sinks?: Readonly<Record<string, { readonly droppedBy?: Readonly<Record<string, number>> | undefined }>> | undefined;
  readonly pipe?: { readonly droppedBy?: Readonly<Record<string, number>> | undefined } | undefined;
}

/**
 * The drop reasons of rxlog's operators and sinks that remove events on purpose (a filter, sampling,
 * a throttle's repeats, a level, fingersCrossed's untriggered buffer, Seq's level): no loss. The same
 * set the Prometheus alert of docs/metrics.md leaves out.
 */
const BY_DESIGN = /^(?:sampleEvents|throttleEvents|filterEvents|minimumLevel|fingersCrossed|seq)\./;

/** Of the drops counted by `droppedBy`, those made by design. */
function droppedByDesign(droppedBy: unknown): number {
  let count = 0;
  if (typeof droppedBy === 'object' && droppedBy !== null)
    for (const [reason, n] of Object.entries(droppedBy)) if (BY_DESIGN.test(reason) && typeof n === 'number' && n > 0) count += n;
  return count;
}

/**
 * Whether a shutdown report shows events that reached no sink: dropped, failed or undelivered in
 * any sink or in the `.pipe()` operators, or a close that timed out. Given the logger's metrics,
 * the drops its operators made by design (`filterEvents.excluded`, `sampleEvents.sampledOut` …: the
 * reasons of `droppedBy` under `filterEvents.`, `sampleEvents.`, `throttleEvents.`, `minimumLevel.`,
 * `fingersCrossed.` and `seq.`) are no loss.
 */
export function shutdownReportLost(report: ShutdownReport, metrics?: DropReasons): boolean {
  if (report.timedOut) return true;
  const pipe = report.pipe;
  if (pipe !== undefined && pipe.dropped - droppedByDesign(metrics?.pipe?.droppedBy) + pipe.undelivered > 0) return true;
  const sinks: unknown = metrics?.sinks;
  return Object.entries(report.sinks).some(([name, s]) => {
    // Own entries only: a sink named `constructor` must not read Object.prototype's.
    const entry: unknown =
      typeof sinks === 'object' && sinks !== null && Object.hasOwn(sinks, name)
        ? (sinks as Record<string, unknown>)[name]
        : undefined;
    // A logger-like stand-in's metrics may hold anything: what is not a record is no reason.
    const designed =
      typeof entry === 'object' && entry !== null ? droppedByDesign((entry as { droppedBy?: unknown }).droppedBy) : 0;
    return s.dropped - designed + s.failed + s.undelivered > 0;
  });
}

/**
 * A shutdown report as one line of text (control characters in sink names escaped):
 * `(graceful, 3 ms): file: 1840 delivered, 0 dropped, 0 failed, 0 undelivered; http: …`.
 */
export function shutdownReportText(report: ShutdownReport): string {
  const sinks = Object.entries(report.sinks).map(
    // A sink's name is the app's, but may hold a line break: the report stays one line (it goes to stderr, or Nest's console).
    ([name, s]) =>
      `${escapeControlCharacters(name)}: ${s.delivered} delivered, ${s.dropped} dropped, ${s.failed} failed, ${s.undelivered} undelivered`,
  );
  if (report.pipe !== undefined && report.pipe.dropped + report.pipe.undelivered > 0)
    sinks.push(`pipe: ${report.pipe.dropped} dropped, ${report.pipe.undelivered} undelivered`);
  return `(${report.strategy}, ${Math.round(report.elapsedMs)} ms${report.timedOut ? ', timed out' : ''}): ${sinks.join('; ') || 'no sinks'}`;
}
