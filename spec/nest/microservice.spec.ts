import { plainEnv } from '../helpers/plain-env';
import { fixtureOutcomes } from './fixtures/run-nest-app';

type Event = [string, string | null, string, string | null, string | null, string | null];

interface Run {
  events: Event[];
  answers: unknown[];
  reports: string[];
  closed: boolean;
}

const boot = (...more: Event[]): Event[] => [
  ['information', 'NestFactory', 'Starting Nest application...', null, null, null],
  ['information', 'InstanceLoader', 'AppModule dependencies initialized', null, null, null],
  ['information', 'InstanceLoader', 'RxlogModule dependencies initialized', null, null, null],
  ...more,
];

/** What the handlers log, and Nest's RPC filter's error events, with their handler's pattern when the interceptor ran (`patterns`). */
const handled = (patterns: boolean): Event[] => [
  ['information', null, 'Summing 3 numbers', null, null, null],
  ['error', 'RpcExceptionsHandler', 'Handler crashed', 'Handler crashed', patterns ? 'orders.crash' : null, null],
  // A thrown string (and an Observable failing later with one) is reported as the message, with no exception.
  ['error', 'RpcExceptionsHandler', 'Out of stock', null, patterns ? 'orders.refuse' : null, null],
  ['error', 'RpcExceptionsHandler', 'Out of stock, later', null, patterns ? 'orders.refuse-later' : null, null],
  ['information', null, 'Order 9 created', null, null, null],
  ['error', 'RpcExceptionsHandler', 'Event handler crashed', 'Event handler crashed', patterns ? 'order.created' : null, null],
];

const hybridBoot = boot(
  ['information', 'NestMicroservice', 'Nest microservice successfully started', null, null, null],
  ['information', 'RoutesResolver', 'OrdersController {/}:', null, null, null],
  ['information', 'NestApplication', 'Nest application successfully started', null, null, null],
);

// A real NestJS 12 microservice on the TCP transport on 127.0.0.1 and a real ClientProxy
// (spec/nest/fixtures/nest-microservice.ts): a message answered, an RpcException (answered to the
// client, not logged, as Nest does), an Error and an event handler's Error (Nest's RPC filter logs
// each once), then app.close() with enableShutdownHooks.
describe('RxlogModule in a Nest microservice', () => {
  // A hybrid app's microservice gets the app's global interceptors, RxlogModule's among them, only
  // with inheritAppConfig: true (Nest's rule): without it, its errors are written without a pattern.
  it.each([
    [
      'NestFactory.createMicroservice',
      'micro',
      boot(['information', 'NestMicroservice', 'Nest microservice successfully started', null, null, null]),
      true,
    ],
    ['a hybrid app (connectMicroservice)', 'hybrid', hybridBoot, false],
    ['a hybrid app (connectMicroservice, inheritAppConfig)', 'hybrid-inherit', hybridBoot, true],
  ])(
    '%s: Nest’s boot lines held by bufferLogs go through rxlog; a handler’s error is written once, with its MessagePattern and no request id; the close reports',
    async (_name, mode, booted, patterns) => {
      const { events, answers, reports, closed } = await fixtureOutcomes<Run>('nest-microservice.ts', [mode], {
        env: plainEnv(),
        timeoutMs: 60_000,
      });
      expect(events).toEqual([...booted, ...handled(patterns)]);
      expect(answers).toEqual([
        { ok: 6 },
        { error: { status: 'error', message: 'No such order' } },
        { error: { status: 'error', message: 'Internal server error' } },
        { error: { status: 'error', message: 'Internal server error' } },
        { error: { status: 'error', message: 'Internal server error' } },
      ]);
      expect(reports).toEqual([`graceful ${events.length}`]);
      expect(closed).toBe(true);
    },
    90_000,
  );
});

// The decision of the docs' `logger` option (the last app sharing the logger closes it), held for
// an HTTP app and a microservice sharing one, as spec/nest/shared-logger.spec.ts holds it for two
// HTTP apps: the HTTP app's close leaves it open for the microservice, whose close closes it.
it('an HTTP app and a microservice sharing one logger: the first app’s close leaves it open, the microservice’s close closes it and reports once', async () => {
  const run = await fixtureOutcomes<{ events: string[]; answers: unknown[]; reports: string[]; rejectedAfterClose: number }>(
    'nest-microservice.ts',
    ['shared'],
    { env: plainEnv(), timeoutMs: 60_000 },
  );
  expect(run.answers).toEqual([{ ok: 3 }, { ok: 6 }]);
  expect(run.events).toEqual(['Summing 2 numbers', 'Summing 3 numbers']);
  expect(run.reports).toEqual(['graceful 2']);
  expect(run.rejectedAfterClose).toBe(0);
}, 90_000);

