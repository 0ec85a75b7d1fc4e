import fc from 'fast-check';
import type { LogEvent } from '../../../lib/core/log-event';
import { beaconPayload } from '../../../lib/sinks/http/http-beacon-payloads';
import { makeEvent, makeEvents } from '../../helpers/events';

const lines = (events: readonly LogEvent[]): string =>
  events.map((e) => `${e.properties.N as number}:${(e.properties.Pad as string | undefined) ?? ''}`).join('\n');
const json = (events: readonly LogEvent[]): string => JSON.stringify({ items: events.map((e) => e.properties) });
const bytes = (text: string): number => new TextEncoder().encode(text).length;

describe('beaconPayload', () => {
  it('keeps a batch that fits as one body, formatted once', () => {
    const body = jest.fn(lines);
    expect(beaconPayload(makeEvents(3), body, 100)).toEqual({ body: '0:\n1:\n2:', count: 3 });
    expect(body).toHaveBeenCalledTimes(1);
  });

  it('returns nothing for an empty batch', () => {
    expect(beaconPayload([], lines, 100)).toEqual({ body: '', count: 0 });
  });

  it('says when the first event alone is too large', () => {
    const big = makeEvent({ properties: { N: 1, Pad: 'x'.repeat(200) } });
    expect(beaconPayload([big, makeEvent({ properties: { N: 2 } })], lines, 100)).toEqual({ body: '', count: 0 });
  });

  it('fills the body up to the limit rather than cutting the batch into even parts', () => {
    // 1 000-byte events and a 60 000-byte limit: 59 fit (with the newlines), not an even share of the batch.
    const events = makeEvents(100, { properties: { Pad: 'p'.repeat(996) } });
    const payload = beaconPayload(events, lines, 60_000);
    expect(payload.count).toBeGreaterThan(55);
    expect(bytes(payload.body)).toBeLessThanOrEqual(60_000);
    expect(bytes(lines(events.slice(0, payload.count + 1)))).toBeGreaterThan(60_000);
  });

  it('takes the longest leading slice within the limit, for any batch', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 300 }), { maxLength: 60 }),
        fc.integer({ min: 40, max: 2_000 }),
        (pads, maxBytes) => {
          const events = pads.map((Pad, N) => makeEvent({ properties: { N, Pad } }));
          const { body, count } = beaconPayload(events, json, maxBytes);
          if (count > 0) {
            expect(body).toBe(json(events.slice(0, count)));
            expect(bytes(body)).toBeLessThanOrEqual(maxBytes);
          }
          if (count < events.length) expect(bytes(json(events.slice(0, count + 1)))).toBeGreaterThan(maxBytes);
        },
      ),
      { numRuns: 200 },
    );
  });
});
