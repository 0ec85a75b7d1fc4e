import type { LogEvent } from '../../core/log-event';
import type { LogLevelName } from '../../core/log-level';
import type { Formatter } from '../../core/sink';
import { unixNanos } from './http-unix-nanos';

/** The `level` label of each rxlog level: the names Grafana recognises and colours. */
export const LOKI_LEVEL_LABEL: Readonly<Record<LogLevelName, string>> = {
  verbose: 'trace',
  debug: 'debug',
  information: 'info',
  warning: 'warning',
  error: 'error',
  fatal: 'fatal',
};

/**
 * A Loki push request body (`POST /loki/api/v1/push`, JSON): one stream per level, labelled with
 * `labels` plus `level`, each value `[unix nanoseconds as a string, the formatted line]`, in
 * event order; a trailing newline of the formatter's output is left out.
 */
export function lokiPushBody(
  events: readonly LogEvent[],
  labels: Readonly<Record<string, string>>,
  formatter: Formatter,
): string {
  const streams = new Map<string, [string, string][]>();
  for (const event of events) {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- events read back from JSON or built in JavaScript can carry a level outside LogLevelName
    const level = LOKI_LEVEL_LABEL[event.level] ?? String(event.level);
    let values = streams.get(level);
    if (values === undefined) {
      values = [];
      streams.set(level, values);
    }
    const text = formatter.format(event);
    values.push([unixNanos(event.timestamp), text.endsWith('\n') ? text.slice(0, -1) : text]);
  }
  return JSON.stringify({ streams: Array.from(streams, ([level, values]) => ({ stream: { ...labels, level }, values })) });
}