// Nest's close does not wait for a microservice's messages in flight (the TCP transport stops
// listening, the handler runs on): the message the shutdown cut gets one unfinished event, as an
// HTTP request does, and what its handler logs after the logger closed is counted, not written.
// Shared with an HTTP app that closes the logger after the microservice's close, it is written too.
it.each(['in-flight', 'shared-in-flight'])(
  'a message whose handler still runs at app.close() (%s): the close does not wait for it, and it is written as unfinished',
  async (mode) => {
    const run = await fixtureOutcomes<{
      first: string;
      events: [string, string, string | null][];
      reports: string[];
      rejectedAfterClose: number;
    }>('nest-microservice.ts', [mode], { env: plainEnv(), timeoutMs: 60_000 });
    expect(run.first).toBe('closed');
    expect(run.events.map(([level, message, pattern]) => [level, message.replace(/ \d+\.\d{4} ms$/, ' … ms'), pattern])).toEqual([
      ['information', 'Packing order 5', null],
      ['warning', 'RPC orders.pack unfinished at shutdown after … ms', 'orders.pack'],
    ]);
    expect(run.reports).toEqual(['graceful 2']);
    expect(run.rejectedAfterClose).toBe(1);
  },
  90_000,
);

// A hybrid app's microservice connected without inheritAppConfig has not the module's interceptor
// (Nest's rule): a message its close cuts is not followed, so it is not written as unfinished.
it('a hybrid app’s microservice without inheritAppConfig: a message in flight at app.close() is not written as unfinished', async () => {
  const run = await fixtureOutcomes<{ first: string; events: unknown[]; reports: string[]; rejectedAfterClose: number }>(
    'nest-microservice.ts',
    ['in-flight-hybrid'],
    { env: plainEnv(), timeoutMs: 60_000 },
  );
  expect(run.first).toBe('closed');
  expect(run.events).toEqual([['information', 'Packing order 5', null]]);
  expect(run.reports).toEqual(['graceful 1']);
  expect(run.rejectedAfterClose).toBe(1);
}, 90_000);

// Nest runs a handler's exception filter (`@UseFilters` on a `@MessagePattern`) outside every
// interceptor, RxlogModule's among them, and offers no hook after it: what a filter that throws does
// is Nest's (docs/nestjs.md, Microservices), pinned here so that a change in Nest is seen. The
// handler's error and the filter's are both lost when the handler failed (the client gets the
// filter's Error serialized as `{}`); when a guard failed, Nest logs the filter's error under
// `Server` and the client gets no answer. The filter the docs show, which catches its own failure
// and leaves the answer to BaseRpcExceptionFilter, has both errors written and the client answered.
it('a microservice handler’s exception filter that throws: what Nest leaves of it, and the filter the docs show; a guard’s error has no MessagePattern, a pipe’s has', async () => {
  const run = await fixtureOutcomes<{ answers: unknown[]; events: unknown[] }>('nest-rpc-filter.ts', [], {
    env: plainEnv(),
    timeoutMs: 60_000,
  });
  const internal = { error: { status: 'error', message: 'Internal server error' } };
  expect(run.answers).toEqual([{ error: {} }, 'none', internal, internal, internal]);
  expect(run.events).toEqual([
    ['error', 'Server', 'Filter broke', 'Filter broke', null],
    ['error', 'OrdersRpcFilter', 'The exception filter failed', 'No answer for this error', null],
    ['error', 'RpcExceptionsHandler', 'Handler crashed, filter caught', 'Handler crashed, filter caught', 'orders.caught'],
    // A guard runs before every interceptor: its error is Nest's event, without the pattern.
    ['error', 'RpcExceptionsHandler', 'Guard crashed', 'Guard crashed', null],
    // A pipe runs inside the interceptors: its error has the pattern.
    ['error', 'RpcExceptionsHandler', 'Pipe crashed', 'Pipe crashed', 'orders.piped'],
  ]);
}, 90_000);

// Nest routes a message by its pattern's route (transformPatternToRoute: an object's keys sorted,
// no spaces), whichever order the client wrote the keys in (TcpContext's getPattern() gives them as
// sent); a handler with several patterns (`@MessagePattern(['orders.void', 'orders.cancel'])`) is
// registered under each, and a message comes with one of them. MessagePattern is that route.
it('writes as MessagePattern the route Nest gives the message: an object pattern with its keys sorted, and the one of several patterns the message came with', async () => {
  const run = await fixtureOutcomes<{ events: unknown[]; wirePatterns: string[]; conformance: [string, string][] }>(
    'nest-microservice.ts',
    ['patterns'],
    { env: plainEnv(), timeoutMs: 60_000 },
  );
  const sorted = '{"cmd":"fail","role":"math"}';
  expect(run.wirePatterns).toEqual(['{"role":"math","cmd":"fail"}', sorted, 'orders.cancel', 'orders.void']);
  expect(run.events).toEqual([
    ['Math failed', sorted],
    ['Math failed', sorted],
    ['Cancel failed', 'orders.cancel'],
    ['Cancel failed', 'orders.void'],
  ]);
  // Escapes, numbers, nested objects and arrays, Nest's depth and key limits: as Nest's own function makes them.
  expect(run.conformance.length).toBe(6);
  for (const [named, route] of run.conformance) expect(named).toBe(route);
}, 90_000);
