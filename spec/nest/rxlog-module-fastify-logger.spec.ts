import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

// A Nest 12 app on Fastify 5 with rxlog/node's fastifyLogger as Fastify's logger and RxlogModule
// with the same logger (spec/nest/fixtures/nest-fastify-logger.ts, in a child process on
// 127.0.0.1), under each of Fastify's log controllers docs/nestjs.md speaks of.

type Row = [string | null, string, string, string | null, 'reqId' | null, string | null];

async function run(controller: 'default' | 'disabled' | 'nest'): Promise<Row[]> {
  const fixture = join(__dirname, 'fixtures', 'nest-fastify-logger.ts');
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', fixture, controller], {
    cwd: join(__dirname, '..', '..'),
    timeout: 90_000,
  });
  return JSON.parse(stdout) as Row[];
}

describe('RxlogModule on Fastify with fastifyLogger as Fastify’s logger', () => {
  const runs: Partial<Record<'default' | 'disabled' | 'nest', Row[]>> = {};

  beforeAll(async () => {
    for (const controller of ['default', 'disabled', 'nest'] as const) runs[controller] = await run(controller);
  }, 240_000);

  it('writes each request three times with Fastify’s own log controller: its incoming and completed lines beside the completion event', () => {
    const rows = runs.default ?? [];
    expect(rows.filter((row) => row[2] === 'incoming request').map((row) => row[3])).toEqual([null, null, null]);
    expect(rows.filter((row) => row[2] === 'request completed').map((row) => row[3])).toEqual(['id/orders/7', 'id/orders/8']);
    expect(rows.filter((row) => row[0] === 'RequestLogging')).toHaveLength(3);
  });

  it('writes each request once with the log controller the docs show, keeping request.log and an onResponse hook’s error', () => {
    expect(runs.nest).toEqual([
      ['Fastify', 'information', 'Server listening at http://127.0.0.1:…', null, null, null],
      ['Fastify', 'information', 'Loading order', 'id/orders/7', 'reqId', null],
      ['RequestLogging', 'information', 'HTTP GET /orders/7 responded 200 in … ms', 'id/orders/7', null, null],
      ['RequestLogging', 'warning', 'HTTP GET /orders/8 responded 409 in … ms', 'id/orders/8', null, 'Out of stock'],
      ['RequestLogging', 'warning', 'HTTP GET /nope responded 404 in … ms', 'id/nope', null, null],
      ['Fastify', 'error', 'request errored', 'id/nope', 'reqId', 'Audit store unavailable'],
    ]);
  });

  it('loses the onResponse hook’s error with disableRequestLogging, which the docs say not to use', () => {
    const rows = runs.disabled ?? [];
    expect(rows.filter((row) => row[0] === 'RequestLogging')).toHaveLength(3);
    expect(rows.some((row) => row[5] === 'Audit store unavailable')).toBe(false);
  });
});
