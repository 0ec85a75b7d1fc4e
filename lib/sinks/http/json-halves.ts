import type { OfflinePiece } from './http-offline-queue';

/**
 * The two halves of a stored JSON body whose events are the items of nested arrays (OTLP's
 * `resourceLogs[].scopeLogs[].logRecords[]`, Loki's `streams[].values[]`), as the offline store
 * sends a piece again that the server found too large: the first `ceil(count / 2)` items in
 * document order, then the rest, each in a copy of the groups around them (their other fields
 * kept, a group left empty left out). Undefined for a single event, and for a body that is not of
 * that shape or whose items are not `count`.
 *
 * @param path The names of the nested arrays, outermost first; the last one's items are the events.
 */
export function jsonHalves(piece: OfflinePiece, path: readonly string[]): [OfflinePiece, OfflinePiece] | undefined {
  const { body, count } = piece;
  if (count < 2) return undefined;
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (itemCount(document, path) !== count) return undefined;
  const middle = Math.ceil(count / 2);
  return [
    { body: JSON.stringify(slice(document, path, { skip: 0, take: middle })), count: middle },
    { body: JSON.stringify(slice(document, path, { skip: middle, take: count - middle })), count: count - middle },
  ];
}

/** How many items the innermost arrays of `node` hold; NaN where `node` is not of the shape `path` says. */
function itemCount(node: unknown, path: readonly string[]): number {
  const list = arrayAt(node, path[0]);
  if (list === undefined) return NaN;
  if (path.length === 1) return list.length;
  let items = 0;
  for (const group of list) items += itemCount(group, path.slice(1));
  return items;
}

/** A copy of `node` holding only the items `window` says, in order (it counts them off as it goes); undefined when none is left. */
function slice(node: unknown, path: readonly string[], window: { skip: number; take: number }): unknown {
  const list = arrayAt(node, path[0])!;
  let kept: unknown[];
  if (path.length === 1) {
    kept = list.slice(window.skip, window.skip + window.take);
    window.take -= kept.length;
    window.skip = Math.max(0, window.skip - list.length);
  } else {
    kept = [];
    for (const group of list) {
      const part = slice(group, path.slice(1), window);
      if (part !== undefined) kept.push(part);
    }
  }
  return kept.length === 0 ? undefined : { ...(node as object), [path[0]]: kept };
}

function arrayAt(node: unknown, name: string): unknown[] | undefined {
  const value: unknown = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[name] : undefined;
  return Array.isArray(value) ? value : undefined;
}
