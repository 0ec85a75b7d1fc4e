import { escapeControlCharacters } from '../core/escape-control-characters';
import type { ShutdownReport } from '../pipeline/shutdown-report';

/**
 * Whether a shutdown report shows events that reached no sink: dropped, failed or undelivered in
 * any sink or in the `.pipe()` operators, or a close that timed out.
 */
export function shutdownReportLost(report: ShutdownReport): boolean {
  if (report.timedOut) return true;
  if (report.pipe !== undefined && report.pipe.dropped + report.pipe.undelivered > 0) return true;
  return Object.values(report.sinks).some((s) => s.dropped + s.failed + s.undelivered > 0);
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
