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
  const items = { seen: 0 };
  walk(document, path, () => true, items);
  if (items.seen !== count) return undefined;
  const middle = Math.ceil(count / 2);
  const half = (keep: (index: number) => boolean): string => JSON.stringify(walk(document, path, keep, { seen: 0 }));
  return [
    { body: half((index) => index < middle), count: middle },
    { body: half((index) => index >= middle), count: count - middle },
  ];
}

/**
 * A copy of `node` with only the items `keep` takes (by their index in document order, counted in
 * `items.seen`, which becomes NaN where `node` is not of the shape `path` says); undefined when none is left.
 */
function walk(node: unknown, path: readonly string[], keep: (index: number) => boolean, items: { seen: number }): unknown {
  const list: unknown = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[path[0]] : undefined;
  if (!Array.isArray(list)) return ((items.seen = NaN), undefined);
  const kept =
    path.length === 1
      ? list.filter(() => keep(items.seen++))
      : list.map((group) => walk(group, path.slice(1), keep, items)).filter((group) => group !== undefined);
  return kept.length === 0 ? undefined : { ...(node as object), [path[0]]: kept };
}
