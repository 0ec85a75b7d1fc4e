import type { OfflinePiece } from './http-offline-queue';

/**
 * The two halves of a stored body of one line per event (CLEF, NDJSON), as the offline store
 * sends a piece again that the server found too large: the first `ceil(count / 2)` lines, then
 * the rest. Undefined for a single event, and for a body whose lines are not its events (a
 * formatter that writes several lines for one event, a body that left an event out): its events
 * cannot be told apart.
 */
export function lineHalves(piece: OfflinePiece): [OfflinePiece, OfflinePiece] | undefined {
  const { body, count } = piece;
  if (count < 2) return undefined;
  const lines = body.split('\n');
  if (lines.length !== count) return undefined;
  const middle = Math.ceil(count / 2);
  return [
    { body: lines.slice(0, middle).join('\n'), count: middle },
    { body: lines.slice(middle).join('\n'), count: count - middle },
  ];
}
