import { parseTraceParent } from '@opentelemetry/core';
import { requestIdFrom, traceIdFromTraceparent } from '../../../lib/node/http/request-id';
import { collectSelfLog } from '../../helpers/self-log';
import { unhandledRejectionsOf } from '../../helpers/unhandled-rejections';

const generate = (): string => 'generated';
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('requestIdFrom', () => {
  it('takes a valid incoming x-request-id', () => {
    expect(requestIdFrom({ 'x-request-id': 'r-7' }, generate)).toBe('r-7');
    expect(requestIdFrom({ 'x-request-id': ['r-8', 'r-9'] }, generate)).toBe('r-8');
  });

  it('rejects an x-request-id with control characters, quotes or over 128 characters', () => {
    expect(requestIdFrom({ 'x-request-id': 'a\nb' }, generate)).toBe('generated');
    expect(requestIdFrom({ 'x-request-id': 'a"b' }, generate)).toBe('generated');
    expect(requestIdFrom({ 'x-request-id': 'x'.repeat(129) }, generate)).toBe('generated');
    expect(requestIdFrom({ 'x-request-id': '' }, generate)).toBe('generated');
  });

  it("falls back to traceparent's trace id, then to a generated id", () => {
    expect(requestIdFrom({ traceparent: `00-${TRACE}-00f067aa0ba902b7-01` }, generate)).toBe(TRACE);
    expect(requestIdFrom({}, generate)).toBe('generated');
    expect(requestIdFrom({})).toMatch(/^[0-9a-f-]{36}$/);
  });
  it('uses a UUID when generate throws or returns no id, and a number it returns as a string', () => {
    const faulty = [
      () => {
        throw new Error('down');
      },
      () => undefined as unknown as string,
      () => '',
      () => ({}) as unknown as string,
    ];
    for (const generate of faulty) expect(requestIdFrom({}, generate)).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFrom({}, () => 42 as unknown as string)).toBe('42');
  });

  // An async generateRequestId gave a Promise: a UUID was used, but a rejection was unhandled.
  it('uses a UUID when generate returns a Promise, naming the option in SelfLog, and handles its rejection', async () => {
    const self = collectSelfLog();
    const unhandled = await unhandledRejectionsOf(() => {
      const rejecting = (async () => {
        await Promise.resolve();
        throw new Error('id service down');
      }) as unknown as () => string;
      expect(requestIdFrom({}, rejecting)).toMatch(/^[0-9a-f-]{36}$/);
      expect(requestIdFrom({}, (async () => 'late-id') as unknown as () => string)).toMatch(/^[0-9a-f-]{36}$/);
    }, 1).finally(() => self.stop());
    expect(unhandled).toEqual([]);
    expect(self.diagnostics.map((d) => d.message)).toEqual([
      expect.stringContaining('requestLogging.generateRequestId returned a Promise'),
      expect.stringContaining('requestLogging.generateRequestId returned a Promise'),
      expect.stringContaining('requestLogging.generateRequestId rejected'),
    ]);
    expect((self.diagnostics[2]?.args.at(-1) as Error).message).toBe('id service down');
  });
});

describe('traceIdFromTraceparent', () => {
  it('rejects invalid and all-zero ids and version ff', () => {
    expect(traceIdFromTraceparent(`00-${'0'.repeat(32)}-00f067aa0ba902b7-01`)).toBeUndefined();
    expect(traceIdFromTraceparent(`00-${TRACE}-${'0'.repeat(16)}-01`)).toBeUndefined();
    expect(traceIdFromTraceparent(`ff-${TRACE}-00f067aa0ba902b7-01`)).toBeUndefined();
    expect(traceIdFromTraceparent(`00-${TRACE.toUpperCase()}-00f067aa0ba902b7-01`)).toBeUndefined();
    expect(traceIdFromTraceparent('garbage')).toBeUndefined();
    expect(traceIdFromTraceparent(undefined)).toBeUndefined();
  });

  it('reads a later version with more fields, as the W3C spec asks and OpenTelemetry does; version 00 has exactly four', () => {
    const headers = [
      `01-${TRACE}-00f067aa0ba902b7-01-what-the-future-adds`,
      `cc-${TRACE}-00f067aa0ba902b7-00-x`,
      `01-${TRACE}-00f067aa0ba902b7-01`,
      `00-${TRACE}-00f067aa0ba902b7-01-extra`,
      `01-${TRACE}-00f067aa0ba902b7-01x`,
      `ff-${TRACE}-00f067aa0ba902b7-01-x`,
    ];
    const ours = headers.map((header) => traceIdFromTraceparent(header));
    expect(ours).toEqual([TRACE, TRACE, TRACE, undefined, undefined, undefined]);
    expect(ours).toEqual(headers.map((header) => parseTraceParent(header)?.traceId));
    expect(requestIdFrom({ traceparent: headers[0] }, generate)).toBe(TRACE);
  });
});
