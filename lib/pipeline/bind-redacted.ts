import { setOwnProperty } from '../templates/own-property';
import type { CaptureLimits } from '../templates/capture';
import type { BoundProperties } from './bound-properties';
import { Logger } from './logger';
import { LOGGER_PARTS, type LoggerParts } from './logger-parts';

/**
 * `log.child(properties)` whose bound values are all redacted now, a censor function's matches
 * included, with those bound properties; undefined when `log` is not an rxlog Logger. For the
 * ingest handler, which renders a browser's message from the values as its event will carry them.
 * A child logger's values are otherwise redacted with each of its events when a policy has a
 * censor function: here the function runs once, when the child is made, and not again for its
 * events, so a child made for one event runs it once for that event, as the event would. Not for
 * a child that logs many events, nor as the parent of another child. The third item is the
 * logger's capture limits (undefined for the defaults), which cut long strings and collections in
 * the bound values as they are captured: a value differs from what was given by those limits
 * without any policy having changed it.
 */
export function bindRedacted(
  log: object,
  properties: Readonly<Record<string, unknown>>,
): [Logger, BoundProperties, CaptureLimits | undefined] | undefined {
  const parts = (log as { [LOGGER_PARTS]?: unknown })[LOGGER_PARTS];
  if (typeof parts !== 'function') return undefined;
  const [pipeline, parent, level] = (parts as () => LoggerParts).call(log);
  let bound = pipeline.bind(parent, properties);
  if (!bound.redacted) {
    // Not redacted, as no value of the parent's (made by `child`, under the same policies) is:
    // all of them redacted here as one event's properties are.
    let record = Object.create(null) as Record<string, unknown>;
    for (let i = 0; i < bound.keys.length; i++) setOwnProperty(record, bound.keys[i], bound.values[i]);
    for (const policy of pipeline.redaction) record = policy.redactProperties(record, true);
    // In the bound order (Object.keys would put names like '0' first), less what a policy removed.
    const keys = bound.keys.filter((key) => Object.hasOwn(record, key));
    bound = { keys, values: keys.map((key) => record[key]), redacted: true, sourceContext: bound.sourceContext };
  }
  // As `child` does: a SourceContext given here picks its override.
  const { sourceContext } = bound;
  return [
    new Logger(pipeline, sourceContext === undefined ? level : pipeline.levelFor(sourceContext), bound),
    bound,
    pipeline.captureLimits,
  ];
}
