import type { ContextProperties } from './context-store';
import { MAX_PROPERTIES, mergeContext, put } from './merge-context';

/**
 * A run's context as a store keeps it: the names the run adds or replaces (`own`, read when the
 * run starts) over its parent's, merged into the frozen object `LogContext.current()` hands out
 * only when that is first read (an event enriched inside the run), then kept. A nesting of runs
 * that each add a name costs a name a level, not a copy of every name in force; a run whose
 * context is read holds its copy (at most {@link MAX_PROPERTIES} names) until it ends.
 *
 * At most {@link MAX_LINKS} frames hang one under another: with AsyncLocalStorage a run opened
 * inside the one before, run after run (a job that re-arms its timer inside its run), would
 * otherwise hold every earlier run for good.
 *
 * @internal
 */
export interface ContextFrame {
  readonly parent: ContextFrame | undefined;
  readonly own: ContextProperties;
  merged: ContextProperties | undefined;
  /** Frames opened over one another since the last one made merged (0 for that one). */
  readonly links: number;
}

/**
 * Most frames opened over one another: the next run is merged at once, over nothing. A nesting
 * thousands of runs deep then holds a copy every so many levels (at most {@link MAX_PROPERTIES}
 * names each), and a merge walks no more than this many frames.
 */
const MAX_LINKS = 256;

/** What a frame reads as when its merge fails (no stack left for it): no properties, not cached. */
const UNREAD: ContextProperties = Object.freeze({});

/** A frame of exactly `context` (a merged, frozen context put back as it is), over nothing. */
export function rootFrame(context: ContextProperties): ContextFrame {
  return { parent: undefined, own: context, merged: context, links: 0 };
}

/**
 * The frame a run of `properties` puts in force over `parent`: outside any run, their merge (see
 * mergeContext); inside one, a copy of their names and values (read now, refused or left out as
 * mergeContext does: with none, `parent` stays in force), merged with the outer ones when first
 * read. Never throws, but for a RangeError where no stack is left (the run catches that).
 */
export function openFrame(parent: ContextFrame | undefined, properties: ContextProperties): ContextFrame {
  if (parent === undefined) return rootFrame(mergeContext(undefined, properties));
  let many = false;
  try {
    many = Object.keys(properties).length > MAX_PROPERTIES;
  } catch {
    // Not listable: mergeContext tells SelfLog.
  }
  // Past the limit, which names are kept depends on the outer ones; past MAX_LINKS frames, the
  // chain is cut (a frame merged now holds no parent): merged now, once for the run.
  if (many || parent.links >= MAX_LINKS) return rootFrame(mergeContext(contextOf(parent), properties));
  const own = mergeContext(undefined, properties);
  return Object.keys(own).length === 0 ? parent : { parent, own, merged: undefined, links: parent.links + 1 };
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
 * The nearest merged frame's context under the names of every unmerged frame above it, taken
 * from the outermost in (a later value replaces an earlier one in its place), as merging run by
 * run would give, limit included. A loop, not a recursion: a nesting thousands of runs deep is
 * merged in one pass, with no stack per level.
 */
function merge(frame: ContextFrame): ContextProperties {
  const layers: ContextProperties[] = [];
  let at: ContextFrame | undefined = frame;
  while (at !== undefined && at.merged === undefined) {
    layers.push(at.own);
    at = at.parent;
  }
  const names: Record<string, unknown> = {};
  for (let i = layers.length - 1; i >= 0; i--) for (const key of Object.keys(layers[i])) put(names, key, layers[i][key]);
  return mergeContext(at?.merged, names);
}
