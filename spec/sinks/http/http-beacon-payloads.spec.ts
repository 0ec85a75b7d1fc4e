import fc from 'fast-check';
import type { LogEvent } from '../../../lib/core/log-event';
import { splitForBeacon } from '../../../lib/sinks/http/http-beacon-payloads';
import { makeEvent, makeEvents } from '../../helpers/events';

const lines = (events: readonly LogEvent[]): string =>
  events.map((e) => `${e.properties.N as number}:${(e.properties.Pad as string | undefined) ?? ''}`).join('\n');
const json = (events: readonly LogEvent[]): string => JSON.stringify({ items: events.map((e) => e.properties) });

describe('splitForBeacon', () => {
  it('keeps a batch that fits as one body', () => {
    expect(splitForBeacon(makeEvents(3), lines, 100)).toEqual({ payloads: ['0:\n1:\n2:'], oversize: [] });
  });

  it('returns nothing for an empty batch', () => {
    expect(splitForBeacon([], lines, 100)).toEqual({ payloads: [], oversize: [] });
  });

  it('sets aside events too large on their own', () => {
    const big = makeEvent({ properties: { N: 1, Pad: 'x'.repeat(200) } });
    const small = makeEvent({ properties: { N: 2 } });
    const result = splitForBeacon([big, small], lines, 100);
    expect(result.payloads).toEqual(['2:']);
    expect(result.oversize).toEqual([big]);
  });

  it('cuts any batch into bodies within the limit that hold every event once, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 300 }), { maxLength: 60 }),
        fc.integer({ min: 40, max: 2_000 }),
        (pads, maxBytes) => {
          const events = pads.map((Pad, N) => makeEvent({ properties: { N, Pad } }));
          const { payloads, oversize } = splitForBeacon(events, json, maxBytes);
          for (const payload of payloads) expect(new TextEncoder().encode(payload).length).toBeLessThanOrEqual(maxBytes);
          const sent = payloads.flatMap((p) => (JSON.parse(p) as { items: { N: number }[] }).items.map((item) => item.N));
          const setAside = oversize.map((e) => e.properties.N as number);
          expect([...sent, ...setAside].sort((a, b) => a - b)).toEqual(events.map((_, n) => n));
          expect(sent).toEqual([...sent].sort((a, b) => a - b));
          for (const event of oversize) expect(new TextEncoder().encode(json([event])).length).toBeGreaterThan(maxBytes);
        },
      ),
      { numRuns: 200 },
    );
  });
});
