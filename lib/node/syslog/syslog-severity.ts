import { isLevelName, type LogLevelName } from '../../core/log-level';

/** RFC 5424 severity codes by level: syslog has no level below debug, so verbose is debug too. */
const SEVERITIES: Readonly<Record<LogLevelName, number>> = {
  verbose: 7,
  debug: 7,
  information: 6,
  warning: 4,
  error: 3,
  fatal: 2,
};

/**
 * The RFC 5424 severity of a level: verbose and debug → 7 (debug), information → 6
 * (informational), warning → 4, error → 3, fatal → 2 (critical). An unknown level counts as
 * informational, so a hostile event cannot produce an invalid PRI.
 */
export function syslogSeverity(level: LogLevelName): number {
  // Events built in JavaScript can carry a level outside LogLevelName, even 'constructor'.
  return isLevelName(level) ? SEVERITIES[level] : 6;
}
