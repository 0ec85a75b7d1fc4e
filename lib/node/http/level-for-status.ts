import type { LogLevelName } from '../../core/log-level';

/**
 * The default level of a request's completion event: `error` for a 5xx status or a handler error,
 * `warning` for 4xx, else `information`, the `customLogLevel` of pino-http's README example.
 * Neither library defaults to it: Serilog.AspNetCore's `GetLevel` writes a 4xx at `Information`,
 * and pino-http writes every request at `info`, a 500 too; the `level` option chooses otherwise.
 */
export function levelForStatus(statusCode: number, failed = false): LogLevelName {
  if (failed || statusCode >= 500) return 'error';
  if (statusCode >= 400) return 'warning';
  return 'information';
}
