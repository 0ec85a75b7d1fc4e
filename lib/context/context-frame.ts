import { describeValue } from '../core/describe-value';
import { isProperties } from '../core/is-properties';
import { read } from '../core/read-property';
import { SelfLog } from '../core/self-log';
import type { ContextProperties } from './context-store';
import { MAX_PROPERTIES, mergeContext, put } from './merge-context';

/**
 * A run's context as a store keeps it: the names the run adds or replaces (`own`, read when the
 * run starts) over its parent's, merged into the frozen object `LogContext.current()` hands out
 * only when that is first read (an event enriched inside the run), then kept. A nesting of runs
 * that each add a name costs a name a level, not a copy of every name in force; a run whose
 * context is read holds its copy (at most {@link MAX_PROPERTIES} names) until it ends.
 *
 * @internal
 */
export interface ContextFrame {
  readonly parent: ContextFrame | undefined;
  readonly own: ContextProperties;
  merged: ContextProperties | undefined;
}

/** What a frame reads as when its merge fails (no stack left for it): no properties, not cached. */
const UNREAD: ContextProperties = Object.freeze({});

/** A frame of exactly `context` (a merged, frozen context put back as it is), over nothing. */
export function rootFrame(context: ContextProperties): ContextFrame {
  return { parent: undefined, own: context, merged: context };
}

/**
 * The frame a run of `properties` puts in force over `parent`: outside any run, their merge (see
 * mergeContext); inside one, a copy of their names and values, merged with the outer ones when
 * first read. Told to SelfLog and left out as mergeContext does: properties that are not an object
 * of properties or cannot be listed leave `parent` in force. Never throws, but for a RangeError
 * where no stack is left (the run catches that).
 */
export function openFrame(parent: ContextFrame | undefined, properties: ContextProperties): ContextFrame {
  if (parent === undefined) return rootFrame(mergeContext(undefined, properties));
  if (!isProperties(properties)) {
    SelfLog.write('LogContext.run: not properties: {Value}', describeValue(properties));
    return parent;
  }
  try {
    const keys = Object.keys(properties);
    if (keys.length === 0) return parent;
    // Past the limit, which names are kept depends on the outer ones: merged now, once for the run.
    if (keys.length > MAX_PROPERTIES) return rootFrame(mergeContext(contextOf(parent), properties));
    const own: Record<string, unknown> = {};
    for (const key of keys) put(own, key, read(properties, key));
    return { parent, own, merged: undefined };
  } catch (error) {
    SelfLog.write('LogContext.run: unreadable properties ignored', error);
    return parent;
  }
}

/** The properties in force in `frame`: its merge, made on the first read and kept. Never throws. */
export function contextOf(frame: ContextFrame): ContextProperties {
  const merged = frame.merged;
  if (merged !== undefined) return merged;
  try {
    return (frame.merged = merge(frame));
  } catch {
    // Only where no stack is left (an event logged at the deepest level a nesting reaches).
    return UNREAD;
  }
}

/**
 * The names of the nearest merged frame, then each unmerged frame's from the outermost in: a
 * replaced name keeps its place, a new one comes last, and past {@link MAX_PROPERTIES} new names
 * are left out (told to SelfLog, once for the merge), as merging run by run would. A loop, not a
 * recursion: a nesting thousands of runs deep is merged in one pass, with no stack per level.
 */
function merge(frame: ContextFrame): ContextProperties {
  const layers: ContextProperties[] = [];
  let at: ContextFrame | undefined = frame;
  while (at !== undefined && at.merged === undefined) {
    layers.push(at.own);
    at = at.parent;
  }
  const merged: Record<string, unknown> = {};
  let count = 0;
  let leftOut = 0;
  if (at !== undefined) {
    const base = at.merged as ContextProperties;
    for (const key of Object.keys(base)) {
      put(merged, key, base[key]);
      count++;
    }
  }
  for (let i = layers.length - 1; i >= 0; i--) {
    const own = layers[i];
    for (const key of Object.keys(own)) {
      if (Object.hasOwn(merged, key)) put(merged, key, own[key]);
      else if (count < MAX_PROPERTIES) {
        put(merged, key, own[key]);
        count++;
      } else leftOut++;
    }
  }
  if (leftOut > 0) SelfLog.write('LogContext.run: {Count} properties past {Limit} left out', leftOut, MAX_PROPERTIES);
  return Object.freeze(merged);
}
