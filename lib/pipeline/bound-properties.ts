import { SelfLog } from '../core/self-log';
import { captureValue } from '../templates/capture';
import { setOwnProperty } from '../templates/own-property';
import type { RedactionPolicy } from '../templates/redaction-policy';

/**
 * The properties a child logger adds to its events, captured and redacted once, when the child
 * is made. Kept as two parallel arrays so that each event copies them in one counted loop, with no
 * `Object.keys` call and no redaction walk per event.
 */
export interface BoundProperties {
  /** The property names, in the order they were bound (a name bound again keeps its first place). */
  readonly keys: readonly string[];
  /** The captured value of each name, at the same index. */
  readonly values: readonly unknown[];
  /**
   * Whether the values are redacted already: true when there is no redaction or every policy is
   * fixed; a censor function runs once per event, so then the values are redacted with each event.
   */
  readonly redacted: boolean;
}

/**
 * The bound properties of a child of `parent` that adds `properties`: each new value captured as
 * a call's argument is (so later mutation cannot reach an event) and, when every policy of
 * `redaction` is fixed, redacted, then layered over the parent's (a name bound again takes the
 * new value). Never throws:
 * unreadable properties are reported to SelfLog and the parent's are kept.
 */
export function bindProperties(
  parent: BoundProperties | undefined,
  properties: Readonly<Record<string, unknown>>,
  redaction: readonly RedactionPolicy[] | undefined,
): BoundProperties {
  const keys = parent === undefined ? [] : [...parent.keys];
  const values = parent === undefined ? [] : [...parent.values];
  let added = {} as Record<string, unknown>;
  try {
    for (const key of Object.keys(properties)) setOwnProperty(added, key, captureValue(properties[key], 'default'));
  } catch (error) {
    SelfLog.write('child: unreadable properties ignored', error);
  }
  const redacted = redaction === undefined || redaction.every((policy) => policy.fixed);
  // Only the new values are redacted: the parent's already were.
  if (redacted && redaction !== undefined) for (const policy of redaction) added = policy.redactProperties(added, true);
  for (const key of Object.keys(added)) {
    const at = keys.indexOf(key);
    if (at === -1) {
      keys.push(key);
      values.push(added[key]);
    } else {
      values[at] = added[key];
    }
  }
  return { keys, values, redacted };
}
