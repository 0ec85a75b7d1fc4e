import { plainEnv } from '../helpers/plain-env';
import { fixtureOutcomes } from './fixtures/run-nest-app';

// Nest 12 ships ES modules only: the cases run in a real Nest application context in a child process.
describe('RxlogShutdown in real Nest 12 application contexts', () => {
  let outcomes: Record<string, unknown>;

  beforeAll(async () => {
    outcomes = await fixtureOutcomes<Record<string, unknown>>('nest-shutdown-cases.ts', [], { env: plainEnv() });
  }, 120_000);

  /** What the first app logged through rxlog before its logger closed. */
  const STARTED = ['Starting Nest application...', 'AppModule dependencies initialized', 'RxlogModule dependencies initialized'];

  it('reports the shutdown once when the app is closed again (Nest 12 runs the shutdown hooks again)', () => {
    expect(outcomes['closed twice']).toEqual(['graceful: 0']);
  });

  it('delivers what was logged before an onModuleInit failure and in the shutdown hooks when the app is closed then, reporting once', () => {
    expect(outcomes['init failed, then closed twice']).toEqual({
      failure: 'Error: init failed',
      rxlog: [
        ['NestFactory', 'Starting Nest application...'],
        ['InstanceLoader', 'AppModule dependencies initialized'],
        ['InstanceLoader', 'RxlogModule dependencies initialized'],
        ['Failing', 'Connecting'],
        ['Failing', 'Released'],
      ],
      reports: ['graceful: 5'],
    });
  });

  it('closes the app within its shutdown timeoutMs behind an unbounded flush close the app started, reporting what is undelivered', () => {
    expect(outcomes['closed behind an unbounded flush close']).toEqual({
      appClosed: true,
      reports: [{ timedOut: true, stalled: { delivered: 0, dropped: 0, failed: 0, undelivered: 1 } }],
      flushed: [false, true],
    });
  });

  it('reports a report callback that rejects to SelfLog, leaving no unhandled rejection to end the process', () => {
    expect(outcomes['a report callback that rejects']).toEqual({
      unhandled: [],
      selfLog: ['RxlogModule shutdown report callback threw'],
    });
  });

  it('hands what Nest logs after the logger closed to Nest’s console, at the levels set, instead of the closed logger', () => {
    expect(outcomes['logged after the logger closed']).toEqual({
      rxlog: STARTED,
      console: [
        'WARN [Orders] Logged after close { orderId: 7 }',
        'ERROR [Late] Failed after close',
        'Error: late',
        '    at run (/app/late.js:1:2)',
        'LOG [NestFactory] Starting Nest application...',
        'LOG [InstanceLoader] NextApp dependencies initialized',
      ],
    });
  });

  it('hands what Nest logs after the app closed the logger itself (shutdown: false) to Nest’s console, none of it rejected', () => {
    expect(outcomes['closed by the app under shutdown: false']).toEqual({
      rxlog: STARTED,
      console: [
        'LOG [Database] Disconnected',
        'WARN [Orders] Logged after close',
        'LOG [NestFactory] Starting Nest application...',
        'LOG [InstanceLoader] NextApp dependencies initialized',
      ],
      rejectedAfterClose: 0,
    });
  });

  it('hands the shutdown report and what Nest logs after the close to the ConsoleLogger the app was created with, in its JSON', () => {
    expect(outcomes['logged after the logger closed, in an app created with a JSON ConsoleLogger']).toEqual({
      rxlog: STARTED,
      console: [
        {
          level: 'log',
          message: expect.stringMatching(
            /^Logger closed \(graceful, \d+ ms\): memory: 3 delivered, 0 dropped, 0 failed, 0 undelivered$/,
          ),
          context: 'RxlogModule',
          pid: 'number',
          timestamp: 'number',
        },
        {
          level: 'warn',
          message: 'Logged after close',
          context: 'Orders',
          params: { orderId: 7 },
          pid: 'number',
          timestamp: 'number',
        },
      ],
    });
  });

  it('hands the report and what Nest logs after the close to the LoggerService the app was created with, leaving out the levels it has no method for', () => {
    expect(outcomes['logged after the logger closed, in an app created with a LoggerService without optional methods']).toEqual({
      calls: [
        ['log', 'Logger closed (graceful, N ms): memory: 3 delivered, 0 dropped, 0 failed, 0 undelivered', 'RxlogModule'],
        ['warn', 'Logged after close', 'Orders'],
        ['error', 'Failed after close', 'Late'],
      ],
      console: [],
    });
  });

  it('writes the report at log when the only drops are by design (a sink pipe filtering health checks)', () => {
    expect(outcomes['reported with drops by design']).toEqual([
      ['log', 'Logger closed (graceful, N ms): memory: 3 delivered, 1 dropped, 0 failed, 0 undelivered', 'RxlogModule'],
    ]);
  });

  it("keeps the levels given to NestFactory (logger: ['warn']) for what Nest’s console takes after the logger closed", () => {
    expect(outcomes['logged after the logger closed, with levels given to NestFactory']).toEqual([
      'WARN [Orders] Written after close',
      'FATAL [Late] Fatal after close',
    ]);
  });

  it('writes the report and what Nest logs after the close on Nest 10 and 11 too, whose Logger reads no level on when the app named none', () => {
    expect(outcomes['reported on Nest 10 and 11, the app naming no levels']).toEqual([
      'LOG [RxlogModule] Logger closed (graceful, N ms): memory: 3 delivered, 0 dropped, 0 failed, 0 undelivered',
      'LOG [Orders] Logged after close',
    ]);
  });
});
