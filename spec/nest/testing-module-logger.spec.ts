import { plainEnv } from '../helpers/plain-env';
import { fixtureOutcomes } from './fixtures/run-nest-app';

type Results = Record<string, { events: string[][]; printed: string[] }>;

const BOOT = [
  ['NestFactory', 'Starting Nest application...'],
  ['InstanceLoader', 'AppModule dependencies initialized'],
  ['InstanceLoader', 'RxlogModule dependencies initialized'],
];
const LISTEN = [
  ['RoutesResolver', 'OrdersController {/orders}:'],
  ['RouterExplorer', 'Mapped {/orders, GET} route'],
  ['NestApplication', 'Nest application successfully started'],
];

// Real NestJS 12 apps on Express and Fastify (spec/nest/fixtures/nest-testing-logger.ts, a child
// process): every way of making RxlogLoggerService the app's Nest logger, from NestFactory and from
// a module @nestjs/testing compiled, and what reaches rxlog, what is printed, and what is lost.
let all: Results;
beforeAll(async () => {
  all = await fixtureOutcomes<Results>('nest-testing-logger.ts', [], { env: plainEnv() });
}, 120_000);

describe.each(['express', 'fastify'])('RxlogLoggerService as the Nest logger of a real app on %s', (platform) => {
  let results: Results;
  beforeAll(() => {
    results = Object.fromEntries(
      Object.entries(all)
        .filter(([name]) => name.startsWith(`${platform}: `))
        .map(([name, result]) => [name.slice(platform.length + 2), result]),
    );
  });

  it('NestFactory.create with bufferLogs: the boot lines and those logged before useLogger reach rxlog once, in order, none printed', () => {
    expect(results['NestFactory.create with bufferLogs, then useLogger']).toEqual({
      events: [
        ...BOOT,
        ['Before', 'Logged before useLogger'],
        ['Before', 'Error before useLogger'],
        ['After', 'Logged after useLogger'],
        ...LISTEN,
      ],
      printed: [],
    });
  });

  it('NestFactory.create with the service as its logger: every boot line reaches rxlog, none printed', () => {
    expect(results['NestFactory.create with the service as logger']).toEqual({ events: [...BOOT, ...LISTEN], printed: [] });
  });

  // Nest's TestingModule ignores bufferLogs (it attaches no buffer), and compile() gives Nest's
  // Logger a TestingLogger, which drops all but errors: what is logged before useLogger is gone, an
  // error printed by Nest, and the InstanceLoader lines of compile() are dropped.
  it('@nestjs/testing, createNestApplication with bufferLogs: only what follows useLogger reaches rxlog; an error before it is printed by Nest', () => {
    expect(results['testing: createNestApplication with bufferLogs, then useLogger']).toEqual({
      events: [['After', 'Logged after useLogger'], ...LISTEN],
      printed: ['ERROR [Before] Error before useLogger'],
    });
  });

  it('@nestjs/testing, createNestApplication with the service as logger: the lines of createNestApplication on reach rxlog', () => {
    expect(results['testing: createNestApplication with the service as logger']).toEqual({ events: LISTEN, printed: [] });
  });

  it('@nestjs/testing, setLogger with the service: the InstanceLoader lines of compile() reach rxlog too', () => {
    expect(results['testing: setLogger with the service']).toEqual({
      events: [
        ['InstanceLoader', 'RootTestModule dependencies initialized'],
        ['InstanceLoader', 'AppModule dependencies initialized'],
        ['InstanceLoader', 'RxlogModule dependencies initialized'],
        ...LISTEN,
      ],
      printed: [],
    });
  });
});
