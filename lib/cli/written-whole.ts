import type { LogEvent } from '../core/log-event';
import { WRITE_JSON_MAX_DEPTH } from '../templates/json-safe-captures';
import { WRITE_JSON_MAX_ITEMS, writeJson } from '../templates/safe-json';
import { nestedDeeperThan } from './read-log-line';

/** Whether a value holds more than `limit` items in all, counted as `writeJson` counts them. A loop, not a recursion. */
function itemsPast(value: unknown, limit: number): boolean {
  let left = limit;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next !== 'object' || next === null) continue;
    const items: readonly unknown[] = Array.isArray(next) ? next : Object.values(next);
    if ((left -= items.length) < 0) return true;
    for (const item of items) if (typeof item === 'object' && item !== null) pending.push(item);
  }
  return false;
}

/**
 * Whether `CompactJsonFormatter` writes the event read from `line` whole: no value of it nested deeper than the
 * writer follows (`"[MaxDepth]"` past 63 levels, the line's object and 64 levels in all) nor holding more items
 * than it writes (`"[Truncated]"` past 2^20). The reader takes lines 128 levels deep and of any number of items,
 * so `rxlog --json` writes the structured values of an event the writer would cut with `wholeJson`. A scan of the
 * line, and a walk of the values only for a line long enough to hold 2^20 items (two characters each at least: the
 * item and a separator).
 *
 * @example writtenWhole('{"@t":"2026-11-22T12:00:00.000Z","A":[[1]]}', event) // true
 */
export function writtenWhole(line: string, event: LogEvent): boolean {
  if (nestedDeeperThan(line, WRITE_JSON_MAX_DEPTH + 1)) return false;
  if (line.length <= 2 * WRITE_JSON_MAX_ITEMS) return true;
  const properties = event.properties;
  for (const name of Object.keys(properties)) if (itemsPast(properties[name], WRITE_JSON_MAX_ITEMS)) return false;
  return true;
}

/**
 * A value as the reader parsed it (plain objects and arrays, strings, numbers, bigints, booleans, null) as JSON,
 * whole: as deep and as long as its line had it, where `writeJson` cuts past 63 levels (`"[MaxDepth]"`) and 2^20
 * items (`"[Truncated]"`). Scalars as `writeJson` writes them. It recurses as deep as the value nests, which the
 * reader bounds (128 levels, the line's object counted).
 *
 * @example wholeJson({ A: [1, 2n ** 64n] }) // '{"A":[1,18446744073709551616]}'
 */
export function wholeJson(value: unknown): string {
  if (typeof value !== 'object' || value === null) return writeJson(value);
  let out = '';
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) out += `${i === 0 ? '' : ','}${wholeJson(value[i])}`;
    return `[${out}]`;
  }
  const fields = value as Record<string, unknown>;
  for (const key of Object.keys(fields)) out += `${out === '' ? '' : ','}${writeJson(key)}:${wholeJson(fields[key])}`;
  return `{${out}}`;
}
