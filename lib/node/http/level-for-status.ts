import type { LogLevelName } from '../../core/log-level';

/**
 * The level of a request's completion event, as pino-http and Serilog.AspNetCore choose it:
 * `error` for a 5xx status or a handler error, `warning` for 4xx, else `information`.
 */
export function levelForStatus(statusCode: number, failed = false): LogLevelName {
  if (failed || statusCode >= 500) return 'error';
  if (statusCode >= 400) return 'warning';
  return 'information';
}
