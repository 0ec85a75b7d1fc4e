import { plainEnv } from '../helpers/plain-env';
import { fixtureOutcomes } from './fixtures/run-nest-app';

interface Run {
  events: [string, string | null, string, string | null][];
  together: [string, string];
  afterClose: string;
  openAfterA: boolean;
  closedByApps: boolean;
  reports: string[];
  rejected: number;
}

async function run(platform: string, shutdown: string): Promise<Run> {
  return fixtureOutcomes<Run>('nest-shared-logger.ts', [platform, shutdown], { env: plainEnv(), timeoutMs: 60_000 });
}

/** The events of a request: its handler's two and its completion event, each with the request's id. */
function request(app: 'a' | 'b', id: string): [string, string, string][] {
  return [
    [`Started by ${app}`, 'Orders', id],
    [`Finished by ${app}`, 'Orders', id],
    [`${app.toUpperCase()} /orders 200`, 'RequestLogging', id],
  ];
}

// Two real NestJS 12 apps alive at once, on servers of their own on 127.0.0.1, sharing one logger
// through RxlogModule.forRoot({ logger }) (spec/nest/fixtures/nest-shared-logger.ts): two
// overlapping requests, one to each, then A closes and B serves one more request. As Nest's own
// loggers and nestjs-pino's outlive one app's close, the logger stays open while an app logs
// through it: the last app's shutdown closes it, once.
describe.each(['express', 'fastify'])('Two Nest apps on %s sharing one logger', (platform) => {
  const ofRequests = (events: Run['events']): [string, string, string][] =>
    events.filter((e) => e[3] !== null).map(([, context, message, id]) => [message, String(context), String(id)]);

  it('keeps each request’s context and completion event its own; with shutdown: false the logger outlives A’s close', async () => {
    const { events, together, afterClose, rejected } = await run(platform, 'none');
    const [a, b] = together;
    expect(new Set([a, b, afterClose]).size).toBe(3);
    const written = ofRequests(events);
    // Overlapping: each event carries the id of its own request, not the other app's.
    expect(written.filter((e) => e[2] === a)).toEqual(request('a', a));
    expect(written.filter((e) => e[2] === b)).toEqual(request('b', b));
    expect(written.filter((e) => e[2] === afterClose)).toEqual(request('b', afterClose));
    expect(written).toHaveLength(9);
    expect(rejected).toBe(0);
  }, 90_000);

  it('with each app’s shutdown on, A’s close leaves the shared logger open for B, whose close closes it and reports once', async () => {
    const { events, together, afterClose, openAfterA, reports, rejected } = await run(platform, 'default');
    const written = ofRequests(events);
    expect(openAfterA).toBe(true);
    expect(written.filter((e) => e[2] === together[0])).toEqual(request('a', together[0]));
    expect(written.filter((e) => e[2] === together[1])).toEqual(request('b', together[1]));
    expect(written.filter((e) => e[2] === afterClose)).toEqual(request('b', afterClose));
    expect(written).toHaveLength(9);
    expect(reports).toEqual(['b']);
    expect(rejected).toBe(0);
  }, 90_000);

  it('closed at once, A and B close the shared logger once, with one report; an app never initialised does not hold it open', async () => {
    const { events, together, closedByApps, reports, rejected } = await run(platform, 'at-once');
    const written = ofRequests(events);
    expect(written.filter((e) => e[2] === together[0])).toEqual(request('a', together[0]));
    expect(written.filter((e) => e[2] === together[1])).toEqual(request('b', together[1]));
    expect(written).toHaveLength(6);
    expect(closedByApps).toBe(true);
    expect(reports).toHaveLength(1);
    expect(rejected).toBe(0);
  }, 90_000);
});
