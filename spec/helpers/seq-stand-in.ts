import type { ReceivedRequest, Responder } from './http-test-server';

/** Seq's default event body limit: 256 KiB. */
const EVENT_BODY_LIMIT = 256 * 1024;

/**
 * Why Seq would refuse one CLEF line, or undefined when it takes it: a stand-in for Seq's CLEF
 * ingestion (Seq itself cannot run here), written from its docs (docs.datalust.co, "Ingestion
 * with HTTP"): a JSON object with an ISO 8601 `@t` (a four-digit year: .NET's DateTimeOffset),
 * `@mt`, `@m`, `@l` and `@x` strings when present, `@i` a number or a hex string, `@r` an array of
 * strings, and at most the event body limit in UTF-8 bytes.
 */
export function seqRefusal(line: string, limit = EVENT_BODY_LIMIT): string | undefined {
  if (Buffer.byteLength(line) > limit) return 'over the event body limit';
  let event: unknown;
  try {
    event = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return 'not an object';
  const fields = event as Record<string, unknown>;
  const time = fields['@t'];
  if (typeof time !== 'string' || !/^\d{4}-\d\d-\d\dT/.test(time) || Number.isNaN(Date.parse(time))) return 'no @t';
  for (const name of ['@mt', '@m', '@l', '@x'])
    if (fields[name] !== undefined && typeof fields[name] !== 'string') return `${name} not a string`;
  const id = fields['@i'];
  if (id !== undefined && typeof id !== 'number' && !(typeof id === 'string' && /^[0-9a-f]+$/i.test(id)))
    return '@i not a number or hex';
  const renderings = fields['@r'];
  if (renderings !== undefined && !(Array.isArray(renderings) && renderings.every((r) => typeof r === 'string')))
    return '@r not strings';
  return undefined;
}

/**
 * A Responder that answers as Seq's ingestion does: `400` for a whole batch with one line Seq
 * refuses (see `seqRefusal`), else `201` with `{"MinimumLevelAccepted":null}`. `refused` collects
 * each refused line's reason and start, for a test to show.
 */
export function seqStandIn(refused: string[] = [], limit = EVENT_BODY_LIMIT): Responder {
  return (request: ReceivedRequest) => {
    const reasons = request.body === '' ? [] : request.body.split('\n').map((line) => [seqRefusal(line, limit), line]);
    const bad = reasons.filter(([reason]) => reason !== undefined);
    refused.push(...bad.map(([reason, line]) => `${reason}: ${line?.slice(0, 200)}`));
    return bad.length > 0 ? { status: 400 } : { status: 201, body: '{"MinimumLevelAccepted":null}' };
  };
}
