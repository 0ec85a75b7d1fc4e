import { fixtureOutcomes } from './fixtures/run-nest-app';

// A Nest 12 app on Fastify 5 with rxlog/node's fastifyLogger as Fastify's logger and RxlogModule
// with the same logger (spec/nest/fixtures/nest-fastify-logger.ts, in a child process on
// 127.0.0.1): with Fastify's own log controller, with its disableRequestLogging, and with the
// module's request logging off.

type Setup = 'default' | 'disabled' | 'off';
type Row = [string | null, string, string, string | null, 'reqId' | null, string | null];
interface Run {
  echoed: string[];
  rows: Row[];
}

async function run(setup: Setup): Promise<Run> {
  return fixtureOutcomes<Run>('nest-fastify-logger.ts', [setup]);
}

describe('RxlogModule on Fastify with fastifyLogger as Fastify’s logger', () => {
  const runs: Partial<Record<Setup, Run>> = {};

  beforeAll(async () => {
    for (const setup of ['default', 'disabled', 'off'] as const) runs[setup] = await run(setup);
  }, 240_000);

  it('writes each request once, with one id (the echoed one) on request.log lines, and an onResponse hook’s error as an event of the request', () => {
    const { echoed, rows } = runs.default ?? { echoed: [], rows: [] };
    const generated = echoed[3];
    expect(echoed).toEqual([
      'id/orders/7',
      'id/orders/8',
      'id/nope',
      expect.stringMatching(/^[0-9a-f-]{36}$/),
      'id/sync',
      'id/nope-sync',
    ]);
    const late = (path: string, id: string, message: string): Row => [
      'RequestLogging',
      'error',
      `HTTP GET ${path} failed after its response completed`,
      id,
      null,
      message,
    ];
    expect(rows).toEqual([
      ['Fastify', 'information', 'Server listening at http://127.0.0.1:…', null, null, null],
      ['Fastify', 'information', 'Loading order', 'id/orders/7', null, null],
      ['RequestLogging', 'information', 'HTTP GET /orders/7 responded 200 in … ms', 'id/orders/7', null, null],
      ['RequestLogging', 'warning', 'HTTP GET /orders/8 responded 409 in … ms', 'id/orders/8', null, 'Out of stock'],
      late('/orders/8', 'id/orders/8', 'Metrics push failed'),
      ['RequestLogging', 'warning', 'HTTP GET /nope responded 404 in … ms', 'id/nope', null, null],
      late('/nope', 'id/nope', 'Audit store unavailable'),
      ['Fastify', 'information', 'Loading order', generated, null, null],
      ['RequestLogging', 'information', 'HTTP GET /orders/7 responded 200 in … ms', generated, null, null],
      ['Fastify', 'information', 'Loading order', 'id/sync', null, null],
      ['RequestLogging', 'information', 'HTTP GET /orders/7 responded 200 in … ms', 'id/sync', null, null],
      late('/orders/7', 'id/sync', 'Metrics push failed'),
      ['RequestLogging', 'warning', 'HTTP GET /nope responded 404 in … ms', 'id/nope-sync', null, null],
      late('/nope', 'id/nope-sync', 'Metrics push failed'),
    ]);
  });

  it('loses the onResponse hooks’ errors with disableRequestLogging, which the docs say not to use', () => {
    const rows = runs.disabled?.rows ?? [];
    expect(rows.filter((row) => row[0] === 'RequestLogging')).toHaveLength(6);
    expect(rows.some((row) => row[5] !== null && row[5] !== 'Out of stock')).toBe(false);
  });

  it('keeps Fastify’s own request lines when the module’s request logging is off', () => {
    const { echoed, rows } = runs.off ?? { echoed: [], rows: [] };
    expect(rows.filter((row) => row[0] === 'RequestLogging')).toEqual([]);
    expect(rows.filter((row) => row[2] === 'incoming request')).toHaveLength(6);
    expect(rows.filter((row) => row[2] === 'request completed').map((row) => row[3])).toEqual(['id/orders/7', echoed[3]]);
    expect(rows.filter((row) => row[2] === 'request errored').map((row) => [row[3], row[4], row[5]])).toEqual([
      ['id/orders/8', 'reqId', 'Metrics push failed'],
      ['id/nope', 'reqId', 'Audit store unavailable'],
      ['id/sync', 'reqId', 'Metrics push failed'],
      ['id/nope-sync', 'reqId', 'Metrics push failed'],
    ]);
  });
});
