import type { LogEvent } from '../../lib/core/log-event';
import { type NestAppRun, startNestApp } from './fixtures/run-nest-app';

// A real NestJS 12 app (spec/nest/fixtures/nest-rejecting-filter-app.ts) whose global exception
// filter returns a Promise that rejects, in a child process on 127.0.0.1. Nest leaves that
// rejection unhandled and the request unanswered; these tests pin what rxlog then writes, as
// docs/nestjs.md says.

const summary = (events: readonly LogEvent[]): unknown[] =>
  events.map((e) => [
    e.level,
    e.properties.SourceContext ?? null,
    e.renderMessage().replace(/[\d.]+ ms$/, '… ms'),
    e.exception?.message ?? null,
  ]);
const ofRequest = (run: NestAppRun, id: string): LogEvent[] => run.events.filter((e) => e.properties.RequestId === id);

describe.each(['express', 'fastify'])('RxlogModule with an exception filter whose Promise rejects, on %s', (platform) => {
  it('with installProcessHooks: the process ends, and the rejection is a fatal event carrying the request’s RequestId', async () => {
    const app = await startNestApp('nest-rejecting-filter-app.ts', [platform, 'hooks']);
    let run: NestAppRun | undefined;
    try {
      const fine = await fetch(`${app.url}/fine`, { headers: { 'x-request-id': 'fine' } });
      await fine.text();
      await expect(
        fetch(`${app.url}/failing`, { headers: { 'x-request-id': 'failing' }, signal: AbortSignal.timeout(20_000) }),
      ).rejects.toThrow('fetch failed');
    } finally {
      run = await app.stop();
    }
    expect(run.code).toBe(1);
    // The process ended before the request was answered: at exit it is written unfinished, with its handler's error.
    expect(summary(ofRequest(run, 'failing'))).toEqual([
      ['fatal', null, 'Unhandled rejection', 'Error: Filter failed'],
      ['error', 'RequestLogging', 'HTTP GET /failing unfinished at shutdown after … ms', 'Error: Order failed'],
    ]);
    expect(summary(ofRequest(run, 'fine'))).toEqual([
      ['information', 'RequestLogging', 'HTTP GET /fine responded 200 in … ms', null],
    ]);
  }, 120_000);

  it('with an unhandledRejection listener of the app’s: the listener logs with the RequestId, and the request is written aborted when the client leaves', async () => {
    const app = await startNestApp('nest-rejecting-filter-app.ts', [platform, 'listener']);
    let run: NestAppRun | undefined;
    try {
      // Long enough for the request to reach a child slowed by a loaded machine: one aborted before
      // it arrived has no events at all.
      await expect(
        fetch(`${app.url}/failing`, { headers: { 'x-request-id': 'failing' }, signal: AbortSignal.timeout(2_000) }),
      ).rejects.toThrow();
      // The abort reaches the server's 'close' before the next request on a new connection is answered.
      const fine = await fetch(`${app.url}/fine`, { headers: { 'x-request-id': 'fine' } });
      await fine.text();
    } finally {
      run = await app.stop();
    }
    expect([run.code, run.signal]).toEqual([null, 'SIGTERM']); // Nest raises the signal again once it shut down
    expect(summary(ofRequest(run, 'failing'))).toEqual([
      ['error', null, 'Unhandled rejection', 'Error: Filter failed'],
      // No answer reached the client: aborted, with the handler's error, at the level of the 500 it maps to.
      ['error', 'RequestLogging', 'HTTP GET /failing aborted by the client after … ms', 'Error: Order failed'],
    ]);
    const completion = ofRequest(run, 'failing').find((e) => e.properties.SourceContext === 'RequestLogging');
    expect([completion?.properties.Aborted, completion?.properties.StatusCode]).toEqual([true, undefined]);
  }, 120_000);
});
